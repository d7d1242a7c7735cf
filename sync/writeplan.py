"""What a pass writes back: sheetclerk's own columns, flag colours, the Review sheet.

Pure: from the evaluated desk and the ledger state to a `WorkbookWrites`; the
writer decides how. Every owned cell is written every pass (the writer skips
what is already right), so a write that was missed is caught up next time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from operator import itemgetter

from rules.cells import key
from rules.checks import Evaluation
from rules.flags import Severity, check_text
from rules.models import Desk
from rules.schema import INVENTORY, ORDERS, RETURNS, STOCK_MOVES, SheetSpec, flag_order
from rules.table import RawTable
from sync.ledger.state import FlagState, LedgerState
from sync.writeback import REVIEW_HEADERS, CellWrite, Fill, Restore, SheetWrites, WorkbookWrites

SPECS: dict[str, SheetSpec] = {s.name: s for s in (ORDERS, INVENTORY, STOCK_MOVES, RETURNS)}
_SEVERITY_RANK = {Severity.ERROR.value: 0, Severity.WARNING.value: 1}


def plan_writes(
    desk: Desk,
    evaluation: Evaluation,
    open_flags: dict[tuple[str, str, str, str], FlagState],
    state: LedgerState,
    anchors: dict[str, dict[int, str]],
    applied_moves: set[int],
    tables: Mapping[str, RawTable] | None = None,
    extra: Mapping[str, list[CellWrite]] | None = None,
) -> WorkbookWrites:
    """Everything to write; cells that already hold the value (as read this pass) are left out."""
    by_row: dict[tuple[str, int], list[FlagState]] = defaultdict(list)
    for f in open_flags.values():
        if f.row is not None:
            by_row[(f.sheet, f.row)].append(f)
    read = {name: _AsRead(tables.get(name) if tables is not None else None, spec, tables is not None) for name, spec in SPECS.items()}
    cells = {
        "Orders": _orders(desk, evaluation, by_row, state, anchors["Orders"], read["Orders"]),
        "Inventory": read["Inventory"].changes(_inventory(desk, state, anchors["Inventory"])),
        "Stock Moves": read["Stock Moves"].changes(_stock_moves(desk, by_row, applied_moves)),
    }
    for name, more in (extra or {}).items():
        as_read = read.get(name) or _AsRead(tables.get(name) if tables is not None else None, None, tables is not None)
        cells[name] = cells.get(name, []) + as_read.changes(more)
    fills = _fills(open_flags, state, anchors)
    sheets = tuple(
        SheetWrites(name, cells=tuple(cells.get(name, ())), fills=tuple(fills.get(name, ())))
        for name in (*cells, *(s for s in fills if s not in cells))
    )
    return WorkbookWrites(sheets=sheets, review=_review(open_flags))


class _AsRead:
    """One sheet as read this pass: which intended cells it already shows.

    Without the tables (`compare=False`) nothing is left out; a sheet or column
    that was not read, or a row beyond the data, is always written.
    """

    __slots__ = ("compare", "positions", "_values", "_floats")

    def __init__(self, table: RawTable | None, spec: SheetSpec | None, compare: bool) -> None:
        self.compare = compare and table is not None and spec is not None
        self.positions = table.positions(spec) if self.compare else {}
        self._values: list[Sequence[object]] = [values for _, values in table.rows] if self.compare else []
        """Each row's values by index (row 2 first), gathered in one sweep."""
        self._floats: dict[Decimal, float | None] = {}
        """Decimal -> the float a cell holds when it shows exactly that number (None: no float does)."""

    def values(self, row: int) -> Sequence[object] | None:
        """The row's cells as read (None: not compared, so written)."""
        i = row - 2
        return self._values[i] if 0 <= i < len(self._values) else None

    @property
    def count(self) -> int:
        """Rows compared: row 2 up to row `count + 1`."""
        return len(self._values)

    def column(self, name: str) -> list[object]:
        """The column's cells as read, by index like `values` (`_NOT_READ` throughout when it was not read)."""
        p = self.positions.get(name)
        if p is None:
            return [_NOT_READ] * len(self._values)
        return [values[p] if p < len(values) else None for values in self._values]

    def cells(self, names: tuple[str, ...]) -> list[tuple[object, ...]]:
        """Each row's cells in these columns as read, by index like `values` (`_NOT_READ` for a column not read)."""
        positions = [self.positions.get(name) for name in names]
        values = self._values
        if len(names) > 1 and values and None not in positions and min(map(len, values)) > max(positions):  # type: ignore[type-var]
            return list(map(itemgetter(*positions), values))  # every row is wide enough: one C call a row
        return list(zip(*(self.column(name) for name in names)))

    def shows(self, values: Sequence[object] | None, column: str, intended: object) -> bool:
        if values is None:
            return False
        p = self.positions.get(column)
        if p is None:
            return False
        return self.same(values[p] if p < len(values) else None, intended)

    def same(self, current: object, intended: object) -> bool:
        """`same_value`, quicker for the common cases: text against text, and a Decimal against a
        float (the float that shows each distinct Decimal is worked out once per pass)."""
        kind = type(intended)
        if kind is str and type(current) is str:
            return current == intended
        if intended is None:
            return current is None or current == ""
        if kind is Decimal and type(current) is float and intended.is_finite():
            if intended not in self._floats:
                self._floats[intended] = _float_showing(intended)
            return current == self._floats[intended]
        return same_value(current, intended)

    def changes(self, writes: list[CellWrite]) -> list[CellWrite]:
        if not self.compare:
            return list(writes)
        return [w for w in writes if not self.shows(self.values(w.row), w.column, w.value)]


