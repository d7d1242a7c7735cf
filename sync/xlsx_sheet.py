"""One worksheet part, edited row by row.

Only the `<row>` elements a pass touches are parsed (with lxml, inside a
wrapper that declares the worksheet's namespaces, so prefixes survive) and
written back; every other byte of the part — other rows, conditional formats,
data validations, sparkline and data-bar extensions, drawings — is copied as it
was. New rows go in row order, new cells in column order, and `<dimension>`
grows to cover them.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Iterator

from lxml import etree

from sync.deflate_splice import Edit, pieces
from sync.xlsx_formula import shift
from sync.xlsx_xml import MAIN_NS, cell_ref, column_index, local, parse, split_range, split_ref
from sync.xlsx_zip import PackageError

_NS_DECL = re.compile(rb"""\sxmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d+)["']""")
_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


class _RowIndex:
    """Where the `<row>`s of a `<sheetData>` are: their numbers in document order, and the byte
    offsets of the rows a pass touches.

    Excel, openpyxl and sheetclerk spell every row `<row r="N"` with N ascending: two scans at C
    speed then give every number, and a row is found only when asked for (a search between the
    nearest rows already found), so a one-row edit of a 100k-row sheet makes no object per row.
    Any other sheet (rows without `r`, `r` not first, numbers out of order) is indexed tag by tag.
    """

    def __init__(self, data: bytes, prefix: bytes, content: tuple[int, int]):
        self._data = data
        self._lo, self._hi = content
        self._head = b"<" + prefix + b'row r="'
        self._tag = re.compile(rb"<" + re.escape(prefix) + rb"row\b([^>]*?)(/?)>")
        self._close = b"</" + prefix + b"row>"
        self._starts: dict[int, int] = {}
        """Row index -> offset of its `<row`, for the rows looked at (all of them, tag by tag)."""
        self._found: list[int] = []
        """Indices in `_starts`, sorted (ascending sheets only)."""
        self._ends: dict[int, int] = {}
        self.implicit: list[int] = []
        """Indices of rows stored without `r` (numbered by position)."""
        self._first: dict[int, int] | None = None
        """Number -> index of its first row, when numbers are not ascending (else a bisect finds it)."""
        numbers = self._explicit_ascending(prefix)
        self.numbers: list[int] = numbers if numbers is not None else self._tag_by_tag()

    def _explicit_ascending(self, prefix: bytes) -> list[int] | None:
        """Every row's number, if each `<row` starts `<row r="N"` (N spelt as `str(N)` spells it, so a search
        for that text finds the row) and the numbers ascend (one scan)."""
        pattern = re.compile(rb"<" + re.escape(prefix) + rb'row(?: r="([1-9]\d*)")?')
        found = pattern.findall(self._data, self._lo, self._hi)
        if b"" in found:  # a row spelt otherwise (or a tag that only starts like one)
            return None
        numbers = list(map(int, found))
        if not all(map(operator.lt, numbers, numbers[1:])):
            return None
        return numbers

    def _tag_by_tag(self) -> list[int]:
        numbers: list[int] = []
        number = 0
        self._first = {}
        for i, m in enumerate(self._tag.finditer(self._data, self._lo, self._hi)):
            r = _R_ATTR.search(m.group(1))
            number = int(r.group(1)) if r else number + 1
            if r is None:
                self.implicit.append(i)
            numbers.append(number)
            self._starts[i] = m.start()
            self._first.setdefault(number, i)
        return numbers

    def position(self, number: int) -> int | None:
        """Index of the (first) row with this number."""
        if self._first is not None:
            return self._first.get(number)
        i = bisect.bisect_left(self.numbers, number)
        return i if i < len(self.numbers) and self.numbers[i] == number else None

    def start(self, i: int) -> int:
        """Offset of row i's `<row`."""
        found = self._starts.get(i)
        if found is None:
            k = bisect.bisect_left(self._found, i)
            before, after = (self._found[k - 1] if k > 0 else -1), (self._found[k] if k < len(self._found) else len(self.numbers))
            lo = self._starts[before] if before >= 0 else self._lo
            hi = self._starts[after] if after < len(self.numbers) else self._hi
            found = self._search(self._head + str(self.numbers[i]).encode() + b'"', lo, hi, (i - before) / (after - before))
            self._starts[i] = found
            self._found.insert(k, i)
        return found

    def _search(self, needle: bytes, lo: int, hi: int, share: float) -> int:
        """The one place in [lo, hi) the needle is (numbers ascend, so it is there once): looked for
        first around where rows of even length would put it, the window widening until found."""
        guess, window = lo + int((hi - lo) * share), 1 << 14
        while True:
            a, b = max(lo, guess - window), min(hi, guess + window)
            found = self._data.find(needle, a, b)
            if found >= 0:
                return found
            if a == lo and b == hi:  # cannot be: the scan counted it
                raise PackageError(f"row {needle[len(self._head):-1].decode()} of a worksheet part was not found again")
            window *= 4

    def end(self, i: int) -> int:
        """Offset just after row i (its `/>` or `</row>`)."""
        end = self._ends.get(i)
        if end is None:
            m = self._tag.match(self._data, self.start(i))
            if m is None:
                raise PackageError("a worksheet part has a <row> tag that is not closed")
            if m.group(2) == b"/":
                end = m.end()
            else:
                close = self._data.find(self._close, m.end(), self._hi)
                if close < 0:
                    raise PackageError("a worksheet part has a <row> that is not closed")
                end = close + len(self._close)
            self._ends[i] = end
        return end


