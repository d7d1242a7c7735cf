"""Rules that need more than one row: duplicate keys, orders whose lines disagree,
orders entered twice, and customers over their credit limit. `(context) -> flags`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from operator import attrgetter, itemgetter
from decimal import Decimal

from rules.cells import key
from rules.checks.context import Context
from rules.flags import Code, Flag, flag
from rules.models import Customer, Order, OrderLine
from rules.money import ZERO

NONE: tuple[Flag, ...] = ()


# --- duplicate keys -----------------------------------------------------------

#: (sheet, desk attribute, key headers, record attributes) for every keyed sheet.
KEYED_SHEETS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Products", "products", ("SKU",), ("sku",)),
    ("Customers", "customers", ("Customer ID",), ("customer_id",)),
    ("Inventory", "stock", ("SKU", "Location"), ("sku", "location")),
    ("Payments", "payments", ("Payment ID",), ("payment_id",)),
    ("Returns", "returns", ("RMA ID",), ("rma_id",)),
)


def duplicate_keys(ctx: Context) -> tuple[Flag, ...]:
    out = []
    for sheet, attr, headers, fields in KEYED_SHEETS:
        first_row: dict[tuple, int] = {}
        values = attrgetter(*fields) if len(fields) > 1 else lambda record, f=fields[0]: (getattr(record, f),)
        for record in getattr(ctx.desk, attr):
            k = tuple(map(key, values(record)))
            if None in k:
                continue
            if k in first_row:
                shown = " / ".join(str(getattr(record, f)) for f in fields)
                out.append(
                    flag(
                        sheet, record.row, headers[0], Code.DUPLICATE_KEY,
                        f"{' + '.join(headers)} '{shown}' is already on row {first_row[k]}; each must appear once "
                        f"(row {first_row[k]} is the one used).",
                    )
                )
            else:
                first_row[k] = record.row
    return tuple(out)


# --- lines of one order that disagree ----------------------------------------

#: Order-level facts every line of an order must agree on: (header, how to compare, how to show).
ORDER_HEADER_FIELDS: tuple[tuple[str, Callable[[OrderLine], object], Callable[[OrderLine], str]], ...] = (
    ("Order Date", lambda line: line.order_date, lambda line: line.order_date.isoformat()),
    ("Customer ID", lambda line: line.customer_key, lambda line: str(line.customer_id)),
    ("Payment Method", lambda line: key(line.payment_method), lambda line: str(line.payment_method)),
    ("Ship Method", lambda line: key(line.ship_method), lambda line: str(line.ship_method)),
)


def _header_facts(line: OrderLine) -> tuple:
    """All order-level facts of a line at once: most orders agree, and this says so quickly."""
    return (line.order_date, line.customer_key, line.payment_method, line.ship_method)


def conflicting_orders(ctx: Context) -> tuple[Flag, ...]:
    out = []
    for order in ctx.orders.values():
        if order.order_key in ctx.settled_orders or len(order.lines) < 2:
            continue
        if len({_header_facts(line) for line in order.lines}) == 1:
            continue
        for header, compare, show in ORDER_HEADER_FIELDS:
            reference = next((line for line in order.lines if compare(line) is not None), None)
            if reference is None:
                continue
            for line in order.lines:
                value = compare(line)
                if value is not None and value != compare(reference):
                    out.append(
                        flag(
                            "Orders", line.row, header, Code.CONFLICTING_ORDER,
                            f"{header} '{show(line)}' differs from '{show(reference)}' on row {reference.row} "
                            f"of the same order {order.order_id}; all lines of an order must agree.",
                        )
                    )
    return tuple(out)


# --- the same order entered twice --------------------------------------------

def _is_open(order: Order) -> bool:
    return not any(line.status in ("Cancelled", "Returned") or line.action == "Cancel" for line in order.lines)


def _same_customer_and_day(orders: list[Order]) -> list[Order]:
    """Orders that share their customer and order date with another, in sheet order.

    Only these can be an order entered twice: a signature includes both.
    """
    first_at: dict[tuple, int] = {}
    shared: set[int] = set()
    for i, order in enumerate(orders):
        first = order.lines[0]
        j = first_at.setdefault((first.customer_key, first.order_date), i)
        if j != i:
            shared.update((i, j))
    return [orders[i] for i in sorted(shared)]


def duplicate_orders(ctx: Context) -> tuple[Flag, ...]:
    out = []
    seen: dict[tuple, Order] = {}
    for order in _same_customer_and_day(list(ctx.orders.values())):
        first = order.first
        if first.customer_key is None or first.order_date is None or not _is_open(order):
            continue
        lines = tuple(sorted((line.sku_key or "", line.quantity or 0) for line in order.lines))
        signature = (first.customer_key, first.order_date, lines)
        original = seen.setdefault(signature, order)
        if original is order or order.order_key in ctx.approved_orders or order.order_key in ctx.settled_orders:
            continue
        for line in order.lines:
            out.append(
                flag(
                    "Orders", line.row, "Order ID", Code.DUPLICATE_ORDER,
                    f"Order {order.order_id} has the same customer, date and lines as order {original.order_id} "
                    f"(row {original.first.row}); was it entered twice? Cancel one, or Approve if both are wanted.",
                )
            )
    return tuple(out)


# --- credit limits ------------------------------------------------------------

def _order_sort_key(first: OrderLine) -> tuple[date, int]:
    """Oldest first (by the order's first line), undated last."""
    return (first.order_date or date.max, first.row)


def _paid_by_invoice(ctx: Context) -> dict[str, Decimal]:
    """Invoice No key -> the sum of the payments recorded against it on the Payments sheet."""
    paid: dict[str, Decimal] = {}
    for p in ctx.desk.payments:
        k = key(p.invoice_no)
        if k is not None and p.amount is not None:
            paid[k] = paid.get(k, ZERO) + p.amount
    return paid


def _on_account(ctx: Context) -> list[tuple[Order, Customer]]:
    """(order, customer) for each order on invoice whose customer has a credit limit, oldest first.

    A customer without a limit is never flagged, so their balance is not needed.
    """
    customers = ctx.customers
    found = []
    for order in ctx.orders.values():
        first = order.lines[0]
        if first.payment_method != "Invoice" or first.customer_key is None:
            continue
        customer = customers.get(first.customer_key)
        if customer is not None and customer.credit_limit is not None:
            found.append((_order_sort_key(first), order, customer))
    found.sort(key=itemgetter(0))
    return [(order, customer) for _, order, customer in found]


def _counted(ctx: Context, on_account: list[tuple[Order, Customer]]) -> list[tuple[Order, Customer]]:
    """The open orders whose amounts can matter: each customer's up to their last order that may be flagged.

    Settled and approved orders are never flagged, so a customer with none other
    needs no balance, and orders after a customer's last such one change nothing.
    Cancelled and returned orders owe nothing (`_is_open`).
    """
    last: dict[str, int] = {}
    for i, (order, customer) in enumerate(on_account):
        k = order.order_key
        if k not in ctx.approved_orders and k not in ctx.settled_orders and _is_open(order):
            last[customer.customer_id] = i
    return [
        (order, customer) for i, (order, customer) in enumerate(on_account)
        if i <= last.get(customer.customer_id, -1) and _is_open(order)
    ]


def credit_limits(ctx: Context) -> tuple[Flag, ...]:
    """Invoice orders, oldest first, may not take a customer's open balance past the limit.

    Without a ledger the open balance is what the workbook shows: earlier open
    Invoice orders of the customer less the payments recorded against their
    invoice numbers.
    """
    paid = _paid_by_invoice(ctx)
    invoice_key = cache(key)  # an order's lines share one Invoice No: fold each once
    balance: dict[str, Decimal] = {}
    out = []
    for order, customer in _counted(ctx, _on_account(ctx)):
        gross = ctx.gross(order)
        if gross is None:
            continue
        invoices = {k for line in order.lines if (k := invoice_key(line.invoice_no)) is not None}
        owed = gross - sum((paid.get(k, ZERO) for k in invoices), ZERO)
        before = balance.get(customer.customer_id, ZERO)
        balance[customer.customer_id] = before + max(owed, ZERO)
        limit = customer.credit_limit
        if before + owed <= limit or order.order_key in ctx.approved_orders or order.order_key in ctx.settled_orders:
            continue
        for line in order.lines:
            out.append(
                flag(
                    "Orders", line.row, "Payment Method", Code.CREDIT_LIMIT_EXCEEDED,
                    f"On invoice, this order ({gross:,.2f}) and {customer.customer_id}'s open balance "
                    f"({before:,.2f}) come to {before + owed:,.2f}, over the credit limit of {limit:,.2f}; "
                    "ask for prepayment or have a manager Approve.",
                )
            )
    return tuple(out)


DESK_RULES: tuple[Callable[[Context], Iterable[Flag]], ...] = (
    duplicate_keys,
    conflicting_orders,
    duplicate_orders,
    credit_limits,
)
