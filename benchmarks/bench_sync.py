"""How fast is a sync pass compared with just reading (or hashing) the same file?

    .venv/bin/python benchmarks/bench_sync.py [--lines 10000,100000] [--repeat 3] [--keep]

For each workbook size (generated once by `generate.py`, shared with
`bench_check.py` in benchmarks/out/, git-ignored) every task runs in a fresh
Python process, `--repeat` times, round-robin:

  calamine   python-calamine: open, every sheet `.to_python()`          (the baseline)
  hash       read the file's bytes and SHA-256 them                      (the no-change target)
  first      `run_pass` on a copy in a fresh folder: no sheetclerk.toml (defaults), fresh SQLite ledger
  unchanged  `run_pass` again on the synced folder: nothing changed, expect status "unchanged"
  edit       one Orders cell changed the way a clerk's save changes it (only that cell, inside
             the zip), then `run_pass`; the pass must record exactly one `line_changed`
  resident   the same edit as the daemon meets it: in one process, `sync.pass_memory.RememberingPasses`
             first syncs a save of another row (untimed: the daemon's previous pass), then the
             edit is made to the file that pass wrote back, and its pass is timed
  latency    `sync.watcher.Watcher` on the synced folder (inotify, then poll mode): an Excel-style
             save (temp file, delete, rename) to the write-back of the pass it triggers

The synced folder is made once per size by the first `first` run, then one
settling pass (a Notes edit on row 2: the pass after a first sync is not yet a
steady state, see the README), and snapshotted; `unchanged`, `edit` and
`latency` each start from a copy of that snapshot at the same path (the ledger
knows a workbook by its absolute path). Setup, copies and the edit itself are
not timed.

Reported per task: the timed section inside the process (the read, the hash,
the `run_pass` call), imports, the whole child's wall time, and its peak RSS
(the child's own VmHWM; wait4's ru_maxrss would count the parent's memory at
the fork too). Medians over the repeats; peak RSS is the largest.
Ratios are against the calamine read (and the hash) measured in the same run.

Targets (the issue): a no-change pass costs no more than hashing the file; a
one-row edit on 100k lines finishes within 3x the calamine read time;
save-to-write-back latency under 2 s on 10k lines.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from bench_check import _code_version, _fmt, _median, _run, _workbook  # noqa: E402  (benchmarks/bench_check.py)

TASKS = ("calamine", "hash", "first", "unchanged", "edit", "resident", "latency")
PASS_TASKS = ("first", "unchanged", "edit", "resident")
LATENCY_MODES = ("inotify", "poll")
WORKBOOK = "orders.xlsx"
LEDGER = Path("sheetclerk-data") / "ledger.sqlite"

TARGET_EDIT_RATIO = 3.0
TARGET_EDIT_LINES = 100_000
TARGET_LATENCY_S = 2.0
TARGET_LATENCY_LINES = 10_000

SETTLE_ROW = 2
SETTLE_NOTE = "bench: settling pass"
PREVIOUS_ROW = 3
PREVIOUS_NOTE = "bench: the daemon's previous pass"
EXCEL_TEMP_NAME = "5A3F2B1C"
"""Excel saves into an extension-less 8-hex-digit temp name in the same folder."""


# --- children: one task per fresh process -----------------------------------------------


def _child(task: str, spec: dict) -> None:
    """Run one task and print one JSON line: import and work seconds, and what happened."""
    t0 = time.perf_counter()
    if task == "calamine":
        from python_calamine import CalamineWorkbook

        t1 = time.perf_counter()
        book = CalamineWorkbook.from_path(spec["path"])
        rows = sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)
        t2 = time.perf_counter()
        info: dict = {"rows": rows}
    elif task == "hash":
        t1 = time.perf_counter()
        with open(spec["path"], "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        t2 = time.perf_counter()
        info = {"sha256": digest}
    elif task in ("first", "unchanged", "edit", "settle", "resident"):
        from sync.pass_memory import RememberingPasses
        from sync.pipeline import run_pass
        from sync.xlsx_writer import XlsxWriter  # noqa: F401  (run_pass may import it lazily: count it as an import)

        path = Path(spec["path"])
        sync_pass = RememberingPasses(run_pass) if task == "resident" else run_pass
        if task == "settle":  # untimed: one clerk's edit, so that the pass has something to do
            path.write_bytes(_edit_cell(path.read_bytes(), SETTLE_ROW, "Notes", SETTLE_NOTE))
        if task == "resident":
            previous = pass_before_the_edit(path, spec["edit"], sync_pass)
        head = _ledger_head(path)
        t1 = time.perf_counter()
        result = sync_pass(path)
        t2 = time.perf_counter()
        info = {
            "status": result.status, "write": result.write, "events": result.events,
            "flags": len(result.flags), "errors": result.errors, "statuses": result.statuses,
            "recorded": _events_since(path, head),
        }
        if task in ("edit", "resident"):
            info["line_changed_rows"] = _changed_rows(path, head)
        if task == "resident":
            info["previous"] = {"status": previous.status, "write": previous.write, "events": previous.events}
    elif task == "latency":
        t1 = time.perf_counter()
        info = _latency(spec)
        t2 = time.perf_counter()
    elif task == "prepare":  # untimed setup: pick the row to edit and write the edited workbook
        t1 = time.perf_counter()
        info = _pick_edit(Path(spec["path"]), spec["column"])
        Path(spec["out"]).write_bytes(_edit_cell(Path(spec["path"]).read_bytes(), info["row"], info["column"], info["after"]))
        t2 = time.perf_counter()
    else:
        raise SystemExit(f"unknown task {task!r}")
    print(json.dumps({"import_s": t1 - t0, "work_s": t2 - t1, "peak_mb": _peak_mb(), **info}))


def _peak_mb() -> float | None:
    """This process's own peak RSS (VmHWM, Linux), in MB.

    Not wait4's ru_maxrss: on Linux that also counts the parent's resident
    memory at the fork (the high-water mark survives exec), which would credit
    the parent's size to a small child.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _ledger_head(workbook: Path) -> int:
    db = workbook.parent / LEDGER
    if not db.exists():
        return 0
    with sqlite3.connect(db) as c:
        return c.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]


