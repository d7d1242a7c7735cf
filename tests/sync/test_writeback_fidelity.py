"""Write-back fidelity: everything sheetclerk does not own survives byte for byte.

A workbook with rich text, formulas with cached results, a 2010 data bar,
sparklines, notes, a picture, a picture in a cell, a text box, a chart, a form
button, data validation, a defined name and an Excel Table (and an `.xlsm` with
a VBA project) gets a full write-back: values in sheetclerk's columns, colours
on clerk cells, the Review sheet added. Then every zip member is compared
with the original.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import struct
import zipfile
import zlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlsxwriter
from lxml import etree
from python_calamine import CalamineWorkbook

from sync.writeback import FILL_ARGB, CellWrite, Fill, SheetWrites, WorkbookWrites, WriteStatus
from sync.xlsx_writer import XlsxWriter

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HEADERS = ["Order ID", "Order Date", "Customer ID", "SKU", "Quantity", "Ship Method", "Payment Method",
           "Notes", "Line Total", "Status", "Check", "Margin", "Trend", "Photo"]
COL = {h: i for i, h in enumerate(HEADERS)}
ROWS = 8


def tiny_png() -> bytes:
    """A valid 2x2 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def tiny_ole() -> bytes:
    """A minimal valid OLE2 compound file with one 4 KiB stream (stands in for vbaProject.bin)."""
    free, end, fat_sector, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 0x1000, end, 0, end)
    struct.pack_into("<I", header, 68, 0)  # DIFAT: the FAT is sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, free)
    struct.pack_into("<I", header, 72, 0)  # number of DIFAT sectors
    fat = [fat_sector, end, 3, 4, 5, 6, 7, 8, 9, end] + [free] * 118
    directory = bytearray(512)

    def entry(i: int, name: str, kind: int, child: int, start: int, size: int) -> None:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        base = 128 * i
        directory[base : base + len(raw)] = raw
        struct.pack_into("<HBB", directory, base + 64, len(raw), kind, 1)
        struct.pack_into("<III", directory, base + 68, nostream, nostream, child)
        struct.pack_into("<II", directory, base + 116, start, size)

    entry(0, "Root Entry", 5, 1, end, 0)
    entry(1, "PROJECT", 2, nostream, 2, 4096)
    for i in (2, 3):
        struct.pack_into("<III", directory, 128 * i + 68, nostream, nostream, nostream)
    stream = (b"ID=\"{00000000-0000-0000-0000-000000000000}\"\r\nName=\"VBAProject\"\r\n" * 80)[:4096]
    return bytes(header) + struct.pack("<128I", *fat) + bytes(directory) + stream


