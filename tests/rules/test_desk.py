"""Rules across rows (rules/checks/desk.py): duplicate keys, orders whose lines
disagree, orders entered twice, credit limits.
"""

from __future__ import annotations

from datetime import date

import pytest

from helpers import MAR_2, evaluate_sheets, flag_keys, keys, orders, sheets
from rules.checks import desk

MAR_3 = date(2026, 3, 3)


def test_every_desk_rule_is_in_the_table() -> None:
    defined = {
        name for name, f in vars(desk).items()
        if callable(f) and getattr(f, "__module__", "") == desk.__name__ and not name.startswith("_")
    }
    assert {r.__name__ for r in desk.DESK_RULES} == defined
    assert isinstance(desk.DESK_RULES, tuple)


# --- duplicate_key ------------------------------------------------------------------------

def test_a_sku_listed_twice_the_first_row_is_used() -> None:
    products = [
        ["SKU", "Description", "Unit Price", "Tax Rate"],
        ["WID-1", "Widget", 10.00, 0.19],
        ["wid-1 ", "Widget again", 12.00, 0.19],
    ]
    order = orders(["SO-1", MAR_2, "C-DE", "WID-1", 2, 10.00, None, None, "Standard", "Invoice", None, None, None])
    tables = sheets(Products=products, Orders=order)
    assert flag_keys(tables, sheet="Products") == {("Products", 3, "SKU", "duplicate_key")}
    assert flag_keys(tables, sheet="Orders") == set()  # priced at row 2's 10.00, not row 3's 12.00


def test_a_customer_id_listed_twice() -> None:
    customers = [
        ["Customer ID", "Name", "Address", "City", "Postal Code", "Country"],
        ["C-DE", "Müller GmbH", "Hauptstraße 1", "Berlin", "10115", "DE"],
        ["C-US", "Acme", "1 Main St", "Springfield", "12345", "US"],
        ["c-de", "Müller GmbH", "Hauptstraße 1", "Berlin", "10115", "DE"],
    ]
    assert flag_keys(sheets(Customers=customers)) == {("Customers", 4, "Customer ID", "duplicate_key")}


def test_an_inventory_location_listed_twice_for_one_sku() -> None:
    inventory = [
        ["SKU", "Location", "On Hand"],
        ["WID-1", "Main", 100],
        ["WID-1", "Annex", 20],  # another location: fine
        ["BOX-6", "Main", 60],  # another SKU in the same location: fine
        ["WID-1", " main", 5],
    ]
    assert flag_keys(sheets(Inventory=inventory)) == {("Inventory", 5, "SKU", "duplicate_key")}


def test_a_payment_id_listed_twice() -> None:
    payments = [
        ["Payment ID", "Date", "Invoice No", "Amount"],
        ["PAY-1", MAR_2, "INV-1", 10],
        ["PAY-2", MAR_2, "INV-1", 10],
        ["PAY-1", MAR_3, "INV-2", 20],
    ]
    assert flag_keys(sheets(Payments=payments)) == {("Payments", 4, "Payment ID", "duplicate_key")}


def test_an_rma_id_listed_twice() -> None:
    order = orders(["SO-1", MAR_2, "C-DE", "WID-1", 5, None, None, None, "Standard", "Invoice", None, None, None])
    returns = [
        ["RMA ID", "Order ID", "SKU", "Quantity", "Condition", "Resolution"],
        ["RMA-1", "SO-1", "WID-1", 1, "Resellable", "Refund"],
        ["RMA-1", "SO-1", "WID-1", 1, "Damaged", "Credit"],
    ]
    assert flag_keys(sheets(Orders=order, Returns=returns)) == {("Returns", 3, "RMA ID", "duplicate_key")}


def test_blank_keys_are_missing_not_duplicate() -> None:
    products = [
        ["SKU", "Description", "Unit Price", "Tax Rate"],
        [None, "Widget", 10.00, 0.19],
        [None, "Gadget", 12.00, 0.19],
    ]
    assert flag_keys(sheets(Products=products), sheet="Products") == {
        ("Products", 2, "SKU", "missing_field"),
        ("Products", 3, "SKU", "missing_field"),
    }


# --- conflicting_order --------------------------------------------------------------------------

