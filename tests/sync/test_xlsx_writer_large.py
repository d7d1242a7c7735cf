"""A sheet large enough to be deflated in many blocks: the writer keeps the blocks an edit does not
touch, and the workbook reads back exactly as if the sheet had been deflated whole again."""

from __future__ import annotations

import hashlib
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import write_workbook
from python_calamine import CalamineWorkbook

from sync.deflate_splice import inflate_blocks
from sync.writeback import (
    FILL_ARGB,
    CellWrite,
    Fill,
    SheetWrites,
    WorkbookWrites,
    WriteStatus,
)
from sync.xlsx_writer import XlsxWriter

pytestmark = pytest.mark.skipif(inflate_blocks(b"\x03\x00", 0) is None, reason="no zlib library to load")

ROWS = 12_000
HEADER = ["Order ID", "Quantity", "Notes", "Status", "Check", "Line Total"]
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    table: list[list[object]] = [HEADER]
    for r in range(2, ROWS + 2):
        table.append([f"SO-{r:06d}", r % 17 + 1, f"note {r * 7919 % 100003} for {r % 31}", "New", None, Decimal(r % 997) / 4])
    return write_workbook(tmp_path_factory.mktemp("large") / "orders.xlsx", {"Orders": table})


def _write(source: Path, target: Path, writes: SheetWrites, monkeypatch=None) -> None:
    target.write_bytes(source.read_bytes())
    outcome = XlsxWriter().write(target, WorkbookWrites((writes,)), hashlib.sha256(target.read_bytes()).hexdigest())
    assert outcome.status is WriteStatus.WRITTEN, outcome.message


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        return {i.filename: z.read(i) for i in z.infolist()}


def _raw(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
        with open(path, "rb") as f:
            f.seek(info.header_offset + 26)
            n, m = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
            f.seek(info.header_offset + 30 + n + m)
            return f.read(info.compress_size)


def test_the_sheet_is_deflated_in_many_blocks(large: Path):
    with zipfile.ZipFile(large) as z:
        size = z.getinfo(SHEET).file_size
    _, boundaries = inflate_blocks(_raw(large, SHEET), size)
    assert size > 1 << 20 and len(boundaries) >= 4


@pytest.mark.parametrize(
    "writes",
    [
        SheetWrites("Orders", cells=(CellWrite(ROWS // 2, "Status", "Verified"),)),
        SheetWrites(
            "Orders",
            cells=(
                CellWrite(2, "Check", "first row"),
                CellWrite(3000, "Line Total", Decimal("12.34")),
                CellWrite(3001, "Status", None),
                CellWrite(ROWS + 1, "Notes", "last row"),
                CellWrite(ROWS + 5, "Status", "a new row after the last"),
            ),
            fills=((9000, "Quantity", Fill.ERROR), (9001, "Quantity", Fill.WARNING)),
        ),
        SheetWrites("Orders", cells=(CellWrite(7000, "Sales Rep", "a new column"),)),
    ],
    ids=["one_row", "scattered", "new_column"],
)
def test_spliced_and_whole_give_the_same_workbook(large: Path, tmp_path: Path, monkeypatch, writes: SheetWrites):
    spliced = tmp_path / "spliced.xlsx"
    _write(large, spliced, writes)
    monkeypatch.setattr("sync.xlsx_zip._SPLICE_FROM", 1 << 62)
    whole = tmp_path / "whole.xlsx"
    _write(large, whole, writes)
    assert _members(spliced) == _members(whole)
    rows = CalamineWorkbook.from_path(str(spliced)).get_sheet_by_name("Orders").to_python()
    header = [str(h) for h in rows[0]]
    for w in writes.cells:
        got = rows[w.row - 1][header.index(w.column)] if w.row - 1 < len(rows) else ""
        assert got == ("" if w.value is None else float(w.value) if isinstance(w.value, Decimal) else w.value)
    ws = openpyxl.load_workbook(spliced, read_only=False)["Orders"]
    for row, column, fill in writes.fills:
        assert ws.cell(row, HEADER.index(column) + 1).fill.fgColor.rgb == FILL_ARGB[fill]


def test_a_one_row_edit_keeps_the_old_blocks(large: Path, tmp_path: Path):
    target = tmp_path / "edited.xlsx"
    _write(large, target, SheetWrites("Orders", cells=(CellWrite(ROWS // 2, "Status", "Verified"),)))
    old, new = _raw(large, SHEET), _raw(target, SHEET)
    assert old[: len(old) // 3] == new[: len(old) // 3]  # the first blocks, bit for bit
    assert abs(len(new) - len(old)) < len(old) // 20
