"""`Action = Cancel`: release the stock, and credit the invoice if there is one.

Before invoicing a cancellation only releases the reservations (the rules
already stop reserving for an order whose Action says Cancel). After invoicing
it also issues a credit note for the whole invoice: the invoice itself is
never altered. Once anything has shipped, goods must come back through the
Returns sheet instead, and the request is refused with a flag that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rules.documents import Document, Kind, credit_note
from rules.models import Order
from sync.config import Settings
from sync.documents import registry
from sync.documents.issuing import issue_date
from sync.ledger.state import LedgerState, put_lines
from sync.ledger.store import Tx
from sync.lifecycle.acted import Acted
from sync.lifecycle.shipping import _refuse


def cancel_orders(
    tx: Tx, state: LedgerState, orders: Sequence[Order], settings: Settings, line_keys: dict[int, str],
    render: Callable[[Document], bytes],
) -> Acted:
    out = Acted()
    wb = state.workbook
    for order in orders:
        if not any(line.action == "Cancel" for line in order.lines):
            continue
        rows = [(line, k, state.lines.get(k)) for line in order.lines if (k := line_keys.get(line.row))]
        ledger = [(line, k, s) for line, k, s in rows if s is not None]
        if ledger and all(s.status == "Cancelled" for _, _, s in ledger):
            continue  # done in an earlier pass
        if any(s.shipped for _, _, s in ledger):
            _refuse(out, order, "Cancel", "goods have already shipped; enter them on the Returns sheet instead")
            continue
        note = ""
        invoice = registry.find(tx.conn, wb, Kind.INVOICE, f"order:{order.order_key}")
        if invoice is not None and invoice.status != "voided":
            issued = issue_date(tx.at)
            cn = registry.issue(
                tx, workbook=wb, kind=Kind.CREDIT_NOTE, purpose=f"cancel:{order.order_key}", order_id=order.order_id,
                issued=issued, prefix=settings.numbering.credit_note, digits=settings.numbering.digits, render=render,
                row=order.first.row,
                build=lambda number, inv=invoice: credit_note(
                    number=number, issued=issued, of=inv.document, reason=f"Order {order.order_id} cancelled"),
            )
            note = cn.number
            if cn.new:
                out.documents.append(cn)
        for line, k, s in ledger:
            tx.event("cancelled", wb, {"from": s.status, "credit_note": note or None},
                     sheet="Orders", row=line.row, order_id=order.order_id, line_key=k)
            tx.event("status_changed", wb, {"from": s.status, "to": "Cancelled"},
                     sheet="Orders", row=line.row, order_id=order.order_id, line_key=k)
            s.status = "Cancelled"
            out.statuses[line.row] = "Cancelled"
        put_lines(tx.conn, wb, [s for _, _, s in ledger], new=False)
    return out