#        Order ID  Order Date Customer SKU       Qty Unit Price Disc Ship By Ship Method  Payment     Expiry  Action Notes
LINE_1 = ["SO-1", MAR_2,     "C-DE",  "WID-1",  2,  None,      None, None,  "Standard",  "Invoice",  None,   None,  None]
LINE_2 = ["SO-1", MAR_2,     "C-DE",  "BOOK-1", 1,  None,      None, None,  "Standard",  "Invoice",  None,   None,  None]


def test_lines_of_one_order_that_agree() -> None:
    assert flag_keys(sheets(Orders=orders(LINE_1, LINE_2))) == set()


def test_lines_agreeing_up_to_case_and_spaces() -> None:
    line_2 = ["so-1 ", MAR_2, " c-de", "BOOK-1", 1, None, None, None, "standard", "INVOICE", None, None, None]
    assert flag_keys(sheets(Orders=orders(LINE_1, line_2))) == set()


@pytest.mark.parametrize(
    ("position", "value", "header"),
    [(1, MAR_3, "Order Date"), (2, "C-US", "Customer ID"), (9, "Bank Transfer", "Payment Method"), (8, "Express", "Ship Method")],
)
def test_lines_of_one_order_that_disagree(position: int, value: object, header: str) -> None:
    line_2 = list(LINE_2)
    line_2[position] = value
    result = evaluate_sheets(sheets(Orders=orders(LINE_1, line_2)))
    assert keys(result.flags) == {("Orders", 3, header, "conflicting_order")}
    assert result.statuses == {2: "On hold", 3: "On hold"}


def test_a_line_leaving_an_order_fact_blank_is_missing_not_conflicting() -> None:
    line_2 = list(LINE_2)
    line_2[9] = None
    assert flag_keys(sheets(Orders=orders(LINE_1, line_2))) == {("Orders", 3, "Payment Method", "missing_field")}


# --- duplicate_order -------------------------------------------------------------------------------

def test_the_same_order_entered_twice_is_a_warning_on_the_second() -> None:
    rows = (
        LINE_1,
        LINE_2,
        ["SO-2", MAR_2, "C-DE", "BOOK-1", 1, None, None, None, "Standard", "Invoice", None, None, None],
        ["SO-2", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None],
    )
    result = evaluate_sheets(sheets(Orders=orders(*rows)))
    assert keys(result.flags) == {("Orders", 4, "Order ID", "duplicate_order"), ("Orders", 5, "Order ID", "duplicate_order")}
    assert all(f.severity.value == "warning" for f in result.flags)
    assert set(result.statuses.values()) == {"Verified"}


@pytest.mark.parametrize(
    "second",
    [
        ["SO-2", MAR_3, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None],  # other day
        ["SO-2", MAR_2, "C-US", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None],  # other customer
        ["SO-2", MAR_2, "C-DE", "WID-1", 3, None, None, None, "Standard", "Invoice", None, None, None],  # other quantity
        ["SO-2", MAR_2, "C-DE", "BOOK-1", 2, None, None, None, "Standard", "Invoice", None, None, None],  # other product
        ["SO-2", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, "Cancel", None],  # cancelled
    ],
)
def test_similar_orders_that_are_not_duplicates(second: list[object]) -> None:
    assert flag_keys(sheets(Orders=orders(LINE_1, second))) == set()


def test_an_approved_duplicate_is_accepted() -> None:
    approved = ["SO-2", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, "Approve", None]
    assert flag_keys(sheets(Orders=orders(LINE_1, approved))) == set()


# --- credit_limit_exceeded ---------------------------------------------------------------------------

CUSTOMERS = [
    ["Customer ID", "Name", "Address", "City", "Postal Code", "Country", "Credit Limit"],
    ["C-DE", "Müller GmbH", "Hauptstraße 1", "Berlin", "10115", "DE", 200],
]


def credit_flags(*rows: list[object], payments: list[list[object]] | None = None) -> set[tuple]:
    tables = sheets(Customers=CUSTOMERS, Orders=orders(*rows))
    if payments is not None:
        tables["Payments"] = [["Payment ID", "Date", "Invoice No", "Amount"], *payments]
    return flag_keys(tables)


