"""Apply a pass's `WorkbookWrites` to the bytes of an `.xlsx`/`.xlsm` package, in memory.

`apply_writes(data, writes)` returns the new package (or None when every value
and fill is already as asked), the fills cells had before sheetclerk coloured
them, and notes on what could not be done (a sheet or column that is not
there). Only the worksheet parts written to, `styles.xml` and — when a formula
is overwritten or Review is added — `calcChain.xml`, `workbook.xml`, its
relationships and `[Content_Types].xml` change; every other member is copied
byte for byte. File handling (locks, hashes, atomic replace) is `xlsx_writer`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from lxml import etree

from rules.schema import column_keys, header_key
from sync.writeback import FILL_ARGB, CellWrite, Fill, Restore, SheetWrites, WorkbookWrites
from sync.xlsx_book import Book, SheetEntry
from sync.xlsx_calc import drop_cells, without_override, without_relationship
from sync.xlsx_cells import CellContext, header_text, put, same, style_of
from sync.xlsx_review import write_review
from sync.xlsx_sheet import SheetPart
from sync.xlsx_styles import MINIMAL_STYLES, Styles
from sync.xlsx_xml import split_ref
from sync.xlsx_zip import Spliced, ZipPackage

FillKey = tuple[str, int, str]


@dataclass(slots=True)
class Edited:
    content: bytes | None
    """The new package, or None when nothing needed to change."""
    original_fills: dict[FillKey, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class _Session:
    """The state of one pass over one package."""

    def __init__(self, data: bytes):
        self.package = ZipPackage.parse(data)
        self.book = Book(self.package)
        self.styles_missing = self.book.styles_part is None
        styles_xml = MINIMAL_STYLES if self.styles_missing else self.package.read(self.book.styles_part)  # type: ignore[arg-type]
        self.styles = Styles(styles_xml)
        self.ctx = CellContext(self.styles, self.book.shared_strings, self.book.date1904)
        self.parts: dict[str, SheetPart] = {}
        self.formulas_dropped: set[tuple[int, str]] = set()
        self.added: dict[str, bytes] = {}
        self.replaced: dict[str, bytes | Spliced] = {}
        self.original_fills: dict[FillKey, str | None] = {}
        self.notes: list[str] = []

    def part(self, entry: SheetEntry) -> SheetPart:
        assert entry.part is not None
        if entry.part not in self.parts:
            self.parts[entry.part] = SheetPart(self.package.read(entry.part))
        return self.parts[entry.part]


def prepare(data: bytes, sheets: Iterable[str]) -> _Session:
    """The package opened, and the named sheets' parts inflated and their rows found, ahead of the writes.

    A pass prepares while it waits for its read to finish; `apply_writes(data,
    writes, prepared)` then starts from here. Raises like `apply_writes`.
    """
    session = _Session(data)
    for name in sheets:
        entry = session.book.find_sheet(name)
        if entry is not None and entry.part is not None and entry.kind == "worksheet":
            session.part(entry).index_rows()
    return session


def apply_writes(data: bytes, writes: WorkbookWrites, prepared: _Session | None = None) -> Edited:
    """Raises `PackageError` (or an lxml error) for a package that cannot be read; the caller reports it.

    `prepared` is `prepare(data, ...)` of these same bytes, used once.
    """
    session = prepared if prepared is not None else _Session(data)
    for sheet_writes in writes.sheets:
        _apply_sheet(session, sheet_writes)
    if writes.review is not None:
        write_review(session, writes.review)
    return _finish(session)


# --- one sheet ---------------------------------------------------------------------

class _Header:
    """Row 1 of a sheet: which column each header is in, and where a new one goes."""

    def __init__(self, part: SheetPart, session: _Session):
        self.part, self.session = part, session
        self.columns: dict[str, int] = {}
        self.last = 0
        row = part.row(1)
        if row is None:
            return
        for c in part.cells(row):
            text = header_text(c, session.book.shared_strings)
            column = _column_of(c)
            if text and column:
                self.columns.setdefault(header_key(text), column)
                self.last = max(self.last, column)

    def find(self, sheet: str, header: str) -> int | None:
        for key in column_keys(sheet, header):
            if key in self.columns:
                return self.columns[key]
        return None

    def add(self, header: str) -> int:
        """Put a missing header in the first column after the last used one, styled like its neighbour."""
        column = self.last + 1
        neighbour = self.part.cell(1, self.last) if self.last else None
        cell = self.part.cell(1, column, create=True)
        assert cell is not None
        if neighbour is not None and neighbour.get("s"):
            cell.set("s", neighbour.get("s", "0"))
        put(cell, header, self.session.ctx)
        self.part.changed(1)
        self.columns[header_key(header)] = column
        self.last = column
        return column


def _column_of(c: etree._Element) -> int | None:
    ref = split_ref(c.get("r", ""))
    return ref[1] if ref else None


def _apply_sheet(session: _Session, writes: SheetWrites) -> None:
    if not writes.cells and not writes.fills:
        return
    entry = session.book.find_sheet(writes.sheet)
    if entry is None or entry.part is None or entry.kind != "worksheet":
        why = "is not in the workbook" if entry is None else "is not a worksheet"
        session.notes.append(
            f"sheet '{writes.sheet}' {why}: {len(writes.cells)} value(s) and {len(writes.fills)} colour(s) not written"
        )
        return
    part = session.part(entry)
    header = _Header(part, session)
    work: list[tuple[int, int, int, Callable[[], None]]] = []
    for i, (w, column) in enumerate(_value_targets(session, header, writes)):
        work.append((w.row, 0, i, partial(_write_value, session, entry, part, w, column)))
    fill_columns = {name: header.find(writes.sheet, name) for name in dict.fromkeys(name for _, name, _ in writes.fills)}
    for i, (row, name, fill) in enumerate(writes.fills):
        column = fill_columns[name]
        if column is None:
            session.notes.append(f"sheet '{writes.sheet}' has no column '{name}': row {row} not coloured")
        elif row >= 1:
            work.append((row, 1, i, partial(_write_fill, session, part, writes.sheet, row, name, column, fill)))
    # In row order, so the sheet can let go of the rows it is done with.
    work.sort(key=lambda item: item[:3])
    for row, _, _, step in work:
        part.flush_before(row)
        step()


def _value_targets(session: _Session, header: _Header, writes: SheetWrites) -> list[tuple[CellWrite, int]]:
    """Each value write with its column; missing columns get their header (when a value needs it)."""
    columns: dict[str, int | None] = {name: header.find(writes.sheet, name) for name in dict.fromkeys(w.column for w in writes.cells)}
    targets: list[tuple[CellWrite, int]] = []
    for w in writes.cells:
        column = columns[w.column]
        if column is None:
            if w.value is None or w.value == "":
                continue
            column = columns[w.column] = header.add(w.column)
        if w.row < 2:
            session.notes.append(f"sheet '{writes.sheet}': row {w.row} is the header row; value for '{w.column}' not written")
            continue
        targets.append((w, column))
    return targets


def _write_value(session: _Session, entry: SheetEntry, part: SheetPart, w: CellWrite, column: int) -> None:
    cell = part.cell(w.row, column)
    if same(cell, w.value, session.ctx):
        return
    if cell is None:
        cell = part.cell(w.row, column, create=True)
        assert cell is not None
    part.unshare(cell)
    if put(cell, w.value, session.ctx):
        session.formulas_dropped.add((entry.sheet_id, cell.get("r", "")))
    part.changed(w.row)


def _write_fill(session: _Session, part: SheetPart, sheet: str, row: int, name: str, column: int, fill: Fill | Restore) -> None:
    styles = session.styles
    cell = part.cell(row, column)
    if isinstance(fill, Fill):
        s = style_of(cell) if cell is not None else part.new_cell_style(row, column)
        target = styles.with_fill(s, FILL_ARGB[fill])
        if cell is not None and target == s:
            return
        if not styles.is_ours(s):
            session.original_fills[(sheet, row, name)] = styles.fill_xml(s)
        if cell is None:
            cell = part.cell(row, column, create=True)
            assert cell is not None
        cell.set("s", str(target))
        part.changed(row)
    elif isinstance(fill, Restore):
        if cell is None or not styles.is_ours(style_of(cell)):
            return
        s = style_of(cell)
        try:
            target = styles.with_original_fill(s, fill.original)
        except (etree.LxmlError, ValueError):
            session.notes.append(f"sheet '{sheet}' row {row} '{name}': the remembered fill is not a <fill>; colour removed instead")
            target = styles.with_original_fill(s, None)
        if target == s:
            return
        if target:
            cell.set("s", str(target))
        else:
            cell.attrib.pop("s", None)
        part.changed(row)


# --- putting the package together ---------------------------------------------------------

def _finish(session: _Session) -> Edited:
    replaced = session.replaced
    for name, part in session.parts.items():
        if part.dirty:
            if name in session.added:
                session.added[name] = part.to_bytes()
            else:  # as edits: the package keeps the deflate blocks they do not touch
                replaced[name] = Spliced(tuple(part.edits()))
    if session.styles.changed:
        if session.styles_missing:
            part_name, listed = session.book.add_styles()
            session.added[part_name] = session.styles.to_bytes()
            replaced.update(listed)
        else:
            assert session.book.styles_part is not None
            replaced[session.book.styles_part] = session.styles.to_bytes()
    removed: set[str] = set()
    chain = session.book.calc_chain_part
    if session.formulas_dropped and chain is not None:
        remaining = drop_cells(session.package.read(chain), session.formulas_dropped)
        if remaining is None:
            removed.add(chain)
            rels = replaced.get(session.book.rels_part) or session.package.read(session.book.rels_part)
            replaced[session.book.rels_part] = without_relationship(rels, chain.rpartition("/")[2])
            types = replaced.get("[Content_Types].xml") or session.package.read("[Content_Types].xml")
            replaced["[Content_Types].xml"] = without_override(types, chain)
        elif remaining != session.package.read(chain):
            replaced[chain] = remaining
    added = session.added
    replaced = {k: v for k, v in replaced.items() if k not in added and _changes(v, session.package.read(k))}
    if not replaced and not added and not removed:
        return Edited(None, {}, session.notes)
    content = session.package.rebuild(replaced, added, removed)
    return Edited(content, session.original_fills, session.notes)


def _changes(new: bytes | Spliced, old: bytes) -> bool:
    return new.changes(old) if isinstance(new, Spliced) else new != old
