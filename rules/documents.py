"""What a document says, as pure data: the contract between the ledger and the renderer.

A `Document` holds every value printed on an invoice, credit note, packing slip
or shipping label — already decided, rounded and worded — so rendering is a
function of (document, layout) alone. The ledger stores each issued document as
this model's JSON; re-rendering it later gives byte-identical PDFs.

The builders here are pure: they take the order, its priced totals, the
customer and the seller, and return the document. Numbers and dates are given
to them (the ledger assigns numbers; the issue date comes from the event).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from rules import address
from rules.models import Customer, Order, Product
from rules.pricing import OrderTotals
from rules.tax_treatment import Treatment


class Kind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    PACKING_SLIP = "packing_slip"
    LABEL = "label"


TITLES: dict[Kind, str] = {
    Kind.INVOICE: "Invoice",
    Kind.CREDIT_NOTE: "Credit note",
    Kind.PACKING_SLIP: "Packing slip",
    Kind.LABEL: "Shipping label",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Party(_Frozen):
    """A seller, buyer or ship-to address block."""

    name: str
    address_lines: tuple[str, ...] = ()
    """Street, then postal code and city, as printed (country not included)."""
    country: str = ""
    """ISO 3166 alpha-2."""
    country_name: str = ""
    vat_id: str = ""
    email: str = ""
    phone: str = ""


class Bank(_Frozen):
    name: str = ""
    iban: str = ""
    bic: str = ""


class Item(_Frozen):
    """One document line. Prices are None on packing slips and labels."""

    position: int
    sku: str
    description: str
    quantity: int
    """Invoiced / credited quantity; on a packing slip the ordered quantity."""
    unit_price: Decimal | None = None
    discount: Decimal = Decimal(0)
    """Fraction: 0.1 is 10 %."""
    net: Decimal | None = None
    tax_rate: Decimal | None = None
    shipped: int | None = None
    """Packing slip: quantity in this parcel."""
    backordered: int | None = None
    """Packing slip: quantity that follows later."""
    weight_kg: Decimal | None = None


class TaxBand(_Frozen):
    rate: Decimal
    net: Decimal
    tax: Decimal


class Totals(_Frozen):
    goods_net: Decimal
    shipping_net: Decimal
    shipping_tax: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


class Document(_Frozen):
    kind: Kind
    number: str
    issued: date
    """Date of issue; also the PDF's creation date, so re-rendering is byte-identical."""
    currency: str
    order_id: str
    customer_id: str = ""
    seller: Party
    buyer: Party
    ship_to: Party | None = None
    items: tuple[Item, ...] = ()
    supplied: date | None = None
    """Date of supply (Art. 226(7)); the order date when goods have not shipped yet."""
    bands: tuple[TaxBand, ...] = ()
    totals: Totals | None = None
    shipping_method: str = ""
    treatment: str = "standard"
    """rules.tax_treatment.Kind value."""
    legal_notes: tuple[str, ...] = ()
    """Wording the law requires (reverse charge, export exemption)."""
    terms_days: int | None = None
    due: date | None = None
    bank: Bank | None = None
    refers_to: str = ""
    """Credit note: the invoice it corrects. Packing slip / label: the invoice, if any."""
    reason: str = ""
    """Credit note: why (cancellation, return RMA-...)."""
    carrier: str = ""
    tracking_no: str = ""
    sscc: str = ""
    """GS1 SSCC-18 (with check digit) when there is no tracking number."""
    weight_kg: Decimal | None = None
    parcels: int = 1

    @property
    def title(self) -> str:
        return TITLES[self.kind]


def party_from_customer(customer: Customer) -> Party:
    return Party(
        name=customer.name or customer.customer_id,
        address_lines=tuple(x for x in (customer.address, _postal_city(customer.postal_code, customer.city)) if x),
        country=(customer.country or "").upper(),
        country_name=address.country_name((customer.country or "").upper()),
        vat_id=customer.vat_id or "",
        email=customer.email or "",
    )


def _postal_city(postal: str | None, city: str | None) -> str:
    return " ".join(x for x in (postal, city) if x)


def _item(position: int, line, product: Product | None, priced) -> Item:
    return Item(
        position=position,
        sku=line.sku or "",
        description=(product.description if product is not None and product.description else line.sku or ""),
        quantity=line.quantity or 0,
        unit_price=priced.unit_price if priced is not None else None,
        discount=priced.discount if priced is not None else Decimal(0),
        net=priced.net if priced is not None else None,
        tax_rate=priced.tax_rate if priced is not None else None,
        weight_kg=product.weight_kg if product is not None else None,
    )


