"""The database fixtures in tests/conftest.py: ledger_url on both backends, fresh_pg_url per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

ITEMS = sa.Table(
    "items",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sku", sa.String(40), nullable=False, unique=True),
    sa.Column("price", sa.Numeric(12, 2), nullable=False),
)


def _tables(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        return sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_ledger_url_starts_empty_and_round_trips_rows(ledger_url: str) -> None:
    engine = sa.create_engine(ledger_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
        ITEMS.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.insert(ITEMS), [{"sku": "KB-ESP-1000", "price": "29.50"}, {"sku": "KB-MUG-6", "price": "9.90"}])
        with engine.connect() as conn:
            rows = conn.execute(sa.select(ITEMS.c.sku, ITEMS.c.price).order_by(ITEMS.c.sku)).all()
        assert [(sku, str(price)) for sku, price in rows] == [("KB-ESP-1000", "29.50"), ("KB-MUG-6", "9.90")]
    finally:
        engine.dispose()


def test_ledger_url_names_its_backend(ledger_url: str) -> None:
    backend = sa.engine.make_url(ledger_url).get_backend_name()
    assert backend in {"sqlite", "postgresql"}
    if backend == "postgresql":
        assert sa.engine.make_url(ledger_url).drivername == "postgresql+psycopg"


def test_two_fresh_databases_are_independent(fresh_pg_url: str, pg_url: str) -> None:
    assert fresh_pg_url != pg_url
    engine = sa.create_engine(fresh_pg_url)
    try:
        ITEMS.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.insert(ITEMS), {"sku": "ONLY-HERE", "price": "1.00"})
    finally:
        engine.dispose()
    assert _tables(fresh_pg_url) == ["items"]
    assert "items" not in _tables(pg_url)


def test_a_second_fresh_database_is_empty(fresh_pg_url: str) -> None:
    """Runs after the test above (same worker or not): nothing it made is visible here."""
    assert _tables(fresh_pg_url) == []


@pytest.fixture
def databases_gone_afterwards(_pg_server: str) -> Iterator[list[str]]:
    """Requested before fresh_pg_url, so it is torn down after it: checks the database is gone."""
    names: list[str] = []
    yield names
    admin = sa.create_engine(_pg_server)
    try:
        with admin.connect() as conn:
            existing = set(conn.execute(sa.text("select datname from pg_database")).scalars())
    finally:
        admin.dispose()
    assert names and not (set(names) & existing), f"still there after the test: {set(names) & existing}"


def test_a_fresh_database_is_dropped_afterwards_even_with_connections_open(
    databases_gone_afterwards: list[str], fresh_pg_url: str
) -> None:
    databases_gone_afterwards.append(sa.engine.make_url(fresh_pg_url).database)
    engine = sa.create_engine(fresh_pg_url)
    conn = engine.connect()  # left open, as a failing test might leave it
    conn.execute(sa.text("select 1"))
    _LEFT_OPEN.append((engine, conn))


#: Kept alive past the test on purpose; closed once the module is done.
_LEFT_OPEN: list[tuple[sa.Engine, sa.Connection]] = []


@pytest.fixture(scope="module", autouse=True)
def _close_what_was_left_open() -> Iterator[None]:
    yield
    for engine, conn in _LEFT_OPEN:
        conn.invalidate()
        conn.close()
        engine.dispose()
    _LEFT_OPEN.clear()


def test_pg_url_is_on_the_server_ci_started(pg_url: str) -> None:
    """With SHEETCLERK_TEST_PG_URL (as .ci/run sets it) every xdist worker uses that server, in its own database."""
    given = os.environ.get("_SHEETCLERK_TEST_PG_URL")  # where conftest keeps it, out of sheetclerk's sight
    assert "SHEETCLERK_TEST_PG_URL" not in os.environ
    url = sa.engine.make_url(pg_url)
    if not given:
        assert url.host == "127.0.0.1"  # a throwaway cluster of this process
        return
    server = sa.engine.make_url(given)
    assert (url.host, url.port, url.username) == (server.host, server.port, server.username)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    assert url.database == (f"{server.database}_{worker}" if worker else server.database)
