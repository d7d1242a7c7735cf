"""Orders grouped from their lines: the lines that share an Order ID, in sheet order."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby, repeat
from operator import attrgetter

from rules.construct import fields_set, trusted_many
from rules.models import Order, OrderLine


#: Statuses after which a line no longer holds stock.
CLOSED = frozenset({"Shipped", "Delivered", "Cancelled", "Returned"})
#: Statuses after which an order is history: its invoice is issued, so later
#: changes to product prices, cards or customers do not make it wrong again.
SETTLED = CLOSED | {"Invoiced"}
#: Line statuses an invoiced order's lines may have: a partial shipment leaves the rest Backordered.
AFTER_INVOICE = SETTLED | {"Backordered"}


def settled_status(order: Order) -> str | None:
    """The status that settled the order (the first line's that has one), or None if it is open.

    A line part-shipped and waiting for the rest (Backordered with units shipped) is settled too.
    """
    for line in order.lines:  # a plain loop: usually the first line answers
        status = line.status
        if status in AFTER_INVOICE and (status in SETTLED or line.shipped):
            return status
    return None


def settled_statuses(orders: Iterable[Order]) -> dict[str, str]:
    """Order key -> `settled_status`, for every settled order."""
    return {order.order_key: status for order in orders if (status := settled_status(order)) is not None}


def group_orders(lines: Iterable[OrderLine]) -> tuple[Order, ...]:
    """One Order per distinct Order ID (matched as a key), in order of first appearance.

    Lines without an Order ID belong to no order; the rules flag them as missing.
    """
    grouped: dict[str, list[OrderLine]] = {}
    for k, run in groupby(lines, attrgetter("order_key")):  # an order's lines are mostly typed together
        if k is not None:
            group = grouped.get(k)
            if group is None:
                grouped[k] = list(run)
            else:
                group.extend(run)
    dicts = [{"order_id": group[0].order_id, "order_key": k, "lines": tuple(group)} for k, group in grouped.items()]
    return tuple(trusted_many(Order, dicts, repeat(fields_set(_ORDER_FIELDS), len(dicts))))


#: Every field of `Order`, in field order: `group_orders` gives each a value.
_ORDER_FIELDS = ("order_id", "order_key", "lines")