def build(path: Path, vba: bytes | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
        wb.set_vba_name("ThisWorkbook")
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold, red = wb.add_format({"bold": True}), wb.add_format({"font_color": "red", "italic": True})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws = wb.add_worksheet("Orders")
    if vba is not None:
        ws.set_vba_name("Sheet1")
    data = []
    for i in range(ROWS):
        data.append([f"SO-{i + 1}", datetime(2026, 3, 2 + i), "C-DE", "WID-1", 2 + i, "Standard", "Invoice",
                     None, None, None, None, None, None, None])
    ws.add_table(0, 0, ROWS, len(HEADERS) - 1, {
        "name": "OrdersTable", "autofilter": True, "data": data,
        "columns": [{"header": h, "format": day if h == "Order Date" else (money if h in ("Line Total", "Margin") else None)} for h in HEADERS],
    })
    for r in range(1, ROWS + 1):
        ws.write_rich_string(r, COL["Notes"], "call ", bold, "before", " noon ", red, "please")
        ws.write_formula(r, COL["Margin"], f"=E{r + 1}*3.5", money, (2 + r - 1) * 3.5)
        ws.write_formula(r, COL["Line Total"], f"=E{r + 1}*10", money, (2 + r - 1) * 10)
    ws.conditional_format(1, COL["Quantity"], ROWS, COL["Quantity"], {"type": "data_bar", "data_bar_2010": True})
    ws.conditional_format(1, COL["Ship Method"], ROWS, COL["Ship Method"], {"type": "text", "criteria": "containing", "value": "Exp", "format": red})
    ws.add_sparkline(1, COL["Trend"], {"range": f"Orders!E2:E{ROWS + 1}", "type": "column", "markers": True})
    ws.write_comment(1, COL["SKU"], "Check with Lena", {"x_scale": 2, "y_scale": 1.5})
    ws.data_validation(1, COL["Ship Method"], ROWS, COL["Ship Method"], {"validate": "list", "source": ["Standard", "Express", "Pickup"]})
    ws.insert_image("P2", "dot.png", {"image_data": io.BytesIO(tiny_png()), "x_scale": 10, "y_scale": 10})
    ws.embed_image(2, COL["Photo"], "cell.png", {"image_data": io.BytesIO(tiny_png())})
    ws.insert_textbox("P8", "Remember: Ship By is the customer's date", {"width": 300, "height": 60, "fill": {"color": "#FFEEDD"}})
    ws.insert_button("S2", {"caption": "Sync now", "macro": "sync_now" if vba is not None else None, "width": 100})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": f"=Orders!$E$2:$E${ROWS + 1}", "categories": f"=Orders!$A$2:$A${ROWS + 1}"})
    ws.insert_chart("P14", chart)
    ws.freeze_panes(1, 0)
    wb.define_name("TaxRate", "=0.19")
    products = wb.add_worksheet("Products")
    products.write_row(0, 0, ["SKU", "Description", "Unit Price", "Tax Rate"])
    products.write_row(1, 0, ["WID-1", "Widget", 10, 0.19])
    products.write_formula(1, 4, "=C2*(1+D2)", None, 11.9)
    wb.close()
    return path


def writes() -> WorkbookWrites:
    values = []
    for r in range(2, ROWS + 2):
        values.append(CellWrite(r, "Status", "Verified" if r % 2 else "On hold"))
        values.append(CellWrite(r, "Check", "" if r % 2 else "=SUM(A1) looks like a formula but is text"))
    values.append(CellWrite(2, "Line Total", Decimal("20.00")))  # overwrites a formula with a cached value
    values.append(CellWrite(3, "Invoice No", "INV-2026-0001"))  # a column the sheet does not have yet
    colours = ((4, "SKU", Fill.ERROR), (5, "Quantity", Fill.WARNING), (2, "Notes", Fill.ERROR))
    review = (("Orders", 4, "SKU", "unknown_sku", "error", "SKU 'WID-1' ...", date(2026, 3, 2)),)
    return WorkbookWrites((SheetWrites("Orders", tuple(values), colours),), review)


TOUCHED = {f"J{r}" for r in range(2, ROWS + 2)} | {f"K{r}" for r in range(2, ROWS + 2)} | {"I2", "O1", "O3", "D4", "E5", "H2"}
ALLOWED = {"xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}


def members(path: Path) -> dict[str, tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: (i, z.read(i.filename)) for i in z.infolist()}


def without_touched(xml: bytes) -> bytes:
    """The worksheet with the touched cells, `spans` and `<dimension>` taken out, canonicalized."""
    root = etree.fromstring(xml)
    for c in list(root.iter(f"{MAIN}c")):
        if c.get("r") in TOUCHED:
            c.getparent().remove(c)
    for row in root.iter(f"{MAIN}row"):
        row.attrib.pop("spans", None)
    for dim in root.findall(f"{MAIN}dimension"):
        root.remove(dim)
    return etree.tostring(root, method="c14n")


@pytest.fixture(scope="module", params=["xlsx", "xlsm"])
def written(request, tmp_path_factory) -> tuple[Path, dict, dict]:
    folder = tmp_path_factory.mktemp(request.param)
    path = build(folder / f"orders.{request.param}", tiny_ole() if request.param == "xlsm" else None)
    before = members(path)
    outcome = XlsxWriter().write(path, writes(), hashlib.sha256(path.read_bytes()).hexdigest())
    assert outcome.status is WriteStatus.WRITTEN, outcome.message
    return path, before, members(path)


def test_the_features_are_really_there(written):
    _, before, _ = written
    sheet = before["xl/worksheets/sheet1.xml"][1]
    for needle in (b"x14:dataBar", b"x14:sparklineGroups", b"<dataValidations", b"<conditionalFormatting",
                   b"<drawing ", b"<legacyDrawing ", b"<tableParts", b"<f>E2*10</f><v>20</v>", b' vm="1"'):
        assert needle in sheet, needle
    names = set(before)
    for part in ("xl/comments1.xml", "xl/drawings/drawing1.xml", "xl/charts/chart1.xml", "xl/tables/table1.xml",
                 "xl/richData/richValueRel.xml", "xl/media/image1.png"):
        assert part in names, part
    assert b"<r>" in before["xl/sharedStrings.xml"][1]  # rich text runs


def test_every_other_member_is_byte_identical(written):
    path, before, after = written
    new = set(after) - set(before)
    assert len(new) == 1 and new.pop().startswith("xl/worksheets/sheet")  # the Review sheet
    assert set(before) <= set(after)
    assert [n for n in after if n in before] == list(before)  # same order
    changed = {name for name in before if after[name][1] != before[name][1]}
    assert changed <= ALLOWED, changed - ALLOWED
    identical = set(before) - changed
    assert {"xl/sharedStrings.xml", "xl/drawings/drawing1.xml", "xl/charts/chart1.xml", "xl/tables/table1.xml",
            "xl/comments1.xml", "xl/worksheets/sheet2.xml", "docProps/app.xml"} <= identical
    for name in identical:
        old_info, new_info = before[name][0], after[name][0]
        assert (new_info.compress_type, new_info.CRC, new_info.compress_size, new_info.date_time) == (
            old_info.compress_type, old_info.CRC, old_info.compress_size, old_info.date_time), name
    if path.suffix == ".xlsm":
        assert after["xl/vbaProject.bin"][1] == before["xl/vbaProject.bin"][1]
        assert olefile.isOleFile(data=after["xl/vbaProject.bin"][1])
        assert b"macroEnabled" in after["[Content_Types].xml"][1]


def test_adding_review_only_inserted_its_entries(written):
    """workbook.xml, its relationships and the content types differ only by the new sheet's entry."""
    _, before, after = written
    for name, added in (("xl/workbook.xml", rb'<sheet name="Review" sheetId="\d+" r:id="rId\d+"/>'),
                        ("xl/_rels/workbook.xml.rels", rb'<Relationship Id="rId\d+" Type="[^"]+/worksheet" Target="worksheets/sheet\d+\.xml"/>'),
                        ("[Content_Types].xml", rb'<Override PartName="/xl/worksheets/sheet\d+\.xml" ContentType="[^"]+worksheet\+xml"/>')):
        new = after[name][1]
        inserted = [m for m in re.finditer(added, new) if m.group() not in before[name][1]]
        assert len(inserted) == 1, name
        m = inserted[0]
        assert new[: m.start()] + new[m.end() :] == before[name][1], name
    assert b'<definedName name="TaxRate">' in after["xl/workbook.xml"][1]


def test_the_edited_sheet_keeps_everything_but_the_touched_cells(written):
    _, before, after = written
    old, new = before["xl/worksheets/sheet1.xml"][1], after["xl/worksheets/sheet1.xml"][1]
    assert without_touched(old) == without_touched(new)
    head = re.compile(rb'<dimension ref="[^"]*"/>')
    assert head.sub(b"", old[: old.index(b"<sheetData")]) == head.sub(b"", new[: new.index(b"<sheetData")])
    assert old[old.index(b"</sheetData>") :] == new[new.index(b"</sheetData>") :]  # everything after the cells: byte-identical


def test_the_values_and_colours_arrived(written):
    path, _, _ = written
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Orders").to_python()
    header = rows[0]
    assert header[len(HEADERS)] == "Invoice No"
    assert rows[1][COL["Status"]] == "On hold" and rows[2][COL["Status"]] == "Verified"
    assert rows[1][COL["Check"]] == "=SUM(A1) looks like a formula but is text"
    assert rows[1][COL["Line Total"]] == 20.0 and rows[2][COL["Line Total"]] == 30.0  # cached value kept
    assert rows[2][len(HEADERS)] == "INV-2026-0001"
    book = openpyxl.load_workbook(path)
    ws = book["Orders"]
    assert ws["D4"].fill.fgColor.rgb == FILL_ARGB[Fill.ERROR] and ws["E5"].fill.fgColor.rgb == FILL_ARGB[Fill.WARNING]
    assert ws["K2"].data_type == "s" and ws["K3"].value is None and ws["I3"].value == "=E3*10"
    assert "Review" in book.sheetnames
    review = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Review").to_python()
    assert review[1][:4] == ["Orders", 4.0, "SKU", "unknown_sku"]


def test_styles_only_grew(written):
    _, before, after = written
    old, new = etree.fromstring(before["xl/styles.xml"][1]), etree.fromstring(after["xl/styles.xml"][1])
    for section in ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs"):
        a, b = old.find(MAIN + section), new.find(MAIN + section)
        if a is None:
            continue
        kept = copy.deepcopy(b)
        for extra in list(kept)[len(a):]:
            kept.remove(extra)
        kept.set("count", a.get("count", ""))
        assert c14n(kept) == c14n(a), section
    for tail in ("colors", "extLst"):
        a, b = old.find(MAIN + tail), new.find(MAIN + tail)
        assert (a is None and b is None) or c14n(a) == c14n(b), tail


def c14n(element: etree._Element) -> bytes:
    """Canonical XML of an element as a document of its own (lxml mangles namespaces of subtrees)."""
    return etree.tostring(copy.deepcopy(element), method="c14n")
