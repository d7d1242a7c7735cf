"""The sync pass on a Google Sheet (the local fake, reached by the real gspread client over HTTP)."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from conftest import ACCOUNT, KEY, STARTER, starter_tabs
from fake_google import Spreadsheet
from python_calamine import CalamineWorkbook

from sync.config import load_settings
from sync.errors import CannotRun
from sync.google.cells import argb
from sync.google.writer import NOTE_PREFIX, GoogleWriter
from sync.pipeline import run_pass
from sync.writeback import FILL_ARGB, CellWrite, Fill, SheetWrites, WorkbookWrites, WriteStatus

SHEETS_HOST, DRIVE_HOST = "sheets.googleapis.com", "www.googleapis.com"


def _identity_map(rows: list[list[object]]) -> dict[tuple, tuple]:
    """(Order ID, SKU, occurrence) -> (Status, Check) for an Orders tab given as rows."""
    header = [str(h) for h in rows[0]]
    at = {h: header.index(h) for h in ("Order ID", "SKU", "Status", "Check")}
    seen: Counter = Counter()
    out = {}
    for row in rows[1:]:
        row = list(row) + [""] * (len(header) - len(row))
        ident = (row[at["Order ID"]], row[at["SKU"]])
        if not any(ident):
            continue
        seen[ident] += 1
        out[(*ident, seen[ident])] = (row[at["Status"]] or "", row[at["Check"]] or "")
    return out


@pytest.fixture(scope="module")
def xlsx_result(tmp_path_factory):
    """The same starter desk synced through the .xlsx path, for comparison (once per module: nothing changes it)."""
    folder = tmp_path_factory.mktemp("xlsx")
    path = folder / "orders.xlsx"
    shutil.copy(STARTER, path)
    settings = load_settings(path)
    result = run_pass(path, settings)
    book = CalamineWorkbook.from_path(str(path))
    orders = book.get_sheet_by_name("Orders").to_python(skip_empty_area=False)
    book.close()
    return settings, result, orders


def _since(fake, start: int, host: str) -> int:
    return sum(1 for _, h, _, _ in fake.log[start:] if h == host)


def test_full_sync_of_the_starter_desk_matches_the_xlsx_path(fake, connect, xlsx_result):
    settings, file_result, file_orders = xlsx_result
    fake.add_book(KEY, starter_tabs())
    result = run_pass(connect(), settings)
    assert result.status == "synced"
    as_tuples = lambda flags: sorted((f.sheet, f.row, f.column, f.code, f.severity) for f in flags)  # noqa: E731
    assert as_tuples(result.flags) == as_tuples(file_result.flags)
    assert result.statuses == file_result.statuses
    assert result.errors and result.warnings
    # What lands in the sheet: the same Status and Check per line as in the written-back file.
    assert _identity_map(fake.values(KEY, "Orders")) == _identity_map(file_orders)
    review = fake.values(KEY, "Review")
    assert review[0] == ["Sheet", "Row", "Column", "Code", "Severity", "Message", "Since"]
    assert len(review) - 1 == len(result.flags)
    # Flags are colours and notes on the exact cells.
    orders = fake.books[KEY].tab("Orders")
    header = [orders.value(0, c) for c in range(orders.columns)]
    for f in result.flags:
        if f.sheet == "Orders" and f.column and f.row:
            cell = orders.cells[(f.row - 1, header.index(f.column))]
            assert argb(cell.background) == FILL_ARGB[Fill.ERROR if f.severity == "error" else Fill.WARNING]
            assert cell.note.startswith(NOTE_PREFIX) and f.message in cell.note
    # Documents run unchanged: Action = Invoice on SO-1001 and SO-1003 issued their invoices and packing slips.
    assert result.documents == file_result.documents == ("INV-2026-00001", "PS-2026-00001", "INV-2026-00002", "PS-2026-00002")
    invoice_no = header.index("Invoice No")
    assert {orders.value(r, invoice_no) for r in (1, 2)} == {"INV-2026-00001"}


def test_requests_per_pass(fake, connect, xlsx_result):
    settings = xlsx_result[0]
    fake.add_book(KEY, starter_tabs())
    sheet = connect()
    run_pass(sheet, settings)  # first contact: also fetches the tab list once
    run_pass(sheet, settings)  # reads its own write once more, finds nothing to do
    start = len(fake.log)
    assert run_pass(sheet, settings).status == "unchanged"
    assert (_since(fake, start, DRIVE_HOST), _since(fake, start, SHEETS_HOST)) == (1, 0)

    orders = fake.books[KEY].tab("Orders")
    header = [orders.value(0, c) for c in range(orders.columns)]
    row = next(r for r in range(1, orders.rows) if orders.value(r, header.index("Status")) == "Verified")
    line = (orders.value(row, 0), orders.value(row, header.index("SKU")), 1)

    def bad_quantity(book: Spreadsheet) -> None:  # a Verified line's quantity -3: a new error flag, a new status
        orders.cell(row, header.index("Quantity")).value = -3

    fake.clerk_edit(KEY, bad_quantity)
    start = len(fake.log)
    result = run_pass(sheet, settings)
    assert result.status == "synced" and result.write == "written"
    assert _since(fake, start, DRIVE_HOST) == 1
    assert _since(fake, start, SHEETS_HOST) <= 4  # batchGet, locate, values:batchUpdate, spreadsheets:batchUpdate
    assert _identity_map(fake.values(KEY, "Orders"))[line][0] == "On hold"


def test_clerk_sorting_and_inserting_rows_between_read_and_write_gets_no_wrong_row_writes(fake, connect, xlsx_result):
    settings, _, file_orders = xlsx_result
    fake.add_book(KEY, starter_tabs())

    def sort_and_insert() -> None:
        def change(book: Spreadsheet) -> None:
            orders = book.tab("Orders")
            fake._r_sortRange(book, {"range": {"sheetId": orders.sheet_id, "startRowIndex": 1, "endRowIndex": orders.rows},
                                     "sortSpecs": [{"dimensionIndex": 3, "sortOrder": "ASCENDING"}]}, 0)
            fake._r_insertDimension(book, {"range": {"sheetId": orders.sheet_id, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}}, 0)
            orders.cell(1, 0).value, orders.cell(1, 3).value = "SO-2000", "KB-ESP-1000"  # a new line, not read this pass
        fake.clerk_edit(KEY, change)

    # Right before the writer locates the rows again (after the pass has read and decided).
    fake.before_request(lambda m, p, q: m == "GET" and q.get("includeGridData") == ["true"], sort_and_insert)
    result = run_pass(connect(), settings)
    assert result.status == "synced"
    now = _identity_map(fake.values(KEY, "Orders"))
    assert now.pop(("SO-2000", "KB-ESP-1000", 1)) == ("", "")  # the row it had not read got nothing
    assert now == _identity_map(file_orders)  # every other line got its own results, wherever it moved
    orders = fake.books[KEY].tab("Orders")
    header = [orders.value(0, c) for c in range(orders.columns)]
    check = header.index("Check")
    for (r, _), cell in orders.cells.items():
        if argb(cell.background) in FILL_ARGB.values():
            assert orders.value(r, check), f"row {r + 1} is coloured but has no flags"


def test_a_429_storm_is_waited_out_within_the_quota_and_no_write_is_lost(fake, connect, xlsx_result):
    settings, _, file_orders = xlsx_result
    fake.reads_per_minute, fake.writes_per_minute = 2, 1  # far below Google's 60: every pass runs into it
    fake.add_book(KEY, starter_tabs())
    fake.fail(429, times=3, when=lambda m, p: p.endswith("values:batchGet"))
    sheet = connect()
    result = run_pass(sheet, settings)
    assert result.status == "synced"
    assert all(n <= (2 if kind == "read" else 1) for (kind, _), n in fake.used.items())
    assert 0 < fake.now < 600  # waited (fake time) for the quota to come back, boundedly
    assert _identity_map(fake.values(KEY, "Orders")) == _identity_map(file_orders)


def test_a_storm_that_does_not_end_fails_the_write_plainly_and_the_next_pass_catches_up(fake, connect, xlsx_result):
    settings, _, file_orders = xlsx_result
    fake.add_book(KEY, starter_tabs())
    fake.fail(503, times=100, when=lambda m, p: p.endswith("values:batchUpdate"))
    sheet = connect()
    result = run_pass(sheet, settings)
    assert result.status == "failed" and result.retry
    assert "trying again later" in result.message
    assert fake.now <= 180  # bounded back-off: gave up within the budget
    fake.faults.clear()
    assert run_pass(sheet, settings).status == "synced"
    assert _identity_map(fake.values(KEY, "Orders")) == _identity_map(file_orders)


def test_formula_looking_text_stays_text(fake, connect):
    tabs = starter_tabs()
    notes = tabs["Orders"][0].index("Notes")
    tabs["Orders"][1][notes] = "=1+1"
    tabs["Orders"][2][notes] = "+49 30 1234"
    fake.add_book(KEY, tabs)
    sheet = connect()
    sheet.read(())  # the writer locates rows by what was read
    writes = WorkbookWrites(sheets=(SheetWrites("Orders", cells=(
        CellWrite(2, "Check", "=1+1"), CellWrite(3, "Check", "+49 30 1234"), CellWrite(4, "Check", "=HYPERLINK(\"x\")"),
    )),))
    sheet.snapshot = {"Orders": _table(sheet)}
    outcome = GoogleWriter().write(sheet, writes, "v")
    assert outcome.status is WriteStatus.WRITTEN
    orders = fake.books[KEY].tab("Orders")
    header = [orders.value(0, c) for c in range(orders.columns)]
    check = header.index("Check")
    assert [orders.value(r, check) for r in (1, 2, 3)] == ["=1+1", "+49 30 1234", "=HYPERLINK(\"x\")"]
    assert all(cell.formula is None for cell in orders.cells.values())
    # And a clerk's own formula-looking Notes are read as the text they are.
    read = sheet.read(())
    assert read == {}
    table = _table(sheet)
    assert [values[notes] for _, values in list(table.rows)[:2]] == ["=1+1", "+49 30 1234"]


def _table(sheet):
    from rules.schema import ORDERS

    return sheet.read((ORDERS,))["Orders"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("not_shared", ["not shared", ACCOUNT, "Editor"]),
        ("no_such_sheet", ["key or URL", ACCOUNT]),
        ("missing_tab", ["tab 'Inventory' is missing"]),
        ("missing_header", ["no column 'Quantity'"]),
        ("revoked", ["revoked", ACCOUNT, "new JSON key"]),
    ],
)
def test_problems_are_plain_messages_naming_the_fix(fake, connect, setup, expected):
    tabs = starter_tabs()
    if setup == "missing_tab":
        del tabs["Inventory"]
    if setup == "missing_header":
        tabs["Orders"][0][tabs["Orders"][0].index("Quantity")] = "Amount"
    key = "1SomeOtherSheetKey_0123456789" if setup == "no_such_sheet" else KEY
    fake.add_book(KEY, tabs, share=setup != "not_shared")
    fake.revoked = setup == "revoked"
    with pytest.raises(CannotRun) as caught:
        run_pass(connect(key))
    for text in expected:
        assert text in str(caught.value)


def test_a_fixed_flag_gives_the_cell_back_its_own_colour_and_keeps_a_clerks_note(fake, connect, xlsx_result):
    settings = xlsx_result[0]
    fake.add_book(KEY, starter_tabs())
    orders = fake.books[KEY].tab("Orders")
    header = [orders.value(0, c) for c in range(orders.columns)]
    qty = header.index("Quantity")
    row = next(r for r in range(1, orders.rows) if orders.value(r, 0) == "SO-1023")  # pack size 6, quantity 4
    orders.cell(row, qty).background = {"red": 1, "green": 1, "blue": 0}  # the clerk's own yellow
    unit_price = header.index("Unit Price")
    price_row = next(r for r in range(1, orders.rows) if orders.value(r, 0) == "SO-1024")
    orders.cell(price_row, unit_price).note = "Customer was promised 27.50 - Lena"
    sheet = connect()
    run_pass(sheet, settings)
    assert argb(orders.cells[(row, qty)].background) == FILL_ARGB[Fill.ERROR]
    assert orders.cells[(price_row, unit_price)].note == "Customer was promised 27.50 - Lena"
    assert argb(orders.cells[(price_row, unit_price)].background) == FILL_ARGB[Fill.ERROR]
    fake.clerk_edit(KEY, lambda book: setattr(book.tab("Orders").cell(row, qty), "value", 6))
    run_pass(sheet, settings)
    assert argb(orders.cells[(row, qty)].background) == "FFFFFF00"
    assert orders.cells[(row, qty)].note is None
