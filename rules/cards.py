"""Spotting full payment card numbers, so they never travel further than the cell.

A card number is 13 to 19 digits (spaces or dashes allowed between them) that
pass the Luhn check and start with a payment-card major industry identifier
(ISO/IEC 7812: 1 to 6). The first digit rule keeps parcel tracking numbers,
which often pass Luhn by chance but start with 7, 8, 9 or 0, from being flagged.
Excel keeps only 15 significant digits of a number, so a 16 to 19 digit card
typed into a General cell arrives with its last digits zeroed: such a number is
flagged without the Luhn check, since no order desk has a legitimate one.
"""

from __future__ import annotations

import re

from stdnum import luhn

_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ \-]?){12,18}\d(?!\d)")
_PAYMENT_MII = frozenset("123456")
_REDACTED = "[card number removed]"


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and digits[0] in _PAYMENT_MII and luhn.is_valid(digits)


def find_card(value: object) -> str | None:
    """The last four digits of a card number the value holds, or None."""
    t = type(value)
    if t is str:
        if len(value) < 13:
            return None
        for m in _CANDIDATE.finditer(value):
            digits = re.sub(r"\D", "", m.group())
            if _is_card(digits):
                return digits[-4:]
        return None
    if t is float or t is int:
        if not 1e12 <= abs(value) < 1e19:
            return None
        if t is float and not value.is_integer():
            return None
        digits = str(int(abs(value)))
        if _is_card(digits):
            return digits[-4:]
        if len(digits) >= 16 and digits[0] in _PAYMENT_MII:
            return digits[-4:]  # Excel dropped the digits past the 15th
    return None


def redact(text: str | None) -> str | None:
    """Text with any card number replaced, so notes can be kept without it."""
    if text is None or len(text) < 13:
        return text
    return _CANDIDATE.sub(lambda m: _REDACTED if _is_card(re.sub(r"\D", "", m.group())) else m.group(), text)
