"""Prices, discounts, tax per rate, shipping and order totals, following `rules.money`.

Every amount is a `Decimal`; each line net and each tax amount is rounded once,
to the currency's minor unit, and every total is a sum of rounded parts, so the
documents always add up to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple

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


def _sale_price(line: OrderLine, product: Product) -> Decimal | None:
    """The line's unit price when the line can be priced (quantity, price and tax rate known), else None."""
    price = unit_price(line, product)
    if line.quantity is None or price is None or product.tax_rate is None:
        return None
    return price


def price_line(line: OrderLine, product: Product, rounding: Rounding) -> PricedLine | None:
    """The priced line, or None when something it needs is missing."""
    price = _sale_price(line, product)
    if price is None:
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


_ZERO_RATE = _normalized(ZERO)


class _Sums(NamedTuple):
    """An order's amounts before they are dressed as an `OrderTotals` (the one place they are worked out)."""

    goods_net: Decimal
    shipping_method: str | None
    shipping_net: Decimal
    shipping_tax: Decimal
    bands: tuple[tuple[Decimal, Decimal, Decimal], ...]
    """(rate, net, tax) ascending by rate."""
    net: Decimal
    tax: Decimal
    gross: Decimal


def _sums(
    lines: Iterable[PricedLine], shipping: tuple[str, ShippingMethod] | None, rounding: Rounding, charges_tax: bool
) -> _Sums:
    """The arithmetic of `total`; `charges_tax=False` counts every line at a 0 rate with no tax."""
    nets: dict[Decimal, Decimal] = {}
    line_taxes: dict[Decimal, Decimal] = {}
    goods_net = ZERO
    for p in lines:
        net = p.net
        goods_net += net
        rate, tax = (_normalized(p.tax_rate), p.tax) if charges_tax else (_ZERO_RATE, ZERO)
        if rate in nets:
            nets[rate] += net
            line_taxes[rate] += tax
        else:
            nets[rate] = net
            line_taxes[rate] = tax
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
    bands = tuple((r, nets[r], line_taxes[r] if per_line else rounding.round(nets[r] * r)) for r in sorted(nets))
    net = goods_net + ship_net
    tax = sum((t for _, _, t in bands), ZERO)
    return _Sums(goods_net, name, ship_net, ship_tax, bands, net, tax, net + tax)


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
    s = _sums(lines, shipping, rounding, charges_tax)
    return trusted(
        OrderTotals,
        {
            "lines": lines,
            "goods_net": s.goods_net,
            "shipping_method": s.shipping_method,
            "shipping_net": s.shipping_net,
            "shipping_tax": s.shipping_tax,
            "bands": tuple(trusted(TaxBand, {"rate": r, "net": n, "tax": t}) for r, n, t in s.bands),
            "net": s.net,
            "tax": s.tax,
            "gross": s.gross,
        },
    )


class Pricer:
    """Prices lines and orders for one desk, remembering each distinct line.

    Lines that differ only by row (same SKU, quantity, price and discount) are
    priced once; a large sheet has far fewer distinct lines than rows. "Same"
    means typed the same: 5.7 and 5.70 are equal but a document shows each as
    typed, so which line happens to be priced first never shows on another's.
    """

    def __init__(self, products: Mapping[str, Product], rounding: Rounding) -> None:
        self.products = products
        self.rounding = rounding
        self._lines: dict[tuple, PricedLine | None] = {}
        self._nets: dict[tuple, Decimal | None] = {}

    def line(self, line: OrderLine) -> PricedLine | None:
        """The priced line, or None when its product, quantity or price is unknown."""
        k = (line.sku_key, line.quantity, str(line.unit_price), str(line.discount))
        try:
            return self._lines[k]
        except KeyError:
            product = self.products.get(line.sku_key) if line.sku_key is not None else None
            p = price_line(line, product, self.rounding) if product is not None else None
            self._lines[k] = p
            return p

    def net(self, line: OrderLine) -> Decimal | None:
        """`line(line).net`, remembered by value: an amount rounded to the currency's unit is the same
        however its inputs were typed (5.7 or 5.70), but for the sign of a zero (-0 typed as a price)."""
        k = (line.sku_key, line.quantity, line.unit_price, line.discount)
        try:
            n = self._nets[k]
        except KeyError:
            n = self._nets[k] = self._net(line)
        if n is not None and not n:
            return self.line(line).net  # zero: its sign follows the line's own spelling
        return n

    def _net(self, line: OrderLine) -> Decimal | None:
        product = self.products.get(line.sku_key) if line.sku_key is not None else None
        price = _sale_price(line, product) if product is not None else None
        return None if price is None else line_net(line.quantity, price, line.discount, self.rounding)

    def _priced(self, lines: Iterable[OrderLine]) -> list[PricedLine] | None:
        """Each line priced, or None as soon as one cannot be."""
        priced = []
        for line in lines:
            p = self.line(line)
            if p is None:
                return None
            priced.append(p)
        return priced

    def order(
        self, lines: Iterable[OrderLine], shipping: tuple[str, ShippingMethod] | None, charges_tax: bool = True
    ) -> OrderTotals | None:
        """Totals for an order's lines, or None when any line cannot be priced."""
        priced = self._priced(lines)
        if priced is None:
            return None
        return total(priced, shipping, self.rounding, charges_tax)

    def gross(
        self, lines: Iterable[OrderLine], shipping: tuple[str, ShippingMethod] | None, charges_tax: bool = True
    ) -> Decimal | None:
        """`order(...).gross` without building the totals (a credit check needs only this, for thousands of orders)."""
        priced = self._priced(lines)
        if priced is None:
            return None
        return _sums(priced, shipping, self.rounding, charges_tax).gross


def price_order(
    lines: Iterable[OrderLine],
    products: Mapping[str, Product],
    shipping: tuple[str, ShippingMethod] | None,
    rounding: Rounding,
    charges_tax: bool = True,
) -> OrderTotals | None:
    """Totals for an order, or None when any line cannot be priced (unknown SKU, no quantity...)."""
    return Pricer(products, rounding).order(lines, shipping, charges_tax)