def _events_since(workbook: Path, head: int) -> dict[str, int]:
    with sqlite3.connect(workbook.parent / LEDGER) as c:
        return dict(c.execute("SELECT kind, count(*) FROM events WHERE seq > ? GROUP BY kind ORDER BY kind", (head,)))


def _changed_rows(workbook: Path, head: int) -> list[dict]:
    with sqlite3.connect(workbook.parent / LEDGER) as c:
        found = c.execute("SELECT row, data FROM events WHERE seq > ? AND kind = 'line_changed'", (head,)).fetchall()
    out = []
    for row, data in found:
        change = json.loads(data)
        fields = sorted(k for k in change["after"] if change["after"][k] != change["before"].get(k))
        out.append({"row": row, "fields": fields, **{f: [change["before"].get(f), change["after"][f]] for f in fields}})
    return out


def _latency(spec: dict) -> dict:
    """Watcher on the synced folder; an Excel-style save; seconds until the pass's write-back."""
    import threading

    from sync.pass_memory import RememberingPasses
    from sync.pipeline import run_pass
    from sync.watcher import Watcher
    from sync.xlsx_writer import XlsxWriter

    folder = Path(spec["folder"])
    book = folder / WORKBOOK
    edited = Path(spec["edited"]).read_bytes()
    marks: dict[str, float] = {}
    passes: list[dict] = []
    saved = threading.Event()
    finished = threading.Event()

    class TimedWriter(XlsxWriter):
        def write(self, path, writes, expected_sha256):
            outcome = super().write(path, writes, expected_sha256)
            if saved.is_set() and outcome.status.value == "written":
                marks.setdefault("written", time.perf_counter())
            return outcome

    # as `sheetclerk watch` passes, with a writer of its own each pass
    remembering = RememberingPasses(lambda source, memory: run_pass(source, writer=TimedWriter(), memory=memory))

    def pass_fn(path: Path):
        started = time.perf_counter()
        result = remembering(path)
        passes.append({"start": started, "end": time.perf_counter(), "status": result.status,
                       "write": result.write, "events": result.events, "sha256_after": result.sha256_after,
                       "after_save": saved.is_set()})
        if saved.is_set():
            finished.set()
        return result

    mode = spec["mode"]
    watcher = Watcher(
        [folder], pass_fn, use_events=mode == "inotify", poll_interval=spec["poll_interval"],
        quiet=spec["quiet"], max_wait=spec["max_wait"], settle_checks=spec["settle_checks"],
    )
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), name="bench-watcher", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + spec["timeout"]
        while time.monotonic() < deadline:  # the initial look settles and its pass finds nothing new
            states = watcher.status()
            if passes and states and not any(s["pending"] for s in states):
                break
            time.sleep(0.05)
        else:
            raise SystemExit("the watcher did not settle on the synced workbook")
        initial = passes[-1]["status"]
        time.sleep(spec["pause"])

        temp = folder / EXCEL_TEMP_NAME  # Excel: write a temp file, delete the original, rename the temp
        with open(temp, "wb") as f:
            f.write(edited)
        os.unlink(book)
        saved.set()
        t0 = time.perf_counter()
        os.rename(temp, book)
        if not finished.wait(spec["timeout"]):
            raise SystemExit(f"no pass within {spec['timeout']} s of the save")
        after = next(p for p in passes if p["after_save"])
        time.sleep(0.2)  # the pass's own write must not start another pass
    finally:
        stop.set()
        thread.join(timeout=30)
    on_disk = hashlib.sha256(book.read_bytes()).hexdigest()
    return {
        "mode": mode,
        "initial_pass": initial,
        "detect_s": after["start"] - t0,
        "pass_s": after["end"] - after["start"],
        "written_s": marks["written"] - t0 if "written" in marks else None,
        "done_s": after["end"] - t0,
        "status": after["status"],
        "write": after["write"],
        "events": after["events"],
        "written_back": on_disk == after["sha256_after"],
        "passes_after_save": sum(1 for p in passes if p["after_save"]),
    }


