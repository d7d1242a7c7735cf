"""Writing a pass's results into a workbook a person has open in Excel desktop, through Excel.

When Excel (Windows or macOS) has the workbook open, the file on disk cannot be
replaced (the `.xlsx` writer answers LOCKED and waits). Where xlwings can reach
that Excel, `choose_writer(path)` returns a `LiveWriter` that puts the results
into the open workbook instead, and saves it:

- `LiveBook` is the whole surface that touches Excel: a dozen cell-level calls.
  `XlwingsBook` implements it with xlwings (imported lazily, so this module
  imports on Linux, where no Excel can run); tests implement it in memory.
- `LiveWriter` is the `WorkbookWriter` over a `LiveBook`, with the file writer's
  semantics where they apply: sheets by name ignoring case, columns by header
  (matched like the reader, spec aliases included), a missing owned header added
  after the last used column, `str` always stored as text (the cell is formatted
  Text, `@`, first, so `=HYPERLINK(...)` or `+cmd` never become formulas), numbers
  as numbers, dates as dates, None and "" empty a cell (its format stays), flag
  fills by `FILL_ARGB`, `Restore` only where the cell still has a sheetclerk
  colour (a person's re-colouring stays), Review rebuilt or added, and
  `UNCHANGED` (nothing touched, nothing saved) when everything is already so.

Where a live book differs from the file:

- `expected_sha256` does not apply and is ignored: Excel holds the truth, with
  whatever the person has typed since the file was saved. `WriteOutcome.sha256`
  is None (the file Excel saves is not one the pass read, so the next pass must
  read it again rather than take it for its own result).
- `original_fills` holds the `<fill>` XML of the cell's plain solid colour as
  Excel reports it (`<fill><patternFill patternType="solid"><fgColor
  rgb="FFFFFF00"/>…`), or None for no fill: the same form the file writer
  reports, so either writer can put back a colour the other one remembered.
  Excel's API only exposes a cell's solid colour, so a pattern or gradient is
  remembered as its colour. `Restore` takes `<fill>` XML or a bare ARGB string;
  a remembered fill with no plain RGB colour (a theme colour) is removed rather
  than guessed, with a note.
- Text cells are left formatted as Text (`@`); a number written over a Text cell
  gets the General format, a date over a non-date format the short date (as the
  file writer does).
- A formula in an owned cell whose result already equals the value is left;
  the added Review sheet gets a bold header but no frozen pane or widths.
- Any exception from Excel becomes a `WriteOutcome`: LOCKED when Excel is busy
  (a cell being edited, a dialog open: the writer retries later), FAILED
  otherwise. Excel may then show part of the results, unsaved; the next pass
  writes every owned cell again.
"""

from __future__ import annotations

import functools
import math
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from lxml import etree

from rules.schema import column_keys, header_key
from sync.writeback import (
    FILL_ARGB,
    REVIEW_HEADERS,
    CellValue,
    CellWrite,
    Fill,
    Restore,
    SheetWrites,
    WorkbookWrites,
    WorkbookWriter,
    WriteOutcome,
    WriteStatus,
)
from sync.xlsx_styles import is_date_code
from sync.xlsx_writer import XlsxWriter

REVIEW_SHEET = "Review"
TEXT_FORMAT = "@"
GENERAL_FORMAT = "General"
DATE_FORMAT = "m/d/yyyy"
"""Excel's built-in short date (shown in the reader's locale), as the file writer uses."""
DATETIME_FORMAT = "m/d/yyyy h:mm"

_OURS = frozenset(v.upper() for v in FILL_ARGB.values())
_ARGB = re.compile(r"(?:[0-9A-Fa-f]{2})?[0-9A-Fa-f]{6}")
_FIRST_DAY, _LAST_DAY = date(1900, 1, 1), date(9999, 12, 31)
_DOUBLE_MAX = Decimal("1e308")

Value = str | int | float | Decimal | bool | date | None
"""What a `LiveBook` cell holds, as Excel reports it: text, a number, a bool, a date
(a date-formatted number), or None for empty."""


