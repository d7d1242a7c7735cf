"""What the Excel functions compute, from table ranges as Excel hands them over.

Excel (through xlwings, desktop or Lite) passes a range as a list of rows; the
first row must be the table's header row (row 1 of its sheet, as everywhere in
sheetclerk), so a row number here is the row number Excel shows. The tables
go through the same two steps as `sheetclerk check` and `sync` (intake, then
`rules.checks.evaluate`), so every answer is the one the daemon would write.

Pure: `rules` only, so it also runs under Pyodide (xlwings Lite). A function
here raises `UdfError` for input it cannot answer; the UDF module turns that
into short text for the cell. Evaluated desks are cached by the tables'
contents: a sheet full of formulas over the same tables validates them once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from rules.cells import key, shown
from rules.checks import Evaluation, evaluate
from rules.checks.context import Context, build_context
from rules.flags import Flag, check_text
from rules.intake import read_desk
from rules.models import Desk, OrderLine
from rules.policy import Policy
from rules.pricing import OrderTotals
from rules.schema import CUSTOMERS, INVENTORY, ORDERS, PAYMENTS, PRODUCTS, RETURNS, SheetSpec
from rules.table import NumberedRows, RawTable, header_text

Grid = Sequence[Sequence[object]]
"""A range's values as Excel hands them over: rows of cells, header row first."""

EXCEL_ROWS = 1_048_576
CACHE_SIZE = 8
"""Distinct table sets kept evaluated (a workbook rarely has more than a couple in use)."""


class UdfError(ValueError):
    """Input a function cannot answer; the message is shown in the cell."""


# --- tables from ranges ------------------------------------------------------------------


def _rows(grid: object, spec: SheetSpec) -> tuple[tuple[object, ...], ...]:
    """The range as a tuple of row tuples, as it arrived (cheap: it is the cache key), or UdfError."""
    if not isinstance(grid, (list, tuple)) or not grid:
        raise UdfError(f"{spec.name}: pass the whole {spec.name} table, header row included")
    if not isinstance(grid[0], (list, tuple)):  # a one-row or one-column range arrived flat
        grid = [grid]
    try:
        rows = tuple(map(tuple, grid))
        hash(rows)
    except TypeError:  # a row that is not a row, or a cell that is not a value
        raise UdfError(f"{spec.name}: pass the whole {spec.name} table, header row included") from None
    return rows


def _cell(value: object) -> object:
    """A cell value as the workbook reader hands it to intake (a midnight datetime is a date)."""
    if isinstance(value, datetime) and value.hour == value.minute == value.second == value.microsecond == 0:
        return value.date()
    return value


def raw_table(spec: SheetSpec, rows: tuple[tuple[object, ...], ...]) -> RawTable:
    """A `RawTable` over a range's rows; raises UdfError when a column the sheet needs is missing."""
    headers = tuple(header_text(v) for v in rows[0])
    values = [rows[0], *([_cell(v) for v in row] for row in rows[1:])]
    table = RawTable(spec.name, headers, NumberedRows(values, 1))
    found = table.positions(spec)
    missing = [c.header for c in spec.columns if c.required_header and c.header not in found]
    if missing:
        raise UdfError(
            f"{spec.name}: no {', '.join(repr(m) for m in missing)} column in the range's first row "
            "(pass the whole table, header row included)"
        )
    return table


# --- the evaluated desk, cached -----------------------------------------------------------


@dataclass(frozen=True)
class Evaluated:
    """A desk checked once, with the look-ups the functions need."""

    desk: Desk
    evaluation: Evaluation
    context: Context
    lines: dict[int, OrderLine]
    """Orders row -> line."""
    flags: dict[int, tuple[Flag, ...]]
    """Orders row -> its flags."""


def _evaluate(tables: dict[str, RawTable], policy: Policy) -> Evaluated:
    desk, intake_flags = read_desk(tables, policy.day_first)
    evaluation = evaluate(desk, policy, intake_flags)
    by_row: dict[int, list[Flag]] = {}
    for f in evaluation.flags:
        if f.sheet == ORDERS.name and f.row is not None:
            by_row.setdefault(f.row, []).append(f)
    return Evaluated(
        desk,
        evaluation,
        build_context(desk, policy),
        {line.row: line for line in desk.lines},
        {row: tuple(flags) for row, flags in by_row.items()},
    )


