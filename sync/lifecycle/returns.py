"""The Returns sheet: goods coming back, checked against what shipped, restocked or written off.

Each RMA is accepted once. It must name a shipped order and SKU, and may not
bring back more than shipped (less what earlier RMAs brought back). Resellable
goods go back into stock at the location they left from; damaged goods come
back and are written off (two movements, so the book's history adds up).
`Refund` and `Credit` issue a credit note for the returned units at the
invoiced price; `Exchange` adds a replacement line to the Orders sheet (Order ID
`<RMA ID>-X`, 100 % discount) that then goes through the normal flow.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select

from rules.cells import key
from rules.documents import Document, Item, Kind, credit_note
from rules.flags import Code, Flag, Severity, flag
from rules.models import Desk, Order, OrderLine, Return
from rules.pricing import PricedLine, line_net, total
from sync.config import Settings
from sync.documents import registry
from sync.documents.issuing import issue_date
from sync.ledger import schema
from sync.ledger.state import LedgerState, put_lines, put_stock
from sync.ledger.store import Tx
from sync.lifecycle.acted import Acted
from sync.writeback import CellWrite

#: Returns Status written back, by resolution.
STATUS = {"Refund": "Refunded", "Credit": "Credited", "Exchange": "Exchanged"}
NOT_ACCEPTED = "Not accepted"
WAITING = "Waiting for shipment"


class _OrdersSheet:
    """What the returns step looks up on the Orders sheet, worked out only when asked.

    A pass usually accepts no new return and writes no replacement row, so it
    should not index 100k lines for them.
    """

    def __init__(self, desk: Desk, orders: Sequence[Order]) -> None:
        self._desk = desk
        self._orders = orders
        self._by_key: dict[str, Order] | None = None
        self._next_row: int | None = None

    def _order(self, order_key: str) -> Order | None:
        if self._by_key is None:
            self._by_key = {o.order_key: o for o in self._orders}
        return self._by_key.get(order_key)

    def lines_of(self, order_key: str | None, sku_key: str | None) -> list[OrderLine]:
        """The lines of this order and SKU, in sheet order (None: lines without an Order ID)."""
        if order_key is None:
            return [line for line in self._desk.lines if line.order_key is None and line.sku_key == sku_key]
        order = self._order(order_key)
        return [line for line in order.lines if line.sku_key == sku_key] if order is not None else []

    def has_order(self, order_key: str | None) -> bool:
        """Whether a line has this order key (None: a line without an Order ID)."""
        if order_key is None:
            return any(line.order_key is None for line in self._desk.lines)
        return self._order(order_key) is not None

    def take_next_row(self) -> int:
        """The row below the Orders data for a new line; each call gives the next one."""
        if self._next_row is None:
            self._next_row = max((line.row for line in self._desk.lines), default=1) + 1
        row, self._next_row = self._next_row, self._next_row + 1
        return row


def process_returns(
    tx: Tx, state: LedgerState, desk: Desk, orders: Sequence[Order], settings: Settings, line_keys: dict[int, str],
    render: Callable[[Document], bytes], flagged: list[Flag],
) -> Acted:
    out = Acted()
    wb = state.workbook
    done = {r.rma_key: r for r in tx.conn.execute(select(schema.returns).where(schema.returns.c.workbook == wb))}
    errors = {f.row for f in flagged if f.sheet == "Returns" and f.severity is Severity.ERROR}
    sheet = _OrdersSheet(desk, orders)
    seen: set[str] = set()
    for r in desk.returns:
        rk = key(r.rma_id)
        if rk is None or rk in seen:
            continue
        seen.add(rk)
        record = done.get(rk)
        if record is None:
            if r.row in errors:
                out.cells.setdefault("Returns", []).append(CellWrite(r.row, "Status", NOT_ACCEPTED))
                continue
            why, record = _accept(tx, state, sheet, r, settings, line_keys, render, out)
            if why:
                out.flags.append(why)
                waiting = why.code is Code.ACTION_REFUSED
                out.cells.setdefault("Returns", []).append(CellWrite(r.row, "Status", WAITING if waiting else NOT_ACCEPTED))
                continue
        out.cells.setdefault("Returns", []).extend([
            CellWrite(r.row, "Status", STATUS.get(record.resolution, "Received")),
            CellWrite(r.row, "Credit Note No", record.credit_note),
        ])
        if record.replacement and not sheet.has_order(key(record.replacement)):
            out.cells.setdefault("Orders", []).extend(_replacement_row(sheet.take_next_row(), record, desk, tx.at))
    return out


def _accept(tx: Tx, state: LedgerState, sheet: _OrdersSheet, r: Return, settings: Settings, line_keys, render, out: Acted):
    wb = state.workbook
    ok, sk = key(r.order_id), key(r.sku)
    lines = [(line, k, state.lines[k]) for line in sheet.lines_of(ok, sk)
             if (k := line_keys.get(line.row)) in state.lines]
    shipped = sum(s.shipped for _, _, s in lines)
    back = sum(s.returned for _, _, s in lines)
    if not shipped:
        return flag("Returns", r.row, "Order ID", Code.ACTION_REFUSED,
                    f"Return {r.rma_id} waits: nothing of SKU '{r.sku}' on order {r.order_id} has shipped yet. "
                    "It is taken back once the order ships; to stop an order that has not shipped, cancel it."), None
    if r.quantity > shipped - back:
        return flag("Returns", r.row, "Quantity", Code.INVALID_QUANTITY,
                    f"Quantity {r.quantity} is more than can come back: {shipped} of SKU '{r.sku}' shipped on order "
                    f"{r.order_id}, {back} already returned."), None
    left = r.quantity
    changed = []
    location = _shipped_from(tx, wb, ok, [k for _, k, _ in lines])
    for line, k, s in lines:
        part = min(left, s.shipped - s.returned)
        if part <= 0:
            continue
        s.returned += part
        left -= part
        if s.returned >= s.shipped and s.status in ("Shipped", "Delivered"):
            tx.event("status_changed", wb, {"from": s.status, "to": "Returned"},
                     sheet="Orders", row=line.row, order_id=line.order_id, line_key=k)
            s.status = "Returned"
        out.statuses[line.row] = s.status
        changed.append(s)
    put_lines(tx.conn, wb, changed, new=False)
    sku_key = sk or ""
    st = state.stock.get((sku_key, location))
    movement = {"sku": r.sku, "location": st.location if st else location, "quantity": r.quantity, "rma": r.rma_id}
    tx.event("stock_returned", wb, movement, sheet="Returns", row=r.row, order_id=r.order_id)
    if r.condition == "Damaged":
        tx.event("written_off", wb, movement, sheet="Returns", row=r.row, order_id=r.order_id)
    elif st is not None:
        st.book += r.quantity
        put_stock(tx.conn, wb, st, new=False)
    note = None
    invoice = registry.find(tx.conn, wb, Kind.INVOICE, f"order:{ok}")
    if r.resolution in ("Refund", "Credit") and invoice is not None:
        cn = _credit(tx, wb, r, invoice, settings, render)
        note = cn.number
        if cn.new:
            out.documents.append(cn)
    replacement = f"{r.rma_id}-X" if r.resolution == "Exchange" else None
    tx.event("returned", wb, {"rma": r.rma_id, "sku": r.sku, "quantity": r.quantity, "condition": r.condition,
                              "resolution": r.resolution, "credit_note": note, "replacement": replacement},
             sheet="Returns", row=r.row, order_id=r.order_id)
    values = dict(workbook=wb, rma_key=key(r.rma_id), rma_id=r.rma_id, order_key=ok, line_key=lines[0][1], sku=r.sku,
                  quantity=r.quantity, condition=r.condition, resolution=r.resolution, credit_note=note,
                  replacement=replacement, at=tx.at)
    tx.conn.execute(insert(schema.returns).values(**values))
    return None, _Record(**values)


class _Record:
    def __init__(self, **values) -> None:
        self.__dict__.update(values)


def _shipped_from(tx: Tx, workbook: str, order_key: str, line_keys: list[str]) -> str:
    """The location the goods left from (the first parcel that carried them)."""
    t = schema.shipments
    for (lines,) in tx.conn.execute(
        select(t.c.lines).where(t.c.workbook == workbook, t.c.order_key == order_key).order_by(t.c.n)
    ):
        for item in json.loads(lines):
            if item["line_key"] in line_keys and item["locations"]:
                return next(iter(item["locations"]))
    return ""


def _credit(tx: Tx, workbook: str, r: Return, invoice: registry.Issued, settings: Settings, render):
    doc = invoice.document
    item = next(i for i in doc.items if key(i.sku) == key(r.sku))
    rounding = settings.policy().rounding
    net = line_net(r.quantity, item.unit_price, item.discount, rounding)
    rate = item.tax_rate or Decimal(0)
    priced = PricedLine(sku=item.sku, quantity=r.quantity, unit_price=item.unit_price, discount=item.discount,
                        net=net, tax_rate=rate, tax=rounding.round(net * rate))
    totals = total([priced], None, rounding)
    issued = issue_date(tx.at)
    return registry.issue(
        tx, workbook=workbook, kind=Kind.CREDIT_NOTE, purpose=f"rma:{key(r.rma_id)}", order_id=doc.order_id,
        issued=issued, prefix=settings.numbering.credit_note, digits=settings.numbering.digits, render=render,
        sheet="Returns", row=r.row,
        build=lambda number: credit_note(
            number=number, issued=issued, of=doc, reason=f"Return {r.rma_id}" + (f": {r.reason}" if r.reason else ""),
            items=(Item(position=1, sku=item.sku, description=item.description, quantity=r.quantity,
                        unit_price=item.unit_price, discount=item.discount, net=net, tax_rate=rate,
                        weight_kg=item.weight_kg),),
            totals=totals,
        ),
    )


def _replacement_row(row: int, record, desk: Desk, at: str) -> list[CellWrite]:
    """The exchange's replacement line, appended below the Orders data, free of charge."""
    original: OrderLine | None = next(
        (line for line in desk.lines if line.order_key == record.order_key and line.sku_key == key(record.sku)), None)
    if original is None:
        return []
    expiry = f"{original.card_expiry[1]:02d}/{original.card_expiry[0] % 100:02d}" if original.card_expiry else None
    values = {
        "Order ID": record.replacement, "Order Date": date.fromisoformat(at[:10]),
        "Customer ID": original.customer_id, "SKU": original.sku, "Quantity": record.quantity,
        "Discount %": Decimal(1), "Ship Method": original.ship_method, "Payment Method": original.payment_method,
        "Card Expiry": expiry, "Notes": f"Replacement for {record.rma_id} (order {original.order_id}), no charge",
    }
    return [CellWrite(row, column, value) for column, value in values.items() if value is not None]
