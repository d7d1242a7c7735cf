"""The no-change pass reads one row: the summary (open flags, status counts) the pass
that wrote the file stored. It must always say what the ledger's tables say.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update

from sync.config import load_settings
from sync.errors import WorkbookUnreadable
from sync.ledger import Ledger, schema
from sync.ledger.state import drop_flag, load, load_last_write, summarise
from sync.pipeline import FileSource, run_pass

STARTER = Path(__file__).resolve().parents[2] / "workbooks" / "orders.xlsx"


def _desk(tmp_path: Path) -> Path:
    shutil.copy2(STARTER, tmp_path / "orders.xlsx")
    shutil.copy2(STARTER.with_name("sheetclerk.toml"), tmp_path / "sheetclerk.toml")
    return tmp_path / "orders.xlsx"


def _as_reported(result) -> tuple:
    return sorted(f.pk + (f.row, f.severity, f.message, f.since) for f in result.flags), result.statuses


def _tables(ledger: Ledger, workbook: str) -> tuple:
    """What the pre-summary no-change pass reported: the flags and status counts read from the tables."""
    with ledger.read() as conn:
        s = summarise(conn, workbook)
    return sorted(f.pk + (f.row, f.severity, f.message, f.since) for f in s.flags), s.statuses


def _stored(ledger: Ledger, workbook: str) -> str | None:
    with ledger.read() as conn:
        return load_last_write(conn, workbook).summary_json


def test_no_change_pass_reports_the_stored_summary_which_matches_the_tables(tmp_path: Path, ledger_url: str) -> None:
    path = _desk(tmp_path)
    settings = load_settings(path, ledger_url=ledger_url)
    first = run_pass(path, settings)
    assert first.status == "synced" and first.flags
    ledger = Ledger.open(ledger_url)
    try:
        assert _stored(ledger, str(path)) is not None
        again = run_pass(path, settings, ledger=ledger)
        assert again.status == "unchanged" and again.events == 0
        assert _as_reported(again) == _tables(ledger, str(path))
    finally:
        ledger.close()


def test_an_event_after_the_pass_forgets_the_summary(tmp_path: Path, ledger_url: str) -> None:
    """The end-of-day review closes flags without touching the file: no stale summary may be reported."""
    path = _desk(tmp_path)
    settings = load_settings(path, ledger_url=ledger_url)
    run_pass(path, settings)
    ledger = Ledger.open(ledger_url)
    try:
        with ledger.write("2026-11-30T18:00:00Z") as tx:
            f = next(iter(load(tx.conn, str(path)).flags.values()))
            tx.event("flag_resolved", str(path), {"code": f.code, "column": f.column, "reviewed": True},
                     sheet=f.sheet, row=f.row, line_key=f.anchor)
            drop_flag(tx.conn, str(path), f)
        assert _stored(ledger, str(path)) is None
        again = run_pass(path, settings, ledger=ledger)
        assert again.status == "unchanged"
        assert f.pk not in {g.pk for g in again.flags}
        assert _as_reported(again) == _tables(ledger, str(path))
    finally:
        ledger.close()


def test_a_ledger_without_a_summary_reads_the_tables(tmp_path: Path, ledger_url: str) -> None:
    """A ledger written before summaries existed (migrated: the column is NULL)."""
    path = _desk(tmp_path)
    settings = load_settings(path, ledger_url=ledger_url)
    stored = run_pass(path, settings, ledger=(ledger := Ledger.open(ledger_url)))
    try:
        with_summary = run_pass(path, settings, ledger=ledger)
        with ledger.engine.begin() as conn:
            conn.execute(update(schema.passes).values(summary=None))
        without = run_pass(path, settings, ledger=ledger)
        assert stored.status == "synced" and with_summary.status == without.status == "unchanged"
        assert _as_reported(with_summary) == _as_reported(without) == _tables(ledger, str(path))
        with ledger.read() as conn:
            assert conn.execute(select(schema.passes.c.summary)).scalar() is None  # a no-change pass writes nothing
    finally:
        ledger.close()


def test_the_first_fingerprint_is_taken_early_and_a_retry_reads_again(tmp_path: Path) -> None:
    path = _desk(tmp_path)
    source = FileSource(path)
    first = source.fingerprint()
    path.write_bytes(path.read_bytes() + b"\0")  # changed while the pass wrote: the retry must see it
    assert source.fingerprint() != first
    missing = FileSource(tmp_path / "gone.xlsx")
    with pytest.raises(WorkbookUnreadable, match="no such file"):
        missing.fingerprint()


def test_a_no_change_pass_reports_exactly_what_the_pass_before_it_did(tmp_path: Path) -> None:
    """Every row's status counts (also rows the ledger cannot key, such as a line without an Order ID)."""
    root = Path(__file__).resolve().parents[2] / "workbooks"
    shutil.copy2(root / "orders.xlsx", tmp_path / "orders.xlsx")
    shutil.copy2(root / "sheetclerk.toml", tmp_path / "sheetclerk.toml")
    full = run_pass(tmp_path / "orders.xlsx")
    again = run_pass(tmp_path / "orders.xlsx")
    assert (full.status, again.status) == ("synced", "unchanged")
    assert again.statuses == full.statuses
    assert [(f.sheet, f.row, f.column, f.code) for f in again.flags] == [(f.sheet, f.row, f.column, f.code) for f in full.flags]


