"""Money properties (hypothesis): whatever the lines, the totals add up to the cent.

For random lines (quantities, prices with up to 4 decimals, discounts, tax rates
from a small set), in EUR and JPY, with both rounding modes and both tax
roundings: line nets sum to the goods net, net + tax per rate is the gross, the
bands' nets are the order net, every amount is in whole minor units, each
rounding is within half a unit of the exact value, and nothing is a float.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from rules.models import OrderLine, Product
from rules.money import Rounding, RoundingMode, TaxRounding
from rules.policy import DEFAULT_SHIPPING, ShippingMethod
from rules.pricing import OrderTotals, Pricer, price_line, total

D = Decimal
RATES = (D("0"), D("0.05"), D("0.07"), D("0.10"), D("0.19"), D("0.2"), D("0.21"))

roundings = st.builds(
    Rounding,
    currency=st.sampled_from(["EUR", "JPY"]),
    mode=st.sampled_from(list(RoundingMode)),
    tax=st.sampled_from(list(TaxRounding)),
)
lines = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=10_000),  # quantity
        st.decimals(min_value=0, max_value=100_000, places=4, allow_nan=False, allow_infinity=False),  # unit price
        st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False),  # discount
        st.sampled_from(RATES),
    ),
    min_size=1,
    max_size=15,
)
shipping = st.sampled_from(
    [
        None,
        ("Standard", DEFAULT_SHIPPING["Standard"]),
        ("Express", DEFAULT_SHIPPING["Express"]),
        ("Pickup", DEFAULT_SHIPPING["Pickup"]),
        ("Freight", ShippingMethod(charge=D("49.995"), tax_rate=D("0.07"))),
    ]
)

#: Quick and time-independent: hypothesis' deadline is a timing check, and tests do no timing.
money_settings = settings(max_examples=150, deadline=None)


def priced_order(drawn, rounding: Rounding, method) -> OrderTotals:
    products = {}
    order_lines = []
    for i, (quantity, price, discount, rate) in enumerate(drawn):
        sku = f"SKU-{i}"
        products[sku.casefold()] = Product(row=i + 2, sku=sku, unit_price=price, tax_rate=rate)
        order_lines.append(OrderLine(row=i + 2, sku=sku, sku_key=sku.casefold(), quantity=quantity, discount=discount))
    totals = Pricer(products, rounding).order(order_lines, method)
    assert totals is not None
    return totals


def amounts(totals: OrderTotals) -> list[Decimal]:
    return [
        *(x for p in totals.lines for x in (p.net, p.tax)),
        *(x for b in totals.bands for x in (b.net, b.tax)),
        totals.goods_net, totals.shipping_net, totals.shipping_tax, totals.net, totals.tax, totals.gross,
    ]


def no_floats(value: object) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, BaseModel):
        return all(no_floats(v) for v in value.__dict__.values())
    if isinstance(value, (tuple, list)):
        return all(no_floats(v) for v in value)
    return True


@money_settings
@given(lines, roundings, shipping)
def test_line_nets_sum_to_the_goods_net_and_bands_to_the_order_net(drawn, rounding: Rounding, method) -> None:
    totals = priced_order(drawn, rounding, method)
    assert sum((p.net for p in totals.lines), D(0)) == totals.goods_net
    assert totals.net == totals.goods_net + totals.shipping_net
    assert sum((b.net for b in totals.bands), D(0)) == totals.net


@money_settings
@given(lines, roundings, shipping)
def test_net_plus_tax_per_rate_is_the_gross(drawn, rounding: Rounding, method) -> None:
    totals = priced_order(drawn, rounding, method)
    assert totals.tax == sum((b.tax for b in totals.bands), D(0))
    assert totals.gross == totals.net + totals.tax
    rates = [b.rate for b in totals.bands]
    assert rates == sorted(set(rates))


@money_settings
@given(lines, roundings, shipping)
def test_each_rates_tax_follows_the_tax_rounding(drawn, rounding: Rounding, method) -> None:
    totals = priced_order(drawn, rounding, method)
    parts = [(p.tax_rate, p.net, p.tax) for p in totals.lines]
    if totals.shipping_net:
        parts.append((method[1].tax_rate, totals.shipping_net, totals.shipping_tax))
    half = rounding.quantum / 2
    for band in totals.bands:
        mine = [(net, tax) for rate, net, tax in parts if rate == band.rate]
        assert band.net == sum((net for net, _ in mine), D(0))
        if rounding.tax is TaxRounding.LINE:
            assert band.tax == sum((tax for _, tax in mine), D(0))
        else:
            assert band.tax == rounding.round(band.net * band.rate)
            assert abs(band.tax - band.net * band.rate) <= half


@money_settings
@given(lines, roundings, shipping)
def test_every_amount_is_in_whole_minor_units_and_rounded_once(drawn, rounding: Rounding, method) -> None:
    totals = priced_order(drawn, rounding, method)
    for amount in amounts(totals):
        assert isinstance(amount, Decimal)
        assert amount == rounding.round(amount)
    half = rounding.quantum / 2
    for p, (quantity, price, discount, rate) in zip(totals.lines, drawn):
        exact = quantity * price * (1 - discount)
        assert p.net == rounding.round(exact)
        assert abs(p.net - exact) <= half
        assert p.tax == rounding.round(p.net * rate)


@money_settings
@given(lines, roundings, shipping)
def test_no_float_anywhere(drawn, rounding: Rounding, method) -> None:
    totals = priced_order(drawn, rounding, method)
    assert no_floats(totals)
    assert all(type(v) is Decimal for v in amounts(totals))


@money_settings
@given(lines, roundings, shipping)
def test_pricing_lines_one_by_one_gives_the_same_totals(drawn, rounding: Rounding, method) -> None:
    totals = priced_order(drawn, rounding, method)
    one_by_one = [
        price_line(
            OrderLine(row=i + 2, sku=f"SKU-{i}", sku_key=f"sku-{i}", quantity=q, discount=d),
            Product(row=i + 2, sku=f"SKU-{i}", unit_price=p, tax_rate=r),
            rounding,
        )
        for i, (q, p, d, r) in enumerate(drawn)
    ]
    assert total(one_by_one, method, rounding) == totals
