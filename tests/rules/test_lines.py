"""The Orders row rules (rules/checks/lines.py), one clerk's row at a time.

Every case is an Orders sheet in the starter column order; the reference
sheets are the clean desk from `helpers.sheets()`:

    WID-1 Widget 10.00 (19 %), BOX-6 pack of 6 at 30.00, BOOK-1 20.00 (7 %),
    OLD-1 inactive; customers C-DE (Berlin, limit 5000) and C-US (no limit).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from helpers import MAR_2, ORDERS_HEADER, evaluate_sheets, flag_keys, keys, orders, sheets
from rules.checks import lines
from rules.policy import Policy
from rules.schema import ACTIONS

#          Order ID  Order Date Customer  SKU      Qty Unit Price Disc  Ship By Ship Method Payment    Expiry Action Notes
CLEAN = ["SO-1",   MAR_2,     "C-DE",   "WID-1", 2,  None,      None, None,   "Standard", "Invoice", None,  None,  None]


def changed(**cells: object) -> list[object]:
    """The clean line with some cells changed: `changed(Unit_Price=9.99)` (`_` for a space, `Discount` for Discount %)."""
    row = list(CLEAN)
    for name, value in cells.items():
        header = "Discount %" if name == "Discount" else name.replace("_", " ")
        row[ORDERS_HEADER.index(header)] = value
    return row


def order_flags(*rows: list[object], policy: Policy | None = None) -> set[tuple]:
    return flag_keys(sheets(Orders=orders(*rows)), policy)


def test_the_clean_line_raises_nothing_and_is_verified() -> None:
    result = evaluate_sheets(sheets(Orders=orders(CLEAN)))
    assert keys(result.flags) == set()
    assert result.statuses == {2: "Verified"}


def test_every_line_rule_is_in_the_table_once() -> None:
    rules = [f for name, f in vars(lines).items() if callable(f) and getattr(f, "__module__", "") == lines.__name__ and not name.startswith("_")]
    assert sorted(r.__name__ for r in rules) == sorted(r.__name__ for r in lines.LINE_RULES)
    assert isinstance(lines.LINE_RULES, tuple)


# --- missing_field --------------------------------------------------------------

@pytest.mark.parametrize("header", ["Order ID", "Order Date", "Customer ID", "SKU", "Quantity", "Ship Method", "Payment Method"])
@pytest.mark.parametrize("blank", [None, "   "])
def test_a_required_cell_left_empty_is_missing(header: str, blank: object) -> None:
    row = list(CLEAN)
    row[ORDERS_HEADER.index(header)] = blank
    assert order_flags(row) == {("Orders", 2, header, "missing_field")}


def test_a_missing_field_puts_the_order_on_hold() -> None:
    result = evaluate_sheets(sheets(Orders=orders(changed(Quantity=None), ["SO-1", MAR_2, "C-DE", "BOOK-1", 1, None, None, None, "Standard", "Invoice", None, None, None])))
    assert result.statuses == {2: "On hold", 3: "On hold"}


def test_card_payment_needs_a_card_expiry() -> None:
    assert order_flags(changed(Payment_Method="Card")) == {("Orders", 2, "Card Expiry", "missing_field")}
    assert order_flags(changed(Payment_Method="Card", Card_Expiry="08/28")) == set()
    assert order_flags(changed(Payment_Method="Invoice", Card_Expiry=None)) == set()


def test_an_unreadable_cell_is_flagged_once_not_also_as_missing() -> None:
    assert order_flags(changed(Order_Date="next Tuesday")) == {("Orders", 2, "Order Date", "invalid_date")}
    assert order_flags(changed(Payment_Method="Card", Card_Expiry="soon")) == {("Orders", 2, "Card Expiry", "invalid_date")}


# --- unknown_customer / unknown_sku / inactive_sku --------------------------------

def test_unknown_customer() -> None:
    assert order_flags(changed(Customer_ID="C-XX")) == {("Orders", 2, "Customer ID", "unknown_customer")}


@pytest.mark.parametrize("typed", ["C-DE", " c-de ", "C-DE\u00a0", "c-DE"])
def test_customer_ids_match_ignoring_case_and_outer_spaces(typed: str) -> None:
    assert order_flags(changed(Customer_ID=typed)) == set()


def test_unknown_sku() -> None:
    assert order_flags(changed(SKU="NOPE-1")) == {("Orders", 2, "SKU", "unknown_sku")}


@pytest.mark.parametrize("typed", ["WID-1", "wid-1", "  WID-1  "])
def test_skus_match_ignoring_case_and_outer_spaces(typed: str) -> None:
    assert order_flags(changed(SKU=typed)) == set()


def test_an_inactive_product_cannot_be_sold() -> None:
    assert order_flags(changed(SKU="OLD-1")) == {("Orders", 2, "SKU", "inactive_sku")}


@pytest.mark.parametrize(
    ("active", "inactive"),
    [("yes", False), ("Y", False), (True, False), (1, False), (None, False), ("✓", False),
     ("no", True), ("N", True), (False, True), (0, True), ("FALSE", True)],
)
def test_the_products_active_cell_decides(active: object, inactive: bool) -> None:
    products = [
        ["SKU", "Description", "Unit Price", "Tax Rate", "Active"],
        ["WID-1", "Widget", 10.00, 0.19, active],
    ]
    expected = {("Orders", 2, "SKU", "inactive_sku")} if inactive else set()
    assert flag_keys(sheets(Orders=orders(CLEAN), Products=products), sheet="Orders") == expected


# --- invalid_quantity --------------------------------------------------------------

@pytest.mark.parametrize("quantity", [0, -3, 2.5, "two", "1e3x"])
def test_a_quantity_must_be_a_positive_whole_number(quantity: object) -> None:
    assert order_flags(changed(Quantity=quantity)) == {("Orders", 2, "Quantity", "invalid_quantity")}


@pytest.mark.parametrize("quantity", [1, 2.0, "5", " 12 ", "50"])
def test_whole_quantities_however_typed(quantity: object) -> None:
    assert order_flags(changed(Quantity=quantity)) == set()


@pytest.mark.parametrize(("quantity", "flagged"), [(4, True), (7, True), (6, False), (12, False)])
def test_a_quantity_must_be_a_multiple_of_the_pack_size(quantity: int, flagged: bool) -> None:
    expected = {("Orders", 2, "Quantity", "invalid_quantity")} if flagged else set()
    assert order_flags(changed(SKU="BOX-6", Quantity=quantity)) == expected


# --- price_mismatch ------------------------------------------------------------------

@pytest.mark.parametrize("price", [None, 10, 10.00, "10.00", " 10,00 ", "€10.00", 10.005, 9.995])
def test_a_price_within_the_tolerance_of_the_list_price_matches(price: object) -> None:
    assert order_flags(changed(Unit_Price=price)) == set()


@pytest.mark.parametrize("price", [10.006, 9.994, 9.99, 12.50, 0, -10])
def test_a_price_off_the_list_price_is_a_mismatch(price: object) -> None:
    assert order_flags(changed(Unit_Price=price)) == {("Orders", 2, "Unit Price", "price_mismatch")}


def test_an_unreadable_price_is_an_invalid_value_not_a_mismatch() -> None:
    assert order_flags(changed(Unit_Price="ten")) == {("Orders", 2, "Unit Price", "invalid_value")}


def test_a_manager_approval_on_any_line_accepts_the_orders_prices() -> None:
    rows = (
        ["SO-1", MAR_2, "C-DE", "WID-1", 2, 9.00, None, None, "Standard", "Invoice", None, None, None],
        ["SO-1", MAR_2, "C-DE", "BOOK-1", 1, 18.00, None, None, "Standard", "Invoice", None, "Approve", None],
        ["SO-2", MAR_2, "C-US", "WID-1", 1, 9.00, None, None, "Standard", "Invoice", None, None, None],
    )
    assert order_flags(*rows) == {("Orders", 4, "Unit Price", "price_mismatch")}


def test_an_approval_recorded_in_the_ledger_accepts_the_price() -> None:
    row = changed(Unit_Price=9.00)
    assert order_flags(row, policy=Policy(approved_orders=frozenset({"so-1"}))) == set()


def test_the_price_tolerance_is_configurable() -> None:
    row = changed(Unit_Price=10.04)
    assert order_flags(row) == {("Orders", 2, "Unit Price", "price_mismatch")}
    assert order_flags(row, policy=Policy(price_tolerance=Decimal("0.05"))) == set()


# --- invalid_discount -------------------------------------------------------------------

@pytest.mark.parametrize("discount", [None, 0, 0.1, "10%", " 12.5 % ", 1, "100%"])
def test_a_discount_from_0_to_100_percent(discount: object) -> None:
    assert order_flags(changed(Discount=discount)) == set()


@pytest.mark.parametrize("discount", [1.5, -0.1, 10, "150%", "-5%", "a lot"])
def test_a_discount_outside_0_to_100_percent(discount: object) -> None:
    assert order_flags(changed(Discount=discount)) == {("Orders", 2, "Discount %", "invalid_discount")}


# --- invalid_date ------------------------------------------------------------------------

def test_ship_by_before_the_order_date() -> None:
    assert order_flags(changed(Ship_By=date(2026, 3, 1))) == {("Orders", 2, "Ship By", "invalid_date")}


@pytest.mark.parametrize("ship_by", [MAR_2, date(2026, 3, 20), "2026-03-20", "20.03.2026"])
def test_ship_by_on_or_after_the_order_date(ship_by: object) -> None:
    assert order_flags(changed(Ship_By=ship_by)) == set()


@pytest.mark.parametrize(
    "order_date",
    [MAR_2, datetime(2026, 3, 2, 9, 30), "2026-03-02", "02.03.2026", "2/3/2026", float((MAR_2 - date(1899, 12, 30)).days)],
)
def test_order_dates_however_typed(order_date: object) -> None:
    assert order_flags(changed(Order_Date=order_date)) == set()


@pytest.mark.parametrize("order_date", ["31.02.2026", "2026-13-01", "next week", "03/02", True, -5])
def test_an_unreadable_order_date(order_date: object) -> None:
    assert order_flags(changed(Order_Date=order_date)) == {("Orders", 2, "Order Date", "invalid_date")}


def test_slash_dates_follow_the_day_first_setting() -> None:
    row = changed(Order_Date="03/04/2026", Ship_By="2026-03-10")
    assert order_flags(row) == {("Orders", 2, "Ship By", "invalid_date")}  # 3 April: Ship By is before it
    assert order_flags(row, policy=Policy(day_first=False)) == set()  # March 4


# --- card_expired ----------------------------------------------------------------------------

@pytest.mark.parametrize("expiry", ["02/26", "12/25", "2/2026", date(2026, 2, 1)])
def test_a_card_that_expired_before_the_order_month(expiry: object) -> None:
    row = changed(Payment_Method="Card", Card_Expiry=expiry)
    assert order_flags(row) == {("Orders", 2, "Card Expiry", "card_expired")}


@pytest.mark.parametrize("expiry", ["03/26", "3/26", "12/2027", " 08 / 28 ", date(2027, 11, 1)])
def test_a_card_valid_in_the_order_month(expiry: object) -> None:
    assert order_flags(changed(Payment_Method="Card", Card_Expiry=expiry)) == set()


@pytest.mark.parametrize("expiry", ["13/27", "00/27", "next year", date(2027, 11, 15)])
def test_an_unreadable_card_expiry(expiry: object) -> None:
    row = changed(Payment_Method="Card", Card_Expiry=expiry)
    assert order_flags(row) == {("Orders", 2, "Card Expiry", "invalid_date")}


def test_an_expired_card_does_not_matter_when_paying_by_invoice() -> None:
    assert order_flags(changed(Payment_Method="Invoice", Card_Expiry="01/20")) == set()


# --- unknown methods and actions ------------------------------------------------------------

def test_an_unknown_ship_method() -> None:
    assert order_flags(changed(Ship_Method="Drone")) == {("Orders", 2, "Ship Method", "unknown_ship_method")}


@pytest.mark.parametrize("method", ["Standard", "express", " PICKUP "])
def test_configured_ship_methods_match_ignoring_case(method: str) -> None:
    assert order_flags(changed(Ship_Method=method)) == set()


def test_an_unknown_payment_method() -> None:
    assert order_flags(changed(Payment_Method="Bitcoin")) == {("Orders", 2, "Payment Method", "unknown_payment_method")}


@pytest.mark.parametrize("method", ["Invoice", "bank transfer", "CASH"])
def test_known_payment_methods_match_ignoring_case(method: str) -> None:
    assert order_flags(changed(Payment_Method=method)) == set()


def test_an_unknown_action_is_a_warning_and_does_not_hold_the_order() -> None:
    result = evaluate_sheets(sheets(Orders=orders(changed(Action="Ship it"))))
    assert keys(result.flags) == {("Orders", 2, "Action", "unknown_action")}
    assert result.statuses == {2: "Verified"}


@pytest.mark.parametrize("action", [*ACTIONS, "approve", " cancel "])
def test_known_actions_raise_nothing(action: str) -> None:
    assert order_flags(changed(Action=action)) == set()


@pytest.mark.parametrize(("action", "status"), [("Hold", "On hold"), ("Approve", "Verified"), (None, "Verified")])
def test_a_hold_action_holds_the_order(action: str | None, status: str) -> None:
    assert evaluate_sheets(sheets(Orders=orders(changed(Action=action)))).statuses == {2: status}


# --- history -------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["Invoiced", "Shipped", "Delivered", "Cancelled", "Returned"])
def test_lines_of_settled_orders_are_history_and_not_verified_again(status: str) -> None:
    """The product went inactive and its price changed after this order was invoiced: no flags."""
    products = [
        ["SKU", "Description", "Unit Price", "Tax Rate", "Pack Size", "Active"],
        ["WID-1", "Widget", 12.00, 0.19, 1, "no"],
    ]
    row = ["SO-1", MAR_2, "C-DE", "WID-1", 2, 10.00, None, None, "Standard", "Card", "01/26", None, None]
    tables = sheets(Products=products, Orders=orders(row))
    tables["Orders"][0] = [*tables["Orders"][0], "Status"]
    tables["Orders"][1] = [*tables["Orders"][1], status]
    result = evaluate_sheets(tables)
    assert keys(result.flags, sheet="Orders") == set()
    assert result.statuses == {2: status}


def test_an_open_order_with_the_same_problems_is_flagged() -> None:
    products = [
        ["SKU", "Description", "Unit Price", "Tax Rate", "Pack Size", "Active"],
        ["WID-1", "Widget", 12.00, 0.19, 1, "no"],
    ]
    row = ["SO-1", MAR_2, "C-DE", "WID-1", 2, 10.00, None, None, "Standard", "Card", "01/26", None, None]
    assert {code for *_, code in flag_keys(sheets(Products=products, Orders=orders(row)), sheet="Orders")} == {
        "inactive_sku", "price_mismatch", "card_expired",
    }
