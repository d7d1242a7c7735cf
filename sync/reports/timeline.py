"""`sheetclerk status ORDER_ID`: an order's whole history from the ledger, and where it stands now.

The history is every event about the order or one of its lines, oldest first,
in plain words (sync.reports.describe). The current state comes from the
ledger's state tables (lines, documents, payments): per line its status,
invoice number and quantities shipped and returned; per invoice what is still
owed (gross − credit notes − payments, as the payment matching counts it).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from rules.cells import key
from sync.documents import registry
from sync.ledger import schema
from sync.reports.describe import amount, describe
from sync.reports.lifecycle import order_status
from sync.reports.source import Book, Event, events, order_lines


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    kind: str
    sheet: str
    row: int | None
    sku: str
    """The SKU of the line the event is about ('' for order-level events)."""
    text: str
    data: dict[str, Any]


@dataclass(frozen=True)
class LineNow:
    row: int
    sku: str
    quantity: int | None
    status: str
    invoice_no: str | None
    on_sheet: bool
    shipped: int
    returned: int


@dataclass(frozen=True)
class DocumentNow:
    number: str
    kind: str
    status: str
    issued: str
    path: str
    gross: Decimal | None


@dataclass(frozen=True)
class InvoiceNow:
    number: str
    gross: Decimal
    credited: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        return self.gross - self.credited - self.paid


@dataclass(frozen=True)
class Timeline:
    workbook: str
    order_id: str
    status: str
    currency: str
    lines: tuple[LineNow, ...]
    documents: tuple[DocumentNow, ...]
    invoices: tuple[InvoiceNow, ...]
    shipments: tuple[dict[str, Any], ...]
    entries: tuple[Entry, ...] = field(default=())

    @property
    def balance(self) -> Decimal | None:
        """What the customer still owes on the order's invoices (None before it is invoiced)."""
        return sum((i.balance for i in self.invoices), Decimal(0)) if self.invoices else None

    def as_json(self) -> dict[str, Any]:
        return json.loads(json.dumps({
            "workbook": self.workbook,
            "order_id": self.order_id,
            "status": self.status,
            "currency": self.currency,
            "balance": self.balance,
            "lines": [asdict(x) for x in self.lines],
            "documents": [asdict(x) for x in self.documents],
            "invoices": [asdict(x) | {"balance": x.balance} for x in self.invoices],
            "shipments": list(self.shipments),
            "events": [asdict(x) for x in self.entries],
        }, default=str, ensure_ascii=False))


def timeline(conn: Connection, book: Book, order_id: str) -> Timeline | None:
    """The order's timeline, or None when the ledger has never seen it."""
    workbook, order_key = book.name, key(order_id) or ""
    lines = order_lines(conn, workbook, order_key)
    docs = registry.for_order(conn, workbook, order_id)
    if not lines and not docs:
        return None
    spellings = {order_id, *(x["order_id"] for x in lines), *(d.document.order_id for d in docs)}
    line_keys = [x["line_key"] for x in lines]
    found = events(conn, workbook, order_ids=spellings, line_keys=line_keys)
    invoices = {key(d.number): d for d in docs if d.kind.value == "invoice"}
    seen = {e.seq for e in found}
    found += [e for e in events(conn, workbook, kinds={"payment_matched"})
              if e.seq not in seen and key(e.data.get("invoice_no")) in invoices]
    found.sort(key=lambda e: e.seq)

    skus = {x["line_key"]: (json.loads(x["content"]).get("sku") or "") for x in lines}
    entries = tuple(
        Entry(e.seq, e.at, e.kind, e.sheet, e.row, skus.get(e.line_key or "", e.data.get("sku", "") if e.sheet != "Orders" else ""),
              _text(e, book), e.data)
        for e in found
    )
    now = _lines_now(lines)
    documents = tuple(
        DocumentNow(d.number, d.kind.value, d.status, d.document.issued.isoformat(), str(book.data_dir / d.path),
                    d.document.totals.gross if d.document.totals else None)
        for d in docs
    )
    return Timeline(
        workbook=workbook,
        order_id=lines[0]["order_id"] if lines else docs[0].document.order_id,
        status=order_status(x.status for x in now if x.on_sheet) or order_status(x.status for x in now),
        currency=next((d.document.currency for d in docs), book.settings.currency.upper()),
        lines=now,
        documents=documents,
        invoices=_invoices(conn, workbook, docs),
        shipments=tuple(_shipment(e, docs, book) for e in found if e.kind == "shipment"),
        entries=entries,
    )


def _text(e: Event, book: Book) -> str:
    text = describe(e.kind, e.data)
    if e.kind == "document_issued" and e.data.get("path"):
        text += f": {book.data_dir / str(e.data['path'])}"
    return text


def _lines_now(lines: list[Any]) -> tuple[LineNow, ...]:
    """Each line as the ledger's state has it (units shipped and returned are kept per line)."""
    out = []
    for x in lines:
        content = json.loads(x["content"])
        out.append(LineNow(x["row"], content.get("sku") or "", content.get("quantity"), x["status"], x["invoice_no"],
                           bool(x["present"]), int(x.get("shipped") or 0), int(x.get("returned") or 0)))
    return tuple(out)


def _invoices(conn: Connection, workbook: str, docs: list[registry.Issued]) -> tuple[InvoiceNow, ...]:
    """Per invoice: its gross, the credit notes referring to it, and the payments matched to it (each
    payment once, at its latest amount: a changed Payments row is matched again)."""
    credited: dict[str, Decimal] = defaultdict(Decimal)
    for d in docs:
        if d.kind.value == "credit_note" and d.status != "voided" and d.document.totals:
            credited[key(d.document.refers_to) or ""] += d.document.totals.gross
    invoices = [d for d in docs if d.kind.value == "invoice" and d.status != "voided" and d.document.totals]
    paid: dict[str, Decimal] = defaultdict(Decimal)
    t = schema.payments
    if invoices:
        q = select(t.c.invoice_no, t.c.amount).where(t.c.workbook == workbook, t.c.invoice_no.in_([d.number for d in invoices]))
        for invoice_no, value in conn.execute(q):
            paid[key(invoice_no) or ""] += amount(value) or Decimal(0)
    return tuple(InvoiceNow(d.number, d.document.totals.gross, credited[key(d.number) or ""], paid[key(d.number) or ""])
                 for d in invoices)


def _shipment(e: Event, docs: list[registry.Issued], book: Book) -> dict[str, Any]:
    label = next((d for d in docs if d.number == e.data.get("label")), None)
    return {
        "at": e.at, **e.data,
        "label_path": str(book.data_dir / label.path) if label is not None else None,
    }
