"""The live-Excel write path: `LiveWriter` over a `LiveBook`, `XlwingsBook`, finding an open book.

Excel cannot run here, so the only stand-ins are for Excel itself:

- `MemoryBook`, an in-memory spreadsheet implementing `LiveBook`;
- `FakeExcelBook`, a small object graph shaped like xlwings (sheets / range /
  value / number_format / color) that stores values the way Excel does — a
  string assigned to a cell that is not formatted Text becomes a formula or a
  number — so `XlwingsBook` is checked for mapping calls correctly.

The contract test runs the same `WorkbookWrites` scenarios through the real
`XlsxWriter` on a real .xlsx (read back with python-calamine and openpyxl) and
through `LiveWriter` over both stand-ins, and asserts every step has the same
status and original fills and every book ends with the same cell values, fill
colours and Review rows.
"""

from __future__ import annotations

from types import SimpleNamespace

import hashlib
import re
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import PatternFill
from python_calamine import CalamineWorkbook

from helpers import MAR_2, ORDERS_HEADER, orders, sheets, write_workbook
from sync import live_writer
from sync.live_writer import LiveBook, LiveWriter, XlwingsBook, choose_writer, find_open_book, original_argb
from sync.writeback import (
    FILL_ARGB,
    REVIEW_HEADERS,
    CellWrite,
    Fill,
    Restore,
    SheetWrites,
    WorkbookWrites,
    WriteOutcome,
    WriteStatus,
)
from sync.xlsx_writer import XlsxWriter

YELLOW, GREEN = "FFFFFF00", "FF00FF00"
RED, AMBER = FILL_ARGB[Fill.ERROR], FILL_ARGB[Fill.WARNING]


# --- MemoryBook: a LiveBook in memory ------------------------------------------------------


@dataclass
class MemoryCell:
    value: Any = None
    number_format: str = "General"
    fill: str | None = None