_NOT_READ = object()
"""What `_AsRead.column` holds for a column that was not read: the same as no value (never)."""


def same_value(current: object, intended: object) -> bool:
    """Does the cell, as read, already show what sheetclerk would write?"""
    if intended is None or intended == "":
        return current is None or current == ""
    if isinstance(intended, str):
        return isinstance(current, str) and current == intended
    if isinstance(intended, (int, Decimal)) and not isinstance(intended, bool):
        return type(current) in (int, float) and Decimal(repr(current)) == intended
    return type(current) is type(intended) and current == intended


def _float_showing(number: Decimal) -> float | None:
    """The one float `f` with `Decimal(repr(f)) == number`, if any: `same_value(f, number)` holds
    exactly for floats equal to it (repr round-trips, and float(Decimal) rounds correctly)."""
    f = float(number)
    return f if Decimal(repr(f)) == number else None


def _orders(
    desk: Desk, evaluation: Evaluation, by_row, state: LedgerState, line_keys: dict[int, str], read: _AsRead
) -> list[CellWrite]:
    """Line Total, Status, Check (and Invoice No once issued) of every line, left out where the sheet
    already shows them: no write built for a cell that stays.

    Each input is gathered for all lines in one tight pass (the owned cells as read, totals, statuses,
    ledger lines) before the lines are compared: far fewer cache misses than a lookup of each per
    line in turn. Text that is the very text intended, and an empty Check that stays empty, are
    recognised inline (as `same_value` does); everything else goes through `same`.
    """
    cells = []
    flags_of = {row: flags for (sheet, row), flags in by_row.items() if sheet == "Orders"}
    same = read.same
    rows = [line.row for line in desk.lines]
    shown = read.cells(("Line Total", "Status", "Check", "Invoice No"))
    if rows == list(range(2, len(rows) + 2)) and len(rows) <= len(shown):  # a line on every row, as usual
        shown_rows = shown
    else:
        compared, not_read = len(shown), (_NOT_READ,) * 4
        shown_rows = [shown[row - 2] if 0 <= row - 2 < compared else not_read for row in rows]
    totals = list(map(evaluation.line_totals.get, rows))
    statuses = list(map(evaluation.statuses.get, rows))
    ledger_lines = list(map(state.lines.get, map(line_keys.get, rows, repeat(""))))
    for row, (shown_total, shown_status, shown_check, shown_invoice), total, status, ledger_line in zip(
        rows, shown_rows, totals, statuses, ledger_lines
    ):
        if not same(shown_total, total):
            cells.append(CellWrite(row, "Line Total", total))
        if not (type(shown_status) is str and shown_status == status) and not same(shown_status, status):
            cells.append(CellWrite(row, "Status", status))
        flags = flags_of.get(row)
        check = check_text(flags) if flags else None
        if not (check is None and (shown_check is None or shown_check == "")) and not same(shown_check, check):
            cells.append(CellWrite(row, "Check", check))
        invoice = ledger_line.invoice_no if ledger_line is not None else None
        if invoice:  # never blank a number sheetclerk did not issue
            if not (type(shown_invoice) is str and shown_invoice == invoice) and not same(shown_invoice, invoice):
                cells.append(CellWrite(row, "Invoice No", invoice))
    return cells


