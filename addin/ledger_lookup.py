"""Order status and invoice number as the ledger has them, for the Excel functions.

Read-only: a function never creates a ledger. The default SQLite ledger is
looked for in the workbook's data folder; a `ledger_url` in the settings
(PostgreSQL) is opened as configured. Engines are kept per URL, so a sheet of
formulas opens each ledger once.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import select, true

from rules.cells import key
from sync.ledger import Ledger
from sync.ledger import schema
from sync.ledger.store import data_dir_for

#: An order's status is its least advanced line's: a Backordered line keeps the order Backordered.
ORDER_STATUS_RANK: tuple[str, ...] = (
    "On hold", "New", "Backordered", "Verified", "Invoiced", "Shipped", "Delivered", "Returned", "Cancelled",
)

_LEDGERS: dict[str, Ledger] = {}
_LOCK = threading.Lock()


class NoLedger(LookupError):
    """There is no ledger for this workbook yet; the message says what to do."""


def ledger_url(workbook: Path, settings) -> str:
    """The ledger's URL without creating anything."""
    if settings.ledger_url:
        return settings.ledger_url
    db = data_dir_for(workbook, settings.data_dir) / "ledger.sqlite"
    if not db.is_file():
        raise NoLedger(f"no ledger yet for {workbook.name} (run Sync now or sheetclerk sync)")
    return f"sqlite:///{db}"


def open_ledger(workbook: Path, settings) -> Ledger:
    url = ledger_url(workbook, settings)
    with _LOCK:
        ledger = _LEDGERS.get(url)
        if ledger is None:
            ledger = _LEDGERS[url] = Ledger.open(url)
        return ledger


def _lines(ledger: Ledger, workbook: Path, order_key: str) -> list[tuple[int, str, str | None]]:
    t = schema.lines
    query = (
        select(t.c.row, t.c.status, t.c.invoice_no)
        .where(t.c.workbook == str(workbook.resolve()), t.c.order_key == order_key, t.c.present == true())
        .order_by(t.c.row)
    )
    with ledger.read() as conn:
        return [tuple(r) for r in conn.execute(query)]


def order_status(ledger: Ledger, workbook: Path, order_id: str, row: int | None = None) -> str | None:
    """The order's status (its least advanced line's), or with `row` that line's; None if the ledger has no such order."""
    lines = _lines(ledger, workbook, key(order_id) or "")
    if row is not None:
        lines = [line for line in lines if line[0] == row]
    if not lines:
        return None
    rank = {s: i for i, s in enumerate(ORDER_STATUS_RANK)}
    return min((line[1] for line in lines), key=lambda s: rank.get(s, -1))


def close_all() -> None:
    """Let go of every ledger opened for the functions (tests, add-in shutdown)."""
    with _LOCK:
        for ledger in _LEDGERS.values():
            ledger.close()
        _LEDGERS.clear()


def invoice_number(ledger: Ledger, workbook: Path, order_id: str) -> str | None:
    """The order's invoice number: the newest invoice the ledger issued, else the one its lines
    carry (history adopted from the sheet) — what sync writes into Invoice No. None when there is none."""
    from sync.documents.registry import issued_number

    with ledger.read() as conn:
        issued = issued_number(conn, "invoice", str(workbook.resolve()), order_id)
    if issued:
        return issued
    return next((number for _, _, number in _lines(ledger, workbook, key(order_id) or "") if number), None)
