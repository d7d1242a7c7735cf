"""`Action = Ship` and `Action = Deliver`: parcels, labels, stock out, delivery.

Ship takes what is reserved for the order's open lines, moves it out of the
book (On Hand falls), and issues a packing slip and a 4x6 label for the
parcel. Lines that could not be filled stay Backordered; while the Action
still says Ship, the next pass that finds stock for them ships them as a new
parcel with its own packing slip and label. Nothing is invoiced twice: the
invoice was issued once, by `Action = Invoice`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import func, insert, select

from rules.cells import key
from rules.documents import Document, Item, Kind, Party, label, parcel_weight, party_from_customer
from rules.flags import Code, flag
from rules.models import Desk, Order
from rules.sscc import sscc
from sync.config import Settings
from sync.documents import registry
from sync.documents.issuing import issue_date, seller
from sync.ledger import schema
from sync.ledger.chain import canonical
from sync.ledger.state import LedgerState, LineState, put_lines, put_stock, set_reservations
from sync.ledger.store import Tx
from sync.lifecycle.acted import Acted, invoiced_quantity
from sync.writeback import CellWrite

#: Line statuses that may still ship.
OPEN_TO_SHIP = frozenset({"Invoiced", "Backordered"})
#: ... and, when `ship_without_invoice` is set, before invoicing too.
OPEN_TO_SHIP_UNINVOICED = frozenset({"Verified", "Backordered"})


def ship_orders(
    tx: Tx, state: LedgerState, desk: Desk, orders: Sequence[Order], settings: Settings, line_keys: dict[int, str],
    render: Callable[[Document], bytes],
) -> Acted:
    out = Acted()
    products, customers = {}, {}
    for p in desk.products:
        products.setdefault(key(p.sku), p)
    for c in desk.customers:
        customers.setdefault(key(c.customer_id), c)
    for order in orders:
        if not any(line.action == "Ship" for line in order.lines):
            continue
        customer = customers.get(order.first.customer_key or "")
        buyer = party_from_customer(customer) if customer else Party(name=order.first.customer_id or "")
        out.merge(_ship(tx, state, order, settings, line_keys, products, buyer, render))
    return out


def _ship(tx, state, order: Order, settings: Settings, line_keys, products, buyer: Party, render) -> Acted:
    out = Acted()
    rows = [(line, k, state.lines.get(k)) for line in order.lines if (k := line_keys.get(line.row))]
    ledger = [s for _, _, s in rows if s is not None]
    statuses = {s.status for s in ledger}
    invoiced = any(s.invoice_no for s in ledger)
    if statuses & {"Cancelled"}:
        return _refuse(out, order, "Ship", "the order is cancelled")
    if not invoiced and not settings.ship_without_invoice:
        return _refuse(out, order, "Ship", "it has no invoice yet (set Action = Invoice first, then Ship)")
    open_statuses = OPEN_TO_SHIP if invoiced else OPEN_TO_SHIP_UNINVOICED
    if statuses & {"On hold", "New"}:
        return _refuse(out, order, "Ship", "the order is On hold")
    parcel = []
    for line, k, s in rows:
        if s is None or s.status not in open_statuses:
            continue
        remaining = invoiced_quantity(s, line.quantity) - s.shipped
        sku_key, held = state.reservations.get(k, ("", {}))
        take, left = {}, remaining
        for loc, q in sorted(held.items()):
            if left <= 0:
                break
            take[loc] = min(q, left)
            left -= take[loc]
        if take:
            parcel.append((line, k, s, sku_key, take, remaining))
    if not parcel:
        if any(s.status in open_statuses for s in ledger):
            out.flags.append(flag("Orders", _action_row(order, "Ship"), "Action", Code.ACTION_REFUSED,
                                  f"Order {order.order_id} waits for stock: nothing is available to ship yet. "
                                  "It ships as soon as stock arrives (Stock Moves), while Action says Ship."))
        return out
    n = _shipments(tx, state.workbook, order.order_key) + 1
    issued = issue_date(tx.at)
    method = order.first.ship_method or ""
    found = settings.policy().shipping_method(method)
    carrier = (found[1].carrier if found and found[1].carrier else (found[0] if found else method)) or "Own delivery"
    tracking = _tracking(tx, state.workbook, order)
    slip_doc = _slip(order, rows, parcel, products, buyer, settings, issued)
    common = {"workbook": state.workbook, "purpose": f"ship:{order.order_key}:{n}", "order_id": order.order_id,
              "issued": issued, "digits": settings.numbering.digits, "render": render, "row": order.first.row}
    slip = registry.issue(tx, kind=Kind.PACKING_SLIP, prefix=settings.numbering.packing_slip, **common,
                          build=lambda number: slip_doc.model_copy(update={"number": number}))
    lbl = registry.issue(
        tx, kind=Kind.LABEL, prefix=settings.numbering.label, **common,
        build=lambda number: label(
            number=number, issued=issued, slip=slip.document, carrier=carrier, tracking_no=tracking,
            sscc="" if tracking else _sscc(settings.numbering.gs1_company_prefix, number, issued.year),
        ),
    )
    out.documents += [d for d in (slip, lbl) if d.new]
    wb = state.workbook
    changed: list[LineState] = []
    shipped_lines = []
    for line, k, s, sku_key, take, remaining in parcel:
        quantity = sum(take.values())
        for loc, q in take.items():
            st = state.stock[(sku_key, loc)]
            st.book -= q
            put_stock(tx.conn, wb, st, new=False)
        held = dict(state.reservations.get(k, (sku_key, {}))[1])
        for loc, q in take.items():
            held[loc] -= q
        held = {loc: q for loc, q in held.items() if q > 0}
        set_reservations(tx.conn, wb, k, sku_key, held)
        if held:
            state.reservations[k] = (sku_key, held)
        else:
            state.reservations.pop(k, None)
        tx.event("shipped", wb, {"shipment": n, "quantity": quantity, "locations": take},
                 sheet="Orders", row=line.row, order_id=order.order_id, line_key=k)
        s.shipped += quantity
        new_status = "Shipped" if quantity >= remaining else "Backordered"
        if new_status != s.status:
            tx.event("status_changed", wb, {"from": s.status, "to": new_status},
                     sheet="Orders", row=line.row, order_id=order.order_id, line_key=k)
            s.status = new_status
        changed.append(s)
        shipped_lines.append({"line_key": k, "sku": line.sku, "quantity": quantity, "locations": take})
    put_lines(tx.conn, wb, changed, new=False)
    code = lbl.document.tracking_no or lbl.document.sscc
    tx.event("shipment", wb, {
        "n": n, "carrier": carrier, "method": method, "tracking_no": lbl.document.tracking_no,
        "sscc": lbl.document.sscc, "weight_kg": lbl.document.weight_kg, "parcels": 1, "label": lbl.number,
        "packing_slip": slip.number, "lines": shipped_lines,
    }, sheet="Orders", row=order.first.row, order_id=order.order_id)
    tx.conn.execute(insert(schema.shipments).values(
        workbook=wb, order_key=order.order_key, n=n, order_id=order.order_id, at=tx.at, carrier=carrier,
        method=method, tracking_no=lbl.document.tracking_no, sscc=lbl.document.sscc, label_no=lbl.number,
        slip_no=slip.number, lines=canonical(shipped_lines),
    ))
    for line, k, s in rows:
        if s is not None:
            out.statuses[line.row] = s.status
            if not line.tracking_no and code:
                out.cells.setdefault("Orders", []).append(CellWrite(line.row, "Tracking No", code))
    return out


def _shipments(tx: Tx, workbook: str, order_key: str) -> int:
    t = schema.shipments
    return tx.conn.execute(select(func.count()).where(t.c.workbook == workbook, t.c.order_key == order_key)).scalar() or 0


def _tracking(tx: Tx, workbook: str, order: Order) -> str:
    """The Tracking No typed on the order, unless an earlier parcel already used it."""
    typed = next((line.tracking_no.strip() for line in order.lines if line.tracking_no and line.tracking_no.strip()), "")
    if not typed:
        return ""
    t = schema.shipments
    used = {r[0] for r in tx.conn.execute(
        select(t.c.tracking_no).where(t.c.workbook == workbook, t.c.order_key == order.order_key))}
    sscc_used = {r[0] for r in tx.conn.execute(
        select(t.c.sscc).where(t.c.workbook == workbook, t.c.order_key == order.order_key))}
    return "" if typed in used or typed in sscc_used else typed


def _sscc(prefix: str, label_number: str, year: int) -> str:
    """An SSCC for a label: the label's running number (with the year) as the serial reference."""
    seq = int(re.sub(r"\D", "", label_number)[-7:] or 0)
    width = 16 - len(prefix)
    serial = (year % 100) * 10 ** (width - 2) + seq % 10 ** (width - 2)
    return sscc(prefix, serial)