class MemoryBook:
    """An in-memory spreadsheet behind the `LiveBook` protocol: sheets of (row, column) -> cell.

    Numbers are held as floats and dates as datetimes, as Excel reports them.
    `failing` maps a method name to the exception it raises (Excel errors).
    """

    def __init__(self) -> None:
        self.sheets: dict[str, dict[tuple[int, int], MemoryCell]] = {}
        self.saves = 0
        self.failing: dict[str, BaseException] = {}
        self.calls: list[str] = []

    @classmethod
    def from_tables(cls, tables: Mapping[str, list[list[object]]]) -> MemoryBook:
        book = cls()
        for name, rows in tables.items():
            grid = book.sheets[name] = {}
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row, start=1):
                    if value is not None:
                        grid[(r, c)] = _memory_cell(value)
        return book

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if name in self.failing:
            raise self.failing[name]

    def _cell(self, sheet: str, row: int, column: int) -> MemoryCell:
        return self.sheets[sheet].setdefault((row, column), MemoryCell())

    def _extent(self, sheet: str) -> tuple[int, int]:
        cells = self.sheets[sheet]
        return max((r for r, _ in cells), default=1), max((c for _, c in cells), default=1)

    def sheet_names(self) -> list[str]:
        self._call("sheet_names")
        return list(self.sheets)

    def header_row(self, sheet: str) -> list[str]:
        self._call("header_row")
        _, width = self._extent(sheet)
        out = []
        for c in range(1, width + 1):
            cell = self.sheets[sheet].get((1, c))
            v = cell.value if cell else None
            out.append("" if v is None else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
        return out

    def rows(self, sheet: str) -> list[list[object]]:
        self._call("rows")
        height, width = self._extent(sheet)
        cells = self.sheets[sheet]
        return [[cells[(r, c)].value if (r, c) in cells else None for c in range(1, width + 1)] for r in range(1, height + 1)]

    def value(self, sheet: str, row: int, column: int) -> object:
        self._call("value")
        cell = self.sheets[sheet].get((row, column))
        return cell.value if cell else None

    def set_text(self, sheet: str, row: int, column: int, text: str) -> None:
        self._call("set_text")
        cell = self._cell(sheet, row, column)
        cell.number_format, cell.value = "@", text

    def set_number(self, sheet: str, row: int, column: int, number) -> None:
        self._call("set_number")
        self._cell(sheet, row, column).value = number if isinstance(number, bool) else float(number)

    def set_date(self, sheet: str, row: int, column: int, day: date) -> None:
        self._call("set_date")
        cell = self._cell(sheet, row, column)
        cell.value = day if isinstance(day, datetime) else datetime.combine(day, time())
        cell.number_format = "m/d/yyyy"

    def clear(self, sheet: str, row: int, column: int) -> None:
        self._call("clear")
        self._cell(sheet, row, column).value = None

    def fill(self, sheet: str, row: int, column: int) -> str | None:
        self._call("fill")
        cell = self.sheets[sheet].get((row, column))
        return cell.fill if cell else None

    def set_fill(self, sheet: str, row: int, column: int, argb: str | None) -> None:
        self._call("set_fill")
        self._cell(sheet, row, column).fill = argb

    def add_sheet(self, name: str) -> None:
        self._call("add_sheet")
        self.sheets[name] = {}

    def replace_rows(self, sheet: str, rows: Sequence[Sequence[object]]) -> None:
        self._call("replace_rows")
        for cell in self.sheets[sheet].values():
            cell.value = None
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    cell = self._cell(sheet, r, c)
                    fresh = _memory_cell(value)
                    cell.value, cell.number_format = fresh.value, fresh.number_format

    def save(self) -> None:
        self._call("save")
        self.saves += 1

    def all_fills(self) -> dict[tuple[str, int, int], str]:
        return {(s, r, c): cell.fill for s, cells in self.sheets.items() for (r, c), cell in cells.items() if cell.fill}


def _memory_cell(value: object) -> MemoryCell:
    if isinstance(value, bool):
        return MemoryCell(value)
    if isinstance(value, (int, float, Decimal)):
        return MemoryCell(float(value))
    if isinstance(value, datetime):
        return MemoryCell(value, "yyyy-mm-dd hh:mm")
    if isinstance(value, date):
        return MemoryCell(datetime.combine(value, time()), "yyyy-mm-dd")
    return MemoryCell(value, "@")


def test_memory_book_is_a_live_book():
    assert isinstance(MemoryBook(), LiveBook)
    assert isinstance(XlwingsBook(object()), LiveBook)


# --- FakeExcelBook: an object graph shaped like xlwings, storing values the way Excel does ----


@dataclass(frozen=True)
class Formula:
    """What Excel makes of a string starting with '=' in a cell not formatted as Text."""

    text: str


@dataclass
class ExcelCell:
    value: Any = None
    number_format: str = "General"
    color: tuple[int, int, int] | None = None


def _excel_stores(cell: ExcelCell, value: Any) -> None:
    """Range.Value = value, as Excel takes it."""
    if value is None:
        cell.value = None
    elif cell.number_format == "@":
        cell.value = value if isinstance(value, str) else str(value)
    elif isinstance(value, str):
        if value.startswith(("=", "+", "-", "@")) and len(value) > 1:
            cell.value = Formula(value)
        else:
            try:
                cell.value = float(value)
            except ValueError:
                cell.value = value
    elif isinstance(value, datetime):
        cell.value = value
        if cell.number_format == "General":
            cell.number_format = "m/d/yyyy"
    elif isinstance(value, (bool, float)):
        cell.value = value
    elif isinstance(value, int):
        cell.value = float(value)
    else:
        raise TypeError(f"COM cannot pass {value!r}")  # Decimal, date: xlwings callers convert first


class FakeFont:
    def __init__(self, rng: FakeRange):
        self._range = rng

    @property
    def bold(self) -> bool:
        return self._range.sheet.bold.issuperset(self._range.refs())

    @bold.setter
    def bold(self, value: bool) -> None:
        self._range.log("font.bold", value)
        if value:
            self._range.sheet.bold.update(self._range.refs())


class FakeRange:
    def __init__(self, sheet: FakeSheet, first: tuple[int, int], last: tuple[int, int] | None = None, ndim: int | None = None):
        self.sheet, self.first, self.last, self.ndim = sheet, first, last or first, ndim

    @property
    def row(self) -> int:
        return self.first[0]

    @property
    def column(self) -> int:
        return self.first[1]

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.last)

    @property
    def address(self) -> str:
        return f"{self.sheet.name}!{self.first}" + ("" if self.last == self.first else f":{self.last}")

    def refs(self) -> list[tuple[int, int]]:
        return [(r, c) for r in range(self.first[0], self.last[0] + 1) for c in range(self.first[1], self.last[1] + 1)]

    def log(self, what: str, value: Any) -> None:
        self.sheet.book.log.append((what, self.address, value))

    def cell(self, ref: tuple[int, int]) -> ExcelCell:
        return self.sheet.cells.setdefault(ref, ExcelCell())

    def options(self, ndim: int | None = None, **_: Any) -> FakeRange:
        return FakeRange(self.sheet, self.first, self.last, ndim)

    @property
    def value(self) -> Any:
        got = self.sheet.cells
        rows = [[got[(r, c)].value if (r, c) in got else None for c in range(self.first[1], self.last[1] + 1)]
                for r in range(self.first[0], self.last[0] + 1)]
        if self.ndim == 2:
            return rows
        flat = [v for row in rows for v in row]
        if self.ndim == 1 or (len(flat) > 1 and (len(rows) == 1 or len(rows[0]) == 1)):
            return flat
        return flat[0] if len(flat) == 1 else rows

    @value.setter
    def value(self, value: Any) -> None:
        self.log("value", value)
        refs = self.refs()
        if isinstance(value, list):
            rows = value if value and isinstance(value[0], list) else [value]
            for i, row in enumerate(rows):
                for j, v in enumerate(row):
                    _excel_stores(self.cell((self.first[0] + i, self.first[1] + j)), v)
        else:
            for ref in refs:
                _excel_stores(self.cell(ref), value)

    @property
    def number_format(self) -> str:
        return self.cell(self.first).number_format

    @number_format.setter
    def number_format(self, value: str) -> None:
        self.log("number_format", value)
        for ref in self.refs():
            self.cell(ref).number_format = value

    @property
    def color(self) -> tuple[int, int, int] | None:
        return self.cell(self.first).color

    @color.setter
    def color(self, value: tuple[int, int, int] | None) -> None:
        self.log("color", value)
        assert value is None or (isinstance(value, tuple) and len(value) == 3), value
        for ref in self.refs():
            self.cell(ref).color = value

    @property
    def font(self) -> FakeFont:
        return FakeFont(self)

    def clear_contents(self) -> None:
        self.log("clear_contents", None)
        for ref in self.refs():
            self.cell(ref).value = None


class FakeSheet:
    def __init__(self, book: FakeExcelBook, name: str):
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], ExcelCell] = {}
        self.bold: set[tuple[int, int]] = set()

    def range(self, first: tuple[int, int], last: tuple[int, int] | None = None) -> FakeRange:
        assert all(isinstance(x, int) and x >= 1 for x in (*first, *(last or ()))), (first, last)
        return FakeRange(self, first, last)

    @property
    def used_range(self) -> FakeRange:
        used = [ref for ref, c in self.cells.items() if c.value is not None or c.color is not None or c.number_format != "General"]
        if not used:
            return FakeRange(self, (1, 1))
        return FakeRange(self, (1, 1), (max(r for r, _ in used), max(c for _, c in used)))

    def clear_contents(self) -> None:
        self.book.log.append(("clear_contents", self.name, None))
        for cell in self.cells.values():
            cell.value = None


