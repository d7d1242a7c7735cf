"""Google Sheets as a workbook source and writer for the same sync pass.

    address   spreadsheet key or URL -> key, and the ledger's name for it (`gsheet:<key>`)
    auth      service-account credentials, with plain messages for what goes wrong
    http      gspread's HTTP client with bounded, jittered back-off and a request log
    problems  Google's error answers -> messages that name the fix
    cells     A1 ranges, colours, values as Google holds them
    source    `GoogleSheet`: fingerprint = the Drive file's `version`; read = one values:batchGet
    writer    `GoogleWriter`: rows located again by key, one values:batchUpdate (RAW), one
              spreadsheets:batchUpdate (colours and notes)
"""

from sync.google.address import ledger_name, spreadsheet_key
from sync.google.source import GoogleSheet, open_sheet
from sync.google.writer import GoogleWriter

__all__ = ["GoogleSheet", "GoogleWriter", "ledger_name", "open_sheet", "spreadsheet_key"]
