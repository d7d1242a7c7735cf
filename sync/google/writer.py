"""Writing a pass's results into a Google Sheet: the same `WorkbookWrites` the file writer gets.

Clerks insert, delete and sort rows while the daemon works, and Google has no
"only if unchanged" write. So right before writing, the tabs to be written are
read once more (one `spreadsheets.get` with grid data: values, notes, colours)
and every row is **located again by its key** (Orders: Order ID and SKU, with
the occurrence for repeats; Inventory: SKU and Location; …), exactly as it was
read this pass. A write goes to the row that now holds that key; a row whose
key is gone or changed gets nothing (the next pass catches up). Then:

- all values in one `values:batchUpdate` with `valueInputOption=RAW`: text is
  stored as text, so a message quoting `=1+1` or `+49 30 1234` never becomes a
  formula; numbers as numbers; dates as serial numbers with a date format;
- all colours and notes in one `spreadsheets:batchUpdate` (sent first, as it
  also adds the Review tab or grid room when needed): a flagged cell gets
  sheetclerk's red or amber and a note starting "sheetclerk:" with the flags'
  messages; a cleared one gets its own colour back, and only while it still
  shows sheetclerk's colour; a clerk's own note is never replaced or removed.

Cells already showing what would be written are left out; when nothing is
left, nothing is sent (UNCHANGED). Failures are `WriteOutcome`s, never
exceptions. `WriteOutcome.sha256` is None after a write: Google gives the new
version only on the next poll, so the next pass reads the sheet once more (and
finds nothing to do).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rules.cells import key as fold
from rules.flags import Severity
from rules.schema import REVIEW, SHEETS, column_keys, header_key
from rules.table import RawTable, find_sheet
from sync.google.cells import a1, argb, color, column_letters, extended, is_date, quoted, to_json
from sync.google.problems import GoogleProblem, translated
from sync.google.source import GoogleSheet, Tab, tabs_of
from sync.live_writer import fill_xml, original_argb
from sync.writeback import FILL_ARGB, REVIEW_HEADERS, Fill, Restore, SheetWrites, WorkbookWrites, WriteOutcome, WriteStatus
from sync.writeplan import same_value

#: Columns that identify a row of each tab (as `sync.row_keys.ANCHOR_FIELDS` does for the ledger).
ANCHOR_HEADERS: dict[str, tuple[str, ...]] = {
    "Orders": ("Order ID", "SKU"),
    "Products": ("SKU",),
    "Customers": ("Customer ID",),
    "Inventory": ("SKU", "Location"),
    "Stock Moves": ("Date", "SKU", "Location", "Quantity", "Reason", "Reference"),
    "Payments": ("Payment ID",),
    "Returns": ("RMA ID",),
}
NOTE_PREFIX = "sheetclerk: "
GRID_FIELDS = (
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
    "data(rowData(values(effectiveValue,note,userEnteredFormat/backgroundColor))))"
)
DATE_FORMAT = {"type": "DATE", "pattern": "yyyy-mm-dd"}
_OURS = frozenset(FILL_ARGB.values())
_SPECS = {s.name: s for s in SHEETS}


@dataclass
class Grid:
    """One tab as it is right before the write."""

    tab: Tab
    values: list[list[Any]] = field(default_factory=list)
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    colours: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row 1-based, column 0-based) -> ARGB of the cell's own fill."""

    def value(self, row: int, column: int) -> Any:
        values = self.values[row - 1] if 0 < row <= len(self.values) else []
        return values[column] if column < len(values) else None

    @property
    def headers(self) -> list[str]:
        return [str(v).strip() if v is not None else "" for v in (self.values[0] if self.values else [])]

    def position(self, sheet: str, header: str) -> int | None:
        wanted = set(column_keys(sheet, header))
        return next((i for i, h in enumerate(self.headers) if header_key(h) in wanted), None)

    @property
    def width(self) -> int:
        headers = self.headers
        while headers and not headers[-1]:
            headers.pop()
        return len(headers)