@runtime_checkable
class LiveBook(Protocol):
    """An open workbook, cell by cell. Rows and columns are 1-based; `sheet` is the exact name."""

    def sheet_names(self) -> list[str]: ...

    def header_row(self, sheet: str) -> list[str]:
        """Row 1 as text, from column A to the sheet's last used column ("" for an empty cell)."""
        ...

    def rows(self, sheet: str) -> list[list[Value]]:
        """The sheet's values from A1 to its last used cell."""
        ...

    def value(self, sheet: str, row: int, column: int) -> Value: ...

    def set_text(self, sheet: str, row: int, column: int, text: str) -> None:
        """Store `text` as text, whatever it looks like (the cell is formatted `@` first)."""
        ...

    def set_number(self, sheet: str, row: int, column: int, number: Decimal | int | float | bool) -> None: ...

    def set_date(self, sheet: str, row: int, column: int, day: date) -> None:
        """Store a date (a `datetime` keeps its time), with a date format if the cell has none."""
        ...

    def clear(self, sheet: str, row: int, column: int) -> None:
        """Empty the cell, keeping its format and fill."""
        ...

    def fill(self, sheet: str, row: int, column: int) -> str | None:
        """The cell's solid fill colour as ARGB ("FFFFC7CE"), or None without a fill."""
        ...

    def set_fill(self, sheet: str, row: int, column: int, argb: str | None) -> None: ...

    def add_sheet(self, name: str) -> None:
        """Add an empty worksheet after the last one."""
        ...

    def replace_rows(self, sheet: str, rows: Sequence[Sequence[Value]]) -> None:
        """Make `rows` the sheet's whole content (row 1 is a bold header); values typed as by the setters."""
        ...

    def save(self) -> None: ...


# --- the writer ------------------------------------------------------------------------


class LiveWriter:
    """The `WorkbookWriter` for a workbook open in Excel (see the module docstring)."""

    def __init__(self, book: LiveBook):
        self.book = book

    def write(self, path: Path, writes: WorkbookWrites, expected_sha256: str) -> WriteOutcome:
        """Apply `writes` to the open book and save it. `expected_sha256` is ignored: Excel holds the truth."""
        if writes.empty:
            return WriteOutcome(WriteStatus.UNCHANGED)
        run = _Run(self.book)
        try:
            for sheet_writes in writes.sheets:
                run.sheet(sheet_writes)
            if writes.review is not None:
                run.review(writes.review)
            if run.changed:
                self.book.save()
        except Exception as e:  # noqa: BLE001 - whatever Excel throws is an outcome, never a crash
            return _failure(path, e, run.changed)
        notes = "; ".join(run.notes)
        if not run.changed:
            return WriteOutcome(WriteStatus.UNCHANGED, message=notes)
        return WriteOutcome(WriteStatus.WRITTEN, None, run.original_fills, notes)


class _Columns:
    """Row 1 of a sheet: which column each header is in, and where a new one goes."""

    def __init__(self, book: LiveBook, sheet: str):
        self.book, self.sheet = book, sheet
        self.columns: dict[str, int] = {}
        self.last = 0
        for column, text in enumerate(book.header_row(sheet), start=1):
            text = (text or "").strip()
            if text:
                self.columns.setdefault(header_key(text), column)
                self.last = column

    def find(self, spec_sheet: str, header: str) -> int | None:
        return next((self.columns[k] for k in column_keys(spec_sheet, header) if k in self.columns), None)

    def add(self, header: str) -> int:
        column = self.last + 1
        self.book.set_text(self.sheet, 1, column, header)
        self.columns[header_key(header)] = column
        self.last = column
        return column


