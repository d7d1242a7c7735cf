"""Stock: availability and reservation, the same way everywhere (daemon, check, UDFs).

Available = On Hand - reserved, summed over a SKU's locations. Lines that may
reserve are served strictly first come, first served: by Order Date, then by
row. A line takes what is left, location by location in sheet order, so a short
line is reserved as far as stock allows and later lines get nothing of that SKU.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from typing import NamedTuple

from rules.cells import key as fold
from rules.models import StockLevel


class Demand(NamedTuple):
    """What one order line asks of the stock."""

    row: int
    order_date: date | None
    sku_key: str
    quantity: int


class Reservation(NamedTuple):
    """What one line got. Plain tuples: a large sheet makes one per line, in the hot path."""

    row: int
    sku_key: str
    wanted: int
    reserved: int
    by_location: tuple[tuple[str, int], ...]
    """(location, quantity) taken, in the order taken."""
    on_hand: int
    """Total On Hand of the SKU, over all locations."""
    reserved_before: int
    """Reserved for earlier lines when this one was served."""

    @property
    def short(self) -> int:
        return self.wanted - self.reserved


class Availability(NamedTuple):
    sku_key: str
    location: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def priority(demand: Demand) -> tuple[date, int]:
    """First come, first served: Order Date, then row; undated lines go last."""
    return (demand.order_date or date.max, demand.row)


def allocate(
    demands: Iterable[Demand], stock: Iterable[StockLevel]
) -> tuple[tuple[Reservation, ...], tuple[Availability, ...]]:
    """Reserve stock for each demand in priority order.

    `stock` rows are grouped by SKU key (the folded SKU); a location listed
    twice counts once (its first row), and negative On Hand counts as none.
    Returns one Reservation per demand (in priority order) and the resulting
    Availability per SKU and location (in sheet order).
    """
    left: dict[str, list[list]] = {}
    seen: set[tuple[str, str]] = set()
    levels: list[tuple[str, str, int]] = []
    for s in stock:
        k = fold(s.sku)
        loc = fold(s.location)
        if k is None or loc is None or (k, loc) in seen:
            continue
        seen.add((k, loc))
        qty = max(s.on_hand or 0, 0)
        left.setdefault(k, []).append([s.location, qty])
        levels.append((k, s.location, qty))

    on_hand = {k: sum(q for _, q in locs) for k, locs in left.items()}
    taken: dict[str, int] = {}
    reservations = []
    for d in sorted(demands, key=priority):  # sorted() is stable: equal keys keep their order
        want = max(d.quantity, 0)
        got: list[tuple[str, int]] = []
        need = want
        for slot in left.get(d.sku_key, ()):
            if need == 0:
                break
            take = min(slot[1], need)
            if take:
                slot[1] -= take
                need -= take
                got.append((slot[0], take))
        reserved = want - need
        before = taken.get(d.sku_key, 0)
        taken[d.sku_key] = before + reserved
        reservations.append(
            Reservation(d.row, d.sku_key, want, reserved, tuple(got), on_hand.get(d.sku_key, 0), before)
        )
    reserved_at: dict[tuple[str, str], int] = {}
    for r in reservations:
        for loc, q in r.by_location:
            reserved_at[(r.sku_key, loc)] = reserved_at.get((r.sku_key, loc), 0) + q
    availability = tuple(
        Availability(k, loc, qty, reserved_at.get((k, loc), 0))
        for k, loc, qty in levels
    )
    return tuple(reservations), availability
