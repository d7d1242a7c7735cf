"""Issuing an order's invoice and packing slip inside a sync pass.

An order is invoiced when a line asks for it (`Action = Invoice`), when the
command line asks (`sheetclerk documents ORDER_ID`), or — with `auto_invoice` —
as soon as every line is Verified. It must be Verified or Backordered (not On
hold) and fully priced; otherwise the request gets an `action_refused` flag that
says why. The invoice and its packing slip are numbered and recorded in the
pass's own ledger transaction, together with the lines becoming `Invoiced`, so
a pass that dies leaves neither half.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from rules.cells import key
from rules.checks import Evaluation
from rules.documents import Bank, Document, Kind, Party, invoice, packing_slip
from rules.flags import Code, Flag, flag
from rules.models import Desk, Order
from rules.orders import SETTLED
from rules.address import country_name
from rules.tax_treatment import treatment_for
from sync.config import Settings
from sync.documents import registry
from sync.documents.registry import Issued
from sync.ledger.chain import canonical
from sync.ledger.state import LedgerState, LineState, put_lines
from sync.ledger.store import Tx

#: Statuses from which an order may be invoiced.
INVOICEABLE = frozenset({"Verified", "Backordered"})

#: What an invoice fixes about a line (header, attribute): SKU, quantity, price, discount (SPEC §2).
INVOICED_TERMS: tuple[tuple[str, str], ...] = (
    ("SKU", "sku"), ("Quantity", "quantity"), ("Unit Price", "unit_price"), ("Discount %", "discount"),
)


@dataclass
class Issuing:
    documents: list[Issued] = field(default_factory=list)
    statuses: dict[int, str] = field(default_factory=dict)
    """Orders row -> status after this step (lines just invoiced)."""
    flags: list[Flag] = field(default_factory=list)


def seller(settings: Settings) -> Party:
    c = settings.company
    return Party(
        name=c.name, address_lines=tuple(x for x in (c.address, " ".join(y for y in (c.postal_code, c.city) if y)) if x),
        country=c.country.upper(), country_name=country_name(c.country) if c.country else "", vat_id=c.vat_id,
        email=c.email, phone=c.phone,
    )


def bank(settings: Settings) -> Bank | None:
    b = settings.bank
    return Bank(name=b.name, iban=b.iban, bic=b.bic) if (b.iban or b.name) else None


def issue_date(at: str) -> date:
    """The pass's time stamp (when the workbook was saved) as the date of issue."""
    return date.fromisoformat(at[:10])


def wanted(order: Order, requested: Collection[str], auto: bool, statuses: dict[int, str]) -> bool:
    if order.order_key in requested or any(line.action == "Invoice" for line in order.lines):
        return True
    return auto and all(statuses.get(line.row) == "Verified" for line in order.lines)


def issue_invoices(
    tx: Tx,
    state: LedgerState,
    desk: Desk,
    orders: Sequence[Order],
    evaluation: Evaluation,
    settings: Settings,
    line_keys: dict[int, str],
    render: Callable[[Document], bytes],
    requested: Collection[str] = (),
) -> Issuing:
    """Invoice (and packing slip) every order that asks for it and may have one."""
    out = Issuing()
    customers = {}
    for c in desk.customers:
        customers.setdefault(key(c.customer_id), c)
    products = {}
    for p in desk.products:
        products.setdefault(key(p.sku), p)
    reserved = {r.row: r.reserved for r in evaluation.reservations}
    for order in orders:
        if not wanted(order, requested, settings.auto_invoice, evaluation.statuses):
            continue
        keys = [line_keys.get(line.row) for line in order.lines]
        ledger_lines = [state.lines.get(k) for k in keys if k]
        if any(s is not None and s.status in SETTLED for s in ledger_lines):
            continue  # invoiced (or closed) already: asking again changes nothing
        why = _refusal(order, evaluation, customers, keys)
        if why:
            out.flags.append(_refused(order, why))
            continue
        try:
            issued_now = _issue_order(tx, state, order, keys, customers[order.first.customer_key], products,
                                      evaluation, settings, render, reserved)
        except Exception as e:  # noqa: BLE001 - one order's document must not stop the pass
            out.flags.append(_refused(order, f"its documents could not be produced ({type(e).__name__}: {e})"))
            continue
        out.documents += issued_now
        out.statuses.update({line.row: "Invoiced" for line in order.lines})
    return out


def _issue_order(
    tx: Tx, state: LedgerState, order: Order, keys: list[str | None], customer, products: dict, evaluation: Evaluation,
    settings: Settings, render: Callable[[Document], bytes], reserved: dict[int, int],
) -> list[Issued]:
    """Invoice and packing slip for one order; its lines become Invoiced."""
    policy = settings.policy()
    totals = evaluation.order_totals[order.order_key]
    issued = issue_date(tx.at)
    common = {"workbook": state.workbook, "purpose": f"order:{order.order_key}", "order_id": order.order_id, "issued": issued,
              "digits": settings.numbering.digits, "render": render, "row": order.first.row}
    inv = registry.issue(
        tx, kind=Kind.INVOICE, prefix=settings.numbering.invoice, **common,
        build=lambda number: invoice(
            number=number, issued=issued, order=order, totals=totals, customer=customer, products=products,
            seller=seller(settings), bank=bank(settings), currency=policy.rounding.currency,
            treatment=treatment_for(policy.seller_country, customer.country, customer.vat_id),
        ),
    )
    shipped = {i: min(reserved.get(line.row, 0), line.quantity or 0) for i, line in enumerate(order.lines, start=1)}
    slip = registry.issue(
        tx, kind=Kind.PACKING_SLIP, prefix=settings.numbering.packing_slip, **common,
        build=lambda number: packing_slip(number=number, issued=issued, of=inv.document, shipped=shipped),
    )
    _mark_invoiced(tx, state, order, keys, inv.number)
    return [d for d in (inv, slip) if d.new]


def _refusal(order: Order, evaluation: Evaluation, customers: dict, keys: list[str | None]) -> str:
    statuses = {evaluation.statuses.get(line.row) for line in order.lines}
    if None in keys:
        return "some of its lines have no Order ID or are duplicates"
    if "On hold" in statuses:
        return "the order is On hold (fix its errors first, or release the hold)"
    if not statuses <= INVOICEABLE:
        return f"the order is {', '.join(sorted(s for s in statuses if s))}"
    if order.order_key not in evaluation.order_totals:
        return "a line cannot be priced"
    if order.first.customer_key not in customers:
        return "its customer is not on the Customers sheet"
    return ""


def _refused(order: Order, why: str) -> Flag:
    row = next((line.row for line in order.lines if line.action == "Invoice"), order.first.row)
    return flag("Orders", row, "Action", Code.ACTION_REFUSED, f"Invoice for order {order.order_id} not issued: {why}.")


def _mark_invoiced(tx: Tx, state: LedgerState, order: Order, keys: list[str | None], number: str) -> None:
    changed: list[LineState] = []
    for line, k in zip(order.lines, keys):
        s = state.lines[k]
        terms = {attr: getattr(line, attr) for _, attr in INVOICED_TERMS}
        tx.event("invoiced", state.workbook, {"invoice_no": number, "from": s.status, "terms": terms},
                 sheet="Orders", row=line.row, order_id=line.order_id, line_key=k)
        s.status, s.invoice_no, s.invoiced = "Invoiced", number, canonical(terms)
        changed.append(s)
    put_lines(tx.conn, state.workbook, changed, new=False)


__all__ = ["issue_invoices", "Issuing", "INVOICED_TERMS", "seller", "bank", "issue_date"]