class FakeSheets:
    def __init__(self, book: FakeExcelBook):
        self.book = book
        self._sheets: list[FakeSheet] = []

    def __iter__(self):
        return iter(list(self._sheets))

    def __len__(self) -> int:
        return len(self._sheets)

    def __getitem__(self, key: int | str) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        return next(s for s in self._sheets if s.name.casefold() == key.casefold())

    def add(self, name: str | None = None, before: FakeSheet | None = None, after: FakeSheet | None = None) -> FakeSheet:
        sheet = FakeSheet(self.book, name or f"Sheet{len(self._sheets) + 1}")
        at = len(self._sheets) if before is None and after is None else (
            self._sheets.index(after) + 1 if after is not None else self._sheets.index(before))
        self._sheets.insert(at, sheet)
        self.book.log.append(("sheets.add", sheet.name, after.name if after is not None else None))
        return sheet


class FakeExcelBook:
    def __init__(self, fullname: str = "C:\\Desk\\orders.xlsx", saved: bool = True):
        self.fullname = fullname
        self.api = SimpleNamespace(Saved=saved)  # Excel's Workbook.Saved: no unsaved edits
        self.sheets = FakeSheets(self)
        self.log: list[tuple[str, str, Any]] = []
        self.saves = 0

    @classmethod
    def from_tables(cls, tables: Mapping[str, list[list[object]]]) -> FakeExcelBook:
        book = cls()
        for name, rows in tables.items():
            sheet = book.sheets.add(name)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row, start=1):
                    if value is not None:
                        fresh = _memory_cell(value)
                        sheet.cells[(r, c)] = ExcelCell(fresh.value, fresh.number_format)
        book.log.clear()
        return book

    def save(self) -> None:
        self.log.append(("save", "", None))
        self.saves += 1


# --- the contract: XlsxWriter on a real file == LiveWriter over a live book -----------------

Key = tuple[str, int, str]


@dataclass
class Write:
    """One write; `make` builds it from the originals remembered so far (as the ledger does)."""

    make: Callable[[dict[Key, str | None]], WorkbookWrites]
    expect: WriteStatus
    mentions: tuple[str, ...] = ()


@dataclass
class Recolour:
    """A person colours a cell by hand between passes."""

    sheet: str
    row: int
    header: str
    argb: str


@dataclass
class Scenario:
    tables: dict[str, list[list[object]]]
    steps: list[Write | Recolour]
    fills: dict[Key, str] = field(default_factory=dict)
    """Colours a person put on before sheetclerk ever ran."""


@dataclass
class State:
    sheets: list[str]
    values: dict[tuple[str, int, int], object]
    fills: dict[tuple[str, int, int], str]


