"""The reference and movement sheet rules (rules/checks/reference.py), plus
addresses (rules/address.py) and VAT IDs (rules/vat.py) as the Customers sheet shows them.
"""

from __future__ import annotations

from datetime import date

import pytest

from helpers import MAR_2, evaluate_sheets, flag_keys, orders, sheets
from rules import address, vat
from rules.checks import reference

PRODUCTS_HEADER = ["SKU", "Description", "Unit Price", "Tax Rate", "Pack Size", "Weight (kg)", "Active"]
CUSTOMERS_HEADER = ["Customer ID", "Name", "Email", "Address", "City", "Postal Code", "Country", "VAT ID", "Credit Limit", "Payment Terms (days)"]
INVENTORY_HEADER = ["SKU", "Location", "On Hand", "Reorder Point", "Reorder Qty"]


def test_every_reference_rule_is_in_a_table() -> None:
    tables = (
        reference.PRODUCT_RULES, reference.CUSTOMER_RULES, reference.STOCK_RULES,
        reference.MOVE_RULES, reference.PAYMENT_RULES, reference.RETURN_RULES,
    )
    listed = {r.__name__ for t in tables for r in t}
    defined = {
        name for name, f in vars(reference).items()
        if callable(f) and getattr(f, "__module__", "") == reference.__name__ and not name.startswith("_")
    }
    assert listed == defined
    assert all(isinstance(t, tuple) for t in tables)


# --- Products ------------------------------------------------------------------------

def product_flags(*rows: list[object]) -> set[tuple]:
    return flag_keys(sheets(Products=[PRODUCTS_HEADER, *rows]), sheet="Products")


def test_a_clean_product() -> None:
    assert product_flags(["WID-1", "Widget", 10.00, 0.19, 1, 0.5, "yes"]) == set()


@pytest.mark.parametrize(("position", "header"), [(0, "SKU"), (1, "Description"), (2, "Unit Price"), (3, "Tax Rate")])
def test_a_product_needs_sku_description_price_and_tax_rate(position: int, header: str) -> None:
    row: list[object] = ["WID-1", "Widget", 10.00, 0.19, 1, 0.5, "yes"]
    row[position] = None
    assert product_flags(row) == {("Products", 2, header, "missing_field")}


def test_pack_size_weight_and_active_may_be_blank() -> None:
    assert product_flags(["WID-1", "Widget", 10.00, 0.19, None, None, None]) == set()


@pytest.mark.parametrize(
    ("position", "value", "header"),
    [
        (2, -1, "Unit Price"),
        (2, "ten", "Unit Price"),
        (3, 19, "Tax Rate"),
        (3, -0.07, "Tax Rate"),
        (3, "19 percent", "Tax Rate"),
        (4, 0, "Pack Size"),
        (4, 2.5, "Pack Size"),
        (5, -0.5, "Weight (kg)"),
        (6, "maybe", "Active"),
    ],
)
def test_a_product_value_that_cannot_be(position: int, value: object, header: str) -> None:
    row: list[object] = ["WID-1", "Widget", 10.00, 0.19, 1, 0.5, "yes"]
    row[position] = value
    assert product_flags(row) == {("Products", 2, header, "invalid_value")}


@pytest.mark.parametrize("rate", [0, 0.07, "19%", " 7 % ", 1])
def test_tax_rates_as_fractions_or_percent_text(rate: object) -> None:
    assert product_flags(["WID-1", "Widget", 10.00, rate, 1, 0.5, "yes"]) == set()


# --- Customers -------------------------------------------------------------------------

GOOD_CUSTOMER = ["C-DE", "Müller GmbH", "einkauf@mueller.example", "Hauptstraße 1", "Berlin", "10115", "DE", "DE136695976", 5000, 30]


def customer_flags(*rows: list[object]) -> set[tuple]:
    return flag_keys(sheets(Customers=[CUSTOMERS_HEADER, *rows]), sheet="Customers")


def with_cell(row: list[object], header: str, value: object) -> list[object]:
    out = list(row)
    out[CUSTOMERS_HEADER.index(header)] = value
    return out


def test_a_clean_customer() -> None:
    assert customer_flags(GOOD_CUSTOMER) == set()


@pytest.mark.parametrize("header", ["Customer ID", "Name"])
def test_a_customer_needs_an_id_and_a_name(header: str) -> None:
    assert customer_flags(with_cell(GOOD_CUSTOMER, header, None)) == {("Customers", 2, header, "missing_field")}


