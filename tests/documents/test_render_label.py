"""Packing slips and 4x6 shipping labels, read back: no prices on the slip, the label's page size, its blocks, and a
barcode that a real decoder (zxing-cpp, on the page rendered by PDFium) reads as the tracking number or an SSCC."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from rules import documents
from rules.documents import Document, Item, Kind
from rules.sscc import is_valid, sscc
from sync.documents.layout import load_layouts
from sync.documents.render import render

SELLER = documents.Party(name="Kiezbohne Kaffeerösterei GmbH", address_lines=("Wrangelstraße 84", "10997 Berlin"),
                         country="DE", country_name="Germany", vat_id="DE293847519")
BUYER = documents.Party(name="Café Morgenrot GmbH", address_lines=("Oranienstraße 12", "10999 Berlin"), country="DE",
                        country_name="Germany", vat_id="DE315486099")
INVOICE = Document(
    kind=Kind.INVOICE, number="INV-2026-00042", issued=date(2026, 11, 5), currency="EUR", order_id="SO-1042",
    customer_id="C-101", seller=SELLER, buyer=BUYER, ship_to=BUYER, shipping_method="Standard",
    items=(
        Item(position=1, sku="KB-ESP-1000", description="Espresso Kiez Blend, 1 kg", quantity=3,
             unit_price=Decimal("21.50"), net=Decimal("64.50"), tax_rate=Decimal("0.07"), weight_kg=Decimal("1.05")),
        Item(position=2, sku="KB-MUG-6", description="Enamel mug 350 ml", quantity=12, unit_price=Decimal("7.50"),
             discount=Decimal("0.1"), net=Decimal("81.00"), tax_rate=Decimal("0.19"), weight_kg=Decimal("0.25")),
    ),
)
SLIP = documents.packing_slip(number="PS-2026-00042", issued=date(2026, 11, 5), of=INVOICE, shipped={1: 3, 2: 6})


@pytest.fixture(scope="module")
def layouts():
    return load_layouts()


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def barcodes(pdf: bytes) -> list:
    """What zxing-cpp reads on the first page rendered at 300 dpi."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=300 / 72).to_pil().convert("L")
    return zxingcpp.read_barcodes(image)


def test_packing_slip_lists_quantities_shipped_and_backordered_and_no_prices(layouts) -> None:
    text = text_of(render(SLIP, layouts[Kind.PACKING_SLIP]))
    for expected in ("PACKING SLIP", "PS-2026-00042", "SHIP TO Café Morgenrot GmbH Oranienstraße 12 10999 Berlin",
                     "Order reference SO-1042", "Invoice INV-2026-00042", "Shipping method Standard",
                     "# SKU Description Ordered Shipped Backordered", "1 KB-ESP-1000 Espresso Kiez Blend, 1 kg 3 3 0",
                     "2 KB-MUG-6 Enamel mug 350 ml 12 6 6", "Weight 4.65 kg", "Page 1 of 1"):
        assert expected in text, expected
    assert "EUR" not in text and "€" not in text
    assert not re.search(r"\b\d+\.\d\d\b(?! kg)", text)  # no amounts (a weight is 4.65 kg)
    for price in ("21.50", "64.50", "7.50", "81.00"):
        assert price not in text


def test_price_columns_in_the_layout_never_reach_a_packing_slip(layouts) -> None:
    layout = layouts[Kind.PACKING_SLIP].model_copy(update={"columns": layouts[Kind.INVOICE].columns})
    text = text_of(render(SLIP, layout))
    assert "Unit price" not in text and "21.50" not in text and "Espresso Kiez Blend" in text


def _label(**kw) -> Document:
    return documents.label(number="LBL-2026-00042", issued=date(2026, 11, 5), slip=SLIP, carrier="DHL Paket", **kw)


def test_label_is_4_by_6_inches_with_from_to_weight_order_and_carrier(layouts) -> None:
    pdf = render(_label(tracking_no="JJD000390007830123"), layouts[Kind.LABEL])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.left), float(box.bottom), float(box.right), float(box.top)) == (0, 0, 288, 432)
    text = text_of(pdf)
    for expected in ("FROM Kiezbohne Kaffeerösterei GmbH Wrangelstraße 84 10997 Berlin", "DHL Paket", "STANDARD",
                     "SHIP TO Café Morgenrot GmbH Oranienstraße 12 10999 Berlin GERMANY", "WEIGHT", "4.65 kg",
                     "SO-1042", "TRACKING NO.", "JJD000390007830123", "LBL-2026-00042"):
        assert expected in text, expected


@pytest.mark.parametrize("tracking", ["JJD000390007830123", "1Z999AA10123456784", "00340434161094000000",
                                      "9400 1000 0000 0000 0000 00"])
def test_label_barcode_decodes_to_the_tracking_number(layouts, tracking: str) -> None:
    found = barcodes(render(_label(tracking_no=tracking), layouts[Kind.LABEL]))
    assert [(b.format, b.text) for b in found] == [(zxingcpp.BarcodeFormat.Code128, tracking)]


def test_label_without_tracking_number_carries_the_sscc_in_gs1_128(layouts) -> None:
    code = sscc("4012345", 42)
    pdf = render(_label(sscc=code), layouts[Kind.LABEL])
    (found,) = barcodes(pdf)
    assert found.format == zxingcpp.BarcodeFormat.Code128 and found.symbology_identifier == "]C1"  # GS1-128
    assert found.text == f"(00){code}" and is_valid(found.text[4:])
    assert f"SSCC (00) {code}" in text_of(pdf)


def test_label_with_nothing_to_encode_says_so_instead_of_bars(layouts) -> None:
    pdf = render(_label(), layouts[Kind.LABEL])
    assert "No barcode" in text_of(pdf) and barcodes(pdf) == []
    odd = render(_label(tracking_no="Ünïcode 追跡"), layouts[Kind.LABEL])
    assert "Ünïcode 追跡" in text_of(odd) and barcodes(odd) == []


def test_label_with_unknown_weight_and_long_names_still_fits_one_page(layouts) -> None:
    far = BUYER.model_copy(update={"name": "Kaffeehaus " * 30, "address_lines": ("Straße " * 40, "12345 Ort")})
    slip = SLIP.model_copy(update={"ship_to": far, "weight_kg": None})
    lbl = documents.label(number="LBL-1", issued=date(2026, 11, 5), slip=slip, carrier="DHL", tracking_no="ABC123")
    pdf = render(lbl, layouts[Kind.LABEL])
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "WEIGHT —" in text_of(pdf)
    assert [b.text for b in barcodes(pdf)] == ["ABC123"]
