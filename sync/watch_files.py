"""What the watcher sees of a file: which names are workbooks, and one consistent look at one.

A *look* opens the file once and reads, from that one open file, its size and
modification time (before and after), the SHA-256 of every byte, and whether it
is a zip whose central directory can be read. If the file changed while it was
read, or the name now points to another file (an Excel save renamed a new file
onto it), the look is `UNSTABLE` and counts for nothing. Looks never raise:
a missing, unreadable or half-written file is a kind of look.

Names (not recursive, case-insensitive suffix):

* workbooks: `*.xlsx`, `*.xlsm`;
* never workbooks: sheetclerk's sidecar `*.review.xlsx`, Excel's owner files
  `~$name.xlsx`, LibreOffice's `.~lock.name.xlsx#`, our own temporary files
  `.~sheetclerk-*.tmp`, any hidden (dot) file such as macOS's `._name.xlsx` on
  a share, and everything else (`*.tmp`, Excel's extension-less 8-hex-digit temp
  names, `*.csv`, ...).
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

WORKBOOK_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")
SIDECAR_SUFFIX = ".review.xlsx"


def is_workbook_name(name: str) -> bool:
    """True for an order workbook's file name; False for sidecars, lock, temp and hidden files."""
    folded = name.casefold()
    return (
        folded.endswith(WORKBOOK_SUFFIXES)
        and not folded.endswith(SIDECAR_SUFFIX)
        and not name.startswith(("~$", "."))
    )


def is_lock_name(name: str) -> bool:
    """Excel's owner file (`~$...`) or LibreOffice's lock file (`.~lock....#`)."""
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def lock_names(workbook_name: str) -> tuple[str, ...]:
    """The lock-file names an open workbook may have beside it.

    Excel writes `~$` + the name, or for longer names replaces the first two
    characters with `~$`; LibreOffice writes `.~lock.NAME#`.
    """
    names = [f"~${workbook_name}", f".~lock.{workbook_name}#"]
    if len(workbook_name) > 2:
        names.append(f"~${workbook_name[2:]}")
    return tuple(names)


def lock_matches(lock_name: str, workbook_name: str) -> bool:
    """Whether `lock_name` is one of the lock files `workbook_name` may have."""
    return lock_name.casefold() in {n.casefold() for n in lock_names(workbook_name)}


def is_locked(path: Path) -> bool:
    """A lock file for the workbook is present (it is open in Excel or LibreOffice)."""
    return any(os.path.lexists(path.with_name(n)) for n in lock_names(path.name))


def list_workbooks(folder: Path) -> list[Path]:
    """The workbooks directly in `folder` (not recursive), sorted by name. Raises OSError."""
    with os.scandir(folder) as entries:
        found = [
            folder / e.name
            for e in entries
            if is_workbook_name(e.name) and _is_file(e)
        ]
    return sorted(found, key=lambda p: p.name.casefold())


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


class LookKind(StrEnum):
    OK = "ok"
    """A readable zip: a complete workbook file (the pass decides whether it is a good one)."""
    INVALID = "invalid"
    """Present but not a readable zip: being written, truncated or not a workbook at all."""
    MISSING = "missing"
    UNREADABLE = "unreadable"
    """Present but cannot be opened or read (permission denied, a folder, I/O error)."""
    UNSTABLE = "unstable"
    """Changed or replaced while it was being read: look again."""


@dataclass(frozen=True, slots=True)
class Look:
    kind: LookKind
    sha256: str | None = None
    size: int | None = None
    mtime_ns: int | None = None
    error: str | None = None
    """For UNREADABLE: the error's type name (no path, no data)."""

    @property
    def state(self) -> tuple[str, str | None]:
        """What a settled look stands for, ignoring size and mtime: an mtime-only touch is no change."""
        return (self.kind.value, self.error if self.kind is LookKind.UNREADABLE else self.sha256)

    def same_as(self, other: Look | None) -> bool:
        """Two consecutive looks agree on everything (size, mtime, content); never for UNSTABLE."""
        return other is not None and self.kind is not LookKind.UNSTABLE and self == other


_CHUNK = 1 << 20


def look(path: Path) -> Look:
    """One consistent look at `path`. Never raises (except for programmer errors)."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below, and the look must use this one handle
    except FileNotFoundError:
        return Look(LookKind.MISSING)
    except NotADirectoryError:
        return Look(LookKind.MISSING)
    except OSError as exc:
        return Look(LookKind.UNREADABLE, error=type(exc).__name__)
    try:
        with f:
            before = os.fstat(f.fileno())
            if not stat.S_ISREG(before.st_mode):
                return Look(LookKind.UNREADABLE, error="NotARegularFile")
            digest = hashlib.sha256()
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
            after = os.fstat(f.fileno())
            valid = _readable_zip(f)
    except OSError as exc:
        return Look(LookKind.UNREADABLE, error=type(exc).__name__)
    try:
        now = os.stat(path)
    except OSError:
        return Look(LookKind.UNSTABLE)
    if (
        (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns)
        or (now.st_ino, now.st_dev) != (before.st_ino, before.st_dev)
        or (now.st_size, now.st_mtime_ns) != (after.st_size, after.st_mtime_ns)
    ):
        return Look(LookKind.UNSTABLE)
    return Look(
        LookKind.OK if valid else LookKind.INVALID,
        sha256=digest.hexdigest(),
        size=after.st_size,
        mtime_ns=after.st_mtime_ns,
    )


def _readable_zip(f) -> bool:
    """A zip whose end record and central directory can be read, with at least one member."""
    try:
        f.seek(0)
        if not zipfile.is_zipfile(f):
            return False
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            return len(z.infolist()) > 0
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError, OSError):
        return False
