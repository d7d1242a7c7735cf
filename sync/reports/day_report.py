"""`sheetclerk report`: what happened on the desk in one day, and how it stands at the day's end.

Built from the ledger alone (plus Reorder Point and Reorder Qty from the
Inventory sheet): the day's events say what was received, verified, invoiced,
shipped, returned and paid and what the end-of-day review closed; replaying the
events up to the day's end says which orders were on hold (and why), which
were backordered, which flags were open, and how long orders spent in each
stage. Stock levels are the ledger's book now (the book has no per-day replay).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from sqlalchemy import Connection, and_, select

from rules.cells import key
from rules.intake import read_table
from rules.models import StockLevel
from rules.schema import INVENTORY
from sync.ledger import schema
from sync.reports.describe import amount
from sync.reports.lifecycle import ORDER_STATUS_ORDER, REPLAY_KINDS, STAGES, Replay, replay
from sync.reports.source import Book, day_end, day_start, documents_numbered, events
from sync.xlsx_reader import read_workbook

#: Stage times cover orders that moved on in the last this many days (one day is too few to say much).
STAGE_WINDOW_DAYS = 7
#: How many of the slowest orders to list.
SLOWEST = 5


@dataclass(frozen=True)
class Hold:
    order_id: str
    reasons: tuple[str, ...]
    """The order's open error flags, as `code (column): message`."""


@dataclass(frozen=True)
class Invoiced:
    number: str
    order_id: str
    gross: Decimal | None
    kind: str = "invoice"
    """invoice or credit_note."""


@dataclass(frozen=True)
class Shipped:
    order_id: str
    carrier: str
    code: str
    parcels: int
    weight_kg: Decimal | None


@dataclass(frozen=True)
class Backorder:
    order_id: str
    skus: tuple[str, ...]


@dataclass(frozen=True)
class ReturnRow:
    rma: str
    order_id: str
    sku: str
    quantity: int
    condition: str
    resolution: str
    credit_note: str


@dataclass(frozen=True)
class PaymentRow:
    payment_id: str
    invoice_no: str
    amount: Decimal | None
    balance: Decimal | None


@dataclass(frozen=True)
class Review:
    sheet: str
    row: int | None
    code: str
    message: str


@dataclass(frozen=True)
class Count:
    sku: str
    location: str
    book: int
    counted: int


@dataclass(frozen=True)
class LowStock:
    sku: str
    location: str
    on_hand: int
    reserved: int
    reorder_point: int
    reorder_qty: int | None

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class Stage:
    name: str
    """`New → Verified`: the time an order spent in the first status before reaching the second."""
    count: int
    median_hours: float | None
    slowest_order: str
    slowest_hours: float | None


@dataclass(frozen=True)
class Waiting:
    order_id: str
    stage: str
    hours: float


@dataclass
class DayReport:
    workbook: str
    day: date
    currency: str
    received: list[str] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)
    on_hold: list[Hold] = field(default_factory=list)
    invoiced: list[Invoiced] = field(default_factory=list)
    shipped: list[Shipped] = field(default_factory=list)
    backordered: list[Backorder] = field(default_factory=list)
    returns: list[ReturnRow] = field(default_factory=list)
    payments: list[PaymentRow] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    """Orders per status at the end of the day."""
    open_flags: dict[str, tuple[str, int]] = field(default_factory=dict)
    """code -> (severity, how many open at the end of the day)."""
    reviewed: list[Review] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    low_stock: list[LowStock] = field(default_factory=list)
    inventory_note: str = ""
    """Why low stock could not be worked out, if it could not."""
    stages: list[Stage] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)
    """Open orders that have waited longest in their current stage, as of `as_of`."""
    as_of: str = ""
    """The last ledger event up to the day's end: the report's "now" (so it is the same whenever it is made)."""

    @property
    def invoiced_gross(self) -> Decimal:
        return sum((i.gross or Decimal(0) for i in self.invoiced if i.kind == "invoice"), Decimal(0))

    @property
    def payments_total(self) -> Decimal:
        return sum((p.amount or Decimal(0) for p in self.payments), Decimal(0))

    @property
    def parcels(self) -> int:
        return sum(s.parcels for s in self.shipped)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["day"] = self.day.isoformat()
        out["open_flags"] = {code: {"severity": s, "count": n} for code, (s, n) in self.open_flags.items()}
        out["low_stock"] = [asdict(x) | {"available": x.available} for x in self.low_stock]
        out["totals"] = {"invoiced_gross": self.invoiced_gross, "payments": self.payments_total, "parcels": self.parcels}
        return out


