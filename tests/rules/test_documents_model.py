"""The pure document builders: an invoice from priced totals, a credit note of it, a packing slip, a label."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rules import documents
from rules.models import Customer, Order, OrderLine, Product
from rules.money import Rounding
from rules.policy import DEFAULT_SHIPPING
from rules.pricing import price_order
from rules.sscc import check_digit, is_valid, sscc
from rules.tax_treatment import treatment_for

SELLER = documents.Party(name="Kiezbohne GmbH", address_lines=("Wrangelstraße 84", "10997 Berlin"), country="DE",
                         vat_id="DE293847519")


def _order():
    products = {
        "A": Product(row=2, sku="A", description="Espresso 1 kg", unit_price=Decimal("21.50"), tax_rate=Decimal("0.07"),
                     weight_kg=Decimal("1.05")),
        "B": Product(row=3, sku="B", description="Mug", unit_price=Decimal("7.50"), tax_rate=Decimal("0.19"),
                     pack_size=6, weight_kg=Decimal("0.25")),
    }
    lines = (
        OrderLine(row=2, order_id="SO-1", order_key="so-1", sku="A", sku_key="A", quantity=3,
                  order_date=date(2026, 11, 2), ship_method="Standard", customer_id="C-1", customer_key="c-1"),
        OrderLine(row=3, order_id="SO-1", order_key="so-1", sku="B", sku_key="B", quantity=12,
                  discount=Decimal("0.1"), order_date=date(2026, 11, 2), customer_id="C-1", customer_key="c-1"),
    )
    return products, Order(order_id="SO-1", order_key="so-1", lines=lines)


def _invoice(customer: Customer):
    products, order = _order()
    treatment = treatment_for("DE", customer.country, customer.vat_id)
    totals = price_order(order.lines, products, ("Standard", DEFAULT_SHIPPING["Standard"]), Rounding(),
                         treatment.charges_tax)
    return documents.invoice(number="INV-2026-00001", issued=date(2026, 11, 5), order=order, totals=totals,
                             customer=customer, products=products, seller=SELLER, bank=None, currency="EUR",
                             treatment=treatment), totals


def test_invoice_carries_the_priced_totals_and_due_date() -> None:
    customer = Customer(row=2, customer_id="C-1", name="Café Morgenrot", address="Oranienstraße 12", city="Berlin",
                        postal_code="10999", country="DE", payment_terms_days=30)
    doc, totals = _invoice(customer)
    assert doc.totals.gross == totals.gross and [b.tax for b in doc.bands] == [b.tax for b in totals.bands]
    assert [i.net for i in doc.items] == [Decimal("64.50"), Decimal("81.00")]
    assert doc.due == date(2026, 12, 5) and doc.supplied == date(2026, 11, 2)
    assert doc.buyer.address_lines == ("Oranienstraße 12", "10999 Berlin") and doc.buyer.country_name == "Germany"
    assert not doc.legal_notes
    assert documents.Document.model_validate_json(doc.model_dump_json()) == doc  # what the ledger stores


def test_reverse_charge_invoice_says_so_and_charges_no_vat() -> None:
    customer = Customer(row=2, customer_id="C-2", name="Brasserie Lumière", country="FR", vat_id="FR47065160376")
    doc, _ = _invoice(customer)
    assert doc.treatment == "reverse_charge" and doc.totals.tax == 0
    assert any("Reverse charge" in n for n in doc.legal_notes)


def test_credit_note_packing_slip_and_label_follow_the_invoice() -> None:
    customer = Customer(row=2, customer_id="C-1", name="Café", country="DE")
    inv, _ = _invoice(customer)
    cn = documents.credit_note(number="CN-2026-00001", issued=date(2026, 11, 9), of=inv, reason="Cancelled")
    assert cn.refers_to == inv.number and cn.totals == inv.totals and cn.due is None
    slip = documents.packing_slip(number="PS-2026-00001", issued=date(2026, 11, 5), of=inv, shipped={1: 3, 2: 6})
    assert [(i.shipped, i.backordered) for i in slip.items] == [(3, 0), (6, 6)]
    assert all(i.unit_price is None and i.net is None for i in slip.items)
    assert slip.weight_kg == Decimal("1.05") * 3 + Decimal("0.25") * 6
    lbl = documents.label(number="LBL-2026-00001", issued=date(2026, 11, 5), slip=slip, carrier="DHL",
                          sscc=sscc("4012345", 1))
    assert is_valid(lbl.sscc) and lbl.ship_to.name == "Café"


def test_sscc_check_digit_matches_gs1_example() -> None:
    assert check_digit("10614141123456789") == 7  # GS1 General Specifications example
    assert sscc("0614141", 123456789, extension=1) == "106141411234567897"