# --- the probe: an unchanged file answered from one row, before SQLAlchemy opens the ledger ----------


def test_an_unchanged_file_is_answered_by_the_probe_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default SQLite ledger: the no-change pass never opens the ledger through SQLAlchemy, and says the same."""
    path = _desk(tmp_path)
    run_pass(path)
    ledger = Ledger.open(_default_url(path))
    try:
        through_ledger = run_pass(path, ledger=ledger)  # a ledger handed in: no probe
    finally:
        ledger.close()
    monkeypatch.setattr(Ledger, "for_workbook", _must_not_open)
    probed = run_pass(path)
    assert probed.status == through_ledger.status == "unchanged"
    assert _as_reported(probed) == _as_reported(through_ledger)
    assert probed.sha256_after == through_ledger.sha256_after


def test_a_changed_file_or_a_forgotten_summary_goes_past_the_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _desk(tmp_path)
    run_pass(path)
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one byte of the zip's comment length: a different file
    monkeypatch.setattr(Ledger, "for_workbook", _must_not_open)
    with pytest.raises(AssertionError, match="opened the ledger"):
        run_pass(path)


@pytest.mark.parametrize("url", ["postgresql://u@127.0.0.1/x", "sqlite://", "sqlite:///:memory:", "sqlite:///x.db?mode=ro"])
def test_the_probe_only_reads_plain_sqlite_files(url: str) -> None:
    from sync.ledger.probe import last_write

    assert last_write(url, "w.xlsx", "0006") is None


def test_the_probe_steps_aside_for_a_missing_or_older_ledger(tmp_path: Path) -> None:
    from sync.ledger.probe import last_write
    from sync.ledger.store import SCHEMA_VERSION

    path = _desk(tmp_path)
    url = _default_url(path)
    assert last_write(url, str(path), SCHEMA_VERSION) is None  # no ledger yet
    run_pass(path)
    assert last_write(url, str(path), SCHEMA_VERSION).sha is not None
    assert last_write(url, str(path), "0005") is None  # a ledger at another schema: the pass migrates it first
    (tmp_path / "sheetclerk-data" / "ledger.sqlite").write_bytes(b"not a database")
    assert last_write(url, str(path), SCHEMA_VERSION) is None


def _default_url(path: Path) -> str:
    from sync.ledger.store import ledger_url_for

    return ledger_url_for(path)


def _must_not_open(*_a, **_k):
    raise AssertionError("the pass opened the ledger")
