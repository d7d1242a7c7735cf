"""`xl/styles.xml`: the cell formats sheetclerk derives (flag fills, date formats, bold headers).

A cell's look is the cell format (`<xf>` in `cellXfs`) its `s` attribute points
to. sheetclerk never edits an existing format: it copies the cell's format with
one thing changed (fill, number format, font) and appends the copy, reusing an
identical format or fill when one exists, so repeated passes do not grow the
file. Nothing is removed, so a cell can always get its old format back.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from sync.writeback import FILL_ARGB
from sync.xlsx_xml import MAIN_NS, canonical, into_namespace, local, parse, serialize, without_namespace

_OURS = frozenset(v.upper() for v in FILL_ARGB.values())

#: Built-in number formats that show dates or times.
_DATE_BUILTINS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81})
DATE_FORMAT = 14
"""Built-in short date (shown in the reader's locale)."""
DATETIME_FORMAT = 22
"""Built-in short date with time."""

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DATE_CODES = re.compile(r"[dmyhsDMYHSeE]")

MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    b"</styleSheet>"
)
"""The styles part of a package that has none (only needed when sheetclerk must add a format)."""


def is_date_code(code: str) -> bool:
    """Whether a custom number format shows a date or time (`dd.mm.yyyy`, `h:mm`), not a number."""
    bare = _QUOTED.sub("", code.split(";")[0])
    return bool(_DATE_CODES.search(bare)) and "General" not in bare


