"""The day's report as a PDF: figures and charts on the first page, the lists behind them after.

Page one answers "how did today go?" at a glance — tiles with the day's counts,
orders by status, time per lifecycle stage (median bar, slowest order marked)
and open flags by code; the following pages list the orders behind each figure.
"""

from __future__ import annotations

from sync.documents.issuing import seller
from sync.reports.charts import Bar, bar_chart
from sync.reports.day_report import DayReport
from sync.reports.describe import money
from sync.reports.pages import Col, Pages, report_layout
from sync.reports.source import Book

#: Bar colour per order status (page colour names).
STATUS_COLOURS: dict[str, str] = {
    "On hold": "error", "New": "muted", "Backordered": "warning", "Verified": "ok", "Invoiced": "info",
    "Shipped": "accent", "Delivered": "delivered", "Returned": "returned", "Cancelled": "rule",
}
_MORE_COLOURS = {"delivered": (27, 94, 32), "returned": (106, 27, 154)}


def duration(hours: float | None) -> str:
    """2 d 4 h, 5 h 10 min, 25 min."""
    if hours is None:
        return "–"
    minutes = round(hours * 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        h, m = divmod(minutes, 60)
        return f"{h} h {m} min" if m else f"{h} h"
    d, rest = divmod(minutes, 24 * 60)
    return f"{d} d {round(rest / 60)} h"


def _unit(top_hours: float) -> tuple[float, str]:
    """Hours per chart unit and its name, so ticks read as small round numbers."""
    if top_hours >= 48:
        return 24.0, "d"
    if top_hours >= 2:
        return 1.0, "h"
    return 1 / 60, "min"


def render_report(r: DayReport, book: Book) -> bytes:
    layout = report_layout(book.settings)
    company = seller(book.settings).name
    texts = [company, *(h.order_id + " ".join(h.reasons) for h in r.on_hold), *(x.sku + x.location for x in r.low_stock),
             *(x.message for x in r.reviewed)]
    p = Pages(layout, r.day, texts, "End-of-day report", f"{company} · {r.day.isoformat()}")
    c = p.c
    for name, rgb in _MORE_COLOURS.items():
        c.colours.setdefault(name, rgb)
    _front(p, r, book, company)
    _sections(p, r)
    return p.finish()


def _front(p: Pages, r: DayReport, book: Book, company: str) -> None:
    c = p.c
    c.text(p.left, p.y, "End-of-day report", size=18, bold=True, colour="accent")
    c.text(p.right, p.y + 1, c.day(r.day), size=14, bold=True, align="R", width=p.width / 2)
    p.y += 9.5
    c.text(p.left, p.y, f"{company} · {book.path.name}", size=9, colour="muted", width=p.width * 0.6)
    as_of = r.as_of.replace("T", " ").removesuffix("Z")
    c.text(p.right, p.y, f"as of the ledger's last event, {as_of} UTC", size=8, colour="muted", align="R", width=p.width * 0.4)
    p.y += 7
    m = lambda v: money(v, r.currency)  # noqa: E731
    tiles = [
        ("Received", len(r.received), "new orders", "text"),
        ("Verified", len(r.verified), "orders", "ok"),
        ("On hold", len(r.on_hold), "orders at day's end", "error"),
        ("Backordered", len(r.backordered), "orders at day's end", "warning"),
        ("Invoiced", sum(1 for i in r.invoiced if i.kind == "invoice"), f"{m(r.invoiced_gross)} {r.currency}", "info"),
        ("Shipped", len(r.shipped), f"{r.parcels} parcels", "accent"),
        ("Returns", len(r.returns), "lines returned", "returned"),
        ("Payments", len(r.payments), f"{m(r.payments_total)} {r.currency}", "ok"),
    ]
    gap, per_row = 3.0, 4
    w = (p.width - gap * (per_row - 1)) / per_row
    h = 17.0
    for i, (label, value, sub, colour) in enumerate(tiles):
        x = p.left + (i % per_row) * (w + gap)
        y = p.y + (i // per_row) * (h + gap)
        c.fill(x, y, w, h, "tile")
        c.fill(x, y, 1.2, h, colour)
        c.text(x + 4, y + 1.8, label, size=7.5, colour="muted")
        c.text(x + 4, y + 5.2, str(value), size=15, bold=True)
        c.text(x + 4, y + 12.2, sub, size=7, colour="muted", width=w - 6)
    p.y += 2 * h + gap + 2

    bar_chart(p, "Orders by status at the end of the day",
              [Bar(s, n, STATUS_COLOURS.get(s, "muted")) for s, n in r.by_status.items()],
              note=f"{sum(r.by_status.values())} orders on the sheet", empty="No orders yet.")
    timed = [s for s in r.stages if s.median_hours is not None]
    top = max((s.slowest_hours or 0 for s in timed), default=0.0)
    per, unit = _unit(top)
    bar_chart(
        p, "Time per lifecycle stage",
        [Bar(s.name, (s.median_hours or 0) / per, "accent", text=f"median {duration(s.median_hours)} over {s.count}",
             marker=(s.slowest_hours or 0) / per, marker_text=f"slowest {s.slowest_order}: {duration(s.slowest_hours)}")
         for s in timed],
        note="orders that moved on in the last 7 days: bar = median, mark = slowest",
        tick_text=lambda v: f"{v:g} {unit}", row=7.0, whole=False, empty="No order moved on to a later stage in the last 7 days.",
    )
    bar_chart(p, "Open flags by code",
              [Bar(code, n, "error" if sev == "error" else "warning") for code, (sev, n) in r.open_flags.items()],
              note="red: errors (block the order) · amber: warnings", row=4.3, empty="No open flags.")


def _sections(p: Pages, r: DayReport) -> None:
    m = lambda v: money(v, r.currency)  # noqa: E731
    p.new_page()
    p.heading("Orders received and verified", f"{len(r.received)} received · {len(r.verified)} verified")
    p.paragraph("Received: " + (", ".join(r.received) or "none"), size=8.5)
    p.paragraph("Verified: " + (", ".join(r.verified) or "none"), size=8.5)
    p.heading("On hold", "with the open errors that hold them")
    p.table((Col("Order", 14), Col("Why", 86)), [[h.order_id, "\n".join(h.reasons)] for h in r.on_hold],
            empty="No order is on hold.")
    p.heading("Backordered", "waiting for stock")
    p.table((Col("Order", 14), Col("SKUs short of stock", 86)), [[b.order_id, ", ".join(b.skus)] for b in r.backordered],
            empty="Nothing is backordered.")
    p.heading("Invoiced", f"{m(r.invoiced_gross)} {r.currency} invoiced")
    p.table((Col("Number", 22), Col("Type", 18), Col("Order", 16), Col(f"Gross ({r.currency})", 18, "R")),
            [[i.number, "Invoice" if i.kind == "invoice" else "Credit note", i.order_id, m(i.gross)] for i in r.invoiced],
            empty="Nothing was invoiced.")
    p.heading("Shipped", f"{len(r.shipped)} shipments · {r.parcels} parcels")
    p.table((Col("Order", 14), Col("Carrier", 22), Col("Tracking No / SSCC", 34), Col("Parcels", 10, "R"), Col("Weight (kg)", 12, "R")),
            [[s.order_id, s.carrier, s.code, str(s.parcels), "–" if s.weight_kg is None else p.c.number(s.weight_kg, "#,##0.0##")]
             for s in r.shipped], empty="Nothing was shipped.")
    p.heading("Returns")
    p.table((Col("RMA", 14), Col("Order", 13), Col("SKU", 16), Col("Qty", 7, "R"), Col("Condition", 14), Col("Resolution", 14),
             Col("Credit note", 18)),
            [[x.rma, x.order_id, x.sku, str(x.quantity), x.condition, x.resolution, x.credit_note] for x in r.returns],
            empty="No returns.")
    p.heading("Payments", f"{m(r.payments_total)} {r.currency} received")
    p.table((Col("Payment", 18), Col("Invoice", 22), Col(f"Amount ({r.currency})", 16, "R"), Col(f"Balance left ({r.currency})", 18, "R")),
            [[x.payment_id, x.invoice_no, m(x.amount), m(x.balance)] for x in r.payments],
            total=["", "Total", m(r.payments_total), ""] if r.payments else None, empty="No payments matched.")
    p.heading("Reconciliation", "stock counts and removed rows reviewed at the end of the day")
    p.table((Col("Sheet", 14), Col("Row", 7, "R"), Col("Code", 18), Col("What was reviewed", 61)),
            [[x.sheet, str(x.row or ""), x.code, x.message] for x in r.reviewed], empty="Nothing was reviewed.")
    if r.counts:
        p.table((Col("Stock count: SKU", 24), Col("Location", 18), Col("Book", 10, "R"), Col("Counted", 10, "R"), Col("Difference", 12, "R")),
                [[x.sku, x.location, str(x.book), str(x.counted), f"{x.counted - x.book:+d}"] for x in r.counts])
    p.heading("Low stock", "On Hand − reserved at or below the Reorder Point (ledger book now)")
    if r.inventory_note:
        p.paragraph(r.inventory_note, colour="muted", size=8.5)
    p.table((Col("SKU", 20), Col("Location", 13), Col("On Hand", 11, "R"), Col("Reserved", 11, "R"), Col("Available", 11, "R"),
             Col("Reorder Point", 16, "R"), Col("Reorder Qty", 14, "R")),
            [[x.sku, x.location, str(x.on_hand), str(x.reserved), str(x.available), str(x.reorder_point),
              "" if x.reorder_qty is None else str(x.reorder_qty)] for x in r.low_stock],
            empty="No SKU is at or below its Reorder Point.")
    p.heading("Time per stage", "orders that moved on in the last 7 days")
    p.table((Col("Stage", 26), Col("Orders", 10, "R"), Col("Median", 16, "R"), Col("Slowest order", 18), Col("Its time", 16, "R")),
            [[s.name, str(s.count), duration(s.median_hours), s.slowest_order, duration(s.slowest_hours)] for s in r.stages])
    p.heading("Waiting longest", "open orders, time in their current stage")
    p.table((Col("Order", 18), Col("Status", 18), Col("Waiting", 18, "R")),
            [[w.order_id, w.stage, duration(w.hours)] for w in r.waiting], empty="No open orders.")


__all__ = ["render_report", "duration"]
