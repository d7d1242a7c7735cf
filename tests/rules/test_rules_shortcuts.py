"""The rules' shortcuts held to a plain reading of each rule, on random desks.

The desk rules and the stock and status stage skip work that cannot change an
answer (orders of customers that cannot be flagged, orders that share no
customer and day with another, closed lines); each test here spells the rule
out the plain way, over every order and line, and asks for the very same flags,
statuses and demands, in the same order.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import MAR_2, ORDERS_HEADER, raw_tables, sheets
from rules.cells import key
from rules.checks import _walk_lines, build_context
from rules.checks import desk as desk_rules
from rules.construct import replaced
from rules.flags import Code, flag
from rules.intake import read_desk
from rules.models import Order
from rules.money import ZERO
from rules.orders import AFTER_INVOICE, CLOSED, SETTLED, settled_status
from rules.policy import Policy
from rules.pricing import Pricer
from rules.stock import Demand

DAYS = [MAR_2, date(2026, 3, 3), date(2026, 3, 4)]
CUSTOMERS = [
    ["Customer ID", "Name", "Address", "City", "Postal Code", "Country", "Credit Limit"],
    ["C-DE", "Müller GmbH", "Hauptstraße 1", "Berlin", "10115", "DE", 150],
    ["C-AT", "Huber KG", "Ring 2", "Wien", "1010", "AT", 400],
    ["C-US", "Acme Inc.", "1 Main St", "Springfield", "12345", "US", None],
]

line_row = st.tuples(
    st.sampled_from(["SO-1", "SO-2", "SO-3", "SO-4", "SO-5", "SO-6"]),
    st.sampled_from(DAYS),
    st.sampled_from(["C-DE", "C-DE", "C-DE", "C-AT", "C-US", "C-XX"]),
    st.sampled_from(["WID-1", "BOOK-1", "BOX-6", "NOPE"]),
    st.sampled_from([1, 6, 10, 12]),
    st.sampled_from([None, 10.0, "10.00", 20.0]),
    st.sampled_from(["Invoice", "Invoice", "Invoice", "Card"]),
    st.sampled_from([None, None, None, "Approve", "Cancel", "Hold", "Ship"]),
    st.sampled_from([None, None, "Invoiced", "Delivered", "Backordered", "Cancelled", "Returned"]),
    st.sampled_from([None, "INV-1", "inv-2"]),
    st.sampled_from([0, 0, 1]),
)


def _desk(rows, payments, entered_twice=()):
    """The Orders rows (the orders in `entered_twice` again under another Order ID), payments against invoices."""
    rows = list(rows) + [(f"{row[0]}-B", *row[1:]) for row in rows if row[0] in entered_twice]
    header = [*ORDERS_HEADER, "Status", "Invoice No"]
    table = [header]
    for order_id, day, customer, sku, qty, price, method, action, status, invoice, _ in rows:
        table.append([order_id, day, customer, sku, qty, price, None, None, "Standard", method, None, action, None,
                      status, invoice])
    tables = sheets(Customers=CUSTOMERS, Orders=table)
    tables["Payments"] = [["Payment ID", "Date", "Invoice No", "Amount"],
                          *[[f"P-{i}", MAR_2, no, amount] for i, (no, amount) in enumerate(payments, start=1)]]
    desk, _ = read_desk(raw_tables(tables), True)
    shipped = [row[-1] for row in rows]  # as the ledger would know it
    return replaced(desk, lines=tuple(replaced(line, shipped=s) for line, s in zip(desk.lines, shipped)))


desks = st.builds(
    _desk,
    st.lists(line_row, min_size=1, max_size=14),
    st.lists(st.tuples(st.sampled_from(["INV-1", "INV-2"]), st.sampled_from([10.0, 50.0])), max_size=2),
    st.sets(st.sampled_from(["SO-1", "SO-2", "SO-3"]), max_size=2),
)


# --- the plain readings ------------------------------------------------------------------

def _is_open(order: Order) -> bool:
    return not any(line.status in ("Cancelled", "Returned") or line.action == "Cancel" for line in order.lines)


def plain_credit_limits(ctx) -> list:
    paid: dict = {}
    for p in ctx.desk.payments:
        k = key(p.invoice_no)
        if k is not None and p.amount is not None:
            paid[k] = paid.get(k, ZERO) + p.amount
    balance: dict = {}
    out = []
    for order in sorted(ctx.orders.values(), key=lambda o: (o.first.order_date or date.max, o.first.row)):
        first = order.first
        customer = ctx.customers.get(first.customer_key) if first.customer_key else None
        if first.payment_method != "Invoice" or customer is None or not _is_open(order):
            continue
        totals = ctx.totals(order)
        if totals is None:
            continue
        invoices = {k for line in order.lines if (k := key(line.invoice_no)) is not None}
        owed = totals.gross - sum((paid.get(k, ZERO) for k in invoices), ZERO)
        before = balance.get(customer.customer_id, ZERO)
        balance[customer.customer_id] = before + max(owed, ZERO)
        limit = customer.credit_limit
        if limit is None or before + owed <= limit or order.order_key in ctx.approved_orders or order.order_key in ctx.settled_orders:
            continue
        for line in order.lines:
            out.append(flag(
                "Orders", line.row, "Payment Method", Code.CREDIT_LIMIT_EXCEEDED,
                f"On invoice, this order ({totals.gross:,.2f}) and {customer.customer_id}'s open balance "
                f"({before:,.2f}) come to {before + owed:,.2f}, over the credit limit of {limit:,.2f}; "
                "ask for prepayment or have a manager Approve.",
            ))
    return out


def plain_duplicate_orders(ctx) -> list:
    out = []
    seen: dict = {}
    for order in ctx.orders.values():
        first = order.first
        if first.customer_key is None or first.order_date is None or not _is_open(order):
            continue
        lines = tuple(sorted((line.sku_key or "", line.quantity or 0) for line in order.lines))
        original = seen.setdefault((first.customer_key, first.order_date, lines), order)
        if original is order or order.order_key in ctx.approved_orders or order.order_key in ctx.settled_orders:
            continue
        out += [(line.row, original.order_id) for line in order.lines]
    return out


def plain_statuses_and_demands(ctx, error_rows: set[int]) -> tuple[dict, list]:
    statuses: dict = {}
    demands = []
    for order in ctx.orders.values():
        kept = settled_status(order)
        if kept is not None:
            statuses.update({line.row: line.status if line.status in AFTER_INVOICE else kept for line in order.lines})
        elif any(line.row in error_rows or line.action == "Hold" for line in order.lines):
            statuses.update({line.row: "On hold" for line in order.lines})
        else:
            statuses.update({line.row: "Verified" for line in order.lines})
        if not any(line.row in error_rows or line.action in ("Cancel", "Hold") for line in order.lines):
            demands += [
                Demand(line.row, line.order_date, line.sku_key, line.quantity - line.shipped)
                for line in order.lines
                if line.status not in CLOSED and line.sku_key in ctx.products and line.quantity
                and line.quantity - line.shipped > 0
            ]
    for line in ctx.desk.lines:
        if line.order_key is None:
            statuses[line.row] = "On hold"
    return statuses, demands


# --- the tests -----------------------------------------------------------------------------

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(desks)
def test_credit_limits_as_the_plain_reading(desk) -> None:
    assert list(desk_rules.credit_limits(build_context(desk, Policy()))) == plain_credit_limits(build_context(desk, Policy()))


@SETTINGS
@given(desks)
def test_duplicate_orders_as_the_plain_reading(desk) -> None:
    ctx = build_context(desk, Policy())
    found = [(f.row, f.message.split(" as order ")[1].split(" ")[0]) for f in desk_rules.duplicate_orders(ctx)]
    assert found == plain_duplicate_orders(ctx)


@SETTINGS
@given(desks, st.sets(st.integers(2, 30), max_size=4))
def test_statuses_and_demands_as_the_plain_reading(desk, error_rows) -> None:
    ctx = build_context(desk, Policy())
    statuses, demands = _walk_lines(ctx, error_rows)
    plain_statuses, plain_demands = plain_statuses_and_demands(ctx, error_rows)
    assert statuses == plain_statuses
    assert sorted(demands) == sorted(plain_demands)  # allocation sorts them by Order Date and row


@SETTINGS
@given(desks)
def test_settled_orders_as_each_orders_settled_status(desk) -> None:
    ctx = build_context(desk, Policy())
    assert ctx.settled_orders == {k: s for k, o in ctx.orders.items() if (s := settled_status(o)) is not None}
    assert all(s in SETTLED or s == "Backordered" for s in ctx.settled_orders.values())


def test_a_line_is_priced_as_typed_whichever_equal_line_came_first() -> None:
    desk = _desk([("SO-1", MAR_2, "C-DE", "WID-1", 2, "5.70", "Invoice", None, None, None, 0),
                  ("SO-2", MAR_2, "C-DE", "WID-1", 2, 5.7, "Invoice", None, None, None, 0)], [])
    first, second = desk.lines
    assert first.unit_price == second.unit_price and str(first.unit_price) != str(second.unit_price)
    for order in ((first, second), (second, first)):
        pricer = Pricer(build_context(desk, Policy()).products, Policy().rounding)
        for line in order:
            priced = pricer.line(line)
            assert str(priced.unit_price) == str(line.unit_price)
            assert pricer.net(line) == priced.net == Decimal("11.40")


def test_a_zero_line_total_keeps_its_own_sign() -> None:
    desk = _desk([("SO-1", MAR_2, "C-DE", "WID-1", 2, "0", "Invoice", None, None, None, 0),
                  ("SO-2", MAR_2, "C-DE", "WID-1", 2, "-0", "Invoice", None, None, None, 0)], [])
    pricer = Pricer(build_context(desk, Policy()).products, Policy().rounding)
    for line in desk.lines:
        assert str(pricer.net(line)) == str(pricer.line(line).net)
