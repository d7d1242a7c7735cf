"""Writing a pass's results into an `.xlsx`/`.xlsm` workbook on disk, safely.

`XlsxWriter().write(path, writes, expected_sha256)`:

- **never over an edit it has not read**: the file must still have the SHA-256
  the pass read, checked again right before the new file replaces it;
- **never while open**: a lock file beside the workbook (`~$orders.xlsx` from
  Excel, `.~lock.orders.xlsx#` from LibreOffice) means a person has it open;
- **one writer at a time**: the read-compare-rename runs under a lock file
  (`sync.writer_lock`), so two daemons sharing a ledger never interleave;
- **atomic**: the new package is written to `.~sheetclerk-<name>.tmp` in the
  same folder, flushed to disk, then renamed over the workbook; a crash leaves
  either the old file or the new one, never half of one;
- **only what sheetclerk owns changes** (see `sync.xlsx_edit`): every other
  member of the package is copied byte for byte, so rich text, cached formula
  results, sparklines, data bars, shapes, form controls and VBA survive.

Every expected situation is a `WriteOutcome`, never an exception.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from sync.atomic import sync_folder
from sync.writeback import WorkbookWrites, WriteOutcome, WriteStatus
from sync.xlsx_edit import apply_writes, prepare
from sync.xlsx_sidecar import write_review_sidecar
from sync.xlsx_zip import PackageError
from sync.writer_lock import TEMP_PREFIX, lock_path, writer_lock

if TYPE_CHECKING:
    from sync.xlsx_edit import _Session



def temp_path(path: Path) -> Path:
    return path.with_name(f"{TEMP_PREFIX}{path.name}.tmp")


def lock_files(path: Path) -> tuple[Path, ...]:
    """The files Excel and LibreOffice keep beside a workbook while it is open."""
    return (path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#"))


def open_by(path: Path) -> Path | None:
    """The lock file that says the workbook is open, if any."""
    return next((lock for lock in lock_files(path) if lock.exists()), None)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class XlsxWriter:
    """The `WorkbookWriter` for `.xlsx`/`.xlsm` files (see the module docstring)."""

    _prepared: tuple[str, _Session] | None = None
    """(SHA-256 of the bytes prepared, the package opened from them), from `prepare`."""

    def prepare(self, data: bytes, sha256: str, sheets: Iterable[str]) -> None:
        """Open the package and find the rows of `sheets` in `data` (the bytes a pass read) ahead of `write`.

        A pass calls this while it waits for its read: the write then starts from
        it if the file still has `sha256`, as it must to be written at all. A package
        that cannot be opened is left for `write` to report.
        """
        try:
            self._prepared = (sha256, prepare(data, sheets))
        except Exception:  # noqa: BLE001 - `write` finds and reports the same problem
            self._prepared = None

    def write(self, path: Path, writes: WorkbookWrites, expected_sha256: str) -> WriteOutcome:
        path = Path(path)
        with writer_lock(path) as mine:
            if not mine:
                return WriteOutcome(
                    WriteStatus.LOCKED,
                    message=f"{path}: another sheetclerk is writing it ({lock_path(path).name}); trying again shortly.",
                )
            return self._write(path, writes, expected_sha256)

    def _write(self, path: Path, writes: WorkbookWrites, expected_sha256: str) -> WriteOutcome:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return WriteOutcome(
                WriteStatus.CHANGED_SINCE_READ,
                message=f"{path}: is gone (moved, deleted, or being saved); read it again.",
            )
        except OSError as e:
            return WriteOutcome(WriteStatus.UNREADABLE, message=f"{path}: cannot be read ({e.strerror or e}).")
        prepared, self._prepared = self._prepared, None  # used once, or let go
        found = sha256_of(data)
        if found != expected_sha256:
            return _changed(path, found)
        if writes.empty:
            return WriteOutcome(WriteStatus.UNCHANGED, found)
        try:
            edited = apply_writes(data, writes, prepared[1] if prepared is not None and prepared[0] == found else None)
        except PackageError as e:
            return _unreadable(path, found, str(e))
        except (etree.LxmlError, ValueError, KeyError, IndexError, UnicodeError, zlib.error, EOFError) as e:
            return _unreadable(path, found, f"{type(e).__name__}: {e}")
        notes = "; ".join(edited.notes)
        if edited.content is None:
            return WriteOutcome(WriteStatus.UNCHANGED, found, message=notes)
        lock = open_by(path)
        if lock is not None:
            return _locked(path, found, lock)
        return self._replace(path, found, edited.content, edited.original_fills, notes)

    def _replace(self, path: Path, old_sha: str, new: bytes, fills: dict, notes: str) -> WriteOutcome:
        temp = temp_path(path)
        try:
            try:
                mode = stat.S_IMODE(path.stat().st_mode)
                with open(temp, "wb") as f:
                    f.write(new)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(temp, mode)
            except OSError as e:
                return WriteOutcome(
                    WriteStatus.FAILED, old_sha, message=f"{path}: the new version could not be saved ({e.strerror or e}); the workbook is unchanged."
                )
            lock = open_by(path)
            if lock is not None:
                return _locked(path, old_sha, lock)
            try:
                now = sha256_of(path.read_bytes())
            except FileNotFoundError:
                return WriteOutcome(WriteStatus.CHANGED_SINCE_READ, message=f"{path}: is gone (moved, deleted, or being saved); read it again.")
            if now != old_sha:
                return _changed(path, now)
            try:
                os.replace(temp, path)
            except PermissionError:
                return WriteOutcome(
                    WriteStatus.LOCKED, old_sha, message=f"{path}: is in use by another program; retry when it is closed."
                )
            except OSError as e:
                return WriteOutcome(
                    WriteStatus.FAILED, old_sha, message=f"{path}: could not be replaced ({e.strerror or e}); the workbook is unchanged."
                )
            sync_folder(path.parent)
        finally:
            temp.unlink(missing_ok=True)
        return WriteOutcome(WriteStatus.WRITTEN, sha256_of(new), fills, notes)


def _changed(path: Path, found: str) -> WriteOutcome:
    return WriteOutcome(
        WriteStatus.CHANGED_SINCE_READ,
        found,
        message=f"{path}: was saved by someone else since it was read; read it again. Nothing was written.",
    )


def _locked(path: Path, found: str, lock: Path) -> WriteOutcome:
    return WriteOutcome(
        WriteStatus.LOCKED,
        found,
        message=f"{path}: is open ({lock.name} is beside it); the results are written when it is closed. "
        f"If nobody has it open, delete {lock.name}.",
    )


def _unreadable(path: Path, found: str, why: str) -> WriteOutcome:
    return WriteOutcome(
        WriteStatus.UNREADABLE,
        found,
        message=f"{path}: cannot be written back: {why}. Open it in Excel to repair it, or restore a copy.",
    )


__all__ = ["XlsxWriter", "write_review_sidecar", "lock_files", "temp_path", "open_by"]