class GoogleWriter:
    """The `WorkbookWriter` for a `GoogleSheet` (see the module docstring)."""

    def write(self, target: GoogleSheet, writes: WorkbookWrites, expected_sha256: str) -> WriteOutcome:
        if writes.empty:
            return WriteOutcome(WriteStatus.UNCHANGED, expected_sha256)
        try:
            return _Write(target, writes, expected_sha256).run()
        except GoogleProblem as e:
            return WriteOutcome(WriteStatus.FAILED if e.retry else WriteStatus.UNREADABLE, message=str(e))


class _Write:
    def __init__(self, sheet: GoogleSheet, writes: WorkbookWrites, expected: str) -> None:
        self.sheet, self.writes, self.expected = sheet, writes, expected
        self.values: list[dict[str, Any]] = []
        self.formats: list[dict[str, Any]] = []
        self.original_fills: dict[tuple[str, int, str], str | None] = {}
        self.skipped = 0

    def run(self) -> WriteOutcome:
        s = self.sheet
        tabs = s.tabs if s.tabs is not None else s.load_tabs()
        wanted = {sw.sheet for sw in self.writes.sheets if sw.cells or sw.fills}
        if self.writes.review is not None:
            wanted.add(REVIEW.name)
        titles = {name: t for name in wanted if (t := find_sheet(tabs, name)) is not None}
        grids = self._grids(sorted(set(titles.values())))
        notes = _notes(self.writes.review, s.snapshot.get(REVIEW.name))
        for sw in self.writes.sheets:
            if sw.sheet in titles and sw.sheet != REVIEW.name:
                self._sheet(sw, grids[titles[sw.sheet]], notes)
        if self.writes.review is not None:
            self._review(grids.get(titles.get(REVIEW.name, "")))
        if not self.values and not self.formats:
            if self.skipped:
                return WriteOutcome(WriteStatus.WRITTEN, None, message=self._skipped_note())
            return WriteOutcome(WriteStatus.UNCHANGED, self.expected)
        with translated(s.where, s.account):
            if self.formats:
                s.http.batch_update(s.key, {"requests": self.formats})
            if self.values:
                s.http.values_batch_update(s.key, {"valueInputOption": "RAW", "data": self.values})
        return WriteOutcome(WriteStatus.WRITTEN, None, self.original_fills, self._skipped_note())

    def _skipped_note(self) -> str:
        if not self.skipped:
            return ""
        return (f"{self.skipped} cell(s) not written: their rows were changed, moved away or deleted while "
                "sheetclerk worked; the next pass writes them.")

    # --- reading the tabs as they are now ---------------------------------------------------

    def _grids(self, titles: list[str]) -> dict[str, Grid]:
        if not titles:
            return {}
        s = self.sheet
        with translated(s.where, s.account):
            answer = s.http.spreadsheets_get(
                s.key, params={"ranges": [quoted(t) for t in titles], "includeGridData": "true", "fields": GRID_FIELDS}
            )
        found = tabs_of(answer)
        if s.tabs is not None:
            s.tabs.update(found)
        grids = {}
        for sheet in answer.get("sheets", []):
            tab = found[sheet["properties"]["title"]]
            grid = Grid(tab)
            data = (sheet.get("data") or [{}])[0]
            for r, row in enumerate(data.get("rowData", []), start=1):
                cells = row.get("values", [])
                grid.values.append([extended(c.get("effectiveValue")) for c in cells])
                for c, cell in enumerate(cells):
                    if cell.get("note"):
                        grid.notes[(r, c)] = cell["note"]
                    colour = argb((cell.get("userEnteredFormat") or {}).get("backgroundColor"))
                    if colour:
                        grid.colours[(r, c)] = colour
            grids[tab.title] = grid
        return grids

    # --- one tab -------------------------------------------------------------------------------

    def _sheet(self, sw: SheetWrites, grid: Grid, notes: dict[tuple[str, int, str], list[str]]) -> None:
        locate = _locator(sw.sheet, self.sheet.snapshot.get(sw.sheet), grid)
        columns: dict[str, int | None] = {}
        for w in sw.cells:
            row = locate(w.row)
            if row is None:
                self.skipped += 1
                continue
            col = columns.get(w.column)
            if col is None:
                col = columns[w.column] = self._column(grid, sw.sheet, w.column, add=True)
            if same_value(grid.value(row, col), w.value) and not is_date(w.value):
                continue
            self.values.append({"range": a1(grid.tab.title, row, col), "values": [[to_json(w.value)]]})
            if is_date(w.value):
                self.formats.append(_repeat(grid.tab, row, col, {"userEnteredFormat": {"numberFormat": DATE_FORMAT}},
                                            "userEnteredFormat.numberFormat"))
        for read_row, header, change in sw.fills:
            row = locate(read_row)
            col = grid.position(sw.sheet, header)
            if row is None or col is None:
                self.skipped += row is None
                continue
            if isinstance(change, Fill):
                messages = notes.get((sw.sheet, read_row, header))
                text = NOTE_PREFIX + "\n".join(messages) if messages else None
                self._flag(grid, sw.sheet, read_row, header, row, col, FILL_ARGB[change], text)
            elif isinstance(change, Restore):
                self._restore(grid, row, col, change)

    def _column(self, grid: Grid, sheet: str, header: str, *, add: bool) -> int:
        col = grid.position(sheet, header)
        if col is not None or not add:
            return col  # type: ignore[return-value]
        col = grid.width
        self.values.append({"range": a1(grid.tab.title, 1, col), "values": [[header]]})
        if not grid.values:
            grid.values.append([])
        grid.values[0] += [None] * (col + 1 - len(grid.values[0]))
        grid.values[0][col] = header
        if col >= grid.tab.columns:
            self.formats.append(_append(grid.tab, "COLUMNS", col + 1 - grid.tab.columns))
            grid.tab = Tab(grid.tab.sheet_id, grid.tab.title, grid.tab.rows, col + 1)
        return col

    def _flag(self, grid: Grid, sheet: str, read_row: int, header: str, row: int, col: int, want: str, text: str | None) -> None:
        cell: dict[str, Any] = {}
        fields = []
        current = grid.colours.get((row, col))
        if current != want:
            if current not in _OURS:
                self.original_fills[(sheet, read_row, header)] = fill_xml(current)
            cell["userEnteredFormat"] = {"backgroundColor": color(want)}
            fields.append("userEnteredFormat.backgroundColor")
        note = grid.notes.get((row, col))
        if text is not None and (note is None or note.startswith(NOTE_PREFIX)) and note != text:
            cell["note"] = text
            fields.append("note")
        if fields:
            self.formats.append(_repeat(grid.tab, row, col, cell, ",".join(fields)))

    def _restore(self, grid: Grid, row: int, col: int, change: Restore) -> None:
        cell: dict[str, Any] = {}
        fields = []
        if grid.colours.get((row, col)) in _OURS:
            try:
                back = original_argb(change.original)
            except ValueError:
                back = None
            if back:
                cell["userEnteredFormat"] = {"backgroundColor": color(back)}
            fields.append("userEnteredFormat.backgroundColor")
        note = grid.notes.get((row, col))
        if note is not None and note.startswith(NOTE_PREFIX):
            fields.append("note")
        if fields:
            self.formats.append(_repeat(grid.tab, row, col, cell, ",".join(fields)))

    # --- the Review tab ------------------------------------------------------------------------

    def _review(self, grid: Grid | None) -> None:
        rows = [list(REVIEW_HEADERS), *[[to_json(v) for v in r] for r in self.writes.review or ()]]
        width = max(len(REVIEW_HEADERS), grid.width if grid else 0)
        height = max(len(rows), len(grid.values) if grid else 0)
        matrix = [(r + [""] * width)[:width] for r in rows] + [[""] * width for _ in range(height - len(rows))]
        if grid is None:
            self.formats.append({"addSheet": {"properties": {
                "title": REVIEW.name,
                "gridProperties": {"rowCount": max(1000, height + 1), "columnCount": max(26, width), "frozenRowCount": 1},
            }}})
        elif height > grid.tab.rows:
            self.formats.append(_append(grid.tab, "ROWS", height - grid.tab.rows))
        if grid is not None and all(same_value(grid.value(r + 1, c), v) for r, row in enumerate(matrix) for c, v in enumerate(row)):
            return
        self.values.append({"range": f"{quoted(REVIEW.name if grid is None else grid.tab.title)}!A1:"
                                     f"{column_letters(width - 1)}{height}", "values": matrix})


