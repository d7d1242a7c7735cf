"""Rules for the reference sheets (Products, Customers, Inventory) and the movement
sheets (Stock Moves, Payments, Returns): one row at a time, `(record, context) -> flags`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from operator import attrgetter

from rules import address, vat
from rules.cells import key
from rules.checks.context import Context
from rules.flags import Code, Flag, flag
from rules.models import Customer, Payment, Product, Record, Return, StockLevel, StockMove
from rules.money import ONE, ZERO

NONE: tuple[Flag, ...] = ()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@cache
def _values_of(required: tuple[tuple[str, str], ...]) -> Callable[[Record], tuple]:
    """A getter of the required attributes' values as one tuple, made once per table."""
    get = attrgetter(*(attr for _, attr in required))
    return get if len(required) > 1 else lambda record: (get(record),)


def _missing(sheet: str, record: Record, required: tuple[tuple[str, str], ...], what: str) -> tuple[Flag, ...]:
    values = _values_of(required)(record)
    if None not in values and "" not in values:
        return NONE  # the common case, decided in C
    return tuple(
        flag(sheet, record.row, h, Code.MISSING_FIELD, f"{h} is empty; every {what} needs it.")
        for h, attr in required
        if getattr(record, attr) in (None, "") and h not in record.unreadable
    )


def _out_of_range(sheet: str, record: Record, checks: tuple[tuple[str, object, bool, str], ...]) -> tuple[Flag, ...]:
    """Flags for (header, value, is_bad, expectation) rows whose value is present and bad."""
    return tuple(
        flag(sheet, record.row, h, Code.INVALID_VALUE, f"{h} {value} {expectation}.")
        for h, value, bad, expectation in checks
        if value is not None and bad
    )


# --- Products ---------------------------------------------------------------

def product_fields(p: Product, ctx: Context) -> tuple[Flag, ...]:
    return _missing(
        "Products", p, (("SKU", "sku"), ("Description", "description"), ("Unit Price", "unit_price"), ("Tax Rate", "tax_rate")), "product"
    )


def product_values(p: Product, ctx: Context) -> tuple[Flag, ...]:
    rate = p.tax_rate
    return _out_of_range(
        "Products",
        p,
        (
            ("Unit Price", p.unit_price, p.unit_price is not None and p.unit_price < ZERO, "is negative"),
            ("Tax Rate", rate, rate is not None and not ZERO <= rate <= ONE, "must be a fraction from 0 to 1 (19% is 0.19)"),
            ("Pack Size", p.pack_size, p.pack_size < 1, "must be 1 or more"),
            ("Weight (kg)", p.weight_kg, p.weight_kg is not None and p.weight_kg < ZERO, "is negative"),
        ),
    )


PRODUCT_RULES = (product_fields, product_values)


# --- Customers --------------------------------------------------------------

def customer_fields(c: Customer, ctx: Context) -> tuple[Flag, ...]:
    return _missing("Customers", c, (("Customer ID", "customer_id"), ("Name", "name")), "customer")


def customer_address(c: Customer, ctx: Context) -> tuple[Flag, ...]:
    k = key(c.customer_id)
    problems = ctx.address_problems.get(k, ()) if k is not None and ctx.customers.get(k) is c else None
    if problems is None:  # a duplicate row is not in the index: check it on its own
        problems = address.problems(c.address, c.city, c.postal_code, c.country)
    return tuple(
        flag("Customers", c.row, h, Code.INVALID_ADDRESS, m) for h, m in problems if h not in c.unreadable
    )


def customer_vat_id(c: Customer, ctx: Context) -> tuple[Flag, ...]:
    if not c.vat_id:
        return NONE
    reason = vat.check(c.vat_id, c.country)
    return NONE if reason is None else (flag("Customers", c.row, "VAT ID", Code.INVALID_VAT_ID, reason),)


def customer_email(c: Customer, ctx: Context) -> tuple[Flag, ...]:
    if not c.email or _EMAIL.match(c.email):
        return NONE
    return (flag("Customers", c.row, "Email", Code.INVALID_EMAIL, f"Email '{c.email}' is not an email address."),)


def customer_values(c: Customer, ctx: Context) -> tuple[Flag, ...]:
    return _out_of_range(
        "Customers",
        c,
        (
            ("Credit Limit", c.credit_limit, c.credit_limit is not None and c.credit_limit < ZERO, "is negative"),
            ("Payment Terms (days)", c.payment_terms_days, (c.payment_terms_days or 0) < 0, "is negative"),
        ),
    )


CUSTOMER_RULES = (customer_fields, customer_address, customer_vat_id, customer_email, customer_values)


# --- Inventory --------------------------------------------------------------

