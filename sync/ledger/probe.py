"""The no-change probe: what did the last pass leave in this workbook? One row, read with the stdlib driver.

A pass on a file nobody touched should cost no more than hashing the file. Opening
the ledger through SQLAlchemy (engine, dialect, pool, first statement) costs a few
milliseconds that a fresh process cannot hide behind the hash of a small file; the
stdlib `sqlite3` module reads the one row in a fraction of a millisecond. Only an
existing SQLite ledger at the current schema is probed. Anything else (PostgreSQL,
no ledger yet, an older schema, an unreadable file) answers None, and the pass
opens the ledger as usual and finds out there.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sync.ledger.state import LastWrite

_SQLITE_PREFIX = "sqlite:///"


def sqlite_file(url: str) -> Path | None:
    """The database file of a plain `sqlite:///path` URL (no options); None for any other URL."""
    if not url.startswith(_SQLITE_PREFIX) or "?" in url:
        return None
    path = url[len(_SQLITE_PREFIX):]
    return Path(path) if path and path != ":memory:" else None


def last_write(url: str, workbook: str, schema_version: str) -> LastWrite | None:
    """The last write recorded for `workbook`, if the ledger at `url` is SQLite at `schema_version`."""
    path = sqlite_file(url)
    if path is None or not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(path, timeout=5)) as conn:
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            if version is None or version[0] != schema_version:
                return None
            row = conn.execute("SELECT written_sha, summary FROM passes WHERE workbook = ?", (workbook,)).fetchone()
    except sqlite3.Error:
        return None
    return LastWrite() if row is None else LastWrite(row[0], row[1])