# --- parent: setup -----------------------------------------------------------------------


def _child_argv(task: str, spec: dict) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", task, json.dumps(spec)]


def _run_child(task: str, spec: dict) -> tuple[float, float, dict]:
    """(wall seconds, peak RSS MB, the child's JSON line) of one task in a fresh process."""
    wall, rss, _code, out = _run(_child_argv(task, spec))
    child = json.loads(out.strip().splitlines()[-1])
    peak = child.pop("peak_mb", None)
    return wall, peak if peak is not None else rss, child


def _restore(snapshot: Path, desk: Path) -> None:
    shutil.rmtree(desk, ignore_errors=True)
    shutil.copytree(snapshot, desk)


def _fresh(workbook: Path, desk: Path) -> None:
    shutil.rmtree(desk, ignore_errors=True)
    desk.mkdir(parents=True)
    shutil.copy2(workbook, desk / WORKBOOK)


def pass_before_the_edit(path: Path, edit: dict, sync_pass):
    """The daemon's pass before the timed one (untimed: a Notes edit of another row, synced by `sync_pass`,
    which remembers it), then the benchmark's edit made to the file that pass wrote back. Its result."""
    path.write_bytes(_edit_cell(path.read_bytes(), PREVIOUS_ROW, "Notes", PREVIOUS_NOTE))
    previous = sync_pass(path)
    path.write_bytes(_edit_cell(path.read_bytes(), edit["row"], edit["column"], edit["after"]))
    return previous


def _edit_cell(data: bytes, row: int, column: str, value: object) -> bytes:
    """The package with one Orders cell changed: only that cell of the sheet XML, every other member as stored."""
    from sync.writeback import CellWrite, SheetWrites, WorkbookWrites
    from sync.xlsx_edit import apply_writes

    edited = apply_writes(data, WorkbookWrites(sheets=(SheetWrites("Orders", cells=(CellWrite(row, column, value),)),)))
    if edited.content is None or edited.notes:
        raise SystemExit(f"could not edit Orders row {row} {column}: {edited.notes or 'nothing changed'}")
    return edited.content


