#!/usr/bin/env python
"""Build the starter workbook, `orders.xlsx`, for a small Berlin coffee roastery.

    python workbooks/build_starter.py [OUT_DIR]      # default: this folder

The output is reproducible: the same script writes the same workbook (fixed
document properties, including the creation time). The data is a working
order desk: most order lines are clean, and a handful of rows each show one
flag that `sheetclerk check` raises, with a Notes text saying which
("demo: ..."). A few rows hold messy but valid input that a careful clerk
types (a quantity typed as text, a price with spaces, an ISO date typed as
text, a trailing space in a SKU, an empty row, an extra "Sales Rep" column);
sheetclerk accepts them without a flag.

Headers and option lists come from `rules.schema`, so the workbook always
matches the contract. Cells sheetclerk writes are left empty and shown grey.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

try:
    from rules import schema
except ModuleNotFoundError:  # run from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from rules import schema

HERE = Path(__file__).resolve().parent
WORKBOOK_NAME = "orders.xlsx"

#: Rows (after the header) that get each column's format and dropdowns, so
#: clerks typing new lines get them too.
FORMATTED_ROWS = 2000

PROPERTIES = {
    "title": "Order desk",
    "subject": "sheetclerk starter workbook",
    "author": "sheetclerk",
    "manager": "",
    "company": "Kiezbohne Kaffeerösterei GmbH",
    "category": "Orders",
    "keywords": "sheetclerk, orders, starter",
    "comments": "Built by workbooks/build_starter.py. Grey columns are written by sheetclerk.",
    "created": datetime(2026, 11, 1, 9, 0, 0),
}

SHIP_METHODS = ("Standard", "Express", "Pickup")
"""The shipping methods of the sample `sheetclerk.toml`."""


# --- column layout -------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    width: float
    kind: str = "general"
    """general, text, date, money, percent, int, weight"""


LAYOUT: dict[str, dict[str, Layout]] = {
    "Orders": {
        "Order ID": Layout(11, "text"),
        "Order Date": Layout(12, "date"),
        "Customer ID": Layout(12, "text"),
        "SKU": Layout(13, "text"),
        "Quantity": Layout(9, "int"),
        "Unit Price": Layout(11, "money"),
        "Discount %": Layout(11, "percent"),
        "Ship By": Layout(12, "date"),
        "Ship Method": Layout(12),
        "Payment Method": Layout(15),
        "Card Expiry": Layout(11, "text"),
        "Action": Layout(10),
        "Notes": Layout(44),
        "Line Total": Layout(12, "money"),
        "Status": Layout(12),
        "Check": Layout(40),
        "Invoice No": Layout(16, "text"),
        "Tracking No": Layout(18, "text"),
        "Sales Rep": Layout(11),
    },
    "Products": {
        "SKU": Layout(13, "text"),
        "Description": Layout(44),
        "Unit Price": Layout(11, "money"),
        "Tax Rate": Layout(9, "percent"),
        "Pack Size": Layout(10, "int"),
        "Weight (kg)": Layout(11, "weight"),
        "Active": Layout(8),
        "Notes": Layout(40),
    },
    "Customers": {
        "Customer ID": Layout(12, "text"),
        "Name": Layout(34),
        "Email": Layout(34),
        "Address": Layout(30),
        "City": Layout(16),
        "Postal Code": Layout(12, "text"),
        "Country": Layout(8, "text"),
        "VAT ID": Layout(16, "text"),
        "Credit Limit": Layout(12, "money"),
        "Payment Terms (days)": Layout(12, "int"),
        "Notes": Layout(44),
    },
    "Inventory": {
        "SKU": Layout(13, "text"),
        "Location": Layout(11),
        "On Hand": Layout(10, "int"),
        "Reorder Point": Layout(13, "int"),
        "Reorder Qty": Layout(12, "int"),
        "Reserved": Layout(10, "int"),
        "Available": Layout(10, "int"),
    },
    "Stock Moves": {
        "Date": Layout(12, "date"),
        "SKU": Layout(13, "text"),
        "Location": Layout(11),
        "Quantity": Layout(9, "int"),
        "Reason": Layout(11),
        "Reference": Layout(30),
        "Status": Layout(12),
    },
    "Payments": {
        "Payment ID": Layout(12, "text"),
        "Date": Layout(12, "date"),
        "Invoice No": Layout(16, "text"),
        "Amount": Layout(12, "money"),
        "Method": Layout(15),
        "Reference": Layout(34),
    },
    "Returns": {
        "RMA ID": Layout(11, "text"),
        "Order ID": Layout(11, "text"),
        "SKU": Layout(13, "text"),
        "Quantity": Layout(9, "int"),
        "Reason": Layout(30),
        "Condition": Layout(12),
        "Resolution": Layout(12),
        "Status": Layout(12),
        "Credit Note No": Layout(16, "text"),
    },
    "Review": {
        "Sheet": Layout(12),
        "Row": Layout(6, "int"),
        "Column": Layout(16),
        "Code": Layout(22),
        "Severity": Layout(9),
        "Message": Layout(70),
        "Since": Layout(18),
    },
}

#: Columns clerks add themselves (sheetclerk leaves them alone), after the contract's columns.
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "Orders": ("Sales Rep",),
    "Products": ("Notes",),
    "Customers": ("Notes",),
}

NUMBER_FORMATS = {
    "general": None,
    "text": "@",
    "date": "yyyy-mm-dd",
    "money": "#,##0.00",
    "percent": "0%",
    "int": "0",
    "weight": "0.000",
}


# --- dropdowns -------------------------------------------------------------------

def _list(options: tuple[str, ...] | str, title: str) -> dict:
    """A dropdown that still lets a clerk type something else (sheetclerk flags it)."""
    return {
        "validate": "list",
        "source": list(options) if isinstance(options, tuple) else options,
        "ignore_blank": True,
        "error_type": "warning",
        "error_title": title,
        "error_message": "This is not one of the listed values. Keep it anyway? sheetclerk will check it.",
    }


SKU_LIST = "=Products!$A$2:$A$200"
CUSTOMER_LIST = "=Customers!$A$2:$A$200"

VALIDATIONS: dict[str, dict[str, dict]] = {
    "Orders": {
        "Customer ID": _list(CUSTOMER_LIST, "Customer ID"),
        "SKU": _list(SKU_LIST, "SKU"),
        "Ship Method": _list(SHIP_METHODS, "Ship Method"),
        "Payment Method": _list(schema.PAYMENT_METHODS, "Payment Method"),
        "Action": _list(schema.ACTIONS, "Action"),
        "Card Expiry": {
            "validate": "any",
            "input_title": "Card Expiry",
            "input_message": "MM/YY, e.g. 08/28.\nNever type the card number.",
        },
    },
    "Products": {"Active": _list(("yes", "no"), "Active")},
    "Inventory": {"SKU": _list(SKU_LIST, "SKU")},
    "Stock Moves": {
        "SKU": _list(SKU_LIST, "SKU"),
        "Reason": _list(schema.STOCK_MOVE_REASONS, "Reason"),
    },
    "Payments": {"Method": _list(("Bank Transfer", "Card", "Cash"), "Method")},
    "Returns": {
        "SKU": _list(SKU_LIST, "SKU"),
        "Condition": _list(schema.CONDITIONS, "Condition"),
        "Resolution": _list(schema.RESOLUTIONS, "Resolution"),
    },
}


# --- the data --------------------------------------------------------------------

D = date

PRODUCTS = [
    # SKU, Description, Unit Price, Tax Rate, Pack Size, Weight (kg), Active, Notes
    ("KB-ESP-250", "Espresso Kiez, whole bean, 250 g", 8.90, 0.07, 1, 0.28, "yes", None),
    ("KB-ESP-1000", "Espresso Kiez, whole bean, 1 kg", 29.50, 0.07, 1, 1.05, "yes", None),
    ("KB-FIL-250", "Filter Spree, whole bean, 250 g", 9.50, 0.07, 1, 0.28, "yes", None),
    ("KB-DEC-250", "Decaf Mondschein (Swiss Water), 250 g", 10.20, 0.07, 1, 0.28, "yes", None),
    ("KB-ETH-250", "Ethiopia Yirgacheffe, single origin, 250 g", 12.50, 0.07, 1, 0.28, "yes", None),
    ("KB-ESP-500", "Espresso Kiez, 500 g (old bag)", 16.90, 0.07, 1, 0.53, "no",
     "discontinued: replaced by KB-ESP-1000"),
    ("KB-DRIP-12", "Drip bag Filter Spree, 12 g, single serve", 0.95, 0.07, 12, 0.015, "yes", "sold in boxes of 12"),
    ("KB-COLD-6", "Cold Brew, 330 ml bottle", 3.20, 0.19, 6, 0.55, "yes", "sold in cases of 6"),
    ("KB-FLT-100", "Paper filters size 02, 100 pcs", 4.50, 0.19, 10, 0.20, "yes", "sold in cartons of 10"),
    ("KB-V60", "Ceramic pour-over dripper, size 02", 24.90, 0.19, 1, 0.45, "yes", None),
    ("KB-MILL", "Hand grinder, conical steel burr", 69.00, 0.19, 1, 0.65, "yes", None),
    ("KB-PRESS", "French press, 1 l, borosilicate glass", 34.90, 0.19, 1, 0.90, "yes", None),
    ("KB-MUG-6", "Enamel mug 350 ml, Kiezbohne logo", 7.50, 0.19, 6, 0.25, "yes", "sold in sets of 6"),
    ("KB-SCALE", "Coffee scale with timer, 0.1 g", 29.90, 0.19, 1, 0.50, "yes", None),
    ("KB-CLEAN", "Espresso machine cleaning tablets, 100 pcs", 8.50, 0.19, 1, 0.15, "yes", None),
    ("KB-GIFT", "Gift box Kiez Trio, 3 x 250 g", 27.00, 0.07, 1, 0.95, "yes", None),
    ("KB-V60", "Ceramic dripper V60 size 02", 22.90, 0.19, 1, 0.45, "yes",
     "demo: SKU listed twice (duplicate_key); row 11 is used"),
]

CUSTOMERS = [
    # Customer ID, Name, Email, Address, City, Postal Code, Country, VAT ID, Credit Limit, Terms, Notes
    ("C-101", "Café Morgenrot GmbH", "einkauf@cafe-morgenrot.example", "Oranienstraße 12", "Berlin", "10999", "DE",
     "DE315486099", 5000, 30, None),
    ("C-102", "Brasserie Lumière SARL", "commandes@brasserie-lumiere.example", "14 Rue de la République", "Lyon",
     "69002", "FR", "FR47065160376", 3000, 30, None),
    ("C-103", "Koffiehuis De Gracht B.V.", "inkoop@koffiehuisdegracht.example", "Prinsengracht 263", "Amsterdam",
     "1016 GV", "NL", "NL248525530B01", 800, 14, "new customer: low credit limit"),
    ("C-104", "Bar Caffè Ristretto S.r.l.", "ordini@caffe-ristretto.example", "Via Torino 21", "Milano", "20123",
     "IT", "IT09383041218", 2500, 30, None),
    ("C-105", "Cafetería La Molienda S.L.", "pedidos@lamolienda.example", "Calle de Fuencarral 45", "Madrid",
     "28004", "ES", "ESB99251142", 2500, 30, None),
    ("C-106", "Café Schönbrunner Eck KG", "office@schoenbrunner-eck.example", "Mariahilfer Straße 88", "Wien",
     "1070", "AT", "ATU34942355", 3000, 30, None),
    ("C-107", "Αθηνά Παπαδοπούλου", "athina.p@mail.example", "Ερμού 25", "Αθήνα", "105 63", "GR",
     None, None, None, "consumer: pays by card"),
    ("C-108", "株式会社さくら珈琲", "order@sakura-coffee.example", "丸の内1-9-1", "千代田区, 東京都", "100-0005", "JP",
     None, 2000, 30, "pays in advance by bank transfer"),
    ("C-109", "Jürgen Groß", "j.gross@mail.example", "Sendlinger Straße 7", "München", "80331", "DE",
     None, None, None, "consumer"),
    ("C-110", "Café Élan Inc.", "achats@cafe-elan.example", "3981 Boulevard Saint-Laurent", "Montréal, QC",
     "H2W 1Y5", "CA", None, 1500, 30, None),
    ("C-111", "Brooklyn Bean Co.", "orders@brooklynbean.example", "145 Court Street", "Brooklyn, NY", "11201",
     "US", None, 1500, 30, None),
    ("C-112", "The Daily Grind Ltd", "buying@dailygrind.example", "22 Borough High Street", "London",
     "SE1 9QG", "GB", "GB122283459", 2000, 30, None),
    ("C-113", "Flat White Collective Pty Ltd", "hello@flatwhitecollective.example", "120 Collins Street",
     "Melbourne, VIC", "3000", "AU", None, None, None, "pays by card"),
    ("C-114", "Кафе Витоша ЕООД", "poruchki@kafe-vitosha.example", "бул. Витоша 45", "София", "1000", "BG",
     "BG480043640", 2000, 30, None),
    ("C-115", "Kaffeekränzchen Leipzig e.V.", "vorstand@kaffeekraenzchen.example", "Karl-Liebknecht-Straße 9",
     "Leipzig", "4109", "DE", None, 500, 14,
     "demo: Excel dropped the leading zero of 04109 (invalid_address)"),
    ("C-116", "Kaffeebar Elbufer GmbH", "bestellung@kaffeebar-elbufer.example", "Am Sandtorkai 5", "Hamburg",
     "20457", "DE", "DE271410537", 2000, 30, "demo: VAT ID has a wrong check digit (invalid_vat_id)"),
]

INVENTORY = [
    # SKU, Location, On Hand, Reorder Point, Reorder Qty
    ("KB-ESP-250", "Main", 60, 40, 120),
    ("KB-ESP-250", "Overflow", 60, None, None),
    ("KB-ESP-1000", "Main", 120, 30, 60),
    ("KB-FIL-250", "Main", 90, 30, 90),
    ("KB-DEC-250", "Main", 40, 15, 40),
    ("KB-ETH-250", "Main", 30, 10, 24),
    ("KB-ESP-500", "Main", 0, None, None),
    ("KB-DRIP-12", "Main", 600, 120, 480),
    ("KB-COLD-6", "Main", 144, 48, 144),
    ("KB-FLT-100", "Main", 200, 50, 200),
    ("KB-V60", "Main", 15, 5, 12),
    ("KB-MILL", "Main", 4, 2, 6),
    ("KB-PRESS", "Main", 12, 4, 12),
    ("KB-MUG-6", "Main", 48, 12, 48),
    ("KB-SCALE", "Main", 10, 3, 10),
    ("KB-CLEAN", "Main", 30, 10, 30),
    ("KB-GIFT", "Main", 25, 10, 25),
]

STOCK_MOVES = [
    # Date, SKU, Location, Quantity, Reason, Reference
    (D(2026, 11, 16), "KB-ESP-1000", "Main", 40, "Receipt", "Roast batch R-2611-07"),
    (D(2026, 11, 16), "KB-ETH-250", "Main", 24, "Receipt", "Roast batch R-2611-08"),
    (D(2026, 11, 18), "KB-MUG-6", "Main", -6, "Damage", "Dropped while packing"),
    (D(2026, 11, 19), "KB-ESP-250", "Overflow", -20, "Transfer", "TR-0001 Overflow to Main"),
    (D(2026, 11, 19), "KB-ESP-250", "Main", 20, "Transfer", "TR-0001 Overflow to Main"),
]

PAYMENTS = [
    # Payment ID, Date, Invoice No, Amount, Method, Reference
    # The first two invoices sheetclerk issues (Action = Invoice on SO-1001 and SO-1003), paid in full.
    ("PAY-0001", D(2026, 11, 20), "INV-2026-00001", 437.63, "Bank Transfer", "SEPA Café Morgenrot GmbH"),
    ("PAY-0002", D(2026, 11, 21), "INV-2026-00002", 199.80, "Bank Transfer", "SEPA Brasserie Lumière SARL"),
]

RETURNS = [
    # RMA ID, Order ID, SKU, Quantity, Reason, Condition, Resolution
    ("RMA-0001", "SO-1002", "KB-V60", 1, "Arrived cracked", "Damaged", "Refund"),
    ("RMA-0002", "SO-1008", "KB-MUG-6", 6, "Wrong colour ordered", "Resellable", "Exchange"),
]

# Orders: one dict per line, only the cells a clerk fills in; None is an empty row.
# Keys are the Orders headers (plus the clerk's own "Sales Rep").
_O = "Order ID"


def _line(order_id, day, customer, sku, qty, ship_by, ship, pay, expiry=None, **more):
    row = {
        "Order ID": order_id,
        "Order Date": day,
        "Customer ID": customer,
        "SKU": sku,
        "Quantity": qty,
        "Ship By": ship_by,
        "Ship Method": ship,
        "Payment Method": pay,
        "Card Expiry": expiry,
    }
    for k, v in more.items():
        row[{"price": "Unit Price", "discount": "Discount %", "notes": "Notes", "action": "Action",
             "rep": "Sales Rep"}[k]] = v
    return row


ORDERS = [
    # --- clean orders ------------------------------------------------------------
    _line("SO-1001", D(2026, 11, 2), "C-101", "KB-ESP-1000", 10, D(2026, 11, 4), "Standard", "Invoice",
          action="Invoice", rep="Lena"),
    _line("SO-1001", D(2026, 11, 2), "C-101", "KB-FIL-250", 12, D(2026, 11, 4), "Standard", "Invoice",
          action="Invoice", rep="Lena"),
    _line("SO-1002", D(2026, 11, 2), "C-107", "KB-ETH-250", 2, D(2026, 11, 5), "Standard", "Card", "08/28",
          rep="Mehmet"),
    _line("SO-1002", D(2026, 11, 2), "C-107", "KB-V60", 1, D(2026, 11, 5), "Standard", "Card", "08/28",
          rep="Mehmet"),
    _line("SO-1003", D(2026, 11, 3), "C-102", "KB-ESP-1000", 6, D(2026, 11, 6), "Standard", "Invoice",
          action="Invoice", rep="Lena"),
    _line("SO-1003", D(2026, 11, 3), "C-102", "KB-DRIP-12", 24, D(2026, 11, 6), "Standard", "Invoice",
          action="Invoice", rep="Lena"),
    _line("SO-1004", D(2026, 11, 3), "C-109", "KB-MILL", 1, D(2026, 11, 4), "Express", "Card", "11/26",
          notes="card expires this month: still fine", rep="Jonas"),
    _line("SO-1005", D(2026, 11, 4), "C-104", "KB-ESP-1000", 8, D(2026, 11, 9), "Standard", "Bank Transfer",
          rep="Lena"),
    _line("SO-1005", D(2026, 11, 4), "C-104", "KB-CLEAN", 4, D(2026, 11, 9), "Standard", "Bank Transfer",
          rep="Lena"),
    _line("SO-1006", D(2026, 11, 4), "C-108", "KB-GIFT", 12, D(2026, 11, 6), "Express", "Bank Transfer",
          notes="Christmas gifts for staff", rep="Mehmet"),
    _line("SO-1007", D(2026, 11, 5), "C-111", "KB-ESP-250", "5", D(2026, 11, 9), "Express", "Invoice",
          notes="Quantity typed as text: fine", rep="Jonas"),
    _line("SO-1007", D(2026, 11, 5), "C-111", "KB-FIL-250", 5, D(2026, 11, 9), "Express", "Invoice", rep="Jonas"),
    _line("SO-1008", D(2026, 11, 5), "C-106", "KB-MUG-6", 12, D(2026, 11, 10), "Standard", "Invoice", rep="Lena"),
    _line("SO-1008", D(2026, 11, 5), "C-106", "KB-ESP-1000", 5, D(2026, 11, 10), "Standard", "Invoice",
          rep="Lena"),
    _line("SO-1009", D(2026, 11, 6), "C-114", "KB-ESP-250", 12, D(2026, 11, 11), "Standard", "Bank Transfer",
          rep="Mehmet"),
    _line("SO-1010", D(2026, 11, 6), "C-103", "KB-FIL-250", 10, D(2026, 11, 10), "Standard", "Invoice",
          rep="Jonas"),
    _line("SO-1011", D(2026, 11, 9), "C-112", "KB-PRESS", 2, D(2026, 11, 12), "Express", "Card", "05/27",
          rep="Lena"),
    _line("SO-1011", D(2026, 11, 9), "C-112", "KB-SCALE", 2, D(2026, 11, 12), "Express", "Card", "05/27",
          rep="Lena"),
    _line("SO-1012", D(2026, 11, 9), "C-105", "KB-ESP-1000", 6, D(2026, 11, 13), "Standard", "Invoice",
          discount=0.10, notes="10% loyalty discount", rep="Mehmet"),
    _line("SO-1013", D(2026, 11, 10), "C-110", "KB-DEC-250", 10, D(2026, 11, 16), "Standard", "Bank Transfer",
          rep="Jonas"),
    _line("SO-1014", D(2026, 11, 10), "C-113", "KB-ETH-250", 6, D(2026, 11, 12), "Express", "Card", "01/28",
          price=" 12.50 ", notes="price typed as text with spaces: fine", rep="Lena"),
    _line("SO-1015", D(2026, 11, 11), "C-116", "KB-COLD-6", 12, D(2026, 11, 13), "Standard", "Invoice",
          rep="Mehmet"),
    _line("SO-1016", "2026-11-11", "C-101", "KB-SCALE", 1, None, "Pickup", "Cash",
          notes="Order Date typed as ISO text: fine", rep="Jonas"),
    _line("SO-1017", D(2026, 11, 12), "C-109", "KB-FIL-250 ", 2, D(2026, 11, 13), "Standard", "Card", "09/27",
          notes="trailing space in SKU: fine", rep="Lena"),
    None,  # an empty row in the middle: skipped
    _line("SO-1018", D(2026, 11, 12), "C-102", "KB-DRIP-12", 12, D(2026, 11, 16), "Standard", "Invoice",
          rep="Mehmet"),
    # --- showcase rows: one flag each ---------------------------------------------
    _line("SO-1019", D(2026, 11, 13), "C-104", "KB-ESP-250", None, D(2026, 11, 17), "Standard", "Bank Transfer",
          notes="demo: Quantity left empty (missing_field)", rep="Jonas"),
    _line("SO-1020", D(2026, 11, 13), "C-199", "KB-FIL-250", 6, D(2026, 11, 17), "Standard", "Invoice",
          notes="demo: no customer C-199 (unknown_customer)", rep="Lena"),
    _line("SO-1021", D(2026, 11, 13), "C-105", "KB-ESP-205", 6, D(2026, 11, 17), "Standard", "Invoice",
          notes="demo: typo, KB-ESP-250 was meant (unknown_sku)", rep="Mehmet"),
    _line("SO-1022", D(2026, 11, 16), "C-101", "KB-ESP-500", 4, D(2026, 11, 18), "Standard", "Invoice",
          notes="demo: discontinued product (inactive_sku)", rep="Jonas"),
    _line("SO-1023", D(2026, 11, 16), "C-106", "KB-MUG-6", 4, D(2026, 11, 19), "Standard", "Invoice",
          notes="demo: pack size is 6 (invalid_quantity)", rep="Lena"),
    _line("SO-1024", D(2026, 11, 16), "C-104", "KB-ESP-1000", 5, D(2026, 11, 20), "Standard", "Bank Transfer",
          price=27.50, notes="demo: list price is 29.50 (price_mismatch)", rep="Mehmet"),
    _line("SO-1025", D(2026, 11, 16), "C-102", "KB-FIL-250", 6, D(2026, 11, 20), "Standard", "Invoice",
          discount=15, notes="demo: 15 typed into a % cell is 1500% (invalid_discount)", rep="Jonas"),
    _line("SO-1026", D(2026, 11, 17), "C-101", "KB-DEC-250", 6, D(2026, 11, 10), "Standard", "Invoice",
          notes="demo: Ship By before Order Date (invalid_date)", rep="Lena"),
    _line("SO-1027", D(2026, 11, 17), "C-109", "KB-V60", 1, D(2026, 11, 19), "Standard", "Card", "09/26",
          notes="demo: card expired in September (card_expired)", rep="Mehmet"),
    _line("SO-1028", D(2026, 11, 17), "C-107", "KB-GIFT", 1, D(2026, 11, 19), "Standard", "Card", "12/27",
          notes="demo: card number typed here 4111 1111 1111 1111 (card_number_exposed)", rep="Jonas"),
    _line("SO-1029", D(2026, 11, 18), "C-115", "KB-ESP-250", 6, D(2026, 11, 20), "Standard", "Invoice",
          notes="demo: customer's postal code is wrong (invalid_address)", rep="Lena"),
    _line("SO-1030", D(2026, 11, 18), "C-103", "KB-ESP-1000", 30, D(2026, 11, 23), "Standard", "Invoice",
          notes="demo: over the 800.00 credit limit (credit_limit_exceeded)", rep="Mehmet"),
    _line("SO-1031", D(2026, 11, 18), "C-112", "KB-MILL", 10, D(2026, 11, 25), "Express", "Invoice",
          notes="demo: only 3 grinders left (insufficient_stock)", rep="Jonas"),
    _line("SO-1032", D(2026, 11, 6), "C-114", "KB-ESP-250", 12, D(2026, 11, 11), "Standard", "Bank Transfer",
          notes="demo: SO-1009 entered again (duplicate_order)", rep="Lena"),
    _line("SO-1033", D(2026, 11, 19), "C-106", "KB-ESP-250", 12, D(2026, 11, 24), "Standard", "Invoice",
          rep="Mehmet"),
    _line("SO-1033", D(2026, 11, 19), "C-106", "KB-PRESS", 2, D(2026, 11, 24), "Express", "Invoice",
          notes="demo: other lines ship Standard (conflicting_order)", rep="Mehmet"),
    # --- more clean orders ----------------------------------------------------------
    _line("SO-1034", D(2026, 11, 19), "C-101", "KB-ESP-250", 12, D(2026, 11, 23), "Standard", "Invoice",
          rep="Jonas"),
    _line("SO-1034", D(2026, 11, 19), "C-101", "KB-DEC-250", 6, D(2026, 11, 23), "Standard", "Invoice",
          rep="Jonas"),
    _line("SO-1034", D(2026, 11, 19), "C-101", "KB-COLD-6", 24, D(2026, 11, 23), "Standard", "Invoice",
          rep="Jonas"),
    _line("SO-1035", D(2026, 11, 20), "C-112", "KB-ESP-1000", 4, D(2026, 11, 24), "Express", "Invoice",
          rep="Lena"),
    _line("SO-1036", D(2026, 11, 20), "C-107", "KB-GIFT", 1, D(2026, 11, 24), "Standard", "Card", "08/28",
          rep="Mehmet"),
    _line("SO-1037", D(2026, 11, 20), "C-105", "KB-FLT-100", 20, D(2026, 11, 25), "Standard", "Bank Transfer",
          rep="Jonas"),
    _line("SO-1038", D(2026, 11, 21), "C-111", "KB-MUG-6", 6, D(2026, 11, 26), "Express", "Invoice",
          rep="Lena"),
]


def _rows(columns: tuple[str, ...], records: list[tuple]) -> list[dict | None]:
    return [dict(zip(columns, r)) for r in records]


def sheet_rows() -> dict[str, list[dict | None]]:
    """Every sheet's data rows as {header: value}, in workbook order."""
    return {
        "Orders": list(ORDERS),
        "Products": _rows(("SKU", "Description", "Unit Price", "Tax Rate", "Pack Size", "Weight (kg)", "Active",
                           "Notes"), PRODUCTS),
        "Customers": _rows(("Customer ID", "Name", "Email", "Address", "City", "Postal Code", "Country", "VAT ID",
                            "Credit Limit", "Payment Terms (days)", "Notes"), CUSTOMERS),
        "Inventory": _rows(("SKU", "Location", "On Hand", "Reorder Point", "Reorder Qty"), INVENTORY),
        "Stock Moves": _rows(("Date", "SKU", "Location", "Quantity", "Reason", "Reference"), STOCK_MOVES),
        "Payments": _rows(("Payment ID", "Date", "Invoice No", "Amount", "Method", "Reference"), PAYMENTS),
        "Returns": _rows(("RMA ID", "Order ID", "SKU", "Quantity", "Reason", "Condition", "Resolution"), RETURNS),
        "Review": [],
    }


