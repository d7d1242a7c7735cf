"""The sync pass end to end (sync/pipeline.py): the starter workbook, a real ledger,
real write-back, and clerks' edits made the way a spreadsheet program makes them
(openpyxl load, change, save: the whole package rewritten, as Excel does).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from sync.cli import main
from sync.config import load_settings
from sync.faults import POINTS
from sync.ledger import Ledger, ledger_url_for, schema
from sync.ledger.store import data_dir_for
from sync.pipeline import run_pass
from sync.reconcile import reconcile
from sync.xlsx_writer import XlsxWriter

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "workbooks" / "orders.xlsx"


def desk(tmp_path: Path, name: str = "desk") -> Path:
    """A copy of the starter workbook and its settings, modification time kept."""
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy2(STARTER, folder / "orders.xlsx")
    shutil.copy2(STARTER.with_name("sheetclerk.toml"), folder / "sheetclerk.toml")
    return folder / "orders.xlsx"


def column(path: Path, sheet: str, header: str) -> dict[int, object]:
    """Row -> value of one column, read back with python-calamine."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    at = [str(h).strip() for h in rows[0]].index(header)
    return {i: r[at] for i, r in enumerate(rows[1:], start=2) if at < len(r)}


def events(path: Path, url: str | None = None) -> list[dict]:
    ledger = Ledger.open(url or ledger_url_for(path))
    with ledger.read() as conn:
        rows = [dict(r) for r in conn.execute(select(schema.events).order_by(schema.events.c.seq)).mappings()]
    ledger.close()
    return rows


def state_dump(path: Path, url: str | None = None) -> dict[str, list]:
    """Every ledger table, workbook path and hashes left out, in a stable order."""
    ledger = Ledger.open(url or ledger_url_for(path))
    out = {}
    with ledger.read() as conn:
        for table in schema.metadata.sorted_tables:
            if table.name in ("chain_head", "passes"):
                continue
            rows = [
                {k: v for k, v in r.items() if k not in ("workbook", "hash", "prev_hash")}
                for r in conn.execute(select(table)).mappings()
            ]
            out[table.name] = sorted(rows, key=lambda r: sorted((k, str(v)) for k, v in r.items()))
    ledger.close()
    return out


