"""Intake (rules/intake.py): raw tables -> records, a flag for every cell that cannot be read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from helpers import MAR_2, ORDERS_HEADER, evaluate_sheets, keys, orders, raw_table, raw_tables, sheets
from rules.checks import evaluate
from rules.intake import read_desk, read_table
from rules.policy import Policy
from rules.schema import CUSTOMERS, ORDERS, PAYMENTS, PRODUCTS, RETURNS, STOCK_MOVES
from rules.table import RawTable


def read(spec, rows):
    return read_table(raw_table(spec.name, rows), spec)


def test_a_clean_orders_row_becomes_a_typed_record() -> None:
    rows = orders(["SO-1", MAR_2, " c-de ", "WID-1", "5", " 12.50 ", "10%", "2026-03-09", "Standard", "card", "08/28", "approve", "ring twice"])
    (line,), flags = read(ORDERS, rows)
    assert flags == ()
    assert line.row == 2
    assert (line.order_id, line.order_key, line.customer_id, line.customer_key, line.sku_key) == ("SO-1", "so-1", "c-de", "c-de", "wid-1")
    assert line.order_date == MAR_2 and line.ship_by == date(2026, 3, 9)
    assert line.quantity == 5 and type(line.quantity) is int
    assert line.unit_price == Decimal("12.50") and type(line.unit_price) is Decimal
    assert line.discount == Decimal("0.1")
    assert (line.payment_method, line.action, line.card_expiry, line.notes) == ("Card", "Approve", (2028, 8), "ring twice")
    assert line.unreadable == frozenset()


def test_numbers_become_decimals_through_the_text_excel_stored() -> None:
    (line,), _ = read(ORDERS, orders(["SO-1", MAR_2, "C-DE", "WID-1", 3, 0.1, 0.15, None, "Standard", "Invoice", None, None, None]))
    assert line.unit_price == Decimal("0.1") and str(line.unit_price) == "0.1"
    assert line.discount == Decimal("0.15")


# Each sheet's readable-or-not cells, and the code its flag carries.
UNREADABLE = [
    (ORDERS, "Order Date", "someday", "invalid_date"),
    (ORDERS, "Quantity", 1.5, "invalid_quantity"),
    (ORDERS, "Quantity", "a few", "invalid_quantity"),
    (ORDERS, "Unit Price", "ten", "invalid_value"),
    (ORDERS, "Unit Price", True, "invalid_value"),
    (ORDERS, "Unit Price", MAR_2, "invalid_value"),
    (ORDERS, "Discount %", "some", "invalid_discount"),
    (ORDERS, "Ship By", "31.04.2026", "invalid_date"),
    (ORDERS, "Card Expiry", "13/28", "invalid_date"),
]


@pytest.mark.parametrize(("spec", "header", "value", "code"), UNREADABLE)
def test_an_unreadable_orders_cell_is_flagged_on_that_cell_and_the_row_kept(spec, header: str, value: object, code: str) -> None:
    row: list[object] = ["SO-1", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None]
    row[ORDERS_HEADER.index(header)] = value
    records, flags = read(spec, orders(row))
    assert keys(flags) == {("Orders", 2, header, code)}
    (line,) = records
    assert line.unreadable == frozenset({header})
    assert line.order_id == "SO-1"


@pytest.mark.parametrize(
    ("spec", "rows", "expected"),
    [
        (PRODUCTS, [["SKU", "Unit Price", "Pack Size", "Active"], ["WID-1", "cheap", "six", "perhaps"]],
         {("Products", 2, "Unit Price", "invalid_value"), ("Products", 2, "Pack Size", "invalid_value"), ("Products", 2, "Active", "invalid_value")}),
        (CUSTOMERS, [["Customer ID", "Credit Limit", "Payment Terms (days)"], ["C-1", "none", "net 30"]],
         {("Customers", 2, "Credit Limit", "invalid_value"), ("Customers", 2, "Payment Terms (days)", "invalid_value")}),
        (STOCK_MOVES, [["Date", "SKU", "Location", "Quantity"], ["soon", "WID-1", "Main", "+-3"]],
         {("Stock Moves", 2, "Date", "invalid_date"), ("Stock Moves", 2, "Quantity", "invalid_quantity")}),
        (PAYMENTS, [["Payment ID", "Date", "Invoice No", "Amount"], ["P-1", "31.02.2026", "INV-1", "€ lots"]],
         {("Payments", 2, "Date", "invalid_date"), ("Payments", 2, "Amount", "invalid_value")}),
        (RETURNS, [["RMA ID", "Order ID", "SKU", "Quantity", "Condition", "Resolution"], ["R-1", "SO-1", "WID-1", 0.5, "Mint", "Swap"]],
         {("Returns", 2, "Quantity", "invalid_quantity"), ("Returns", 2, "Condition", "invalid_value"), ("Returns", 2, "Resolution", "invalid_value")}),
    ],
)
def test_unreadable_cells_on_the_other_sheets(spec, rows, expected) -> None:
    records, flags = read(spec, rows)
    assert keys(flags) == expected
    assert len(records) == 1


def test_blank_rows_anywhere_are_skipped_and_rows_keep_their_excel_numbers() -> None:
    rows = orders(
        [None] * 13,
        ["SO-1", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None],
        ["", "  ", None, "", None, None, None, None, None, None, None, None, None],
        ["SO-2", MAR_2, "C-DE", "BOOK-1", 1, None, None, None, "Standard", "Invoice", None, None, None],
        [None] * 13,
    )
    records, flags = read(ORDERS, rows)
    assert [r.row for r in records] == [3, 5]
    assert flags == ()


def test_a_row_with_only_sheetclerks_own_cells_is_blank() -> None:
    rows = [
        ["Order ID", "Quantity", "Line Total", "Status", "Check"],
        [None, None, 20.0, "Verified", "ok"],
        ["SO-1", 2, None, None, None],
    ]
    records, _ = read(ORDERS, rows)
    assert [r.row for r in records] == [3]


def test_short_rows_read_as_blank_at_the_end() -> None:
    table = RawTable("Orders", tuple(ORDERS_HEADER), [(2, ["SO-1", MAR_2, "C-DE", "WID-1", 2])])
    (line,), flags = read_table(table, ORDERS)
    assert flags == () and line.quantity == 2 and line.ship_method is None


def test_clerk_columns_and_sheetclerk_columns_are_not_read_as_data() -> None:
    rows = [
        ["Order ID", "Sales Rep", "Status", "Quantity"],
        ["SO-1", "Lena", "Shipped", 2],
    ]
    (line,), flags = read(ORDERS, rows)
    assert flags == ()
    assert line.status == "Shipped"


def test_intake_flags_name_the_sheet_as_the_rules_do_whatever_the_workbook_calls_it() -> None:
    """A sheet typed as 'ORDERS' is still the Orders sheet: its unreadable cells hold the order."""
    rows = orders(["SO-1", "someday", "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None])
    tables = raw_tables(sheets())
    tables["Orders"] = raw_table("ORDERS", rows)
    desk, intake_flags = read_desk(tables)
    assert keys(intake_flags) == {("Orders", 2, "Order Date", "invalid_date")}
    assert evaluate(desk, Policy(), intake_flags).statuses == {2: "On hold"}


def test_missing_optional_sheets_read_as_empty() -> None:
    desk, flags = read_desk(raw_tables(sheets()))
    assert desk.payments == () and desk.returns == () and desk.stock_moves == ()
    assert flags == ()


def test_a_formula_or_command_typed_as_text_stays_text() -> None:
    rows = orders(["SO-1", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, '=HYPERLINK("x")'])
    (line,), flags = read(ORDERS, rows)
    assert line.notes == '=HYPERLINK("x")' and flags == ()
    assert keys(evaluate_sheets(sheets(Orders=orders(["+cmd", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None]))).flags) == set()


def test_tables_read_one_by_one_in_any_order_make_the_same_desk() -> None:
    import itertools

    from rules.intake import DeskIntake

    tables = raw_tables(sheets())
    expected = read_desk(tables)
    for order in itertools.islice(itertools.permutations(tables), 0, None, 7):
        intake = DeskIntake()
        for name in order[:2]:
            intake.add(name, tables[name])
        intake.add(order[0], tables[order[0]])  # a table handed over twice is read once
        assert intake.desk(tables) == expected
