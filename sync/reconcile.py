"""End-of-day reconciliation: a pass, a report, and the day's reviews closed.

Every pass already reconciles (book stock against the sheet, payments against
invoices, removed rows). The end-of-day run adds what needs a person: it lists
the day's stock counts and removed rows, then marks those flags as reviewed
(resolved in the ledger, history kept) and writes the workbook back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from sync.config import Settings, load_settings
from sync.ledger import Ledger, schema
from sync.ledger.state import drop_flag, load
from sync.pipeline import STICKY, PassResult, run_pass
from sync.writeback import WorkbookWriter


@dataclass
class StockLine:
    sku: str
    location: str
    book: int
    reserved: int

    @property
    def available(self) -> int:
        return self.book - self.reserved


@dataclass
class ReconcileReport:
    workbook: Path
    pass_result: PassResult
    reviewed: list[dict[str, object]] = field(default_factory=list)
    """Sticky flags (stock counts, removed rows) closed by this review."""
    stock: list[StockLine] = field(default_factory=list)
    open_by_code: dict[str, int] = field(default_factory=dict)
    chain_ok: bool = True
    chain_events: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "workbook": str(self.workbook),
            "pass": self.pass_result.as_json(),
            "reviewed": self.reviewed,
            "stock": [s.__dict__ | {"available": s.available} for s in self.stock],
            "open_flags_by_code": self.open_by_code,
            "ledger": {"events": self.chain_events, "chain_intact": self.chain_ok},
        }


def reconcile(
    path: Path | str, settings: Settings | None = None, *, ledger: Ledger | None = None, writer: WorkbookWriter | None = None,
    as_of: date | None = None,
) -> ReconcileReport:
    """The end-of-day pass: invoices judged overdue as of today (or `as_of`), sticky flags reviewed."""
    path = Path(path).resolve()
    settings = settings or load_settings(path)
    own = ledger is None
    ledger = ledger or Ledger.for_workbook(path, settings)
    try:
        first = run_pass(path, settings, ledger=ledger, writer=writer, as_of=as_of or date.today())
        workbook = str(path)
        reviewed = []
        with ledger.write(_last_pass_time(ledger, workbook)) as tx:
            state = load(tx.conn, workbook)
            for f in state.flags.values():
                if f.code in STICKY:
                    tx.event("flag_resolved", workbook, {"code": f.code, "column": f.column, "reviewed": True},
                             sheet=f.sheet, row=f.row, line_key=f.anchor)
                    drop_flag(tx.conn, workbook, f)
                    reviewed.append({"sheet": f.sheet, "row": f.row, "code": f.code, "message": f.message})
        # the ledger changed, the workbook did not: write it again, without these flags
        result = run_pass(path, settings, ledger=ledger, writer=writer, write_back=True) if reviewed else first
        report = ReconcileReport(path, result, reviewed)
        with ledger.read() as conn:
            state = load(conn, workbook)
            reserved: Counter[tuple[str, str]] = Counter()
            for sku_key, locations in state.reservations.values():
                for loc, q in locations.items():
                    reserved[(sku_key, loc)] += q
            report.stock = [
                StockLine(s.sku, s.location, s.book, reserved[(s.sku_key, s.location_key)])
                for s in sorted(state.stock.values(), key=lambda s: (s.sku_key, s.location_key))
            ]
            report.open_by_code = dict(sorted(Counter(f.code for f in state.flags.values()).items()))
        chain = ledger.verify()
        report.chain_ok, report.chain_events = chain.ok, chain.events
        return report
    finally:
        if own:
            ledger.close()


def _last_pass_time(ledger: Ledger, workbook: str) -> str:
    """The time stamp of the workbook's last pass (the review belongs to it)."""
    with ledger.read() as conn:
        at = conn.execute(select(schema.passes.c.at).where(schema.passes.c.workbook == workbook)).scalar()
    return at or "1970-01-01T00:00:00Z"