def build(conn: Connection, book: Book, day: date) -> DayReport:
    wb = book.name
    start, end = day_start(day), day_end(day)
    report = DayReport(wb, day, book.settings.currency.upper())
    history = events(conn, wb, kinds=REPLAY_KINDS, until=end)
    state = replay(history)
    today = events(conn, wb, since=start, until=end)
    report.as_of = max((e.at for e in (*history[-1:], *today[-1:])), default=start)
    _activity(conn, report, state, today)
    _end_of_day(report, state)
    _stages(report, state, day, report.as_of)
    _low_stock(conn, book, report)
    return report


def _first_seen(state: Replay, order_id: str) -> str:
    return state.reached.get(order_id, {}).get("New", "")


def _activity(conn: Connection, report: DayReport, state: Replay, today: list) -> None:
    day = report.day.isoformat()
    report.received = sorted({o for o in state.reached if _first_seen(state, o)[:10] == day}, key=_natural)
    report.verified = sorted({e.order_id for e in today if e.kind == "status_changed" and e.data.get("to") == "Verified"
                              and e.order_id}, key=_natural)
    invoices = {str(e.data.get("invoice_no")): e.order_id or "" for e in today if e.kind == "invoiced" and e.data.get("invoice_no")}
    credits = {str(e.data.get("number")): e.order_id or "" for e in today
               if e.kind == "document_issued" and e.data.get("kind") == "credit_note"}
    docs = documents_numbered(conn, report.workbook, set(invoices) | set(credits))
    for number, order_id in [*invoices.items(), *credits.items()]:
        doc = docs.get(number, (None, ""))[0]
        report.invoiced.append(Invoiced(number, order_id, doc.totals.gross if doc and doc.totals else None,
                                        "invoice" if number in invoices else "credit_note"))
    for e in today:
        d = e.data
        if e.kind == "shipment":
            code = str(d.get("tracking_no") or (f"SSCC {d['sscc']}" if d.get("sscc") else ""))
            report.shipped.append(Shipped(e.order_id or "", str(d.get("carrier") or d.get("method") or ""), code,
                                          int(d.get("parcels") or 1), amount(d.get("weight_kg"))))
        elif e.kind == "returned":
            report.returns.append(ReturnRow(str(d.get("rma") or ""), e.order_id or "", str(d.get("sku") or ""),
                                            int(d.get("quantity") or 0), str(d.get("condition") or ""),
                                            str(d.get("resolution") or ""), str(d.get("credit_note") or "")))
        elif e.kind == "payment_matched":
            report.payments.append(PaymentRow(str(d.get("payment_id") or ""), str(d.get("invoice_no") or ""),
                                              amount(d.get("amount")), amount(d.get("balance"))))
        elif e.kind == "flag_resolved" and d.get("reviewed"):
            said = state.raised.get((e.sheet, e.line_key or "", d.get("column", ""), d.get("code", "")), {})
            report.reviewed.append(Review(e.sheet, e.row, str(d.get("code")), str(said.get("message", ""))))
        elif e.kind == "stock_counted":
            report.counts.append(Count(str(d.get("sku")), str(d.get("location")), int(d.get("book") or 0), int(d.get("counted") or 0)))


