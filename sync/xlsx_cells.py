"""One `<c>` element: what it holds now, and writing a new value into it.

Text is always written as an inline string (`t="inlineStr"`), so nothing a
clerk or a flag message contains can become a formula. Numbers keep their
exact decimal text. Dates become Excel serial numbers under a date format.
Writing never changes a cell's format except to give a date a date format.
None and the empty string both empty the cell (its format stays).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from lxml import etree

from sync.xlsx_strings import SharedStrings, item_text
from sync.xlsx_styles import DATE_FORMAT, DATETIME_FORMAT, Styles
from sync.xlsx_xml import XML_SPACE, escape_text, unescape_text

_EPOCH_1900 = date(1899, 12, 30)
_EPOCH_1904 = date(1904, 1, 1)
_LEAP_BUG_END = date(1900, 3, 1)
_DOUBLE_MAX = Decimal("1e308")


@dataclass(slots=True)
class CellContext:
    styles: Styles
    strings: SharedStrings
    date1904: bool = False


@dataclass(frozen=True, slots=True)
class Held:
    """What a cell holds: kind is 'empty', 'text', 'number', 'bool', 'error' or 'formula'."""

    kind: str
    value: object = None


EMPTY = Held("empty")


def style_of(c: etree._Element) -> int:
    s = c.get("s")
    return int(s) if s and s.isdigit() else 0


def _child(c: etree._Element, name: str) -> etree._Element | None:
    suffix = "}" + name
    for child in c:
        tag = child.tag
        if isinstance(tag, str) and (tag.endswith(suffix) or tag == name):
            return child
    return None


def _parts(c: etree._Element) -> tuple[etree._Element | None, etree._Element | None, etree._Element | None]:
    """The cell's `<f>`, `<v>` and `<is>` children (None where absent), in one look."""
    f = v = inline = None
    for child in c:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = tag[tag.rfind("}") + 1 :]
        if name == "v":
            v = child
        elif name == "f":
            f = child
        elif name == "is":
            inline = child
    return f, v, inline


def held(c: etree._Element | None, strings: SharedStrings) -> Held:
    if c is None:
        return EMPTY
    f, v, inline = _parts(c)
    if f is not None:
        return Held("formula")
    t = c.get("t", "n")
    if t == "inlineStr":
        return Held("text", item_text(inline)) if inline is not None else EMPTY
    if v is None:
        return EMPTY
    text = v.text or ""
    if t == "s":
        index = int(text) if text.strip().isdigit() else None
        found = strings.text(index) if index is not None else None
        return Held("text", found) if found is not None else Held("error", text)
    if t == "str":
        return Held("text", unescape_text(text))
    if t == "b":
        return Held("bool", text.strip() in ("1", "true"))
    if t == "e":
        return Held("error", text)
    if t == "d":
        return Held("text", text)
    try:
        return Held("number", Decimal(text.strip()))
    except InvalidOperation:
        return Held("error", text)


def header_text(c: etree._Element, strings: SharedStrings) -> str:
    """A header cell's text as the reader sees it (a whole number without '.0')."""
    h = held(c, strings)
    if h.kind == "text":
        return str(h.value).strip()
    if h.kind == "number":
        number = h.value
        assert isinstance(number, Decimal)
        return str(int(number)) if number == number.to_integral_value() else str(number)
    if h.kind == "bool":
        return "TRUE" if h.value else "FALSE"
    if h.kind == "formula":
        v = _child(c, "v")
        return (v.text or "").strip() if v is not None else ""
    return ""


def serial(value: date, date1904: bool) -> Decimal | None:
    """Excel's serial number for a date (time of day as a fraction), or None outside Excel's range."""
    day = value.date() if isinstance(value, datetime) else value
    if date1904:
        days = (day - _EPOCH_1904).days
    elif day < _LEAP_BUG_END:
        days = (day - _EPOCH_1900).days - 1  # Excel counts a 29 February 1900 that never was
    else:
        days = (day - _EPOCH_1900).days
    if days < (0 if date1904 else 1) or days > 2958465:
        return None
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        if seconds:
            return Decimal(days) + Decimal(repr(seconds / 86400))
    return Decimal(days)


def _number_text(value: object) -> str | None:
    """The `<v>` text for a number, or None when Excel cannot hold it as one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if abs(value) < 10**308 else None
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value) >= _DOUBLE_MAX:
            return None
        text = format(value, "f")
        return "0" if text in ("-0", "0", "") else text
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    return None


def same(c: etree._Element | None, value: object, ctx: CellContext) -> bool:
    """Whether the cell already holds `value` (so writing it would change nothing)."""
    h = held(c, ctx.strings)
    if value is None or value == "":
        return h.kind == "empty"
    if isinstance(value, str):
        return h.kind == "text" and h.value == value
    if isinstance(value, bool):
        return h.kind == "bool" and h.value == value
    if isinstance(value, date):
        number = serial(value, ctx.date1904)
        if number is None:
            return h.kind == "text" and h.value == value.isoformat()
        if h.kind != "number" or c is None or not ctx.styles.is_date(style_of(c)):
            return False
        return abs(Decimal(str(h.value)) - number) < Decimal("1e-9")
    text = _number_text(value)
    if text is None:
        return h.kind == "text" and h.value == str(value)
    return h.kind == "number" and h.value == Decimal(text)


def put(c: etree._Element, value: object, ctx: CellContext) -> bool:
    """Write `value` into the cell, keeping its format; True when a formula was dropped."""
    f, v, inline = _parts(c)
    for child in (f, v, inline):
        if child is not None:
            c.remove(child)
    had_formula = f is not None
    for name in ("t", "cm", "vm"):
        c.attrib.pop(name, None)
    if value is None or value == "":
        return had_formula
    if isinstance(value, bool):
        c.set("t", "b")
        _add(c, "v").text = "1" if value else "0"
    elif isinstance(value, date):
        number = serial(value, ctx.date1904)
        if number is None:
            _put_text(c, value.isoformat())
        else:
            s = style_of(c)
            if not ctx.styles.is_date(s):
                timed = isinstance(value, datetime) and value.time() != time()
                c.set("s", str(ctx.styles.with_number_format(s, DATETIME_FORMAT if timed else DATE_FORMAT)))
            _add(c, "v").text = _number_text(number)
    elif isinstance(value, str):
        _put_text(c, value)
    else:
        text = _number_text(value)
        if text is None:
            _put_text(c, str(value))
        else:
            _add(c, "v").text = text
    return had_formula


def _put_text(c: etree._Element, text: str) -> None:
    c.set("t", "inlineStr")
    inline = _add(c, "is")
    t = etree.SubElement(inline, inline.tag.rpartition("}")[0] + "}t" if "}" in inline.tag else "t")
    t.set(XML_SPACE, "preserve")
    t.text = escape_text(text)


def _add(c: etree._Element, name: str) -> etree._Element:
    """A new `<v>`/`<is>` child, placed before any `<extLst>`."""
    ns = c.tag.rpartition("}")[0] + "}" if "}" in c.tag else ""
    element = c.makeelement(ns + name, {})
    ext = _child(c, "extLst")
    if ext is not None:
        ext.addprevious(element)
    else:
        c.append(element)
    return element
