"""`sheetclerk documents ...`: issue an order's documents, list them, prove the numbering, check the files.

    sheetclerk documents [WORKBOOK] ORDER_ID ... invoice + packing slip for these orders (same as Action = Invoice);
                                                 WORKBOOK defaults to the one workbook in this folder
    sheetclerk documents list WORKBOOK [ORDER_ID]
    sheetclerk documents gaps WORKBOOK           every series numbered 1..n without a hole
    sheetclerk documents verify WORKBOOK         every PDF on disk matches the SHA-256 in the ledger
    sheetclerk documents void WORKBOOK NUMBER --reason TEXT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from sync.config import load_settings

EXIT_OK, EXIT_FLAGS = 0, 1


class _IssueByDefault(TyperGroup):
    """`documents WORKBOOK ORDER_ID ...` is short for `documents issue WORKBOOK ORDER_ID ...`."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["issue", *args]
        return super().resolve_command(ctx, args)


documents_app = typer.Typer(
    cls=_IssueByDefault,
    help="Issue an order's invoice and packing slip; list, check and void documents.",
    no_args_is_help=True,
)

WorkbookArg = Annotated[Path, typer.Argument(help="The order workbook (.xlsx or .xlsm).", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON instead of a table.")]


def _ledger_and_folder(workbook: Path):
    from sync.ledger import Ledger
    from sync.ledger.store import data_dir_for

    settings = load_settings(workbook)
    return Ledger.for_workbook(workbook, settings), data_dir_for(Path(workbook), settings.data_dir), settings


@documents_app.command("issue")
def issue(
    items: Annotated[
        list[str], typer.Argument(help="[WORKBOOK] ORDER_ID...: the workbook (default: the one in this folder), then Order IDs.",
                                  show_default=False, metavar="[WORKBOOK] ORDER_ID...")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Invoice these orders now (a sync pass that treats them as Action = Invoice)."""
    from sync.cli import print_pass
    from sync.documents import registry
    from sync.pipeline import run_pass

    workbook, orders = _workbook_and_orders(items)
    settings = load_settings(workbook)
    result = run_pass(workbook, settings, invoice=orders)
    ledger, folder, _ = _ledger_and_folder(workbook)
    try:
        with ledger.read() as conn:
            found = {o: registry.for_order(conn, str(Path(workbook).resolve()), o) for o in orders}
    finally:
        ledger.close()
    if as_json:
        payload = result.as_json() | {
            "orders": {o: [{"kind": d.kind.value, "number": d.number, "path": str(folder / d.path)} for d in docs]
                       for o, docs in found.items()}
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        console = Console(highlight=False)
        print_pass(result, console)
        for order_id, docs in found.items():
            if not docs:
                refusal = next((f.message for f in result.flags if f.code == "action_refused" and order_id in f.message), "")
                console.print(f"[yellow]{order_id}[/]: no documents. {refusal or 'Is the Order ID on the Orders sheet?'}")
            for d in docs:
                console.print(f"{order_id}: {d.kind.value.replace('_', ' ')} [bold]{d.number}[/] → {folder / d.path}")
    missing = [o for o, docs in found.items() if not any(d.kind.value == "invoice" for d in docs)]
    raise typer.Exit(EXIT_FLAGS if missing else EXIT_OK)


def _workbook_and_orders(items: list[str]) -> tuple[Path, list[str]]:
    """`WORKBOOK ORDER...` or just `ORDER...` with the one workbook in the current folder."""
    from sync.cli import _workbooks
    from sync.errors import CannotRun

    first = Path(items[0])
    if first.suffix.lower() in (".xlsx", ".xlsm") or first.is_file():
        if len(items) < 2:
            raise CannotRun("Name at least one Order ID after the workbook, e.g. sheetclerk documents orders.xlsx SO-1042.")
        return first, items[1:]
    found = _workbooks([Path.cwd()])
    if len(found) != 1:
        where = "no workbook" if not found else f"{len(found)} workbooks ({', '.join(p.name for p in found)})"
        raise CannotRun(f"This folder has {where}: name the workbook first, e.g. sheetclerk documents orders.xlsx {items[0]}.")
    return found[0], items


@documents_app.command("list")
def list_documents(
    workbook: WorkbookArg,
    order_id: Annotated[str | None, typer.Argument(help="Only this order's documents.", show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every document issued for the workbook (or one order), with its file."""
    from sync.documents import registry

    ledger, folder, _ = _ledger_and_folder(workbook)
    name = str(Path(workbook).resolve())
    try:
        with ledger.read() as conn:
            docs = registry.for_order(conn, name, order_id) if order_id else registry.all_documents(conn, name)
    finally:
        ledger.close()
    rows = [
        {"number": d.number, "kind": d.kind.value, "order_id": d.document.order_id, "issued": d.document.issued.isoformat(),
         "status": d.status, "gross": str(d.document.totals.gross) if d.document.totals else None,
         "path": str(folder / d.path)}
        for d in docs
    ]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name_ in ("Number", "Type", "Order", "Issued", "Status", "Gross", "File"):
        table.add_column(name_, justify="right" if name_ == "Gross" else "left")
    for r in rows:
        table.add_row(r["number"], r["kind"], r["order_id"], r["issued"], r["status"], r["gross"] or "", r["path"])
    Console(highlight=False).print(table if rows else "No documents issued yet.")


@documents_app.command("gaps")
def gaps(workbook: WorkbookArg, as_json: JsonOpt = False) -> None:
    """Prove every document series is numbered 1..n without a gap or a reused number."""
    from sync.documents import registry

    ledger, _, _ = _ledger_and_folder(workbook)
    try:
        with ledger.read() as conn:
            reports = registry.gaps(conn)
    finally:
        ledger.close()
    ok = all(r.ok for r in reports)
    if as_json:
        sys.stdout.write(json.dumps({"ok": ok, "series": [
            {"series": r.series, "kind": r.kind, "count": r.count, "first": r.first, "last": r.last,
             "counter": r.counter, "missing": list(r.missing), "voided": r.voided} for r in reports]}, indent=2) + "\n")
        raise typer.Exit(EXIT_OK if ok else EXIT_FLAGS)
    console = Console(highlight=False)
    for r in reports:
        mark = "[green]✓[/]" if r.ok else "[red]✗[/]"
        detail = f"missing {', '.join(map(str, r.missing[:20]))}" if r.missing else (
            f"counter says {r.counter}" if r.counter != r.last else "no gaps")
        console.print(f"{mark} {r.series}  {r.count} issued, {r.first}–{r.last}"
                      + (f", {r.voided} voided" if r.voided else "") + f": {detail}")
    if not reports:
        console.print("No documents issued yet.")
    raise typer.Exit(EXIT_OK if ok else EXIT_FLAGS)


@documents_app.command("verify")
def verify(workbook: WorkbookArg) -> None:
    """Check every document's PDF on disk against the SHA-256 recorded in the ledger."""
    from sync.documents.output import verify_files

    ledger, folder, _ = _ledger_and_folder(workbook)
    try:
        checks = verify_files(ledger, folder, str(Path(workbook).resolve()))
    finally:
        ledger.close()
    console = Console(highlight=False)
    bad = [c for c in checks if c.problem]
    for c in bad:
        console.print(f"[red]✗[/] {c.number}: {c.path} is {c.problem}.")
    console.print(f"{len(checks) - len(bad)} of {len(checks)} documents match the ledger.")
    raise typer.Exit(EXIT_FLAGS if bad else EXIT_OK)


@documents_app.command("void")
def void(
    workbook: WorkbookArg,
    number: Annotated[str, typer.Argument(help="The document number, e.g. LBL-2026-00003.", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Why it is void (kept in the ledger).")],
) -> None:
    """Mark a document void. It keeps its number and its PDF; the ledger records who asked and why."""
    from datetime import UTC, datetime

    from sync.documents import registry

    ledger, _, _ = _ledger_and_folder(workbook)
    try:
        with ledger.write(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")) as tx:
            done = registry.void(tx, number, reason)
    finally:
        ledger.close()
    console = Console(highlight=False)
    if done is None:
        console.print(f"[red]No document {number}[/] in this ledger (see `sheetclerk documents list`).")
        raise typer.Exit(EXIT_FLAGS)
    console.print(f"{number} is void ({reason}); its number and PDF are kept.")
