"""The `sheetclerk` command line: thin Typer commands, one error boundary.

Exit codes (SPEC §3): 0 success, 1 the workbook has error flags, 2 sheetclerk
could not run (unreadable file, bad configuration). Nothing escapes as a
traceback unless SHEETCLERK_DEBUG=1.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from rules.flags import Severity
from sync.check import CheckReport, check_workbook
from sync.config import load_settings
from sync.errors import CannotRun

EXIT_OK, EXIT_FLAGS, EXIT_CANNOT_RUN = 0, 1, 2

app = typer.Typer(
    name="sheetclerk",
    help="Order processing for the workbook your clerks already use.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

WorkbookArg = Annotated[
    Path,
    typer.Argument(help="The order workbook (.xlsx or .xlsm).", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON instead of a table.")]


@app.command()
def check(workbook: WorkbookArg, as_json: JsonOpt = False) -> None:
    """Validate the workbook and list every flag. Writes nothing."""
    settings = load_settings(workbook)
    report = check_workbook(workbook, settings.policy())
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        print_report(report, Console(highlight=False))
    raise typer.Exit(EXIT_FLAGS if report.errors else EXIT_OK)


def print_flags(flags, console: Console) -> None:
    """One table per sheet, rows in order. Takes rule flags and ledger flags alike
    (anything with sheet, row, column, code, severity and message)."""
    by_sheet: dict[str, list] = {}
    for f in flags:
        by_sheet.setdefault(f.sheet, []).append(f)
    for sheet, sheet_flags in by_sheet.items():
        table = Table(title=f"[bold]{sheet}[/]", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("Row", justify="right", style="cyan", no_wrap=True)
        table.add_column("Column", no_wrap=True, max_width=22, overflow="ellipsis")
        table.add_column("Code", no_wrap=True)
        table.add_column("Message", overflow="fold", ratio=1)
        for f in sheet_flags:
            mark = "[red]✖" if f.severity == Severity.ERROR else "[yellow]▲"
            table.add_row(str(f.row or ""), f.column, f"{mark} {f.code}[/]", f.message)
        console.print(table)


def print_report(report: CheckReport, console: Console) -> None:
    """The flags, then a one-line summary."""
    print_flags(report.flags, console)
    s = report.summary()
    statuses = ", ".join(f"{n} {k}" for k, n in s["by_status"].items()) or "none"
    if report.flags:
        console.print("✖ error: blocks the order    ▲ warning: asks for a look", style="dim")
    console.print(
        f"[bold]{report.workbook.name}[/]: {_count(s['orders'], 'order')}, {_count(s['lines'], 'line')} ({statuses}); "
        f"[red]{_count(s['errors'], 'error')}[/], [yellow]{_count(s['warnings'], 'warning')}[/] "
        f"on {_count(s['flagged_rows'], 'row')}."
    )
    if not report.flags:
        console.print("[green]No problems found.[/]")


def _count(n: object, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


@app.command()
def sync(workbook: WorkbookArg, as_json: JsonOpt = False) -> None:
    """One full pass: record rows in the ledger, reserve stock, act on requests, write results back."""
    from sync.google.address import is_google
    from sync.pipeline import run_pass

    if is_google(workbook):  # gsheet:<key> or the sheet's URL (README "Google Sheets")
        from sync.google.source import open_sheet

        settings = load_settings(Path.cwd() / "google-sheet")
        source = open_sheet(str(workbook), settings.google.credentials, home=Path.cwd())
        result = run_pass(source, settings)
    else:
        settings = load_settings(workbook)
        result = run_pass(workbook, settings)
    if as_json:
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        print_pass(result, Console(highlight=False))
    raise typer.Exit(EXIT_FLAGS if result.errors else EXIT_OK)


def print_pass(result, console: Console) -> None:
    print_flags(result.flags, console)
    statuses = ", ".join(f"{n} {k}" for k, n in sorted(result.statuses.items())) or "no lines"
    what = {
        "synced": "synced",
        "unchanged": "unchanged since the last pass; nothing to do",
        "locked": "recorded in the ledger; the workbook is open in Excel or LibreOffice, so the write-back waits",
        "busy": "kept changing while sheetclerk worked; it will try again",
        "unreadable": "could not be written",
    }.get(result.status, result.status)
    console.print(
        f"[bold]{result.workbook.name}[/]: {what}. {_count(result.events, 'ledger event')}; "
        f"lines: {statuses}; [red]{_count(result.errors, 'error')}[/], [yellow]{_count(result.warnings, 'warning')}[/]."
        + (f" Write-back: {result.write}." if result.write else "")
    )
    if result.message and result.status != "unchanged":
        console.print(result.message, style="dim")


@app.command()
def reconcile(workbook: WorkbookArg, as_json: JsonOpt = False) -> None:
    """End of day: a full pass, then review the day's stock counts and removed rows, with a report."""
    from sync.reconcile import reconcile as run_reconcile

    report = run_reconcile(workbook, load_settings(workbook))
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2, default=str) + "\n")
        raise typer.Exit(EXIT_FLAGS if report.pass_result.errors else EXIT_OK)
    console = Console(highlight=False)
    print_pass(report.pass_result, console)
    if report.reviewed:
        console.print(f"[bold]Reviewed today[/] ({len(report.reviewed)}):")
        for r in report.reviewed:
            console.print(f"  {r['sheet']} row {r['row'] or '-'}: {r['message']}")
    stock = Table(title="[bold]Stock[/] (ledger book)", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("SKU", "Location", "On Hand", "Reserved", "Available"):
        stock.add_column(name, justify="right" if name in ("On Hand", "Reserved", "Available") else "left")
    for s in report.stock:
        stock.add_row(s.sku, s.location, str(s.book), str(s.reserved), str(s.available))
    console.print(stock)
    open_flags = ", ".join(f"{n} {code}" for code, n in report.open_by_code.items()) or "none"
    console.print(f"Open flags: {open_flags}.")
    console.print(
        f"Ledger: {_count(report.chain_events, 'event')}, hash chain "
        + ("[green]intact[/]." if report.chain_ok else "[red]BROKEN[/]: run `sheetclerk ledger verify`.")
    )
    raise typer.Exit(EXIT_FLAGS if report.pass_result.errors else EXIT_OK)


from sync.documents_cli import documents_app  # noqa: E402 - sub-commands defined in their own module

app.add_typer(documents_app, name="documents")

from sync.reports_cli import register as _register_reports  # noqa: E402 - manifest and report, in their own module

_register_reports(app)

from addin.cli import addin_app  # noqa: E402 - the add-in's sub-commands live in addin/

app.add_typer(addin_app, name="addin")

ledger_app = typer.Typer(help="Look after the ledger.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")


@ledger_app.command("verify")
def ledger_verify(workbook: WorkbookArg) -> None:
    """Recompute the hash chain of the workbook's ledger: any changed, removed or reordered event shows."""
    from sync.ledger import Ledger

    ledger = Ledger.for_workbook(workbook, load_settings(workbook))
    try:
        report = ledger.verify()
    finally:
        ledger.close()
    console = Console(highlight=False)
    if report.ok:
        console.print(f"Ledger intact: {_count(report.events, 'event')}, every hash and link checks out.")
        raise typer.Exit(EXIT_OK)
    console.print(f"[red]Ledger damaged[/] at event {report.broken_at}: {report.reason}.")
    raise typer.Exit(EXIT_FLAGS)


@app.command()
def watch(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks, or folders whose workbooks to watch (and the Google Sheet configured in ./sheetclerk.toml).", show_default=False)] = None,  # type: ignore[assignment]
    poll: Annotated[bool, typer.Option("--poll", help="Network share: rely on scanning only (no file events arrive).")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between full scans (the truth; events only hurry it).")] = 30.0,
    quiet: Annotated[float, typer.Option(help="Seconds a file must stay unchanged before a pass.")] = 0.5,  # = watcher.DEFAULT_QUIET
    log_json: Annotated[bool, typer.Option("--log-json", help="Log JSON lines instead of text.")] = False,
) -> None:
    """The daemon: sync each workbook whenever it is saved, until stopped (Ctrl-C / SIGTERM)."""
    import logging
    import threading

    from sync.pass_memory import RememberingPasses
    from sync.pipeline import run_pass
    from sync.watch_status import StatusFile
    from sync.watcher import Watcher, install_signal_handlers, make_log_handler

    log = logging.getLogger("sheetclerk")
    log.addHandler(make_log_handler(json=log_json))
    log.setLevel(logging.INFO)
    google = load_settings(Path.cwd() / "google-sheet").google
    sheets = []
    if google.spreadsheet:
        from sync.google.source import from_settings

        sheets.append(from_settings(load_settings(Path.cwd() / "google-sheet"), home=Path.cwd()))
    paths = paths or []
    try:
        watcher = Watcher(paths, RememberingPasses(run_pass), use_events=not poll, poll_interval=interval, quiet=quiet,
                          sheets=sheets, sheet_interval=google.poll_interval)
    except ValueError as e:
        raise CannotRun(str(e)) from None
    stop = threading.Event()
    restore = install_signal_handlers(stop)
    status = StatusFile(paths, watcher)
    status.start(stop)
    try:
        watcher.run(stop)
    finally:
        restore()
        status.write(stopped=True)


@app.command()
def status(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks or folders (default: this folder), or Order IDs.", show_default=False)] = None,  # type: ignore[assignment]
    as_json: JsonOpt = False,
    workbook: Annotated[list[Path] | None, typer.Option("--workbook", "-w", help="Where to look up Order IDs (default: the workbooks in this folder).", show_default=False)] = None,
) -> None:
    """For each workbook: last pass and its result, open flags, pending write-back, ledger health, daemon.

    An argument that is not a file or folder is an Order ID: its full timeline from the ledger and where it stands now.
    """
    from sync.watch_status import workbook_status

    if any(not p.exists() for p in paths or []):
        from sync.reports_cli import order_status

        places = [*(p for p in paths if p.exists()), *(workbook or [])] or [Path.cwd()]
        raise typer.Exit(order_status([str(p) for p in paths if not p.exists()], _workbooks(places), as_json))
    rows = [workbook_status(p) for p in _workbooks(paths or [Path.cwd()])]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        raise typer.Exit(EXIT_OK)
    console = Console(highlight=False, soft_wrap=True)
    if not rows:
        console.print("No workbooks found.")
    for r in rows:
        console.print(f"[bold]{r['workbook']}[/]")
        if not r["ledger"]:
            console.print("  not synced yet (no ledger).")
            continue
        console.print(f"  last pass: {r['last_pass'] or 'never'} ({r['result'] or '-'})"
                      + ("; [yellow]write-back pending[/]" if r["write_pending"] else ""))
        console.print(f"  open flags: [red]{r['errors']} errors[/], [yellow]{r['warnings']} warnings[/]")
        console.print(f"  ledger: {r['events']} events, chain " + ("[green]intact[/]" if r["chain_ok"] else "[red]BROKEN[/]"))
        daemon = r.get("daemon")
        console.print(f"  daemon: {daemon['state']} (heartbeat {daemon['heartbeat']})" if daemon else "  daemon: not running here")
    raise typer.Exit(EXIT_OK)


def _workbooks(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        if p.is_dir():
            out += sorted(
                q for q in p.iterdir()
                if q.suffix.lower() in (".xlsx", ".xlsm") and not q.name.startswith(("~$", ".")) and not q.name.endswith(".review.xlsx")
            )
        else:
            out.append(p)
    return out


service_app = typer.Typer(help="Start the daemon with the computer.", no_args_is_help=True)
app.add_typer(service_app, name="service")


@service_app.command("install")
def service_install(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks or folders the daemon watches.", show_default=False)],
    platform: Annotated[str | None, typer.Option(help="linux, macos or windows (default: this machine).")] = None,
    output: Annotated[Path | None, typer.Option(help="Write the file into this folder instead of installing it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a different service file already installed.")] = False,
) -> None:
    """Write a systemd unit, launchd agent or Task Scheduler task that runs `sheetclerk watch` at start-up."""
    from sync.service import install

    text = install(platform, [p.resolve() for p in paths], output=output, force=force)
    Console(highlight=False, soft_wrap=True).print(text)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new order desk (created if needed).")] = Path("desk"),
) -> None:
    """Start an order desk: copy the starter workbook and a sample sheetclerk.toml into FOLDER.

    Files already there are left alone, so running it again is harmless.
    """
    from sync.starter import copy_starter

    console = Console(highlight=False, soft_wrap=True)
    for path, created in copy_starter(folder):
        console.print(f"{'Created' if created else 'Kept'} {path}")
    console.print(f"Next: sheetclerk sync {folder / 'orders.xlsx'}")


@app.callback()
def _root() -> None:
    """sheetclerk: checks, ledger, stock and documents for a spreadsheet order desk."""


def main(argv: list[str] | None = None) -> int:
    """Console entry point: run the app and turn failures into messages and exit codes."""
    try:
        app(args=argv)  # standalone: usage errors print themselves and exit with 2
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else EXIT_CANNOT_RUN)
    except CannotRun as e:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]sheetclerk:[/] {e}", markup=True)
        return EXIT_CANNOT_RUN
    except (KeyboardInterrupt, typer.Abort):
        Console(stderr=True).print("sheetclerk: interrupted.")
        return 130
    except Exception as e:  # noqa: BLE001 - the one boundary: no traceback for users
        if os.environ.get("SHEETCLERK_DEBUG"):
            raise
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"[red]sheetclerk: internal error[/] ({type(e).__name__}: {e}). "
            "Run again with SHEETCLERK_DEBUG=1 to see the details, and please report it."
        )
        return EXIT_CANNOT_RUN
    return EXIT_OK