class Styles:
    """An editable `styles.xml`. `changed` tells whether `to_bytes()` differs from what was read."""

    def __init__(self, data: bytes):
        self._original = data
        self._root = parse(data)
        self.ns = self._root.tag[1:].partition("}")[0] if self._root.tag.startswith("{") else MAIN_NS
        self.changed = False
        self._xfs = self._root.find(self._q("cellXfs"))
        self._fills = self._root.find(self._q("fills"))
        self._fonts = self._root.find(self._q("fonts"))
        self._numfmts = {
            int(n.get("numFmtId", "-1")): n.get("formatCode", "")
            for n in self._root.iterfind(f"{{{self.ns}}}numFmts/{{{self.ns}}}numFmt")
            if (n.get("numFmtId") or "").isdigit()
        }
        self._xf_list = self._children(self._xfs)
        self._fill_list = self._children(self._fills)
        self._ours: dict[int, bool] = {}
        self._dates: dict[int, bool] = {}
        self._filled: dict[tuple[int, str], int] = {}
        self._fill_ids: dict[tuple, int] | None = None
        self._xf_ids: dict[tuple, int] | None = None
        self._xf_loose: dict[tuple, int] | None = None
        self._derived: dict[tuple, int] = {}

    # --- reading ---------------------------------------------------------------------

    def _q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def _children(self, parent: etree._Element | None) -> list[etree._Element]:
        if parent is None:
            return []
        return [c for c in parent if isinstance(c.tag, str)]

    def xf(self, s: int) -> etree._Element | None:
        xfs = self._xf_list
        return xfs[s] if 0 <= s < len(xfs) else None

    def fill_id(self, s: int) -> int:
        xf = self.xf(s)
        try:
            return int(xf.get("fillId", "0")) if xf is not None else 0
        except ValueError:
            return 0

    def fill(self, s: int) -> etree._Element | None:
        fills = self._fill_list
        i = self.fill_id(s)
        return fills[i] if 0 < i < len(fills) else None

    def fill_xml(self, s: int) -> str | None:
        """The `<fill>` of a cell with format `s`, as namespace-free XML (None: no fill of its own)."""
        fill = self.fill(s)
        return None if fill is None else without_namespace(fill, self.ns)

    def is_ours(self, s: int) -> bool:
        """Whether the cell's fill is one sheetclerk puts on (by its exact colour)."""
        if s not in self._ours:
            self._ours[s] = self._is_ours(s)
        return self._ours[s]

    def _is_ours(self, s: int) -> bool:
        fill = self.fill(s)
        if fill is None:
            return False
        fg = fill.find(f"{self._q('patternFill')}/{self._q('fgColor')}")
        return fg is not None and (fg.get("rgb") or "").upper() in _OURS

    def is_date(self, s: int) -> bool:
        if s not in self._dates:
            self._dates[s] = self._is_date(s)
        return self._dates[s]

    def _is_date(self, s: int) -> bool:
        xf = self.xf(s)
        if xf is None:
            return False
        try:
            fmt = int(xf.get("numFmtId", "0"))
        except ValueError:
            return False
        if fmt in self._numfmts:
            return is_date_code(self._numfmts[fmt])
        return fmt in _DATE_BUILTINS

    # --- deriving formats ------------------------------------------------------------

    def with_fill(self, s: int, argb: str) -> int:
        """The format of `s` with a solid fill of colour `argb`."""
        if (s, argb) not in self._filled:
            self._filled[(s, argb)] = self._with_fill(s, argb)
        return self._filled[(s, argb)]

    def _with_fill(self, s: int, argb: str) -> int:
        fill = etree.Element(self._q("fill"))
        pattern = etree.SubElement(fill, self._q("patternFill"), patternType="solid")
        etree.SubElement(pattern, self._q("fgColor"), rgb=argb)
        etree.SubElement(pattern, self._q("bgColor"), indexed="64")
        return self._derive(s, fillId=str(self._add_fill(fill)), applyFill="1")

    def with_original_fill(self, s: int, original: str | None) -> int:
        """The format of `s` with the fill it had before sheetclerk coloured it."""
        if original is None:
            return self._derive(s, fillId="0", applyFill=None, prefer_loose=True)
        element = into_namespace(original, self.ns)
        if local(element.tag) != "fill":
            raise ValueError("not a <fill> element")
        return self._derive(s, fillId=str(self._add_fill(element)), applyFill="1", prefer_loose=True)

    def with_number_format(self, s: int, fmt: int) -> int:
        return self._derive(s, numFmtId=str(fmt), applyNumberFormat="1")

    def bold(self, s: int) -> int:
        """The format of `s` with a bold font."""
        fonts = self._children(self._fonts)
        xf = self.xf(s)
        base_id = int(xf.get("fontId", "0")) if xf is not None and (xf.get("fontId") or "0").isdigit() else 0
        if not fonts or self._fonts is None:
            return s
        font = copy.deepcopy(fonts[base_id] if base_id < len(fonts) else fonts[0])
        if font.find(self._q("b")) is None:
            font.insert(0, etree.Element(self._q("b")))
        key = canonical(font)
        for i, existing in enumerate(fonts):
            if canonical(existing) == key:
                return self._derive(s, fontId=str(i), applyFont="1")
        self._fonts.append(font)
        self._recount(self._fonts)
        return self._derive(s, fontId=str(len(fonts)), applyFont="1")

    def _add_fill(self, fill: etree._Element) -> int:
        if self._fills is None:
            raise ValueError("styles.xml has no <fills>")
        if self._fill_ids is None:
            self._fill_ids = {}
            for i, existing in enumerate(self._fill_list):
                self._fill_ids.setdefault(canonical(existing), i)
        key = canonical(fill)
        if key not in self._fill_ids:
            self._fill_ids[key] = len(self._fill_list)
            self._fills.append(fill)
            self._fill_list.append(fill)
            self._recount(self._fills)
        return self._fill_ids[key]

    def _derive(self, s: int, prefer_loose: bool = False, **attributes: str | None) -> int:
        """Index of a format equal to `s` with `attributes` set (None: removed); appended if new.

        `prefer_loose` reuses a format that differs only in its apply* flags,
        so a restored cell gets back its very own format.
        """
        memo = (s, prefer_loose, tuple(sorted(attributes.items())))
        if memo not in self._derived:
            self._derived[memo] = self._derive_new(s, prefer_loose, attributes)
        return self._derived[memo]

    def _derive_new(self, s: int, prefer_loose: bool, attributes: dict[str, str | None]) -> int:
        if self._xfs is None:
            raise ValueError("styles.xml has no <cellXfs>")
        base = self.xf(s)
        if base is None:
            xf = etree.Element(self._q("xf"), numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")
        else:
            xf = copy.deepcopy(base)
        for name, value in attributes.items():
            if value is None:
                xf.attrib.pop(name, None)
            else:
                xf.set(name, value)
        if base is not None and canonical(xf) == canonical(base):
            return s
        if self._xf_ids is None or self._xf_loose is None:
            self._xf_ids, self._xf_loose = {}, {}
            for i, existing in enumerate(self._xf_list):
                self._xf_ids.setdefault(canonical(existing), i)
                self._xf_loose.setdefault(_loose(existing), i)
        if prefer_loose:
            loose = _loose(xf)
            if base is not None and _loose(base) == loose:
                return s
            if loose in self._xf_loose:
                return self._xf_loose[loose]
        key = canonical(xf)
        if key not in self._xf_ids:
            index = len(self._xf_list)
            self._xf_ids[key] = index
            self._xf_loose.setdefault(_loose(xf), index)
            self._xfs.append(xf)
            self._xf_list.append(xf)
            self._recount(self._xfs)
        return self._xf_ids[key]

    def _recount(self, parent: etree._Element) -> None:
        parent.set("count", str(len(self._children(parent))))
        self.changed = True

    def to_bytes(self) -> bytes:
        return serialize(self._root, self._original)


def _loose(xf: etree._Element) -> tuple:
    """A format's identity ignoring its apply* flags (which do not change how the cell looks)."""
    stripped = copy.deepcopy(xf)
    for name in list(stripped.attrib):
        if name.startswith("apply"):
            del stripped.attrib[name]
    return canonical(stripped)
