"""The Payments sheet matched to invoices: balances, overpayments, overdue invoices.

A payment names an invoice by its number. Per invoice: balance = gross total −
credit notes referring to it − payments. More paid than owed is a
`payment_mismatch` on the payment that tipped it over; a balance still open
after the due date (the invoice's payment terms, measured at the pass's date)
is an `overdue_invoice` on the order's Invoice No cell (not for orders paid by
Card or Cash, which are paid when taken). Each Payment ID is
recorded in the ledger once (`payment_matched`), again only if its row changes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select, update

from rules.cells import key
from rules.documents import Kind
from rules.flags import Code, Flag, flag
from rules.models import Desk
from sync.documents import registry
from sync.ledger import schema
from sync.ledger.chain import canonical
from sync.ledger.state import LedgerState
from sync.ledger.store import Tx
from sync.lifecycle.acted import Acted

ZERO = Decimal(0)


#: Payment Methods paid when the order is taken (at the checkout or the counter): never overdue.
PAID_UP_FRONT = frozenset({"Card", "Cash"})


def match_payments(tx: Tx, state: LedgerState, desk: Desk, line_keys: dict[int, str], as_of: date | None = None) -> Acted:
    out = Acted()
    wb = state.workbook
    documents = registry.all_documents(tx.conn, wb)
    invoices = {key(d.number): d for d in documents if d.kind is Kind.INVOICE and d.status != "voided"}
    credited: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for d in documents:
        if d.kind is Kind.CREDIT_NOTE and d.status != "voided" and d.document.totals is not None:
            credited[key(d.document.refers_to)] += d.document.totals.gross
    adopted: set[str] | None = None  # invoice numbers the ledger adopted: looked up only for an unknown number
    recorded = {r.payment_key: r for r in tx.conn.execute(select(schema.payments).where(schema.payments.c.workbook == wb))}
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    seen: set[str] = set()
    for p in desk.payments:
        ik, pk = key(p.invoice_no), key(p.payment_id)
        if ik is None or p.amount is None or pk is None or pk in seen:
            continue
        seen.add(pk)
        invoice = invoices.get(ik)
        if invoice is None:
            if adopted is None:
                adopted = {key(n) for n in {s.invoice_no for s in state.lines.values() if s.invoice_no}}
            if ik not in adopted:
                out.flags.append(flag("Payments", p.row, "Invoice No", Code.PAYMENT_MISMATCH,
                                      f"Invoice No '{p.invoice_no}' is not an invoice sheetclerk has issued; check the number."))
            continue
        paid[ik] += p.amount
        owed = invoice.document.totals.gross - credited[ik]
        if paid[ik] > owed:
            out.flags.append(flag(
                "Payments", p.row, "Amount", Code.PAYMENT_MISMATCH,
                f"Payments to {invoice.number} now total {paid[ik]} {invoice.document.currency}, more than the "
                f"{owed} owed{' after credit notes' if credited[ik] else ''}: {paid[ik] - owed} overpaid. "
                "Refund it or issue a credit.",
            ))
        digest = hashlib.sha256(canonical([p.payment_id, p.invoice_no, str(p.amount), p.day]).encode()).hexdigest()
        old = recorded.get(pk)
        if old is not None and old.content_hash == digest:
            continue
        tx.event("payment_matched", wb, {
            "payment_id": p.payment_id, "invoice_no": invoice.number, "amount": p.amount, "date": p.day,
            "paid_total": paid[ik], "balance": owed - paid[ik], "changed": old is not None,
        }, sheet="Payments", row=p.row, order_id=invoice.document.order_id)
        values = {"payment_id": p.payment_id, "invoice_no": invoice.number, "amount": str(p.amount),
                  "content_hash": digest, "at": tx.at}
        t = schema.payments
        if old is None:
            tx.conn.execute(insert(t).values(workbook=wb, payment_key=pk, **values))
        else:
            tx.conn.execute(update(t).where(t.c.workbook == wb, t.c.payment_key == pk).values(**values))
    saved = date.fromisoformat(tx.at[:10])
    out.flags += _overdue(invoices, credited, paid, desk, max(saved, as_of or saved))
    return out


def _overdue(invoices, credited, paid, desk: Desk, today: date) -> list[Flag]:
    """An `overdue_invoice` flag for each invoice past its due date with a balance left, on its first line's cell."""
    late = {}  # invoice key -> (issued invoice, balance), for invoices due before today with a balance
    for ik, inv in invoices.items():
        doc = inv.document
        if doc.due is None or doc.totals is None or today <= doc.due:
            continue
        balance = doc.totals.gross - credited[ik] - paid[ik]
        if balance > 0:
            late[ik] = (inv, balance)
    if not late:
        return []  # the usual pass: no need to look at the lines
    rows, up_front = _invoice_rows(desk)
    out = []
    for ik in sorted(late):
        if ik in up_front:
            continue
        inv, balance = late[ik]
        doc = inv.document
        row = rows.get(ik)
        message = (f"Invoice {inv.number} for order {doc.order_id} was due on {doc.due.isoformat()}: "
                   f"{balance} {doc.currency} of {doc.totals.gross} is unpaid.")
        out.append(flag("Orders", row, "Invoice No" if row else "", Code.OVERDUE_INVOICE, message))
    return out


def _invoice_rows(desk: Desk) -> tuple[dict[str, int], set[str]]:
    """(Invoice No key -> the first Orders row that names it, keys named by a line paid up front)."""
    rows: dict[str, int] = {}
    up_front: set[str] = set()
    keys: dict[str, str | None] = {}  # Invoice No as typed -> its key (an order's lines share one)
    for line in desk.lines:
        if no := line.invoice_no:
            ik = keys.get(no)
            if ik is None:
                ik = keys[no] = key(no)
            rows.setdefault(ik, line.row)
            if line.payment_method in PAID_UP_FRONT:
                up_front.add(ik)
    return rows, up_front
