"""Read-only outputs from the ledger: an order's timeline (`status ORDER_ID`), the end-of-day carrier
manifests (`manifest`) and the day's report (`report`).

    sheetclerk status SO-1042 [-w WORKBOOK] [--json]
    sheetclerk manifest WORKBOOK [--date YYYY-MM-DD] [--json]
    sheetclerk report WORKBOOK [--date YYYY-MM-DD] [--json]

None of them writes to the ledger or the workbook; manifest and report write
their PDFs under the data folder (`documents/manifest/...`, `documents/report/...`).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from sync.errors import CannotRun
from sync.reports.describe import money
from sync.reports.source import book_for, reading

EXIT_OK, EXIT_NOT_FOUND = 0, 1

WorkbookArg = Annotated[Path, typer.Argument(help="The order workbook (.xlsx or .xlsm).", show_default=False)]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="The day, YYYY-MM-DD (UTC, as the ledger stamps events); default today.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON instead of a table.")]


def _day(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CannotRun(f"--date {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-21.") from None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


# --- status ORDER_ID -------------------------------------------------------------------


def order_status(order_ids: list[str], workbooks: list[Path], as_json: bool) -> int:
    """Print each order's timeline from the first workbook whose ledger knows it; 1 if one is unknown."""
    from sync.reports.timeline import timeline

    books = [book_for(w) for w in workbooks if _synced(w)]
    if not books:
        where = ", ".join(str(w) for w in workbooks) or "this folder"
        raise CannotRun(f"no synced workbook to look up {', '.join(order_ids)} in ({where}); name one with --workbook.")
    found, missing = [], []
    for order_id in order_ids:
        for book in books:
            with reading(book) as conn:
                t = timeline(conn, book, order_id)
            if t is not None:
                found.append(t)
                break
        else:
            missing.append(order_id)
    if as_json:
        _print_json([t.as_json() for t in found])
    else:
        console = Console(highlight=False, soft_wrap=True)
        for t in found:
            print_timeline(t, console)
    if missing:
        names = ", ".join(Path(b.name).name for b in books)
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"No order {', '.join(missing)} in the ledger of {names}. Is the Order ID right, and has the workbook been synced since it was entered?"
        )
    return EXIT_NOT_FOUND if missing else EXIT_OK


def _synced(path: Path) -> bool:
    try:
        book_for(path)
    except CannotRun:
        return False
    return True


def _when(at: str) -> str:
    return at.replace("T", " ").removesuffix("Z")


def print_timeline(t, console: Console) -> None:
    console.print(f"[bold]Order {t.order_id}[/]: {t.status}  [dim]({t.workbook})[/]")
    lines = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Lines now", title_justify="left")
    for name in ("Row", "SKU", "Qty", "Status", "Invoice No", "Shipped", "Returned"):
        lines.add_column(name, justify="right" if name in ("Row", "Qty", "Shipped", "Returned") else "left")
    for x in t.lines:
        lines.add_row(str(x.row) + ("" if x.on_sheet else " (removed)"), x.sku, str(x.quantity or ""), x.status,
                      x.invoice_no or "", str(x.shipped), str(x.returned))
    console.print(lines)
    for i in t.invoices:
        m = lambda v: money(v, t.currency)  # noqa: E731
        console.print(f"Invoice {i.number}: {m(i.gross)} {t.currency}, credited {m(i.credited)}, paid {m(i.paid)}; "
                      f"[bold]balance {m(i.balance)} {t.currency}[/]")
    for s in t.shipments:
        code = s.get("tracking_no") or (f"SSCC {s['sscc']}" if s.get("sscc") else "no tracking number")
        console.print(f"Shipment {s.get('n', '')}: {s.get('carrier') or s.get('method') or '-'}, {code}"
                      + (f", label {s['label_path']}" if s.get("label_path") else ""))
    events = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Timeline", title_justify="left")
    events.add_column("When (UTC)", no_wrap=True, style="cyan")
    events.add_column("Line", no_wrap=True)
    events.add_column("What happened", overflow="fold", ratio=1)
    for e in t.entries:
        style = {"flag_raised": "yellow", "flag_resolved": "green", "document_issued": "bold"}.get(e.kind, "")
        events.add_row(_when(e.at), e.sku, f"[{style}]{e.text}[/]" if style else e.text)
    console.print(events)


# --- manifest and report -------------------------------------------------------------


