"""The order lifecycle as the ledger tells it: which event puts a line in which status, and the
stages an order passes through. Tables, so the timeline and the day's report agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sync.reports.source import Event

#: The status a line has after an event of this kind. Shipping, delivery, cancellation and returns
#: record their own `status_changed` (a partly shipped line stays Backordered), so only these say it.
STATUS_AFTER: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "line_seen": lambda d: "New",
    "line_adopted": lambda d: d.get("status"),
    "status_changed": lambda d: d.get("to"),
    "invoiced": lambda d: "Invoiced",
}

#: An order shows the first of these that any of its lines has: what holds it back shows first.
ORDER_STATUS_ORDER: tuple[str, ...] = (
    "On hold", "New", "Backordered", "Verified", "Invoiced", "Shipped", "Delivered", "Returned", "Cancelled",
)

#: The stages of an order's way through the desk, and the events that mark its arrival in each
#: (the first such event of any of its lines). Backordered counts as Verified: checked and
#: accepted, only short of stock.
STAGES: tuple[str, ...] = ("New", "Verified", "Invoiced", "Shipped", "Delivered")
_REACHES: dict[str, Callable[[Event], str | None]] = {
    "line_seen": lambda e: "New",
    "status_changed": lambda e: "Verified" if e.data.get("to") == "Backordered" else e.data.get("to"),
    "invoiced": lambda e: "Invoiced",
    "shipped": lambda e: "Shipped",
    "shipment": lambda e: "Shipped",
    "delivered": lambda e: "Delivered",
}

#: Event kinds a replay of statuses, flags and stages needs.
REPLAY_KINDS = frozenset(STATUS_AFTER) | frozenset(_REACHES) | {
    "line_removed", "line_restored", "flag_raised", "flag_resolved",
}


def order_status(statuses: Iterable[str]) -> str:
    """One status for an order from its lines' statuses (see ORDER_STATUS_ORDER)."""
    have = set(statuses)
    return next((s for s in ORDER_STATUS_ORDER if s in have), min(have) if have else "")


@dataclass
class Replay:
    """Lines, open flags and stage times as they stood after the events replayed so far."""

    status: dict[str, str] = field(default_factory=dict)
    """line key -> status."""
    order_of: dict[str, str] = field(default_factory=dict)
    """line key -> Order ID (as first typed)."""
    present: dict[str, bool] = field(default_factory=dict)
    flags: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    """Open flags: (sheet, anchor, column, code) -> the flag_raised data plus row and since."""
    raised: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    """Every flag ever raised (the latest raising), open or not: what a resolved flag had said."""
    reached: dict[str, dict[str, str]] = field(default_factory=dict)
    """Order ID -> stage -> when the order first got there."""
    adopted: set[str] = field(default_factory=set)
    """Orders first seen already settled: their early stages are unknown."""

    def apply(self, e: Event) -> None:
        k = e.line_key
        if k and e.sheet == "Orders" and e.order_id and k not in self.order_of:
            self.order_of[k] = e.order_id
        to = STATUS_AFTER.get(e.kind)
        if to is not None and k:
            status = to(e.data)
            if status:
                self.status[k] = status
            self.present.setdefault(k, True)
        if e.kind == "line_removed" and k:
            self.present[k] = False
        elif e.kind == "line_restored" and k:
            self.present[k] = True
        elif e.kind == "line_adopted" and e.order_id:
            self.adopted.add(e.order_id)
        elif e.kind == "flag_raised":
            pk = (e.sheet, k or "", e.data.get("column", ""), e.data.get("code", ""))
            self.flags[pk] = self.raised[pk] = {**e.data, "row": e.row, "since": e.at}
        elif e.kind == "flag_resolved":
            self.flags.pop((e.sheet, k or "", e.data.get("column", ""), e.data.get("code", "")), None)
        stage = _REACHES.get(e.kind)
        order = e.order_id or (self.order_of.get(k) if k else None)
        if stage is not None and order:
            reached = stage(e)
            if reached in STAGES:
                self.reached.setdefault(order, {}).setdefault(reached, e.at)

    def orders(self) -> dict[str, list[str]]:
        """Order ID -> the statuses of its lines on the sheet."""
        out: dict[str, list[str]] = {}
        for k, status in self.status.items():
            if self.present.get(k, True) and k in self.order_of:
                out.setdefault(self.order_of[k], []).append(status)
        return out

    def order_statuses(self) -> dict[str, str]:
        return {o: order_status(s) for o, s in self.orders().items()}

    def flags_on_order(self, order_id: str) -> list[dict[str, Any]]:
        """Open flags on the order's lines, in row order."""
        mine = [
            {**f, "sheet": sheet, "column": column, "code": code}
            for (sheet, anchor, column, code), f in self.flags.items()
            if sheet == "Orders" and self.order_of.get(anchor) == order_id
        ]
        return sorted(mine, key=lambda f: (f.get("row") or 0, f["column"], f["code"]))


def replay(events: Iterable[Event]) -> Replay:
    r = Replay()
    for e in events:
        r.apply(e)
    return r
