"""A1 ranges, colours and values as the Sheets API spells them."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from rules.cells import EXCEL_EPOCH

#: Google's date serials count days from 1899-12-30, as Excel's do after February 1900.
_EPOCH = datetime.combine(EXCEL_EPOCH, time())


def column_letters(index: int) -> str:
    """0-based column position -> "A", "B", …, "AA"."""
    letters = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def quoted(title: str) -> str:
    """A sheet title as an A1 range prefix needs it: always quoted, inner quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def a1(title: str, row: int, column: int) -> str:
    """The A1 name of one cell; `row` 1-based, `column` 0-based."""
    return f"{quoted(title)}!{column_letters(column)}{row}"


def to_json(value: Any) -> Any:
    """A value sheetclerk writes, as JSON for a RAW values update: text stays text, always."""
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (str, int)):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, datetime):
        return (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
    if isinstance(value, date):
        return (value - EXCEL_EPOCH).days
    return str(value)


def is_date(value: Any) -> bool:
    return isinstance(value, date)


def color(argb: str) -> dict[str, float]:
    """"FFFFC7CE" -> Google's {red, green, blue} in 0..1."""
    text = argb[-6:]
    return {name: int(text[i : i + 2], 16) / 255 for name, i in (("red", 0), ("green", 2), ("blue", 4))}


def argb(google_color: dict[str, Any] | None) -> str | None:
    """Google's colour -> "FFRRGGBB"; None for no colour (Google omits zero parts, and white is no fill)."""
    if not google_color:
        return None
    parts = [round(float(google_color.get(k, 0)) * 255) for k in ("red", "green", "blue")]
    text = "FF" + "".join(f"{p:02X}" for p in parts)
    return None if text == "FFFFFFFF" else text


def extended(value: dict[str, Any] | None) -> Any:
    """A cell's `effectiveValue` (ExtendedValue) as the plain value a values read would give."""
    if not value:
        return None
    for k in ("stringValue", "numberValue", "boolValue"):
        if k in value:
            return value[k]
    if "errorValue" in value:
        return "#ERROR!"
    return None
