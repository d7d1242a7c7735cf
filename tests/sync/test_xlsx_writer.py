"""The .xlsx write-back: values, text safety, dates, headers, fills, Review, locks, atomicity, damage.

Every case builds a real workbook, writes into it with `XlsxWriter`, and reads
it back with python-calamine and openpyxl (never a mock).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import subprocess
import sys
import textwrap
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from helpers import MAR_2, orders, sheets, write_workbook
from sync.writeback import (
    FILL_ARGB,
    REVIEW_HEADERS,
    CellWrite,
    Fill,
    Restore,
    SheetWrites,
    WorkbookWrites,
    WriteStatus,
)
from sync.xlsx_sidecar import sidecar_path
from sync.xlsx_xml import MAIN_NS as MAIN, column_index
from sync.xlsx_writer import XlsxWriter, temp_path, write_review_sidecar

ROOT = Path(__file__).resolve().parents[2]


# --- helpers -------------------------------------------------------------------------

def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(path: Path, *sheet_writes: SheetWrites, review=None):
    return XlsxWriter().write(path, WorkbookWrites(tuple(sheet_writes), review), sha(path))


def cells(sheet: str, *items: tuple[int, str, object]) -> SheetWrites:
    return SheetWrites(sheet, cells=tuple(CellWrite(r, c, v) for r, c, v in items))


def fills(sheet: str, *items) -> SheetWrites:
    return SheetWrites(sheet, fills=tuple(items))


def by_header(path: Path, sheet: str) -> dict[tuple[int, str], openpyxl.cell.cell.Cell]:
    """openpyxl cells keyed by (row, header)."""
    ws = openpyxl.load_workbook(path)[sheet]
    headers = {c.column: c.value for c in ws[1]}
    return {(c.row, headers.get(c.column)): c for row in ws.iter_rows() for c in row}


def calamine_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r)) for r in rows]


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def rezip(path: Path, changes: dict[str, bytes | None]) -> None:
    """Rewrite the package with some members replaced (None: removed) or added."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    names = {i.filename for i, _ in items}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename in changes:
                if changes[info.filename] is None:
                    continue
                data = changes[info.filename]  # type: ignore[assignment]
            z.writestr(info, data)
        for name, data in changes.items():
            if name not in names and data is not None:
                z.writestr(name, data)


def style_index(path: Path, ref: str, part: str = "xl/worksheets/sheet1.xml") -> str | None:
    """The cell's `s` attribute as stored (openpyxl renumbers formats)."""
    m = re.search(rf'<c r="{ref}"[^>]*?>|<c r="{ref}"[^>]*?/>', member(path, part).decode())
    s = re.search(r'\bs="(\d+)"', m.group()) if m else None
    return s.group(1) if s else None


def fill_rgb(path: Path, sheet: str, ref: str) -> str | None:
    cell = openpyxl.load_workbook(path)[sheet][ref]
    if cell.fill is None or cell.fill.fill_type is None:
        return None
    return cell.fill.fgColor.rgb