def manifest(workbook: WorkbookArg, day: DateOpt = None, as_json: JsonOpt = False) -> None:
    """End of day: one PDF per carrier listing the day's shipments, for the driver to sign at pickup."""
    from sync.reports.manifest import day_shipments, write_manifests

    when = _day(day)
    book = book_for(workbook)
    with reading(book) as conn:
        found = day_shipments(conn, book, when)
    written = write_manifests(book, found)
    if as_json:
        _print_json({"date": when.isoformat(), "manifests": [m.as_json() | {"path": str(path)} for m, path in written],
                     "without_carrier": len(found.without_carrier), "voided_labels": len(found.voided)})
        return
    console = Console(highlight=False, soft_wrap=True)
    if not written:
        console.print(f"No shipments with a carrier on {when.isoformat()}: no manifest to print.")
    for m, path in written:
        console.print(f"[bold]{m.carrier}[/]: {_count(len(m.shipments), 'shipment')}, {_count(m.parcels, 'parcel')}, "
                      f"{format(m.weight_kg.normalize(), 'f')} kg → {path}")
    if found.without_carrier:
        console.print(f"{len(found.without_carrier)} shipment(s) without a carrier (e.g. Pickup) need no manifest.", style="dim")
    if found.voided:
        console.print(f"{len(found.voided)} shipment(s) with a voided label are left off.", style="dim")


def report(workbook: WorkbookArg, day: DateOpt = None, as_json: JsonOpt = False) -> None:
    """End of day: a PDF of the day (orders, documents, shipments, returns, payments, flags, low stock,
    time per stage, with charts) and a summary here."""
    from sync.atomic import write_atomically
    from sync.documents.files import absolute
    from sync.reports.day_report import build
    from sync.reports.report_pdf import render_report

    when = _day(day)
    book = book_for(workbook)
    with reading(book) as conn:
        r = build(conn, book, when)
    path = absolute(book.data_dir, f"documents/report/{when.year:04d}/report-{when.isoformat()}.pdf")
    write_atomically(path, render_report(r, book))
    if as_json:
        _print_json(r.as_json() | {"path": str(path)})
        return
    print_day(r, Console(highlight=False, soft_wrap=True))
    Console(highlight=False, soft_wrap=True).print(f"Report: {path}")


def print_day(r, console: Console) -> None:
    from sync.reports.report_pdf import duration

    m = lambda v: money(v, r.currency)  # noqa: E731
    console.print(f"[bold]{r.day.isoformat()}[/] ({Path(r.workbook).name})")
    console.print(
        f"  received {len(r.received)} · verified {len(r.verified)} · invoiced {sum(1 for i in r.invoiced if i.kind == 'invoice')} "
        f"({m(r.invoiced_gross)} {r.currency}) · shipped {len(r.shipped)} ({r.parcels} parcels) · returns {len(r.returns)} · "
        f"payments {len(r.payments)} ({m(r.payments_total)} {r.currency})"
    )
    console.print("  orders now: " + (", ".join(f"{n} {s}" for s, n in r.by_status.items()) or "none"))
    if r.on_hold:
        console.print("  [red]on hold[/]: " + "; ".join(f"{h.order_id} ({', '.join(x.split(' ')[0].rstrip(':') for x in h.reasons)})" for h in r.on_hold))
    if r.backordered:
        console.print("  [yellow]backordered[/]: " + ", ".join(b.order_id for b in r.backordered))
    if r.open_flags:
        console.print("  open flags: " + ", ".join(f"{n} {code}" for code, (_, n) in r.open_flags.items()))
    if r.reviewed:
        console.print(f"  reviewed at reconcile: {len(r.reviewed)}")
    if r.low_stock:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Low stock", title_justify="left")
        for name in ("SKU", "Location", "Available", "Reorder Point", "Reorder Qty"):
            table.add_column(name, justify="left" if name in ("SKU", "Location") else "right")
        for x in r.low_stock:
            table.add_row(x.sku, x.location, str(x.available), str(x.reorder_point), "" if x.reorder_qty is None else str(x.reorder_qty))
        console.print(table)
    for s in r.stages:
        if s.count:
            console.print(f"  {s.name}: median {duration(s.median_hours)} over {s.count}; slowest {s.slowest_order} {duration(s.slowest_hours)}")


def register(app: typer.Typer) -> None:
    """Add `manifest` and `report` to the sheetclerk command line."""
    app.command("manifest")(manifest)
    app.command("report")(report)