def _end_of_day(report: DayReport, state: Replay) -> None:
    statuses = state.order_statuses()
    counted = Counter(statuses.values())
    report.by_status = {s: counted[s] for s in (*ORDER_STATUS_ORDER, *sorted(set(counted) - set(ORDER_STATUS_ORDER))) if counted[s]}
    lines = state.orders()
    for order_id in sorted(statuses, key=_natural):
        if statuses[order_id] == "On hold":
            errors = [f for f in state.flags_on_order(order_id) if f.get("severity") == "error"]
            reasons = tuple(dict.fromkeys(f"{f['code']}" + (f" ({f['column']})" if f["column"] else "") + f": {f.get('message', '')}"
                                          for f in errors))
            report.on_hold.append(Hold(order_id, reasons or ("held by a manager (no open error flag)",)))
        if "Backordered" in lines[order_id]:
            skus = sorted({k.split("|")[1] for k, s in state.status.items()
                           if s == "Backordered" and state.order_of.get(k) == order_id and state.present.get(k, True) and "|" in k})
            report.backordered.append(Backorder(order_id, tuple(s.upper() for s in skus)))
    severity: dict[str, str] = {}
    count: Counter[str] = Counter()
    for (_, _, _, code), f in state.flags.items():
        count[code] += 1
        if f.get("severity") == "error" or code not in severity:
            severity[code] = str(f.get("severity") or "")
    report.open_flags = {code: (severity[code], count[code]) for code in sorted(count, key=lambda c: (-count[c], c))}


def _hours(a: str, b: str) -> float:
    return (_instant(b) - _instant(a)).total_seconds() / 3600


def _instant(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def _stages(report: DayReport, state: Replay, day: date, as_of: str) -> None:
    window_start = day_start(day - timedelta(days=STAGE_WINDOW_DAYS - 1))
    end = day_end(day)
    spans: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for order_id, reached in state.reached.items():
        if order_id in state.adopted:
            continue
        for a, b in zip(STAGES, STAGES[1:]):
            if a in reached and b in reached and window_start <= reached[b] < end:
                spans[f"{a} → {b}"].append((max(_hours(reached[a], reached[b]), 0.0), order_id))
    for a, b in zip(STAGES, STAGES[1:]):
        name = f"{a} → {b}"
        got = spans.get(name, [])
        slow = max(got, key=lambda x: (x[0], x[1])) if got else (None, "")
        report.stages.append(Stage(name, len(got), median(h for h, _ in got) if got else None, slow[1], slow[0]))
    statuses = state.order_statuses()
    waiting = []
    for order_id, reached in state.reached.items():
        current = statuses.get(order_id)
        stage = "Verified" if current == "Backordered" else current
        if stage in STAGES[:-1] and stage in reached and order_id not in state.adopted:
            waiting.append(Waiting(order_id, current or "", max(_hours(reached[stage], as_of), 0.0)))
    report.waiting = sorted(waiting, key=lambda w: (-w.hours, _natural(w.order_id)))[:SLOWEST]


def _low_stock(conn: Connection, book: Book, report: DayReport) -> None:
    """Inventory rows whose On Hand − reserved (ledger book now) is at or below their Reorder Point."""
    try:
        table = read_workbook(book.path, (INVENTORY,))[INVENTORY.name]
    except Exception as e:  # noqa: BLE001 - the rest of the report stands without it
        report.inventory_note = f"Low stock could not be worked out: {e}"
        return
    levels, _ = read_table(table, INVENTORY, book.settings.day_first)
    t, r = schema.stock, schema.reservations
    book_stock = {(row.sku_key, row.location_key): row.book
                  for row in conn.execute(select(t.c.sku_key, t.c.location_key, t.c.book).where(t.c.workbook == book.name))}
    reserved: Counter[tuple[str, str]] = Counter()
    for row in conn.execute(select(r.c.sku_key, r.c.location_key, r.c.quantity).where(and_(r.c.workbook == book.name))):
        reserved[(row.sku_key, row.location_key)] += row.quantity
    for level in levels:
        assert isinstance(level, StockLevel)
        pair = (key(level.sku) or "", key(level.location) or "")
        if level.reorder_point is None or pair not in book_stock:
            continue
        low = LowStock(level.sku, level.location, book_stock[pair], reserved[pair], level.reorder_point, level.reorder_qty)
        if low.available <= low.reorder_point:
            report.low_stock.append(low)


def _natural(order_id: str) -> tuple:
    """SO-999 before SO-1000."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", order_id or ""))