ORDER = ["SO-1", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice"]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """Orders with three lines and a clerk's own column (Sales Rep) after Notes."""
    table = orders(ORDER, [*ORDER[:4], 3, *ORDER[5:]], [*ORDER[:4], 4, *ORDER[5:]])
    table[0].append("Sales Rep")
    for row in table[1:]:
        row.extend([None] * (len(table[0]) - 1 - len(row)) + ["Lena"])
    return write_workbook(tmp_path / "orders.xlsx", sheets(Orders=table))


# --- values ----------------------------------------------------------------------------

def test_values_land_where_asked(book: Path):
    outcome = write(book, cells("Orders", (2, "Status", "Verified"), (3, "Status", "On hold"),
                                (2, "Line Total", Decimal("20.00")), (3, "Invoice No", "INV-2026-0001")))
    assert outcome.status is WriteStatus.WRITTEN, outcome.message
    assert outcome.sha256 == sha(book)
    rows = calamine_rows(book, "Orders")
    assert (rows[1]["Status"], rows[2]["Status"], rows[1]["Line Total"], rows[2]["Invoice No"]) == (
        "Verified", "On hold", 20.0, "INV-2026-0001")
    got = by_header(book, "Orders")
    assert got[(2, "Status")].value == "Verified" and got[(3, "Invoice No")].value == "INV-2026-0001"
    assert got[(2, "Sales Rep")].value == "Lena"  # the clerk's column is untouched


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+cmd", "-1+2", "@x", "=1+1", " lead", "a\nb", "<&>\"'", "_x0041_", "bell\x07", "😀"])
def test_text_stays_text(book: Path, text: str):
    assert write(book, cells("Orders", (2, "Check", text))).status is WriteStatus.WRITTEN
    assert calamine_rows(book, "Orders")[1]["Check"] == text
    cell = by_header(book, "Orders")[(2, "Check")]
    assert cell.data_type == "s"
    xml = member(book, "xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml


def test_decimals_are_exact_numbers(book: Path):
    write(book, cells("Orders", (2, "Line Total", Decimal("1234567.89")), (3, "Line Total", Decimal("0.10")),
                      (4, "Line Total", 12345678901234)))
    xml = member(book, "xl/worksheets/sheet1.xml").decode()
    assert "<v>1234567.89</v>" in xml and "<v>0.10</v>" in xml and "<v>12345678901234</v>" in xml
    got = by_header(book, "Orders")
    assert got[(2, "Line Total")].data_type == "n" and got[(2, "Line Total")].value == pytest.approx(1234567.89)


def test_dates_are_dates(book: Path):
    write(book, cells("Orders", (2, "Ship By", date(2026, 3, 9)), (3, "Order Date", date(2026, 3, 10))))
    rows = calamine_rows(book, "Orders")
    assert rows[1]["Ship By"] == date(2026, 3, 9) and rows[2]["Order Date"] == date(2026, 3, 10)
    got = by_header(book, "Orders")
    assert got[(2, "Ship By")].is_date and got[(3, "Order Date")].value == datetime(2026, 3, 10)
    # The existing date cell keeps its own format (yyyy-mm-dd), the empty one got a date format.
    assert got[(3, "Order Date")].number_format == "yyyy-mm-dd"


def test_dates_in_1904_workbook(tmp_path: Path):
    import xlsxwriter

    path = tmp_path / "mac.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"date_1904": True})
    wb.add_worksheet("Orders").write_row(0, 0, ["Order ID", "Ship By"])
    wb.close()
    write(path, cells("Orders", (2, "Ship By", date(2026, 3, 9))))
    assert by_header(path, "Orders")[(2, "Ship By")].value == datetime(2026, 3, 9)


def test_none_empties_and_keeps_the_format(book: Path):
    before = style_index(book, "B2")
    write(book, cells("Orders", (2, "Order Date", None), (2, "Notes", None)))
    got = by_header(book, "Orders")
    assert before is not None and got[(2, "Order Date")].value is None and style_index(book, "B2") == before
    assert calamine_rows(book, "Orders")[1]["Order Date"] == ""


def test_empty_text_empties_the_cell(book: Path):
    write(book, cells("Orders", (2, "Check", "Quantity is odd")))
    write(book, cells("Orders", (2, "Check", "")))
    assert by_header(book, "Orders")[(2, "Check")].value is None
    assert write(book, cells("Orders", (2, "Check", ""), (3, "Check", ""))).status is WriteStatus.UNCHANGED


def test_existing_format_is_kept_for_values(tmp_path: Path):
    import xlsxwriter

    path = tmp_path / "styled.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Orders")
    money = wb.add_format({"num_format": "#,##0.00 €", "bold": True})
    ws.write_row(0, 0, ["Order ID", "Line Total"])
    ws.write_row(1, 0, ["SO-1"])
    ws.write_blank(1, 1, None, money)
    wb.close()
    write(path, cells("Orders", (2, "Line Total", Decimal("19.90"))))
    cell = openpyxl.load_workbook(path)["Orders"]["B2"]
    assert cell.value == pytest.approx(19.9) and cell.number_format == "#,##0.00 €" and cell.font.b


def test_missing_owned_header_is_added_after_the_last_used_column(book: Path):
    write(book, cells("Orders", (2, "Status", "Verified"), (3, "Check", "Quantity is odd")))
    ws = openpyxl.load_workbook(book)["Orders"]
    header = [c.value for c in ws[1]]
    assert header[-3:] == ["Sales Rep", "Status", "Check"]
    assert ws.cell(2, header.index("Status") + 1).value == "Verified"


def test_headers_match_like_the_reader(tmp_path: Path):
    path = write_workbook(tmp_path / "o.xlsx", {"Orders": [["Order ID", " STATUS ", "line_total", "Qty"], ["SO-1", None, None, 2]]})
    write(path, cells("Orders", (2, "Status", "Verified"), (2, "Line Total", 5), (2, "Quantity", 3)))
    ws = openpyxl.load_workbook(path)["Orders"]
    assert [c.value for c in ws[2]] == ["SO-1", "Verified", 5, 3]
    assert ws.max_column == 4