CHUNK = 4
"""Rows parsed (and written back) together: one lxml call per chunk, not per row."""


class SheetPart:
    """A worksheet part; rows are parsed in chunks on first use, changed chunks are re-serialized
    by `to_bytes()`, everything else is copied as it was.

    Work through a sheet in row order and call `flush_before(row)`: chunks that
    are done are then serialized and let go, so a 100k-row sheet is never held
    as one tree.
    """

    def __init__(self, data: bytes):
        self._data = data
        root = re.search(rb"<(?![?!])([\w.-]+:)?([\w.-]+)([^>]*)>", data)
        if root is None or root.group(2) != b"worksheet":
            raise PackageError("a sheet part is not a worksheet")
        self._prefix = root.group(1) or b""
        decls = _NS_DECL.findall(root.group(3))
        self.ns = _namespace_of(root.group(3), self._prefix) or MAIN_NS
        self._row_tag, self._c_tag = f"{{{self.ns}}}row", f"{{{self.ns}}}c"
        data_tag = re.compile(rb"<" + re.escape(self._prefix) + rb"sheetData\b([^>]*?)(/?)>")
        m = data_tag.search(data, root.end())
        if m is None:
            raise PackageError("a worksheet part has no <sheetData>")
        self._head_end = m.start()
        decls += _NS_DECL.findall(m.group(1))
        self._wrap_open = b"<" + self._prefix + b"sheetData" + b"".join(decls) + b">"
        self._wrap_close = b"</" + self._prefix + b"sheetData>"
        self._data_open = (m.start(), m.end())
        self._empty = m.group(2) == b"/"
        if self._empty:
            self._content = (m.end(), m.end())
        else:
            close = data.find(self._wrap_close, m.end())
            if close < 0:
                raise PackageError("a worksheet part's <sheetData> is not closed")
            self._content = (m.end(), close)
        self._row_index: _RowIndex | None = None
        self._chunks: dict[int, etree._Element] = {}
        """Parsed chunks: chunk index -> wrapper element holding its rows."""
        self._dirty_chunks: set[int] = set()
        self._flushed: dict[int, bytes] = {}
        """Changed chunks already serialized: chunk index -> their new bytes."""
        self._rows: dict[int, etree._Element] = {}
        self._row_chunk: dict[int, int] = {}
        self._cells: dict[int, dict[str, etree._Element]] = {}
        self._new_rows: dict[int, int] = {}
        """Rows sheetclerk added -> the chunk they went into (-1: the lonely wrapper)."""
        self._lonely: etree._Element | None = None
        """Wrapper for new rows of a sheet that has none."""
        self._replaced_content: bytes | None = None
        self._row_extent: tuple[int, int] | None = None
        self._column_extent: tuple[int, int] | None = None
        self._exact_extent = False
        self._column_styles: list[tuple[int, int, int]] | None = None
        self._autofilter_ref: str | None = None

    # --- rows ------------------------------------------------------------------------

    def index_rows(self) -> None:
        """Find where each row is now (the first row lookup would), so that a later edit starts at once."""
        self._index()

    def _index(self) -> _RowIndex:
        if self._row_index is None:
            self._row_index = _RowIndex(self._data, self._prefix, self._content)
        return self._row_index

    @property
    def _numbers(self) -> list[int]:
        return self._index().numbers

    def _chunk_range(self, k: int) -> tuple[int, int]:
        index = self._index()
        last = min((k + 1) * CHUNK, len(index.numbers)) - 1
        return index.start(k * CHUNK), index.end(last)

    def _load(self, k: int) -> etree._Element:
        """Parse chunk k (from its new bytes if it was flushed)."""
        if k in self._chunks:
            return self._chunks[k]
        start, end = self._chunk_range(k)
        flushed = self._flushed.pop(k, None)
        wrapper = parse(self._wrap_open + (flushed if flushed is not None else self._data[start:end]) + self._wrap_close)
        rows = [r for r in wrapper if r.tag == self._row_tag]
        if flushed is not None:
            self._dirty_chunks.add(k)
            numbers = [int(r.get("r", "0")) for r in rows]
        else:
            numbers = self._numbers[k * CHUNK : (k + 1) * CHUNK]
        # A number spelt twice (a sheet Excel would repair) means the first row with it, whichever
        # chunk is loaded first: as read, that is the index's; rows in re-read new bytes keep the first seen.
        first = None if flushed is not None else self._index().position
        for j, (number, row) in enumerate(zip(numbers, rows), start=k * CHUNK):
            if row.get("r") is None:
                row.set("r", str(number))
            if number not in self._rows if first is None else first(number) == j:
                self._rows[number] = row
                self._row_chunk[number] = k
        self._chunks[k] = wrapper
        return wrapper

    def row_numbers(self) -> list[int]:
        return sorted(set(self._numbers) | set(self._new_rows))

    def row(self, number: int, create: bool = False) -> etree._Element | None:
        """The `<row>` element for an Excel row number, parsed on first use."""
        if number in self._rows:
            return self._rows[number]
        i = self._index().position(number)
        if i is not None or number in self._new_rows:
            self._load(i // CHUNK if i is not None else self._new_rows[number])
            return self._rows[number]
        if not create:
            return None
        return self._new_row(number)

    def _new_row(self, number: int) -> etree._Element:
        numbers = self._numbers
        pos = bisect.bisect_left(numbers, number)
        if numbers and pos > 0:  # after the row the number follows, in that row's chunk
            anchor = self.row(numbers[pos - 1])
            k = self._row_chunk[numbers[pos - 1]]
            wrapper = self._chunks[k]
        elif numbers:
            k, anchor = 0, None
            wrapper = self._load(k)
        else:
            k = -1
            if self._lonely is None:
                self._lonely = parse(self._wrap_open + self._wrap_close)
            wrapper, anchor = self._lonely, None
        new = wrapper.makeelement(self._row_tag, {"r": str(number)})
        # After the anchor (or at the start), past new rows with smaller numbers.
        following = anchor.getnext() if anchor is not None else (wrapper[0] if len(wrapper) else None)
        while following is not None and following.tag == self._row_tag and int(following.get("r", "0")) in self._new_rows and int(following.get("r", "0")) < number:
            anchor, following = following, following.getnext()
        if anchor is not None:
            anchor.addnext(new)
        elif following is not None:
            following.addprevious(new)
        else:
            wrapper.append(new)
        self._rows[number] = new
        self._row_chunk[number] = k
        self._new_rows[number] = k
        self.changed(number)
        return new

    def changed(self, number: int) -> None:
        """Note that a parsed row was modified and must be written back."""
        self._dirty_chunks.add(self._row_chunk.get(number, -1))

    def flush_before(self, number: int) -> None:
        """Serialize and let go of the chunks that hold only rows before `number` (work goes in row order)."""
        if len(self._chunks) < 3:
            return
        pos = bisect.bisect_left(self._numbers, number)
        keep = (pos - 1) // CHUNK if pos > 0 else 0
        for k in [k for k in self._chunks if k < keep and k != 0]:
            self._release(k)

    def _release(self, k: int) -> None:
        wrapper = self._chunks.pop(k)
        if k in self._dirty_chunks:
            self._dirty_chunks.discard(k)
            self._flushed[k] = _inner(wrapper)
        for row in wrapper:
            if row.tag == self._row_tag:
                number = int(row.get("r", "0"))
                if self._row_chunk.get(number) == k:
                    del self._rows[number], self._row_chunk[number]
                    self._cells.pop(number, None)

    @property
    def dirty(self) -> bool:
        return bool(self._dirty_chunks or self._flushed) or self._replaced_content is not None

    # --- cells -----------------------------------------------------------------------

    def cells(self, row: etree._Element) -> Iterator[etree._Element]:
        return (c for c in row if c.tag == self._c_tag)

    def _cell_map(self, number: int, row: etree._Element) -> dict[str, etree._Element]:
        """The row's cells by reference ("B7"); cells stored without one get theirs."""
        found = self._cells.get(number)
        if found is None:
            found = {c.get("r"): c for c in row.iterchildren(self._c_tag)}
            if None in found:
                column = 0
                for c in row.iterchildren(self._c_tag):
                    ref = c.get("r")
                    column = _column(ref) if ref else column + 1
                    if not ref:
                        c.set("r", cell_ref(number, column))
                found = {c.get("r"): c for c in row.iterchildren(self._c_tag)}
            self._cells[number] = found
        return found

    def cell(self, number: int, column: int, create: bool = False) -> etree._Element | None:
        row = self.row(number, create)
        if row is None:
            return None
        cells = self._cell_map(number, row)
        ref = cell_ref(number, column)
        c = cells.get(ref)
        if c is not None or not create:
            return c
        # Not there under its usual name; one spelt unusually ("$B$7", "b7") counts too.
        columns = {_column(r): x for r, x in cells.items() if r}
        if column in columns:
            return columns[column]
        new = row.makeelement(self._c_tag, {"r": ref})
        style = self._default_style(row, column)
        if style:
            new.set("s", str(style))
        later = min((col for col in columns if col > column), default=None)
        if later is not None:
            columns[later].addprevious(new)
        else:
            tail = [c for c in row if local(c.tag) == "extLst"]
            if tail:
                tail[0].addprevious(new)
            else:
                row.append(new)
        cells[ref] = new
        self._fix_spans(row, column)
        self.changed(number)
        self._grow(number, column)
        return new

    def new_cell_style(self, number: int, column: int) -> int:
        """The format a cell that does not exist yet shows with."""
        row = self.row(number)
        if row is not None:
            return self._default_style(row, column)
        return next((style for first, last, style in self._columns() if first <= column <= last), 0)

    def _default_style(self, row: etree._Element, column: int) -> int:
        """The format a new cell shows with: the row's, else the column's (as Excel does)."""
        if row.get("customFormat") in ("1", "true") and (row.get("s") or "").isdigit():
            return int(row.get("s", "0"))
        for first, last, style in self._columns():
            if first <= column <= last:
                return style
        return 0

    def _columns(self) -> list[tuple[int, int, int]]:
        if self._column_styles is None:
            head = self._data[: self._head_end]
            self._column_styles = []
            for m in re.finditer(rb"<" + re.escape(self._prefix) + rb"col\b([^>]*?)/?>", head):
                attrs = {k.decode(): (a or b).decode() for k, a, b in _ATTR.findall(m.group(1))}
                if attrs.get("min", "").isdigit() and attrs.get("max", "").isdigit():
                    style = int(attrs["style"]) if attrs.get("style", "").isdigit() else 0
                    self._column_styles.append((int(attrs["min"]), int(attrs["max"]), style))
        return self._column_styles

    def _fix_spans(self, row: etree._Element, column: int) -> None:
        """Widen the row's optional `spans` hint ("1:14") to cover a new cell."""
        spans = row.get("spans")
        if spans is None:
            return
        bounds = [int(n) for n in re.findall(r"\d+", spans)]
        if not bounds:
            row.attrib.pop("spans")
        elif not min(bounds) <= column <= max(bounds):
            row.set("spans", f"{min(min(bounds), column)}:{max(max(bounds), column)}")

    def _grow(self, number: int, column: int) -> None:
        rows, columns = self._row_extent, self._column_extent
        self._row_extent = (min(rows[0], number), max(rows[1], number)) if rows else (number, number)
        self._column_extent = (min(columns[0], column), max(columns[1], column)) if columns else (column, column)

    # --- formulas --------------------------------------------------------------------

    def unshare(self, master: etree._Element) -> None:
        """Before a shared formula's first cell is overwritten, give the other cells their own copy."""
        f = next((x for x in master if local(x.tag) == "f"), None)
        if f is None or f.get("t") != "shared" or not f.text or f.get("ref") is None:
            return
        area, home = split_range(f.get("ref", "")), split_ref(master.get("r", ""))
        if area is None or home is None:
            return
        si = f.get("si")
        first_row, first_col, last_row, last_col = area
        numbers = set(self._numbers) | set(self._new_rows)
        for number in range(first_row, last_row + 1):
            if number not in numbers:
                continue
            row = self.row(number)
            assert row is not None
            for ref, c in self._cell_map(number, row).items():
                column = _column(ref or "")
                if not first_col <= column <= last_col or c is master:
                    continue
                g = next((x for x in c if local(x.tag) == "f"), None)
                if g is None or g.get("t") != "shared" or g.get("si") != si or g.text:
                    continue
                g.text = shift(f.text, number - home[0], column - home[1])
                for name in ("t", "si", "ref"):
                    g.attrib.pop(name, None)
                self.changed(number)

    # --- whole-sheet replacement (Review) ----------------------------------------------

    def scratch(self) -> etree._Element:
        """An empty `<sheetData>` in this part's namespaces, to build rows for `replace_rows` in."""
        return parse(self._wrap_open + self._wrap_close)

    def replace_rows(self, scratch: etree._Element, last_row: int, last_column: int) -> None:
        """Make the rows built in `scratch` the sheet's whole content."""
        self._replaced_content = _inner(scratch)
        for container in (self._rows, self._row_chunk, self._cells, self._chunks, self._flushed):
            container.clear()
        self._dirty_chunks.clear()
        self._new_rows.clear()
        self._lonely = None
        self._row_extent, self._column_extent = (1, max(last_row, 1)), (1, max(last_column, 1))
        self._exact_extent = True

    def set_autofilter_ref(self, ref: str) -> None:
        """Move an existing `<autoFilter>` to cover `ref` (a sheet without one is left without)."""
        self._autofilter_ref = ref

    # --- output ----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        if not self.dirty:
            return self._data
        return b"".join(pieces(self._data, self.edits()))

    def edits(self) -> list[Edit]:
        """What `to_bytes` changes in the part as read: (start, end, new bytes), in order."""
        if not self.dirty:
            return []
        edits: list[Edit] = []
        start, end = self._content
        if self._replaced_content is not None:
            edits.append(self._data_edit(start, end, self._replaced_content))
        else:
            for k in sorted(self._chunks):
                if k in self._dirty_chunks and k >= 0:
                    self._flushed[k] = _inner(self._chunks[k])
            for k, text in self._flushed.items():
                edits.append((*self._chunk_range(k), text))
            if self._lonely is not None and len(self._lonely):
                edits.append(self._data_edit(start, start, _inner(self._lonely)))
            if self._new_rows:
                # Rows without an `r` are numbered by position: new rows in between would renumber them.
                index = self._index()
                for i in index.implicit:
                    if i // CHUNK not in self._flushed:
                        at = index.start(i) + len(self._prefix) + 4
                        edits.append((at, at, b' r="' + str(index.numbers[i]).encode() + b'"'))
        edits.extend(self._dimension_edit())
        edits.extend(self._after_edits())
        edits.sort(key=lambda e: (e[0], e[1]))
        return edits

    def _data_edit(self, start: int, end: int, body: bytes) -> tuple[int, int, bytes]:
        """Replace sheetData content [start, end); an empty `<sheetData/>` gets opened."""
        if self._empty:
            opened = b"<" + self._prefix + b"sheetData>"
            return (self._data_open[0], self._data_open[1], opened + body + self._wrap_close)
        return (start, end, body)

    def _dimension_edit(self) -> list[tuple[int, int, bytes]]:
        if self._row_extent is None:
            return []
        pattern = re.compile(rb"<" + re.escape(self._prefix) + rb"dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
        m = pattern.search(self._data, 0, self._head_end)
        if m is None:
            return []
        old = split_range(m.group(1).decode("ascii", "replace"))
        (a, c), (b, d) = self._row_extent, self._column_extent or (1, 1)
        if old is not None and not self._exact_extent:
            a, b, c, d = min(a, old[0]), min(b, old[1]), max(c, old[2]), max(d, old[3])
        if old is not None and (a, b, c, d) == old:
            return []
        new = cell_ref(a, b) if (a, b) == (c, d) else f"{cell_ref(a, b)}:{cell_ref(c, d)}"
        return [(m.start(1), m.end(1), new.encode())]

    def _after_edits(self) -> list[tuple[int, int, bytes]]:
        if self._autofilter_ref is None:
            return []
        pattern = re.compile(rb"<" + re.escape(self._prefix) + rb"autoFilter\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
        m = pattern.search(self._data, self._content[1])
        if m is None or m.group(1).decode("ascii", "replace") == self._autofilter_ref:
            return []
        return [(m.start(1), m.end(1), self._autofilter_ref.encode())]


def _inner(wrapper: etree._Element) -> bytes:
    """The serialized content of a wrapper element, without the wrapper's own tags."""
    if not len(wrapper):
        return b""
    text = etree.tostring(wrapper, encoding="UTF-8", xml_declaration=False)
    return text[text.index(b">") + 1 : text.rindex(b"</")]


_COLUMNS: dict[str, int] = {}


def _column(ref: str) -> int:
    """Column number of a cell reference ('AB12' -> 28), cached per column letters."""
    letters = ref.rstrip("0123456789")
    found = _COLUMNS.get(letters)
    if found is None:
        clean = letters.replace("$", "").upper()
        found = _COLUMNS[letters] = column_index(clean) if clean.isalpha() and len(clean) <= 3 else 0
    return found


def _namespace_of(attrs: bytes, prefix: bytes) -> str | None:
    name = b"xmlns:" + prefix[:-1] if prefix else b"xmlns"
    for k, a, b in _ATTR.findall(attrs):
        if k == name:
            return (a or b).decode()
    return None