class _Run:
    """One write into one book: what changed, what was there before, what could not be done."""

    def __init__(self, book: LiveBook):
        self.book = book
        self.changed = False
        self.original_fills: dict[tuple[str, int, str], str | None] = {}
        self.notes: list[str] = []
        self._names: list[str] | None = None

    def find_sheet(self, name: str) -> str | None:
        if self._names is None:
            self._names = list(self.book.sheet_names())
        folded = name.strip().casefold()
        return next((n for n in self._names if n.strip().casefold() == folded), None)

    # --- one sheet -----------------------------------------------------------------

    def sheet(self, writes: SheetWrites) -> None:
        if not writes.cells and not writes.fills:
            return
        name = self.find_sheet(writes.sheet)
        if name is None:
            self.notes.append(
                f"sheet '{writes.sheet}' is not in the workbook: "
                f"{len(writes.cells)} value(s) and {len(writes.fills)} colour(s) not written"
            )
            return
        header = _Columns(self.book, name)
        for w, column in self._value_targets(writes, header):
            self._value(name, w, column)
        for row, column_name, fill in writes.fills:
            column = header.find(writes.sheet, column_name)
            if column is None:
                self.notes.append(f"sheet '{writes.sheet}' has no column '{column_name}': row {row} not coloured")
            elif row >= 1:
                self._fill(name, writes.sheet, row, column_name, column, fill)

    def _value_targets(self, writes: SheetWrites, header: _Columns) -> list[tuple[CellWrite, int]]:
        columns = {name: header.find(writes.sheet, name) for name in dict.fromkeys(w.column for w in writes.cells)}
        targets: list[tuple[CellWrite, int]] = []
        for w in writes.cells:
            column = columns[w.column]
            if column is None:
                if w.value is None or w.value == "":
                    continue
                column = columns[w.column] = header.add(w.column)
                self.changed = True
            if w.row < 2:
                self.notes.append(f"sheet '{writes.sheet}': row {w.row} is the header row; value for '{w.column}' not written")
                continue
            targets.append((w, column))
        return targets

    def _value(self, sheet: str, w: CellWrite, column: int) -> None:
        if same(self.book.value(sheet, w.row, column), w.value):
            return
        put(self.book, sheet, w.row, column, w.value)
        self.changed = True

    def _fill(self, sheet: str, spec_sheet: str, row: int, name: str, column: int, fill: Fill | Restore) -> None:
        current = _argb(self.book.fill(sheet, row, column))
        if isinstance(fill, Fill):
            target = FILL_ARGB[fill].upper()
            if current == target:
                return
            if not _is_ours(current):
                self.original_fills[(spec_sheet, row, name)] = fill_xml(current)
        elif isinstance(fill, Restore):
            if not _is_ours(current):
                return  # never coloured by sheetclerk, or a person has re-coloured it since
            try:
                target = original_argb(fill.original)
            except ValueError as e:
                self.notes.append(f"sheet '{spec_sheet}' row {row} '{name}': {e}; colour removed instead")
                target = None
            if target == current:
                return
        else:
            return
        self.book.set_fill(sheet, row, column, target)
        self.changed = True

    # --- Review --------------------------------------------------------------------

    def review(self, rows: Sequence[Sequence[CellValue]]) -> None:
        desired: dict[tuple[int, int], CellValue] = {(1, j): h for j, h in enumerate(REVIEW_HEADERS, start=1)}
        for i, row in enumerate(rows, start=2):
            for j, value in enumerate(row, start=1):
                if value is not None and value != "":
                    desired[(i, j)] = value
        name = self.find_sheet(REVIEW_SHEET)
        if name is not None and self._holds(name, desired):
            return
        if name is None:
            self.book.add_sheet(REVIEW_SHEET)
            name = REVIEW_SHEET
            self._names = None
        width = max([len(REVIEW_HEADERS), *(len(r) for r in rows)])
        matrix = [[stored(desired.get((i, j))) for j in range(1, width + 1)] for i in range(1, len(rows) + 2)]
        self.book.replace_rows(name, matrix)
        self.changed = True

    def _holds(self, sheet: str, desired: dict[tuple[int, int], CellValue]) -> bool:
        current = {
            (i, j): value
            for i, row in enumerate(self.book.rows(sheet), start=1)
            for j, value in enumerate(row, start=1)
            if value is not None and value != ""
        }
        return set(current) == set(desired) and all(same(current[k], v) for k, v in desired.items())


def _failure(path: Path, error: Exception, partly: bool) -> WriteOutcome:
    shown = "Excel may show part of the results, unsaved; the next pass writes them all again." if partly else "Nothing was written."
    if is_busy(error):
        return WriteOutcome(
            WriteStatus.LOCKED,
            message=f"{path}: Excel is busy (a cell is being edited or a dialog is open); "
            f"the results are written when it is free. {shown}",
        )
    return WriteOutcome(
        WriteStatus.FAILED,
        message=f"{path}: Excel did not take the results ({type(error).__name__}: {error}). {shown}",
    )


#: COM errors that mean "Excel is busy, ask again": RPC_E_CALL_REJECTED, RPC_E_SERVERCALL_RETRYLATER,
#: and Excel's own "busy" exception code inside DISP_E_EXCEPTION (0x800AC472).
_BUSY_HRESULTS = frozenset({-2147418111, -2147417846})
_BUSY_SCODES = frozenset({-2146777998})
#: Apple Event errors that mean the same on macOS: errAETimeout, and "application is busy".
_BUSY_APPLE_EVENTS = frozenset({-1712, -609})