@pytest.mark.parametrize("header", ["Email", "VAT ID", "Credit Limit", "Payment Terms (days)"])
def test_optional_customer_cells_may_be_blank(header: str) -> None:
    assert customer_flags(with_cell(GOOD_CUSTOMER, header, None)) == set()


@pytest.mark.parametrize("header", ["Address", "City", "Postal Code"])
def test_an_incomplete_address(header: str) -> None:
    assert customer_flags(with_cell(GOOD_CUSTOMER, header, None)) == {("Customers", 2, header, "invalid_address")}


@pytest.mark.parametrize("country", [None, "Germany", "DEU", "ZZ", "D"])
def test_the_country_must_be_an_iso_code(country: object) -> None:
    assert customer_flags(with_cell(GOOD_CUSTOMER, "Country", country)) == {("Customers", 2, "Country", "invalid_address")}


def test_the_country_code_may_be_lower_case() -> None:
    assert customer_flags(with_cell(GOOD_CUSTOMER, "Country", " de ")) == set()


# Ten countries' postal codes, each with a good and a bad one.
POSTAL_CODES = [
    ("US", "12345", "1234"),
    ("US", "12345-6789", "ABCDE"),
    ("CA", "K1A 0B1", "12345"),
    ("GB", "SW1A 1AA", "SW1A"),
    ("GB", "ec1a 1bb", "12345"),
    ("DE", "10115", "1011"),
    ("FR", "75008", "7500"),
    ("NL", "1012 AB", "1012"),
    ("IT", "00144", "0014"),
    ("ES", "28001", "2800"),
    ("AU", "2000", "20000"),
    ("JP", "100-0001", "1000"),
]


@pytest.mark.parametrize(("country", "good", "bad"), POSTAL_CODES)
def test_postal_codes_follow_their_country(country: str, good: str, bad: str) -> None:
    row = with_cell(with_cell(GOOD_CUSTOMER, "Country", country), "VAT ID", None)
    assert customer_flags(with_cell(row, "Postal Code", good)) == set()
    assert customer_flags(with_cell(row, "Postal Code", bad)) == {("Customers", 2, "Postal Code", "invalid_address")}
    assert address.problems("Street 1", "Town", good, country) == ()
    assert [h for h, _ in address.problems("Street 1", "Town", bad, country)] == ["Postal Code"]


def test_a_postal_code_typed_as_a_number_is_read_as_its_digits() -> None:
    assert customer_flags(with_cell(GOOD_CUSTOMER, "Postal Code", 10115)) == set()


def test_an_unusable_address_also_flags_the_customers_order_lines() -> None:
    customers = [CUSTOMERS_HEADER, with_cell(GOOD_CUSTOMER, "Postal Code", "1011")]
    order = orders(["SO-1", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None])
    result = evaluate_sheets(sheets(Customers=customers, Orders=order))
    assert {(f.sheet, f.row, f.column, f.code.value) for f in result.flags} == {
        ("Customers", 2, "Postal Code", "invalid_address"),
        ("Orders", 2, "Customer ID", "invalid_address"),
    }
    assert result.statuses == {2: "On hold"}


@pytest.mark.parametrize(
    ("vat_id", "country"),
    [("DE136695976", "DE"), ("DE 136 695 976", "DE"), ("136695976", "DE"), ("FR40303265045", "FR"),
     ("GB980780684", "GB"), ("EL094259216", "GR"), ("NL004495445B01", "NL"), ("ATU13585627", "AT"),
     ("12-3456789", "US")],
)
def test_a_valid_or_uncheckable_vat_id(vat_id: str, country: str) -> None:
    row = with_cell(with_cell(GOOD_CUSTOMER, "VAT ID", vat_id), "Country", country)
    postal = {"DE": "10115", "FR": "75008", "GB": "SW1A 1AA", "GR": "10431", "NL": "1012 AB", "AT": "1010", "US": "12345"}
    row = with_cell(row, "Postal Code", postal[country])
    assert customer_flags(row) == set()
    assert vat.check(vat_id, country) is None


@pytest.mark.parametrize(("vat_id", "country"), [("DE136695977", "DE"), ("136695977", "DE"), ("FR40303265046", "GB"), ("GB980780685", "GB")])
def test_a_vat_id_failing_its_check_is_a_warning(vat_id: str, country: str) -> None:
    postal = {"DE": "10115", "GB": "SW1A 1AA"}
    row = with_cell(with_cell(with_cell(GOOD_CUSTOMER, "VAT ID", vat_id), "Country", country), "Postal Code", postal[country])
    result = evaluate_sheets(sheets(Customers=[CUSTOMERS_HEADER, row]))
    assert {(f.sheet, f.row, f.column, f.code.value, f.severity.value) for f in result.flags} == {
        ("Customers", 2, "VAT ID", "invalid_vat_id", "warning"),
    }


