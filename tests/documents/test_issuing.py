"""Issuing documents in the sync pass: numbers, idempotence, files, refusals, the documents command.

The PDFs here come from a plain fpdf2 renderer that prints every value of the
document (the business's layouts are tested in test_render*.py): these tests
are about the ledger — gapless numbers, exactly once, files matching hashes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from rules.documents import Document
from sync.cli import main
from sync.config import load_settings
from sync.documents import registry
from sync.documents.output import verify_files
from sync.ledger import Ledger, ledger_url_for
from sync.ledger.store import data_dir_for
from sync.pipeline import run_pass

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "workbooks" / "orders.xlsx"


def plain(document: Document) -> bytes:
    """A deterministic one-page PDF carrying the document's JSON (core font, Latin-1 safe)."""
    pdf = FPDF()
    pdf.set_creation_date(__import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=7)
    text = document.model_dump_json().encode("latin-1", "replace").decode("latin-1")
    pdf.multi_cell(0, 3, text)
    return bytes(pdf.output())


def desk(tmp_path: Path, name: str = "desk", config: str = "") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy2(STARTER, folder / "orders.xlsx")
    toml = STARTER.with_name("sheetclerk.toml").read_text() + config
    (folder / "sheetclerk.toml").write_text(toml)
    return folder / "orders.xlsx"


def documents(path: Path, url: str | None = None) -> list[registry.Issued]:
    ledger = Ledger.open(url or ledger_url_for(path))
    with ledger.read() as conn:
        out = registry.all_documents(conn)
    ledger.close()
    return out


def test_action_invoice_issues_invoice_and_packing_slip_in_sheet_order(tmp_path: Path) -> None:
    path = desk(tmp_path)
    result = run_pass(path, render=plain)
    assert result.documents == ("INV-2026-00001", "PS-2026-00001", "INV-2026-00002", "PS-2026-00002")
    docs = {d.number: d for d in documents(path)}
    assert docs["INV-2026-00001"].document.order_id == "SO-1001"
    assert docs["INV-2026-00002"].document.order_id == "SO-1003"
    assert docs["INV-2026-00002"].document.treatment == "reverse_charge"  # FR buyer with a valid VAT ID
    folder = data_dir_for(path)
    for d in docs.values():
        pdf = (folder / d.path).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == d.sha256
        assert d.number in "".join(p.extract_text() for p in PdfReader(folder / d.path).pages)
    assert all(d.written for d in documents(path))
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Orders").to_python()
    head = [str(h) for h in rows[0]]
    by_row = {i: dict(zip(head, r)) for i, r in enumerate(rows[1:], start=2)}
    assert [by_row[r]["Invoice No"] for r in (2, 3, 6, 7)] == ["INV-2026-00001"] * 2 + ["INV-2026-00002"] * 2
    assert {by_row[r]["Status"] for r in (2, 3, 6, 7)} == {"Invoiced"}
    assert not [f for f in result.flags if f.code == "payment_mismatch" and f.row in (2, 3)]  # PAY-0001/2 match


def test_rerunning_never_issues_a_second_invoice(tmp_path: Path) -> None:
    path = desk(tmp_path)
    run_pass(path, render=plain)
    again = run_pass(path, render=plain, write_back=True)
    assert again.documents == ()
    assert [d.number for d in documents(path)] == ["INV-2026-00001", "INV-2026-00002", "PS-2026-00001", "PS-2026-00002"]


def test_an_order_on_hold_is_refused_with_a_flag_and_uses_no_number(tmp_path: Path) -> None:
    path = desk(tmp_path)
    run_pass(path, render=plain)
    result = run_pass(path, render=plain, invoice=["SO-1023", "SO-1004"])  # SO-1023 is On hold (pack size)
    refused = [f for f in result.flags if f.code == "action_refused" and f.sheet == "Orders"]
    assert [f.row for f in refused] == [32] and "On hold" in refused[0].message
    assert result.documents == ("INV-2026-00003", "PS-2026-00003")
    numbers = [d.number for d in documents(path) if d.kind.value == "invoice"]
    assert numbers == [f"INV-2026-{n:05d}" for n in range(1, len(numbers) + 1)]  # refusals leave no gap
    with Ledger.open(ledger_url_for(path)).read() as conn:
        assert all(r.ok for r in registry.gaps(conn))


def test_a_render_failure_refuses_the_order_and_takes_no_number(tmp_path: Path) -> None:
    path = desk(tmp_path)

    def broken(document: Document) -> bytes:
        if document.order_id == "SO-1001":
            raise RuntimeError("font file unreadable")
        return plain(document)

    result = run_pass(path, render=broken)
    assert result.status == "synced"
    flag = next(f for f in result.flags if f.code == "action_refused" and f.sheet == "Orders")
    assert flag.row == 2 and "font file unreadable" in flag.message
    assert [d.number for d in documents(path) if d.kind.value == "invoice"] == ["INV-2026-00001"]
    assert documents(path)[0].document.order_id == "SO-1003"