# 10 widgets: 100.00 + Standard shipping 4.90, 19 % tax: 124.83 gross.
TEN_WIDGETS = ["SO-1", MAR_2, "C-DE", "WID-1", 10, None, None, None, "Standard", "Invoice", None, None, None]


def test_an_invoice_order_within_the_credit_limit() -> None:
    assert credit_flags(TEN_WIDGETS) == set()


def test_an_invoice_order_over_the_credit_limit_is_a_warning_on_each_line() -> None:
    rows = (
        ["SO-1", MAR_2, "C-DE", "WID-1", 10, None, None, None, "Standard", "Invoice", None, None, None],
        ["SO-1", MAR_2, "C-DE", "BOOK-1", 5, None, None, None, "Standard", "Invoice", None, None, None],
    )  # 100 + 100 + 4.90 shipping, plus tax: over 200
    result = evaluate_sheets(sheets(Customers=CUSTOMERS, Orders=orders(*rows)))
    assert keys(result.flags) == {("Orders", 2, "Payment Method", "credit_limit_exceeded"), ("Orders", 3, "Payment Method", "credit_limit_exceeded")}
    assert {f.severity.value for f in result.flags} == {"warning"}
    assert set(result.statuses.values()) == {"Verified"}


def test_earlier_open_invoice_orders_count_towards_the_balance() -> None:
    second = ["SO-2", MAR_3, "C-DE", "WID-1", 10, None, None, None, "Standard", "Invoice", None, None, None]
    assert credit_flags(TEN_WIDGETS, second) == {("Orders", 3, "Payment Method", "credit_limit_exceeded")}


def test_an_approved_order_over_the_limit_is_accepted_but_still_counts() -> None:
    approved = ["SO-2", MAR_3, "C-DE", "WID-1", 10, None, None, None, "Standard", "Invoice", None, "Approve", None]
    third = ["SO-3", date(2026, 3, 4), "C-DE", "WID-1", 1, None, None, None, "Standard", "Invoice", None, None, None]
    assert credit_flags(TEN_WIDGETS, approved, third) == {("Orders", 4, "Payment Method", "credit_limit_exceeded")}


def test_the_older_order_keeps_the_credit_whatever_the_row_order() -> None:
    later_first = ["SO-2", MAR_3, "C-DE", "WID-1", 10, None, None, None, "Standard", "Invoice", None, None, None]
    assert credit_flags(later_first, TEN_WIDGETS) == {("Orders", 2, "Payment Method", "credit_limit_exceeded")}


def test_payments_against_an_orders_invoice_reduce_the_balance() -> None:
    invoiced = list(TEN_WIDGETS) + ["INV-1"]
    second = ["SO-2", MAR_3, "C-DE", "WID-1", 10, None, None, None, "Standard", "Invoice", None, None, None, None]
    header = [*orders()[0], "Invoice No"]
    tables = sheets(Customers=CUSTOMERS, Orders=[header, invoiced, second])
    assert flag_keys(tables) == {("Orders", 3, "Payment Method", "credit_limit_exceeded")}
    tables["Payments"] = [["Payment ID", "Date", "Invoice No", "Amount"], ["PAY-1", MAR_3, "inv-1", 124.83]]
    assert flag_keys(tables) == set()


@pytest.mark.parametrize("payment", ["Card", "Bank Transfer", "Cash"])
def test_only_invoice_orders_use_credit(payment: str) -> None:
    row = ["SO-1", MAR_2, "C-DE", "WID-1", 50, None, None, None, "Standard", payment, "08/28" if payment == "Card" else None, None, None]
    assert credit_flags(row) == set()


def test_a_customer_without_a_credit_limit_has_no_limit() -> None:
    row = ["SO-1", MAR_2, "C-US", "WID-1", 90, None, None, None, "Standard", "Invoice", None, None, None]
    assert flag_keys(sheets(Orders=orders(row))) == set()


def test_a_cancelled_order_uses_no_credit() -> None:
    cancelled = list(TEN_WIDGETS)
    cancelled[11] = "Cancel"
    second = ["SO-2", MAR_3, "C-DE", "WID-1", 10, None, None, None, "Standard", "Invoice", None, None, None]
    assert credit_flags(cancelled, second) == set()
