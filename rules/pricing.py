"""Prices, discounts, tax per rate, shipping and order totals, following `rules.money`.

Every amount is a `Decimal`; each line net and each tax amount is rounded once,
to the currency's minor unit, and every total is a sum of rounded parts, so the
documents always add up to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from rules.construct import replaced, trusted
from rules.models import OrderLine, Product
from rules.money import ONE, ZERO, Rounding, TaxRounding
from rules.policy import ShippingMethod


class PricedLine(BaseModel):
    """A line's price. It does not name its row: identical lines share one."""

    model_config = ConfigDict(frozen=True)

    sku: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    net: Decimal
    tax_rate: Decimal
    tax: Decimal
    """This line's own rounded tax (used by per-line tax rounding)."""


class TaxBand(BaseModel):
    """One line of the tax breakdown: everything taxed at one rate."""

    model_config = ConfigDict(frozen=True)

    rate: Decimal
    net: Decimal
    tax: Decimal


class OrderTotals(BaseModel):
    model_config = ConfigDict(frozen=True)

    lines: tuple[PricedLine, ...]
    goods_net: Decimal
    shipping_method: str | None
    shipping_net: Decimal
    shipping_tax: Decimal
    """The charge's own rounded tax; with per-rate rounding the bands are authoritative."""
    bands: tuple[TaxBand, ...]
    """Tax breakdown by rate (shipping included), ascending by rate."""
    net: Decimal
    tax: Decimal
    gross: Decimal


def unit_price(line: OrderLine, product: Product) -> Decimal | None:
    """The price the line is sold at: as typed, or the list price when left blank."""
    return line.unit_price if line.unit_price is not None else product.unit_price


def line_net(quantity: int, price: Decimal, discount: Decimal, rounding: Rounding) -> Decimal:
    """quantity x price x (1 - discount), rounded once."""
    return rounding.round(Decimal(quantity) * price * (ONE - discount))


def price_line(line: OrderLine, product: Product, rounding: Rounding) -> PricedLine | None:
    """The priced line, or None when something it needs is missing."""
    price = unit_price(line, product)
    if line.quantity is None or price is None or product.tax_rate is None:
        return None
    net = line_net(line.quantity, price, line.discount, rounding)
    return trusted(
        PricedLine,
        {
            "sku": product.sku,
            "quantity": line.quantity,
            "unit_price": price,
            "discount": line.discount,
            "net": net,
            "tax_rate": product.tax_rate,
            "tax": rounding.round(net * product.tax_rate),
        },
    )


def shipping_charge(method: ShippingMethod, goods_net: Decimal, rounding: Rounding) -> Decimal:
    """The method's charge; nothing above its free-over amount, and nothing on an order whose goods
    are free (an exchange's replacement, a sample): shipping is not charged on a gift."""
    if method.free_over is not None and goods_net >= method.free_over or goods_net == ZERO:
        return ZERO
    return rounding.round(method.charge)


_NORMALIZED: dict[Decimal, Decimal] = {}


def _normalized(rate: Decimal) -> Decimal:
    """`rate.normalize()`, remembered: a desk has two or three tax rates."""
    n = _NORMALIZED.get(rate)
    if n is None:
        n = _NORMALIZED[rate] = rate.normalize()
    return n


def total(
    priced: Iterable[PricedLine],
    shipping: tuple[str, ShippingMethod] | None,
    rounding: Rounding,
    charges_tax: bool = True,
) -> OrderTotals:
    """Totals of priced lines plus the order's shipping charge, with the per-rate breakdown.

    `charges_tax=False` (reverse charge, exempt export) prices everything at a 0 rate.
    """
    lines = tuple(priced) if charges_tax else tuple(replaced(p, tax_rate=ZERO, tax=ZERO) for p in priced)
    nets: dict[Decimal, Decimal] = {}
    line_taxes: dict[Decimal, Decimal] = {}
    goods_net = ZERO
    for p in lines:
        net = p.net
        goods_net += net
        rate = _normalized(p.tax_rate)
        if rate in nets:
            nets[rate] += net
            line_taxes[rate] += p.tax
        else:
            nets[rate] = net
            line_taxes[rate] = p.tax
    name, method = shipping if shipping is not None else (None, None)
    ship_net = shipping_charge(method, goods_net, rounding) if method is not None else ZERO
    ship_rate = method.tax_rate if method is not None and charges_tax else ZERO
    ship_tax = rounding.round(ship_net * ship_rate)
    if ship_net:
        rate = _normalized(ship_rate)
        if rate in nets:
            nets[rate] += ship_net
            line_taxes[rate] += ship_tax
        else:
            nets[rate] = ship_net
            line_taxes[rate] = ship_tax
    per_line = rounding.tax is TaxRounding.LINE
    bands = tuple(
        trusted(TaxBand, {"rate": r, "net": nets[r], "tax": line_taxes[r] if per_line else rounding.round(nets[r] * r)})
        for r in sorted(nets)
    )
    net = goods_net + ship_net
    tax = sum((b.tax for b in bands), ZERO)
    return trusted(
        OrderTotals,
        {
            "lines": lines,
            "goods_net": goods_net,
            "shipping_method": name,
            "shipping_net": ship_net,
            "shipping_tax": ship_tax,
            "bands": bands,
            "net": net,
            "tax": tax,
            "gross": net + tax,
        },
    )


class Pricer:
    """Prices lines and orders for one desk, remembering each distinct line.

    Lines that differ only by row (same SKU, quantity, price and discount) are
    priced once; a large sheet has far fewer distinct lines than rows.
    """

    def __init__(self, products: Mapping[str, Product], rounding: Rounding) -> None:
        self.products = products
        self.rounding = rounding
        self._lines: dict[tuple, PricedLine | None] = {}

    def line(self, line: OrderLine) -> PricedLine | None:
        """The priced line, or None when its product, quantity or price is unknown."""
        k = (line.sku_key, line.quantity, line.unit_price, line.discount)
        try:
            return self._lines[k]
        except KeyError:
            product = self.products.get(line.sku_key) if line.sku_key is not None else None
            p = price_line(line, product, self.rounding) if product is not None else None
            self._lines[k] = p
            return p

    def order(
        self, lines: Iterable[OrderLine], shipping: tuple[str, ShippingMethod] | None, charges_tax: bool = True
    ) -> OrderTotals | None:
        """Totals for an order's lines, or None when any line cannot be priced."""
        priced = [self.line(line) for line in lines]
        if any(p is None for p in priced):
            return None
        return total(priced, shipping, self.rounding, charges_tax)


def price_order(
    lines: Iterable[OrderLine],
    products: Mapping[str, Product],
    shipping: tuple[str, ShippingMethod] | None,
    rounding: Rounding,
    charges_tax: bool = True,
) -> OrderTotals | None:
    """Totals for an order, or None when any line cannot be priced (unknown SKU, no quantity...)."""
    return Pricer(products, rounding).order(lines, shipping, charges_tax)