def norm(value: object) -> object:
    """A cell value as comparable across readers: None for empty, numbers as float, midnight datetimes as dates."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    if isinstance(value, datetime):
        return value.date() if value.time() == time() else value
    return value


def colour_of(original: str | None) -> str | None:
    """The colour an original fill (either writer's form) stands for."""
    if original is None:
        return None
    m = re.search(r'fgColor rgb="([0-9A-Fa-f]{8})"', original)
    return m.group(1).upper() if m else original.upper()


class XlsxBackend:
    def __init__(self, folder: Path, scenario: Scenario):
        self.path = write_workbook(folder / "orders.xlsx", scenario.tables)
        for (sheet, row, header), argb in scenario.fills.items():
            self.recolour(sheet, row, header, argb)

    def write(self, writes: WorkbookWrites) -> WriteOutcome:
        outcome = XlsxWriter().write(self.path, writes, hashlib.sha256(self.path.read_bytes()).hexdigest())
        if outcome.status is WriteStatus.WRITTEN:
            assert outcome.sha256 == hashlib.sha256(self.path.read_bytes()).hexdigest()
        return outcome

    def recolour(self, sheet: str, row: int, header: str, argb: str) -> None:
        wb = openpyxl.load_workbook(self.path)
        ws = wb[sheet]
        column = next(c.column for c in ws[1] if c.value == header)
        ws.cell(row, column).fill = PatternFill("solid", fgColor=argb)
        wb.save(self.path)

    def state(self) -> State:
        book = CalamineWorkbook.from_path(str(self.path))
        values = {}
        for name in book.sheet_names:
            for r, row in enumerate(book.get_sheet_by_name(name).to_python(skip_empty_area=False), start=1):
                for c, v in enumerate(row, start=1):
                    if norm(v) is not None:
                        values[(name, r, c)] = norm(v)
        fills = {}
        wb = openpyxl.load_workbook(self.path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.fill is not None and cell.fill.fill_type == "solid":
                        fills[(ws.title, cell.row, cell.column)] = str(cell.fill.fgColor.rgb).upper()
        return State(list(book.sheet_names), values, fills)


class LiveBackend:
    def __init__(self, book: LiveBook, scenario: Scenario):
        self.book = book
        for (sheet, row, header), argb in scenario.fills.items():
            self.recolour(sheet, row, header, argb)

    def write(self, writes: WorkbookWrites) -> WriteOutcome:
        outcome = LiveWriter(self.book).write(Path("orders.xlsx"), writes, "not used by a live book")
        assert outcome.sha256 is None
        return outcome

    def recolour(self, sheet: str, row: int, header: str, argb: str) -> None:
        self.book.set_fill(sheet, row, self.book.header_row(sheet).index(header) + 1, argb)

    def state(self) -> State:
        values, fills = {}, {}
        for name in self.book.sheet_names():
            for r, row in enumerate(self.book.rows(name), start=1):
                for c, v in enumerate(row, start=1):
                    if norm(v) is not None:
                        values[(name, r, c)] = norm(v)
                    argb = self.book.fill(name, r, c)
                    if argb is not None:
                        fills[(name, r, c)] = argb
        return State(self.book.sheet_names(), values, fills)


def run(backend, scenario: Scenario) -> list[tuple[WriteStatus, dict[Key, str | None]]]:
    remembered: dict[Key, str | None] = {}
    seen = []
    for step in scenario.steps:
        if isinstance(step, Recolour):
            backend.recolour(step.sheet, step.row, step.header, step.argb)
            continue
        outcome = backend.write(step.make(remembered))
        assert outcome.status is step.expect, (type(backend).__name__, outcome)
        for word in step.mentions:
            assert word in outcome.message, (type(backend).__name__, outcome.message)
        for key, original in outcome.original_fills.items():
            remembered.setdefault(key, original)
        seen.append((outcome.status, {k: colour_of(v) for k, v in outcome.original_fills.items()}))
    return seen


def ws(*sheet_writes: SheetWrites, review=None) -> Callable[[dict], WorkbookWrites]:
    return lambda _remembered: WorkbookWrites(tuple(sheet_writes), review)


def cells(sheet: str, *items: tuple[int, str, object]) -> SheetWrites:
    return SheetWrites(sheet, cells=tuple(CellWrite(r, c, v) for r, c, v in items))


def restores(sheet: str, *cells_: tuple[int, str]) -> Callable[[dict], WorkbookWrites]:
    """Put back the remembered original of each cell (None when nothing was remembered)."""
    return lambda remembered: WorkbookWrites((SheetWrites(sheet, fills=tuple(
        (row, column, Restore(remembered.get((sheet, row, column)))) for row, column in cells_)),))


ORDER = ["SO-1", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice"]
OWNED = ["Line Total", "Status", "Check", "Invoice No"]


def desk_with_owned_columns() -> dict[str, list[list[object]]]:
    """Orders with sheetclerk's columns and a clerk's own after them; Inventory without Reserved/Available."""
    table = orders(ORDER, [*ORDER[:4], 3, *ORDER[5:]], [*ORDER[:4], 4, *ORDER[5:]])
    table[0] += [*OWNED, "Sales Rep"]
    width = len(ORDERS_HEADER)
    for row, (status, check) in zip(table[1:], [("New", None), (None, "old check"), ("New", None)]):
        row += [None] * (width - len(row)) + [None, status, check, None, "Lena"]
    table[1][ORDERS_HEADER.index("Notes")] = "call first"
    return sheets(Orders=table)


VALUES = Scenario(
    desk_with_owned_columns(),
    [
        Write(ws(
            cells("Orders",
                  (2, "Status", "Verified"), (3, "Status", "On hold"), (4, "Status", ""),
                  (2, "Check", '=HYPERLINK("http://x")'), (3, "Check", "+cmd"), (4, "Check", "-1+2"),
                  (5, "Check", "@x"), (6, "Check", "a\nb"), (6, "Status", "New"),
                  (2, "Invoice No", "00123"), (3, "Invoice No", "1e5"), (4, "Invoice No", "10%"),
                  (2, "Line Total", Decimal("1234567.89")), (3, "Line Total", Decimal("0.10")),
                  (4, "Line Total", 12345678901234), (5, "Line Total", Decimal("NaN")),
                  (2, "Ship By", date(2026, 3, 9)), (3, "Ship By", datetime(2026, 3, 9, 14, 30)),
                  (4, "Ship By", date(1850, 1, 1)),
                  (2, "Notes", None), (3, "Notes", None)),
            cells("Inventory",
                  (2, "On Hand", 95), (2, "Reserved", 5), (2, "Available", Decimal("90")),
                  (3, "Reserved", None), (3, "Available", Decimal("-2.5"))),
        ), WriteStatus.WRITTEN),
        Write(ws(
            cells("Orders", (2, "Status", "Verified"), (2, "Check", '=HYPERLINK("http://x")'), (2, "Invoice No", "00123"),
                  (2, "Line Total", Decimal("1234567.890")), (4, "Line Total", 12345678901234), (5, "Line Total", Decimal("NaN")),
                  (2, "Ship By", date(2026, 3, 9)), (3, "Ship By", datetime(2026, 3, 9, 14, 30)), (4, "Ship By", date(1850, 1, 1)),
                  (2, "Notes", None), (4, "Status", None), (9, "Check", "")),
            cells("Inventory", (2, "Available", 90), (3, "Reserved", "")),
        ), WriteStatus.UNCHANGED),
    ],
)

HEADERS = Scenario(
    {"Orders": [["Order ID", " STATUS ", "line_total", "Qty", None, "Sales Rep"], ["SO-1", None, None, 2, None, "Lena"],
                ["SO-2", None, None, 6, None, "Jonas"]]},
    [
        Write(ws(
            cells("ORDERS", (2, "Status", "Verified"), (2, "Line Total", 5), (2, "Quantity", 3), (3, "Check", "=odd"),
                  (2, "Invoice No", None), (3, "Invoice No", ""), (1, "Status", "not in the header row")),
            cells("Nowhere", (2, "Status", "x")),
        ), WriteStatus.WRITTEN, mentions=("Nowhere", "header row")),
        Write(ws(cells("Orders", (2, "Status", "Verified"), (3, "Check", "=odd"), (3, "Invoice No", None))), WriteStatus.UNCHANGED),
        Write(ws(cells("Orders", (2, "Invoice No", None))), WriteStatus.UNCHANGED),
    ],
)

FILLS = Scenario(
    desk_with_owned_columns(),
    [
        Write(ws(SheetWrites("Orders", fills=(
            (2, "Quantity", Fill.ERROR), (3, "Quantity", Fill.WARNING), (2, "SKU", Fill.ERROR),
            (7, "Notes", Fill.ERROR), (2, "Nonsense", Fill.ERROR), (4, "Sales Rep", Fill.WARNING)))),
            WriteStatus.WRITTEN, mentions=("Nonsense",)),
        # A second colour keeps the first original (it is not reported again).
        Write(ws(SheetWrites("Orders", fills=((2, "Quantity", Fill.WARNING), (2, "SKU", Fill.ERROR))),), WriteStatus.WRITTEN),
        Write(ws(SheetWrites("Orders", fills=((2, "Quantity", Fill.WARNING), (3, "Quantity", Fill.WARNING))),), WriteStatus.UNCHANGED),
        Recolour("Orders", 2, "SKU", GREEN),  # a manager colours a flagged cell green
        Recolour("Orders", 5, "Notes", YELLOW),  # and another cell sheetclerk never touched
        Write(restores("Orders", (2, "Quantity"), (3, "Quantity"), (2, "SKU"), (7, "Notes"), (5, "Notes"), (4, "Sales Rep")),
              WriteStatus.WRITTEN),
        Write(restores("Orders", (2, "Quantity"), (3, "Quantity"), (2, "SKU"), (7, "Notes"), (5, "Notes")), WriteStatus.UNCHANGED),
    ],
    fills={("Orders", 2, "Quantity"): YELLOW, ("Orders", 4, "Sales Rep"): GREEN},
)

FLAG = ("Orders", 2, "SKU", "unknown_sku", "error", "SKU 'X' is not on Products", date(2026, 3, 2))
FLAGS = (
    FLAG,
    ("Orders", 3, "", "duplicate_order", "warning", "=same as SO-1", None),
    ("Orders", 4, "Quantity", "invalid_quantity", "error", "10%", "2026-03-02"),
    ("Inventory", 2, "On Hand", "stock_mismatch", "warning", "+5 counted", "2026-03-02"),
)

REVIEW_ADDED = Scenario(
    sheets(),
    [
        Write(ws(review=FLAGS), WriteStatus.WRITTEN),
        Write(ws(review=FLAGS), WriteStatus.UNCHANGED),
        Write(ws(review=(FLAG,)), WriteStatus.WRITTEN),
        Write(ws(review=()), WriteStatus.WRITTEN),
        Write(ws(review=()), WriteStatus.UNCHANGED),
    ],
)

REVIEW_REBUILT = Scenario(
    sheets({"Review": [list(REVIEW_HEADERS), ["Orders", 9, "SKU", "old", "error", "stale", None],
                   ["Orders", 10, "SKU", "old", "error", "stale", "2026-01-01"]]}),
    [
        Write(ws(cells("Orders"), review=(FLAG,)), WriteStatus.WRITTEN),
        Write(ws(review=(FLAG,)), WriteStatus.UNCHANGED),
    ],
)

EVERYTHING = Scenario(
    desk_with_owned_columns(),
    [
        Write(ws(
            cells("Orders", (2, "Status", "On hold"), (2, "Check", "✖ SKU 'X' is not on Products")),
            SheetWrites("Orders", fills=((2, "SKU", Fill.ERROR),)),
            cells("Inventory", (2, "Reserved", 0), (2, "Available", 100)),
            review=(FLAG,),
        ), WriteStatus.WRITTEN),
        Write(ws(
            cells("Orders", (2, "Status", "On hold"), (2, "Check", "✖ SKU 'X' is not on Products")),
            SheetWrites("Orders", fills=((2, "SKU", Fill.ERROR),)),
            review=(FLAG,),
        ), WriteStatus.UNCHANGED),
        Write(lambda remembered: WorkbookWrites((
            cells("Orders", (2, "Status", "Verified"), (2, "Check", None)),
            SheetWrites("Orders", fills=((2, "SKU", Restore(remembered[("Orders", 2, "SKU")])),)),
        ), review=()), WriteStatus.WRITTEN),
    ],
)

SCENARIOS = {
    "values": VALUES,
    "missing-header": HEADERS,
    "fills-and-restores": FILLS,
    "review-added": REVIEW_ADDED,
    "review-rebuilt": REVIEW_REBUILT,
    "everything": EVERYTHING,
}

LIVE_BOOKS: dict[str, Callable[[dict], LiveBook]] = {
    "memory": MemoryBook.from_tables,
    "xlwings-shaped": lambda tables: XlwingsBook(FakeExcelBook.from_tables(tables)),
}


@pytest.mark.parametrize("live", LIVE_BOOKS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_live_writer_matches_the_file_writer(tmp_path: Path, name: str, live: str):
    scenario = SCENARIOS[name]
    file = XlsxBackend(tmp_path, scenario)
    book = LiveBackend(LIVE_BOOKS[live](scenario.tables), scenario)
    assert book.state() == file.state()  # the same starting point

    assert run(book, scenario) == run(file, scenario)  # statuses and originals, step by step
    live_state, file_state = book.state(), file.state()
    assert live_state.sheets == file_state.sheets
    assert live_state.values == file_state.values
    assert live_state.fills == file_state.fills


def test_the_contract_sees_what_it_should(tmp_path: Path):
    """The scenarios really end where the file writer's own tests say they should."""
    file = XlsxBackend(tmp_path, VALUES)
    run(file, VALUES)
    got = file.state().values
    header = VALUES.tables["Orders"][0]
    at = {h: header.index(h) + 1 for h in header}
    assert got[("Orders", 2, at["Check"])] == '=HYPERLINK("http://x")' and got[("Orders", 2, at["Invoice No"])] == "00123"
    assert got[("Orders", 2, at["Line Total"])] == 1234567.89 and got[("Orders", 2, at["Ship By"])] == date(2026, 3, 9)
    assert ("Orders", 2, at["Notes"]) not in got and ("Orders", 4, at["Status"]) not in got
    inventory = VALUES.tables["Inventory"][0]
    assert got[("Inventory", 1, len(inventory) + 1)] == "Reserved" and got[("Inventory", 1, len(inventory) + 2)] == "Available"

    (tmp_path / "f").mkdir()
    file = XlsxBackend(tmp_path / "f", FILLS)
    run(file, FILLS)
    header = FILLS.tables["Orders"][0]
    fills = file.state().fills
    assert fills[("Orders", 2, header.index("Quantity") + 1)] == YELLOW
    assert fills[("Orders", 2, header.index("SKU") + 1)] == GREEN
    assert fills[("Orders", 5, header.index("Notes") + 1)] == YELLOW
    assert ("Orders", 3, header.index("Quantity") + 1) not in fills and ("Orders", 7, header.index("Notes") + 1) not in fills

    (tmp_path / "r").mkdir()
    file = XlsxBackend(tmp_path / "r", REVIEW_ADDED)
    run(file, REVIEW_ADDED)
    assert file.state().sheets[-1] == "Review"
    assert {k: v for k, v in file.state().values.items() if k[0] == "Review"} == {
        ("Review", 1, j): h for j, h in enumerate(REVIEW_HEADERS, start=1)}


def test_originals_from_either_writer_restore_in_the_other(tmp_path: Path):
    scenario = Scenario(desk_with_owned_columns(), [], fills={("Orders", 2, "Quantity"): YELLOW})
    colour = WorkbookWrites((SheetWrites("Orders", fills=((2, "Quantity", Fill.ERROR),)),))
    file = XlsxBackend(tmp_path, scenario)
    memory = LiveBackend(MemoryBook.from_tables(scenario.tables), scenario)
    from_file = file.write(colour).original_fills[("Orders", 2, "Quantity")]
    from_live = memory.write(colour).original_fills[("Orders", 2, "Quantity")]
    assert from_file is not None and from_live is not None and from_live.startswith("<fill>")

    def restore(original):
        return WorkbookWrites((SheetWrites("Orders", fills=((2, "Quantity", Restore(original)),)),))

    assert file.write(restore(from_live)).status is WriteStatus.WRITTEN
    assert memory.write(restore(from_file)).status is WriteStatus.WRITTEN
    assert file.state().fills == memory.state().fills
    assert YELLOW in file.state().fills.values()


# --- LiveWriter on its own ---------------------------------------------------------------------


def memory_desk() -> MemoryBook:
    return MemoryBook.from_tables(desk_with_owned_columns())


def orders_column(book: MemoryBook, header: str) -> int:
    return book.header_row("Orders").index(header) + 1


def test_nothing_to_write_touches_nothing():
    book = memory_desk()
    book.failing = {name: RuntimeError("Excel is gone") for name in ("sheet_names", "value", "save")}
    outcome = LiveWriter(book).write(Path("o.xlsx"), WorkbookWrites(), "")
    assert outcome == WriteOutcome(WriteStatus.UNCHANGED) and book.calls == []


def test_written_values_are_saved_once_and_unchanged_ones_not_at_all():
    book = memory_desk()
    writer = LiveWriter(book)
    writes = WorkbookWrites((cells("Orders", (2, "Status", "Verified"), (3, "Status", "On hold")),))
    assert writer.write(Path("o.xlsx"), writes, "ignored").status is WriteStatus.WRITTEN
    assert book.saves == 1
    assert writer.write(Path("o.xlsx"), writes, "ignored").status is WriteStatus.UNCHANGED
    assert book.saves == 1 and "set_text" not in book.calls[book.calls.index("save"):]


def test_text_goes_through_set_text_and_numbers_through_set_number():
    book = memory_desk()
    LiveWriter(book).write(Path("o.xlsx"), WorkbookWrites((cells(
        "Orders", (2, "Check", "=1+1"), (2, "Line Total", Decimal("0.10")), (2, "Ship By", MAR_2), (2, "Notes", None)),)), "")
    assert sorted(set(book.calls) & {"set_text", "set_number", "set_date", "clear"}) == ["clear", "set_date", "set_number", "set_text"]
    cell = book.sheets["Orders"][(2, orders_column(book, "Check"))]
    assert (cell.value, cell.number_format) == ("=1+1", "@")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (RuntimeError("The object invoked has disconnected from its clients."), WriteStatus.FAILED),
        (type("com_error", (Exception,), {"hresult": -2147418111})("Call was rejected by callee."), WriteStatus.LOCKED),
        (Exception(-2147352567, "Exception occurred.", (0, None, None, None, 0, -2146777998), None), WriteStatus.LOCKED),
        (Exception(-2147417846, "The message filter indicated that the application is busy.", None, None), WriteStatus.LOCKED),
        (type("CommandError", (Exception,), {"errornumber": -1712})("Apple event timed out."), WriteStatus.LOCKED),
        (OSError(13, "Permission denied"), WriteStatus.FAILED),
    ],
    ids=["disconnected", "call-rejected", "excel-busy-scode", "retry-later", "mac-timeout", "oserror"],
)
@pytest.mark.parametrize("where", ["sheet_names", "value", "set_fill", "replace_rows", "save"])
def test_errors_from_excel_are_outcomes(error: Exception, status: WriteStatus, where: str):
    book = memory_desk()
    book.failing = {where: error}
    writes = WorkbookWrites(
        (cells("Orders", (2, "Status", "Verified")), SheetWrites("Orders", fills=((2, "SKU", Fill.ERROR),))), review=(FLAG,))
    outcome = LiveWriter(book).write(Path("/desk/orders.xlsx"), writes, "")
    assert outcome.status is status
    assert "orders.xlsx" in outcome.message and outcome.sha256 is None and outcome.original_fills == {}
    assert book.saves == 0
    if status is WriteStatus.FAILED:
        assert str(error) in outcome.message
    partly = where not in ("sheet_names", "value")
    assert ("part of the results" in outcome.message) is partly


def test_a_restore_with_a_theme_colour_removes_ours_and_says_so():
    book = memory_desk()
    column = orders_column(book, "SKU")
    book.sheets["Orders"][(2, column)].fill = RED
    theme = '<fill><patternFill patternType="solid"><fgColor theme="4" tint="0.6"/><bgColor indexed="64"/></patternFill></fill>'
    outcome = LiveWriter(book).write(Path("o.xlsx"), WorkbookWrites((SheetWrites("Orders", fills=((2, "SKU", Restore(theme)),)),)), "")
    assert outcome.status is WriteStatus.WRITTEN and "colour removed" in outcome.message
    assert book.sheets["Orders"][(2, column)].fill is None


@pytest.mark.parametrize(
    ("original", "argb"),
    [
        (None, None),
        ("FFFFFF00", YELLOW),
        ("ffff00", YELLOW),
        ('<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/><bgColor indexed="64"/></patternFill></fill>', YELLOW),
        ('<fill><patternFill patternType="none"/></fill>', None),
        ('<fill><patternFill/></fill>', None),
    ],
)
def test_original_argb_reads_either_form(original, argb):
    assert original_argb(original) == argb


@pytest.mark.parametrize("original", ["<gradientFill/>", "<fill><gradientFill/></fill>", "not xml <", '<fill><patternFill patternType="solid"><fgColor indexed="5"/></patternFill></fill>'])
def test_original_argb_refuses_what_has_no_plain_colour(original):
    with pytest.raises(ValueError):
        original_argb(original)


# --- XlwingsBook: the calls it makes on an xlwings-shaped book ------------------------------------


@pytest.fixture
def excel() -> FakeExcelBook:
    return FakeExcelBook.from_tables({"Orders": [["Order ID", "Status", 2026.0, None, "Qty"], ["SO-1", None, 5, None, 2]]})


def test_the_fake_excel_turns_unformatted_text_into_formulas_and_numbers(excel: FakeExcelBook):
    """Why `set_text` formats first: the stand-in for Excel does what Excel does."""
    sheet = excel.sheets["Orders"]
    sheet.range((3, 1)).value = "=HYPERLINK(\"x\")"
    sheet.range((3, 2)).value = "00123"
    assert sheet.cells[(3, 1)].value == Formula('=HYPERLINK("x")') and sheet.cells[(3, 2)].value == 123.0


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+cmd", "-1+2", "@x", "00123", "1e5", "plain"])
def test_set_text_formats_the_cell_as_text_before_writing(excel: FakeExcelBook, text: str):
    XlwingsBook(excel).set_text("Orders", 2, 2, text)
    assert excel.log == [("number_format", "Orders!(2, 2)", "@"), ("value", "Orders!(2, 2)", text)]
    assert excel.sheets["Orders"].cells[(2, 2)].value == text


def test_set_number_writes_a_double_and_untexts_a_text_cell(excel: FakeExcelBook):
    book = XlwingsBook(excel)
    book.set_text("Orders", 2, 2, "old")
    excel.log.clear()
    book.set_number("Orders", 2, 2, Decimal("1234567.89"))
    assert excel.log == [("number_format", "Orders!(2, 2)", "General"), ("value", "Orders!(2, 2)", 1234567.89)]
    excel.log.clear()
    book.set_number("Orders", 2, 3, 7)
    assert excel.log == [("value", "Orders!(2, 3)", 7.0)] and book.value("Orders", 2, 3) == 7.0


def test_set_date_gives_a_date_format_only_where_there_is_none(excel: FakeExcelBook):
    book = XlwingsBook(excel)
    book.set_date("Orders", 3, 1, date(2026, 3, 9))
    assert excel.log == [("number_format", "Orders!(3, 1)", "m/d/yyyy"), ("value", "Orders!(3, 1)", datetime(2026, 3, 9))]
    excel.sheets["Orders"].cells[(3, 2)] = ExcelCell(None, "dd.mm.yyyy")
    excel.log.clear()
    book.set_date("Orders", 3, 2, datetime(2026, 3, 9, 14, 30))
    assert excel.log == [("value", "Orders!(3, 2)", datetime(2026, 3, 9, 14, 30))]
    book.set_date("Orders", 3, 3, datetime(2026, 3, 9, 14, 30))
    assert excel.sheets["Orders"].cells[(3, 3)].number_format == "m/d/yyyy h:mm"


def test_colours_convert_between_argb_and_rgb(excel: FakeExcelBook):
    book = XlwingsBook(excel)
    assert book.fill("Orders", 2, 1) is None
    book.set_fill("Orders", 2, 1, RED)
    book.set_fill("Orders", 2, 2, AMBER)
    assert excel.sheets["Orders"].cells[(2, 1)].color == (0xFF, 0xC7, 0xCE)
    assert excel.sheets["Orders"].cells[(2, 2)].color == (0xFF, 0xEB, 0x9C)
    excel.sheets["Orders"].cells[(2, 5)].color = (0, 255, 0)
    assert (book.fill("Orders", 2, 1), book.fill("Orders", 2, 2), book.fill("Orders", 2, 5)) == (RED, AMBER, GREEN)
    book.set_fill("Orders", 2, 1, None)
    assert excel.sheets["Orders"].cells[(2, 1)].color is None and excel.log[-1] == ("color", "Orders!(2, 1)", None)


def test_reading_headers_rows_and_values(excel: FakeExcelBook):
    book = XlwingsBook(excel)
    assert book.sheet_names() == ["Orders"]
    assert book.header_row("Orders") == ["Order ID", "Status", "2026", "", "Qty"]
    assert book.rows("Orders") == [["Order ID", "Status", 2026.0, None, "Qty"], ["SO-1", None, 5.0, None, 2.0]]
    assert book.value("Orders", 2, 1) == "SO-1" and book.value("Orders", 9, 9) is None
    book.clear("Orders", 2, 1)
    assert book.value("Orders", 2, 1) is None and excel.log == [("clear_contents", "Orders!(2, 1)", None)]
    empty = excel.sheets.add("Empty")
    assert book.header_row("Empty") == [""] and book.rows("Empty") == [[None]] and empty.name == "Empty"


def test_add_sheet_goes_last_and_replace_rows_types_every_cell(excel: FakeExcelBook):
    book = XlwingsBook(excel)
    excel.sheets.add("Products")
    book.add_sheet("Review")
    assert [s.name for s in excel.sheets] == ["Orders", "Products", "Review"]
    review = excel.sheets["Review"]
    review.cells[(9, 1)] = ExcelCell("stale")
    excel.log.clear()
    book.replace_rows("Review", [list(REVIEW_HEADERS), ["Orders", 2, "SKU", "x", "error", "=not a formula", date(2026, 3, 2)],
                                 ["Orders", 3, None, "y", "warning", "+1", "2026-03-02"]])
    assert excel.log[0] == ("clear_contents", "Review", None)
    assert ("number_format", "Review!(1, 1):(3, 1)", "@") in excel.log  # an all-text column in one call
    assert ("number_format", "Review!(2, 2)", "General") in excel.log
    assert ("number_format", "Review!(2, 7)", "m/d/yyyy") in excel.log
    assert [v for v in excel.log if v[0] == "value"] == [("value", "Review!(1, 1):(3, 7)", [
        list(REVIEW_HEADERS),
        ["Orders", 2.0, "SKU", "x", "error", "=not a formula", datetime(2026, 3, 2)],
        ["Orders", 3.0, None, "y", "warning", "+1", "2026-03-02"],
    ])]
    assert book.rows("Review")[1][5] == "=not a formula" and review.cells[(9, 1)].value is None
    assert {(1, c) for c in range(1, 8)} <= review.bold


def test_save_saves_the_book(excel: FakeExcelBook):
    XlwingsBook(excel).save()
    assert excel.saves == 1


def test_com_retries_are_bounded_while_sheetclerk_calls_excel(excel: FakeExcelBook, monkeypatch: pytest.MonkeyPatch):
    """xlwings on Windows retries a call Excel rejects forever; the writer must not hang behind a clerk typing."""
    com = types.SimpleNamespace(N_COM_ATTEMPTS=0)
    monkeypatch.setitem(sys.modules, "xlwings._xlwindows", com)
    seen = []
    real = FakeRange.value.fset

    def spy(self, value):
        seen.append(com.N_COM_ATTEMPTS)
        real(self, value)

    monkeypatch.setattr(FakeRange, "value", FakeRange.value.setter(spy))
    XlwingsBook(excel).set_text("Orders", 2, 2, "x")
    assert seen == [live_writer.COM_ATTEMPTS] and com.N_COM_ATTEMPTS == 0


# --- finding the open book, choosing the writer ------------------------------------------------


@dataclass
class FakeApp:
    books: Any


class Broken:
    def __getattr__(self, name):
        raise RuntimeError("RPC server is unavailable")

    def __iter__(self):
        raise RuntimeError("RPC server is unavailable")


def test_no_excel_here_means_no_book_and_the_file_writer(tmp_path: Path):
    path = write_workbook(tmp_path / "orders.xlsx", sheets())
    assert find_open_book(path) is None
    assert isinstance(choose_writer(path), XlsxWriter)
    import xlwings  # the real thing: on Linux, asking it for running Excels raises

    assert find_open_book(path, xlwings.apps) is None


def test_the_open_book_is_found_by_its_path(tmp_path: Path):
    path = write_workbook(tmp_path / "orders.xlsx", sheets())
    other = FakeExcelBook(str(tmp_path / "other.xlsx"))
    mine = FakeExcelBook(str(path))
    found = find_open_book(path, [FakeApp(Broken()), FakeApp([other]), FakeApp([Broken(), mine])])
    assert isinstance(found, XlwingsBook) and found.book is mine
    assert find_open_book(path, [FakeApp([other])]) is None


def test_paths_compare_ignoring_case_on_windows(tmp_path: Path):
    shouted = FakeExcelBook(str(tmp_path / "ORDERS.XLSX"))
    assert find_open_book(tmp_path / "orders.xlsx", [FakeApp([shouted])], fold_case=True).book is shouted
    assert find_open_book(tmp_path / "orders.xlsx", [FakeApp([shouted])], fold_case=False) is None


def test_the_same_file_under_another_name_is_found(tmp_path: Path):
    path = write_workbook(tmp_path / "orders.xlsx", sheets())
    try:
        (tmp_path / "link").symlink_to(tmp_path)
    except OSError:
        pytest.skip("no symlinks here")
    via_link = FakeExcelBook(str(tmp_path / "link" / "orders.xlsx"))
    assert find_open_book(path, [FakeApp([via_link])]).book is via_link


def test_finding_never_raises(tmp_path: Path):
    assert find_open_book(tmp_path / "orders.xlsx", Broken()) is None
    assert find_open_book(tmp_path / "orders.xlsx", [Broken()]) is None
    assert find_open_book("\x00bad", [FakeApp([FakeExcelBook("x")])]) is None


def test_choose_writer_waits_for_the_file_when_excel_holds_unsaved_edits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The pass read the file, not what the clerk sees in Excel: never write over edits it has not read."""
    excel = FakeExcelBook.from_tables(desk_with_owned_columns())
    excel.api.Saved = False
    monkeypatch.setattr(live_writer, "find_open_book", lambda path: XlwingsBook(excel))
    assert isinstance(choose_writer(tmp_path / "orders.xlsx"), XlsxWriter)


def test_choose_writer_writes_through_excel_when_it_has_the_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    excel = FakeExcelBook.from_tables(desk_with_owned_columns())
    monkeypatch.setattr(live_writer, "find_open_book", lambda path: XlwingsBook(excel))
    writer = choose_writer(tmp_path / "orders.xlsx")
    assert isinstance(writer, LiveWriter)
    outcome = writer.write(tmp_path / "orders.xlsx", WorkbookWrites((cells("Orders", (2, "Status", "Verified")),)), "")
    assert outcome.status is WriteStatus.WRITTEN and excel.saves == 1
    assert XlwingsBook(excel).value("Orders", 2, len(ORDERS_HEADER) + 2) == "Verified"
