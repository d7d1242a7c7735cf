"""Reading one cell's value the way a careful clerk would.

Cells arrive as whatever the reader produced: `str`, `float` (every Excel number
is a double), `int`, `bool`, `date`/`datetime`, or None/"" for empty. Each
parser returns None for a blank cell, the typed value when the cell can be read,
and raises `CellError` (with a message for a person) when it cannot; intake turns
that into a flag on the cell. Numbers become `Decimal` through their shortest
repr, which is the text Excel stored, so 0.1 stays 0.1 and never 0.1000000000000000055.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

#: Excel's day zero for the 1900 date system, past its phantom 1900-02-29.
EXCEL_EPOCH = date(1899, 12, 30)
#: Plausible range for typed dates; a serial outside it is a number typed into a date cell.
_SERIAL_MIN, _SERIAL_MAX = 1, 2958465  # 1900-01-01 .. 9999-12-31

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_CURRENCY = re.compile(r"^[€$£¥]|[€$£¥]$|^(EUR|USD|GBP|CHF|JPY)\s*|\s*(EUR|USD|GBP|CHF|JPY)$", re.I)
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
#: Unambiguous on purpose: `\d+\.?\d*` splits a long digit run in n² ways and a
#: pasted 100k-digit cell would take minutes to refuse.
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})$")
_CARD_EXPIRY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")

_YES = frozenset({"yes", "y", "true", "1", "x", "✓", "✔", "active", "ja", "oui", "si", "sí"})
_NO = frozenset({"no", "n", "false", "0", "-", "inactive", "nein", "non"})

#: Largest magnitude accepted as a number at all; beyond it a cell is a typo.
MAX_MAGNITUDE = Decimal(10) ** 15


class CellError(ValueError):
    """A cell that holds something, but not something of the expected kind."""


def is_blank(value: object) -> bool:
    return value is None or (type(value) is str and (not value or value.isspace()))


def shown(value: object, limit: int = 40) -> str:
    """How a value is quoted back to a clerk in a message: short and recognisable."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def text(value: object) -> str | None:
    """Cell text with outer spaces removed; numbers that are whole print without `.0`."""
    if value is None:
        return None
    t = type(value)
    if t is str:
        s = value.strip()
        return s or None
    if t is float:
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if t is bool:
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip() or None


def key(value: object) -> str | None:
    """The form keys (IDs, SKUs) are matched in: trimmed, inner spaces single, case folded."""
    # Splitting at whitespace and joining with one space is stripping then
    # `_SPACES.sub(" ", s)` (str.isspace() is exactly `_SPACES`' set), ~4x faster.
    if type(value) is str:  # the usual case: split() strips too
        return " ".join(value.split()).casefold() or None
    s = text(value)
    if s is None:
        return None
    return " ".join(s.split()).casefold()


def decimal(value: object) -> Decimal | None:
    """A number, also when typed as text: `" 12.50 "`, `"€1,234.50"`, `"12,50"`."""
    t = type(value)
    if t is float:
        if not math.isfinite(value):
            raise CellError("is not a number")
        d = Decimal(repr(value))
    elif t is int:
        d = Decimal(value)
    elif t is str:
        if not value or value.isspace():
            return None
        d = _decimal_from_text(value)
    elif value is None:
        return None
    elif t is bool:
        raise CellError("is TRUE/FALSE, not a number")
    elif isinstance(value, Decimal):
        d = value
    elif isinstance(value, (date, datetime, timedelta)):
        raise CellError("is a date, not a number")
    else:
        raise CellError("is not a number")
    # copy_abs, not abs(): abs() applies the context and traps Overflow on text like 1e999999999999999999.
    if not d.is_finite() or d.copy_abs() >= MAX_MAGNITUDE:
        raise CellError("is not a usable number")
    return d


def _decimal_from_text(raw: str) -> Decimal:
    s = _SPACES.sub("", raw)
    s = _CURRENCY.sub("", s)
    if _PLAIN_NUMBER.match(s):
        pass
    elif _THOUSANDS_COMMA.match(s):
        s = s.replace(",", "")
    elif _THOUSANDS_DOT.match(s):
        s = s.replace(".", "").replace(",", ".")
    elif s.count(",") == 1 and _PLAIN_NUMBER.match(s.replace(",", ".")):
        s = s.replace(",", ".")  # a decimal comma: "12,50"
    else:
        raise CellError("is not a number")
    try:
        return Decimal(s)
    except InvalidOperation:
        raise CellError("is not a number") from None


def whole(value: object) -> int | None:
    """A whole number; `5`, `5.0`, `"5"` are all 5; `5.5` is an error."""
    d = decimal(value)
    if d is None:
        return None
    if d != d.to_integral_value():
        raise CellError("is not a whole number")
    return int(d)


def fraction(value: object) -> Decimal | None:
    """A percent-formatted cell's fraction: the number 0.1 or the text `"10%"` are 0.1."""
    if type(value) is str and value.strip().endswith("%"):
        d = decimal(value.strip()[:-1])
        return None if d is None else d / 100
    return decimal(value)


def day(value: object, *, day_first: bool = True) -> date | None:
    """A date: a date cell, an Excel serial number, ISO text, or `dd.mm.yyyy` text.

    Slash dates are read day-first unless configured otherwise; ISO is always safe.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    t = type(value)
    if t is float or t is int:
        if t is float and not math.isfinite(value):
            raise CellError("is not a date")
        serial = int(value)  # a fractional part is the time of day
        if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
            raise CellError("is not a date")
        return EXCEL_EPOCH + timedelta(days=serial)
    if t is str:
        s = value.strip()
        if not s:
            return None
        m = _ISO_DATE.match(s)
        try:
            if m:
                return date(int(m[1]), int(m[2]), int(m[3]))
            m = _DMY_DATE.match(s)
            if m:
                a, b, y = int(m[1]), int(m[2]), int(m[3])
                if y < 100:
                    y += 2000
                d, mo = (a, b) if (day_first or "." in s) else (b, a)
                return date(y, mo, d)
        except ValueError:
            raise CellError("is not a real calendar date") from None
        raise CellError("is not a date (type it as 2026-11-22)")
    raise CellError("is not a date")


def card_expiry(value: object) -> tuple[int, int] | None:
    """`MM/YY` (or `MM/YYYY`) as (year, month).

    Excel turns `11/2027` typed into a General cell into 2027-11-01; that is
    accepted. A date on another day means Excel misread `MM/YY` and is refused.
    """
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        if value.day == 1:
            return value.year, value.month
        raise CellError("was turned into a date by Excel; format the column as Text and type MM/YY")
    s = text(value)
    if s is None:
        return None
    m = _CARD_EXPIRY.match(s)
    if not m:
        raise CellError("is not a card expiry (MM/YY)")
    month, year = int(m[1]), int(m[2])
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise CellError("is not a card expiry: the month must be 01 to 12")
    return year, month


def yes_no(value: object, *, default: bool) -> bool:
    """Yes/no cells: yes, y, true, 1, x, ✓ / no, n, false, 0; blank takes the default."""
    if value is None or (type(value) is str and not value.strip()):
        return default
    if type(value) is bool:
        return value
    s = text(value)
    folded = (s or "").casefold()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise CellError("is not yes or no")


def choice(value: object, options: tuple[str, ...]) -> str | None:
    """One of a fixed list, matched ignoring case and outer spaces; returns its canonical spelling."""
    s = text(value)
    if s is None:
        return None
    folded = _SPACES.sub(" ", s).casefold()
    for option in options:
        if option.casefold() == folded:
            return option
    raise CellError("is not one of: " + ", ".join(options))
