"""sheetclerk inside the spreadsheet: Excel functions and ribbon buttons (xlwings),
and the Google Sheets bindings. They call the same `rules` the daemon uses.
"""
