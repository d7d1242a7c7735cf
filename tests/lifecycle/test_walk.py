"""Ten orders of the starter workbook walked through every path of the lifecycle, on a real
workbook and ledger (SQLite and PostgreSQL), then the ledger's invariants.

Each step is a clerk's save (openpyxl rewrites the package, as Excel does) with
the file's modification time set to the day it happens: a pass dates its events
and documents by the save, so the walk spans days and an invoice can fall due.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from helpers import clerk_saves
from rules.documents import Kind
from rules.sscc import is_valid
from sync.config import load_settings
from sync.documents import registry
from sync.ledger import Ledger, schema
from sync.ledger.store import data_dir_for
from sync.pipeline import run_pass
from sync.reconcile import reconcile

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "workbooks" / "orders.xlsx"


save = clerk_saves  # a clerk's save on a day (sets the file time: passes date by the save)



def sheet(path: Path, name: str) -> dict[int, dict[str, object]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)
    head = [str(h).strip() for h in rows[0]]
    return {i: dict(zip(head, r)) for i, r in enumerate(rows[1:], start=2)}


def flags_of(result, code: str) -> list:
    return [f for f in result.flags if f.code == code]


@pytest.fixture
def walk(tmp_path: Path, ledger_url: str):
    folder = tmp_path / "desk"
    folder.mkdir()
    shutil.copy2(STARTER, folder / "orders.xlsx")
    shutil.copy2(STARTER.with_name("sheetclerk.toml"), folder / "sheetclerk.toml")
    path = folder / "orders.xlsx"
    settings = load_settings(path, ledger_url=ledger_url)
    ledger = Ledger.open(ledger_url)

    def sync(day: str, changes=None):
        save(path, day, changes)
        return run_pass(path, settings, ledger=ledger)

    yield path, sync, ledger
    ledger.close()


def test_ten_orders_through_every_path(walk) -> None:
    path, sync, ledger = walk
    first = sync("2026-11-23")  # SO-1001 and SO-1003 carry Action = Invoice in the starter
    assert first.documents == ("INV-2026-00001", "PS-2026-00001", "INV-2026-00002", "PS-2026-00002")

    # Day 1: invoice seven more orders; cancel SO-1004 before it is invoiced; ship SO-1001 (tracking typed) and SO-1003.
    act = {(r, "Action"): "Invoice" for r in (4, 5, 9, 10, 12, 13, 14, 15, 17, 20, 40)}
    act |= {(8, "Action"): "Cancel", (2, "Action"): "Ship", (3, "Action"): "Ship", (6, "Action"): "Ship",
            (7, "Action"): "Ship", (2, "Tracking No"): "JJD000390007812345678"}
    day1 = sync("2026-11-23", {"Orders": act})
    orders = sheet(path, "Orders")
    assert orders[8]["Status"] == "Cancelled"
    assert {orders[r]["Status"] for r in (2, 3, 6, 7)} == {"Shipped"}
    assert {orders[r]["Invoice No"] for r in (12, 13)} == {"INV-2026-00005"}  # SO-1007, in sheet order
    assert orders[40]["Status"] == "Invoiced"  # SO-1031: 3 of 10 in stock, invoiced in full
    assert orders[6]["Tracking No"] and is_valid(str(orders[6]["Tracking No"]))  # no tracking typed: an SSCC
    assert orders[2]["Tracking No"] == "JJD000390007812345678"
    labels = {d.document.order_id: d for d in _docs(ledger) if d.kind is Kind.LABEL}
    assert labels["SO-1001"].document.tracking_no == "JJD000390007812345678"
    assert is_valid(labels["SO-1003"].document.sscc)
    assert not flags_of(day1, "payment_mismatch")  # PAY-0001/0002 pay INV-1 and INV-2 exactly

    # Day 2: cancel SO-1007 after invoicing (credit note); ship SO-1002, SO-1005, SO-1008 and SO-1031 (partial);
    # SO-1012 pays 10.00 too much.
    inv_1012 = _invoice(ledger, "SO-1012")
    day2 = sync("2026-11-24", {
        "Orders": {(12, "Action"): "Cancel", (13, "Action"): "Cancel", (4, "Action"): "Ship", (5, "Action"): "Ship",
                   (9, "Action"): "Ship", (10, "Action"): "Ship", (14, "Action"): "Ship", (15, "Action"): "Ship",
                   (40, "Action"): "Ship"},
        "Payments": {(4, "Payment ID"): "PAY-0003", (4, "Date"): datetime(2026, 11, 24),
                     (4, "Invoice No"): inv_1012.number, (4, "Amount"): float(inv_1012.document.totals.gross + 10)},
    })
    orders = sheet(path, "Orders")
    assert {orders[r]["Status"] for r in (12, 13)} == {"Cancelled"}
    credit = next(d for d in _docs(ledger) if d.kind is Kind.CREDIT_NOTE and d.document.order_id == "SO-1007")
    assert credit.document.refers_to == _invoice(ledger, "SO-1007").number
    assert credit.document.totals.gross == _invoice(ledger, "SO-1007").document.totals.gross
    assert orders[40]["Status"] == "Backordered" and orders[9]["Status"] == "Shipped"
    over = flags_of(day2, "payment_mismatch")
    assert [(f.sheet, f.row, f.column) for f in over] == [("Payments", 4, "Amount")] and "10.00 overpaid" in over[0].message

    # Day 3: stock arrives for SO-1031 (it ships the rest as a second parcel); returns: SO-1005 resellable refund,
    # SO-1005 damaged credit, SO-1002 damaged refund (starter RMA-0001), SO-1008 exchange (starter RMA-0002);
    # SO-1001 is delivered.
    mill_before = _book(ledger, "kb-mill")
    day3 = sync("2026-11-25", {
        "Stock Moves": {(7, "Date"): datetime(2026, 11, 25), (7, "SKU"): "KB-MILL", (7, "Location"): "Main",
                        (7, "Quantity"): 10, (7, "Reason"): "Receipt", (7, "Reference"): "PO-7781"},
        "Returns": {(4, "RMA ID"): "RMA-0003", (4, "Order ID"): "SO-1005", (4, "SKU"): "KB-ESP-1000",
                    (4, "Quantity"): 2, (4, "Condition"): "Resellable", (4, "Resolution"): "Refund",
                    (5, "RMA ID"): "RMA-0004", (5, "Order ID"): "SO-1005", (5, "SKU"): "KB-CLEAN",
                    (5, "Quantity"): 1, (5, "Condition"): "Damaged", (5, "Resolution"): "Credit"},
        "Orders": {(2, "Action"): "Deliver", (3, "Action"): "Deliver"},
    })
    orders = sheet(path, "Orders")
    assert orders[40]["Status"] == "Shipped"
    parcels = [d for d in _docs(ledger) if d.kind is Kind.LABEL and d.document.order_id == "SO-1031"]
    assert len(parcels) == 2  # the backorder shipped later, on its own label and packing slip
    assert _book(ledger, "kb-mill") == mill_before + 10 - 6  # 4 left in the first parcel (SO-1004's grinder freed)
    assert {orders[r]["Status"] for r in (2, 3)} == {"Delivered"}
    returns = sheet(path, "Returns")
    assert [returns[r]["Status"] for r in (2, 3, 4, 5)] == ["Refunded", "Exchanged", "Refunded", "Credited"]
    assert all(str(returns[r]["Credit Note No"]).startswith("CN-2026-") for r in (2, 4, 5))
    replacement = next(r for r, x in orders.items() if x["Order ID"] == "RMA-0002-X")
    assert orders[replacement]["SKU"] == "KB-MUG-6" and orders[replacement]["Quantity"] == 6
    # RMA-0002 was taken back on day 2 (SO-1008 shipped): its replacement row appeared then, and is verified now.
    assert orders[replacement]["Status"] == "Verified" and orders[replacement]["Line Total"] == 0
    assert not flags_of(day3, "action_refused")

    # Day 4: the exchange goes through the normal flow (invoice at no charge, ship).
    sync("2026-11-26")
    day4 = sync("2026-11-26", {"Orders": {(replacement, "Action"): "Invoice"}})
    assert sheet(path, "Orders")[replacement]["Status"] == "Invoiced"
    assert _invoice(ledger, "RMA-0002-X").document.totals.gross == 0
    sync("2026-11-26", {"Orders": {(replacement, "Action"): "Ship"}})
    assert sheet(path, "Orders")[replacement]["Status"] == "Shipped"
    assert day4.status == "synced"

    # Day 5: SO-1010 (Koffiehuis De Gracht, 14 days) is past due; it pays late and the flag clears.
    late = reconcile(path, settings_of(path, ledger), ledger=ledger, as_of=date(2026, 12, 9)).pass_result
    overdue = flags_of(late, "overdue_invoice")
    assert [(f.row, f.column) for f in overdue] == [(17, "Invoice No")]
    inv_1010 = _invoice(ledger, "SO-1010")
    paid = sync("2026-12-10", {"Payments": {
        (5, "Payment ID"): "PAY-0004", (5, "Date"): datetime(2026, 12, 10), (5, "Invoice No"): inv_1010.number,
        (5, "Amount"): float(inv_1010.document.totals.gross)}})
    assert not flags_of(paid, "overdue_invoice")
    assert run_pass(path, settings_of(path, ledger), ledger=ledger).status == "unchanged"

    _invariants(path, ledger)


def settings_of(path: Path, ledger: Ledger):
    return load_settings(path, ledger_url=ledger.engine.url.render_as_string(hide_password=False))


def _docs(ledger: Ledger) -> list[registry.Issued]:
    with ledger.read() as conn:
        return registry.all_documents(conn)


def _invoice(ledger: Ledger, order_id: str) -> registry.Issued:
    return next(d for d in _docs(ledger) if d.kind is Kind.INVOICE and d.document.order_id == order_id)


def _book(ledger: Ledger, sku_key: str) -> int:
    with ledger.read() as conn:
        return sum(r.book for r in conn.execute(select(schema.stock).where(schema.stock.c.sku_key == sku_key)))


def _invariants(path: Path, ledger: Ledger) -> None:
    with ledger.read() as conn:
        events = list(conn.execute(select(schema.events).order_by(schema.events.c.seq)).mappings())
        stock = {(r.sku, r.location): r.book for r in conn.execute(select(schema.stock))}
        series = registry.gaps(conn)
    # Stock by SKU and location equals the sum of its movements, and never goes below zero.
    moved: dict[tuple[str, str], int] = defaultdict(int)
    for e in events:
        d = json.loads(e["data"])
        k = e["kind"]
        if k == "stock_opened":
            moved[(d["sku"], d["location"])] = d["on_hand"]
        elif k == "stock_counted":
            moved[(d["sku"], d["location"])] = d["counted"]
        elif k == "stock_moved":
            moved[(d["sku"], d["location"])] += d["quantity"]
        elif k in ("stock_returned", "written_off"):
            moved[(d["sku"], d["location"])] += d["quantity"] if k == "stock_returned" else -d["quantity"]
        elif k == "shipped":
            sku = next(x["sku"] for x in events_lines(events, e))
            for loc_key, q in d["locations"].items():
                loc = next(l for (s, l) in stock if s == sku and l.casefold() == loc_key)
                moved[(sku, loc)] -= q
        if k in ("stock_moved", "stock_returned", "written_off", "shipped"):
            assert all(v >= 0 for v in moved.values()), (e["seq"], k)
    assert {k: v for k, v in moved.items()} == stock
    docs = _docs(ledger)
    # Every invoice total equals its lines; credit notes never exceed what they credit.
    credited: dict[str, Decimal] = defaultdict(Decimal)
    for d in docs:
        t = d.document.totals
        if d.kind in (Kind.INVOICE, Kind.CREDIT_NOTE):
            assert sum(i.net for i in d.document.items) + t.shipping_net == t.net == sum(b.net for b in d.document.bands)
            assert sum(b.tax for b in d.document.bands) == t.tax and t.net + t.tax == t.gross
        if d.kind is Kind.CREDIT_NOTE:
            credited[d.document.refers_to] += t.gross
    invoices = {d.number: d.document.totals.gross for d in docs if d.kind is Kind.INVOICE}
    assert credited and all(c <= invoices[n] for n, c in credited.items())
    # Every series is gapless; every file matches its hash; the chain holds.
    assert series and all(r.ok for r in series)
    folder = data_dir_for(path)
    for d in docs:
        text = "".join(p.extract_text() for p in PdfReader(folder / d.path).pages)
        assert d.number in text
    assert ledger.verify().ok


def events_lines(events, shipped_event):
    """The SKU of a `shipped` event's line: from the line's first event (seen / adopted)."""
    for e in events:
        if e["line_key"] == shipped_event["line_key"] and e["kind"] in ("line_seen", "line_adopted"):
            yield json.loads(e["data"])
            return

