"""Prices, discounts, tax per rate, shipping and order totals, following `rules.money`.

Every amount is a `Decimal`; each line net and each tax amount is rounded once,
to the currency's minor unit, and every total is a sum of rounded parts, so the
documents always add up to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from rules.construct import trusted
from rules.models import OrderLine, Product
from rules.money import ONE, ZERO, Rounding, TaxRounding
from rules.policy import ShippingMethod


class PricedLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    row: int
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
            "row": line.row,
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
    if method.free_over is not None and goods_net >= method.free_over:
        return ZERO
    return rounding.round(method.charge)


def total(
    priced: Iterable[PricedLine],
    shipping: tuple[str, ShippingMethod] | None,
    rounding: Rounding,
) -> OrderTotals:
    """Totals of priced lines plus the order's shipping charge, with the per-rate breakdown."""
    lines = tuple(priced)
    goods_net = sum((p.net for p in lines), ZERO)
    name, method = shipping if shipping is not None else (None, None)
    ship_net = shipping_charge(method, goods_net, rounding) if method is not None else ZERO
    ship_rate = method.tax_rate if method is not None else ZERO
    ship_tax = rounding.round(ship_net * ship_rate)

    nets: dict[Decimal, Decimal] = {}
    line_taxes: dict[Decimal, Decimal] = {}
    parts = [(p.tax_rate, p.net, p.tax) for p in lines]
    if ship_net:
        parts.append((ship_rate, ship_net, ship_tax))
    for rate, net, tax in parts:
        rate = rate.normalize()
        nets[rate] = nets.get(rate, ZERO) + net
        line_taxes[rate] = line_taxes.get(rate, ZERO) + tax
    if rounding.tax is TaxRounding.LINE:
        bands = tuple(TaxBand(rate=r, net=nets[r], tax=line_taxes[r]) for r in sorted(nets))
    else:
        bands = tuple(TaxBand(rate=r, net=nets[r], tax=rounding.round(nets[r] * r)) for r in sorted(nets))
    net = goods_net + ship_net
    tax = sum((b.tax for b in bands), ZERO)
    return OrderTotals(
        lines=lines,
        goods_net=goods_net,
        shipping_method=name,
        shipping_net=ship_net,
        shipping_tax=ship_tax,
        bands=bands,
        net=net,
        tax=tax,
        gross=net + tax,
    )


def price_lines(lines: Iterable[OrderLine], products: Mapping[str, Product], rounding: Rounding) -> dict[int, PricedLine]:
    """Row -> priced line, for every line whose product, quantity and price are known."""
    out: dict[int, PricedLine] = {}
    for line in lines:
        product = products.get(line.sku_key) if line.sku_key is not None else None
        p = price_line(line, product, rounding) if product is not None else None
        if p is not None:
            out[line.row] = p
    return out


def price_order(
    lines: Iterable[OrderLine],
    products: Mapping[str, Product],
    shipping: tuple[str, ShippingMethod] | None,
    rounding: Rounding,
    priced: Mapping[int, PricedLine] | None = None,
) -> OrderTotals | None:
    """Totals for an order, or None when any line cannot be priced (unknown SKU, no quantity...).

    `priced` (row -> priced line) saves pricing the same lines again.
    """
    lines = tuple(lines)
    if priced is None:
        priced = price_lines(lines, products, rounding)
    found = [priced.get(line.row) for line in lines]
    if any(p is None for p in found):
        return None
    return total(found, shipping, rounding)