def test_documents_command_issues_lists_and_proves_the_numbering(tmp_path: Path, capsys, monkeypatch) -> None:
    import sync.pipeline as pipeline

    monkeypatch.setattr(pipeline, "renderer_for", lambda settings: plain)
    path = desk(tmp_path)
    assert main(["sync", str(path)]) in (0, 1)
    capsys.readouterr()
    code = main(["documents", str(path), "SO-1005"])
    out = capsys.readouterr().out
    assert code == 0 and "INV-2026-00003" in out
    assert main(["documents", "gaps", str(path)]) == 0
    assert "no gaps" in capsys.readouterr().out
    assert main(["documents", "verify", str(path)]) == 0
    capsys.readouterr()
    assert main(["documents", "list", str(path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {r["number"] for r in listed} >= {"INV-2026-00003", "PS-2026-00003"}
    assert main(["documents", "void", str(path), "PS-2026-00003", "--reason", "printed twice"]) == 0
    assert main(["documents", "gaps", str(path)]) == 0  # a void keeps its number: still no gap
    assert (data_dir_for(path) / "documents/packing_slip/2026/PS-2026-00003.pdf").exists()


def test_verify_finds_a_changed_or_missing_pdf(tmp_path: Path) -> None:
    path = desk(tmp_path)
    run_pass(path, render=plain)
    folder = data_dir_for(path)
    (folder / "documents/invoice/2026/INV-2026-00001.pdf").write_bytes(b"%PDF-1.4 forged")
    (folder / "documents/packing_slip/2026/PS-2026-00002.pdf").unlink()
    ledger = Ledger.open(ledger_url_for(path))
    problems = {c.number: c.problem for c in verify_files(ledger, folder) if c.problem}
    ledger.close()
    assert problems.keys() == {"INV-2026-00001", "PS-2026-00002"}
    assert "missing" in problems["PS-2026-00002"] and "SHA-256" in problems["INV-2026-00001"]


def test_a_hostile_prefix_cannot_leave_the_documents_folder(tmp_path: Path) -> None:
    path = desk(tmp_path, config="")
    settings = load_settings(path, numbering={"invoice": "../../../etc/INV-{year}-", "packing_slip": "/tmp/PS-"})
    run_pass(path, settings, render=plain)
    folder = data_dir_for(path) / "documents"
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf"))
    assert len(files) == 4 and all(part not in ("..", ".", "") for f in files for part in f.split("/"))
    assert not (tmp_path / "etc").exists()


def test_auto_invoice_issues_for_every_verified_order(tmp_path: Path) -> None:
    path = desk(tmp_path)
    settings = load_settings(path, auto_invoice=True)
    result = run_pass(path, settings, render=plain)
    invoiced = {d.document.order_id for d in documents(path) if d.kind.value == "invoice"}
    assert {"SO-1001", "SO-1003"} <= invoiced and len(invoiced) > 2
    assert result.statuses.get("Verified", 0) == 0  # every verified order moved on to Invoiced


@pytest.mark.postgresql
def test_two_daemons_on_one_postgresql_ledger_number_without_gaps(tmp_path: Path, fresh_pg_url: str) -> None:
    """Two offices' daemons share one ledger and auto-invoice their own workbooks at the same moment."""
    paths = [desk(tmp_path, f"office{i}") for i in range(3)]
    errors: list[BaseException] = []

    def daemon(path: Path) -> None:
        ledger = Ledger.open(fresh_pg_url)
        try:
            run_pass(path, load_settings(path, auto_invoice=True, ledger_url=fresh_pg_url), ledger=ledger, render=plain)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        finally:
            ledger.close()

    threads = [threading.Thread(target=daemon, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    docs = documents(paths[0], fresh_pg_url)
    invoices = sorted(d.number for d in docs if d.kind.value == "invoice")
    assert invoices == [f"INV-2026-{n:05d}" for n in range(1, len(invoices) + 1)]
    assert len(invoices) == 3 * len({d.document.order_id for d in docs if d.kind.value == "invoice"})  # each office's own
    ledger = Ledger.open(fresh_pg_url)
    with ledger.read() as conn:
        assert all(r.ok for r in registry.gaps(conn))
    assert ledger.verify().ok
    ledger.close()


def test_documents_command_finds_the_workbook_in_this_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    import sync.pipeline as pipeline

    monkeypatch.setattr(pipeline, "renderer_for", lambda settings: plain)
    path = desk(tmp_path)
    monkeypatch.chdir(path.parent)
    assert main(["documents", "SO-1005"]) == 0
    assert "INV-2026-00003" in capsys.readouterr().out  # SO-1001 and SO-1003 took 1 and 2 in the same pass
    monkeypatch.chdir(tmp_path)
    assert main(["documents", "SO-1006"]) == 2
    assert "no workbook" in capsys.readouterr().err