@pytest.mark.parametrize("email", ["not an email", "a@b", "@example.com", "two@@example.com"])
def test_an_email_that_is_not_an_address(email: str) -> None:
    assert customer_flags(with_cell(GOOD_CUSTOMER, "Email", email)) == {("Customers", 2, "Email", "invalid_email")}


@pytest.mark.parametrize(("header", "value"), [("Credit Limit", -1), ("Credit Limit", "lots"), ("Payment Terms (days)", -30), ("Payment Terms (days)", 14.5)])
def test_credit_limit_and_terms_cannot_be_negative_or_unreadable(header: str, value: object) -> None:
    assert customer_flags(with_cell(GOOD_CUSTOMER, header, value)) == {("Customers", 2, header, "invalid_value")}


def test_a_duplicated_customer_row_is_checked_on_its_own() -> None:
    second = with_cell(GOOD_CUSTOMER, "Postal Code", "1011")
    assert customer_flags(GOOD_CUSTOMER, second) == {
        ("Customers", 3, "Customer ID", "duplicate_key"),
        ("Customers", 3, "Postal Code", "invalid_address"),
    }


# --- Inventory ---------------------------------------------------------------------------

def inventory_flags(*rows: list[object]) -> set[tuple]:
    return flag_keys(sheets(Inventory=[INVENTORY_HEADER, *rows]), sheet="Inventory")


def test_a_clean_inventory_row() -> None:
    assert inventory_flags(["WID-1", "Main", 100, 10, 50]) == set()


@pytest.mark.parametrize(("position", "header"), [(0, "SKU"), (1, "Location"), (2, "On Hand")])
def test_an_inventory_row_needs_sku_location_and_on_hand(position: int, header: str) -> None:
    row: list[object] = ["WID-1", "Main", 100, 10, 50]
    row[position] = None
    assert inventory_flags(row) == {("Inventory", 2, header, "missing_field")}


def test_stock_of_an_unknown_product() -> None:
    assert inventory_flags(["NOPE-1", "Main", 5, None, None]) == {("Inventory", 2, "SKU", "unknown_sku")}


@pytest.mark.parametrize(("position", "header", "value"), [(2, "On Hand", -1), (2, "On Hand", 1.5), (3, "Reorder Point", -1), (4, "Reorder Qty", -5)])
def test_inventory_numbers_cannot_be_negative_or_fractional(position: int, header: str, value: object) -> None:
    row: list[object] = ["WID-1", "Main", 100, 10, 50]
    row[position] = value
    assert inventory_flags(row) == {("Inventory", 2, header, "invalid_value")}


# --- Stock Moves -------------------------------------------------------------------------

MOVES_HEADER = ["Date", "SKU", "Location", "Quantity", "Reason", "Reference"]


def move_flags(*rows: list[object]) -> set[tuple]:
    return flag_keys(sheets({"Stock Moves": [MOVES_HEADER, *rows]}), sheet="Stock Moves")


def test_a_clean_stock_move() -> None:
    assert move_flags([MAR_2, "WID-1", "Main", 24, "Receipt", "PO-77"], [MAR_2, "wid-1", "main", -2, "Damage", None]) == set()


@pytest.mark.parametrize(("position", "header"), [(0, "Date"), (1, "SKU"), (2, "Location"), (3, "Quantity")])
def test_a_stock_move_needs_date_sku_location_and_quantity(position: int, header: str) -> None:
    row: list[object] = [MAR_2, "WID-1", "Main", 24, "Receipt", "PO-77"]
    row[position] = None
    assert move_flags(row) == {("Stock Moves", 2, header, "missing_field")}


def test_a_stock_move_of_an_unknown_product_or_location() -> None:
    assert move_flags([MAR_2, "NOPE-1", "Attic", 24, "Receipt", None]) == {
        ("Stock Moves", 2, "SKU", "unknown_sku"),
        ("Stock Moves", 2, "Location", "unknown_location"),
    }


@pytest.mark.parametrize(("value", "code"), [(0, "invalid_quantity"), (2.5, "invalid_quantity"), ("lots", "invalid_quantity")])
def test_a_stock_move_quantity_must_move_something_whole(value: object, code: str) -> None:
    assert move_flags([MAR_2, "WID-1", "Main", value, "Receipt", None]) == {("Stock Moves", 2, "Quantity", code)}


def test_a_stock_move_with_an_unreadable_date() -> None:
    assert move_flags(["yesterday", "WID-1", "Main", 3, "Receipt", None]) == {("Stock Moves", 2, "Date", "invalid_date")}


