"""Money (rules/money.py) and pricing (rules/pricing.py) on worked examples a bookkeeper can check."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rules.models import OrderLine, Product
from rules.money import Rounding, RoundingMode, TaxRounding, minor_unit
from rules.policy import DEFAULT_SHIPPING, ShippingMethod
from rules.pricing import line_net, price_line, price_order, shipping_charge, total

D = Decimal
EUR = Rounding()


@pytest.mark.parametrize(("currency", "places"), [("EUR", 2), ("usd", 2), ("GBP", 2), ("JPY", 0), ("jpy", 0), ("KWD", 3), ("XYZ", 2), ("", 2)])
def test_minor_units_come_from_iso_4217(currency: str, places: int) -> None:
    assert minor_unit(currency) == places


@pytest.mark.parametrize(
    ("currency", "mode", "amount", "rounded"),
    [
        ("EUR", RoundingMode.HALF_UP, "0.125", "0.13"),
        ("EUR", RoundingMode.HALF_EVEN, "0.125", "0.12"),
        ("EUR", RoundingMode.HALF_UP, "-0.125", "-0.13"),
        ("EUR", RoundingMode.HALF_UP, "2.675", "2.68"),
        ("EUR", RoundingMode.HALF_UP, "7", "7.00"),
        ("JPY", RoundingMode.HALF_UP, "100.5", "101"),
        ("JPY", RoundingMode.HALF_EVEN, "100.5", "100"),
        ("KWD", RoundingMode.HALF_UP, "1.2345", "1.235"),
    ],
)
def test_rounding_to_the_minor_unit(currency: str, mode: RoundingMode, amount: str, rounded: str) -> None:
    result = Rounding(currency=currency, mode=mode).round(D(amount))
    assert str(result) == rounded


def test_rounding_a_nonsense_amount_does_not_raise() -> None:
    huge = D("999999999999999") * D("999999999999999.99") * D("999999999999999")  # 45 digits
    rounded = EUR.round(huge)
    assert rounded == huge and rounded.as_tuple().exponent == -2


def test_a_line_net_is_rounded_once() -> None:
    # 3 x 9.99 less 15 %: 25.4745 -> 25.47 (rounding the unit price first would give 25.50)
    assert line_net(3, D("9.99"), D("0.15"), EUR) == D("25.47")


def product(sku: str, price: str | None, rate: str | None) -> Product:
    return Product(row=2, sku=sku, unit_price=None if price is None else D(price), tax_rate=None if rate is None else D(rate))


def order_line(row: int, sku: str, quantity: int | None, price: str | None = None, discount: str = "0") -> OrderLine:
    return OrderLine(row=row, sku=sku, sku_key=sku.casefold(), quantity=quantity, unit_price=None if price is None else D(price), discount=D(discount))


PRODUCTS = {"wid-1": product("WID-1", "10.00", "0.19"), "book-1": product("BOOK-1", "20.00", "0.07"), "free-1": product("FREE-1", "0", "0")}


def test_a_blank_unit_price_is_the_list_price() -> None:
    priced = price_line(order_line(2, "WID-1", 3), PRODUCTS["wid-1"], EUR)
    assert (priced.unit_price, priced.net, priced.tax) == (D("10.00"), D("30.00"), D("5.70"))
    typed = price_line(order_line(2, "WID-1", 3, "9.50"), PRODUCTS["wid-1"], EUR)
    assert typed.net == D("28.50")


def test_an_invoice_with_two_rates_and_shipping() -> None:
    lines = [order_line(2, "WID-1", 3, discount="0.1"), order_line(3, "BOOK-1", 2)]
    totals = price_order(lines, PRODUCTS, ("Standard", DEFAULT_SHIPPING["Standard"]), EUR)
    assert [(b.rate, b.net, b.tax) for b in totals.bands] == [(D("0.07"), D("40.00"), D("2.80")), (D("0.19"), D("31.90"), D("6.06"))]
    assert (totals.goods_net, totals.shipping_net, totals.net, totals.tax, totals.gross) == (D("67.00"), D("4.90"), D("71.90"), D("8.86"), D("80.76"))


def test_tax_per_line_or_per_rate() -> None:
    # three lines of 0.10 at 7 %: per line 0.007 -> 0.01 each, 0.03; per rate 0.30 x 7 % = 0.021 -> 0.02
    lines = [order_line(r, "BOOK-1", 1, "0.10") for r in (2, 3, 4)]
    per_line = price_order(lines, PRODUCTS, None, EUR)
    per_rate = price_order(lines, PRODUCTS, None, Rounding(tax=TaxRounding.RATE))
    assert (per_line.tax, per_line.gross) == (D("0.03"), D("0.33"))
    assert (per_rate.tax, per_rate.gross) == (D("0.02"), D("0.32"))


@pytest.mark.parametrize(("goods", "charge"), [("149.99", "4.90"), ("150.00", "0"), ("500", "0")])
def test_standard_shipping_is_free_from_150(goods: str, charge: str) -> None:
    assert shipping_charge(DEFAULT_SHIPPING["Standard"], D(goods), EUR) == D(charge)


def test_shipping_has_its_own_tax_rate_in_the_breakdown() -> None:
    method = ShippingMethod(charge=D("5"), tax_rate=D("0.07"))
    totals = price_order([order_line(2, "WID-1", 1)], PRODUCTS, ("Post", method), EUR)
    assert [(b.rate, b.net, b.tax) for b in totals.bands] == [(D("0.07"), D("5.00"), D("0.35")), (D("0.19"), D("10.00"), D("1.90"))]
    assert totals.shipping_method == "Post" and totals.gross == D("17.25")


def test_an_order_without_shipping_or_with_free_pickup() -> None:
    for shipping in (None, ("Pickup", DEFAULT_SHIPPING["Pickup"])):
        totals = price_order([order_line(2, "WID-1", 1)], PRODUCTS, shipping, EUR)
        assert (totals.shipping_net, totals.net, totals.gross) == (D("0"), D("10.00"), D("11.90"))


@pytest.mark.parametrize(
    "line",
    [order_line(2, "NOPE-1", 1), order_line(2, "WID-1", None)],
)
def test_an_order_with_a_line_that_cannot_be_priced_has_no_totals(line: OrderLine) -> None:
    assert price_order([order_line(3, "WID-1", 1), line], PRODUCTS, None, EUR) is None


def test_a_product_without_tax_rate_or_price_cannot_be_priced() -> None:
    assert price_line(order_line(2, "X", 1), product("X", "10", None), EUR) is None
    assert price_line(order_line(2, "X", 1), product("X", None, "0.19"), EUR) is None
    assert price_line(order_line(2, "X", 1, "4.00"), product("X", None, "0.19"), EUR).net == D("4.00")


def test_identical_lines_are_both_counted() -> None:
    lines = [order_line(2, "WID-1", 1), order_line(3, "WID-1", 1)]
    totals = price_order(lines, PRODUCTS, None, EUR)
    assert len(totals.lines) == 2 and totals.goods_net == D("20.00")


def test_yen_amounts_have_no_minor_unit() -> None:
    yen = Rounding(currency="JPY")
    totals = price_order([order_line(2, "WID-1", 3, "333.3")], PRODUCTS, None, yen)
    assert (totals.goods_net, totals.tax, totals.gross) == (D("1000"), D("190"), D("1190"))


def test_total_of_nothing() -> None:
    totals = total([], None, EUR)
    assert (totals.lines, totals.bands, totals.net, totals.tax, totals.gross) == ((), (), D(0), D(0), D(0))
