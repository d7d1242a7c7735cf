"""Money: `Decimal` end to end, and the one rounding policy.

The policy (documented in README "Money and rounding"):

* Amounts are rounded to the currency's minor unit (2 places for EUR/USD/GBP,
  0 for JPY, 3 for KWD: ISO 4217 as Babel's CLDR data gives it), half-up by
  default (`ROUND_HALF_UP`: 0.125 -> 0.13); the mode is configurable.
* Each line's net amount is rounded once: quantity x unit price x (1 - discount).
* Tax is rounded per line by default (`tax_rounding = "line"`); with
  `tax_rounding = "rate"` each rate's tax is computed once on the sum of its
  rounded line nets. Either way the per-rate breakdown adds up exactly:
  net total = sum of line nets, gross = net total + sum of tax per rate.
* Nothing is ever rounded twice and no float is ever involved.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from enum import StrEnum
from functools import lru_cache

from babel.numbers import get_currency_precision
from pydantic import BaseModel, ConfigDict

ZERO = Decimal(0)
ONE = Decimal(1)
#: Digits enough to quantize any amount cells can produce (each number is below
#: 10^15; a line's tax multiplies four): the default 28 would make quantize raise
#: InvalidOperation on a nonsense quantity instead of letting the rules flag it.
_WIDE = Context(prec=100)


class RoundingMode(StrEnum):
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"

    @property
    def decimal_mode(self) -> str:
        return ROUND_HALF_UP if self is RoundingMode.HALF_UP else ROUND_HALF_EVEN


class TaxRounding(StrEnum):
    LINE = "line"
    """Round each line's tax, then add them up per rate."""
    RATE = "rate"
    """Add up each rate's line nets, then round that rate's tax once."""


@lru_cache(maxsize=64)
def minor_unit(currency: str) -> int:
    """Decimal places of a currency's minor unit (ISO 4217 via CLDR); 2 when unknown."""
    try:
        return int(get_currency_precision(currency.upper()))
    except Exception:  # noqa: BLE001 - an unknown code falls back to cents
        return 2


class Rounding(BaseModel):
    """How amounts are rounded; built once from the settings and passed down."""

    model_config = ConfigDict(frozen=True)

    currency: str = "EUR"
    mode: RoundingMode = RoundingMode.HALF_UP
    tax: TaxRounding = TaxRounding.LINE

    @property
    def quantum(self) -> Decimal:
        return _quantum(minor_unit(self.currency))

    def round(self, amount: Decimal) -> Decimal:
        """Round to the currency's minor unit with the configured mode."""
        # Called for every amount of every line: the default mode is known by identity,
        # since hashing an enum member (for a cache key) runs Python code.
        mode = ROUND_HALF_UP if self.mode is RoundingMode.HALF_UP else self.mode.decimal_mode
        return amount.quantize(_currency_quantum(self.currency), rounding=mode, context=_WIDE)


@lru_cache(maxsize=64)
def _currency_quantum(currency: str) -> Decimal:
    """The currency's minor unit as a quantum: looked up once, used for every amount."""
    return _quantum(minor_unit(currency))


@lru_cache(maxsize=8)
def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)
