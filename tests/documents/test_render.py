"""Invoices and credit notes rendered to PDF and read back with pypdf: every value a tax inspector and a customer
look for, multi-page tables, any script, identical bytes on every render, and no exception on odd data."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from rules import documents
from rules.documents import Document, Item, Kind
from rules.models import Customer, Order, OrderLine, Product
from rules.money import Rounding
from rules.policy import DEFAULT_SHIPPING
from rules.pricing import price_order
from rules.tax_treatment import treatment_for
from sync.documents.layout import load_layouts
from sync.documents.render import render

SELLER = documents.Party(
    name="Kiezbohne Kaffeerösterei GmbH", address_lines=("Wrangelstraße 84", "10997 Berlin"), country="DE",
    country_name="Germany", vat_id="DE293847519", email="bestellung@kiezbohne.example", phone="+49 30 6120 4471",
)
BANK = documents.Bank(name="Berliner Sparkasse", iban="DE17 1005 0000 0123 4567 89", bic="BELADEBEXXX")
PRODUCTS = {
    "KB-ESP-1000": Product(row=2, sku="KB-ESP-1000", description="Espresso Kiez Blend, whole beans, 1 kg",
                           unit_price=Decimal("21.50"), tax_rate=Decimal("0.07"), weight_kg=Decimal("1.05")),
    "KB-MUG-6": Product(row=3, sku="KB-MUG-6", description="Enamel mug 350 ml, Kiezbohne logo",
                        unit_price=Decimal("7.50"), tax_rate=Decimal("0.19"), pack_size=6, weight_kg=Decimal("0.25")),
    "KB-PRESS": Product(row=4, sku="KB-PRESS", description="French press, 1 l, borosilicate glass",
                        unit_price=Decimal("34.90"), tax_rate=Decimal("0.19"), weight_kg=Decimal("0.90")),
    "KB-FIL-250": Product(row=5, sku="KB-FIL-250", description="Filter coffee Landpartie, ground, 250 g",
                          unit_price=Decimal("8.90"), tax_rate=Decimal("0.07"), weight_kg=Decimal("0.27")),
}
MORGENROT = Customer(row=2, customer_id="C-101", name="Café Morgenrot GmbH", address="Oranienstraße 12",
                     city="Berlin", postal_code="10999", country="DE", vat_id="DE315486099", payment_terms_days=30)
LUMIERE = Customer(row=3, customer_id="C-102", name="Brasserie Lumière SARL", address="14 Rue de la République",
                   city="Lyon", postal_code="69002", country="FR", vat_id="FR47065160376", payment_terms_days=30)
SAKURA = Customer(row=4, customer_id="C-108", name="株式会社さくら珈琲", address="丸の内1-9-1",
                  city="千代田区, 東京都", postal_code="100-0005", country="JP", payment_terms_days=30)
ATHINA = Customer(row=5, customer_id="C-107", name="Αθηνά Παπαδοπούλου", address="Ερμού 25",
                  city="Αθήνα", postal_code="105 63", country="GR")
VITOSHA = Customer(row=6, customer_id="C-114", name="Кафе Витоша ЕООД", address="бул. Витоша 45",
                   city="София", postal_code="1000", country="BG", payment_terms_days=14)

DEFAULT_LINES = (("KB-ESP-1000", 3, None), ("KB-MUG-6", 12, Decimal("0.1")), ("KB-PRESS", 1, None))


def make_invoice(customer: Customer, lines=DEFAULT_LINES, number: str = "INV-2026-00042") -> Document:
    order_lines = tuple(
        OrderLine(row=i + 2, order_id="SO-1042", order_key="so-1042", sku=sku, sku_key=sku, quantity=qty,
                  discount=discount or Decimal(0), order_date=date(2026, 11, 2), ship_method="Standard",
                  customer_id=customer.customer_id, customer_key=customer.customer_id.lower())
        for i, (sku, qty, discount) in enumerate(lines)
    )
    order = Order(order_id="SO-1042", order_key="so-1042", lines=order_lines)
    treatment = treatment_for("DE", customer.country, customer.vat_id)
    totals = price_order(order.lines, PRODUCTS, ("Standard", DEFAULT_SHIPPING["Standard"]), Rounding(),
                         treatment.charges_tax)
    return documents.invoice(number=number, issued=date(2026, 11, 5), order=order, totals=totals, customer=customer,
                             products=PRODUCTS, seller=SELLER, bank=BANK, currency="EUR", treatment=treatment)


@pytest.fixture(scope="module")
def layouts():
    return load_layouts()


def pages(pdf: bytes) -> list[str]:
    """Each page's text with runs of whitespace made one space."""
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def money(x: Decimal) -> str:
    return f"{x:,.2f}"