def _slip(order: Order, rows, parcel, products, buyer: Party, settings: Settings, issued: date) -> Document:
    """The packing slip of this parcel: every open line, with what ships now and what follows."""
    now = {k: sum(take.values()) for _, k, _, _, take, _ in parcel}
    items = []
    for i, (line, k, s) in enumerate(rows, start=1):
        if s is None or s.status in ("Cancelled",):
            continue
        product = products.get(line.sku_key or "")
        ordered = invoiced_quantity(s, line.quantity)
        shipped_now = now.get(k, 0)
        items.append(Item(
            position=i, sku=line.sku or "", description=(product.description if product and product.description else line.sku or ""),
            quantity=ordered, shipped=shipped_now, backordered=max(ordered - s.shipped - shipped_now, 0),
            weight_kg=product.weight_kg if product else None,
        ))
    return Document(
        kind=Kind.PACKING_SLIP, number="", issued=issued, currency=settings.currency.upper(), order_id=order.order_id,
        customer_id=order.first.customer_id or "", seller=seller(settings), buyer=buyer, ship_to=buyer,
        items=tuple(items), shipping_method=order.first.ship_method or "",
        refers_to=next((s.invoice_no for _, _, s in rows if s is not None and s.invoice_no), ""),
        weight_kg=parcel_weight(tuple(Item(**{**i.model_dump(), "quantity": i.shipped or 0}) for i in items)),
    )


