"""What the ribbon buttons do, over a workbook reached through the reader/writer interface.

A button acts on an `OpenDesk`: the workbook as the person sees it (its
tables), a `WorkbookWriter` for it, and a way to make the file on disk show
what they see. `LiveDesk` is a workbook open in Excel (through `LiveBook`, so
nothing waits for the file to be closed); `FileDesk` is an `.xlsx` on disk,
which is how the tests drive every button against real files. Each button
returns an `Outcome` (a title and a sentence for the message box); expected
problems are outcomes, and `addin.ribbon` turns anything else into one too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rules.cells import key
from rules.flags import check_text
from rules.schema import INPUT_SHEETS, ORDERS, REVIEW
from rules.table import NumberedRows, RawTable
from sync.check import check_tables
from sync.config import Settings, load_settings
from sync.ledger.store import data_dir_for
from sync.live_writer import LiveBook, LiveWriter
from sync.pipeline import PassResult, run_pass
from sync.writeback import CellWrite, SheetWrites, WorkbookWrites, WorkbookWriter, WriteStatus
from sync.xlsx_reader import read_bytes, read_workbook
from sync.xlsx_writer import XlsxWriter

TITLE = "sheetclerk"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    title: str = TITLE
    open_path: Path | None = None
    """A file or folder the Excel layer should open for the person (Review sidecar, documents)."""
    show_sheet: str | None = None
    """A sheet the Excel layer should bring to the front."""


class OpenDesk(Protocol):
    """The workbook a button acts on."""

    path: Path

    def tables(self) -> dict[str, RawTable]:
        """Its sheets as the person sees them now (raises `WorkbookUnreadable` when a required one is missing)."""
        ...

    def writer(self) -> WorkbookWriter: ...

    def expected_sha256(self) -> str:
        """What the writer must find on disk (the live writer ignores it)."""
        ...

    def save(self) -> None:
        """Make the file on disk show what the person sees, so a sync pass reads exactly that."""
        ...


class FileDesk:
    """A workbook file on disk: read with the `.xlsx` reader, written with the `.xlsx` writer."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).resolve()

    def tables(self) -> dict[str, RawTable]:
        return read_workbook(self.path, (*INPUT_SHEETS, REVIEW))

    def writer(self) -> WorkbookWriter:
        return XlsxWriter()

    def expected_sha256(self) -> str:
        return hashlib.sha256(read_bytes(self.path)).hexdigest()

    def save(self) -> None:
        """The file is what there is to see."""


class LiveDesk:
    """A workbook open in Excel: read and written through a `LiveBook`, saved by Excel."""

    def __init__(self, book: LiveBook, path: Path | str) -> None:
        self.book = book
        self.path = Path(path)

    def tables(self) -> dict[str, RawTable]:
        from sync.errors import WorkbookUnreadable

        names = self.book.sheet_names()
        tables: dict[str, RawTable] = {}
        missing: list[str] = []
        for spec in (*INPUT_SHEETS, REVIEW):
            actual = next((n for n in names if n.strip().casefold() == spec.name.casefold()), None)
            if actual is None:
                if spec.required:
                    missing.append(spec.name)
                continue
            rows = self.book.rows(actual)
            headers = tuple(_header(v) for v in rows[0]) if rows else ()
            tables[spec.name] = RawTable(actual, headers, NumberedRows(rows, 1))
        if missing:
            raise WorkbookUnreadable(f"{self.path.name} has no sheet {', '.join(repr(m) for m in missing)}.")
        return tables

    def writer(self) -> WorkbookWriter:
        return LiveWriter(self.book)

    def expected_sha256(self) -> str:
        return ""

    def save(self) -> None:
        self.book.save()


