"""`sheetclerk status ORDER_ID`: an order's history and current state from the ledger."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from sync.cli import main
from sync.pipeline import run_pass
from sync.reports.describe import describe
from sync.reports.source import book_for, reading
from sync.reports.timeline import timeline

from .conftest import STARTER, TRACKING_1001, Desk


def _timeline(desk: Desk, order_id: str):
    book = book_for(desk.path)
    with reading(book) as conn:
        return timeline(conn, book, order_id)


def test_status_of_an_order_invoiced_by_its_action_in_a_real_pass(tmp_path: Path, monkeypatch, capsys) -> None:
    folder = tmp_path / "desk"
    folder.mkdir()
    shutil.copy2(STARTER, folder / "orders.xlsx")
    shutil.copy2(STARTER.with_name("sheetclerk.toml"), folder / "sheetclerk.toml")
    run_pass(folder / "orders.xlsx")
    monkeypatch.chdir(folder)  # no -w: the workbook in this folder

    assert main(["status", "so-1001", "--json"]) == 0
    (t,) = json.loads(capsys.readouterr().out)
    assert t["order_id"] == "SO-1001" and t["status"] == "Invoiced"
    kinds = [e["kind"] for e in t["events"]]
    for kind, n in {"line_seen": 2, "reserved": 2, "status_changed": 2, "document_issued": 2, "invoiced": 2}.items():
        assert kinds.count(kind) == n, kind
    assert kinds.index("line_seen") < kinds.index("status_changed") < kinds.index("invoiced")
    assert [(x["sku"], x["status"], x["invoice_no"]) for x in t["lines"]] == [
        ("KB-ESP-1000", "Invoiced", "INV-2026-00001"), ("KB-FIL-250", "Invoiced", "INV-2026-00001")]
    assert {d["kind"] for d in t["documents"]} == {"invoice", "packing_slip"}
    assert all(Path(d["path"]).is_file() for d in t["documents"])
    (invoice,) = t["invoices"]  # the starter's PAY-0001 pays it in full
    assert (invoice["number"], invoice["gross"], invoice["paid"], invoice["balance"]) == ("INV-2026-00001", "437.63", "437.63", "0.00")

    assert main(["status", "SO-1001"]) == 0
    out = capsys.readouterr().out
    assert "Invoice INV-2026-00001 issued" in out and "Status New → Verified" in out and "PAY-0001" in out


def test_shipped_and_delivered_order(desk: Desk) -> None:
    t = _timeline(desk, "SO-1001")
    assert t.status == "Delivered"
    assert [(x.sku, x.status, x.shipped, x.returned) for x in t.lines] == [
        ("KB-ESP-1000", "Delivered", 10, 0), ("KB-FIL-250", "Delivered", 12, 0)]
    (shipment,) = t.shipments
    assert shipment["carrier"] == "DHL Paket" and shipment["tracking_no"] == TRACKING_1001
    assert Path(shipment["label_path"]).is_file()
    texts = [e.text for e in t.entries]
    assert any(x.startswith("Shipment 1 handed to DHL Paket") and TRACKING_1001 in x for x in texts)
    assert texts.count("Delivered") == 2
    assert [e.at for e in t.entries] == sorted(e.at for e in t.entries)


def test_returned_goods_and_their_credit_note(desk: Desk) -> None:
    t = _timeline(desk, "SO-1002")
    v60 = next(x for x in t.lines if x.sku == "KB-V60")
    assert (v60.shipped, v60.returned) == (1, 1)
    (credit,) = desk.of("SO-1002", "credit_note")
    (invoice,) = t.invoices
    assert invoice.credited == credit.document.totals.gross
    assert invoice.balance == invoice.gross - invoice.credited - invoice.paid
    assert any("RMA-0001" in e.text and "Damaged" in e.text for e in t.entries)
    assert any(e.kind == "written_off" for e in t.entries)


def test_cancelled_order_owes_nothing(desk: Desk) -> None:
    t = _timeline(desk, "SO-1011")
    assert t.status == "Cancelled" and {x.status for x in t.lines} == {"Cancelled"}
    assert t.balance == Decimal("0.00")
    assert any(e.kind == "cancelled" and "credit note CN-" in e.text for e in t.entries)


def test_unknown_order_exits_1_and_nowhere_to_look_exits_2(desk: Desk, tmp_path: Path, monkeypatch, capsys) -> None:
    assert main(["status", "SO-9999", "-w", str(desk.path)]) == 1
    assert "No order SO-9999" in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)
    assert main(["status", "SO-1001"]) == 2


def test_paths_still_mean_workbooks_and_may_name_where_to_look(desk: Desk, capsys) -> None:
    assert main(["status", str(desk.path.parent), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["workbook"] == desk.workbook and row["chain_ok"]
    assert main(["status", str(desk.path), "SO-1006", "--json"]) == 0
    (t,) = json.loads(capsys.readouterr().out)
    assert t["order_id"] == "SO-1006" and t["shipments"][0]["carrier"] == "DHL Express"


@pytest.mark.parametrize("kind, data", [("something_new", {"a": 1}), ("shipment", {"n": None}), ("reserved", {"locations": 5})])
def test_every_event_gets_words_even_unexpected_ones(kind: str, data: dict) -> None:
    assert describe(kind, data)