def deliver_orders(tx: Tx, state: LedgerState, orders: Sequence[Order], line_keys: dict[int, str]) -> Acted:
    """`Action = Deliver`: shipped lines become Delivered (the carrier confirmed it)."""
    out = Acted()
    for order in orders:
        if not any(line.action == "Deliver" for line in order.lines):
            continue
        rows = [(line, k, state.lines.get(k)) for line in order.lines if (k := line_keys.get(line.row))]
        shipped = [(line, k, s) for line, k, s in rows if s is not None and s.status == "Shipped"]
        if not shipped:
            if not any(s is not None and s.status == "Delivered" for _, _, s in rows):
                _refuse(out, order, "Deliver", "nothing on it has shipped yet")
            continue
        for line, k, s in shipped:
            tx.event("delivered", state.workbook, {}, sheet="Orders", row=line.row, order_id=order.order_id, line_key=k)
            tx.event("status_changed", state.workbook, {"from": s.status, "to": "Delivered"},
                     sheet="Orders", row=line.row, order_id=order.order_id, line_key=k)
            s.status = "Delivered"
            out.statuses[line.row] = "Delivered"
        put_lines(tx.conn, state.workbook, [s for _, _, s in shipped], new=False)
    return out


def _action_row(order: Order, action: str) -> int:
    return next((line.row for line in order.lines if line.action == action), order.first.row)


def _refuse(out: Acted, order: Order, action: str, why: str) -> Acted:
    out.flags.append(flag("Orders", _action_row(order, action), "Action", Code.ACTION_REFUSED,
                          f"{action} for order {order.order_id} not done: {why}."))
    return out


__all__ = ["ship_orders", "deliver_orders"]