def invoice(
    *,
    number: str,
    issued: date,
    order: Order,
    totals: OrderTotals,
    customer: Customer,
    products: dict[str, Product],
    seller: Party,
    bank: Bank | None,
    currency: str,
    treatment: Treatment,
    supplied: date | None = None,
) -> Document:
    """The invoice for an order whose every line is priced (`totals` from rules.pricing)."""
    items = tuple(
        _item(i, line, products.get(line.sku_key or ""), priced)
        for i, (line, priced) in enumerate(zip(order.lines, totals.lines), start=1)
    )
    terms = customer.payment_terms_days
    return Document(
        kind=Kind.INVOICE,
        number=number,
        issued=issued,
        currency=currency,
        order_id=order.order_id,
        customer_id=customer.customer_id,
        seller=seller,
        buyer=party_from_customer(customer),
        ship_to=party_from_customer(customer),
        items=items,
        supplied=supplied or order.first.order_date or issued,
        bands=tuple(TaxBand(rate=b.rate, net=b.net, tax=b.tax) for b in totals.bands),
        totals=Totals(
            goods_net=totals.goods_net,
            shipping_net=totals.shipping_net,
            shipping_tax=totals.shipping_tax,
            net=totals.net,
            tax=totals.tax,
            gross=totals.gross,
        ),
        shipping_method=totals.shipping_method or "",
        treatment=treatment.kind.value,
        legal_notes=(treatment.wording,) if treatment.wording else (),
        terms_days=terms,
        due=issued + timedelta(days=terms) if terms is not None else issued,
        bank=bank,
    )


def credit_note(*, number: str, issued: date, of: Document, reason: str, items: tuple[Item, ...] | None = None,
                totals: OrderTotals | None = None) -> Document:
    """A credit note correcting invoice `of`: in full (default), or for the given items and totals."""
    if items is None or totals is None:
        return of.model_copy(update={
            "kind": Kind.CREDIT_NOTE, "number": number, "issued": issued, "refers_to": of.number,
            "reason": reason, "terms_days": None, "due": None,
        })
    return of.model_copy(update={
        "kind": Kind.CREDIT_NOTE, "number": number, "issued": issued, "refers_to": of.number, "reason": reason,
        "items": items,
        "bands": tuple(TaxBand(rate=b.rate, net=b.net, tax=b.tax) for b in totals.bands),
        "totals": Totals(goods_net=totals.goods_net, shipping_net=totals.shipping_net,
                         shipping_tax=totals.shipping_tax, net=totals.net, tax=totals.tax, gross=totals.gross),
        "terms_days": None, "due": None,
    })


def packing_slip(*, number: str, issued: date, of: Document, shipped: dict[int, int] | None = None) -> Document:
    """The packing slip for invoice `of`: no prices; `shipped` maps item position -> quantity in
    this parcel (default: everything), the rest is backordered."""
    items = tuple(
        Item(
            position=i.position, sku=i.sku, description=i.description, quantity=i.quantity,
            shipped=(q := (shipped or {}).get(i.position, i.quantity) if shipped is not None else i.quantity),
            backordered=i.quantity - q, weight_kg=i.weight_kg,
        )
        for i in of.items
    )
    return Document(
        kind=Kind.PACKING_SLIP, number=number, issued=issued, currency=of.currency, order_id=of.order_id,
        customer_id=of.customer_id, seller=of.seller, buyer=of.buyer, ship_to=of.ship_to or of.buyer,
        items=items, shipping_method=of.shipping_method, refers_to=of.number if of.kind is Kind.INVOICE else "",
        weight_kg=parcel_weight(items),
    )


def parcel_weight(items: tuple[Item, ...]) -> Decimal | None:
    """Weight of the goods in the parcel (shipped quantities), None if any weight is unknown."""
    total = Decimal(0)
    for i in items:
        q = i.shipped if i.shipped is not None else i.quantity
        if q and i.weight_kg is None:
            return None
        total += (i.weight_kg or 0) * q
    return total


def label(*, number: str, issued: date, slip: Document, carrier: str, tracking_no: str = "", sscc: str = "") -> Document:
    """The 4x6 shipping label for the parcel a packing slip describes."""
    return Document(
        kind=Kind.LABEL, number=number, issued=issued, currency=slip.currency, order_id=slip.order_id,
        customer_id=slip.customer_id, seller=slip.seller, buyer=slip.buyer, ship_to=slip.ship_to or slip.buyer,
        shipping_method=slip.shipping_method, refers_to=slip.refers_to, carrier=carrier, tracking_no=tracking_no,
        sscc=sscc, weight_kg=slip.weight_kg,
    )
