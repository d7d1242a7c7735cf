"""What a sync pass asks to be written back into a workbook, and the writer interface.

The pass decides *what* goes where (values of sheetclerk's own columns, flag
colours, the Review rows); a writer decides *how* (the `.xlsx` package editor,
later Google Sheets or a live Excel through xlwings). Every writer takes the
same `WorkbookWrites` and answers with a `WriteOutcome`, never an exception for
an expected situation (file locked, changed since read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Protocol

CellValue = str | int | Decimal | date | None
"""What sheetclerk writes into a cell. `str` is always stored as text (never a
formula, whatever it starts with); None empties the cell."""


class Fill(StrEnum):
    """Flag colours. sheetclerk recognises its own fills by these exact colours."""

    ERROR = "error"
    """Light red (FFFFC7CE): the cell holds an error flag."""
    WARNING = "warning"
    """Light amber (FFFFEB9C): the cell holds a warning flag."""


#: ARGB colours of sheetclerk's fills; a cell whose fill has one of these was coloured by sheetclerk.
FILL_ARGB: dict[Fill, str] = {Fill.ERROR: "FFFFC7CE", Fill.WARNING: "FFFFEB9C"}


@dataclass(frozen=True, slots=True)
class Restore:
    """Take sheetclerk's fill off a cell, putting back the fill it had before.

    `original` is the `<fill>` element XML the writer reported when it first
    coloured the cell (None: the cell had no fill of its own). A writer only
    restores a cell whose fill is still one of sheetclerk's; if a person has
    re-coloured it since, their colour stays.
    """

    original: str | None = None


@dataclass(frozen=True, slots=True)
class CellWrite:
    row: int
    """1-based Excel row."""
    column: str
    """Header of the column (SPEC spelling, matched like the reader matches headers)."""
    value: CellValue


@dataclass(frozen=True, slots=True)
class SheetWrites:
    sheet: str
    """Sheet name (SPEC spelling, matched ignoring case)."""
    cells: tuple[CellWrite, ...] = ()
    """Values for sheetclerk-owned columns. A missing owned column is added after the last used column."""
    fills: tuple[tuple[int, str, Fill | Restore], ...] = ()
    """(row, column header, fill or restore) for cells to colour or un-colour; any column."""


REVIEW_HEADERS: tuple[str, ...] = ("Sheet", "Row", "Column", "Code", "Severity", "Message", "Since")


@dataclass(frozen=True, slots=True)
class WorkbookWrites:
    sheets: tuple[SheetWrites, ...] = ()
    review: tuple[tuple[CellValue, ...], ...] | None = None
    """Rows of the Review sheet under REVIEW_HEADERS; the sheet is rebuilt (added if missing). None: leave it."""

    @property
    def empty(self) -> bool:
        return self.review is None and not any(s.cells or s.fills for s in self.sheets)


class WriteStatus(StrEnum):
    WRITTEN = "written"
    UNCHANGED = "unchanged"
    """Nothing to write: every value and fill was already as asked."""
    CHANGED_SINCE_READ = "changed_since_read"
    """The file is not the one the pass read; re-read and redo the pass. Nothing written."""
    LOCKED = "locked"
    """Open in Excel or LibreOffice (a lock file is present); retry when it is closed. Nothing written."""
    UNREADABLE = "unreadable"
    """The file is not a workbook the writer can edit (damaged, not a zip, not .xlsx); the message says why. Nothing written."""
    FAILED = "failed"
    """The new file could not be saved (disk full, no permission); the workbook is as it was. Nothing written."""


@dataclass(frozen=True)
class WriteOutcome:
    status: WriteStatus
    sha256: str | None = None
    """The file's SHA-256 after the write (or as found, when nothing was written)."""
    original_fills: dict[tuple[str, int, str], str | None] = field(default_factory=dict)
    """(sheet, row, column) -> `<fill>` XML the cell had before sheetclerk coloured it (None: no fill)."""
    message: str = ""


class WorkbookWriter(Protocol):
    """Writes a pass's results into one workbook.

    A writer may also have `prepare(data, sha256, sheet_names)`: the pass calls it with
    the bytes it read while the read is still loading, so the write starts from
    there (`XlsxWriter` opens the package; writers without it simply start later).
    """

    def write(self, path: Path, writes: WorkbookWrites, expected_sha256: str) -> WriteOutcome:
        """Apply `writes` if the file still has `expected_sha256`; atomically; never raises for locks or changes."""
        ...