def is_busy(error: BaseException) -> bool:
    """Whether an exception from Excel says it is busy (retry later) rather than that something failed."""
    hresult = getattr(error, "hresult", None)
    args = getattr(error, "args", ())
    if hresult is None and args and isinstance(args[0], int):
        hresult = args[0]
    if hresult in _BUSY_HRESULTS:
        return True
    excepinfo = args[2] if len(args) > 2 and isinstance(args[2], tuple) else ()
    if excepinfo and excepinfo[-1] in _BUSY_SCODES:
        return True
    return getattr(error, "errornumber", None) in _BUSY_APPLE_EVENTS


# --- values -----------------------------------------------------------------------------


def _in_range(day: date) -> bool:
    d = day.date() if isinstance(day, datetime) else day
    return _FIRST_DAY <= d <= _LAST_DAY


def _number_ok(value: object) -> bool:
    """Whether Excel can hold the number as a number (else it is written as its text, like the file writer)."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) < 10**308
    if isinstance(value, Decimal):
        return value.is_finite() and abs(value) < _DOUBLE_MAX
    if isinstance(value, float):
        return math.isfinite(value)
    return False


def stored(value: object) -> Value:
    """A value as a `LiveBook` setter should store it: None for empty, text where Excel cannot hold it as typed."""
    if value is None or value == "":
        return None
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, date):
        return value if _in_range(value) else value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return value if _number_ok(value) else str(value)
    return str(value)


def put(book: LiveBook, sheet: str, row: int, column: int, value: object) -> None:
    """Write one value with the setter for its kind."""
    value = stored(value)
    if value is None:
        book.clear(sheet, row, column)
    elif isinstance(value, str):
        book.set_text(sheet, row, column, value)
    elif isinstance(value, date):
        book.set_date(sheet, row, column, value)
    else:
        book.set_number(sheet, row, column, value)


def same(current: Value, value: object) -> bool:
    """Whether a cell showing `current` (as Excel reports it) already holds `value`."""
    value = stored(value)
    if value is None:
        return current is None or current == ""
    if isinstance(value, str):
        return isinstance(current, str) and current == value
    if isinstance(value, bool):
        return isinstance(current, bool) and current == value
    if isinstance(value, date):
        if not isinstance(current, date):
            return False
        if isinstance(value, datetime):
            moment = current if isinstance(current, datetime) else datetime.combine(current, time())
            return abs((moment.replace(tzinfo=None) - value.replace(tzinfo=None)).total_seconds()) < 0.001
        if isinstance(current, datetime):
            return current.time() == time() and current.date() == value
        return current == value
    if isinstance(current, bool) or not isinstance(current, (int, float, Decimal)):
        return False
    return float(current) == float(value)  # type: ignore[arg-type]


# --- fills ------------------------------------------------------------------------------


def _argb(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip().lstrip("#").upper()
    return ("FF" + text) if len(text) == 6 else text


def _is_ours(argb: str | None) -> bool:
    return argb is not None and argb in _OURS


def fill_xml(argb: str | None) -> str | None:
    """The `<fill>` XML the file writer would report for a cell of this solid colour (None: no fill)."""
    if argb is None:
        return None
    return (
        f'<fill><patternFill patternType="solid"><fgColor rgb="{_argb(argb)}"/>'
        '<bgColor indexed="64"/></patternFill></fill>'
    )


def original_argb(original: str | None) -> str | None:
    """The colour to put back for a `Restore.original`: `<fill>` XML (either writer's) or ARGB.

    Raises ValueError for one that holds no plain colour (a theme or indexed colour, or not a fill).
    """
    if original is None or not original.strip():
        return None
    text = original.strip()
    if _ARGB.fullmatch(text.lstrip("#")):
        return _argb(text)
    try:
        fill = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        raise ValueError("the remembered fill is not a <fill>") from None
    if etree.QName(fill).localname != "fill":
        raise ValueError("the remembered fill is not a <fill>")
    pattern = next((e for e in fill.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "patternFill"), None)
    if pattern is None:
        raise ValueError("the remembered fill has no plain colour")
    if pattern.get("patternType", "none") == "none":
        return None
    fg = next((e for e in pattern if isinstance(e.tag, str) and etree.QName(e).localname == "fgColor"), None)
    rgb = fg.get("rgb") if fg is not None else None
    if not rgb or not _ARGB.fullmatch(rgb):
        raise ValueError("the remembered fill has no plain RGB colour")
    return _argb(rgb)


def argb_to_rgb(argb: str) -> tuple[int, int, int]:
    text = _argb(argb) or "FF000000"
    return int(text[2:4], 16), int(text[4:6], 16), int(text[6:8], 16)


def rgb_to_argb(rgb: Sequence[int] | None) -> str | None:
    if rgb is None:
        return None
    r, g, b = (int(x) for x in rgb)
    return f"FF{r:02X}{g:02X}{b:02X}"


# --- xlwings ----------------------------------------------------------------------------

COM_ATTEMPTS = 500
"""How often xlwings repeats a COM call Excel rejects as busy (it would retry forever, so a
writer would hang while a clerk edits a cell); after that the call fails and the write is LOCKED."""

_F = TypeVar("_F", bound=Callable[..., Any])


@contextmanager
def _bounded_retries() -> Iterator[None]:
    module = sys.modules.get("xlwings._xlwindows")
    if module is None or getattr(module, "N_COM_ATTEMPTS", None) != 0:
        yield
        return
    module.N_COM_ATTEMPTS = COM_ATTEMPTS  # type: ignore[attr-defined]
    try:
        yield
    finally:
        module.N_COM_ATTEMPTS = 0  # type: ignore[attr-defined]


def _com(method: _F) -> _F:
    @functools.wraps(method)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        with _bounded_retries():
            return method(*args, **kwargs)

    return bounded  # type: ignore[return-value]


def _header_text(value: object) -> str:
    """A header cell's text as the reader sees it (a whole number without '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class XlwingsBook:
    """A `LiveBook` over an `xlwings.Book` (anything shaped like one)."""

    def __init__(self, book: Any):
        self.book = book

    def _range(self, sheet: str, row: int, column: int) -> Any:
        return self.book.sheets[sheet].range((row, column))

    @_com
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def _used(self, sheet: str) -> tuple[Any, int, int]:
        ws = self.book.sheets[sheet]
        last = ws.used_range.last_cell
        return ws, int(last.row), int(last.column)

    @_com
    def header_row(self, sheet: str) -> list[str]:
        ws, _, columns = self._used(sheet)
        values = ws.range((1, 1), (1, columns)).options(ndim=1).value
        return [_header_text(v) for v in values]

    @_com
    def rows(self, sheet: str) -> list[list[Value]]:
        ws, rows, columns = self._used(sheet)
        return [list(r) for r in ws.range((1, 1), (rows, columns)).options(ndim=2).value]

    @_com
    def value(self, sheet: str, row: int, column: int) -> Value:
        return self._range(sheet, row, column).value

    @_com
    def set_text(self, sheet: str, row: int, column: int, text: str) -> None:
        cell = self._range(sheet, row, column)
        cell.number_format = TEXT_FORMAT  # first: Excel then keeps what follows as text
        cell.value = text

    @_com
    def set_number(self, sheet: str, row: int, column: int, number: Decimal | int | float | bool) -> None:
        cell = self._range(sheet, row, column)
        if cell.number_format == TEXT_FORMAT:
            cell.number_format = GENERAL_FORMAT
        cell.value = _excel_number(number)

    @_com
    def set_date(self, sheet: str, row: int, column: int, day: date) -> None:
        cell = self._range(sheet, row, column)
        moment = day if isinstance(day, datetime) else datetime.combine(day, time())
        if not is_date_code(cell.number_format or ""):
            cell.number_format = DATETIME_FORMAT if moment.time() != time() else DATE_FORMAT
        cell.value = moment

    @_com
    def clear(self, sheet: str, row: int, column: int) -> None:
        self._range(sheet, row, column).clear_contents()

    @_com
    def fill(self, sheet: str, row: int, column: int) -> str | None:
        return rgb_to_argb(self._range(sheet, row, column).color)

    @_com
    def set_fill(self, sheet: str, row: int, column: int, argb: str | None) -> None:
        self._range(sheet, row, column).color = None if argb is None else argb_to_rgb(argb)

    @_com
    def add_sheet(self, name: str) -> None:
        sheets = self.book.sheets
        sheets.add(name, after=sheets[len(sheets) - 1])

    @_com
    def replace_rows(self, sheet: str, rows: Sequence[Sequence[Value]]) -> None:
        ws = self.book.sheets[sheet]
        ws.clear_contents()
        if not rows:
            return
        height, width = len(rows), max(len(r) for r in rows)
        matrix = [[stored(r[j]) if j < len(r) else None for j in range(width)] for r in rows]
        # Formats first, a column at a time where it is all text (one call), else cell by cell.
        for j in range(width):
            column = [row[j] for row in matrix]
            filled = [v for v in column if v is not None]
            if filled and all(isinstance(v, str) for v in filled):
                ws.range((1, j + 1), (height, j + 1)).number_format = TEXT_FORMAT
                continue
            for i, v in enumerate(column, start=1):
                if isinstance(v, str):
                    ws.range((i, j + 1)).number_format = TEXT_FORMAT
                elif isinstance(v, date):
                    timed = isinstance(v, datetime) and v.time() != time()
                    ws.range((i, j + 1)).number_format = DATETIME_FORMAT if timed else DATE_FORMAT
                elif v is not None:
                    ws.range((i, j + 1)).number_format = GENERAL_FORMAT
        block = ws.range((1, 1), (height, width))
        block.value = [[_excel_value(v) for v in row] for row in matrix]
        ws.range((1, 1), (1, width)).font.bold = True

    @_com
    def save(self) -> None:
        self.book.save()


def _excel_number(number: Decimal | int | float | bool) -> float | bool:
    """Excel holds numbers as doubles: float() of a Decimal is the correctly rounded one, the same
    double Excel makes of the file writer's exact decimal text."""
    return number if isinstance(number, bool) else float(number)


def _excel_value(value: Value) -> Any:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return _excel_number(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    return value


# --- finding the open book ----------------------------------------------------------------


def _path_key(path: str, fold: bool) -> str:
    text = os.path.normpath(os.path.abspath(path))
    return text.casefold() if fold else text


def _same_file(fullname: str, target: Path, fold: bool) -> bool:
    if _path_key(fullname, fold) == _path_key(str(target), fold):
        return True
    try:
        return os.path.samefile(fullname, target)
    except (OSError, ValueError):
        return False


def find_open_book(path: Path | str, apps: Any = None, *, fold_case: bool | None = None) -> XlwingsBook | None:
    """The workbook at `path` as a running Excel has it open, or None (no Excel, not open,
    not Windows/macOS, xlwings missing, any COM error). Never raises.

    `apps` defaults to `xlwings.apps`; paths compare ignoring case on Windows (`fold_case`).
    """
    try:
        target = Path(path)
        fold = sys.platform == "win32" if fold_case is None else fold_case
        if apps is None:
            if sys.platform not in ("win32", "darwin"):
                return None
            import xlwings

            apps = xlwings.apps
        for app in apps:
            try:
                books = list(app.books)
            except Exception:  # noqa: BLE001 - an Excel that does not answer has nothing for us
                continue
            for book in books:
                try:
                    fullname = str(book.fullname)
                except Exception:  # noqa: BLE001
                    continue
                if _same_file(fullname, target, fold):
                    return XlwingsBook(book)
    except Exception:  # noqa: BLE001 - no Excel, no COM, no xlwings: the file writer takes over
        return None
    return None


def has_unsaved_edits(book: Any) -> bool:
    """Does Excel hold edits not yet saved to the file the pass read?

    Only Excel's own answer (`Workbook.Saved`) counts; anything else (macOS, an
    error, a fake) is taken as "yes", so the live path is used only when it is
    certainly safe: the pass read exactly what Excel shows.
    """
    try:
        return not bool(book.book.api.Saved)
    except Exception:  # noqa: BLE001
        return True


def choose_writer(path: Path | str) -> WorkbookWriter:
    """A `LiveWriter` when a running Excel has the workbook open with nothing unsaved, else the `.xlsx` writer.

    With unsaved edits in Excel the pass has not read what the clerk sees, so
    the file writer is used: it finds Excel's lock file and waits (never over an
    edit it has not read).
    """
    book = find_open_book(path)
    if book is None or has_unsaved_edits(book):
        return XlsxWriter()
    return LiveWriter(book)


__all__ = [
    "LiveBook",
    "LiveWriter",
    "XlwingsBook",
    "choose_writer",
    "find_open_book",
    "fill_xml",
    "original_argb",
    "is_busy",
]
