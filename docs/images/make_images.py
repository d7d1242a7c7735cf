"""Render the README's sample invoice, packing slip and label from the starter workbook's data, as PNG.

    .venv/bin/python docs/images/make_images.py      # needs pdftoppm (Debian: poppler-utils)

The PDFs come from sync.documents.render with the bundled templates/, exactly as
sheetclerk writes them; pdftoppm turns their first pages into the PNGs here.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from rules import documents  # noqa: E402
from rules.models import Customer, Order, OrderLine, Product  # noqa: E402
from rules.money import Rounding  # noqa: E402
from rules.policy import DEFAULT_SHIPPING  # noqa: E402
from rules.pricing import price_order  # noqa: E402
from rules.tax_treatment import treatment_for  # noqa: E402
from sync.documents.layout import load_layouts  # noqa: E402
from sync.documents.render import render  # noqa: E402
from workbooks.build_starter import CUSTOMERS, PRODUCTS  # noqa: E402

SELLER = documents.Party(name="Kiezbohne Kaffeerösterei GmbH", address_lines=("Wrangelstraße 84", "10997 Berlin"),
                         country="DE", country_name="Germany", vat_id="DE293847519",
                         email="bestellung@kiezbohne.example", phone="+49 30 6120 4471")
BANK = documents.Bank(name="Berliner Sparkasse", iban="DE17 1005 0000 0123 4567 89", bic="BELADEBEXXX")
LINES = (("KB-ESP-1000", 4, Decimal(0)), ("KB-FIL-250", 10, Decimal("0.05")), ("KB-MUG-6", 12, Decimal(0)),
         ("KB-PRESS", 2, Decimal(0)), ("KB-GIFT", 3, Decimal(0)))


def samples() -> list[documents.Document]:
    products = {sku: Product(row=i + 2, sku=sku, description=desc, unit_price=Decimal(str(price)),
                             tax_rate=Decimal(str(rate)), pack_size=pack, weight_kg=Decimal(str(weight)))
                for i, (sku, desc, price, rate, pack, weight, *_r) in enumerate(PRODUCTS)}
    cid, name, email, addr, city, postal, country, vat, _limit, terms, _notes = CUSTOMERS[0]
    customer = Customer(row=2, customer_id=cid, name=name, email=email, address=addr, city=city, postal_code=postal,
                        country=country, vat_id=vat, payment_terms_days=terms)
    lines = tuple(OrderLine(row=i + 2, order_id="SO-1017", order_key="so-1017", sku=sku, sku_key=sku, quantity=qty,
                            discount=disc, order_date=date(2026, 11, 16), ship_method="Standard", customer_id=cid,
                            customer_key=cid.lower()) for i, (sku, qty, disc) in enumerate(LINES))
    order = Order(order_id="SO-1017", order_key="so-1017", lines=lines)
    treatment = treatment_for("DE", country, vat)
    totals = price_order(lines, products, ("Standard", DEFAULT_SHIPPING["Standard"]), Rounding(), treatment.charges_tax)
    invoice = documents.invoice(number="INV-2026-00017", issued=date(2026, 11, 18), order=order, totals=totals,
                                customer=customer, products=products, seller=SELLER, bank=BANK, currency="EUR",
                                treatment=treatment)
    slip = documents.packing_slip(number="PS-2026-00017", issued=date(2026, 11, 18), of=invoice, shipped={4: 1})
    label = documents.label(number="LBL-2026-00017", issued=date(2026, 11, 18), slip=slip, carrier="DHL Paket",
                            tracking_no="00340434161094000017")
    return [invoice, slip, label]


def main() -> None:
    layouts = load_layouts()
    with tempfile.TemporaryDirectory() as tmp:
        for doc, dpi in zip(samples(), (90, 90, 150)):
            pdf = Path(tmp) / f"{doc.kind.value}.pdf"
            pdf.write_bytes(render(doc, layouts[doc.kind]))
            target = HERE / doc.kind.value.replace("_", "-")
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf),
                            str(target)], check=True)
            print(f"{target}.png")


if __name__ == "__main__":
    main()
