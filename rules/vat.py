"""VAT identification numbers, checked with python-stdnum.

A number with a country prefix (`DE136695976`, `EL094259216`) is checked for
that country; without one, for the customer's country. Countries stdnum has no
VAT module for are not checked: wrongly rejecting a good number is worse than
missing a bad one, which is also why a failure is only a warning.
"""

from __future__ import annotations

from functools import lru_cache

from stdnum.eu import vat as eu_vat
from stdnum.util import get_cc_module

#: VAT prefixes that are not the ISO country code.
_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}


@lru_cache(maxsize=64)
def _module(country: str):
    try:
        return get_cc_module(country.lower(), "vat")
    except Exception:  # noqa: BLE001 - no module for that country
        return None


def check(vat_id: str, country: str | None) -> str | None:
    """None when the number is valid or cannot be checked; else why it fails."""
    compact = "".join(ch for ch in vat_id if ch.isalnum()).upper()
    if not compact:
        return None
    prefix = compact[:2] if compact[:2].isalpha() else ""
    cc = _PREFIX_COUNTRY.get(prefix, prefix) or (country or "").upper()
    if not cc:
        return None
    if cc.lower() in eu_vat.MEMBER_STATES or prefix == "XI":
        number = compact if prefix else ("EL" if cc == "GR" else cc) + compact
        return None if eu_vat.is_valid(number) else _reason(vat_id, cc)
    module = _module(cc)
    if module is None:
        return None
    try:
        valid = module.is_valid(compact) or bool(prefix) and module.is_valid(compact[2:])
    except Exception:  # noqa: BLE001 - a checker that crashes is no evidence against the number
        return None
    return None if valid else _reason(vat_id, cc)


def _reason(vat_id: str, country: str) -> str:
    return f"VAT ID '{vat_id}' fails the {country} check digits or format; check it with the customer."
