"""Rules for one Orders row: `(line, context) -> tuple[Flag, ...]`, each pure and small.

A rule looks only at the fields it is about and stays silent when a field it
needs is missing or unreadable: that is another rule's flag, said once.
"""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from rules.checks.context import Context
from rules.flags import Code, Flag, flag
from rules.models import OrderLine
from rules.money import ONE, ZERO
from rules.schema import ACTIONS, PAYMENT_METHODS

NONE: tuple[Flag, ...] = ()
SHEET = "Orders"

#: (header, attribute) of cells every order line needs.
REQUIRED: tuple[tuple[str, str], ...] = (
    ("Order ID", "order_id"),
    ("Order Date", "order_date"),
    ("Customer ID", "customer_id"),
    ("SKU", "sku"),
    ("Quantity", "quantity"),
    ("Ship Method", "ship_method"),
    ("Payment Method", "payment_method"),
)


def _flag(line: OrderLine, header: str, code: Code, message: str) -> Flag:
    return flag(SHEET, line.row, header, code, message)


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}" if amount == amount.quantize(Decimal("0.01")) else f"{amount:,}"


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}%"


_REQUIRED_VALUES = attrgetter(*(a for _, a in REQUIRED))


def missing_fields(line: OrderLine, ctx: Context) -> tuple[Flag, ...]:
    if None not in _REQUIRED_VALUES(line) and (line.card_expiry is not None or line.payment_method != "Card"):
        return NONE  # the common case, decided in one C call
    missing = [h for h, a in REQUIRED if getattr(line, a) is None and h not in line.unreadable]
    if line.payment_method == "Card" and line.card_expiry is None and "Card Expiry" not in line.unreadable:
        missing.append("Card Expiry")
    if not missing:
        return NONE
    return tuple(_flag(line, h, Code.MISSING_FIELD, f"{h} is empty; every order line needs it.") for h in missing)


def customer_known(line: OrderLine, ctx: Context) -> tuple[Flag, ...]:
    k = line.customer_key
    if k is None:
        return NONE
    if k not in ctx.customers:
        return (
            _flag(line, "Customer ID", Code.UNKNOWN_CUSTOMER, f"Customer ID '{line.customer_id}' is not on the Customers sheet."),
        )
    problems = ctx.address_problems.get(k)
    if problems:
        customer = ctx.customers[k]
        what = "; ".join(m.rstrip(".") for _, m in problems)
        return (
            _flag(
                line,
                "Customer ID",
                Code.INVALID_ADDRESS,
                f"Customer {customer.customer_id}'s address cannot be used (Customers row {customer.row}): {what}.",
            ),
        )
    return NONE


def sku_known(line: OrderLine, ctx: Context) -> tuple[Flag, ...]:
    if line.sku_key is None:
        return NONE
    product = ctx.products.get(line.sku_key)
    if product is None:
        return (_flag(line, "SKU", Code.UNKNOWN_SKU, f"SKU '{line.sku}' is not on the Products sheet."),)
    if not product.active:
        return (
            _flag(line, "SKU", Code.INACTIVE_SKU, f"SKU '{product.sku}' ({product.description or 'no description'}) is not active; it cannot be sold."),
        )
    return NONE


def quantity_valid(line: OrderLine, ctx: Context) -> tuple[Flag, ...]:
    q = line.quantity
    if q is None:
        return NONE
    if q <= 0:
        return (_flag(line, "Quantity", Code.INVALID_QUANTITY, f"Quantity {q} must be a positive whole number."),)
    product = ctx.products.get(line.sku_key) if line.sku_key else None
    if product is not None and product.pack_size > 1 and q % product.pack_size:
        lower = q - q % product.pack_size
        options = f"{lower} or {lower + product.pack_size}" if lower else f"{product.pack_size}"
        return (
            _flag(
                line,
                "Quantity",
                Code.INVALID_QUANTITY,
                f"Quantity {q} is not a multiple of the pack size {product.pack_size} of SKU '{product.sku}' (try {options}).",
            ),
        )
    return NONE