def test_invoice_carries_everything_article_226_and_a_us_invoice_ask_for(layouts) -> None:
    inv = make_invoice(MORGENROT)
    pdf = render(inv, layouts[Kind.INVOICE])
    assert pdf.startswith(b"%PDF-")
    (text,) = pages(pdf)
    for expected in (
        "INVOICE", inv.number, "Date of issue 5 Nov 2026", "Date of supply 2 Nov 2026", "Order reference SO-1042",
        "Customer no. C-101", "Payment terms 30 days net", "Due date 5 Dec 2026",
        SELLER.name, "Wrangelstraße 84", "10997 Berlin", "VAT ID DE293847519",
        "Café Morgenrot GmbH", "Oranienstraße 12", "10999 Berlin", "Germany", "VAT ID DE315486099",
        "IBAN DE17 1005 0000 0123 4567 89", "BIC BELADEBEXXX", "Berliner Sparkasse", "Amounts in EUR",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    for item in inv.items:  # quantity and nature of the goods, price, net, rate
        row = f"{item.position} {item.sku} {item.description}"
        assert row in text, row
        assert f"{item.quantity} {money(item.unit_price)}" in text
        assert money(item.net) in text
    assert "12 7.50 10% 19% 81.00" in text
    for band in inv.bands:  # taxable amount per rate, the rate, its tax (the VAT summary)
        rate = f"{band.rate * 100:.0f}%"
        assert f"{rate} {money(band.net)} {money(band.tax)}" in text
        assert f"VAT {rate} {money(band.tax)}" in text
    t = inv.totals
    assert f"Goods, net {money(t.goods_net)}" in text and f"Total net {money(t.net)}" in text
    assert f"Total VAT {money(t.tax)}" in text and f"Total €{money(t.gross)}" in text
    assert f"Please transfer €{money(t.gross)} by 5 Dec 2026" in text
    assert "Reverse charge" not in text


def test_reverse_charge_invoice_says_so(layouts) -> None:
    inv = make_invoice(LUMIERE)
    (text,) = pages(render(inv, layouts[Kind.INVOICE]))
    assert inv.legal_notes and " ".join(inv.legal_notes[0].split()) in text
    assert "Reverse charge" in text and "VAT ID FR47065160376" in text
    assert f"Total €{money(inv.totals.gross)}" in text and "Total VAT 0.00" in text


def test_eighty_lines_run_over_pages_with_the_header_repeated_and_page_x_of_y(layouts) -> None:
    skus = list(PRODUCTS)
    inv = make_invoice(MORGENROT, lines=tuple((skus[i % 4], i % 7 + 1, None) for i in range(80)))
    texts = pages(render(inv, layouts[Kind.INVOICE]))
    n = len(texts)
    assert n >= 3
    for i, text in enumerate(texts, start=1):
        assert f"Page {i} of {n}" in text
        if re.search(r"\d+ KB-", text):  # a page with lines has the table header
            assert "# SKU Description Qty Unit price Disc. VAT Net" in text
        if i > 1:
            assert f"Invoice {inv.number} (continued)" in text
    assert sum(bool(re.search(r"\d+ KB-", t)) for t in texts) >= 3
    everything = " ".join(texts)
    positions = [everything.index(f"{item.position} {item.sku} ") for item in inv.items]
    assert positions == sorted(positions)  # every line, in order
    assert all(money(item.net) in everything for item in inv.items)
    assert f"Total €{money(inv.totals.gross)}" in everything
    assert sum(b.net for b in inv.bands) == inv.totals.net


def test_credit_note_has_its_title_the_invoice_it_corrects_and_the_reason(layouts) -> None:
    inv = make_invoice(MORGENROT)
    cn = documents.credit_note(number="CN-2026-00007", issued=date(2026, 11, 9), of=inv,
                               reason="Order cancelled by the customer")
    (text,) = pages(render(cn, layouts[Kind.CREDIT_NOTE]))
    assert "CREDIT NOTE" in text and "CN-2026-00007" in text and "INVOICE" not in text
    assert "Refers to invoice INV-2026-00042" in text and "Reason: Order cancelled by the customer" in text
    assert all(f"{i.position} {i.sku} {i.description}" in text for i in cn.items)
    assert f"Total credited €{money(cn.totals.gross)}" in text
    assert "Due date" not in text and "Please transfer" not in text


@pytest.mark.parametrize("customer", [ATHINA, SAKURA, VITOSHA, LUMIERE],
                         ids=["greek", "japanese", "cyrillic", "french"])
def test_names_and_addresses_in_any_script_extract_back(layouts, customer: Customer) -> None:
    inv = make_invoice(customer)
    text = " ".join(pages(render(inv, layouts[Kind.INVOICE])))
    for value in (customer.name, customer.address, customer.city):
        assert value in text
    assert "?" not in text and "\ufffd" not in text


def test_a_character_no_font_has_is_replaced_visibly_not_dropped_or_raised(layouts) -> None:
    odd = MORGENROT.model_copy(update={"name": "Café \U00013000 Hieroglyph \ue000 Ltd",
                                       "address": "Bell\x07street\x00 1"})
    text = " ".join(pages(render(make_invoice(odd), layouts[Kind.INVOICE])))
    assert "Café \ufffd Hieroglyph \ufffd Ltd" in text and "Bell street 1" in text
    emoji = MORGENROT.model_copy(update={"name": "Kaffee ☕ Bar 😀"})  # DejaVu Sans has both
    assert "Kaffee ☕ Bar 😀" in " ".join(pages(render(make_invoice(emoji), layouts[Kind.INVOICE])))


def test_the_same_document_renders_to_the_same_bytes_in_any_process(layouts, tmp_path) -> None:
    inv = make_invoice(SAKURA)
    first = render(inv, layouts[Kind.INVOICE])
    render(make_invoice(ATHINA), layouts[Kind.INVOICE])  # other documents in between warm other caches
    assert render(inv, layouts[Kind.INVOICE]) == first
    assert b"/CreationDate (D:20261105000000Z" in first
    script = (
        "import sys; from rules.documents import Document; from sync.documents.layout import load_layouts; "
        "from sync.documents.render import render; d = Document.model_validate_json(sys.stdin.read()); "
        "sys.stdout.buffer.write(render(d, load_layouts()[d.kind]))"
    )
    fresh = subprocess.run([sys.executable, "-c", script], input=inv.model_dump_json().encode(), capture_output=True,
                           check=True, timeout=60).stdout
    assert fresh == first


def _bare(kind: Kind, **changes) -> Document:
    base = dict(kind=kind, number="X-1", issued=date(2026, 1, 2), currency="EUR", order_id="SO-1", seller=SELLER,
                buyer=documents.Party(name="Buyer"))
    return Document(**(base | changes))


@pytest.mark.parametrize("document", [
    _bare(Kind.INVOICE),
    _bare(Kind.INVOICE, buyer=documents.Party(name="Ö" * 600, address_lines=("x" * 3000,)),
          items=(Item(position=1, sku="S" * 300, description="W" * 5000, quantity=10**15),
                 Item(position=2, sku="", description="", quantity=0, unit_price=Decimal("1e12"),
                      net=Decimal("-99999999999.99"), tax_rate=Decimal("0.0725")))),
    _bare(Kind.CREDIT_NOTE, reason="r " * 400, refers_to="INV-1"),
    _bare(Kind.PACKING_SLIP, items=(Item(position=1, sku="A", description="d", quantity=2, shipped=None),)),
    _bare(Kind.LABEL, tracking_no="Ünïcode-tracking", weight_kg=None, ship_to=documents.Party(name="")),
    _bare(Kind.LABEL, sscc="123", carrier="C" * 500),
], ids=["empty-invoice", "huge-values", "long-reason", "slip-missing-shipped", "label-unencodable", "label-odd-sscc"])
def test_odd_data_renders_without_raising(layouts, document: Document) -> None:
    pdf = render(document, layouts[document.kind])
    texts = pages(pdf)
    assert texts and document.number in " ".join(texts)


def test_a_long_description_wraps_inside_its_column(layouts) -> None:
    long = "Single-origin Ethiopia Yirgacheffe, washed, light roast for filter and pour-over, 250 g bag " * 3
    inv = _bare(Kind.INVOICE, items=(Item(position=1, sku="KB-ETH", description=long.strip(), quantity=1,
                                          unit_price=Decimal("9.90"), net=Decimal("9.90"),
                                          tax_rate=Decimal("0.07")),))
    (text,) = pages(render(inv, layouts[Kind.INVOICE]))
    assert " ".join(long.split()) in text


def test_json_round_trip_renders_identically(layouts) -> None:
    inv = make_invoice(VITOSHA)
    again = Document.model_validate(json.loads(inv.model_dump_json()))
    assert render(again, layouts[Kind.INVOICE]) == render(inv, layouts[Kind.INVOICE])


def test_amounts_sit_right_aligned_in_their_column(layouts) -> None:
    """Every net amount ends at the same x: read the text positions back."""
    inv = make_invoice(MORGENROT)
    page = PdfReader(io.BytesIO(render(inv, layouts[Kind.INVOICE]))).pages[0]
    ends: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        if re.fullmatch(r"\d[\d,]*\.\d\d", text.strip()):
            ends[text.strip()] = max(ends.get(text.strip(), 0.0), tm[4])  # the Net column is the rightmost

    page.extract_text(visitor_text=visit)
    nets = [money(i.net) for i in inv.items]
    assert all(n in ends for n in nets)
    # starts differ (different widths) while the right edges line up: start + width is constant within 0.5 pt
    from sync.documents.canvas import Canvas
    c = Canvas(layouts[Kind.INVOICE], inv.issued, [])
    right = {n: ends[n] + c.width(n) * 72 / 25.4 for n in nets}
    assert max(right.values()) - min(right.values()) < 0.5
