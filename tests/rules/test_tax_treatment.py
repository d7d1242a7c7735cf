"""Reverse charge and export exemption, and their effect on order totals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rules.money import Rounding
from rules.models import OrderLine, Product
from rules.policy import DEFAULT_SHIPPING
from rules.pricing import price_order
from rules.tax_treatment import Kind, treatment_for


@pytest.mark.parametrize(
    ("seller", "country", "vat_id", "kind"),
    [
        ("DE", "FR", "FR47065160376", Kind.REVERSE_CHARGE),  # EU business elsewhere with a valid VAT ID
        ("DE", "GR", "EL094259216", Kind.REVERSE_CHARGE),  # Greece's VAT prefix is EL
        ("DE", "FR", "FR00000000000", Kind.STANDARD),  # an invalid VAT ID does not earn reverse charge
        ("DE", "FR", None, Kind.STANDARD),  # a consumer in another member state pays VAT
        ("DE", "DE", "DE315486099", Kind.STANDARD),  # domestic sale
        ("DE", "US", None, Kind.EXPORT),
        ("DE", "GB", "GB122283459", Kind.EXPORT),
        ("", "FR", "FR47065160376", Kind.STANDARD),  # no seller country configured: always charge
        ("US", "CA", None, Kind.STANDARD),  # outside the EU the table says nothing
        ("DE", None, None, Kind.STANDARD),
    ],
)
def test_treatment_table(seller, country, vat_id, kind) -> None:
    assert treatment_for(seller, country, vat_id).kind is kind


def test_reverse_charge_wording_is_present() -> None:
    assert "Reverse charge" in treatment_for("DE", "NL", "NL248525530B01").wording


def test_untaxed_totals_keep_the_net_and_charge_no_tax() -> None:
    product = Product(row=2, sku="A", unit_price=Decimal("10.00"), tax_rate=Decimal("0.19"), pack_size=1)
    line = OrderLine(row=2, order_id="SO-1", order_key="SO-1", sku="A", sku_key="A", quantity=3)
    shipping = ("Standard", DEFAULT_SHIPPING["Standard"])
    taxed = price_order([line], {"A": product}, shipping, Rounding())
    untaxed = price_order([line], {"A": product}, shipping, Rounding(), charges_tax=False)
    assert taxed.tax == Decimal("6.63") and taxed.gross == Decimal("41.53")
    assert untaxed.net == taxed.net == Decimal("34.90")
    assert untaxed.tax == 0 and untaxed.gross == untaxed.net
    assert [(b.rate, b.net, b.tax) for b in untaxed.bands] == [(0, Decimal("34.90"), 0)]
