"""`sheetclerk report`: the day's report as a PDF (read back with pypdf) and a summary."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from sync.cli import main
from sync.ledger import schema
from sync.reports.charts import nice_ticks
from sync.reports.day_report import build
from sync.reports.lifecycle import order_status
from sync.reports.report_pdf import duration, render_report
from sync.reports.source import book_for, reading

from .conftest import DAY2, DAY3, TRACKING_1001, Desk


def test_the_days_report_pdf_and_summary(desk: Desk, capsys) -> None:
    assert main(["report", str(desk.path), "--date", "2026-11-21"]) == 0
    out = capsys.readouterr().out
    assert "invoiced 3" in out and "shipped 4" in out and "KB-MILL" in out
    path = desk.data_dir / "documents" / "report" / "2026" / "report-2026-11-21.pdf"
    reader = PdfReader(path)
    first = reader.pages[0].extract_text()
    assert "End-of-day report" in first and "Orders by status at the end of the day" in first
    assert "Time per lifecycle stage" in first
    assert len(re.findall(rb"\bre\b", reader.pages[0].get_contents().get_data())) >= 20  # the charts' bars
    text = "\n".join(p.extract_text() for p in reader.pages)
    invoiced = [d for d in desk.documents.values() if d.kind.value == "invoice" and d.document.issued == DAY2]
    assert {d.document.order_id for d in invoiced} == {"SO-1002", "SO-1006", "SO-1011"}
    for d in invoiced:
        assert d.number in text
    gross = sum((d.document.totals.gross for d in invoiced), Decimal(0))
    assert f"{gross:,.2f} EUR invoiced" in text
    assert TRACKING_1001 in text and "RMA-0001" in text
    assert "SO-1019" in text and "missing_field (Quantity)" in text  # on hold, and why
    assert re.search(r"KB-MILL\s+Main\s+4\s+4\s+0\s+2\s+6", text)  # low stock with its Reorder Qty


def test_end_of_day_review_payments_and_stage_times(desk: Desk, capsys) -> None:
    assert main(["report", str(desk.path), "--date", "2026-11-22", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert [(p["payment_id"], Decimal(p["amount"])) for p in r["payments"]] == [("PAY-0003", Decimal(100))]
    assert [(x["sheet"], x["code"]) for x in r["reviewed"]] == [("Inventory", "stock_mismatch")]
    assert r["by_status"]["Delivered"] == 1 and r["by_status"]["Cancelled"] == 1
    assert [i["kind"] for i in r["invoiced"]] == ["credit_note"]  # SO-1011's cancellation
    stages = {s["name"]: s for s in r["stages"]}
    delivered = stages["Shipped → Delivered"]
    assert (delivered["count"], delivered["slowest_order"]) == (1, "SO-1001")
    assert abs(delivered["slowest_hours"] - (25 + 50 / 60)) < 1e-9  # shipped 11-21 09:15, delivered 11-22 11:05
    assert stages["Verified → Invoiced"]["count"] == 5
    assert Path(r["path"]).is_file()


def test_replayed_statuses_agree_with_the_ledgers_state(desk: Desk) -> None:
    book = book_for(desk.path)
    with reading(book) as conn:
        report = build(conn, book, DAY3)
        lines = conn.execute(select(schema.lines).where(schema.lines.c.workbook == desk.workbook,
                                                        schema.lines.c.present.is_(True))).mappings().all()
    by_order = defaultdict(list)
    for x in lines:
        by_order[x["order_id"]].append(x["status"])
    counted = defaultdict(int)
    for statuses in by_order.values():
        counted[order_status(statuses)] += 1
    assert report.by_status == dict(counted)


def test_same_ledger_same_bytes(desk: Desk) -> None:
    book = book_for(desk.path)
    with reading(book) as conn:
        a = render_report(build(conn, book, DAY2), book)
        b = render_report(build(conn, book, DAY2), book)
    assert a == b


def test_small_pieces() -> None:
    assert nice_ticks(23, whole=True) == [0, 10, 20, 30]
    assert nice_ticks(3, whole=True) == [0, 1, 2, 3]
    assert nice_ticks(0) == [0.0, 1.0]
    assert [duration(h) for h in (None, 0.25, 5.5, 30, 50)] == ["–", "15 min", "5 h 30 min", "30 h", "2 d 2 h"]
    assert order_status(["Shipped", "Backordered"]) == "Backordered"
    assert order_status(["On hold", "Verified"]) == "On hold"
