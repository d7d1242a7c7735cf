"""Reading workbooks (sync/xlsx_reader.py) the way clerks leave them, and refusing broken files clearly.

Every workbook here is written from a literal table with `helpers.write_workbook`.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import olefile
import pytest
import xlsxwriter
from msoffcrypto.format.ooxml import OOXMLFile

from helpers import MAR_2, ORDERS_HEADER, orders, sheets, write_workbook
from rules.policy import Policy
from sync.check import check_workbook
from sync.errors import WorkbookUnreadable
from sync.xlsx_reader import read_workbook

#          Order ID Order Date Customer SKU      Qty Unit Price Disc Ship By Ship Method Payment    Expiry Action Notes
CLEAN = ["SO-1",  MAR_2,     "C-DE",  "WID-1", 2,  None,      None, None,   "Standard", "Invoice", None,  None,  None]


def check(path: Path, policy: Policy | None = None):
    return check_workbook(path, policy or Policy())


def flag_keys(report) -> set[tuple]:
    return {(f.sheet, f.row, f.column, f.code.value) for f in report.flags}


def test_a_clean_workbook(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=orders(CLEAN)))
    tables = read_workbook(path)
    assert set(tables) == {"Orders", "Products", "Customers", "Inventory"}
    assert tables["Orders"].headers == tuple(ORDERS_HEADER)
    report = check(path)
    assert report.flags == ()
    assert report.evaluation.statuses == {2: "Verified"}


def test_cells_arrive_as_the_clerk_typed_them(tmp_path: Path) -> None:
    row = ["SO-1", datetime(2026, 3, 2, 14, 5), "C-DE", "WID-1", 2, 10, 0.1, date(2026, 3, 9), "Standard", "Invoice", None, None, '=HYPERLINK("x")']
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=orders(row)))
    (_, values), = read_workbook(path)["Orders"].rows
    assert values[:4] == ["SO-1", datetime(2026, 3, 2, 14, 5), "C-DE", "WID-1"]
    assert values[4] == 2.0 and values[7] == date(2026, 3, 9) and values[12] == '=HYPERLINK("x")'
    (line,) = check(path).desk.lines
    assert (line.order_date, line.quantity, line.unit_price, line.discount, line.notes) == (
        MAR_2, 2, Decimal("10"), Decimal("0.1"), '=HYPERLINK("x")'
    )


def test_reordered_columns(tmp_path: Path) -> None:
    order = list(reversed(range(len(ORDERS_HEADER))))
    table = [[r[i] for i in order] for r in orders(CLEAN, ["SO-1", MAR_2, "C-DE", "BOOK-1", 1, 20.00, None, None, "Standard", "Invoice", None, None, None])]
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=table))
    report = check(path)
    assert report.flags == ()
    assert [(line.row, line.sku, line.quantity) for line in report.desk.lines] == [(2, "WID-1", 2), (3, "BOOK-1", 1)]


def test_extra_clerk_columns_are_left_alone(tmp_path: Path) -> None:
    table = [
        ["Sales Rep", *ORDERS_HEADER[:5], "Called back?", *ORDERS_HEADER[5:], "Margin"],
        ["Lena", *CLEAN[:5], True, *CLEAN[5:], 0.35],
    ]
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=table))
    report = check(path)
    assert report.flags == ()
    assert report.desk.lines[0].quantity == 2


def test_hidden_columns_are_read_like_any_other(tmp_path: Path) -> None:
    row = list(CLEAN)
    row[ORDERS_HEADER.index("Unit Price")] = 12.50
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=orders(row)), hidden={"Orders": ["Unit Price", "Notes"]})
    assert flag_keys(check(path)) == {("Orders", 2, "Unit Price", "price_mismatch")}


def test_empty_rows_in_the_middle_keep_excel_row_numbers(tmp_path: Path) -> None:
    late = ["SO-2", MAR_2, "C-DE", "NOPE-1", 1, None, None, None, "Standard", "Invoice", None, None, None]
    table = orders(CLEAN, [None] * 13, [None] * 13, late)
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=table))
    report = check(path)
    assert flag_keys(report) == {("Orders", 5, "SKU", "unknown_sku")}
    assert [line.row for line in report.desk.lines] == [2, 5]


def test_numbers_and_dates_typed_as_text(tmp_path: Path) -> None:
    row = ["SO-1", "2026-03-02", "C-DE", "WID-1", "5", " 10.00 ", "10%", "09.03.2026", "Standard", "Invoice", None, None, None]
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=orders(row)))
    report = check(path)
    assert report.flags == ()
    (line,) = report.desk.lines
    assert (line.order_date, line.quantity, line.unit_price, line.discount, line.ship_by) == (
        MAR_2, 5, Decimal("10.00"), Decimal("0.1"), date(2026, 3, 9)
    )


def test_trailing_spaces_in_keys(tmp_path: Path) -> None:
    row = ["SO-1 ", MAR_2, "C-DE  ", " WID-1 ", 2, None, None, None, "Standard ", " Invoice", None, None, None]
    products = sheets()["Products"]
    products[1][0] = "WID-1   "
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=orders(row), Products=products))
    assert check(path).flags == ()


def test_headers_in_another_case_or_with_underscores(tmp_path: Path) -> None:
    table = [
        ["order_id", "ORDER DATE", "customer id", "sku", "QTY", "unit_price", "DISCOUNT %", "Ship_Method", "payment method"],
        ["SO-1", MAR_2, "C-DE", "WID-1", 2, 10.00, 0.1, "Standard", "Invoice"],
        ["SO-1", MAR_2, "C-DE", "BOOK-1", 1, 25.00, 1.5, "Standard", "Invoice"],
    ]
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=table))
    report = check(path)
    # Flags name the columns as the workbook spells them.
    assert flag_keys(report) == {("Orders", 3, "unit_price", "price_mismatch"), ("Orders", 3, "DISCOUNT %", "invalid_discount")}
    assert report.desk.lines[0].discount == Decimal("0.1")


def test_sheet_names_in_another_case(tmp_path: Path) -> None:
    clean = sheets(Orders=orders(CLEAN, ["SO-2", "someday", "C-DE", "WID-1", 1, "ten", None, None, "Standard", "Invoice", None, None, None]))
    renamed = {"orders": clean["Orders"], "PRODUCTS": clean["Products"], " Customers ": clean["Customers"], "inventory": clean["Inventory"]}
    path = write_workbook(tmp_path / "orders.xlsx", renamed)
    report = check(path)
    assert set(read_workbook(path)) == {"Orders", "Products", "Customers", "Inventory"}
    assert flag_keys(report) == {("orders", 3, "Order Date", "invalid_date"), ("orders", 3, "Unit Price", "invalid_value")}
    assert report.evaluation.statuses == {2: "Verified", 3: "On hold"}


def test_intake_and_rule_flags_use_the_same_workbook_spelling(tmp_path: Path) -> None:
    table = [
        ["ORDER_ID", "order date", "Customer ID", "SKU", "quantity", "unit price", "ship method", "Payment Method"],
        ["SO-1", MAR_2, "C-DE", "WID-1", "two", "ten", "Standard", "Invoice"],
        ["SO-2", MAR_2, "C-DE", "WID-1", 3, 12, "Standard", "Invoice"],
    ]
    path = write_workbook(tmp_path / "orders.xlsx", {"ORDERS": table, **{k: v for k, v in sheets().items() if k != "Orders"}})
    assert flag_keys(check(path)) == {
        ("ORDERS", 2, "quantity", "invalid_quantity"),
        ("ORDERS", 2, "unit price", "invalid_value"),
        ("ORDERS", 3, "unit price", "price_mismatch"),
    }


def test_a_card_number_is_flagged_in_the_workbooks_own_spelling(tmp_path: Path) -> None:
    table = [["order id", "Order Date", "Customer ID", "SKU", "Qty", "Ship Method", "Payment Method", "notes"],
             ["SO-1", MAR_2, "C-DE", "WID-1", 2, "Standard", "Invoice", "4111 1111 1111 1111"]]
    path = write_workbook(tmp_path / "orders.xlsx", {"orders": table, **{k: v for k, v in sheets().items() if k != "Orders"}})
    report = check(path)
    assert flag_keys(report) == {("orders", 2, "notes", "card_number_exposed")}
    assert report.evaluation.statuses == {2: "On hold"}


def test_an_orders_sheet_that_is_an_excel_table(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    book = xlsxwriter.Workbook(str(path))
    data = [["SO-1", "2026-03-02", "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None]]
    book.add_worksheet("Orders").add_table(0, 0, 1, len(ORDERS_HEADER) - 1, {"data": data, "columns": [{"header": h} for h in ORDERS_HEADER], "name": "OrdersTable"})
    for name, rows in sheets().items():
        if name != "Orders":
            sheet = book.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, v in enumerate(row):
                    if v is not None:
                        sheet.write(r, c, v)
    book.close()
    report = check(path)
    assert report.flags == () and len(report.desk.lines) == 1


def test_optional_sheets_are_read_when_present(tmp_path: Path) -> None:
    payments = [["Payment ID", "Date", "Invoice No", "Amount"], ["PAY-1", MAR_2, "INV-1", 0]]
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Payments=payments))
    tables = read_workbook(path)
    assert "Payments" in tables and "Returns" not in tables
    assert flag_keys(check(path)) == {("Payments", 2, "Amount", "invalid_value")}


def test_a_number_in_the_header_row_is_a_header(tmp_path: Path) -> None:
    table = [[*ORDERS_HEADER, 2026], [*CLEAN, "x"]]
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=table))
    assert read_workbook(path)["Orders"].headers[-1] == "2026"
    assert check(path).flags == ()


# --- files that are not readable workbooks -------------------------------------------------------

def good_bytes(tmp_path: Path) -> bytes:
    return write_workbook(tmp_path / "good.xlsx", sheets(Orders=orders(CLEAN))).read_bytes()


def legacy_xls(path: Path) -> Path:
    """A minimal OLE2 compound file holding a BIFF8 'Workbook' stream: what an old .xls is."""
    end, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0, 0, 0, 0)
    stream = (bof + struct.pack("<HH", 0x000A, 0)).ljust(4096, b"\0")  # 4096: a normal (not mini) stream
    n = len(stream) // 512
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack(
        "<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, end, 0, end, 0
    ) + struct.pack("<109I", 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sector, end, *range(3, 2 + n), end, *([free] * (126 - n)))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return struct.pack("<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, no_stream, no_stream, child, b"\0" * 16, 0, 0, 0, start, size)

    directory = entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, no_stream, 2, len(stream)) + b"\0" * 256
    path.write_bytes(header + fat + directory + stream)
    assert olefile.isOleFile(str(path)) and olefile.OleFileIO(str(path)).listdir() == [["Workbook"]]
    return path


def encrypted(tmp_path: Path) -> Path:
    plain = io.BytesIO(good_bytes(tmp_path))
    out = io.BytesIO()
    OOXMLFile(plain).encrypt("secret", out)
    path = tmp_path / "locked.xlsx"
    path.write_bytes(out.getvalue())
    return path


def zip_of(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def damaged_version_field(tmp_path: Path) -> Path:
    data = bytearray(good_bytes(tmp_path))
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = struct.pack("<H", 250)  # "version needed to extract": 25.0
    path = tmp_path / "odd.xlsx"
    path.write_bytes(bytes(data))
    return path


BROKEN = {
    "text file named .xlsx": lambda tmp: (tmp / "notes.xlsx").write_text("Order ID,SKU\nSO-1,WID-1\n") and tmp / "notes.xlsx",
    "truncated xlsx": lambda tmp: (tmp / "half.xlsx").write_bytes(good_bytes(tmp)[: len(good_bytes(tmp)) // 2]) and tmp / "half.xlsx",
    "encrypted xlsx": encrypted,
    "legacy .xls": lambda tmp: legacy_xls(tmp / "old.xls"),
    "legacy .xls named .xlsx": lambda tmp: legacy_xls(tmp / "old.xlsx"),
    "empty file": lambda tmp: (tmp / "empty.xlsx").write_bytes(b"") or tmp / "empty.xlsx",
    "zip that is not a workbook": lambda tmp: zip_of(tmp / "photos.xlsx", {"photo.jpg": b"\xff\xd8\xff", "readme.txt": b"hi"}),
    "OpenDocument spreadsheet": lambda tmp: zip_of(tmp / "orders.ods", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
    "workbook part that is garbage": lambda tmp: zip_of(tmp / "garbage.xlsx", {"[Content_Types].xml": b"<", "xl/workbook.xml": b"\xff" * 64}),
    "damaged zip version field": damaged_version_field,
    "no such file": lambda tmp: tmp / "missing.xlsx",
    "a folder": lambda tmp: (tmp / "folder.xlsx").mkdir() or tmp / "folder.xlsx",
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_file_that_is_not_a_readable_workbook(case: str, tmp_path: Path) -> None:
    path = BROKEN[case](tmp_path)
    with pytest.raises(WorkbookUnreadable) as caught:
        read_workbook(path)
    assert str(path) in str(caught.value)


def test_the_messages_say_what_is_wrong(tmp_path: Path) -> None:
    def message(case: str) -> str:
        with pytest.raises(WorkbookUnreadable) as caught:
            read_workbook(BROKEN[case](tmp_path))
        return str(caught.value).lower()

    assert "password" in message("encrypted xlsx")
    assert ".xls" in message("legacy .xls")
    assert "empty" in message("empty file")
    assert "damaged" in message("truncated xlsx") or "incomplete" in message("truncated xlsx")
    assert "opendocument" in message("OpenDocument spreadsheet")


def test_random_damage_is_refused_cleanly_or_read(tmp_path: Path) -> None:
    data = good_bytes(tmp_path)
    rng = random.Random(20261122)
    path = tmp_path / "damaged.xlsx"
    for _ in range(80):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path.write_bytes(bytes(damaged[: rng.choice([len(damaged), rng.randrange(len(damaged))])]))
        try:
            read_workbook(path)
        except WorkbookUnreadable as e:
            assert str(path) in str(e)


def test_a_missing_required_sheet_is_named(tmp_path: Path) -> None:
    tables = sheets()
    del tables["Inventory"]
    path = write_workbook(tmp_path / "orders.xlsx", tables)
    with pytest.raises(WorkbookUnreadable) as caught:
        read_workbook(path)
    assert str(path) in str(caught.value) and "'Inventory'" in str(caught.value)


def test_a_missing_required_header_is_named_with_its_sheet(tmp_path: Path) -> None:
    table = [[h for h in ORDERS_HEADER if h != "Quantity"], [v for h, v in zip(ORDERS_HEADER, CLEAN) if h != "Quantity"]]
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=table))
    with pytest.raises(WorkbookUnreadable) as caught:
        read_workbook(path)
    text = str(caught.value)
    assert str(path) in text and "'Orders'" in text and "'Quantity'" in text


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    tables = sheets(Products=[["SKU", "Description", "Price"]])
    del tables["Customers"]
    tables["Orders"] = [["Order ID", "Order Date", "Customer ID", "SKU"]]
    path = write_workbook(tmp_path / "orders.xlsx", tables)
    with pytest.raises(WorkbookUnreadable) as caught:
        read_workbook(path)
    text = str(caught.value)
    for part in ("'Customers'", "'Quantity'", "'Unit Price'", "'Tax Rate'", "'Orders'", "'Products'"):
        assert part in text


def test_an_empty_required_sheet_lacks_its_headers(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=[]))
    with pytest.raises(WorkbookUnreadable) as caught:
        read_workbook(path)
    assert "'Order ID'" in str(caught.value)


def test_an_optional_sheet_without_its_headers_is_refused_too(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Payments=[["Paid", "When"]]))
    with pytest.raises(WorkbookUnreadable) as caught:
        read_workbook(path)
    assert "'Payment ID'" in str(caught.value)


def test_a_macro_enabled_xlsm_workbook_is_read_like_xlsx(tmp_path: Path) -> None:
    """Offices keep macros in .xlsm files; the macro-enabled content type must not matter."""
    plain = write_workbook(tmp_path / "plain.xlsx", sheets(Orders=orders(CLEAN)))
    xlsm = tmp_path / "orders.xlsm"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
                assert b"macroEnabled" in data
            dst.writestr(item, data)
    report = check(xlsm)
    assert report.flags == ()
    assert report.evaluation.statuses == {2: "Verified"}


# --- the Orders sheet loading in a second thread while the others are handed over -------------

def _as_plain(tables):
    return {name: (t.sheet, t.headers, [(r, list(v)) for r, v in t.rows]) for name, t in tables.items()}


STARTER = Path(__file__).resolve().parents[2] / "workbooks" / "orders.xlsx"


def test_handing_tables_over_as_read_gives_the_same_tables(tmp_path: Path) -> None:
    arrived: list[str] = []
    calls: list[list[str]] = []
    tables = read_workbook(STARTER, as_read=lambda name, table: arrived.append(name),
                           meanwhile=lambda: calls.append(list(arrived)))
    assert _as_plain(tables) == _as_plain(read_workbook(STARTER))
    assert list(tables) == list(read_workbook(STARTER))  # still in the specs' order
    assert sorted(arrived) == sorted(tables) and arrived[-1] == "Orders"  # each once, Orders last
    assert calls == [arrived[:-1]]  # once, after the small sheets, before Orders is handed over


def test_problems_are_named_in_sheet_order_whichever_thread_found_them(tmp_path: Path) -> None:
    tables = sheets(Products=[["SKU", "Description", "Price"]])
    tables["Orders"] = [["Order ID", "Order Date", "Customer ID", "SKU"]]
    path = write_workbook(tmp_path / "orders.xlsx", tables)
    messages = []
    for kwargs in ({}, {"as_read": lambda name, table: None, "meanwhile": lambda: pytest.fail("called on a bad read")}):
        with pytest.raises(WorkbookUnreadable) as caught:
            read_workbook(path, **kwargs)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert messages[0].index("'Orders'") < messages[0].index("'Products'")


def test_a_damaged_sheet_read_in_its_own_thread_is_refused_as_in_one(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=orders(CLEAN, CLEAN)))
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    for cut in (0.3, 0.5, 0.9):
        damaged = tmp_path / f"damaged-{cut}.xlsx"
        with zipfile.ZipFile(damaged, "w") as z:
            for name, data in members.items():
                z.writestr(name, data[: int(len(data) * cut)] if name.startswith("xl/worksheets/") else data)
        outcomes = []
        for kwargs in ({}, {"as_read": lambda name, table: None}):
            try:
                outcomes.append(_as_plain(read_workbook(damaged, **kwargs)))
            except WorkbookUnreadable as e:
                assert str(damaged) in str(e)
                outcomes.append(str(e))
        assert outcomes[0] == outcomes[1]
