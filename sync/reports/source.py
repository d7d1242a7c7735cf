"""Where the reports read from: a workbook's ledger, its events, its documents.

Events come back as `Event` values with their JSON data parsed. A day is a UTC
calendar day, as the ledger stamps events (`at` is the time the workbook was
saved, `2026-11-21T09:14:03Z`), so string comparison selects it exactly.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from rules.documents import Document
from sync.config import Settings, load_settings
from sync.errors import CannotRun
from sync.ledger import Ledger, schema
from sync.ledger.store import data_dir_for

E = schema.events


@dataclass(frozen=True)
class Event:
    seq: int
    at: str
    kind: str
    sheet: str
    row: int | None
    order_id: str | None
    line_key: str | None
    data: dict[str, Any]

    @property
    def day(self) -> str:
        return self.at[:10]


@dataclass(frozen=True)
class Book:
    """One workbook as the reports see it: its ledger key, settings and data folder."""

    path: Path
    settings: Settings
    data_dir: Path

    @property
    def name(self) -> str:
        """How the ledger identifies the workbook (its resolved path)."""
        return str(self.path)


def book_for(path: Path | str) -> Book:
    """The workbook at `path`, which must exist and have been synced (reports never create a ledger)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise CannotRun(f"{path}: no such workbook.")
    settings = load_settings(path)
    folder = data_dir_for(path, settings.data_dir)
    if not settings.ledger_url and not (folder / "ledger.sqlite").exists():
        raise CannotRun(f"{path.name} has not been synced yet (no ledger): run `sheetclerk sync {path}` first.")
    return Book(path, settings, folder)


@contextmanager
def reading(book: Book) -> Iterator[Connection]:
    """A read connection to the workbook's ledger, closed afterwards."""
    ledger = Ledger.for_workbook(book.path, book.settings)
    try:
        with ledger.read() as conn:
            yield conn
    finally:
        ledger.close()


def _event(r: Any) -> Event:
    return Event(r.seq, r.at, r.kind, r.sheet, r.row, r.order_id, r.line_key, json.loads(r.data))


_COLUMNS = (E.c.seq, E.c.at, E.c.kind, E.c.sheet, E.c.row, E.c.order_id, E.c.line_key, E.c.data)


def events(
    conn: Connection,
    workbook: str,
    *,
    kinds: Collection[str] | None = None,
    until: str | None = None,
    since: str | None = None,
    order_ids: Collection[str] = (),
    line_keys: Collection[str] = (),
) -> list[Event]:
    """The workbook's events in ledger order: of these kinds, stamped in [since, until), and — when
    order IDs or line keys are given — about those orders or lines."""
    q = select(*_COLUMNS).where(E.c.workbook == workbook)
    if kinds is not None:
        q = q.where(E.c.kind.in_(sorted(kinds)))
    if since is not None:
        q = q.where(E.c.at >= since)
    if until is not None:
        q = q.where(E.c.at < until)
    if order_ids or line_keys:
        q = q.where(or_(E.c.order_id.in_(sorted(order_ids)), E.c.line_key.in_(sorted(line_keys))))
    return [_event(r) for r in conn.execute(q.order_by(E.c.seq))]


def day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def day_end(day: date) -> str:
    """The first instant after `day` (events before it belong to the day or earlier)."""
    return day_start(day + timedelta(days=1))


def latest_day(conn: Connection, workbook: str) -> date | None:
    """The day of the workbook's newest event."""
    at = conn.execute(select(E.c.at).where(E.c.workbook == workbook).order_by(E.c.seq.desc()).limit(1)).scalar()
    return date.fromisoformat(at[:10]) if at else None


def order_lines(conn: Connection, workbook: str, order_key: str) -> list[Any]:
    """The ledger's lines of one order (present or removed), in sheet order."""
    t = schema.lines
    q = select(t).where(and_(t.c.workbook == workbook, t.c.order_key == order_key)).order_by(t.c.row, t.c.line_key)
    return list(conn.execute(q).mappings())


def documents_numbered(conn: Connection, workbook: str, numbers: Collection[str]) -> dict[str, tuple[Document, str]]:
    """number -> (document, status) for these document numbers."""
    t = schema.documents
    if not numbers:
        return {}
    q = select(t.c.number, t.c.payload, t.c.status).where(and_(t.c.workbook == workbook, t.c.number.in_(sorted(numbers))))
    return {r.number: (Document.model_validate_json(r.payload), r.status) for r in conn.execute(q)}


def invoices_of(conn: Connection, workbook: str, order_keys: Collection[str]) -> dict[str, Document]:
    """order key -> its newest invoice that is not void."""
    t = schema.documents
    if not order_keys:
        return {}
    q = (
        select(t.c.order_key, t.c.payload)
        .where(and_(t.c.workbook == workbook, t.c.kind == "invoice", t.c.status != "voided", t.c.order_key.in_(sorted(order_keys))))
        .order_by(t.c.event_seq)
    )
    return {r.order_key: Document.model_validate_json(r.payload) for r in conn.execute(q)}
