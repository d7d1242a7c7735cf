"""One sheetclerk writer per workbook at a time, across threads, processes and machines.

Two daemons may share one ledger and see the same save; both then want to write
the same results back. Writing is read → compare SHA-256 → rename, and two of
those interleaved would let the second rename over a file it never compared.
A lock file `.~sheetclerk-<name>.lock`, created with O_EXCL beside the workbook
(so it works on an office share too), makes the whole sequence one writer's.
It names its holder (host and process); a holder that died (same host, process
gone) or a lock older than `STALE_AFTER` seconds is taken over, so a kill -9
never leaves a workbook unwritable.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_PREFIX = ".~sheetclerk-"
"""sheetclerk's own files beside a workbook start with this: hidden, so a watcher ignores them."""

STALE_AFTER = 120.0
"""Seconds after which any writer lock is taken over: a real write takes a few."""

WAIT = 15.0
"""Seconds a writer waits for another one to finish before reporting the workbook locked."""

_HOST = socket.gethostname()


def lock_path(path: Path) -> Path:
    return path.with_name(f"{TEMP_PREFIX}{path.name}.lock")


@contextmanager
def writer_lock(path: Path, wait: float | None = None) -> Iterator[bool]:
    """Hold the workbook's writer lock; yields False if another writer kept it for `wait` seconds."""
    lock = lock_path(path)
    owner = f"{_HOST} {os.getpid()} {threading.get_ident()}"
    deadline = time.monotonic() + (WAIT if wait is None else wait)
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if _stale(lock):
                lock.unlink(missing_ok=True)
                continue
            if time.monotonic() >= deadline:
                yield False
                return
            time.sleep(0.05)
            continue
        except OSError:
            yield True  # a folder that cannot hold lock files (read-only share): the SHA check still guards
            return
        break
    try:
        os.write(fd, owner.encode())
    finally:
        os.close(fd)
    try:
        yield True
    finally:
        try:
            if lock.read_text() == owner:
                lock.unlink()
        except OSError:
            pass


def _stale(lock: Path) -> bool:
    try:
        text = lock.read_text()
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return False  # released meanwhile: just try again
    except OSError:
        return True
    if age > STALE_AFTER:
        return True
    host, _, rest = text.partition(" ")
    pid = rest.split(" ", 1)[0]
    if host != _HOST or not pid.isdigit():
        return not text and age > 5  # an empty lock: its writer died between create and write
    return not _alive(int(pid))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True
