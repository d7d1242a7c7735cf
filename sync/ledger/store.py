"""Opening the ledger, appending events, and checking the chain.

SQLite (default): WAL journal, `synchronous=FULL`, and every write transaction
starts with `BEGIN IMMEDIATE`, so two writers queue instead of failing halfway.
PostgreSQL: a write transaction locks the chain head row (`SELECT ... FOR
UPDATE`), so writers from several daemons queue the same way and the chain
never forks. Either way a pass's events and state changes commit together or
not at all: a process killed at any point leaves the ledger as it was before
the pass.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
import sqlalchemy.dialects.sqlite  # noqa: F401 - the default ledger's dialect: loaded with the module, not on a pass's clock
from sqlalchemy import Connection, Engine, bindparam, create_engine, event, insert, select, update
from sqlalchemy.engine import make_url

from sync.errors import ConfigError
from sync.ledger import schema
from sync.ledger.chain import GENESIS, canonical, event_hash, row_hash

_MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATING = threading.Lock()
#: The newest migration in `migrations/versions` (a test holds the two together).
SCHEMA_VERSION = "0006"
#: Any constant: PostgreSQL advisory locks are named by a 64-bit number ("sheetclk").
_MIGRATION_LOCK_ID = 0x736865657463_6C6B
DATA_DIR_NAME = "sheetclerk-data"


def data_dir_for(workbook: Path, data_dir: Path | None = None) -> Path:
    """Where a workbook's default ledger and daemon status live: `data_dir`, or a folder beside it."""
    return data_dir or Path(workbook).resolve().parent / DATA_DIR_NAME


def ledger_url_for(workbook: Path, data_dir: Path | None = None) -> str:
    """The default ledger: SQLite in the workbook's data folder (created here)."""
    folder = data_dir_for(workbook, data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'ledger.sqlite'}"


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as e:  # noqa: BLE001
        raise ConfigError(f"ledger URL '{url}' is not a database URL ({e}).") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            url = str(parsed.set(drivername="postgresql+psycopg"))
        return create_engine(url, pool_pre_ping=True)
    raise ConfigError(f"ledger URL '{url}': only sqlite:/// and postgresql:// ledgers are supported.")


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken_at: int | None
    """seq of the first event whose hash or link does not match, or None when intact."""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


_FORGET_SUMMARY = update(schema.passes).where(schema.passes.c.workbook == bindparam("w_workbook")).values(summary=None)


class Tx:
    """One write transaction: appends chained events at one time stamp.

    Events are inserted in batches (one executemany per `_BATCH`), which makes
    a first sync of a large workbook many times faster than a statement per
    event; they are all in before the transaction commits.
    """

    _BATCH = 5000

    def __init__(self, conn: Connection, at: str, head_seq: int, head_hash: str) -> None:
        self.conn = conn
        self.at = at
        self._seq = head_seq
        self._hash = head_hash
        self._start = head_seq
        self._pending: list[dict[str, Any]] = []
        self._touched: set[str] = set()

    @property
    def appended(self) -> int:
        return self._seq - self._start

    def event(
        self,
        kind: str,
        workbook: str,
        data: dict[str, Any] | None = None,
        *,
        sheet: str = "",
        row: int | None = None,
        order_id: str | None = None,
        line_key: str | None = None,
    ) -> int:
        """Append one event; returns its seq.

        The workbook's stored pass summary (what a no-change pass reports) described
        the ledger before this event: the first event for a workbook in a
        transaction forgets it, so no later pass can report a stale one.
        """
        if workbook not in self._touched:
            self._touched.add(workbook)
            self.conn.execute(_FORGET_SUMMARY, {"w_workbook": workbook})
        seq = self._seq + 1
        body = canonical(data or {})
        digest = event_hash(self._hash, seq, workbook, self.at, kind, sheet, row, order_id, line_key, body)
        self._pending.append(
            {"seq": seq, "workbook": workbook, "at": self.at, "kind": kind, "sheet": sheet, "row": row,
             "order_id": order_id, "line_key": line_key, "data": body, "prev_hash": self._hash, "hash": digest}
        )
        if len(self._pending) >= self._BATCH:
            self.flush()
        self._seq, self._hash = seq, digest
        return seq

    def flush(self) -> None:
        """Insert the events appended so far."""
        if self._pending:
            self.conn.execute(insert(schema.events), self._pending)
            self._pending = []

    def _close(self) -> None:
        self.flush()
        if self.appended:
            self.conn.execute(
                update(schema.chain_head).where(schema.chain_head.c.id == 1).values(seq=self._seq, hash=self._hash)
            )


class Ledger:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def for_workbook(cls, workbook: Path, settings: Any) -> Ledger:
        """The ledger a workbook's settings name: `ledger_url`, else SQLite in its data folder."""
        return cls.open(settings.ledger_url or ledger_url_for(workbook, settings.data_dir))

    @classmethod
    def open(cls, url: str) -> Ledger:
        """Open (creating or upgrading as needed) the ledger at `url`."""
        ledger = cls(make_engine(url))
        ledger.migrate()
        return ledger

    def migrate(self) -> None:
        """Bring the schema to the newest version, once, whoever else is opening it.

        Alembic keeps its context in module globals, so migrations in one process
        take turns on a lock; across processes, SQLite's BEGIN IMMEDIATE and a
        PostgreSQL advisory lock make the second opener wait and find it done.
        """
        if self.schema_version() == SCHEMA_VERSION:
            return  # the common case, and the cheap one: no migration scripts to load
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with _MIGRATING, self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            if conn.execute(select(schema.chain_head.c.id)).first() is None:
                conn.execute(insert(schema.chain_head).values(id=1, seq=0, hash=GENESIS))

    def schema_version(self) -> str | None:
        """The Alembic revision the ledger is at, or None for a new (or unreadable) one."""
        try:
            with self.engine.connect() as conn:
                return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except Exception:  # noqa: BLE001 - no table yet: a new ledger
            return None

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self, at: str) -> Iterator[Tx]:
        """A write transaction whose events carry time stamp `at`; all or nothing."""
        with self.engine.begin() as conn:
            head = conn.execute(
                select(schema.chain_head.c.seq, schema.chain_head.c.hash)
                .where(schema.chain_head.c.id == 1)
                .with_for_update()
            ).one()
            tx = Tx(conn, at, head.seq, head.hash)
            yield tx
            tx._close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def verify(self) -> ChainReport:
        """Recompute every event's hash and link, oldest first."""
        prev, count, expected_seq = GENESIS, 0, 1
        with self.read() as conn:
            rows = conn.execute(select(schema.events).order_by(schema.events.c.seq)).mappings()
            for ev in rows:
                count += 1
                if ev["seq"] != expected_seq:
                    return ChainReport(count, expected_seq, f"event {expected_seq} is missing")
                if ev["prev_hash"] != prev:
                    return ChainReport(count, ev["seq"], "its link to the previous event does not match")
                if row_hash(ev) != ev["hash"]:
                    return ChainReport(count, ev["seq"], "its contents do not match its hash")
                prev, expected_seq = ev["hash"], expected_seq + 1
            head = conn.execute(select(schema.chain_head)).mappings().first()
        if head is not None and (head["seq"] != count or head["hash"] != prev):
            return ChainReport(count, count + 1, "the newest events were removed")
        return ChainReport(count, None)