def stock_fields(s: StockLevel, ctx: Context) -> tuple[Flag, ...]:
    return _missing("Inventory", s, (("SKU", "sku"), ("Location", "location"), ("On Hand", "on_hand")), "inventory row")


def stock_sku_known(s: StockLevel, ctx: Context) -> tuple[Flag, ...]:
    k = key(s.sku)
    if k is None or k in ctx.products:
        return NONE
    return (flag("Inventory", s.row, "SKU", Code.UNKNOWN_SKU, f"SKU '{s.sku}' is not on the Products sheet."),)


def stock_values(s: StockLevel, ctx: Context) -> tuple[Flag, ...]:
    return _out_of_range(
        "Inventory",
        s,
        (
            ("On Hand", s.on_hand, (s.on_hand or 0) < 0, "is negative; count the stock and enter what is there"),
            ("Reorder Point", s.reorder_point, (s.reorder_point or 0) < 0, "is negative"),
            ("Reorder Qty", s.reorder_qty, (s.reorder_qty or 0) < 0, "is negative"),
        ),
    )


STOCK_RULES = (stock_fields, stock_sku_known, stock_values)


# --- Stock Moves ------------------------------------------------------------

def move_fields(m: StockMove, ctx: Context) -> tuple[Flag, ...]:
    return _missing(
        "Stock Moves", m, (("Date", "day"), ("SKU", "sku"), ("Location", "location"), ("Quantity", "quantity")), "stock move"
    )


def move_known(m: StockMove, ctx: Context) -> tuple[Flag, ...]:
    out = []
    k = key(m.sku)
    if k is not None and k not in ctx.products:
        out.append(flag("Stock Moves", m.row, "SKU", Code.UNKNOWN_SKU, f"SKU '{m.sku}' is not on the Products sheet."))
    loc = key(m.location)
    if loc is not None and loc not in ctx.locations:
        out.append(
            flag(
                "Stock Moves", m.row, "Location", Code.UNKNOWN_LOCATION,
                f"Location '{m.location}' is not on the Inventory sheet; add a row for it there first.",
            )
        )
    if m.quantity == 0:
        out.append(flag("Stock Moves", m.row, "Quantity", Code.INVALID_QUANTITY, "Quantity 0 moves nothing; use + for goods in, - for goods out."))
    return tuple(out)


MOVE_RULES = (move_fields, move_known)


# --- Payments ---------------------------------------------------------------

def payment_fields(p: Payment, ctx: Context) -> tuple[Flag, ...]:
    return _missing(
        "Payments", p, (("Payment ID", "payment_id"), ("Date", "day"), ("Invoice No", "invoice_no"), ("Amount", "amount")), "payment"
    )


def payment_amount(p: Payment, ctx: Context) -> tuple[Flag, ...]:
    if p.amount is None or p.amount > ZERO:
        return NONE
    return (flag("Payments", p.row, "Amount", Code.INVALID_VALUE, f"Amount {p.amount} must be more than zero; record refunds as credit notes."),)


PAYMENT_RULES = (payment_fields, payment_amount)


# --- Returns ----------------------------------------------------------------

def return_fields(r: Return, ctx: Context) -> tuple[Flag, ...]:
    return _missing(
        "Returns",
        r,
        (("RMA ID", "rma_id"), ("Order ID", "order_id"), ("SKU", "sku"), ("Quantity", "quantity"), ("Condition", "condition"), ("Resolution", "resolution")),
        "return",
    )


def return_matches_order(r: Return, ctx: Context) -> tuple[Flag, ...]:
    ok = key(r.order_id)
    if ok is None:
        return NONE
    order = ctx.orders.get(ok)
    if order is None:
        return (flag("Returns", r.row, "Order ID", Code.UNKNOWN_ORDER, f"Order ID '{r.order_id}' is not on the Orders sheet."),)
    sk = key(r.sku)
    if sk is None:
        return NONE
    ordered = sum(line.quantity or 0 for line in order.lines if line.sku_key == sk)
    if not any(line.sku_key == sk for line in order.lines):
        return (flag("Returns", r.row, "SKU", Code.UNKNOWN_SKU, f"SKU '{r.sku}' is not on order {order.order_id}."),)
    if r.quantity is not None and r.quantity <= 0:
        return (flag("Returns", r.row, "Quantity", Code.INVALID_QUANTITY, f"Quantity {r.quantity} must be a positive whole number."),)
    if r.quantity is not None and r.quantity > ordered:
        return (
            flag(
                "Returns", r.row, "Quantity", Code.INVALID_QUANTITY,
                f"Quantity {r.quantity} is more than the {ordered} of SKU '{r.sku}' on order {order.order_id}.",
            ),
        )
    return NONE


RETURN_RULES = (return_fields, return_matches_order)
