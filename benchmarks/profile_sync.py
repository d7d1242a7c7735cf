"""Where does a one-row-edit sync pass spend its time? Stage timings, in one process, on a private copy.

    .venv/bin/python benchmarks/profile_sync.py --work /tmp/mine [--lines 100000] [--repeat 3]
    .venv/bin/python benchmarks/profile_sync.py --work /tmp/mine --cprofile [--top 40]
    .venv/bin/python benchmarks/profile_sync.py --work /tmp/mine --resident   # as the daemon meets the edit

The first run builds `WORK/synced` (a first sync of generate.py's workbook, then
one settling pass, as bench_sync.py does) and `WORK/edited.xlsx` (that workbook
with one Orders Quantity doubled); later runs reuse them. Each repeat restores
`WORK/desk` from the snapshot, puts the edited workbook in place and runs
`run_pass` with every stage function wrapped in a timer (no profiler), then
checks the pass did what the benchmark expects: exactly one `line_changed`, for
that row, and the file written back. Several people can profile at once, each in
their own WORK folder (the ledger knows a workbook by its absolute path, so a
snapshot only works where it was made). With `--resident` each repeat is what
bench_sync.py's `resident` task times: an untimed pass over a Notes edit of
another row with a `PassMemory`, then the edit made to the file it wrote back,
then the timed pass with that memory.

The stage names are the functions sync.pipeline calls, plus the writer; nested
stages (evaluate inside _record) are counted in both, so the column does not sum.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import pstats
import shutil
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

WORKBOOK = "orders.xlsx"
STAGES = (
    ("sync.pipeline", "read_workbook"), ("rules.intake", "read_sheet"), ("sync.pipeline", "load"),
    ("sync.row_keys", "desk_anchors"), ("sync.pipeline", "_record_lines"), ("sync.pipeline", "_record_stock"),
    ("sync.pipeline", "_record_moves"), ("sync.pipeline", "_as_ledger_sees_it"), ("sync.pipeline", "evaluate"),
    ("sync.pipeline", "_record_reservations"), ("sync.pipeline", "_record_statuses"), ("sync.pipeline", "carry_out"),
    ("sync.pipeline", "_changed_after_invoice"), ("sync.pipeline", "_record_flags"), ("sync.pipeline", "_record"), ("sync.pipeline", "_record_read"),
    ("sync.pipeline", "write_documents"), ("sync.pipeline", "plan_writes"), ("sync.pipeline", "review_matches"),
    ("sync.pipeline", "_write_sidecar"), ("sync.pipeline", "_after_write"), ("sync.pipeline", "_unchanged_by_probe"),
    ("sync.pipeline", "load_last_write"), ("sync.pipeline", "_nothing_new"), ("sync.pipeline", "put_pass"),
    ("sync.pipeline", "mark_written"), ("sync.pipeline", "_attempt"),
)


def _build(work: Path, lines: int, seed: int) -> dict:
    """WORK/synced and WORK/edited.xlsx, made once (about a first sync's time)."""
    import bench_sync
    from bench_check import _workbook
    from sync.pipeline import run_pass

    marker = work / "edit.txt"
    if (work / "synced").is_dir() and (work / "edited.xlsx").is_file() and marker.is_file():
        row, column, before, after = marker.read_text().split("\t")
        return {"row": int(row), "column": column, "before": before, "after": after}
    source, _, _ = _workbook(lines, seed)
    desk = work / "desk"
    bench_sync._fresh(source, desk)
    book = desk / WORKBOOK
    print(f"building the synced snapshot in {work} (a first sync of {lines:,} lines)...", flush=True)
    run_pass(book)
    book.write_bytes(bench_sync._edit_cell(book.read_bytes(), bench_sync.SETTLE_ROW, "Notes", bench_sync.SETTLE_NOTE))
    run_pass(book)
    shutil.rmtree(work / "synced", ignore_errors=True)
    shutil.copytree(desk, work / "synced")
    edit = bench_sync._pick_edit(book, "Quantity")
    (work / "edited.xlsx").write_bytes(bench_sync._edit_cell(book.read_bytes(), edit["row"], "Quantity", edit["after"]))
    marker.write_text(f"{edit['row']}\tQuantity\t{edit['before']}\t{edit['after']}")
    return edit


def _wrap(timings: dict[str, float], cpu: dict[str, float]) -> None:
    def timed(fn, label):
        @functools.wraps(fn)
        def inner(*a, **k):
            t, c = time.perf_counter(), time.thread_time()
            try:
                return fn(*a, **k)
            finally:
                timings[label] += time.perf_counter() - t
                cpu[label] += time.thread_time() - c

        return inner

    for module, name in STAGES:
        m = importlib.import_module(module)
        setattr(m, name, timed(getattr(m, name), name))
    from sync.xlsx_writer import XlsxWriter

    XlsxWriter.write = timed(XlsxWriter.write, "XlsxWriter.write")


def _restore(work: Path, edit: dict, memory=None) -> Path:
    """The desk ready for the timed pass; with a `memory`, primed by the daemon's pass before."""
    import bench_sync
    from sync.pipeline import run_pass

    desk = work / "desk"
    shutil.rmtree(desk, ignore_errors=True)
    shutil.copytree(work / "synced", desk)
    book = desk / WORKBOOK
    if memory is None:
        shutil.copy2(work / "edited.xlsx", book)
        return book
    bench_sync.pass_before_the_edit(book, {**edit, "column": "Quantity"}, functools.partial(run_pass, memory=memory))
    return book


def _head(book: Path) -> int:
    with sqlite3.connect(book.parent / "sheetclerk-data" / "ledger.sqlite") as c:
        return c.execute("select coalesce(max(seq), 0) from events").fetchone()[0]


def _check(book: Path, head: int, edit: dict, result) -> str:
    with sqlite3.connect(book.parent / "sheetclerk-data" / "ledger.sqlite") as c:
        kinds = sorted(k for (k,) in c.execute("select kind from events where seq > ?", (head,)))
        rows = [r for (r,) in c.execute("select row from events where seq > ? and kind = 'line_changed'", (head,))]
    ok = kinds == ["line_changed", "released", "reserved"] and rows == [edit["row"]] and result.write == "written"
    return f"{'ok' if ok else 'UNEXPECTED'}: events {kinds}, line_changed rows {rows}, write {result.write}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, required=True, help="a private folder for the snapshot and the passes")
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cprofile", action="store_true", help="profile one pass with cProfile instead of timing stages")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--resident", action="store_true", help="time the pass as the daemon meets it, remembering the pass before")
    args = ap.parse_args(argv)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    edit = _build(work, args.lines, args.seed)
    from sync.pass_memory import PassMemory
    from sync.pipeline import run_pass

    print(f"edit: Orders row {edit['row']} Quantity {edit['before']} -> {edit['after']}")
    if args.cprofile:
        memory = PassMemory() if args.resident else None
        book = _restore(work, edit, memory)
        head = _head(book)
        prof = cProfile.Profile()
        result = prof.runcall(run_pass, book, memory=memory)
        print(_check(book, head, edit, result))
        pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)
        return 0
    runs: list[dict[str, float]] = []
    cpus: list[dict[str, float]] = []
    for _ in range(args.repeat):
        timings: dict[str, float] = defaultdict(float)
        cpu: dict[str, float] = defaultdict(float)
        memory = PassMemory() if args.resident else None
        book = _restore(work, edit, memory)
        head = _head(book)
        _wrap(timings, cpu)
        t, c = time.perf_counter(), time.thread_time()
        result = run_pass(book, memory=memory)
        timings["run_pass"], cpu["run_pass"] = time.perf_counter() - t, time.thread_time() - c
        print(f"  pass {timings['run_pass']:.3f} s  {_check(book, head, edit, result)}", flush=True)
        runs.append(dict(timings))
        cpus.append(dict(cpu))
        for module, name in STAGES:  # unwrap for the next run
            m = importlib.import_module(module)
            setattr(m, name, getattr(m, name).__wrapped__)
        from sync.xlsx_writer import XlsxWriter

        XlsxWriter.write = XlsxWriter.write.__wrapped__
    names = sorted({n for r in runs for n in r}, key=lambda n: -sorted(r.get(n, 0) for r in runs)[len(runs) // 2])
    print(f"\n{'stage':28s} {'wall s':>8s} {'cpu s':>8s}  (medians of {len(runs)} runs; cpu = this thread's CPU time,")
    print(f"{'':28s} {'':8s} {'':8s}   steadier than wall time when the machine is busy)")
    for n in names:
        wall = sorted(r.get(n, 0.0) for r in runs)
        used = sorted(r.get(n, 0.0) for r in cpus)
        print(f"{n:28s} {wall[len(wall) // 2]:8.3f} {used[len(used) // 2]:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