class DeskCache:
    """Evaluated desks by table contents and policy, least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[tuple, Evaluated] = OrderedDict()
        self._lock = threading.Lock()
        self.evaluations = 0
        """How many desks were evaluated (for tests and benchmarks: hits do not count)."""

    def get(self, ranges: dict[SheetSpec, object], policy: Policy) -> Evaluated:
        rows = {spec: _rows(grid, spec) for spec, grid in ranges.items() if grid is not None}
        cache_key = (policy.model_dump_json(), tuple((spec.name, r) for spec, r in rows.items()))
        with self._lock:
            hit = self._items.get(cache_key)
            if hit is not None:
                self._items.move_to_end(cache_key)
                return hit
        tables = {spec.name: raw_table(spec, r) for spec, r in rows.items()}
        evaluated = _evaluate(tables, policy)
        with self._lock:
            self.evaluations += 1
            self._items[cache_key] = evaluated
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return evaluated

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE = DeskCache()


# --- arguments ----------------------------------------------------------------------------


def row_number(value: object) -> int:
    """The worksheet row a function is asked about (=ROW() or a typed number)."""
    if isinstance(value, bool) or value is None or value == "":
        raise UdfError("give the row number, e.g. ROW()")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise UdfError(f"{echo(value)} is not a row number") from None
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= EXCEL_ROWS:
        raise UdfError(f"{echo(value)} is not a row number")
    return int(number)


def key_text(value: object, what: str) -> str:
    """An Order ID or SKU argument as the key it is matched by."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (list, tuple)):
        raise UdfError(f"give one {what}, not a range")
    k = key(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if k is None:
        raise UdfError(f"give the {what}")
    return k


def echo(value: object) -> str:
    """A value quoted back in a message: short, as the clerk typed it."""
    return shown(value)[1:-1]


def _line(evaluated: Evaluated, row: object) -> OrderLine:
    r = row_number(row)
    line = evaluated.lines.get(r)
    if line is None:
        raise UdfError(f"row {r} is not an order line on Orders")
    return line


# --- the functions ------------------------------------------------------------------------


def line_total(row: object, orders: object, products: object, policy: Policy, cache: DeskCache = CACHE) -> Decimal:
    """Net amount of the Orders line in `row`: quantity x price x (1 - discount), rounded once."""
    ev = cache.get({ORDERS: orders, PRODUCTS: products}, policy)
    line = _line(ev, row)
    total = ev.evaluation.line_totals.get(line.row)
    if total is None:
        raise UdfError(f"row {line.row} cannot be priced yet (see its Check)")
    return total


def line_tax(
    row: object, orders: object, products: object, customers: object, policy: Policy, cache: DeskCache = CACHE
) -> Decimal:
    """The line's own tax: its net amount x its product's tax rate, rounded once (0 for reverse charge and exports)."""
    ev = cache.get({ORDERS: orders, PRODUCTS: products, CUSTOMERS: customers}, policy)
    line = _line(ev, row)
    priced = ev.context.pricer.line(line)
    if priced is None:
        raise UdfError(f"row {line.row} cannot be priced yet (see its Check)")
    customer = ev.context.customers.get(line.customer_key) if line.customer_key else None
    return priced.tax if ev.context.treatment(customer).charges_tax else Decimal(0)


#: What `order_total` can answer, by the name the formula gives (case ignored).
ORDER_PARTS: dict[str, str] = {
    "gross": "gross",
    "net": "net",
    "tax": "tax",
    "goods": "goods_net",
    "shipping": "shipping_net",
}


def order_totals(
    order_id: object, orders: object, products: object, customers: object, policy: Policy, cache: DeskCache = CACHE
) -> OrderTotals:
    """The order's totals as documents show them (the customer decides reverse charge and exports)."""
    ev = cache.get({ORDERS: orders, PRODUCTS: products, CUSTOMERS: customers}, policy)
    k = key_text(order_id, "Order ID")
    order = ev.context.orders.get(k)
    if order is None:
        raise UdfError(f"no order {echo(order_id)} on Orders")
    totals = ev.context.totals(order)
    if totals is None:
        rows = [line.row for line in order.lines if ev.context.pricer.line(line) is None]
        raise UdfError(f"order {order.order_id} cannot be totalled: row {rows[0] if rows else '?'} has no price yet")
    return totals


def order_total(
    order_id: object,
    orders: object,
    products: object,
    customers: object,
    part: object,
    policy: Policy,
    cache: DeskCache = CACHE,
) -> Decimal:
    """An order's gross (default), net, tax, goods or shipping amount, shipping charge included in net and gross."""
    name = "gross" if part is None or part == "" else str(part).strip().casefold()
    if name not in ORDER_PARTS:
        raise UdfError(f"part must be one of {', '.join(ORDER_PARTS)}")
    return getattr(order_totals(order_id, orders, products, customers, policy, cache), ORDER_PARTS[name])


def available(
    sku: object,
    orders: object,
    products: object,
    customers: object,
    inventory: object,
    location: object,
    policy: Policy,
    cache: DeskCache = CACHE,
) -> int:
    """On Hand less what orders without errors reserve, first come first served (as the daemon allocates)."""
    ev = cache.get({ORDERS: orders, PRODUCTS: products, CUSTOMERS: customers, INVENTORY: inventory}, policy)
    k = key_text(sku, "SKU")
    levels = [a for a in ev.evaluation.availability if a.sku_key == k]
    if not levels:
        raise UdfError(f"no SKU {echo(sku)} on Inventory")
    if location is not None and location != "":
        where = key_text(location, "Location")
        levels = [a for a in levels if key(a.location) == where]
        if not levels:
            raise UdfError(f"SKU {echo(sku)} has no Inventory row at {echo(location)}")
    return sum(a.available for a in levels)


def check(
    row: object,
    orders: object,
    products: object,
    customers: object,
    inventory: object,
    payments: object,
    returns: object,
    policy: Policy,
    cache: DeskCache = CACHE,
) -> str:
    """The Check text of the Orders line in `row` ("" when it is clean)."""
    ranges = {ORDERS: orders, PRODUCTS: products, CUSTOMERS: customers, INVENTORY: inventory, PAYMENTS: payments, RETURNS: returns}
    ev = cache.get({spec: grid for spec, grid in ranges.items() if grid not in (None, "")}, policy)
    line = _line(ev, row)
    return check_text(ev.flags.get(line.row, ())) or ""


def excel_value(value: object) -> object:
    """A result as Excel holds it: money as the double nearest the exact Decimal, dates as datetimes."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value
