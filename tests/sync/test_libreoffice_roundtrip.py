"""A written-back workbook opens in LibreOffice with the values where sheetclerk put them.

LibreOffice (`soffice --headless`) converts the workbook once per module: to
CSV, one file per sheet (the values as a person sees them), and to .xlsx (read
back for types and colours). Skipped, with a reason, only on a developer
machine without LibreOffice; under CI (`CI` set) it always runs.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from helpers import MAR_2, orders, sheets
from sync.writeback import FILL_ARGB, REVIEW_HEADERS, CellWrite, Fill, Restore, SheetWrites, WorkbookWrites, WriteStatus
from sync.xlsx_writer import XlsxWriter

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")

if SOFFICE is None and not IN_CI:
    pytest.skip(
        "LibreOffice is not installed (apt-get install libreoffice-calc); CI installs it and runs this test",
        allow_module_level=True,
    )

#: CSV export: comma, double quotes, UTF-8, from line 1, ..., every sheet to its own file (-1).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
NOTE = '=HYPERLINK("http://example.com")'
FLAG = ("Orders", 3, "Quantity", "invalid_quantity", "error", "Quantity 4 is not a multiple of 6", date(2026, 3, 2))


def convert(source: Path, target: str, out: Path, profile: Path) -> None:
    assert SOFFICE is not None, "CI must have LibreOffice: .ci/run installs libreoffice-calc"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", target, "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=240, env={**os.environ, "HOME": str(profile)},
    )
    assert done.returncode == 0, done.stderr


def build(path: Path) -> Path:
    """The clean desk with two orders, plus a sheet with rich text and a formula with its cached result."""
    table = orders(["SO-1", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice"],
                   ["SO-2", MAR_2, "C-DE", "BOX-6", 4, None, None, None, "Standard", "Invoice"])
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets(Orders=table).items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    ws.write_datetime(r, c, datetime.combine(value, time()), day)
                elif value is not None:
                    ws.write(r, c, value)
    notes = book.add_worksheet("Notes")
    notes.write_rich_string(0, 0, "call ", book.add_format({"bold": True}), "before", " noon")
    notes.write_formula(1, 0, "=6*7", None, 42)
    book.close()
    return path


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lo")
    path = build(folder / "orders.xlsx")
    writes = WorkbookWrites(
        (SheetWrites(
            "Orders",
            cells=(CellWrite(2, "Status", "Verified"), CellWrite(3, "Status", "On hold"),
                   CellWrite(2, "Line Total", Decimal("19.99")), CellWrite(3, "Line Total", 120),
                   CellWrite(3, "Check", "Quantity 4 is not a multiple of 6"), CellWrite(2, "Notes", NOTE),
                   CellWrite(3, "Ship By", date(2026, 3, 20))),
            fills=((3, "Quantity", Fill.ERROR), (2, "Notes", Fill.WARNING)),
        ),),
        review=(FLAG,),
    )
    outcome = XlsxWriter().write(path, writes, hashlib.sha256(path.read_bytes()).hexdigest())
    assert outcome.status is WriteStatus.WRITTEN, outcome.message
    profile = folder / "profile"
    csv_dir, xlsx_dir = folder / "csv", folder / "xlsx"
    convert(path, CSV_FILTER, csv_dir, profile)
    convert(path, "xlsx", xlsx_dir, profile)
    return {"csv": csv_dir, "xlsx": xlsx_dir / "orders.xlsx"}


def read_csv(folder: Path, sheet: str) -> list[dict[str, str]]:
    with open(folder / f"orders-{sheet}.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return [dict(zip(rows[0], row)) for row in rows]


def test_values_as_libreoffice_shows_them(converted):
    rows = read_csv(converted["csv"], "Orders")
    assert [r["Status"] for r in rows[1:]] == ["Verified", "On hold"]
    assert [r["Line Total"] for r in rows[1:]] == ["19.99", "120"]
    assert rows[2]["Check"] == "Quantity 4 is not a multiple of 6"
    assert rows[1]["Notes"] == NOTE  # text, not a formula LibreOffice evaluated
    assert rows[2]["Ship By"] in ("2026-03-20", "03/20/2026", "03/20/26", "20.03.2026")
    assert rows[1]["Order ID"] == "SO-1" and rows[2]["SKU"] == "BOX-6"  # the clerk's cells are untouched


def test_review_sheet_in_libreoffice(converted):
    rows = read_csv(converted["csv"], "Review")
    assert tuple(rows[0]) == REVIEW_HEADERS
    assert [rows[1][h] for h in REVIEW_HEADERS[:6]] == ["Orders", "3", "Quantity", "invalid_quantity", "error", FLAG[5]]


def test_untouched_sheets_in_libreoffice(converted):
    notes = (converted["csv"] / "orders-Notes.csv").read_text(encoding="utf-8").splitlines()
    assert notes == ["call before noon", "42"]
    products = read_csv(converted["csv"], "Products")
    assert products[1]["SKU"] == "WID-1"


def test_types_and_colours_after_a_libreoffice_save(converted):
    book = CalamineWorkbook.from_path(str(converted["xlsx"]))
    orders_rows = book.get_sheet_by_name("Orders").to_python()
    header = orders_rows[0]
    assert orders_rows[2][header.index("Ship By")] == date(2026, 3, 20)
    assert orders_rows[1][header.index("Line Total")] == 19.99
    ws = openpyxl.load_workbook(converted["xlsx"])["Orders"]
    column = {c.value: c.column_letter for c in ws[1]}
    assert ws[f"{column['Quantity']}3"].fill.fgColor.rgb == FILL_ARGB[Fill.ERROR]
    assert ws[f"{column['Notes']}2"].fill.fgColor.rgb == FILL_ARGB[Fill.WARNING]
    assert ws[f"{column['Notes']}2"].data_type == "s"


def test_a_workbook_libreoffice_saved_can_be_written_back(converted, tmp_path: Path):
    """LibreOffice writes its packages its own way (zip data descriptors, its XML habits): write into one."""
    path = tmp_path / "saved-by-libreoffice.xlsx"
    path.write_bytes(converted["xlsx"].read_bytes())
    with zipfile.ZipFile(path) as z:
        before = {i.filename: z.read(i.filename) for i in z.infolist()}
    writes = WorkbookWrites(
        (SheetWrites("Orders", cells=(CellWrite(2, "Status", "Shipped"), CellWrite(4, "Status", "New")),
                     fills=((3, "Quantity", Restore(None)),)),),
        review=(),
    )
    outcome = XlsxWriter().write(path, writes, hashlib.sha256(path.read_bytes()).hexdigest())
    assert outcome.status is WriteStatus.WRITTEN, outcome.message
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        after = {i.filename: z.read(i.filename) for i in z.infolist()}
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet6.xml", "xl/styles.xml"}, changed
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Orders").to_python()
    status = rows[0].index("Status")
    assert [r[status] for r in rows[1:4]] == ["Shipped", "On hold", "New"]
    ws = openpyxl.load_workbook(path)["Orders"]
    quantity = [c.column_letter for c in ws[1] if c.value == "Quantity"][0]
    assert ws[f"{quantity}3"].fill.fill_type is None
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Review").to_python() == [list(REVIEW_HEADERS)]
