"""Workbooks for tests, written from literal tables so a case reads like the sheet a clerk sees.

    write_workbook(tmp_path / "orders.xlsx", sheets(Orders=[
        ["Order ID", "Order Date", "Customer ID", "SKU", "Quantity", "Ship Method", "Payment Method"],
        ["SO-1",     MAR_2,        "C-DE",        "WID-1", 2,        "Standard",    "Invoice"],
    ]))

`sheets()` starts from a small clean desk (products, customers, inventory, no
orders) so a test spells out only the rows it is about. `evaluate_sheets()` runs
the same tables through the pure pipeline (intake + rules) without a file, with
cell values shaped the way the .xlsx reader delivers them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from rules.checks import Evaluation, evaluate
from rules.flags import Flag
from rules.intake import read_desk
from rules.policy import Policy
from rules.schema import SHEETS
from rules.table import RawTable

Table = list[list[object]]
Sheets = dict[str, Table]

MAR_2 = date(2026, 3, 2)
"""The order date most tests use (a Monday)."""

ORDERS_HEADER = [
    "Order ID", "Order Date", "Customer ID", "SKU", "Quantity", "Unit Price", "Discount %",
    "Ship By", "Ship Method", "Payment Method", "Card Expiry", "Action", "Notes",
]

_CLEAN: Sheets = {
    "Orders": [ORDERS_HEADER],
    "Products": [
        ["SKU",    "Description",         "Unit Price", "Tax Rate", "Pack Size", "Weight (kg)", "Active"],
        ["WID-1",  "Widget",              10.00,        0.19,       1,           0.5,           "yes"],
        ["BOX-6",  "Bolts, box of 6",     30.00,        0.19,       6,           1.2,           "yes"],
        ["BOOK-1", "Field guide",         20.00,        0.07,       1,           0.4,           "yes"],
        ["OLD-1",  "Discontinued gadget", 5.00,         0.19,       1,           0.2,           "no"],
    ],
    "Customers": [
        ["Customer ID", "Name",        "Email",                   "Address",       "City",        "Postal Code", "Country", "VAT ID",      "Credit Limit", "Payment Terms (days)"],
        ["C-DE",        "Müller GmbH", "einkauf@mueller.example", "Hauptstraße 1", "Berlin",      "10115",       "DE",      "DE136695976", 5000,           30],
        ["C-US",        "Acme Inc.",   "orders@acme.example",     "1 Main St",     "Springfield", "12345",       "US",      None,          None,           30],
    ],
    "Inventory": [
        ["SKU",    "Location", "On Hand", "Reorder Point", "Reorder Qty"],
        ["WID-1",  "Main",     100,       10,              50],
        ["BOX-6",  "Main",     60,        12,              60],
        ["BOOK-1", "Main",     40,        5,               20],
        ["OLD-1",  "Main",     0,         0,               0],
    ],
}


def sheets(overrides: Mapping[str, Table] | None = None, /, **by_name: Table) -> Sheets:
    """The clean desk with whole sheets replaced or added: `sheets(Orders=[...])`.

    Sheet names with a space go in the mapping: `sheets({"Stock Moves": [...]})`.
    Every call returns fresh lists, so a test may change them freely.
    """
    out = copy.deepcopy(_CLEAN)
    out.update(copy.deepcopy(dict(overrides or {})))
    out.update(copy.deepcopy(by_name))
    return out


def orders(*rows: list[object]) -> Table:
    """An Orders sheet in the starter column order: `orders(["SO-1", MAR_2, ...], ...)`."""
    return [list(ORDERS_HEADER), *map(list, rows)]


# --- writing .xlsx files ------------------------------------------------------

def write_workbook(
    path: Path | str,
    tables: Mapping[str, Table],
    *,
    hidden: Mapping[str, Iterable[str]] | None = None,
) -> Path:
    """Write an .xlsx with one sheet per table, in the given order.

    Cells are written by type: `None` stays empty, `str` is always text (also
    "5", "=SUM(A1)", "+cmd"), numbers and `Decimal` are numbers, `date` and
    `datetime` are real Excel dates, `bool` is TRUE/FALSE. `hidden` names
    columns (by header) to hide, the way a clerk hides them.
    """
    path = Path(path)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    formats = {
        date: book.add_format({"num_format": "yyyy-mm-dd"}),
        datetime: book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        time: book.add_format({"num_format": "hh:mm"}),
    }
    hidden = hidden or {}
    for name, rows in tables.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                _write_cell(sheet, r, c, value, formats)
        header = list(rows[0]) if rows else []
        for column in hidden.get(name, ()):
            i = header.index(column)
            sheet.set_column(i, i, None, None, {"hidden": True})
    book.close()
    return path


def _write_cell(sheet, r: int, c: int, value: object, formats: dict) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(r, c, value, formats[datetime])
    elif isinstance(value, date):
        sheet.write_datetime(r, c, datetime.combine(value, time()), formats[date])
    elif isinstance(value, time):
        sheet.write_datetime(r, c, value, formats[time])
    elif isinstance(value, (int, float, Decimal)):
        sheet.write_number(r, c, float(value))
    elif isinstance(value, str):
        sheet.write_string(r, c, value)
    else:
        raise TypeError(f"cannot write {value!r} into a test workbook")


# --- the same tables without a file ---------------------------------------------

def _as_read(value: object) -> object:
    """A cell value as the .xlsx reader hands it over: numbers are floats, empty is ''."""
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (str, date, time)):
        return value
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    return value


def raw_table(name: str, rows: Table) -> RawTable:
    """One literal table as a RawTable; row 1 is the header, data rows are numbered from 2."""
    header = tuple("" if h is None else str(h).strip() for h in rows[0]) if rows else ()
    width = max((len(r) for r in rows), default=0)
    data = [
        (i, [_as_read(v) for v in row] + [""] * (width - len(row)))
        for i, row in enumerate(rows[1:], start=2)
    ]
    return RawTable(name, header, data)


def raw_tables(tables: Mapping[str, Table]) -> dict[str, RawTable]:
    """RawTables keyed by spec sheet name (matched ignoring case), as the reader returns them."""
    by_folded = {spec.name.casefold(): spec.name for spec in SHEETS}
    return {by_folded.get(name.strip().casefold(), name): raw_table(name, rows) for name, rows in tables.items()}


def evaluate_sheets(tables: Mapping[str, Table], policy: Policy | None = None) -> Evaluation:
    """Intake plus every rule over literal tables: what `sheetclerk check` derives."""
    policy = policy or Policy()
    desk, intake_flags = read_desk(raw_tables(tables), policy.day_first)
    return evaluate(desk, policy, intake_flags)


def keys(flags: Iterable[Flag], sheet: str | None = None) -> set[tuple[str, int | None, str, str]]:
    """Flags as (sheet, row, column, code): how tests compare them, never by message."""
    return {(f.sheet, f.row, f.column, f.code.value) for f in flags if sheet is None or f.sheet == sheet}


def flag_keys(tables: Mapping[str, Table], policy: Policy | None = None, sheet: str | None = None) -> set[tuple]:
    """The (sheet, row, column, code) of every flag the tables raise."""
    return keys(evaluate_sheets(tables, policy).flags, sheet)


def clerk_saves(path: Path, at: str, changes: Mapping[str, Mapping[tuple[int, str], object]] | None = None) -> None:
    """A clerk's save at `at` (ISO date or UTC time): cells by sheet, row and header, the way a spreadsheet
    program writes the file (openpyxl load, change, save: the whole package rewritten), then the file's
    modification time set to `at` — a pass dates its events and documents by the save."""
    import os

    import openpyxl

    if changes:
        book = openpyxl.load_workbook(path)
        for sheet, cells in changes.items():
            ws = book[sheet]
            headers = {str(c.value).strip(): c.column for c in ws[1] if c.value is not None}
            for (row, header), value in cells.items():
                ws.cell(row=row, column=headers[header], value=value)
        book.save(path)
    stamp = at if "T" in at else f"{at}T09:00:00Z"
    t = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    os.utime(path, (t, t))