def test_rows_and_cells_are_created_in_order(book: Path):
    write(book, cells("Orders", (9, "Status", "New"), (6, "Check", "x"), (6, "Order ID", "SO-9"), (9, "Order ID", "SO-10")))
    xml = member(book, "xl/worksheets/sheet1.xml").decode()
    numbers = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
    assert numbers == sorted(numbers) and {6, 9} <= set(numbers)
    row6 = re.search(r'<row r="6".*?</row>', xml).group()
    refs = re.findall(r'<c r="([A-Z]+)6"', row6)
    assert refs == sorted(refs, key=lambda r: (len(r), r))
    dimension = re.search(r'<dimension ref="([^"]+)"', xml).group(1)
    assert dimension.endswith("9")
    rows = calamine_rows(book, "Orders")
    assert rows[8]["Status"] == "New" and rows[5]["Order ID"] == "SO-9"


def test_nothing_to_change_leaves_the_file_alone(book: Path):
    first = write(book, cells("Orders", (2, "Status", "Verified"), (2, "Line Total", Decimal("20"))))
    stat = book.stat()
    again = write(book, cells("Orders", (2, "Status", "Verified"), (2, "Line Total", Decimal("20.00")), (5, "Check", None)))
    assert again.status is WriteStatus.UNCHANGED and again.sha256 == first.sha256
    assert book.stat().st_mtime_ns == stat.st_mtime_ns


def test_values_already_there_as_shared_strings_are_unchanged(book: Path):
    # xlsxwriter (like Excel) stores text as shared strings: the Notes cells hold none, Ship Method does.
    outcome = write(book, cells("Orders", (2, "Ship Method", "Standard"), (3, "Quantity", 3)))
    assert outcome.status is WriteStatus.UNCHANGED


def test_overwriting_a_formula_drops_it_and_its_calc_chain_entry(tmp_path: Path):
    import xlsxwriter

    path = tmp_path / "o.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Orders")
    ws.write_row(0, 0, ["Order ID", "Quantity", "Line Total"])
    for r, (order, quantity) in enumerate([("SO-1", 2), ("SO-2", 3)], start=1):
        ws.write_row(r, 0, [order, quantity])
        ws.write_formula(r, 2, f"=B{r + 1}*10", None, quantity * 10)
    wb.close()
    chain = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><c r="C2" i="1"/><c r="C3"/></calcChain>')
    rels = member(path, "xl/_rels/workbook.xml.rels").replace(b"</Relationships>", (
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" '
        b'Target="calcChain.xml"/></Relationships>'))
    types = member(path, "[Content_Types].xml").replace(b"</Types>", (
        b'<Override PartName="/xl/calcChain.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>'))
    rezip(path, {"xl/calcChain.xml": chain, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types})

    outcome = write(path, cells("Orders", (2, "Line Total", Decimal("21"))))
    assert outcome.status is WriteStatus.WRITTEN, outcome.message
    xml = member(path, "xl/worksheets/sheet1.xml").decode()
    assert '<c r="C2"><v>21</v></c>' in xml and "<f>B3*10</f>" in xml
    assert member(path, "xl/calcChain.xml").decode().count("<c ") == 1
    assert 'r="C3" i="1"' in member(path, "xl/calcChain.xml").decode()

    write(path, cells("Orders", (3, "Line Total", Decimal("31"))))
    with zipfile.ZipFile(path) as z:
        assert "xl/calcChain.xml" not in z.namelist()
        assert b"calcChain" not in z.read("xl/_rels/workbook.xml.rels")
        assert b"calcChain" not in z.read("[Content_Types].xml")
    assert [r["Line Total"] for r in calamine_rows(path, "Orders")[1:]] == [21.0, 31.0]