def edit(path: Path, sheet: str, changes: dict[tuple[int, str], object], *, by: str | None = None) -> None:
    """A clerk's save: change cells by row and header, the way a spreadsheet program writes the file."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    headers = {str(c.value).strip(): c.column for c in ws[1] if c.value is not None}
    for (row, header), value in changes.items():
        cell = ws.cell(row=row, column=headers[header], value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # typed as text, as a clerk's text cell
    if by:
        book.properties.lastModifiedBy = by
    book.save(path)


def test_first_sync_records_every_line_and_writes_the_results_back(tmp_path: Path) -> None:
    path = desk(tmp_path)
    result = run_pass(path)
    assert result.status == "synced"
    assert result.events > 0
    status = column(path, "Orders", "Status")
    check = column(path, "Orders", "Check")
    assert status[2] == "Invoiced"  # Action = Invoice: invoiced in this very pass
    assert status[4] == "Verified"
    assert status[32] == "On hold" and "pack size 6" in check[32]
    assert status[40] == "Backordered"
    assert check[2] in ("", None)
    line_total = column(path, "Orders", "Line Total")
    assert line_total[2] == 295.0  # 10 x 29.50
    review = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Review").to_python()
    assert len(review) - 1 == len(result.flags)
    ledger = Ledger.open(ledger_url_for(path))
    assert ledger.verify().ok
    ledger.close()


def test_a_second_pass_changes_nothing(tmp_path: Path) -> None:
    path = desk(tmp_path)
    run_pass(path)
    before_bytes, before_events = path.read_bytes(), len(events(path))
    again = run_pass(path)
    assert again.status == "unchanged" and again.events == 0
    assert path.read_bytes() == before_bytes
    assert len(events(path)) == before_events


def test_a_changed_line_is_recorded_and_revalidated(tmp_path: Path) -> None:
    path = desk(tmp_path)
    run_pass(path)
    edit(path, "Orders", {(32, "Quantity"): 6})  # the pack-size demo row, fixed
    result = run_pass(path)
    kinds = [e["kind"] for e in events(path)[-result.events:]]
    assert "line_changed" in kinds and "flag_resolved" in kinds and "reserved" in kinds
    assert column(path, "Orders", "Status")[32] == "Verified"
    assert column(path, "Orders", "Check")[32] in ("", None)


def test_a_removed_line_is_kept_in_the_ledger_and_flagged_until_reviewed(tmp_path: Path) -> None:
    path = desk(tmp_path)
    run_pass(path)
    book = openpyxl.load_workbook(path)
    book["Orders"].delete_rows(4)  # SO-1002's first line
    book.save(path)
    result = run_pass(path)
    assert any(f.code == "row_removed" for f in result.flags)
    kinds = [e["kind"] for e in events(path)[-result.events:]]
    assert "line_removed" in kinds and "released" in kinds
    report = reconcile(path)
    assert [r["code"] for r in report.reviewed] == ["row_removed"]
    assert not any(f.code == "row_removed" for f in report.pass_result.flags)


def test_stock_moves_are_applied_exactly_once(tmp_path: Path) -> None:
    path = desk(tmp_path)
    run_pass(path)
    assert set(column(path, "Stock Moves", "Status").values()) == {"Applied"}
    on_hand = column(path, "Inventory", "On Hand")
    edit(path, "Stock Moves", {(2, "Status"): None})  # a clerk clears the status: still applied once
    run_pass(path)
    assert column(path, "Inventory", "On Hand") == on_hand
    assert sum(1 for e in events(path) if e["kind"] == "stock_moved") == 5


def test_a_hand_edit_of_on_hand_is_a_count_flagged_until_reconcile(tmp_path: Path) -> None:
    path = desk(tmp_path)
    run_pass(path)
    edit(path, "Inventory", {(2, "On Hand"): 7})
    result = run_pass(path)
    assert ("Inventory", 2, "On Hand", "stock_mismatch") in {(f.sheet, f.row, f.column, f.code) for f in result.flags}
    assert column(path, "Inventory", "On Hand")[2] == 7
    assert [e["kind"] for e in events(path) if e["kind"] == "stock_counted"] == ["stock_counted"]
    report = reconcile(path)
    assert [r["code"] for r in report.reviewed] == ["stock_mismatch"]
    assert report.chain_ok


def test_approve_records_who_and_accepts_the_price(tmp_path: Path) -> None:
    path = desk(tmp_path)
    run_pass(path)
    edit(path, "Orders", {(33, "Action"): "Approve"}, by="Maria Keller")  # the price_mismatch demo row
    result = run_pass(path)
    approved = [e for e in events(path) if e["kind"] == "approved"]
    assert len(approved) == 1 and "Maria Keller" in approved[0]["data"]
    assert not any(f.code == "price_mismatch" for f in result.flags)


def test_formula_looking_text_stays_text(tmp_path: Path) -> None:
    path = desk(tmp_path)
    edit(path, "Orders", {(2, "Notes"): '=HYPERLINK("http://example.com")', (3, "Notes"): "+cmd"})
    run_pass(path)
    book = openpyxl.load_workbook(path)
    ws = book["Orders"]
    notes_col = [c.column for c in ws[1] if c.value == "Notes"][0]
    assert ws.cell(2, notes_col).data_type == "s" and ws.cell(3, notes_col).data_type == "s"
    check_col = [c.column for c in ws[1] if c.value == "Check"][0]
    assert all(ws.cell(r, check_col).data_type in ("s", "n") for r in range(2, ws.max_row + 1))


def test_an_edit_between_read_and_write_is_never_lost(tmp_path: Path) -> None:
    """The clerk saves while the pass is working: the write is refused, the pass redone on the new file."""
    path = desk(tmp_path)

    class ClerkSavesFirst(XlsxWriter):
        saved = False

        def write(self, p, writes, expected_sha256):
            if not self.saved:
                self.saved = True
                edit(p, "Orders", {(2, "Notes"): "customer rang: deliver after 10"})
            return super().write(p, writes, expected_sha256)

    result = run_pass(path, writer=ClerkSavesFirst())
    assert result.status == "synced"
    assert column(path, "Orders", "Notes")[2] == "customer rang: deliver after 10"
    assert column(path, "Orders", "Status")[2] == "Invoiced"


@pytest.mark.parametrize("point", POINTS)
def test_killed_at_any_point_a_rerun_converges(tmp_path: Path, point: str) -> None:
    reference = desk(tmp_path, "reference")
    run_pass(reference)
    crashed = desk(tmp_path, "crashed")
    env = {**os.environ, "SHEETCLERK_CRASH_AT": point}
    cli = [sys.executable, "-c", "import sys; from sync.cli import main; sys.exit(main(sys.argv[1:]))", "sync", str(crashed)]
    killed = subprocess.run(cli, env=env, capture_output=True, timeout=120)
    assert killed.returncode == -9, killed.stderr.decode()
    run_pass(crashed)
    assert state_dump(crashed) == state_dump(reference)
    assert [(e["seq"], e["kind"], e["row"], e["data"]) for e in events(crashed)] == [
        (e["seq"], e["kind"], e["row"], e["data"]) for e in events(reference)
    ]
    for sheet, header in (("Orders", "Status"), ("Orders", "Check"), ("Orders", "Invoice No"), ("Inventory", "Available"),
                          ("Stock Moves", "Status")):
        assert column(crashed, sheet, header) == column(reference, sheet, header)
    assert run_pass(crashed).status == "unchanged"
    # the same documents, numbered without a gap, each PDF on disk byte for byte the reference's
    ref_docs, crash_docs = (sorted(p.relative_to(d).as_posix() for p in d.rglob("*.pdf"))
                            for d in (data_dir_for(reference), data_dir_for(crashed)))
    assert crash_docs == ref_docs and len(ref_docs) == 4
    for name in ref_docs:
        assert (data_dir_for(crashed) / name).read_bytes() == (data_dir_for(reference) / name).read_bytes()


@pytest.mark.postgresql
def test_two_daemons_on_one_postgresql_ledger_never_oversell(tmp_path: Path, fresh_pg_url: str) -> None:
    path = desk(tmp_path)
    settings = load_settings(path, ledger_url=fresh_pg_url)
    results, errors = [], []

    def daemon() -> None:
        ledger = Ledger.open(fresh_pg_url)
        try:
            results.append(run_pass(path, settings, ledger=ledger))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        finally:
            ledger.close()

    threads = [threading.Thread(target=daemon) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert {r.status for r in results} <= {"synced", "unchanged"}
    ledger = Ledger.open(fresh_pg_url)
    assert ledger.verify().ok
    with ledger.read() as conn:
        reserved = {}
        for r in conn.execute(select(schema.reservations)).mappings():
            reserved[(r["sku_key"], r["location_key"])] = reserved.get((r["sku_key"], r["location_key"]), 0) + r["quantity"]
        book = {(r["sku_key"], r["location_key"]): r["book"] for r in conn.execute(select(schema.stock)).mappings()}
        kinds = [r[0] for r in conn.execute(select(schema.events.c.kind))]
    ledger.close()
    assert all(q <= book[k] for k, q in reserved.items())
    assert kinds.count("line_seen") == 48  # recorded once, not once per daemon


def test_sync_command_prints_a_summary_and_exits_1_for_error_flags(tmp_path: Path, capsys) -> None:
    path = desk(tmp_path)
    assert main(["sync", str(path)]) == 1
    out = capsys.readouterr().out
    assert "synced" in out and "orders.xlsx" in out
    assert main(["sync", str(path)]) == 1
    assert "unchanged" in capsys.readouterr().out
    assert main(["ledger", "verify", str(path)]) == 0


def test_an_invoiced_line_that_changes_is_flagged_until_put_back(tmp_path: Path) -> None:
    """Invoicing arrives with the documents issue; here the ledger is told a line was invoiced."""
    path = desk(tmp_path)
    run_pass(path)
    ledger = Ledger.open(ledger_url_for(path))
    with ledger.engine.begin() as conn:
        conn.execute(
            schema.lines.update().where(schema.lines.c.order_id == "SO-1001").values(status="Invoiced", invoice_no="INV-2026-00001")
        )
        conn.execute(schema.passes.update().values(written_sha=None))
    ledger.close()
    run_pass(path)  # records the invoiced terms
    edit(path, "Orders", {(2, "Quantity"): 11, (2, "Notes"): "more please"})
    result = run_pass(path)
    assert {(f.row, f.column, f.code) for f in result.flags if f.code == "changed_after_invoice"} == {(2, "Quantity", "changed_after_invoice")}
    assert column(path, "Orders", "Status")[2] == "Invoiced"
    edit(path, "Orders", {(2, "Quantity"): 10})
    assert not any(f.code == "changed_after_invoice" for f in run_pass(path).flags)


def test_a_first_sync_adopts_the_history_already_in_the_sheet(tmp_path: Path) -> None:
    """A desk kept before sheetclerk: invoiced and delivered lines keep their status and number."""
    path = desk(tmp_path)
    edit(path, "Orders", {(2, "Status"): "Delivered", (2, "Invoice No"): "RE-2025-118",
                          (3, "Status"): "Delivered", (3, "Invoice No"): "RE-2025-118",
                          (4, "Status"): "Invoiced", (4, "Invoice No"): "RE-2025-121"})
    result = run_pass(path)
    status, invoice = column(path, "Orders", "Status"), column(path, "Orders", "Invoice No")
    assert (status[2], status[3], status[4]) == ("Delivered", "Delivered", "Invoiced")
    assert (invoice[2], invoice[4]) == ("RE-2025-118", "RE-2025-121")
    assert [e["kind"] for e in events(path)].count("line_adopted") == 3
    assert result.statuses.get("Delivered") == 2
    assert not any(f.code == "changed_after_invoice" for f in result.flags)
    edit(path, "Orders", {(6, "Notes"): "call first"})
    again = run_pass(path)
    assert [e["kind"] for e in events(path)[-again.events:]] == ["line_changed"]  # the first pass settled everything


@pytest.mark.parametrize("point", ["mid_record", "after_commit", "after_documents", "after_write"])
def test_killed_while_shipping_and_cancelling_a_rerun_converges(tmp_path: Path, point: str) -> None:
    """The lifecycle steps (parcels, stock out, labels, credit notes) are exactly-once like the rest of a pass."""
    from helpers import clerk_saves

    actions = {"Orders": {(2, "Action"): "Ship", (3, "Action"): "Ship", (6, "Action"): "Cancel", (7, "Action"): "Cancel",
                          (40, "Action"): "Ship"}}
    paths = {}
    for name in ("reference", "crashed"):
        paths[name] = path = desk(tmp_path, name)
        clerk_saves(path, "2026-11-23")
        run_pass(path)
        clerk_saves(path, "2026-11-24", actions)
    run_pass(paths["reference"])
    env = {**os.environ, "SHEETCLERK_CRASH_AT": point}
    cli = [sys.executable, "-c", "import sys; from sync.cli import main; sys.exit(main(sys.argv[1:]))", "sync",
           str(paths["crashed"])]
    assert subprocess.run(cli, env=env, capture_output=True, timeout=120).returncode == -9
    run_pass(paths["crashed"])
    assert state_dump(paths["crashed"]) == state_dump(paths["reference"])
    reference, crashed = (data_dir_for(p) for p in (paths["reference"], paths["crashed"]))
    names = sorted(p.relative_to(reference).as_posix() for p in reference.rglob("*.pdf"))
    assert names == sorted(p.relative_to(crashed).as_posix() for p in crashed.rglob("*.pdf"))
    assert any("label" in n for n in names) and any("credit_note" in n for n in names)
    assert all((crashed / n).read_bytes() == (reference / n).read_bytes() for n in names)
    assert column(paths["crashed"], "Orders", "Status") == column(paths["reference"], "Orders", "Status")


def test_a_deleted_review_sidecar_comes_back_with_the_rows_the_review_sheet_holds(tmp_path: Path) -> None:
    """The Review sheet already matches (no write into the workbook), the sidecar is gone: the next pass with
    something to do writes it again from the rows it planned."""
    path = desk(tmp_path)
    run_pass(path)
    sidecar = path.with_name("orders.review.xlsx")
    expected = CalamineWorkbook.from_path(str(sidecar)).get_sheet_by_name("Review").to_python()
    sidecar.unlink()
    edit(path, "Orders", {(5, "Notes"): "leave at the door"})
    result = run_pass(path)
    assert result.status == "synced"
    assert CalamineWorkbook.from_path(str(sidecar)).get_sheet_by_name("Review").to_python() == expected
