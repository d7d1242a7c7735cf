"""The business's choices the rules depend on, as one immutable value.

Built from the settings at an entry point and passed down; the rules never read
configuration themselves.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from rules.money import Rounding


class ShippingMethod(BaseModel):
    """A way goods leave: what it costs the customer, and how that charge is taxed."""

    model_config = ConfigDict(frozen=True)

    charge: Decimal = Decimal(0)
    """Net charge per order."""
    tax_rate: Decimal = Decimal(0)
    """Tax rate on the charge, as a fraction."""
    free_over: Decimal | None = None
    """Orders whose net goods total reaches this ship free."""
    carrier: str = ""


DEFAULT_SHIPPING: dict[str, ShippingMethod] = {
    "Standard": ShippingMethod(charge=Decimal("4.90"), tax_rate=Decimal("0.19"), free_over=Decimal("150")),
    "Express": ShippingMethod(charge=Decimal("14.90"), tax_rate=Decimal("0.19")),
    "Pickup": ShippingMethod(),
}


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True)

    rounding: Rounding = Rounding()
    shipping: dict[str, ShippingMethod] = Field(default_factory=lambda: dict(DEFAULT_SHIPPING))
    price_tolerance: Decimal = Decimal("0.005")
    """Largest difference between a typed Unit Price and the list price that still matches."""
    day_first: bool = True
    """Read `03/04/2026` as 3 April (True) or March 4 (False). ISO dates are always safe."""
    seller_country: str = ""
    """ISO 3166 code of the business; decides reverse charge and exports (rules.tax_treatment)."""
    approved_orders: frozenset[str] = frozenset()
    """Order IDs (as keys) a manager approved; known from the ledger once there is one."""

    def shipping_method(self, name: str | None) -> tuple[str, ShippingMethod] | None:
        """The configured method whose name matches, ignoring case and spaces."""
        if name is None:
            return None
        folded = " ".join(name.split()).casefold()
        for method_name, method in self.shipping.items():
            if method_name.casefold() == folded:
                return method_name, method
        return None