def _header(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- the buttons ----------------------------------------------------------------------------


def check_workbook(desk: OpenDesk, settings: Settings | None = None) -> Outcome:
    """Validate what the person sees and write each order line's Check text into the open workbook.

    Colours and Status stay the sync pass's (they need the ledger); this only
    says, row by row, what is wrong right now.
    """
    settings = settings or load_settings(desk.path)
    tables = desk.tables()
    orders = tables[ORDERS.name]
    report = check_tables(tables, settings.policy(), desk.path)
    by_row: dict[int, list] = {}
    for f in report.evaluation.flags:
        if f.sheet == ORDERS.name and f.row is not None:
            by_row.setdefault(f.row, []).append(f)
    cells = tuple(CellWrite(line.row, "Check", check_text(by_row.get(line.row, ()))) for line in report.desk.lines)
    written = desk.writer().write(desk.path, WorkbookWrites(sheets=(SheetWrites(ORDERS.name, cells=cells),)), desk.expected_sha256())
    if written.status not in (WriteStatus.WRITTEN, WriteStatus.UNCHANGED):
        return Outcome(False, f"Checked, but the Check column could not be written: {written.message}")
    s = report.summary()
    found = (
        f"{s['errors']} error(s) and {s['warnings']} warning(s) on {s['flagged_rows']} row(s); the Check column on "
        f"'{orders.sheet}' says what each is."
        if s["errors"] or s["warnings"]
        else "no problems found."
    )
    return Outcome(not s["errors"], f"Checked {s['orders']} orders ({s['lines']} lines): {found}")


def request(action: str, desk: OpenDesk, rows: Iterable[int], settings: Settings | None = None) -> Outcome:
    """Set `Action` on every line of the orders the selected rows belong to, then sync.

    The whole order gets the request, so its lines never disagree; the person
    selects any cell of any of its lines.
    """
    settings = settings or load_settings(desk.path)
    orders = desk.tables()[ORDERS.name]
    position = orders.positions(ORDERS)["Order ID"]
    order_of = {row: key(v[position]) if position < len(v) else None for row, v in orders.rows}
    picked = {order_of.get(r) for r in rows} - {None}
    if not picked:
        return Outcome(False, f"Select one or more order lines on the '{orders.sheet}' sheet first, then press {action} again.")
    targets = sorted(row for row, k in order_of.items() if k in picked)
    ids = sorted({str(v[position]).strip() for row, v in orders.rows if row in set(targets)})
    writes = WorkbookWrites(sheets=(SheetWrites(ORDERS.name, cells=tuple(CellWrite(r, "Action", action) for r in targets)),))
    written = desk.writer().write(desk.path, writes, desk.expected_sha256())
    if written.status not in (WriteStatus.WRITTEN, WriteStatus.UNCHANGED):
        return Outcome(False, f"{action} was not requested: {written.message}")
    result = run_pass(desk.path, settings, writer=desk.writer())
    return _after_pass(result, f"{action} requested for {_listed(ids)} ({len(targets)} line(s)). ")


def sync_now(desk: OpenDesk, settings: Settings | None = None) -> Outcome:
    """Save, then run the daemon's pass on the workbook, writing the results into the open book."""
    settings = settings or load_settings(desk.path)
    desk.save()
    return _after_pass(run_pass(desk.path, settings, writer=desk.writer()), "")


def reconcile(desk: OpenDesk, settings: Settings | None = None) -> Outcome:
    """The end-of-day run: a pass, then the day's stock counts and removed rows reviewed."""
    from sync.reconcile import reconcile as run_reconcile

    settings = settings or load_settings(desk.path)
    desk.save()
    report = run_reconcile(desk.path, settings, writer=desk.writer())
    outcome = _after_pass(report.pass_result, "")
    chain = "intact" if report.chain_ok else "BROKEN: run sheetclerk ledger verify"
    more = f" Reviewed {len(report.reviewed)} stock count(s) and removed row(s). Ledger: {report.chain_events} events, chain {chain}."
    return Outcome(outcome.ok and report.chain_ok, outcome.message + more)


def open_review(desk: OpenDesk) -> Outcome:
    """Bring the Review sheet to the front (or open the Review sidecar beside the workbook)."""
    review = desk.tables().get(REVIEW.name)
    if review is not None:
        flags = sum(1 for _, v in review.rows if any(x not in (None, "") for x in v))
        return Outcome(True, f"{flags} open flag(s) on '{review.sheet}'.", show_sheet=review.sheet)
    sidecar = desk.path.with_name(f"{desk.path.stem}.review.xlsx")
    if sidecar.is_file():
        return Outcome(True, f"Opening {sidecar.name}.", open_path=sidecar)
    return Outcome(False, "There is no Review yet: press Sync now first.")


def open_documents(desk: OpenDesk, settings: Settings | None = None) -> Outcome:
    """Open the folder where the workbook's invoices, packing slips and labels are kept."""
    from sync.documents.files import FOLDER

    settings = settings or load_settings(desk.path)
    folder = data_dir_for(desk.path, settings.data_dir) / FOLDER
    if not folder.is_dir():
        return Outcome(False, f"No documents yet for {desk.path.name}: they appear in {folder} once invoices are issued.")
    return Outcome(True, f"Opening {folder}.", open_path=folder)


# --- wording ------------------------------------------------------------------------------------


def _listed(ids: list[str], most: int = 5) -> str:
    shown = ", ".join(ids[:most])
    return f"orders {shown} and {len(ids) - most} more" if len(ids) > most else f"order{'s' if len(ids) > 1 else ''} {shown}"


_PASS_WORDS: dict[str, str] = {
    "synced": "Synced",
    "unchanged": "Nothing new since the last sync",
    "locked": "Synced the ledger; the workbook is written when it is free",
    "busy": "The workbook kept changing; sheetclerk tries again later",
    "unreadable": "The workbook could not be written",
    "failed": "The results could not be written",
}


def _after_pass(result: PassResult, before: str) -> Outcome:
    words = _PASS_WORDS.get(result.status, result.status)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(result.statuses.items()))
    text = f"{before}{words}: {result.errors} error(s), {result.warnings} warning(s)"
    text += f" ({counts})." if counts else "."
    if result.message and result.status not in ("synced", "unchanged"):
        text += f" {result.message}"
    return Outcome(result.status in ("synced", "unchanged") and not result.errors, text)

