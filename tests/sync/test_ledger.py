"""The ledger itself (sync/ledger/): migrations, the hash chain, all-or-nothing writes.

Every test runs against SQLite and PostgreSQL (the `ledger_url` fixture).
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select, text, update

from sync.ledger import Ledger, schema


def test_opening_creates_the_ledger_and_reopening_changes_nothing(ledger_url: str) -> None:
    first = Ledger.open(ledger_url)
    with first.write("2026-11-22T10:00:00Z") as tx:
        tx.event("line_seen", "orders.xlsx", {"sku": "KB-V60"}, sheet="Orders", row=2, order_id="SO-1", line_key="so-1|kb-v60|1")
    first.close()
    again = Ledger.open(ledger_url)
    assert again.verify().ok
    assert again.verify().events == 1
    again.close()


def test_events_are_chained_and_the_chain_verifies(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url)
    for i in range(3):
        with ledger.write(f"2026-11-22T10:0{i}:00Z") as tx:
            tx.event("a", "wb", {"i": i})
            tx.event("b", "wb", {"i": i, "amount": "12.50"})
    with ledger.read() as conn:
        rows = conn.execute(select(schema.events).order_by(schema.events.c.seq)).mappings().all()
    assert [r["seq"] for r in rows] == list(range(1, 7))
    assert all(r["prev_hash"] == p["hash"] for p, r in zip(rows, rows[1:]))
    report = ledger.verify()
    assert report.ok and report.events == 6
    ledger.close()


@pytest.mark.parametrize(
    "tamper, at",
    [
        (lambda c: c.execute(update(schema.events).where(schema.events.c.seq == 2).values(data='{"i":99}')), 2),
        (lambda c: c.execute(update(schema.events).where(schema.events.c.seq == 3).values(kind="approved")), 3),
        (lambda c: c.execute(delete(schema.events).where(schema.events.c.seq == 2)), 2),
        (lambda c: c.execute(delete(schema.events).where(schema.events.c.seq == 4)), 4),
    ],
    ids=["data changed", "kind changed", "event removed", "newest removed"],
)
def test_tampering_is_detected(ledger_url: str, tamper, at: int) -> None:
    ledger = Ledger.open(ledger_url)
    with ledger.write("2026-11-22T10:00:00Z") as tx:
        for i in range(4):
            tx.event("line_seen", "wb", {"i": i})
    with ledger.engine.begin() as conn:
        tamper(conn)
    report = ledger.verify()
    assert not report.ok
    assert report.broken_at == at
    ledger.close()


def test_a_failed_transaction_leaves_nothing(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url)
    with pytest.raises(RuntimeError):
        with ledger.write("2026-11-22T10:00:00Z") as tx:
            tx.event("line_seen", "wb", {"i": 1})
            raise RuntimeError("killed halfway")
    assert ledger.verify().events == 0
    with ledger.write("2026-11-22T10:00:00Z") as tx:
        assert tx.event("line_seen", "wb", {"i": 1}) == 1
    assert ledger.verify().ok
    ledger.close()


def test_concurrent_writers_never_fork_the_chain(ledger_url: str) -> None:
    """Two writers (two daemons) appending at once: one queues behind the other."""
    ledgers = [Ledger.open(ledger_url), Ledger.open(ledger_url)]
    errors: list[BaseException] = []

    def append(ledger: Ledger, name: str) -> None:
        try:
            for i in range(15):
                with ledger.write("2026-11-22T10:00:00Z") as tx:
                    tx.event("a", name, {"i": i})
                    tx.event("b", name, {"i": i})
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=append, args=(ledger, f"daemon-{n}")) for n, ledger in enumerate(ledgers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    report = ledgers[0].verify()
    assert report.ok and report.events == 60
    for ledger in ledgers:
        ledger.close()


def test_sqlite_ledger_uses_wal_and_full_sync(tmp_path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    with ledger.read() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    ledger.close()


def test_schema_version_is_the_newest_migration(tmp_path) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from sync.ledger.store import _MIGRATIONS, SCHEMA_VERSION

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_VERSION
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    assert ledger.schema_version() == SCHEMA_VERSION
    ledger.close()
