"""The pipeline (rules/checks/__init__.py): a rule that raises becomes an
`internal_error` flag on what it was checking, and every other rule still runs.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import rules.checks
from helpers import MAR_2, evaluate_sheets, keys, orders, sheets
from rules.flags import SEVERITY, Code, Severity

ROWS = (
    ["SO-1", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None],
    ["SO-2", MAR_2, "C-US", "NOPE-1", 1, None, None, None, "Standard", "Invoice", None, None, None],
)


def broken(record, ctx):
    raise ZeroDivisionError("a bug")


def broken_only_on_row_2(record, ctx):
    if record.row == 2:
        raise KeyError("a bug")
    return ()


def test_a_row_rule_that_raises_flags_that_row_and_the_other_rules_run(monkeypatch: pytest.MonkeyPatch) -> None:
    patched = tuple(
        (sheet, attr, (broken_only_on_row_2, *table) if sheet == "Orders" else table, applies)
        for sheet, attr, table, applies in rules.checks.ROW_RULES
    )
    monkeypatch.setattr(rules.checks, "ROW_RULES", patched)
    result = evaluate_sheets(sheets(Orders=orders(*ROWS)))
    assert keys(result.flags) == {
        ("Orders", 2, "", "internal_error"),
        ("Orders", 3, "SKU", "unknown_sku"),  # the real rules still ran, on every row
    }
    (internal,) = [f for f in result.flags if f.code is Code.INTERNAL_ERROR]
    assert internal.severity is Severity.ERROR
    assert result.statuses == {2: "On hold", 3: "On hold"}


def test_a_rule_raising_on_every_row_of_a_reference_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    patched = tuple(
        (sheet, attr, (*table, broken) if sheet == "Products" else table, applies)
        for sheet, attr, table, applies in rules.checks.ROW_RULES
    )
    monkeypatch.setattr(rules.checks, "ROW_RULES", patched)
    result = evaluate_sheets(sheets(Orders=orders(ROWS[0])))
    assert keys(result.flags) == {("Products", row, "", "internal_error") for row in (2, 3, 4, 5)}


def test_a_desk_rule_that_raises_flags_the_sheet_and_the_others_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_desk_rule(ctx):
        raise RuntimeError("a bug")

    monkeypatch.setattr(rules.checks, "DESK_RULES", (broken_desk_rule, *rules.checks.DESK_RULES))
    duplicate = ["SO-3", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None]
    result = evaluate_sheets(sheets(Orders=orders(ROWS[0], duplicate)))
    assert keys(result.flags) == {("Orders", None, "", "internal_error"), ("Orders", 3, "Order ID", "duplicate_order")}


def test_a_stock_stage_that_raises_is_an_internal_error_and_statuses_still_come(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_allocate(demands, stock):
        raise ValueError("a bug")

    monkeypatch.setattr(rules.checks, "allocate", broken_allocate)
    result = evaluate_sheets(sheets(Orders=orders(ROWS[0])))
    assert keys(result.flags) == {("Inventory", None, "", "internal_error")}
    assert result.reservations == () and result.statuses == {2: "Verified"}


def test_every_code_has_its_severity() -> None:
    assert set(SEVERITY) == set(Code)
    contract_errors = {
        "missing_field", "unknown_customer", "unknown_sku", "inactive_sku", "invalid_quantity", "price_mismatch",
        "invalid_discount", "invalid_date", "card_expired", "card_number_exposed", "invalid_address",
        "conflicting_order", "duplicate_key", "changed_after_invoice",
    }
    contract_warnings = {
        "invalid_vat_id", "credit_limit_exceeded", "insufficient_stock", "duplicate_order", "stock_mismatch",
        "payment_mismatch", "overdue_invoice",
    }
    assert {c.value for c, s in SEVERITY.items() if s is Severity.ERROR} >= contract_errors
    assert {c.value for c, s in SEVERITY.items() if s is Severity.WARNING} >= contract_warnings
    assert not contract_errors & {c.value for c, s in SEVERITY.items() if s is Severity.WARNING}


def test_lines_without_an_order_id_are_on_hold() -> None:
    row = [None, MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None]
    result = evaluate_sheets(sheets(Orders=orders(row)))
    assert keys(result.flags) == {("Orders", 2, "Order ID", "missing_field")}
    assert result.statuses == {2: "On hold"} and result.reservations == ()


def test_line_totals_and_order_totals_come_with_the_check() -> None:
    rows = (
        ["SO-1", MAR_2, "C-DE", "WID-1", 3, None, 0.1, None, "Standard", "Invoice", None, None, None],
        ["SO-1", MAR_2, "C-DE", "BOOK-1", 1, None, None, None, "Standard", "Invoice", None, None, None],
        ["SO-2", MAR_2, "C-DE", "NOPE-1", 1, None, None, None, "Standard", "Invoice", None, None, None],
    )
    result = evaluate_sheets(sheets(Orders=orders(*rows)))
    assert dict(result.line_totals) == {2: Decimal("27.00"), 3: Decimal("20.00")}
    assert list(result.order_totals) == ["so-1"]
    totals = result.order_totals["so-1"]
    assert (str(totals.goods_net), str(totals.shipping_net), str(totals.gross)) == ("47.00", "4.90", "59.36")  # tax 5.13 + 1.40 + 0.93
