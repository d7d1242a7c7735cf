"""Issuing documents in the ledger: gapless numbers, one document per purpose, void, gaps.

A number is taken from its series in the same transaction that records the
document and its `document_issued` event, so a rollback (or a kill -9 before the
commit) gives the number back and nothing is skipped. The ledger's write lock
(the chain head, see sync.ledger.store) makes writers from several daemons take
turns, so two never draw the same number.

Each document has a *purpose* — "order:<order key>" for an order's invoice, "cancel:<order key>" for
the credit note of a cancellation, "rma:<RMA ID>" for a return's... — and a
(workbook, kind, purpose) is issued at most once: asking again returns the
document already issued. That is what makes re-running a pass safe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, func, insert, select, update

from rules.cells import key
from rules.documents import Document, Kind
from sync.documents.files import relative_path
from sync.ledger import schema
from sync.ledger.store import Tx

T = schema.documents


@dataclass(frozen=True)
class Issued:
    number: str
    kind: Kind
    path: str
    """Relative to the data folder: `documents/<kind>/<year>/<number>.pdf`."""
    sha256: str
    document: Document
    status: str
    written: bool
    pdf: bytes | None = None
    """The rendered bytes, when issued in this transaction (to write after the commit)."""
    new: bool = False


def series_name(prefix_template: str, year: int) -> str:
    return prefix_template.replace("{year}", str(year))


def format_number(series: str, seq: int, digits: int) -> str:
    return f"{series}{seq:0{digits}d}"


def _last_seq(conn: Connection, series: str) -> int | None:
    s = schema.document_series
    return conn.execute(select(s.c.last).where(s.c.series == series).with_for_update()).scalar()


def _take_seq(conn: Connection, series: str, last: int | None) -> None:
    s = schema.document_series
    if last is None:
        conn.execute(insert(s).values(series=series, last=1))
    else:
        conn.execute(update(s).where(s.c.series == series).values(last=last + 1))


def _issued(row) -> Issued:
    return Issued(
        row.number, Kind(row.kind), row.path, row.sha256, Document.model_validate_json(row.payload), row.status,
        bool(row.written),
    )


def find(conn: Connection, workbook: str, kind: Kind, purpose: str) -> Issued | None:
    row = conn.execute(
        select(T).where(and_(T.c.workbook == workbook, T.c.kind == kind.value, T.c.purpose == purpose))
    ).first()
    return _issued(row) if row is not None else None


def issue(
    tx: Tx,
    *,
    workbook: str,
    kind: Kind,
    purpose: str,
    order_id: str,
    issued: date,
    prefix: str,
    digits: int,
    build: Callable[[str], Document],
    render: Callable[[Document], bytes],
    sheet: str = "Orders",
    row: int | None = None,
) -> Issued:
    """The document for this purpose: the one already issued, or a new one numbered now."""
    existing = find(tx.conn, workbook, kind, purpose)
    if existing is not None:
        return existing
    series = series_name(prefix, issued.year)
    last = _last_seq(tx.conn, series)
    seq = (last or 0) + 1
    number = format_number(series, seq, digits)
    document = build(number)
    pdf = render(document)  # before the number is taken: a document that cannot be rendered uses none
    _take_seq(tx.conn, series, last)
    digest = hashlib.sha256(pdf).hexdigest()
    path = relative_path(kind, issued.year, number)
    event = tx.event(
        "document_issued", workbook,
        {"kind": kind.value, "number": number, "purpose": purpose, "sha256": digest, "path": path},
        sheet=sheet, row=row, order_id=order_id,
    )
    tx.conn.execute(
        insert(T).values(
            number=number, kind=kind.value, series=series, seq=seq, workbook=workbook, order_key=key(order_id) or "",
            order_id=order_id, purpose=purpose, issued=issued.isoformat(), payload=document.model_dump_json(),
            sha256=digest, path=path, status="issued", event_seq=event, written=False,
        )
    )
    return Issued(number, kind, path, digest, document, "issued", False, pdf, True)


def void(tx: Tx, number: str, reason: str) -> Issued | None:
    """Mark a document void: it keeps its number and its PDF, and the ledger says why."""
    row = tx.conn.execute(select(T).where(T.c.number == number)).first()
    if row is None:
        return None
    if row.status != "voided":
        tx.event("document_voided", row.workbook, {"number": number, "kind": row.kind, "reason": reason},
                 order_id=row.order_id)
        tx.conn.execute(update(T).where(T.c.number == number).values(status="voided", void_reason=reason))
    return _issued(tx.conn.execute(select(T).where(T.c.number == number)).first())


def mark_written(conn: Connection, numbers: Iterable[str]) -> None:
    numbers = list(numbers)
    if numbers:
        conn.execute(update(T).where(T.c.number.in_(numbers)).values(written=True))


def unwritten(conn: Connection) -> list[Issued]:
    """Documents recorded but whose file was not yet confirmed written (a pass died after its commit)."""
    return [_issued(r) for r in conn.execute(select(T).where(T.c.written.is_(False)).order_by(T.c.number))]


def all_documents(conn: Connection, workbook: str | None = None) -> list[Issued]:
    q = select(T).order_by(T.c.series, T.c.seq)
    if workbook is not None:
        q = q.where(T.c.workbook == workbook)
    return [_issued(r) for r in conn.execute(q)]


def for_order(conn: Connection, workbook: str, order_id: str) -> list[Issued]:
    q = select(T).where(and_(T.c.workbook == workbook, T.c.order_key == (key(order_id) or ""))).order_by(T.c.event_seq)
    return [_issued(r) for r in conn.execute(q)]


def issued_number(conn: Connection, kind: Kind | str, workbook: str, order_id: str) -> str | None:
    """The number of the order's newest document of this kind (e.g. its invoice), or None."""
    kind = Kind(kind)
    q = (
        select(T.c.number)
        .where(and_(T.c.workbook == workbook, T.c.order_key == (key(order_id) or ""), T.c.kind == kind.value))
        .order_by(T.c.event_seq.desc())
        .limit(1)
    )
    return conn.execute(q).scalar()


@dataclass(frozen=True)
class SeriesReport:
    series: str
    kind: str
    count: int
    first: int
    last: int
    counter: int
    """What the series counter says was issued last."""
    missing: tuple[int, ...]
    voided: int

    @property
    def ok(self) -> bool:
        return not self.missing and self.first == 1 and self.counter == self.last


def gaps(conn: Connection) -> list[SeriesReport]:
    """Per series: are its numbers 1..n without a hole, and does the counter agree?"""
    counters = dict(conn.execute(select(schema.document_series.c.series, schema.document_series.c.last)).all())
    out = []
    for series, kind in conn.execute(select(T.c.series, func.min(T.c.kind)).group_by(T.c.series).order_by(T.c.series)):
        seqs = [r[0] for r in conn.execute(select(T.c.seq).where(T.c.series == series).order_by(T.c.seq))]
        voided = conn.execute(select(func.count()).where(and_(T.c.series == series, T.c.status == "voided"))).scalar()
        have = set(seqs)
        missing = tuple(n for n in range(1, max(seqs) + 1) if n not in have)
        out.append(SeriesReport(series, kind, len(seqs), min(seqs), max(seqs), counters.get(series, 0), missing, voided))
    for series, last in sorted(counters.items()):
        if not any(r.series == series for r in out):
            out.append(SeriesReport(series, "", 0, 0, 0, last, tuple(range(1, last + 1)), 0))
    return out