# --- helpers -----------------------------------------------------------------------------------


def _repeat(tab: Tab, row: int, col: int, cell: dict[str, Any], fields: str) -> dict[str, Any]:
    return {"repeatCell": {
        "range": {"sheetId": tab.sheet_id, "startRowIndex": row - 1, "endRowIndex": row, "startColumnIndex": col, "endColumnIndex": col + 1},
        "cell": cell,
        "fields": fields,
    }}


def _append(tab: Tab, dimension: str, length: int) -> dict[str, Any]:
    return {"appendDimension": {"sheetId": tab.sheet_id, "dimension": dimension, "length": length}}


def _notes(review: tuple[tuple, ...] | None, table: RawTable | None) -> dict[tuple[str, int, str], list[str]]:
    """(sheet, row, column) -> the messages of its open flags, from the Review being written or as read."""
    rows: list = list(review) if review is not None else [values for _, values in (table.rows if table else [])]
    out: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    for r in rows:
        r = list(r) + [None] * 7
        sheet, row, column, severity, message = r[0], r[1], r[2], r[4], r[5]
        if not sheet or not column or row in (None, ""):
            continue
        try:
            n = int(row)
        except (TypeError, ValueError):
            continue
        mark = "✖ " if severity == Severity.ERROR.value else "▲ "
        out[(str(sheet), n, str(column))].append(mark + str(message or ""))
    return out