def test_overwriting_the_first_cell_of_a_shared_formula_keeps_the_others(tmp_path: Path):
    path = write_workbook(tmp_path / "o.xlsx", {"Orders": [["Order ID", "Quantity", "Line Total"], ["SO-1", 2], ["SO-2", 3], ["SO-3", 4]]})
    sheet = member(path, "xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace('<c r="B2"><v>2</v></c>', '<c r="B2"><v>2</v></c><c r="C2"><f t="shared" ref="C2:C4" si="0">B2*10</f><v>20</v></c>')
    sheet = sheet.replace('<c r="B3"><v>3</v></c>', '<c r="B3"><v>3</v></c><c r="C3"><f t="shared" si="0"/><v>30</v></c>')
    sheet = sheet.replace('<c r="B4"><v>4</v></c>', '<c r="B4"><v>4</v></c><c r="C4"><f t="shared" si="0"/><v>40</v></c>')
    rezip(path, {"xl/worksheets/sheet1.xml": sheet.encode()})
    write(path, cells("Orders", (2, "Line Total", 7)))
    xml = member(path, "xl/worksheets/sheet1.xml").decode()
    assert '<c r="C2"><v>7</v></c>' in xml
    assert "<f>B3*10</f><v>30</v>" in xml and "<f>B4*10</f><v>40</v>" in xml


def test_prefixed_spreadsheet_namespace(tmp_path: Path):
    path = write_workbook(tmp_path / "o.xlsx", {"Orders": [["Order ID", "Status"], ["SO-1"]]})
    sheet = member(path, "xl/worksheets/sheet1.xml").decode()
    sheet = re.sub(r"<(/?)(?![?])(?!r:)", r"<\1x:", sheet).replace('xmlns="', 'xmlns:x="')
    rezip(path, {"xl/worksheets/sheet1.xml": sheet.encode()})
    assert write(path, cells("Orders", (2, "Status", "Verified"), (3, "Status", "New"))).status is WriteStatus.WRITTEN
    xml = member(path, "xl/worksheets/sheet1.xml").decode()
    assert "<x:c" in xml and "xmlns=" not in xml.split("?>", 1)[1]
    assert [r["Status"] for r in calamine_rows(path, "Orders")[1:]] == ["Verified", "New"]


# --- fills -------------------------------------------------------------------------------

def test_fill_colours_a_cell_and_reports_what_was_there(book: Path):
    outcome = write(book, fills("Orders", (2, "SKU", Fill.ERROR), (3, "Quantity", Fill.WARNING), (7, "Notes", Fill.ERROR)))
    assert outcome.status is WriteStatus.WRITTEN
    assert fill_rgb(book, "Orders", "D2") == FILL_ARGB[Fill.ERROR]
    assert fill_rgb(book, "Orders", "E3") == FILL_ARGB[Fill.WARNING]
    assert fill_rgb(book, "Orders", "M7") == FILL_ARGB[Fill.ERROR]
    assert outcome.original_fills == {("Orders", 2, "SKU"): None, ("Orders", 3, "Quantity"): None, ("Orders", 7, "Notes"): None}
    assert calamine_rows(book, "Orders")[1]["SKU"] == "WID-1"


def test_fill_is_idempotent(book: Path):
    asked = fills("Orders", (2, "SKU", Fill.ERROR), (3, "SKU", Fill.ERROR), (3, "Quantity", Fill.WARNING))
    write(book, asked)
    styles = member(book, "xl/styles.xml")
    again = write(book, asked)
    assert again.status is WriteStatus.UNCHANGED
    write(book, fills("Orders", (4, "SKU", Fill.ERROR), (4, "Quantity", Fill.WARNING)))
    assert member(book, "xl/styles.xml") == styles  # formats are reused, not added again


def test_restore_puts_back_the_original_fill(tmp_path: Path):
    import xlsxwriter

    path = tmp_path / "o.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Orders")
    yellow = wb.add_format({"bg_color": "#FFFF00", "num_format": "0.00"})
    ws.write_row(0, 0, ["Order ID", "Quantity"])
    ws.write_row(1, 0, ["SO-1"])
    ws.write_number(1, 1, 5, yellow)
    ws.write_row(2, 0, ["SO-2", 6])
    wb.close()
    before = style_index(path, "B2")

    coloured = write(path, fills("Orders", (2, "Quantity", Fill.ERROR), (3, "Quantity", Fill.WARNING)))
    original = coloured.original_fills[("Orders", 2, "Quantity")]
    assert original is not None and "FFFFFF00" in original and "xmlns" not in original
    assert coloured.original_fills[("Orders", 3, "Quantity")] is None
    assert fill_rgb(path, "Orders", "B2") == FILL_ARGB[Fill.ERROR]
    assert openpyxl.load_workbook(path)["Orders"]["B2"].number_format == "0.00"

    # A second colour keeps the first original (it is not reported again).
    switched = write(path, fills("Orders", (2, "Quantity", Fill.WARNING)))
    assert switched.original_fills == {}

    restored = write(path, fills("Orders", (2, "Quantity", Restore(original)), (3, "Quantity", Restore(None))))
    assert restored.status is WriteStatus.WRITTEN
    ws = openpyxl.load_workbook(path)["Orders"]
    assert style_index(path, "B2") == before and ws["B2"].fill.fgColor.rgb == "FFFFFF00"
    assert ws["B3"].fill.fill_type is None
    assert write(path, fills("Orders", (2, "Quantity", Restore(original)))).status is WriteStatus.UNCHANGED