def _pick_edit(workbook: Path, column: str) -> dict:
    """An open Verified line in the middle of Orders whose SKU has the stock for twice its quantity."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(workbook))
    rows = book.get_sheet_by_name("Orders").to_python()
    header = [str(h).strip() for h in rows[0]]
    qi, si, ki, ni = (header.index(h) for h in ("Quantity", "Status", "SKU", "Notes"))
    inventory = book.get_sheet_by_name("Inventory").to_python()
    ih = [str(h).strip() for h in inventory[0]]
    available: dict[str, float] = {}
    for r in inventory[1:]:
        a = r[ih.index("Available")]
        available[r[ih.index("SKU")]] = available.get(r[ih.index("SKU")], 0) + (a if isinstance(a, (int, float)) else 0)
    for i in range(len(rows) // 2, len(rows)):
        r = rows[i]
        q = r[qi]
        if r[si] == "Verified" and isinstance(q, (int, float)) and q == int(q) and q > 0 and available.get(r[ki], 0) >= q:
            if column == "Quantity":
                return {"row": i + 1, "column": column, "before": int(q), "after": 2 * int(q), "sku": r[ki]}
            return {"row": i + 1, "column": column, "before": r[ni] or None, "after": "bench: edited note", "sku": r[ki]}
    raise SystemExit("no open Verified line with stock to spare: cannot pick a row to edit")


class Size:
    """One workbook size: its generated file, the folder passes run in, and the synced snapshot."""

    def __init__(self, lines: int, seed: int):
        self.lines = lines
        self.path, self.reused, self.generated_s = _workbook(lines, seed)
        self.work = OUT / f"sync-{lines}-seed{seed}"
        self.desk = self.work / "desk"
        self.snapshot = self.work / "synced"
        self.edited = self.work / "edited.xlsx"
        self.edit: dict | None = None
        self.settle: dict | None = None
        self.results: dict[str, dict[str, list]] = {}

    @property
    def book(self) -> Path:
        return self.desk / WORKBOOK

    def record(self, task: str, wall: float, rss: float, child: dict) -> None:
        r = self.results.setdefault(task, {"wall": [], "rss": [], "work": [], "import": [], "info": []})
        r["wall"].append(wall)
        r["rss"].append(rss)
        r["work"].append(child.pop("work_s"))
        r["import"].append(child.pop("import_s"))
        r["info"].append(child)

    def make_snapshot(self, edit_column: str) -> None:
        """After a first sync in `desk`: one settling pass, snapshot, and the edited workbook for `edit`.

        Done in child processes, so the parent stays small.
        """
        _, _, child = _run_child("settle", {"path": str(self.book)})
        self.settle = {"events": child["events"], "recorded": child["recorded"], "write": child["write"]}
        shutil.rmtree(self.snapshot, ignore_errors=True)
        shutil.copytree(self.desk, self.snapshot)
        _, _, child = _run_child("prepare", {"path": str(self.snapshot / WORKBOOK), "column": edit_column, "out": str(self.edited)})
        self.edit = {k: child[k] for k in ("row", "column", "before", "after", "sku")}

    def cleanup(self, keep: bool) -> None:
        if not keep:
            shutil.rmtree(self.work, ignore_errors=True)
            if not self.reused:
                self.path.unlink(missing_ok=True)
                self.path.with_suffix(".json").unlink(missing_ok=True)


# --- parent: the run -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", default="10000,100000", help="order lines, one or more sizes comma-separated (default 10000,100000)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each task; medians are reported (default 3)")
    ap.add_argument("--keep", action="store_true", help="keep the workbooks and synced folders in benchmarks/out/")
    ap.add_argument("--tasks", default=",".join(TASKS), help=f"comma-separated subset of {','.join(TASKS)}")
    ap.add_argument("--edit-column", choices=("Quantity", "Notes"), default="Quantity",
                    help="the Orders cell the one-row edit changes (default Quantity: doubled)")
    ap.add_argument("--latency-lines", default=str(TARGET_LATENCY_LINES),
                    help="sizes the watcher latency is measured on (default 10000; 'all' for every size)")
    ap.add_argument("--poll-interval", type=float, default=2.0,
                    help="the watcher's scan interval in poll mode (default 2 s; the Watcher's own default is 30 s)")
    ap.add_argument("--quiet", type=float, default=None, help="Watcher quiet (default: the Watcher's default)")
    ap.add_argument("--settle-checks", type=int, default=None, help="Watcher settle_checks (default: the Watcher's default)")
    ap.add_argument("--json", type=Path, help="also write the results to this JSON file")
    ap.add_argument("--child", nargs=2, metavar=("TASK", "SPEC"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child[0], json.loads(args.child[1]))
        return 0

    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        ap.error(f"--tasks: unknown {unknown}")
    sizes_wanted = [int(n) for n in args.lines.replace("_", "").split(",") if n.strip()]
    latency_sizes = set(sizes_wanted) if args.latency_lines == "all" else {int(n) for n in args.latency_lines.split(",") if n}
    watch = _watch_params(args)

    for key in [k for k in os.environ if k.startswith("SHEETCLERK_")]:
        del os.environ[key]  # defaults only, in every child

    print(f"{_code_version()}; python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{args.repeat} runs of each task, each in a fresh process; edit: one Orders {args.edit_column} cell")
    summaries = {}
    for lines in sizes_wanted:
        size = Size(lines, args.seed)
        print(f"\nworkbook: {size.path} ({size.path.stat().st_size / 1e6:.1f} MB, {lines:,} order lines; "
              + ("reused)" if size.reused else f"generated in {size.generated_s:.1f} s)"), flush=True)
        try:
            _run_size(size, tasks, args, watch, lines in latency_sizes)
            summaries[lines] = _summarise(size)
        finally:
            size.cleanup(args.keep)
    print()
    verdicts = {}
    for lines, summary in summaries.items():
        _print_table(lines, summary)
        verdicts[lines] = _print_ratios(lines, summary)
    _print_targets(summaries, verdicts, watch)
    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "repeat": args.repeat, "watch": watch,
                                         "sizes": summaries, "targets": verdicts}, indent=2, default=str) + "\n")
    return 0


def _watch_params(args) -> dict:
    import inspect

    from sync.watcher import Watcher

    defaults = {k: p.default for k, p in inspect.signature(Watcher.__init__).parameters.items()}
    return {
        "quiet": args.quiet if args.quiet is not None else defaults["quiet"],
        "settle_checks": args.settle_checks if args.settle_checks is not None else defaults["settle_checks"],
        "max_wait": defaults["max_wait"],
        "poll_interval_events": defaults["poll_interval"],
        "poll_interval": args.poll_interval,
    }


def _log(size: Size, i: int, repeat: int, task: str, wall: float, rss: float, extra: str = "") -> None:
    print(f"  {size.lines:>7,} run {i + 1}/{repeat} {task:<17} {wall:7.2f} s wall, {rss:6.0f} MB{extra}", file=sys.stderr, flush=True)


def _run_size(size: Size, tasks: list[str], args, watch: dict, latency: bool) -> None:
    needs_snapshot = any(t in tasks for t in ("unchanged", "edit", "resident", "latency"))
    size.path.read_bytes()  # warm the page cache so the first task does not pay for the disk
    for i in range(args.repeat):
        for task in ("calamine", "hash"):
            if task in tasks:
                wall, rss, child = _run_child(task, {"path": str(size.path)})
                size.record(task, wall, rss, child)
                _log(size, i, args.repeat, task, wall, rss)
        if "first" in tasks or (needs_snapshot and size.edit is None):
            _fresh(size.path, size.desk)
            wall, rss, child = _run_child("first", {"path": str(size.book)})
            if "first" in tasks:
                size.record("first", wall, rss, child)
            _log(size, i, args.repeat, "first", wall, rss, f"  ({child['status']}, {child['events']:,} events)")
            if needs_snapshot and size.edit is None:
                size.make_snapshot(args.edit_column)
                print(f"  {size.lines:>7,} settling pass after the first sync: {size.settle['events']:,} events "
                      f"{size.settle['recorded']}", file=sys.stderr, flush=True)
        for task in ("unchanged", "edit", "resident"):
            if task in tasks:
                _restore(size.snapshot, size.desk)
                if task == "edit":
                    shutil.copyfile(size.edited, size.book)
                wall, rss, child = _run_child(task, {"path": str(size.book), "edit": size.edit})
                size.record(task, wall, rss, child)
                _log(size, i, args.repeat, task, wall, rss, f"  ({child['status']}, {child['events']:,} events)")
        if "latency" in tasks and latency:
            for mode in LATENCY_MODES:
                _restore(size.snapshot, size.desk)
                spec = {"folder": str(size.desk), "edited": str(size.edited), "mode": mode,
                        "poll_interval": watch["poll_interval"] if mode == "poll" else watch["poll_interval_events"],
                        "quiet": watch["quiet"], "settle_checks": watch["settle_checks"], "max_wait": watch["max_wait"],
                        "timeout": 120.0, "pause": 0.3 + (_phase(i, args.repeat) * watch["poll_interval"] if mode == "poll" else 0.0)}
                wall, rss, child = _run_child("latency", spec)
                size.record(f"latency_{mode}", wall, rss, child)
                w = child["written_s"]
                _log(size, i, args.repeat, f"latency {mode}", wall, rss,
                     f"  (save -> write-back {_fmt(w, '.2f')} s: detect {child['detect_s']:.2f} + pass {child['pass_s']:.2f})")


def _phase(i: int, repeat: int) -> float:
    """Where in the scan interval the i-th poll-mode save falls: spread evenly over the repeats."""
    return (i + 0.5) / repeat


# --- parent: report ----------------------------------------------------------------------------


def _summarise(size: Size) -> dict:
    out: dict = {"workbook": str(size.path), "workbook_mb": size.path.stat().st_size / 1e6 if size.path.exists() else None,
                 "edit": size.edit, "settle": size.settle, "tasks": {}}
    for task, r in size.results.items():
        s = {
            "work_s": _median(r["work"]), "import_s": _median(r["import"]), "wall_s": _median(r["wall"]),
            "peak_rss_mb": max(r["rss"]),
            "runs": {"work_s": r["work"], "wall_s": r["wall"], "peak_rss_mb": r["rss"], "info": r["info"]},
            "info": r["info"][-1] if r["info"] else {},
        }
        if task.startswith("latency_"):
            for k in ("detect_s", "pass_s", "written_s", "done_s"):
                values = [i[k] for i in r["info"] if i.get(k) is not None]
                s[k] = _median(values)
                s[k + "_all"] = values
            s["all_written_back"] = all(i["written_back"] and i["write"] == "written" for i in r["info"])
        out["tasks"][task] = s
    return out


_LABELS = {
    "calamine": "python-calamine read (baseline)",
    "hash": "sha256 of the file (read + hash)",
    "first": "first full sync (fresh ledger)",
    "unchanged": "no-change pass",
    "edit": "one-row edit pass",
    "resident": "one-row edit, daemon (remembers)",
}


def _print_table(lines: int, summary: dict) -> None:
    tasks = summary["tasks"]
    print(f"{lines:,} lines ({_fmt(summary['workbook_mb'], '.1f')} MB)")
    print(f"  {'task':<34} {'work s':>8} {'imports s':>10} {'process s':>10} {'peak MB':>8}")
    for t, label in _LABELS.items():
        if t in tasks:
            s = tasks[t]
            print(f"  {label:<34} {_fmt(s['work_s'], '8.3f')} {_fmt(s['import_s'], '10.2f')} "
                  f"{_fmt(s['wall_s'], '10.2f')} {_fmt(s['peak_rss_mb'], '8.0f')}")
    for t in ("first", "unchanged", "edit", "resident"):
        if t in tasks:
            i = tasks[t]["info"]
            print(f"    {t}: {i['status']}, write {i['write'] or '-'}, {i['events']:,} events {i['recorded']}")
    if "resident" in tasks:
        p = tasks["resident"]["info"]["previous"]
        print(f"    resident: the pass before (Notes of row {PREVIOUS_ROW}, untimed): {p['status']}, write {p['write']}, "
              f"{p['events']:,} events")
    if summary.get("settle"):
        st = summary["settle"]
        print(f"    settling pass (Notes of row {SETTLE_ROW}, before the snapshot): {st['events']:,} events {st['recorded']}")
    for t in ("edit", "resident"):
        if summary.get("edit") and t in tasks:
            e, i = summary["edit"], tasks[t]["info"]
            field = {"Quantity": "quantity", "Notes": "notes"}[e["column"]]
            exact = all(
                [(c["row"], c["fields"]) for c in run["line_changed_rows"]] == [(e["row"], [field])]
                for run in tasks[t]["runs"]["info"]
            )
            print(f"    {t}: Orders row {e['row']} {e['column']} {e['before']!r} -> {e['after']!r} (SKU {e['sku']}); "
                  f"line_changed recorded: {i['line_changed_rows']}; exactly that change, every run: {'yes' if exact else 'NO'}")
    lat = [(m, tasks[f"latency_{m}"]) for m in LATENCY_MODES if f"latency_{m}" in tasks]
    if lat:
        print(f"  {'save -> write-back (watcher)':<34} {'median s':>8} {'min s':>7} {'max s':>7} {'detect s':>9} {'pass s':>7} {'peak MB':>8}")
        for mode, s in lat:
            w = s["written_s_all"]
            print(f"  {mode:<34} {_fmt(s['written_s'], '8.2f')} {_fmt(min(w) if w else None, '7.2f')} "
                  f"{_fmt(max(w) if w else None, '7.2f')} {_fmt(s['detect_s'], '9.2f')} {_fmt(s['pass_s'], '7.2f')} "
                  f"{_fmt(s['peak_rss_mb'], '8.0f')}")
        ok = all(s["all_written_back"] for _, s in lat)
        print(f"    every save was written back by exactly its own pass: {'yes' if ok else 'NO'}")
    print("  work = the timed section inside the process; process = whole child wall time incl. start and imports")
    print()


def _print_ratios(lines: int, summary: dict) -> dict:
    tasks = summary["tasks"]
    base, hsh = tasks.get("calamine"), tasks.get("hash")
    out: dict = {}
    print(f"ratios, {lines:,} lines (work / work, same run):")
    for t in PASS_TASKS:
        if t not in tasks:
            continue
        parts = []
        if base:
            r = tasks[t]["work_s"] / base["work_s"]
            out[f"{t}_vs_calamine"] = r
            parts.append(f"{r:8.2f}x calamine")
        if hsh:
            r = tasks[t]["work_s"] / hsh["work_s"]
            out[f"{t}_vs_hash"] = r
            parts.append(f"{r:8.1f}x hash")
        print(f"  {_LABELS[t]:<34} " + "   ".join(parts))
    print()
    return out


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _print_targets(summaries: dict, ratios: dict, watch: dict) -> None:
    print("targets:")
    for lines, summary in summaries.items():
        tasks = summary["tasks"]
        if "unchanged" in tasks and "hash" in tasks:
            u, h = tasks["unchanged"]["work_s"], tasks["hash"]["work_s"]
            ratios[lines]["no_change_pass"] = u <= h
            print(f"  {_verdict(u <= h)}  {lines:>7,} lines: no-change pass <= hashing the file "
                  f"({u:.3f} s vs {h:.3f} s, {u / h:.1f}x)")
        for t, how in (("edit", "a fresh process"), ("resident", "the daemon, remembering its last pass")):
            if t in tasks and "calamine" in tasks:
                e, c = tasks[t]["work_s"], tasks["calamine"]["work_s"]
                ok = e <= TARGET_EDIT_RATIO * c
                target = "" if lines == TARGET_EDIT_LINES else f"  [the target is set for {TARGET_EDIT_LINES:,} lines]"
                ratios[lines][f"one_row_edit_{t}"] = ok
                print(f"  {_verdict(ok)}  {lines:>7,} lines: one-row edit <= {TARGET_EDIT_RATIO:g}x calamine read, {how} "
                      f"({e:.2f} s vs {c:.2f} s, {e / c:.2f}x){target}")
        for mode in LATENCY_MODES:
            s = tasks.get(f"latency_{mode}")
            if s is None or s["written_s"] is None:
                continue
            ok = s["written_s"] < TARGET_LATENCY_S and s["all_written_back"]
            how = (f"events, quiet {watch['quiet']:g} s x {watch['settle_checks']} looks" if mode == "inotify"
                   else f"scan every {watch['poll_interval']:g} s, quiet {watch['quiet']:g} s x {watch['settle_checks']} looks")
            target = "" if lines == TARGET_LATENCY_LINES else f"  [the target is set for {TARGET_LATENCY_LINES:,} lines]"
            ratios[lines][f"latency_{mode}"] = ok
            print(f"  {_verdict(ok)}  {lines:>7,} lines: save -> write-back < {TARGET_LATENCY_S:g} s, {mode} "
                  f"({how}): median {s['written_s']:.2f} s{target}")


if __name__ == "__main__":
    sys.exit(main())
