"""One sync pass: workbook -> ledger -> results back into the workbook.

    read (once, from the bytes that were hashed)
      -> record rows in the ledger (seen / changed / removed), stock, stock moves, approvals
      -> validate with the rules, against the ledger's book stock and approvals
      -> reserve / release stock, record status changes and flags (raised / resolved)
      -> commit (one transaction: all of it or none of it)
      -> write back (only sheetclerk's cells, only if the file is still the one read)

A pass over a file that is exactly as the last pass left it (same SHA-256)
does nothing at all; any other file, even an older copy saved back over the
write-back, gets a full pass (which records nothing new if nothing is new). Killed at any point, a pass leaves the
ledger as before it started or as after it committed; running it again
converges on the same ledger and the same workbook.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import re
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol

from rules.cells import key
from rules.checks import Evaluation, evaluate
from rules.construct import replaced
from rules.documents import Document
from rules.flags import Code, Flag, Severity, flag
from rules.intake import DeskIntake
from rules.models import Desk, OrderLine
from rules.orders import AFTER_INVOICE, SETTLED
from rules.schema import INPUT_SHEETS, REVIEW, SheetSpec, flag_order
from rules.table import RawTable, TableHandler
from sync.config import Settings, load_settings
from sync.errors import CannotRun
from sync.documents.issuing import INVOICED_TERMS
from sync.documents.output import mark_written, renderer_for, write_documents
from sync.documents.registry import Issued
from sync.faults import crash_point
from sync.lifecycle.steps import carry_out
from sync.pass_memory import PassMemory
from sync.gc_pause import collector_paused
from sync.ledger import Ledger
from sync.ledger.state import (
    FlagState,
    LedgerState,
    LineState,
    PassState,
    PassSummary,
    StockState,
    add_approval,
    add_move,
    drop_fill,
    drop_flag,
    load,
    load_last_write,
    put_fill,
    put_flag,
    put_line,
    put_lines,
    put_pass,
    put_stock,
    set_reservations,
)
from sync.ledger.chain import canonical
from sync.live_writer import choose_writer
from sync.ledger.probe import last_write
from sync.ledger.store import SCHEMA_VERSION, Tx, data_dir_for, ledger_url_for
from sync.row_keys import _plain, desk_anchors, line_content, line_json, text_hash
from sync.writeback import CellWrite, WorkbookWriter, WriteOutcome, WriteStatus
from sync.writeplan import plan_writes, review_matches
from sync.xlsx_reader import read_bytes, read_workbook

#: Flags that are not re-derived from the sheet each pass: they stay open until
#: `sheetclerk reconcile` (the end-of-day review) resolves them.
STICKY = frozenset({Code.STOCK_MISMATCH.value, Code.ROW_REMOVED.value})

MAX_ATTEMPTS = 3

#: What the write's outcome makes of the pass (the daemon retries "locked" and "failed").
_PASS_STATUS: dict[WriteStatus, str] = {
    WriteStatus.WRITTEN: "synced",
    WriteStatus.UNCHANGED: "synced",
    WriteStatus.LOCKED: "locked",
    WriteStatus.UNREADABLE: "unreadable",
}


@dataclass
class PassResult:
    workbook: Path
    status: str
    """synced | unchanged | locked | unreadable | busy (changed under us on every attempt)."""
    sha256_after: str | None = None
    events: int = 0
    flags: tuple[FlagState, ...] = ()
    write: str = ""
    message: str = ""
    statuses: dict[str, int] = field(default_factory=dict)
    documents: tuple[str, ...] = ()
    """Numbers of the documents issued in this pass."""

    @property
    def retry(self) -> bool:
        """The write could not be made (e.g. disk full): the daemon should try again."""
        return self.status == "failed"

    @property
    def errors(self) -> int:
        return sum(1 for f in self.flags if f.severity == Severity.ERROR.value)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.flags if f.severity == Severity.WARNING.value)

    def as_json(self) -> dict[str, object]:
        return {
            "workbook": str(self.workbook),
            "status": self.status,
            "events": self.events,
            "write": self.write,
            "message": self.message,
            "sha256_after": self.sha256_after,
            "documents": list(self.documents),
            "flags": [
                {"sheet": f.sheet, "row": f.row, "column": f.column, "code": f.code, "severity": f.severity, "message": f.message}
                for f in self.flags
            ],
            "summary": {"errors": self.errors, "warnings": self.warnings, "by_status": dict(sorted(self.statuses.items()))},
        }


# --- the pass -------------------------------------------------------------------------


def run_pass(
    path: Path | str | WorkbookSource,
    settings: Settings | None = None,
    *,
    ledger: Ledger | None = None,
    writer: WorkbookWriter | None = None,
    write_back: bool = False,
    invoice: Collection[str] = (),
    render: Callable[[Document], bytes] | None = None,
    as_of: date | None = None,
    memory: PassMemory | None = None,
) -> PassResult:
    """Sync one workbook. Raises CannotRun only when the workbook or settings are unusable.

    `write_back=True` writes even when the file is exactly as the last pass left
    it: for when the ledger changed without the workbook (the end-of-day review).
    `path` may also be a `WorkbookSource` (a Google Sheet: `sync.google.GoogleSheet`).
    `invoice` names orders to invoice in this pass as if their Action said so (the
    `documents` command); `render` turns a document into PDF bytes (default: the
    layouts in templates/). `as_of` is the day invoices are judged overdue on, when
    later than the save (the end-of-day `reconcile` passes today); it forces a full pass.
    `memory` is what a long-running caller keeps of this workbook's last pass (`sync.pass_memory`):
    the pass then reads only rows that changed since, and updates it.
    """
    source = FileSource(Path(path).resolve()) if isinstance(path, (str, Path)) else path
    path = source.path
    # no cyclic collection during the pass: in a daemon holding a large `memory`, even the probe's
    # few allocations could set off a walk of everything it remembers
    with collector_paused():
        settings = settings or load_settings(path)
        docs = DocumentDesk(
            render or renderer_for(settings), data_dir_for(path, settings.data_dir), frozenset(k for o in invoice if (k := key(o))),
            as_of,
        )
        if ledger is None and not write_back and not docs.forced and (quick := _unchanged_by_probe(source, settings)):
            return quick
        own_ledger = ledger is None
        ledger = ledger or Ledger.for_workbook(path, settings)
        try:
            for _ in range(MAX_ATTEMPTS):
                result = _attempt(source, settings, ledger, writer or source.default_writer(), write_back, docs, memory)
                if result is not None:
                    return result
            return PassResult(path, "busy", message="The workbook kept changing while sheetclerk wrote; trying again later.")
        finally:
            if own_ledger:
                ledger.close()


def _unchanged_by_probe(source: WorkbookSource, settings: Settings) -> PassResult | None:
    """A file exactly as the last pass left it, answered from one ledger row read while it is
    hashed (`sync.ledger.probe`); None means: open the ledger and run the pass."""
    if not isinstance(source, FileSource):
        return None
    last = last_write(settings.ledger_url or ledger_url_for(source.path, settings.data_dir), source.name, SCHEMA_VERSION)
    if last is None or last.sha is None or last.summary_json is None:
        return None
    ready = _nothing_new(source.path, last.sha, PassSummary.from_json(last.summary_json))
    return ready if source.peek() == last.sha else None


def _attempt(
    source: WorkbookSource, settings: Settings, ledger: Ledger, writer: WorkbookWriter, write_back: bool, docs: DocumentDesk,
    memory: PassMemory | None,
) -> PassResult | None:
    path = source.path
    workbook = source.name
    with ledger.read() as conn:
        # While the file's first fingerprint is still being taken (FileSource), look up the last
        # write and get its answer ready: if the hash matches, the pass is over the moment it ends.
        last = None if write_back or docs.forced else load_last_write(conn, workbook)
        ready = _nothing_new(path, last.sha, last.summary(conn, workbook)) if last and last.summary_json else None
        sha = source.fingerprint()
        if last is not None and sha == last.sha:  # as the last pass left it: report what that pass stored
            return ready or _nothing_new(path, sha, last.summary(conn, workbook))

    intake = DeskIntake(settings.policy().day_first, memory.readings if memory is not None else None)
    at = source.modified_at()
    specs = (*INPUT_SHEETS, REVIEW)
    if source.reads_locally:
        # The ledger's state loads, and the writer opens the package it will edit, while the
        # Orders sheet loads (on the other core): the transaction starts before the read,
        # which is local and takes a second or so.
        with ledger.write(at) as tx:
            loaded: list[LedgerState] = []

            def meanwhile() -> None:
                loaded.append(load(tx.conn, workbook))
                prepare = getattr(writer, "prepare", None)  # a file writer opens what it will write into
                if prepare is not None:
                    prepare(source.data, sha, [spec.name for spec in specs])

            tables = source.read(specs, intake.add, meanwhile)
            recorded = _record_read(tx, loaded[0] if loaded else load(tx.conn, workbook), intake, tables,
                                    source, settings, sha, at, write_back, docs, memory)
    else:  # a remote read may wait out rate limits: the ledger is not held meanwhile
        tables = source.read(specs, intake.add)
        with ledger.write(at) as tx:
            recorded = _record_read(tx, load(tx.conn, workbook), intake, tables, source, settings, sha, at, write_back, docs,
                                    memory)
    if isinstance(recorded, PassResult):
        return recorded
    outcome, events = recorded
    crash_point("after_commit")
    files = write_documents(ledger, docs.data_dir, docs.render, outcome.documents)
    crash_point("after_documents")

    writes = plan_writes(
        outcome.desk, outcome.evaluation, outcome.open_flags, outcome.state, outcome.anchors, outcome.applied_moves, tables,
        outcome.cells,
    )
    review = writes.review  # the rows the Review sheet should hold, for the sidecar either way
    if review is not None and review_matches(tables.get(REVIEW.name), review):
        writes = replace(writes, review=None)  # the Review sheet already says exactly this
    written = writer.write(source.target, writes, sha)
    if source.sidecar and review is not None:
        _write_sidecar(path, review, changed=writes.review is not None)
    crash_point("after_write")
    if written.status is WriteStatus.CHANGED_SINCE_READ:
        return None
    with ledger.write(at) as tx:
        _after_write(tx, workbook, written, outcome)
        mark_written(tx.conn, files)
        done = written.status in (WriteStatus.WRITTEN, WriteStatus.UNCHANGED)
        # a later no-change pass reports exactly what this one does: every row's status, the open flags
        statuses = dict(Counter(outcome.evaluation.statuses.values()))
        summary = PassSummary(tuple(outcome.open_flags.values()), statuses)
        put_pass(tx.conn, workbook, PassState(sha, written.sha256 if done else None, not done, at, written.status.value),
                 summary if done else None)
    crash_point("after_bookkeeping")
    status = _PASS_STATUS.get(written.status, "failed")
    return PassResult(
        path,
        status,
        sha256_after=written.sha256,
        events=events,
        flags=tuple(sorted(outcome.open_flags.values(), key=_flag_order)),
        write=written.status.value,
        message=written.message,
        statuses=dict(statuses),
        documents=tuple(d.number for d in outcome.documents),
    )


def _record_read(
    tx: Tx, state: LedgerState, intake: DeskIntake, tables: dict[str, RawTable], source: WorkbookSource,
    settings: Settings, sha: str, at: str, write_back: bool, docs: DocumentDesk, memory: PassMemory | None,
) -> tuple[Recorded, int] | PassResult:
    """Inside the pass's transaction: the desk read, recorded against the ledger's state.

    A PassResult when another daemon already finished this version meanwhile.
    """
    desk, intake_flags = intake.desk(tables)
    if memory is not None:
        memory.readings = intake.readings
    who = source.modified_by() or settings.user or _os_user()
    crash_point("after_read")
    if not write_back and not docs.forced and sha == state.last_pass.written_sha:
        return _unchanged(source.path, sha, state)
    outcome = _record(tx, state, desk, intake_flags, settings, who, docs, memory)
    put_pass(tx.conn, source.name, PassState(sha, state.last_pass.written_sha, True, at, "recorded"))
    events = tx.appended
    crash_point("before_commit")
    return outcome, events


# --- recording ------------------------------------------------------------------------


@dataclass
class Recorded:
    desk: Desk
    evaluation: Evaluation
    state: LedgerState
    open_flags: dict[tuple[str, str, str, str], FlagState]
    anchors: dict[str, dict[int, str]]
    """sheet -> row -> anchor."""
    applied_moves: set[int]
    """Stock Moves rows applied to the book (now or earlier)."""
    documents: list[Issued] = field(default_factory=list)
    """Documents issued in this pass (their PDFs are written after the commit)."""
    cells: dict[str, list[CellWrite]] = field(default_factory=dict)
    """Cells the lifecycle steps write (Tracking No, Returns Status, an exchange's new Orders row)."""


@dataclass(frozen=True)
class DocumentDesk:
    """What a pass needs to issue documents: how to render, where files go, what the command line asked for."""

    render: Callable[[Document], bytes]
    data_dir: Path
    requested: frozenset[str] = frozenset()
    as_of: date | None = None

    @property
    def forced(self) -> bool:
        """The command line asked for something: run the whole pass even if the file did not change."""
        return bool(self.requested) or self.as_of is not None


def _record(
    tx: Tx, state: LedgerState, desk: Desk, intake_flags: tuple[Flag, ...], settings: Settings, who: str, docs: DocumentDesk,
    memory: PassMemory | None = None,
) -> Recorded:
    sheet_anchors = desk_anchors(desk, memory.anchors if memory is not None else None)
    extra: list[Flag] = []
    recorded = _record_lines(tx, state, desk, sheet_anchors["Orders"], memory)
    extra += _record_stock(tx, state, desk, sheet_anchors["Inventory"])
    applied, move_flags = _record_moves(tx, state, desk, sheet_anchors["Stock Moves"], intake_flags)
    extra += move_flags
    _record_approvals(tx, state, desk, who)
    crash_point("mid_record")

    policy = settings.policy().model_copy(update={"approved_orders": frozenset(state.approvals)})
    ledger_desk = _as_ledger_sees_it(desk, state, recorded.in_ledger)
    evaluation = evaluate(ledger_desk, policy, intake_flags)
    _record_reservations(tx, state, ledger_desk, evaluation, sheet_anchors["Orders"])
    _record_statuses(tx, state, ledger_desk, evaluation, recorded.in_ledger)
    acted = carry_out(tx, state, ledger_desk, evaluation, settings, sheet_anchors["Orders"], docs)
    if acted.statuses:
        evaluation = replace(evaluation, statuses={**evaluation.statuses, **acted.statuses})
    extra += acted.flags
    extra += _changed_after_invoice(tx, state, desk, recorded.in_ledger, recorded.new_keys)
    open_flags = _record_flags(tx, state, [*evaluation.flags, *extra], recorded.removed, sheet_anchors)
    return Recorded(ledger_desk, evaluation, state, open_flags, sheet_anchors, applied, acted.documents, acted.cells)


@dataclass
class _LinesRecorded:
    """What recording the Orders lines leaves for the rest of the pass."""

    removed: list[FlagState]
    """A flag for each line just removed from the sheet."""
    new_keys: set[str]
    """Keys of the lines first seen in this pass."""
    in_ledger: list[LineState | None]
    """The ledger's line for each of `desk.lines`, in sheet order (None: the row has no key).
    The later steps walk this instead of looking each line's key and ledger line up again."""


def _record_lines(
    tx: Tx, state: LedgerState, desk: Desk, line_keys: dict[int, str], memory: PassMemory | None = None
) -> _LinesRecorded:
    """Record new, changed, restored and removed lines.

    A line is unchanged when its text is the ledger's `content`: that is the text whose hash is
    `content_hash` (both are written together from the same spelling), so the hash is worked out
    only for lines whose text differs, and compared as before. With a `memory`, a line object
    the last pass spelled already (an unchanged row) is not spelled again.
    """
    known = memory.spellings if memory is not None else {}  # id(line) -> (that line, its spelling)
    spellings: dict[int, tuple[OrderLine, str]] = {}
    inserts: list[LineState] = []
    wb = state.workbook
    lines = state.lines
    present: set[str] = set()
    new_keys: set[str] = set()
    in_ledger: list[LineState | None] = []
    for line in desk.lines:
        k = line_keys.get(line.row)
        if k is None:
            in_ledger.append(None)
            continue
        present.add(k)
        hit = known.get(id(line))
        spelled = hit[1] if hit is not None and hit[0] is line else line_json(line)  # = _json(line_content(line))
        if memory is not None:
            spellings[id(line)] = (line, spelled)
        old = lines.get(k)
        if old is None:
            old = _line_seen(tx, wb, line, k, spelled)
            inserts.append(old)
            lines[k] = old
            new_keys.add(k)
        elif not old.present or (spelled != old.content and text_hash(spelled) != old.content_hash):
            content = line_content(line)
            tx.event("line_changed" if old.present else "line_restored", wb, {"before": json.loads(old.content), "after": content},
                     **_where(line, k))
            old.content_hash, old.content, old.row, old.present = text_hash(spelled), spelled, line.row, True
            put_line(tx.conn, wb, old, new=False)
        elif old.row != line.row:
            old.row = line.row  # moved by a sort or an inserted row: not an event
            put_line(tx.conn, wb, old, new=False)
        in_ledger.append(old)
    put_lines(tx.conn, wb, inserts, new=True)
    if memory is not None:
        memory.spellings = spellings
    removed = []
    for k, old in lines.items():
        if old.present and k not in present:
            tx.event("line_removed", wb, {"status": old.status}, sheet="Orders", row=old.row, order_id=old.order_id, line_key=k)
            old.present = False
            put_line(tx.conn, wb, old, new=False)
            removed.append(
                FlagState(
                    "Orders", k, "", Code.ROW_REMOVED.value, None, Severity.WARNING.value,
                    f"Order {old.order_id}: the line that was on row {old.row} (status {old.status}) was removed from "
                    "the sheet; the ledger keeps it. Put it back, or confirm it at the end-of-day reconcile.",
                    tx.at,
                )
            )
    return _LinesRecorded(removed, new_keys, in_ledger)


def _line_seen(tx: Tx, wb: str, line: OrderLine, k: str, spelled: str) -> LineState:
    """Record a line the ledger has not seen: its event, and its state (inserted by the caller)."""
    content = line_content(line)
    # A workbook kept before sheetclerk has history: a line first seen already
    # invoiced, shipped or closed is adopted with its status and invoice number.
    adopted = line.status in SETTLED
    status, invoice_no = (line.status, line.invoice_no) if adopted else ("New", None)
    data = {**content, "status": status, "invoice_no": invoice_no} if adopted else content
    tx.event("line_adopted" if adopted else "line_seen", wb, data, **_where(line, k))
    invoiced = _json({attr: getattr(line, attr) for _, attr in INVOICED_TERMS}) if adopted else None
    return LineState(
        k, line.order_key or "", line.order_id or "", line.row, text_hash(spelled), spelled, status, invoice_no, True, invoiced
    )


def _where(line: OrderLine, k: str) -> dict[str, Any]:
    """Where an Orders line's event happened."""
    return {"sheet": "Orders", "row": line.row, "order_id": line.order_id, "line_key": k}


def _record_stock(tx: Tx, state: LedgerState, desk: Desk, rows: dict[int, str]) -> list[Flag]:
    """Opening balances the first time a SKU and location is seen; afterwards a hand edit is a count."""
    wb, out = state.workbook, []
    for level in desk.stock:
        anchor = rows.get(level.row)
        if anchor is None or not anchor.endswith("|1") or level.on_hand is None or level.on_hand < 0:
            continue
        sk, lk = key(level.sku), key(level.location)
        where = {"sheet": "Inventory", "row": level.row}
        st = state.stock.get((sk, lk))
        if st is None:
            tx.event("stock_opened", wb, {"sku": level.sku, "location": level.location, "on_hand": level.on_hand}, **where)
            st = StockState(sk, lk, level.sku, level.location, level.on_hand, level.on_hand)
            put_stock(tx.conn, wb, st, new=True)
            state.stock[(sk, lk)] = st
            continue
        if level.on_hand != st.sheet_seen and level.on_hand != st.book:
            tx.event("stock_counted", wb, {"sku": st.sku, "location": st.location, "book": st.book, "counted": level.on_hand}, **where)
            out.append(
                flag(
                    "Inventory", level.row, "On Hand", Code.STOCK_MISMATCH,
                    f"On Hand was changed by hand from {st.book} to {level.on_hand}; recorded as a stock count "
                    "(goods in and out are entered on Stock Moves). A manager should confirm it.",
                )
            )
            st.book = level.on_hand
        st.sheet_seen = level.on_hand
        put_stock(tx.conn, wb, st, new=False)
    return out


def _record_moves(
    tx: Tx, state: LedgerState, desk: Desk, rows: dict[int, str], intake_flags: tuple[Flag, ...]
) -> tuple[set[int], list[Flag]]:
    """Apply each Stock Moves row to the book exactly once (keyed by its content), in date order.

    A removal that would take stock below zero waits; rounds repeat until no
    more moves fit, so a removal dated before a receipt listed later still goes
    through in this pass (the same pass again would find nothing left to do).
    """
    bad_rows = {f.row for f in intake_flags if f.sheet == "Stock Moves" and f.severity is Severity.ERROR}
    applied: set[int] = set()
    waiting = []
    for move in sorted(desk.stock_moves, key=lambda m: (m.day or date.max, m.row)):
        mk = rows.get(move.row)
        if mk is None:
            continue
        if mk in state.moves:
            applied.add(move.row)
        elif move.row not in bad_rows and None not in (move.day, move.quantity) and move.quantity:
            if (key(move.sku), key(move.location)) in state.stock:  # else the rules flag the SKU or location
                waiting.append((move, mk))
    progress = True
    while waiting and progress:
        progress, still = False, []
        for move, mk in waiting:
            st = state.stock[(key(move.sku), key(move.location))]
            if st.book + move.quantity < 0:
                still.append((move, mk))
                continue
            _apply_move(tx, state, st, move, mk)
            applied.add(move.row)
            progress = True
        waiting = still
    out = [
        flag(
            "Stock Moves", move.row, "Quantity", Code.INVALID_QUANTITY,
            f"Quantity {move.quantity} would take {st.sku} at {st.location} below zero "
            f"(book stock {st.book}); not applied.",
        )
        for move, _ in waiting
        for st in (state.stock[(key(move.sku), key(move.location))],)
    ]
    return applied, out


def _apply_move(tx: Tx, state: LedgerState, st: StockState, move, move_key: str) -> None:
    wb = state.workbook
    seq = tx.event(
        "stock_moved", wb,
        {"sku": st.sku, "location": st.location, "quantity": move.quantity, "reason": move.reason,
         "reference": move.reference, "date": move.day, "book_before": st.book},
        sheet="Stock Moves", row=move.row,
    )
    st.book += move.quantity
    put_stock(tx.conn, wb, st, new=False)
    add_move(tx.conn, wb, move_key, seq)
    state.moves.add(move_key)


def _record_approvals(tx: Tx, state: LedgerState, desk: Desk, who: str) -> None:
    wb = state.workbook
    for line in desk.lines:
        if line.action != "Approve" or line.order_key is None or line.order_key in state.approvals:
            continue
        tx.event("approved", wb, {"by": who}, sheet="Orders", row=line.row, order_id=line.order_id)
        add_approval(tx.conn, wb, line.order_key, who, tx.at)
        state.approvals[line.order_key] = (who, tx.at)


def _as_ledger_sees_it(desk: Desk, state: LedgerState, in_ledger: list[LineState | None]) -> Desk:
    """The desk with statuses and shipped quantities from the ledger (not from the sheet's Status
    cells) and book stock as On Hand. An invoiced line keeps its status, Backordered included."""
    lines = []
    for line, old in zip(desk.lines, in_ledger):
        if old is None:
            status, shipped = None, 0
        else:
            after_invoice = old.status in SETTLED or (old.status in AFTER_INVOICE and (old.invoice_no or old.shipped))
            status, shipped = (old.status if after_invoice else None), old.shipped
        if line.status != status or line.shipped != shipped:
            line = replaced(line, status=status, shipped=shipped)
        lines.append(line)
    stock = []
    for level in desk.stock:
        st = state.stock.get((key(level.sku), key(level.location)))
        stock.append(level if st is None or st.book == level.on_hand else replaced(level, on_hand=st.book))
    return replaced(desk, lines=tuple(lines), stock=tuple(stock))


def _record_reservations(tx: Tx, state: LedgerState, desk: Desk, evaluation: Evaluation, line_keys: dict[int, str]) -> None:
    wb = state.workbook
    wanted: dict[str, tuple[str, dict[str, int]]] = {}
    for r in evaluation.reservations:
        k = line_keys.get(r.row)
        if k is None or not r.reserved:
            continue
        wanted[k] = (r.sku_key, {key(loc): q for loc, q in r.by_location})
    for k in sorted(set(wanted) | set(state.reservations)):
        new = wanted.get(k, ("", {}))
        old = state.reservations.get(k, ("", {}))[1]
        if new[1] == old:
            continue
        line_state = state.lines.get(k)
        where = {"sheet": "Orders", "row": line_state.row if line_state else None,
                 "order_id": line_state.order_id if line_state else None, "line_key": k}
        if old:
            tx.event("released", wb, {"locations": old}, **where)
        if new[1]:
            tx.event("reserved", wb, {"sku": new[0], "locations": new[1]}, **where)
        set_reservations(tx.conn, wb, k, new[0], new[1])
        if new[1]:
            state.reservations[k] = (new[0], new[1])
        else:
            state.reservations.pop(k, None)
    _assert_never_oversold(state)


def _assert_never_oversold(state: LedgerState) -> None:
    """Available never goes negative: a pass that would oversell rolls back instead."""
    reserved: Counter[tuple[str, str]] = Counter()
    for sku_key, locations in state.reservations.values():
        for location_key, quantity in locations.items():
            reserved[(sku_key, location_key)] += quantity
    for pair, quantity in reserved.items():
        st = state.stock.get(pair)
        if st is None or quantity > st.book:
            raise AssertionError(f"reservations of {quantity} exceed the book stock of {pair}: not committed")


def _record_statuses(tx: Tx, state: LedgerState, desk: Desk, evaluation: Evaluation, in_ledger: list[LineState | None]) -> None:
    wb = state.workbook
    statuses = evaluation.statuses
    changed: list[LineState] = []
    for line, old in zip(desk.lines, in_ledger):
        if old is None:
            continue
        new = statuses.get(line.row)
        if new is None or old.status == new:
            continue
        tx.event("status_changed", wb, {"from": old.status, "to": new}, **_where(line, old.line_key))
        old.status = new
        changed.append(old)
    put_lines(tx.conn, wb, changed, new=False)


#: The invoiced terms' attributes in the order their stored JSON spells them (sorted), and a getter for them.
_TERMS_SPELLED = tuple(sorted(attr for _, attr in INVOICED_TERMS))
assert _TERMS_SPELLED == ("discount", "quantity", "sku", "unit_price"), "_spelled_terms unpacks them in this order"
_terms_of = attrgetter(*_TERMS_SPELLED)


def _changed_after_invoice(
    tx: Tx, state: LedgerState, desk: Desk, in_ledger: list[LineState | None], new_keys: set[str]
) -> list[Flag]:
    """Invoiced lines must keep their terms, and invoiced orders gain no lines; the invoice is never silently altered.

    Every pass compares every invoiced line, so the usual case (as invoiced) is decided without building
    JSON: the line's terms as the JSON would spell them (Decimals as text) against the stored terms, parsed
    once per distinct text (at 100k lines ~14k texts for ~94k invoiced lines). Equal values are what the
    per-term comparison below would find equal too, so the flags are the same.
    """
    # only a new line can be added to a settled order: no new line, no need to know them
    settled_orders = {s.order_key for s in state.lines.values() if s.status in SETTLED} if new_keys else set()
    out = []
    parsed: dict[str, tuple] = {}  # stored terms JSON -> its values in _TERMS_SPELLED order
    for line, ledger_line in zip(desk.lines, in_ledger):
        if ledger_line is None:
            continue
        if ledger_line.status not in SETTLED:
            if ledger_line.line_key in new_keys and ledger_line.order_key in settled_orders:
                out.append(flag("Orders", line.row, "Order ID", Code.CHANGED_AFTER_INVOICE,
                                f"Order {line.order_id} is already invoiced; a new line cannot be added to it. "
                                "Enter it as a new order, or have a manager cancel or credit the invoice."))
            continue
        invoiced = ledger_line.invoiced
        if invoiced is None:  # first pass that sees it invoiced: these are the invoiced terms
            ledger_line.invoiced = _json({attr: getattr(line, attr) for _, attr in INVOICED_TERMS})
            put_line(tx.conn, state.workbook, ledger_line, new=False)
            continue
        stored = parsed.get(invoiced)
        if stored is None:
            as_json = json.loads(invoiced)
            stored = parsed[invoiced] = tuple(as_json.get(attr) for attr in _TERMS_SPELLED)
        if _spelled_terms(line) != stored:
            out += _terms_changed(line, ledger_line)
    return out


def _spelled_terms(line: OrderLine) -> tuple:
    """The line's terms in `_TERMS_SPELLED` order as JSON spells them (Decimals as text); the
    usual types (as intake reads them) without a call per term."""
    discount, quantity, sku, price = _terms_of(line)
    if type(discount) is Decimal and type(quantity) is int and type(sku) is str and (price is None or type(price) is Decimal):
        return (str(discount), quantity, sku, None if price is None else str(price))
    return tuple(map(_plain, (discount, quantity, sku, price)))


def _terms_changed(line: OrderLine, ledger_line: LineState) -> list[Flag]:
    """A flag for each term of an invoiced line that is not as invoiced."""
    out = []
    terms = {attr: getattr(line, attr) for _, attr in INVOICED_TERMS}
    invoiced = json.loads(ledger_line.invoiced or "{}")
    for header, attr in INVOICED_TERMS:
        now = json.loads(_json(terms[attr]))
        if now != invoiced.get(attr):
            out.append(flag("Orders", line.row, header, Code.CHANGED_AFTER_INVOICE,
                            f"{header} was {invoiced.get(attr)} on invoice {ledger_line.invoice_no or ''} and is now {now}; "
                            "an invoiced line cannot change. Put it back, or have a manager cancel or credit the invoice."))
    return out


def _record_flags(
    tx: Tx, state: LedgerState, flags: list[Flag], removed: list[FlagState], sheet_anchors: dict[str, dict[int, str]]
) -> dict[tuple[str, str, str, str], FlagState]:
    """Raise new flags, resolve fixed ones (history stays in events), keep sticky ones."""
    wb = state.workbook
    current: dict[tuple[str, str, str, str], FlagState] = {}
    for f in flags:
        anchor = sheet_anchors.get(f.sheet, {}).get(f.row or 0) or f"row:{f.row}"
        fs = FlagState(f.sheet, anchor, f.column, f.code.value, f.row, f.severity.value, f.message, tx.at)
        current.setdefault(fs.pk, fs)
    for fs in removed:
        current.setdefault(fs.pk, fs)
    for pk, old in state.flags.items():
        if old.code in STICKY and pk not in current:
            present_again = old.code == Code.ROW_REMOVED.value and state.lines.get(old.anchor) is not None and state.lines[old.anchor].present
            if not present_again:
                current[pk] = old
    for pk, fs in current.items():
        old = state.flags.get(pk)
        if old is None:
            tx.event("flag_raised", wb, {"code": fs.code, "column": fs.column, "severity": fs.severity, "message": fs.message},
                     sheet=fs.sheet, row=fs.row, line_key=fs.anchor)
            put_flag(tx.conn, wb, fs, new=True)
        else:
            fs.since = old.since
            if (old.row, old.severity, old.message) != (fs.row, fs.severity, fs.message):
                put_flag(tx.conn, wb, fs, new=False)
    for pk, old in state.flags.items():
        if pk not in current:
            tx.event("flag_resolved", wb, {"code": old.code, "column": old.column}, sheet=old.sheet, row=old.row, line_key=old.anchor)
            drop_flag(tx.conn, wb, old)
    state.flags = current
    return current


def _after_write(tx: Tx, workbook: str, written: WriteOutcome, outcome: Recorded) -> None:
    """Bookkeeping once the workbook shows the pass: fills to remember, On Hand as written.

    If the process died between the write and this, the next pass finds the
    cells already coloured (the writer reports no original for those): they are
    remembered as having had no fill of their own, and On Hand as written.
    """
    if written.status not in (WriteStatus.WRITTEN, WriteStatus.UNCHANGED):
        return
    state = outcome.state
    coloured = {(f.sheet, f.anchor, f.column) for f in outcome.open_flags.values() if f.column and f.row}
    for (sheet, row, column), original in written.original_fills.items():
        anchor = outcome.anchors.get(sheet, {}).get(row) or f"row:{row}"
        put_fill(tx.conn, workbook, (sheet, anchor, column), original)
        state.fills[(sheet, anchor, column)] = original
    for cell in sorted(coloured - set(state.fills)):
        put_fill(tx.conn, workbook, cell, None)
    for cell in sorted(set(state.fills) - coloured):
        drop_fill(tx.conn, workbook, cell)
    for st in state.stock.values():
        if st.sheet_seen != st.book:
            st.sheet_seen = st.book
            put_stock(tx.conn, workbook, st, new=False)


def _write_sidecar(path: Path, review: tuple[tuple, ...], changed: bool) -> None:
    """Refresh `<name>.review.xlsx` when the Review changed (or the sidecar is missing)."""
    try:
        from sync.xlsx_writer import write_review_sidecar

        if changed or not path.with_name(f"{path.stem}.review.xlsx").exists():
            write_review_sidecar(path, review)
    except Exception:  # noqa: BLE001 - the sidecar is a convenience; the pass has already succeeded
        pass


# --- where the workbook comes from --------------------------------------------------------


class WorkbookSource(Protocol):
    """A workbook a pass reads: a file (`FileSource`) or a Google Sheet (`sync.google.GoogleSheet`)."""

    path: Path
    """Where its settings, ledger folder and results are found (for a file: the file)."""
    name: str
    """How the ledger identifies it: str(path) for a file, `gsheet:<key>` for a Google Sheet."""
    target: Any
    """What `WorkbookWriter.write` is given."""
    sidecar: bool
    """Keep a `<name>.review.xlsx` beside it."""

    def fingerprint(self) -> str:
        """What identifies this version (the file's SHA-256; the Drive version). Cheap; taken before `read`."""
        ...

    reads_locally: bool
    """`read` takes about as long as the local disk and the CPU take (a file), not a remote service.
    Such a source also has `data`: the bytes fingerprinted, which its writer may open ahead."""

    def read(
        self, specs: tuple[SheetSpec, ...], as_read: TableHandler | None = None, meanwhile: Callable[[], None] | None = None
    ) -> dict[str, RawTable]:
        """The tables of the version fingerprinted (raises WorkbookUnreadable with a plain message).

        A source may hand each table to `as_read` as soon as it has it, and call
        `meanwhile` once while its biggest table is still loading (the pass reads what
        it has and loads the ledger then); tables it does not hand over are read after,
        and `meanwhile` work it did not call for is done after.
        """
        ...

    def modified_at(self) -> str: ...

    def modified_by(self) -> str | None: ...

    def default_writer(self) -> WorkbookWriter: ...


class FileSource:
    """An .xlsx/.xlsm file: fingerprinted by the SHA-256 of exactly the bytes that are then read.

    The first fingerprint starts in a thread as soon as the source is made: reading
    and hashing release the GIL, so they overlap with loading the settings and
    opening the ledger, and a pass that finds nothing new costs little more than
    the hash itself. Later fingerprints (a retry) read the file again.
    """

    sidecar = True
    reads_locally = True

    def __init__(self, path: Path) -> None:
        self.path = self.target = path
        self.name = str(path)
        self._data = b""
        self._first: _Hashing | None = _Hashing(path)

    @property
    def data(self) -> bytes:
        """The bytes fingerprinted last (what `read` reads)."""
        return self._data

    def peek(self) -> str:
        """The first fingerprint, without using it up: `fingerprint()` still returns it next."""
        if self._first is None:
            return self.fingerprint()
        return self._first.result()[1]

    def fingerprint(self) -> str:
        first, self._first = self._first, None
        self._data, digest = first.result() if first is not None else _hashed(self.path)
        return digest

    def read(
        self, specs: tuple[SheetSpec, ...], as_read: TableHandler | None = None, meanwhile: Callable[[], None] | None = None
    ) -> dict[str, RawTable]:
        return read_workbook(self.path, specs, data=self._data, as_read=as_read, meanwhile=meanwhile)

    def modified_at(self) -> str:
        return _file_time(self.path)

    def modified_by(self) -> str | None:
        return _last_modified_by(self._data)

    def default_writer(self) -> WorkbookWriter:
        return choose_writer(self.path)


def _hashed(path: Path) -> tuple[bytes, str]:
    data = read_bytes(path)
    return data, hashlib.sha256(data).hexdigest()


class _Hashing(threading.Thread):
    """`_hashed(path)` in a thread, started at once; `result()` waits and raises what it raised."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="sheetclerk-fingerprint", daemon=True)
        self._path = path
        self._out: tuple[bytes, str] | None = None
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._out = _hashed(self._path)
        except BaseException as e:  # noqa: BLE001 - handed to the caller of result()
            self._error = e

    def result(self) -> tuple[bytes, str]:
        self.join()
        if self._error is not None:
            raise self._error
        assert self._out is not None
        return self._out


# --- small helpers --------------------------------------------------------------------


def _unchanged(path: Path, sha: str, state: LedgerState) -> PassResult:
    """Nothing new: report what the ledger already holds, write nothing."""
    statuses = Counter(s.status for s in state.lines.values() if s.present)
    return _nothing_new(path, sha, PassSummary(tuple(state.flags.values()), dict(statuses)))


def _nothing_new(path: Path, sha: str, summary: PassSummary) -> PassResult:
    """The result of a pass that writes nothing: the open flags and the statuses of the lines present."""
    return PassResult(
        path,
        "unchanged",
        sha256_after=sha,
        flags=tuple(sorted(summary.flags, key=_flag_order)),
        message="No change since the last pass.",
        statuses=dict(summary.statuses),
    )


def _flag_order(f: FlagState) -> tuple:
    return flag_order(f.sheet, f.row, f.column, f.code)


def _json(value: object) -> str:
    return canonical(value)


def _file_time(path: Path) -> str:
    """The pass's time stamp: when the workbook was saved, so a re-run stamps the same time."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_LAST_MODIFIED_BY = re.compile(rb"<cp:lastModifiedBy>([^<]*)</cp:lastModifiedBy>")


def _last_modified_by(data: bytes) -> str | None:
    """Who saved the workbook last, as Excel records it in docProps/core.xml."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            m = _LAST_MODIFIED_BY.search(z.read("docProps/core.xml"))
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    return m.group(1).decode("utf-8", "replace").strip() or None if m else None


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "unknown"


__all__ = ["PassResult", "run_pass", "CannotRun"]
