"""Validation: every rule, listed in immutable tables, run as one visible pipeline.

    row rules (per sheet)  ->  desk rules (across rows)  ->  stock allocation

Each stage returns flags. A rule that raises does not stop anything: it becomes
an `internal_error` flag on the row (or sheet) it was checking and the run goes
on. Stock is allocated last because only orders without errors reserve.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from operator import attrgetter

from rules.checks import desk as desk_rules
from rules.checks import lines as line_rules
from rules.checks import reference
from rules.checks.context import Context, build_context
from rules.flags import Code, Flag, Severity, flag
from rules.models import Desk, Order, OrderLine, Record
from rules.orders import AFTER_INVOICE, CLOSED, group_orders
from rules.policy import Policy
from rules.pricing import OrderTotals
from rules.stock import Availability, Demand, Reservation, allocate

RowRule = Callable[[Record, Context], tuple[Flag, ...]]


def _every_row(records: Sequence[Record], ctx: Context) -> Iterable[Record]:
    return records


def _open_lines(lines: Sequence[Record], ctx: Context) -> list[Record]:
    """Lines of invoiced, shipped or closed orders are history and not verified again."""
    settled = ctx.settled_orders
    out: list[Record] = []
    for k, run in groupby(lines, attrgetter("order_key")):  # by runs of one order's lines, in sheet order
        if k not in settled:
            out.extend(run)
    return out


#: (sheet, desk attribute, rules, which of its rows they apply to) for every sheet checked row by row.
ROW_RULES: tuple[tuple[str, str, tuple[RowRule, ...], Callable[[Sequence[Record], Context], Iterable[Record]]], ...] = (
    ("Orders", "lines", line_rules.LINE_RULES, _open_lines),
    ("Products", "products", reference.PRODUCT_RULES, _every_row),
    ("Customers", "customers", reference.CUSTOMER_RULES, _every_row),
    ("Inventory", "stock", reference.STOCK_RULES, _every_row),
    ("Stock Moves", "stock_moves", reference.MOVE_RULES, _every_row),
    ("Payments", "payments", reference.PAYMENT_RULES, _every_row),
    ("Returns", "returns", reference.RETURN_RULES, _every_row),
)

DESK_RULES = desk_rules.DESK_RULES


class OrderTotalsView(Mapping[str, OrderTotals]):
    """Order key -> totals, for orders whose every line can be priced; worked out when asked."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def __getitem__(self, order_key: str) -> OrderTotals:
        order = self._ctx.orders[order_key]
        totals = self._ctx.totals(order)
        if totals is None:
            raise KeyError(order_key)
        return totals

    def __iter__(self) -> Iterator[str]:
        return (k for k, order in self._ctx.orders.items() if self._ctx.totals(order) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class LineTotalsView(Mapping[int, Decimal]):
    """Orders row -> net line amount, for lines that can be priced.

    Worked out for every line at first use: the write plan asks for every row,
    and one walk over the lines is cheaper than a lookup per row.
    """

    def __init__(self, ctx: Context) -> None:
        self._lines = ctx.desk.lines
        self._net = ctx.pricer.net
        self._by_row: dict[int, Decimal | None] | None = None

    def _nets(self) -> dict[int, Decimal | None]:
        if self._by_row is None:
            net = self._net
            self._by_row = {line.row: net(line) for line in self._lines}
        return self._by_row

    def __getitem__(self, row: int) -> Decimal:
        net = self._nets().get(row)
        if net is None:
            raise KeyError(row)
        return net

    def get(self, row: int, default: Decimal | None = None) -> Decimal | None:  # type: ignore[override]
        """As `Mapping.get`, without raising and catching KeyError: the write plan asks for every row."""
        net = self._nets().get(row)
        return default if net is None else net

    def __iter__(self) -> Iterator[int]:
        return (row for row, net in self._nets().items() if net is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True)
class Evaluation:
    """Everything a check derives from a desk: flags, and the views other parts show."""

    flags: tuple[Flag, ...]
    statuses: dict[int, str]
    """Orders row -> the Status sheetclerk would write."""
    line_totals: Mapping[int, Decimal]
    """Orders row -> net line amount after discount, before tax (worked out when asked)."""
    order_totals: Mapping[str, OrderTotals]
    """Order key -> totals (lazily computed: a check needs few of them)."""
    reservations: tuple[Reservation, ...]
    """One per line that reserves, in allocation order."""
    availability: tuple[Availability, ...]
    orders: Mapping[str, Order] = field(default_factory=dict, repr=False, compare=False)
    """Order key -> the order, grouped once from the lines of `desk`."""
    desk: Desk | None = field(default=None, repr=False, compare=False)
    """The desk evaluated."""

    acting: tuple[OrderLine, ...] = field(default=(), repr=False, compare=False)
    """The lines of `desk` whose Action says something, in sheet order."""

    def orders_of(self, desk: Desk) -> tuple[Order, ...]:
        """The desk's orders in sheet order: the ones grouped here when it is the desk evaluated."""
        if desk is self.desk:
            return tuple(self.orders.values())
        return group_orders(desk.lines)

    def acting_of(self, desk: Desk) -> tuple[OrderLine, ...]:
        """The desk's lines with an Action, in sheet order: the ones found here when it is the desk evaluated."""
        if desk is self.desk:
            return self.acting
        return tuple(line for line in desk.lines if line.action)


def _internal_error(sheet: str, row: int | None, rule: Callable, error: Exception) -> Flag:
    return flag(
        sheet, row, "", Code.INTERNAL_ERROR,
        f"sheetclerk could not finish checking this {'row' if row else 'sheet'} "
        f"({rule.__name__}: {type(error).__name__}); the other checks ran. Please report it.",
    )


def run_row_rules(ctx: Context) -> list[Flag]:
    out: list[Flag] = []
    extend = out.extend
    for sheet, attr, rules, rows in ROW_RULES:
        for record in rows(getattr(ctx.desk, attr), ctx):
            for rule in rules:
                try:
                    found = rule(record, ctx)
                except Exception as e:  # noqa: BLE001 - a broken rule must not stop the run
                    found = (_internal_error(sheet, record.row, rule, e),)
                if found:
                    extend(found)
    return out


def run_desk_rules(ctx: Context) -> list[Flag]:
    out: list[Flag] = []
    for rule in DESK_RULES:
        try:
            out.extend(rule(ctx))
        except Exception as e:  # noqa: BLE001
            out.append(_internal_error("Orders", None, rule, e))
    return out


def _walk_lines(ctx: Context, error_rows: set[int]) -> tuple[dict[int, str], list[Demand]]:
    """Each line's Status before stock is allocated, and what each line still to ship asks of the stock.

    One walk over the lines for both (a 100k-line walk is the cost here).

    Status: a settled order's lines keep theirs; an open order is On hold when a
    line has an error or asks for a hold, else Verified (Backordered once stock
    falls short: `_mark_short`); a line of no order is On hold.

    Stock: an order reserves unless it has errors or a line asking to cancel or
    hold it; a line needs stock unless it is closed, of an unknown SKU, or fully
    shipped. In sheet order (allocation sorts them by Order Date and row anyway).
    """
    settled, products = ctx.settled_orders, ctx.products
    held = {
        k for k, order in ctx.orders.items()
        if k not in settled and any(line.row in error_rows or line.action == "Hold" for line in order.lines)
    }
    statuses: dict[int, str] = {}
    blocked: set[str | None] = set()
    wanting: list[OrderLine] = []
    for line in ctx.desk.lines:
        k, row, status = line.order_key, line.row, line.status
        kept = settled.get(k)  # None for an open order, and for a line of no order
        if kept is not None:  # invoiced or later: each line keeps its own (a partial shipment leaves some Backordered)
            statuses[row] = status if status in AFTER_INVOICE else kept
        elif k is None or k in held:
            statuses[row] = "On hold"
        else:
            statuses[row] = "Verified"
        if row in error_rows or line.action in ("Cancel", "Hold"):
            blocked.add(k)
        elif status not in CLOSED and line.sku_key in products and line.quantity and line.quantity - line.shipped > 0:
            wanting.append(line)
    demands = [
        Demand(line.row, line.order_date, line.sku_key, line.quantity - line.shipped)
        for line in wanting
        if line.order_key is not None and line.order_key not in blocked
    ]
    return statuses, demands


def _mark_short(statuses: dict[int, str], reservations: Iterable[Reservation]) -> None:
    """Verified lines that got less stock than they want are Backordered."""
    for r in reservations:
        if r.short and statuses.get(r.row) == "Verified":
            statuses[r.row] = "Backordered"


def stock_stage(
    ctx: Context, error_rows: set[int], demands: list[Demand] | None = None
) -> tuple[list[Flag], tuple[Reservation, ...], tuple[Availability, ...]]:
    """Reserve stock for the lines' demands (worked out here unless given) and flag the short ones."""
    if demands is None:
        demands = _walk_lines(ctx, error_rows)[1]
    reservations, availability = allocate(demands, ctx.desk.stock)
    short = [r for r in reservations if r.wanted > r.reserved]
    lines_by_row = {line.row: line for line in ctx.desk.lines} if short else {}
    out = []
    for r in short:
        line = lines_by_row[r.row]
        free = max(r.on_hand - r.reserved_before, 0)
        out.append(
            flag(
                "Orders", r.row, "Quantity", Code.INSUFFICIENT_STOCK,
                f"Only {free} of SKU '{line.sku}' available for this line of {r.wanted} "
                f"(On Hand {r.on_hand}, {r.reserved_before} reserved for earlier orders): {r.short} backordered.",
            )
        )
    return out, reservations, availability


def evaluate(desk: Desk, policy: Policy, intake_flags: Iterable[Flag] = ()) -> Evaluation:
    """Check a desk and derive statuses, totals and stock. Never raises for bad data."""
    ctx = build_context(desk, policy)
    flags: list[Flag] = list(intake_flags)
    flags.extend(run_row_rules(ctx))
    flags.extend(run_desk_rules(ctx))
    error_rows = {f.row for f in flags if f.sheet == "Orders" and f.severity is Severity.ERROR and f.row is not None}
    statuses, demands = _walk_lines(ctx, error_rows)
    try:
        stock_flags, reservations, availability = stock_stage(ctx, error_rows, demands)
    except Exception as e:  # noqa: BLE001
        stock_flags, reservations, availability = [_internal_error("Inventory", None, stock_stage, e)], (), ()
    flags.extend(stock_flags)
    _mark_short(statuses, reservations)
    return Evaluation(
        flags=tuple(flags),
        statuses=statuses,
        line_totals=LineTotalsView(ctx),
        order_totals=OrderTotalsView(ctx),
        reservations=reservations,
        availability=availability,
        orders=ctx.orders,
        desk=desk,
        acting=ctx.acting,
    )