def test_a_persons_colour_survives_a_restore(book: Path):
    write(book, fills("Orders", (2, "SKU", Fill.ERROR)))
    # A manager re-colours the cell green: change the fill of the cell's format in styles.xml.
    styles = member(book, "xl/styles.xml").replace(FILL_ARGB[Fill.ERROR].encode(), b"FF00FF00")
    rezip(book, {"xl/styles.xml": styles})
    outcome = write(book, fills("Orders", (2, "SKU", Restore(None))))
    assert outcome.status is WriteStatus.UNCHANGED
    assert fill_rgb(book, "Orders", "D2") == "FF00FF00"


def test_fill_on_a_missing_column_is_reported_and_the_rest_written(book: Path):
    outcome = write(book, fills("Orders", (2, "Nonsense", Fill.ERROR), (2, "SKU", Fill.ERROR)),
                    cells("Nowhere", (2, "Status", "x")))
    assert outcome.status is WriteStatus.WRITTEN
    assert "Nonsense" in outcome.message and "Nowhere" in outcome.message
    assert fill_rgb(book, "Orders", "D2") == FILL_ARGB[Fill.ERROR]


# --- Review -------------------------------------------------------------------------------

FLAG = ("Orders", 2, "SKU", "unknown_sku", "error", "SKU 'X' is not on Products", date(2026, 3, 2))


def test_review_is_added_when_missing(book: Path):
    outcome = write(book, review=(FLAG, ("Orders", 3, "", "duplicate_order", "warning", "=same as SO-1", None)))
    assert outcome.status is WriteStatus.WRITTEN
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Review").to_python()
    assert tuple(rows[0]) == REVIEW_HEADERS
    assert rows[1] == ["Orders", 2.0, "SKU", "unknown_sku", "error", "SKU 'X' is not on Products", date(2026, 3, 2)]
    assert rows[2][5] == "=same as SO-1"
    ws = openpyxl.load_workbook(book)["Review"]
    assert ws["A1"].font.b and ws["F3"].data_type == "s"
    assert write(book, review=(FLAG, ("Orders", 3, "", "duplicate_order", "warning", "=same as SO-1", None))).status is WriteStatus.UNCHANGED


def test_review_is_rebuilt_whole(tmp_path: Path):
    old = [list(REVIEW_HEADERS), ["Orders", 9, "SKU", "old", "error", "stale", None], ["Orders", 10, "SKU", "old", "error", "stale", None]]
    path = write_workbook(tmp_path / "o.xlsx", sheets(Review=old))
    assert write(path, review=(FLAG,)).status is WriteStatus.WRITTEN
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Review").to_python()
    assert len(rows) == 2 and rows[1][3] == "unknown_sku"
    assert write(path, review=()).status is WriteStatus.WRITTEN
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Review").to_python() == [list(REVIEW_HEADERS)]
    with zipfile.ZipFile(path) as z:
        assert sum(1 for n in z.namelist() if n.startswith("xl/worksheets/sheet")) == 5


def test_review_sidecar(book: Path):
    first = write_review_sidecar(book, (FLAG,))
    assert first == sidecar_path(book) == book.with_name("orders.review.xlsx")
    data = first.read_bytes()
    assert write_review_sidecar(book, (FLAG,)).read_bytes() == data  # deterministic
    rows = CalamineWorkbook.from_path(str(first)).get_sheet_by_name("Review").to_python()
    assert tuple(rows[0]) == REVIEW_HEADERS and rows[1][3] == "unknown_sku" and rows[1][6] == date(2026, 3, 2)
    assert sorted(p.name for p in book.parent.iterdir()) == ["orders.review.xlsx", "orders.xlsx"]


# --- safety ---------------------------------------------------------------------------

@pytest.mark.parametrize("lock", ["~$orders.xlsx", ".~lock.orders.xlsx#"])
def test_locked_while_open(book: Path, lock: str):
    before = book.read_bytes()
    (book.parent / lock).write_text("someone")
    outcome = write(book, cells("Orders", (2, "Status", "Verified")))
    assert outcome.status is WriteStatus.LOCKED and lock in outcome.message
    assert book.read_bytes() == before