def _norm(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return fold(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else float(value)
    return str(value)


def _locator(sheet: str, read: RawTable | None, now: Grid):
    """read row -> the row that holds the same key now (None: gone, changed, or cannot be told)."""
    if read is None:
        return lambda row: row if row <= len(now.values) else None
    spec = _SPECS.get(sheet)
    read_pos = read.positions(spec) if spec else {}
    anchors = [h for h in ANCHOR_HEADERS.get(sheet, ()) if h in read_pos]
    now_pos = [now.position(sheet, h) for h in anchors]

    def identity(values, positions) -> tuple | None:
        if not positions or None in positions:
            return None
        parts = tuple(_norm(values[p]) if p < len(values) else None for p in positions)
        return None if all(p is None for p in parts) else parts

    was: dict[int, tuple] = {}
    seen: dict[tuple, int] = defaultdict(int)
    for row, values in read.rows:
        ident = identity(values, [read_pos[h] for h in anchors])
        if ident is not None:
            seen[ident] += 1
            was[row] = (ident, seen[ident])
    where: dict[tuple, int] = {}
    seen.clear()
    for i, values in enumerate(now.values[1:], start=2):
        ident = identity(values, now_pos)
        if ident is not None:
            seen[ident] += 1
            where[(ident, seen[ident])] = i
    read_rows = {row: values for row, values in read.rows} if not anchors else {}

    def locate(row: int) -> int | None:
        if row in was:
            return where.get(was[row])
        if anchors:
            return None
        # No key columns: only the same row with the same content.
        values = read_rows.get(row)
        current = now.values[row - 1] if 0 < row <= len(now.values) else None
        if values is None or current is None:
            return None
        same = [_norm(v) for v in values]
        here = [_norm(v) for v in current]
        n = max(len(same), len(here))
        return row if same + [None] * (n - len(same)) == here + [None] * (n - len(here)) else None

    return locate
