"""Orders grouped from their lines: the lines that share an Order ID, in sheet order."""

from __future__ import annotations

from collections.abc import Iterable

from rules.construct import trusted
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
    return next(
        (line.status for line in order.lines if line.status in SETTLED or (line.shipped and line.status in AFTER_INVOICE)),
        None,
    )


def group_orders(lines: Iterable[OrderLine]) -> tuple[Order, ...]:
    """One Order per distinct Order ID (matched as a key), in order of first appearance.

    Lines without an Order ID belong to no order; the rules flag them as missing.
    """
    grouped: dict[str, list[OrderLine]] = {}
    for line in lines:
        if line.order_key is not None:
            grouped.setdefault(line.order_key, []).append(line)
    return tuple(
        trusted(Order, {"order_id": group[0].order_id, "order_key": k, "lines": tuple(group)})
        for k, group in grouped.items()
    )
