"""Write a realistic, deterministic order workbook for benchmarks.

    python benchmarks/generate.py out.xlsx --lines 100000 --seed 1

The workbook has every sheet of SPEC §1 with the starter headers (taken from
`rules.schema`, so it always matches what `check` looks for): Orders (all 18
columns), Products (~500 SKUs), Customers (~2,000 across eight countries, every
postal code and VAT ID valid for its country), Inventory (enough stock for the
open orders, a few SKUs short), Stock Moves, Payments, Returns and an empty
Review. Dates are real Excel dates, money and quantities are numbers, discounts
percent-formatted. Most of the history is Delivered; the last weeks are open.

About 2.5% of order lines carry a typical clerk mistake (unknown or inactive
SKU, bad quantity, price mismatch, 15 typed for 15%, Ship By before the Order
Date, unknown customer, an empty required cell, an expired card, an unknown ship
method, a card number pasted into Notes, one line of an order disagreeing with
the others) so the rules have real work and produce flags.

Same `lines` and `seed`, same content (and the same bytes: the document
properties carry a fixed date). Written with xlsxwriter's `constant_memory`
mode, row by row, like a large real export.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from random import Random

import xlsxwriter
from stdnum import luhn
from stdnum.at import uid as at_uid
from stdnum.iso7064 import mod_11_10

from rules.schema import CUSTOMERS, INVENTORY, ORDERS, PAYMENTS, PRODUCTS, RETURNS, SHEETS, STOCK_MOVES

#: Bump when the content a given (lines, seed) produces changes; cached files are regenerated.
GENERATOR_VERSION = 1

EXCEL_EPOCH = date(1899, 12, 30)
FIRST_DAY = date(2024, 1, 2)
LAST_DAY = date(2025, 11, 21)
#: Orders dated after this are still open (no status kept from a previous run); older ones are history.
OPEN_FROM = LAST_DAY - timedelta(days=42)

PRODUCT_COUNT = 500
CUSTOMER_COUNT = 2_000
MISTAKE_RATE = 0.025

CENT = Decimal("0.01")


def _serial(d: date) -> int:
    return (d - EXCEL_EPOCH).days


# --- reference data ------------------------------------------------------------

_CATEGORIES = (
    ("BLT", "Hex bolt", ("M6 x 30", "M8 x 40", "M10 x 60", "M12 x 80"), ("zinc", "stainless", "galvanised")),
    ("NUT", "Lock nut", ("M6", "M8", "M10", "M12", "M16"), ("zinc", "stainless", "nylon insert")),
    ("PIP", "Copper pipe", ("15 mm x 3 m", "22 mm x 3 m", "28 mm x 5 m"), ("half-hard", "annealed")),
    ("VLV", "Ball valve", ('1/2"', '3/4"', '1"', '2"'), ("brass", "stainless", "PVC")),
    ("TOL", "Torque wrench", ("1/4\" drive", "3/8\" drive", "1/2\" drive"), ("5-25 Nm", "20-100 Nm", "40-200 Nm")),
    ("PNT", "Primer", ("1 l", "2.5 l", "5 l", "10 l"), ("white", "grey", "red oxide")),
    ("CBL", "Installation cable", ("3 x 1.5 mm2, 50 m", "3 x 2.5 mm2, 50 m", "5 x 2.5 mm2, 100 m"), ("grey", "white")),
    ("LMP", "LED panel", ("30 x 30 cm", "60 x 60 cm", "30 x 120 cm"), ("3000 K", "4000 K", "6500 K")),
    ("GLV", "Work gloves", ("size 8", "size 9", "size 10", "size 11"), ("nitrile", "leather", "cut level C")),
    ("ADH", "Construction adhesive", ("290 ml", "310 ml", "600 ml"), ("clear", "white", "grey")),
)


@dataclass(frozen=True)
class ProductRow:
    sku: str
    description: str
    price: Decimal
    tax_rate: Decimal
    pack: int
    weight: float
    active: bool


def _products(rng: Random) -> list[ProductRow]:
    out = []
    used: set[str] = set()
    while len(out) < PRODUCT_COUNT:
        prefix, noun, sizes, variants = rng.choice(_CATEGORIES)
        sku = f"{prefix}-{rng.randrange(1000, 10000)}"
        if sku in used:
            continue
        used.add(sku)
        price = (Decimal(rng.lognormvariate(2.8, 1.1)).quantize(CENT, ROUND_HALF_UP)).max(Decimal("0.35"))
        pack = rng.choices((1, 5, 10, 12, 25), weights=(70, 8, 10, 6, 6))[0]
        out.append(
            ProductRow(
                sku=sku,
                description=f"{noun} {rng.choice(sizes)}, {rng.choice(variants)}",
                price=price,
                tax_rate=Decimal("0.07") if rng.random() < 0.08 else Decimal("0.19"),
                pack=pack,
                weight=round(rng.uniform(0.02, 12.0), 3),
                active=rng.random() >= 0.02,
            )
        )
    return out


_COMPANY_FIRST = ("Nord", "Sud", "Alpen", "Rhein", "Atlas", "Delta", "Polar", "Baltic", "Lumen", "Vertex",
                  "Kessler", "Bauer", "Meyer", "Dupont", "Rossi", "Jansen", "Peeters", "Smith", "Garcia", "Novak")
_COMPANY_SECOND = ("Bau", "Haustechnik", "Installations", "Elektro", "Sanitär", "Facility", "Metallbau",
                   "Construction", "Services", "Trading", "Industrie", "Handwerk", "Supply", "Werkstatt")
_COMPANY_FORM = {"DE": ("GmbH", "GmbH & Co. KG", "AG", "e.K."), "AT": ("GmbH", "KG"), "FR": ("SARL", "SAS"),
                 "NL": ("B.V.",), "BE": ("BV", "NV"), "IT": ("S.r.l.", "S.p.A."), "GB": ("Ltd", "plc"), "US": ("Inc.", "LLC")}
_STREETS = {
    "DE": ("Hauptstraße", "Bahnhofstraße", "Industriestraße", "Gartenweg", "Lindenallee"),
    "AT": ("Hauptplatz", "Wiener Straße", "Gewerbepark", "Bahnhofgasse"),
    "FR": ("rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Pasteur"),
    "NL": ("Kerkstraat", "Stationsweg", "Industrieweg", "Dorpsstraat"),
    "BE": ("Stationsstraat", "Rue de l'Industrie", "Kerkstraat", "Avenue Louise"),
    "IT": ("Via Roma", "Via Garibaldi", "Via Dante", "Corso Italia"),
    "GB": ("High Street", "Station Road", "Mill Lane", "Church Road"),
    "US": ("Main Street", "Oak Avenue", "Industrial Parkway", "Maple Drive"),
}
_CITIES = {
    "DE": ("Berlin", "Hamburg", "München", "Köln", "Leipzig", "Dresden", "Bremen", "Stuttgart"),
    "AT": ("Wien", "Graz", "Linz", "Salzburg", "Innsbruck"),
    "FR": ("Paris", "Lyon", "Marseille", "Toulouse", "Bordeaux", "Lille"),
    "NL": ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Groningen"),
    "BE": ("Antwerpen", "Gent", "Bruxelles", "Liège", "Brugge"),
    "IT": ("Milano", "Torino", "Bologna", "Verona", "Firenze"),
    "GB": ("London", "Manchester", "Birmingham", "Leeds", "Glasgow"),
    "US": ("Chicago", "Columbus", "Denver", "Austin", "Portland"),
}
_COUNTRY_WEIGHTS = {"DE": 35, "AT": 8, "FR": 12, "NL": 10, "BE": 5, "IT": 8, "GB": 10, "US": 12}
_GB_AREAS = ("SW", "EC", "M", "B", "L", "G", "LS", "NE", "BS", "CF")
_GB_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _postal_code(rng: Random, country: str) -> str:
    r = rng.randrange
    if country == "DE":
        return f"{r(1067, 99999):05d}"
    if country == "FR":
        return f"{r(1000, 96000):05d}"
    if country == "IT":
        return f"{r(10, 98200):05d}"
    if country in ("AT", "BE"):
        return f"{r(1000, 9999)}"
    if country == "NL":
        letters = rng.choice("ABCDEFGHJKLMNPRTUVWXZ") + rng.choice("ABCDEFGHJKLMNPRTUVWXZ")
        return f"{r(1000, 9999)} {letters}"
    if country == "GB":
        return f"{rng.choice(_GB_AREAS)}{r(1, 20)} {r(1, 10)}{rng.choice(_GB_UNIT_LETTERS)}{rng.choice(_GB_UNIT_LETTERS)}"
    if country == "US":
        return f"{r(10001, 99950):05d}" if rng.random() < 0.8 else f"{r(10001, 99950):05d}-{r(1, 9999):04d}"
    raise ValueError(country)


def _digits(rng: Random, n: int, first_nonzero: bool = True) -> str:
    s = "".join(str(rng.randrange(10)) for _ in range(n))
    return (str(rng.randrange(1, 10)) + s[1:]) if first_nonzero else s


def _vat_id(rng: Random, country: str) -> str | None:
    """A VAT ID with correct check digits for the country (python-stdnum's rules), or None."""
    if country == "DE":
        body = _digits(rng, 8)
        return f"DE{body}{mod_11_10.calc_check_digit(body)}"
    if country == "AT":
        body = "U" + _digits(rng, 7)
        return f"AT{body}{at_uid.calc_check_digit(body)}"
    if country == "FR":
        siren = _digits(rng, 8)
        siren += luhn.calc_check_digit(siren)
        return f"FR{int(siren + '12') % 97:02d}{siren}"
    if country == "NL":
        while True:
            body = _digits(rng, 8)
            check = sum((9 - i) * int(c) for i, c in enumerate(body)) % 11
            if check < 10:
                return f"NL{body}{check}B01"
    if country == "BE":
        body = "0" + _digits(rng, 7)
        return f"BE{body}{97 - int(body) % 97:02d}"
    if country == "IT":
        body = _digits(rng, 7) + f"{rng.randrange(1, 101):03d}"
        return f"IT{body}{luhn.calc_check_digit(body)}"
    if country == "GB":
        weights = (8, 7, 6, 5, 4, 3, 2)
        body = _digits(rng, 7)
        total = sum(w * int(c) for w, c in zip(weights, body))
        for check in range(100):
            if (total + 10 * (check // 10) + check % 10) % 97 in (0, 42, 55):
                return f"GB{body}{check:02d}"
        return None
    return None  # US: no VAT ID


@dataclass(frozen=True)
class CustomerRow:
    customer_id: str
    name: str
    email: str
    address: str
    city: str
    postal_code: str
    country: str
    vat_id: str | None
    credit_limit: int | None
    terms: int


def _customers(rng: Random) -> list[CustomerRow]:
    countries = list(_COUNTRY_WEIGHTS)
    weights = list(_COUNTRY_WEIGHTS.values())
    out = []
    for i in range(CUSTOMER_COUNT):
        country = rng.choices(countries, weights)[0]
        first, second = rng.choice(_COMPANY_FIRST), rng.choice(_COMPANY_SECOND)
        name = f"{first} {second} {rng.choice(_COMPANY_FORM[country])}"
        domain = f"{first}-{second}".lower().replace("ä", "ae").replace(" ", "")
        street = rng.choice(_STREETS[country])
        number = rng.randrange(1, 180)
        address = f"{number} {street}" if country in ("FR", "GB", "US") else f"{street} {number}"
        limit = rng.choice((None, 5_000, 10_000, 25_000, 50_000, 100_000))
        if rng.random() < 0.05:
            limit = 1_500  # a few customers on a short leash: some credit warnings are real
        out.append(
            CustomerRow(
                customer_id=f"C-{10001 + i}",
                name=name,
                email=f"orders@{domain}.example",
                address=address,
                city=rng.choice(_CITIES[country]),
                postal_code=_postal_code(rng, country),
                country=country,
                vat_id=_vat_id(rng, country) if rng.random() < 0.85 else None,
                credit_limit=limit,
                terms=rng.choice((14, 30, 30, 30, 60)),
            )
        )
    return out


# --- orders --------------------------------------------------------------------

_SHIP_METHODS = ("Standard", "Express", "Pickup")
_SHIP_WEIGHTS = (60, 25, 15)
_PAYMENT_METHODS = ("Invoice", "Card", "Bank Transfer", "Cash")
_PAYMENT_WEIGHTS = (45, 30, 20, 5)
_NOTES = (
    "Deliver to the back entrance",
    "Call before delivery",
    "Partial delivery OK",
    "Customer collects Friday",
    "Use pallet, no loose boxes",
    "Ref. PO 4711",
    "Same as last month",
    "Urgent: site opens Monday",
    "Invoice to head office",
)
_RETURN_REASONS = ("Damaged in transit", "Wrong item", "No longer needed", "Defective")


@dataclass
class Line:
    """One Orders row as it will be written; None is a blank cell."""

    order_id: str
    order_date: date | str
    customer_id: str
    sku: str | None
    quantity: float | str | None
    unit_price: float | str | None
    discount: float | None
    ship_by: date | str | None
    ship_method: str | None
    payment_method: str | None
    card_expiry: str | None
    action: str | None
    notes: str | None
    line_total: float | None = None
    status: str | None = None
    check: str | None = None
    invoice_no: str | None = None
    tracking_no: str | None = None


@dataclass
class Book:
    products: list[ProductRow]
    customers: list[CustomerRow]
    lines: list[Line] = field(default_factory=list)
    mistakes: dict[str, int] = field(default_factory=dict)
    open_demand: dict[str, int] = field(default_factory=dict)
    invoices: list[tuple[str, date, Decimal]] = field(default_factory=list)
    """(invoice no, invoice date, gross) of issued invoices, for Payments."""
    delivered: list[tuple[str, date, list[tuple[str, int]]]] = field(default_factory=list)
    """(order id, order date, [(sku, qty)]) of delivered orders, for Returns."""


def _money(d: Decimal) -> Decimal:
    return d.quantize(CENT, ROUND_HALF_UP)


def _card_expiry(rng: Random, order_day: date) -> str:
    year = order_day.year + rng.randrange(0, 5)
    month = rng.randrange(order_day.month if year == order_day.year else 1, 13)
    return f"{month:02d}/{year % 100:02d}"


def _tracking(rng: Random) -> str:
    if rng.random() < 0.6:
        return "1Z" + "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(6)) + _digits(rng, 8, False)
    return "JJD0" + _digits(rng, 17, False)


def _orders(rng: Random, book: Book, lines: int) -> None:
    products = book.products
    active = [p for p in products if p.active]
    inactive = [p for p in products if not p.active] or active
    packed = [p for p in active if p.pack > 1]
    sku_weights = [rng.paretovariate(1.2) for _ in active]
    customers = book.customers
    customer_weights = [rng.paretovariate(1.5) for _ in customers]
    shipping = {"Standard": (Decimal("4.90"), Decimal("150")), "Express": (Decimal("14.90"), None), "Pickup": (Decimal(0), None)}

    span = (LAST_DAY - FIRST_DAY).days
    sizes: list[int] = []
    left = lines
    while left > 0:
        n = min(left, rng.choices((1, 2, 3, 4, 5, 6, 8, 12), weights=(30, 22, 15, 10, 8, 6, 5, 4))[0])
        sizes.append(n)
        left -= n
    invoice_seq: dict[int, int] = {}
    mistakes = book.mistakes
    for i, n in enumerate(sizes):  # spread evenly over the period, oldest first, like a real sheet
        order_id = f"SO-{100001 + i}"
        day = FIRST_DAY + timedelta(days=i * span // len(sizes))
        customer = rng.choices(customers, customer_weights)[0]
        ship_method = rng.choices(_SHIP_METHODS, _SHIP_WEIGHTS)[0]
        payment = rng.choices(_PAYMENT_METHODS, _PAYMENT_WEIGHTS)[0]
        expiry = _card_expiry(rng, day) if payment == "Card" else None
        ship_by = day + timedelta(days=rng.randrange(1, 10)) if rng.random() < 0.7 else None
        is_open = day >= OPEN_FROM
        if is_open:
            status = rng.choice((None, None, "Verified", "Verified", "New"))
            action = rng.choices((None, "Invoice", "Ship", "Hold", "Approve"), weights=(88, 6, 4, 1, 1))[0]
        else:
            status = rng.choices(("Delivered", "Shipped", "Invoiced", "Cancelled"), weights=(85, 6, 6, 3))[0]
            action = None
        invoice_no = None
        if status in ("Delivered", "Shipped", "Invoiced"):
            invoice_seq[day.year] = invoice_seq.get(day.year, 0) + 1
            invoice_no = f"INV-{day.year}-{invoice_seq[day.year]:05d}"
        tracking = _tracking(rng) if status in ("Delivered", "Shipped") and ship_method != "Pickup" else None
        discount = rng.choice((None, None, None, 0.05, 0.1)) if customer.credit_limit and customer.credit_limit >= 25_000 else None

        order_lines: list[Line] = []
        goods = Decimal(0)
        tax = Decimal(0)
        for product in rng.choices(active, sku_weights, k=n):
            qty = product.pack * rng.choices((1, 2, 3, 4, 5, 10, 20), weights=(30, 20, 15, 10, 10, 10, 5))[0]
            typed_price: float | str | None = None
            if rng.random() < 0.4:
                typed_price = float(product.price) if rng.random() > 0.01 else f"{product.price:.2f}".replace(".", ",")
            net = _money(qty * product.price * (1 - Decimal(str(discount or 0))))
            goods += net
            tax += _money(net * product.tax_rate)
            order_lines.append(
                Line(
                    order_id=order_id,
                    order_date=day,
                    customer_id=customer.customer_id,
                    sku=product.sku,
                    quantity=qty,
                    unit_price=typed_price,
                    discount=discount,
                    ship_by=ship_by,
                    ship_method=ship_method,
                    payment_method=payment,
                    card_expiry=expiry,
                    action=action,
                    notes=rng.choice(_NOTES) if rng.random() < 0.08 else None,
                    line_total=float(net) if status else None,
                    status=status,
                    invoice_no=invoice_no,
                    tracking_no=tracking,
                )
            )
            if status not in ("Delivered", "Shipped", "Cancelled"):  # what still holds stock
                book.open_demand[product.sku] = book.open_demand.get(product.sku, 0) + qty

        for line in order_lines:
            if rng.random() < MISTAKE_RATE:
                kind = _mistake(rng, line, day, products, inactive, packed, len(order_lines) > 1)
                mistakes[kind] = mistakes.get(kind, 0) + 1

        if invoice_no is not None:
            charge, free_over = shipping[ship_method]
            if free_over is not None and goods >= free_over:
                charge = Decimal(0)
            gross = goods + tax + charge + _money(charge * Decimal("0.19"))
            if payment == "Invoice":
                book.invoices.append((invoice_no, day, gross))
        if status == "Delivered":
            book.delivered.append((order_id, day, [(x.sku, int(x.quantity)) for x in order_lines
                                                   if isinstance(x.quantity, int) and x.quantity > 0 and x.sku]))
        book.lines.extend(order_lines)


def _mistake(rng: Random, line: Line, day: date, products, inactive, packed, multi_line: bool) -> str:
    """Put one typical clerk mistake into the line; return what kind (the flag code it should raise)."""
    kinds = ["unknown_sku", "invalid_quantity", "price_mismatch", "invalid_discount", "invalid_date",
             "unknown_customer", "missing_field", "inactive_sku", "unknown_ship_method"]
    weights = [16, 16, 16, 8, 10, 6, 12, 4, 4]
    if line.payment_method == "Card":
        kinds.append("card_expired")
        weights.append(6)
    if multi_line:
        kinds.append("conflicting_order")
        weights.append(6)
    kinds.append("card_number_exposed")
    weights.append(1)
    kind = rng.choices(kinds, weights)[0]
    if kind == "unknown_sku":
        sku = line.sku or "X-0000"
        line.sku = sku[:-1] + str((int(sku[-1]) + 5) % 10) + "X" if rng.random() < 0.5 else sku.replace("-", "")
    elif kind == "invalid_quantity":
        how = rng.random()
        if how < 0.3:
            line.quantity = 0
        elif how < 0.5:
            line.quantity = -abs(float(line.quantity or 1))
        elif how < 0.7:
            line.quantity = 2.5
        else:
            product = rng.choice(packed)
            line.sku, line.quantity = product.sku, product.pack + 1
    elif kind == "price_mismatch":
        product = next(p for p in products if p.sku == line.sku)
        line.unit_price = float(_money(product.price * Decimal(rng.choice(("0.9", "1.1", "1.25")))) + Decimal("0.01"))
    elif kind == "invalid_discount":
        line.discount = rng.choice((5, 10, 15, 20))  # typed 15 into a percent cell: 1500%
    elif kind == "invalid_date":
        if rng.random() < 0.7:
            line.ship_by = day - timedelta(days=rng.randrange(1, 30))
        else:
            line.ship_by = f"{rng.randrange(30, 32)}.02.{day.year}"  # no such day
    elif kind == "unknown_customer":
        line.customer_id = f"C-{rng.randrange(30000, 40000)}"
    elif kind == "missing_field":
        which = rng.choice(("ship_method", "payment_method", "quantity", "sku"))
        setattr(line, which, None)
        if which == "payment_method":
            line.card_expiry = None
    elif kind == "inactive_sku":
        line.sku = rng.choice(inactive).sku
    elif kind == "unknown_ship_method":
        line.ship_method = rng.choice(("Overnight", "Courier", "DHL"))
    elif kind == "card_expired":
        line.card_expiry = f"{rng.randrange(1, 13):02d}/{(day.year - 1) % 100:02d}"
    elif kind == "conflicting_order":
        line.payment_method = "Cash" if line.payment_method != "Cash" else "Invoice"
        line.card_expiry = None
    elif kind == "card_number_exposed":
        line.notes = "Paid by card 4111 1111 1111 1111, exp 12/27"
    return kind


# --- writing -------------------------------------------------------------------

def _headers(spec) -> list[str]:
    return [c.header for c in spec.columns]


@dataclass
class _Formats:
    header: object
    day: object
    money: object
    percent: object
    whole: object
    decimal3: object


def _sheet(workbook, spec, widths: dict[str, int]):
    ws = workbook.add_worksheet(spec.name)
    headers = _headers(spec)
    for c, h in enumerate(headers):
        ws.set_column(c, c, widths.get(h, max(10, len(h) + 2)))
    ws.freeze_panes(1, 0)
    return ws, headers


def _write_row(ws, r: int, values: list, formats: list) -> None:
    for c, v in enumerate(values):
        if v is None:
            continue
        t = type(v)
        if t is str:
            ws.write_string(r, c, v)
        elif t is date:
            ws.write_number(r, c, _serial(v), formats[c])
        elif t is Decimal:
            ws.write_number(r, c, float(v), formats[c])
        elif t is bool:
            ws.write_boolean(r, c, v)
        else:
            ws.write_number(r, c, v, formats[c])


def generate(path: Path | str, lines: int = 100_000, seed: int = 1) -> dict[str, object]:
    """Write the workbook; return a summary (counts of rows and of mistakes planted, by kind)."""
    if lines < 1:
        raise ValueError("lines must be at least 1")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = Random(seed)
    book = Book(products=_products(rng), customers=_customers(rng))
    _orders(rng, book, lines)

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    workbook.set_properties({"title": f"sheetclerk benchmark, {lines} lines, seed {seed}", "author": "sheetclerk",
                             "created": datetime(2025, 11, 21, 9, 0, 0)})
    fmt = _Formats(
        header=workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1}),
        day=workbook.add_format({"num_format": "yyyy-mm-dd"}),
        money=workbook.add_format({"num_format": "#,##0.00"}),
        percent=workbook.add_format({"num_format": "0%"}),
        whole=workbook.add_format({"num_format": "0"}),
        decimal3=workbook.add_format({"num_format": "0.000"}),
    )
    sheets = {}
    widths = {"Order ID": 11, "Notes": 30, "Description": 34, "Name": 30, "Address": 28, "Email": 30,
              "Check": 30, "Tracking No": 22, "Invoice No": 16, "Message": 60}
    for spec in SHEETS:  # every sheet exists before any is written: the workbook's tab order
        sheets[spec.name] = _sheet(workbook, spec, widths)
    for ws, headers in sheets.values():
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, fmt.header)

    def formats_for(headers, kinds: dict[str, object]) -> list:
        return [kinds.get(h) for h in headers]

    # Orders
    ws, headers = sheets[ORDERS.name]
    o_fmt = formats_for(headers, {"Order Date": fmt.day, "Ship By": fmt.day, "Unit Price": fmt.money,
                                  "Line Total": fmt.money, "Discount %": fmt.percent, "Quantity": fmt.whole})
    for r, ln in enumerate(book.lines, start=1):
        _write_row(ws, r, [ln.order_id, ln.order_date, ln.customer_id, ln.sku, ln.quantity, ln.unit_price,
                           ln.discount, ln.ship_by, ln.ship_method, ln.payment_method, ln.card_expiry, ln.action,
                           ln.notes, ln.line_total, ln.status, ln.check, ln.invoice_no, ln.tracking_no], o_fmt)
    last = len(book.lines)
    ws.autofilter(0, 0, last, len(headers) - 1)
    for header, options in (("Ship Method", list(_SHIP_METHODS)), ("Payment Method", list(_PAYMENT_METHODS)),
                            ("Action", ["Invoice", "Ship", "Cancel", "Approve", "Hold", "Deliver"])):
        c = headers.index(header)
        ws.data_validation(1, c, max(last, 1), c, {"validate": "list", "source": options, "error_type": "warning"})

    # Products
    ws, headers = sheets[PRODUCTS.name]
    p_fmt = formats_for(headers, {"Unit Price": fmt.money, "Tax Rate": fmt.percent, "Pack Size": fmt.whole,
                                  "Weight (kg)": fmt.decimal3})
    for r, p in enumerate(book.products, start=1):
        _write_row(ws, r, [p.sku, p.description, p.price, p.tax_rate, p.pack, p.weight, "yes" if p.active else "no"], p_fmt)

    # Customers
    ws, headers = sheets[CUSTOMERS.name]
    c_fmt = formats_for(headers, {"Credit Limit": fmt.money, "Payment Terms (days)": fmt.whole})
    for r, cu in enumerate(book.customers, start=1):
        _write_row(ws, r, [cu.customer_id, cu.name, cu.email, cu.address, cu.city, cu.postal_code, cu.country,
                           cu.vat_id, cu.credit_limit, cu.terms], c_fmt)

    # Inventory: enough for the open orders, except a few SKUs that run short.
    ws, headers = sheets[INVENTORY.name]
    i_fmt = formats_for(headers, {"On Hand": fmt.whole, "Reorder Point": fmt.whole, "Reorder Qty": fmt.whole})
    r = 0
    stock_rows: list[tuple[str, str]] = []
    for p in book.products:
        demand = book.open_demand.get(p.sku, 0)
        factor = 0.6 if rng.random() < 0.04 else rng.uniform(1.2, 2.5)
        total = int(demand * factor) + p.pack * rng.randrange(0, 20)
        locations = ("WH-A", "WH-B") if rng.random() < 0.2 else ("WH-A",)
        shares = (total - total // 3, total // 3) if len(locations) == 2 else (total,)
        for loc, qty in zip(locations, shares):
            r += 1
            stock_rows.append((p.sku, loc))
            _write_row(ws, r, [p.sku, loc, qty, p.pack * 10, p.pack * 50, None, None], i_fmt)

    # Stock Moves: receipts and the odd count or damage.
    ws, headers = sheets[STOCK_MOVES.name]
    m_fmt = formats_for(headers, {"Date": fmt.day, "Quantity": fmt.whole})
    moves = max(1, lines // 50)
    span = (LAST_DAY - FIRST_DAY).days
    for r in range(1, moves + 1):
        sku, loc = rng.choice(stock_rows)
        reason = rng.choices(("Receipt", "Count", "Damage", "Transfer"), weights=(85, 5, 5, 5))[0]
        qty = rng.randrange(10, 500) if reason == "Receipt" else rng.choice((-1, 1)) * rng.randrange(1, 10)
        if reason == "Damage":
            qty = -abs(qty)
        _write_row(ws, r, [FIRST_DAY + timedelta(days=(r - 1) * span // moves), sku, loc, qty, reason,
                           f"GRN-{r:06d}" if reason == "Receipt" else None, None], m_fmt)

    # Payments: nearly every invoice paid on Invoice terms is paid in full; recent ones often not yet.
    ws, headers = sheets[PAYMENTS.name]
    pay_fmt = formats_for(headers, {"Date": fmt.day, "Amount": fmt.money})
    r = 0
    for invoice_no, day, gross in book.invoices:
        if rng.random() < (0.97 if day < OPEN_FROM - timedelta(days=30) else 0.5):
            r += 1
            _write_row(ws, r, [f"P-{r:06d}", min(LAST_DAY, day + timedelta(days=rng.randrange(5, 45))), invoice_no,
                               gross, "Bank Transfer", f"Bank statement {r // 40 + 1}"], pay_fmt)

    payments = r

    # Returns: about 1% of delivered orders send something back.
    ws, headers = sheets[RETURNS.name]
    ret_fmt = formats_for(headers, {"Quantity": fmt.whole})
    r = 0
    for order_id, day, items in book.delivered:
        if items and rng.random() < 0.01:
            sku, qty = rng.choice(items)
            r += 1
            _write_row(ws, r, [f"RMA-{r:05d}", order_id, sku, rng.randrange(1, qty + 1), rng.choice(_RETURN_REASONS),
                               rng.choice(("Resellable", "Damaged")), rng.choice(("Refund", "Credit", "Exchange")),
                               None, None], ret_fmt)

    workbook.close()
    return {
        "path": str(path),
        "lines": len(book.lines),
        "orders": len({ln.order_id for ln in book.lines}),
        "products": len(book.products),
        "customers": len(book.customers),
        "inventory_rows": len(stock_rows),
        "stock_moves": moves,
        "payments": payments,
        "returns": r,
        "mistakes": dict(sorted(book.mistakes.items())),
        "mistake_lines": sum(book.mistakes.values()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write a deterministic benchmark order workbook.")
    ap.add_argument("path", type=Path, help="where to write the .xlsx")
    ap.add_argument("--lines", type=int, default=100_000, help="order lines (default 100000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    summary = generate(args.path, args.lines, args.seed)
    took = time.perf_counter() - t
    size = args.path.stat().st_size / 1e6
    print(f"wrote {args.path} ({size:.1f} MB) in {took:.1f} s: {summary['lines']} lines in {summary['orders']} orders, "
          f"{summary['mistake_lines']} with a planted mistake {summary['mistakes']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