def test_changed_since_read(book: Path):
    before = book.read_bytes()
    outcome = XlsxWriter().write(book, WorkbookWrites((cells("Orders", (2, "Status", "x")),)), "0" * 64)
    assert outcome.status is WriteStatus.CHANGED_SINCE_READ and outcome.sha256 == sha(book)
    assert book.read_bytes() == before


def test_a_save_during_the_write_wins(book: Path, monkeypatch: pytest.MonkeyPatch):
    clerk = write_workbook(book.parent / "clerk.xlsx", sheets(Orders=orders(ORDER))).read_bytes()
    real_chmod = os.chmod

    def clerk_saves(path, mode, *args, **kwargs):
        book.write_bytes(clerk)  # Excel saves while the new version is being written
        return real_chmod(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "chmod", clerk_saves)
    outcome = write(book, cells("Orders", (2, "Status", "Verified")))
    assert outcome.status is WriteStatus.CHANGED_SINCE_READ
    assert book.read_bytes() == clerk and not temp_path(book).exists()


def test_a_failed_replace_leaves_the_original(book: Path, monkeypatch: pytest.MonkeyPatch):
    before = book.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    outcome = write(book, cells("Orders", (2, "Status", "Verified")))
    assert outcome.status is WriteStatus.FAILED and "No space" in outcome.message
    assert book.read_bytes() == before and not temp_path(book).exists()