def _inventory(desk: Desk, state: LedgerState, rows: dict[int, str]) -> list[CellWrite]:
    reserved: Counter[tuple[str, str]] = Counter()
    for sku_key, locations in state.reservations.values():
        for location_key, quantity in locations.items():
            reserved[(sku_key, location_key)] += quantity
    cells = []
    for level in desk.stock:
        anchor = rows.get(level.row)
        st = state.stock.get((key(level.sku), key(level.location))) if anchor and anchor.endswith("|1") else None
        if st is None:
            cells += [CellWrite(level.row, "Reserved", None), CellWrite(level.row, "Available", None)]
            continue
        held = reserved[(st.sku_key, st.location_key)]
        cells += [
            CellWrite(level.row, "On Hand", st.book),
            CellWrite(level.row, "Reserved", held),
            CellWrite(level.row, "Available", st.book - held),
        ]
    return cells


def _stock_moves(desk: Desk, by_row, applied: set[int]) -> list[CellWrite]:
    cells = []
    for move in desk.stock_moves:
        flagged = any(f.severity == Severity.ERROR.value for f in by_row.get(("Stock Moves", move.row), []))
        status = "Applied" if move.row in applied else ("Not applied" if flagged else None)
        cells.append(CellWrite(move.row, "Status", status))
    return cells


def _fills(open_flags, state: LedgerState, anchors: dict[str, dict[int, str]]) -> dict[str, list]:
    """Per sheet: colour each flagged cell by its worst flag; put back the fill of cells no longer flagged."""
    worst: dict[tuple[str, int, str, str], str] = {}
    for f in open_flags.values():
        if not f.column or f.row is None:
            continue
        cell = (f.sheet, f.row, f.column, f.anchor)
        if cell not in worst or _SEVERITY_RANK[f.severity] < _SEVERITY_RANK[worst[cell]]:
            worst[cell] = f.severity
    out: dict[str, list] = defaultdict(list)
    flagged = set()
    for (sheet, row, column, anchor), severity in sorted(worst.items()):
        out[sheet].append((row, column, Fill.ERROR if severity == Severity.ERROR.value else Fill.WARNING))
        flagged.add((sheet, anchor, column))
    rows_of = {sheet: {a: r for r, a in rows.items()} for sheet, rows in anchors.items()}
    for (sheet, anchor, column), original in sorted(state.fills.items(), key=lambda kv: kv[0]):
        if (sheet, anchor, column) in flagged:
            continue
        row = rows_of.get(sheet, {}).get(anchor) or (int(anchor[4:]) if anchor.startswith("row:") else None)
        if row is not None:
            out[sheet].append((row, column, Restore(original)))
    return out


def review_matches(table: RawTable | None, rows: tuple[tuple, ...]) -> bool:
    """Does the Review sheet, as read this pass, already hold exactly these rows?"""
    if table is None or tuple(h.strip() for h in table.headers[: len(REVIEW_HEADERS)]) != REVIEW_HEADERS:
        return False
    found = [tuple(values[: len(REVIEW_HEADERS)]) for _, values in table.rows]
    found = [r for r in found if any(v not in (None, "") for v in r)]
    if len(found) != len(rows):
        return False
    return all(_same_review_row(a, b) for a, b in zip(found, rows))


def _same_review_row(found: tuple, wanted: tuple) -> bool:
    return len(found) == len(wanted) and all(same_value(f, w) for f, w in zip(found, wanted))


def _review(open_flags) -> tuple[tuple, ...]:
    ordered = sorted(open_flags.values(), key=lambda f: flag_order(f.sheet, f.row, f.column, f.code))
    return tuple((f.sheet, f.row, f.column, f.code, f.severity, f.message, f.since) for f in ordered)