# --- writing ---------------------------------------------------------------------

CLERK_HEADER = {"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1,
                "border_color": "#BFBFBF", "valign": "vcenter", "text_wrap": True}
OWNED_HEADER = {"bold": True, "italic": True, "bg_color": "#BFBFBF", "font_color": "#404040", "border": 1,
                "border_color": "#A6A6A6", "valign": "vcenter", "text_wrap": True}
OWNED_CELL = {"bg_color": "#EDEDED", "font_color": "#404040"}


class _Formats:
    """Each distinct cell format once, made on first use."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self._book = book
        self._cache: dict[tuple[str, bool], object] = {}
        self.header = book.add_format(CLERK_HEADER)
        self.owned_header = book.add_format(OWNED_HEADER)

    def cell(self, kind: str, owned: bool):
        k = (kind, owned)
        if k not in self._cache:
            props = dict(OWNED_CELL) if owned else {}
            if NUMBER_FORMATS[kind] is not None:
                props["num_format"] = NUMBER_FORMATS[kind]
            self._cache[k] = self._book.add_format(props) if props else None
        return self._cache[k]


def _write(ws, row: int, col: int, value: object, fmt) -> None:
    if value is None:
        return
    if isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(row, col, value if isinstance(value, datetime) else datetime(value.year, value.month,
                                                                                          value.day), fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        raise TypeError(f"cannot write {value!r}")


def write_sheet(book: xlsxwriter.Workbook, formats: _Formats, spec: schema.SheetSpec, rows: list[dict | None]):
    ws = book.add_worksheet(spec.name)
    headers = [c.header for c in spec.columns] + list(EXTRA_COLUMNS.get(spec.name, ()))
    owned = {c.header for c in spec.columns if c.writer is schema.Writer.SHEETCLERK}
    layout = LAYOUT[spec.name]
    unknown = {h for r in rows if r for h in r} - set(headers)
    if unknown:
        raise ValueError(f"{spec.name}: data for unknown columns {sorted(unknown)}")

    ws.set_row(0, 30)
    for col, header in enumerate(headers):
        lay = layout[header]
        is_owned = header in owned
        ws.set_column(col, col, lay.width, formats.cell(lay.kind, is_owned))
        ws.write_string(0, col, header, formats.owned_header if is_owned else formats.header)
        for r, record in enumerate(rows, start=1):
            if record is not None:
                _write(ws, r, col, record.get(header), formats.cell(lay.kind, is_owned))
        rule = VALIDATIONS.get(spec.name, {}).get(header)
        if rule is not None:
            ws.data_validation(1, col, FORMATTED_ROWS, col, dict(rule))

    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(headers) - 1)
    if spec.name == "Review":
        ws.set_tab_color("#7F7F7F")
    return ws


def build(out_dir: Path | str = HERE) -> Path:
    """Write `orders.xlsx` into `out_dir` and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / WORKBOOK_NAME
    data = sheet_rows()
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    book.set_properties(PROPERTIES)
    formats = _Formats(book)
    for spec in schema.SHEETS:
        write_sheet(book, formats, spec, data[spec.name])
    book.close()
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print(__doc__.splitlines()[2].strip())
        return 0 if args and args[0] in ("-h", "--help") else 2
    path = build(Path(args[0]) if args else HERE)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