def price_matches(line: OrderLine, ctx: Context) -> tuple[Flag, ...]:
    price = line.unit_price
    if price is None:
        return NONE
    if price < 0:
        return (_flag(line, "Unit Price", Code.PRICE_MISMATCH, f"Unit Price {_money(price)} is negative."),)
    product = ctx.products.get(line.sku_key) if line.sku_key else None
    if product is None or product.unit_price is None:
        return NONE
    if abs(price - product.unit_price) <= ctx.policy.price_tolerance or line.order_key in ctx.approved_orders:
        return NONE
    return (
        _flag(
            line,
            "Unit Price",
            Code.PRICE_MISMATCH,
            f"Unit Price {_money(price)} differs from the list price {_money(product.unit_price)} of SKU '{product.sku}'; "
            "leave it blank to use the list price, or have a manager Approve the order.",
        ),
    )


def discount_valid(line: OrderLine, ctx: Context) -> tuple[Flag, ...]:
    d = line.discount
    if ZERO <= d <= ONE:
        return NONE
    hint = f" Did you mean {_percent(d / 100)}?" if ONE < d <= 100 else ""
    return (
        _flag(line, "Discount %", Code.INVALID_DISCOUNT, f"Discount % {_percent(d)} is outside 0% to 100%.{hint}"),
    )


def dates_valid(line: OrderLine, ctx: Context) -> tuple[Flag, ...]:
    if line.ship_by is None or line.order_date is None or line.ship_by >= line.order_date:
        return NONE
    return (
        _flag(
            line,
            "Ship By",
            Code.INVALID_DATE,
            f"Ship By {line.ship_by.isoformat()} is before the Order Date {line.order_date.isoformat()}.",
        ),
    )


def ship_method_known(line: OrderLine, ctx: Context) -> tuple[Flag, ...]:
    if line.ship_method is None or ctx.shipping_method(line.ship_method) is not None:
        return NONE
    known = ", ".join(ctx.policy.shipping)
    return (
        _flag(
            line,
            "Ship Method",
            Code.UNKNOWN_SHIP_METHOD,
            f"Ship Method '{line.ship_method}' is not one of: {known} (shipping methods are set in sheetclerk.toml).",
        ),
    )


def payment_method_known(line: OrderLine, ctx: Context) -> tuple[Flag, ...]:
    if line.payment_method is None or line.payment_method in PAYMENT_METHODS:
        return NONE
    return (
        _flag(
            line,
            "Payment Method",
            Code.UNKNOWN_PAYMENT_METHOD,
            f"Payment Method '{line.payment_method}' is not one of: {', '.join(PAYMENT_METHODS)}.",
        ),
    )


def card_valid(line: OrderLine, ctx: Context) -> tuple[Flag, ...]:
    if line.payment_method != "Card" or line.card_expiry is None or line.order_date is None:
        return NONE
    year, month = line.card_expiry
    if (year, month) >= (line.order_date.year, line.order_date.month):
        return NONE
    return (
        _flag(
            line,
            "Card Expiry",
            Code.CARD_EXPIRED,
            f"Card Expiry {month:02d}/{year % 100:02d} is before the order month "
            f"{line.order_date.month:02d}/{line.order_date.year % 100:02d}; ask the customer for another card.",
        ),
    )


def action_known(line: OrderLine, ctx: Context) -> tuple[Flag, ...]:
    if line.action is None or line.action in ACTIONS:
        return NONE
    return (
        _flag(line, "Action", Code.UNKNOWN_ACTION, f"Action '{line.action}' is not one of: {', '.join(ACTIONS)}; it will be ignored."),
    )


#: Every rule an Orders row goes through, in the order their flags are listed.
LINE_RULES = (
    missing_fields,
    customer_known,
    sku_known,
    quantity_valid,
    price_matches,
    discount_valid,
    dates_valid,
    ship_method_known,
    payment_method_known,
    card_valid,
    action_known,
)