def test_dying_before_the_replace_leaves_the_original(book: Path):
    before = book.read_bytes()
    script = textwrap.dedent(
        f"""
        import hashlib, os, sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from sync.writeback import CellWrite, SheetWrites, WorkbookWrites
        from sync.xlsx_writer import XlsxWriter
        os.replace = lambda *a, **k: os._exit(9)   # the process dies right before the rename
        path = Path({str(book)!r})
        XlsxWriter().write(path, WorkbookWrites((SheetWrites("Orders", cells=(CellWrite(2, "Status", "x"),)),)),
                           hashlib.sha256(path.read_bytes()).hexdigest())
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 9, done.stderr
    assert book.read_bytes() == before
    assert temp_path(book).exists()  # left behind by the dead process ...
    assert write(book, cells("Orders", (2, "Status", "Verified"))).status is WriteStatus.WRITTEN
    assert not temp_path(book).exists()  # ... and cleaned up by the next write


@pytest.mark.parametrize(
    "content",
    [b"", b"not a workbook at all", b"PK\x03\x04" + b"\x00" * 40, "zip-without-workbook", "truncated"],
    ids=["empty", "text", "bad-zip", "zip-without-workbook", "truncated"],
)
def test_damaged_files_are_reported_not_raised(book: Path, content):
    if content == "zip-without-workbook":
        rezip(book, {"xl/workbook.xml": None})
    elif content == "truncated":
        book.write_bytes(book.read_bytes()[:-200])
    else:
        book.write_bytes(content)
    before = book.read_bytes()
    outcome = write(book, cells("Orders", (2, "Status", "Verified")), review=(FLAG,))
    assert outcome.status is WriteStatus.UNREADABLE
    assert str(book) in outcome.message
    assert book.read_bytes() == before


def test_damaged_sheet_xml_is_reported(book: Path):
    rezip(book, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row r='1'><c r='A1'"})
    outcome = write(book, cells("Orders", (2, "Status", "Verified")))
    assert outcome.status is WriteStatus.UNREADABLE and "orders.xlsx" in outcome.message


def test_a_missing_file_means_read_again(tmp_path: Path):
    outcome = XlsxWriter().write(tmp_path / "gone.xlsx", WorkbookWrites((cells("Orders", (2, "Status", "x")),)), "0" * 64)
    assert outcome.status is WriteStatus.CHANGED_SINCE_READ and "gone.xlsx" in outcome.message


def test_zip64_packages_are_rewritten_with_zipfile(book: Path):
    with zipfile.ZipFile(book) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            with z.open(zipfile.ZipInfo(info.filename, info.date_time), "w", force_zip64=True) as f:
                f.write(data)
    assert write(book, cells("Orders", (2, "Status", "Verified"))).status is WriteStatus.WRITTEN
    with zipfile.ZipFile(book) as z:
        assert z.testzip() is None
        assert [i.filename for i in z.infolist()] == [i.filename for i, _ in items]
        assert all(z.read(i.filename) == data for i, data in items if i.filename != "xl/worksheets/sheet1.xml")
    assert calamine_rows(book, "Orders")[1]["Status"] == "Verified"


def test_many_scattered_writes_land_exactly(tmp_path: Path):
    """Writes in random order over a sheet with gaps, new rows between and after: the result is the model."""
    rng = random.Random(20260302)
    header = ["Order ID", "Quantity", "Notes", "Status", "Check"]
    table: list[list[object]] = [header]
    for r in range(2, 151):
        table.append([None] * 5 if r % 7 == 0 else [f"SO-{r}", r % 9 + 1, f"note {r}", "New", None])
    path = write_workbook(tmp_path / "o.xlsx", {"Orders": table})
    model = {(r, c): v for r, row in enumerate(table, start=1) for c, v in enumerate(row) if v is not None}
    writes, colours = [], []
    for _ in range(600):
        row, column = rng.randint(2, 190), rng.choice(["Status", "Check", "Notes", "Quantity", "Line Total"])
        value = rng.choice([None, "", "Verified", f"=x{rng.randint(0, 9)}", rng.randint(-5, 500), Decimal(rng.randint(0, 99999)) / 100])
        writes.append(CellWrite(row, column, value))
        if rng.random() < 0.2:
            colours.append((row, rng.choice(["Order ID", "Quantity"]), rng.choice(list(Fill))))
    outcome = write(path, SheetWrites("Orders", tuple(writes), tuple(colours)))
    assert outcome.status is WriteStatus.WRITTEN, outcome.message
    header.append("Line Total")
    model[(1, 5)] = "Line Total"  # the missing column got its header
    for w in writes:
        key = (w.row, header.index(w.column))
        if w.value is None or w.value == "":
            model.pop(key, None)
        else:
            model[key] = w.value
    got = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Orders").to_python()
    seen = {(r, c): v for r, row in enumerate(got, start=1) for c, v in enumerate(row) if v != ""}
    expected = {k: float(v) if isinstance(v, (int, Decimal)) else v for k, v in model.items()}
    assert seen == expected
    xml = member(path, "xl/worksheets/sheet1.xml").decode()
    numbers = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
    assert numbers == sorted(set(numbers))
    for row_xml in re.findall(r"<row [^>]*>.*?</row>", xml):
        columns = [column_index(c) for c in re.findall(r'<c r="([A-Z]+)\d+"', row_xml)]
        assert columns == sorted(set(columns))
    ws = openpyxl.load_workbook(path)["Orders"]
    for row, column, fill in colours:
        last = [f for r, c, f in colours if (r, c) == (row, column)][-1]
        assert ws.cell(row, header.index(column) + 1).fill.fgColor.rgb == FILL_ARGB[last]


def test_a_chunk_written_out_can_be_edited_again():
    from sync.xlsx_sheet import SheetPart

    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 60))
    part = SheetPart(f'<worksheet xmlns="{MAIN}"><dimension ref="A1:A59"/><sheetData>{rows}</sheetData></worksheet>'.encode())
    part.cell(2, 2, create=True).text = None
    part.cell(5, 1).find(f"{{{MAIN}}}v").text = "five"
    part.changed(5)
    part.flush_before(50)
    part.cell(40, 1, create=False)
    part.flush_before(59)
    part.cell(5, 3, create=True)  # back to a chunk already written out
    part.cell(70, 1, create=True)
    out = part.to_bytes().decode()
    assert '<row r="5"><c r="A5"><v>five</v></c><c r="C5"/></row>' in out
    assert '<row r="2"><c r="A2"><v>2</v></c><c r="B2"/></row>' in out
    assert out.count("<row ") == 60 and '<dimension ref="A1:C70"/>' in out


def test_a_package_without_styles_gets_one_when_needed(tmp_path: Path):
    path = write_workbook(tmp_path / "o.xlsx", {"Orders": [["Order ID", "Ship By"], ["SO-1"]]})
    rels = re.sub(rb'<Relationship Id="rId\d+" Type="[^"]+/styles" Target="styles.xml"/>', b"", member(path, "xl/_rels/workbook.xml.rels"))
    types = re.sub(rb'<Override PartName="/xl/styles.xml" [^>]*/>', b"", member(path, "[Content_Types].xml"))
    rezip(path, {"xl/styles.xml": None, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types})
    outcome = write(path, SheetWrites("Orders", (CellWrite(2, "Ship By", date(2026, 3, 9)),), ((2, "Order ID", Fill.ERROR),)))
    assert outcome.status is WriteStatus.WRITTEN, outcome.message
    assert "xl/styles.xml" in zipfile.ZipFile(path).namelist()
    ws = openpyxl.load_workbook(path)["Orders"]
    assert ws["B2"].value == datetime(2026, 3, 9) and ws["A2"].fill.fgColor.rgb == FILL_ARGB[Fill.ERROR]


@pytest.mark.parametrize(
    ("formula", "moved"),
    [
        ("A2*$B$1+SUM(C2:C9)", "B5*$B$1+SUM(D5:D12)"),
        ('IF(A1="A1",1,0)', 'IF(B4="A1",1,0)'),
        ("'My Sheet'!B2*2+Sheet2!$A1", "'My Sheet'!C5*2+Sheet2!$A4"),
        ("LOG10(A1)+Table1[@Qty]+1.5E3", "LOG10(B4)+Table1[@Qty]+1.5E3"),
        ("SUM(A:A)+SUM(2:2)", "SUM(B:B)+SUM(5:5)"),
        ("A1-1", "B4-1"),
    ],
)
def test_shared_formulas_move_like_excel_copies_them(formula: str, moved: str):
    from sync.xlsx_formula import shift

    assert shift(formula, 3, 1) == moved
    assert shift("A1", -1, 0) == "#REF!"


def test_two_writers_at_once_never_interleave(book: Path) -> None:
    """Two daemons sharing a ledger write the same save back: one writes, the other finds the file moved on."""
    import threading

    expected = sha(book)
    outcomes = []
    start = threading.Barrier(4)

    def writer(value: str) -> None:
        start.wait()
        outcomes.append(
            XlsxWriter().write(book, WorkbookWrites((cells("Orders", (2, "Status", value)),)), expected).status
        )

    threads = [threading.Thread(target=writer, args=(v,)) for v in ("Verified", "Held", "Approved", "Invoiced")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes, key=str) == sorted(
        [WriteStatus.WRITTEN] + [WriteStatus.CHANGED_SINCE_READ] * 3, key=str
    )
    assert not list(book.parent.glob(".~sheetclerk-*"))


def test_a_writer_lock_left_by_a_dead_process_is_taken_over(book: Path) -> None:
    import socket

    from sync.writer_lock import lock_path

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock_path(book).write_text(f"{socket.gethostname()} {dead.stdout.strip()} 1")
    assert write(book, cells("Orders", (2, "Status", "Verified"))).status is WriteStatus.WRITTEN
    assert not lock_path(book).exists()


def test_a_live_writer_lock_makes_the_write_wait_then_report_locked(book: Path, monkeypatch) -> None:
    from sync import writer_lock as module

    before = book.read_bytes()
    module.lock_path(book).write_text("another-office-pc 4242 1")  # another machine's daemon is writing
    monkeypatch.setattr(module, "WAIT", 0.2)
    outcome = write(book, cells("Orders", (2, "Status", "Verified")))
    assert outcome.status is WriteStatus.LOCKED and "another sheetclerk" in outcome.message
    assert book.read_bytes() == before


# --- opened ahead of the write ------------------------------------------------------------

def test_a_prepared_write_gives_the_same_file_and_a_stale_one_is_ignored(tmp_path: Path, book: Path):
    writes = WorkbookWrites((cells("Orders", (2, "Status", "Verified"), (3, "Check", "x")),
                             fills("Orders", (3, "Quantity", Fill.ERROR))), None)
    plain, prepared, stale = (tmp_path / n for n in ("plain.xlsx", "prepared.xlsx", "stale.xlsx"))
    for p in (plain, prepared, stale):
        p.write_bytes(book.read_bytes())
    assert XlsxWriter().write(plain, writes, sha(plain)).status is WriteStatus.WRITTEN

    writer = XlsxWriter()
    writer.prepare(prepared.read_bytes(), sha(prepared), ("Orders", "Inventory", "Review", "No Such Sheet"))
    assert writer.write(prepared, writes, sha(prepared)).status is WriteStatus.WRITTEN
    assert prepared.read_bytes() == plain.read_bytes()
    assert writer._prepared is None  # used once

    writer.prepare(b"not the file", "0" * 64, ("Orders",))  # unopenable: left for write to report
    assert writer._prepared is None
    other = tmp_path / "other.xlsx"
    write_workbook(other, sheets(Orders=orders(ORDER)))
    writer.prepare(other.read_bytes(), sha(other), ("Orders",))  # another file's bytes: not used
    assert writer.write(stale, writes, sha(stale)).status is WriteStatus.WRITTEN
    assert stale.read_bytes() == plain.read_bytes()