# --- Payments -----------------------------------------------------------------------------

PAYMENTS_HEADER = ["Payment ID", "Date", "Invoice No", "Amount", "Method", "Reference"]


def payment_flags(*rows: list[object]) -> set[tuple]:
    return flag_keys(sheets(Payments=[PAYMENTS_HEADER, *rows]), sheet="Payments")


def test_a_clean_payment() -> None:
    assert payment_flags(["PAY-1", MAR_2, "INV-2026-00001", 119.00, "Bank Transfer", "ref 1"]) == set()


@pytest.mark.parametrize(("position", "header"), [(0, "Payment ID"), (1, "Date"), (2, "Invoice No"), (3, "Amount")])
def test_a_payment_needs_id_date_invoice_and_amount(position: int, header: str) -> None:
    row: list[object] = ["PAY-1", MAR_2, "INV-2026-00001", 119.00, "Bank Transfer", None]
    row[position] = None
    assert payment_flags(row) == {("Payments", 2, header, "missing_field")}


@pytest.mark.parametrize("amount", [0, -10, "a hundred"])
def test_a_payment_amount_must_be_positive(amount: object) -> None:
    assert payment_flags(["PAY-1", MAR_2, "INV-2026-00001", amount, None, None]) == {("Payments", 2, "Amount", "invalid_value")}


# --- Returns ---------------------------------------------------------------------------------

RETURNS_HEADER = ["RMA ID", "Order ID", "SKU", "Quantity", "Reason", "Condition", "Resolution"]
ORDER = orders(
    ["SO-1", MAR_2, "C-DE", "WID-1", 5, None, None, None, "Standard", "Invoice", None, None, None],
    ["SO-1", MAR_2, "C-DE", "BOOK-1", 1, None, None, None, "Standard", "Invoice", None, None, None],
)


def return_flags(*rows: list[object]) -> set[tuple]:
    return flag_keys(sheets(Returns=[RETURNS_HEADER, *rows], Orders=ORDER), sheet="Returns")


def test_a_clean_return() -> None:
    assert return_flags(["RMA-1", "SO-1", "WID-1", 2, "Too many", "Resellable", "Refund"], ["RMA-2", " so-1", "book-1", 1, None, "damaged", "credit"]) == set()


@pytest.mark.parametrize(
    ("position", "header"), [(0, "RMA ID"), (1, "Order ID"), (2, "SKU"), (3, "Quantity"), (5, "Condition"), (6, "Resolution")]
)
def test_a_return_needs_its_key_cells(position: int, header: str) -> None:
    row: list[object] = ["RMA-1", "SO-1", "WID-1", 2, None, "Resellable", "Refund"]
    row[position] = None
    assert return_flags(row) == {("Returns", 2, header, "missing_field")}


def test_a_return_of_an_unknown_order() -> None:
    assert return_flags(["RMA-1", "SO-9", "WID-1", 1, None, "Resellable", "Refund"]) == {("Returns", 2, "Order ID", "unknown_order")}


def test_a_return_of_a_product_not_on_the_order() -> None:
    assert return_flags(["RMA-1", "SO-1", "BOX-6", 6, None, "Resellable", "Refund"]) == {("Returns", 2, "SKU", "unknown_sku")}


@pytest.mark.parametrize("quantity", [0, -1, 6])
def test_a_return_quantity_from_one_to_what_was_ordered(quantity: int) -> None:
    assert return_flags(["RMA-1", "SO-1", "WID-1", quantity, None, "Resellable", "Refund"]) == {("Returns", 2, "Quantity", "invalid_quantity")}


@pytest.mark.parametrize(("position", "header", "value"), [(5, "Condition", "Broken"), (6, "Resolution", "Sorry")])
def test_condition_and_resolution_from_their_lists(position: int, header: str, value: str) -> None:
    row: list[object] = ["RMA-1", "SO-1", "WID-1", 1, None, "Resellable", "Refund"]
    row[position] = value
    assert return_flags(row) == {("Returns", 2, header, "invalid_value")}


def test_optional_sheets_may_be_missing_entirely() -> None:
    tables = sheets()
    assert "Payments" not in tables and "Returns" not in tables and "Stock Moves" not in tables
    assert flag_keys(tables) == set()


def test_dates_in_payments_are_read_like_order_dates() -> None:
    assert payment_flags(["PAY-1", "2026-03-02", "INV-1", 10, None, None], ["PAY-2", date(2026, 3, 2), "INV-2", 10, None, None]) == set()
