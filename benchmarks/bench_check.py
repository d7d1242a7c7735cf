"""How fast is `sheetclerk check` compared with just reading the same file?

    .venv/bin/python benchmarks/bench_check.py [--lines 100000] [--repeat 3] [--keep]

Generates a workbook once (benchmarks/out/, git-ignored; reused when an
earlier run kept one with the same lines, seed and generator), then runs each
task in a fresh Python process, `--repeat` times, round-robin:

  calamine  python-calamine: open, every sheet `.to_python()`      (the baseline)
  openpyxl  openpyxl `read_only=True, data_only=True`, every row of every sheet
  check     `check_workbook(path, load_settings(path).policy())` in process
  cli       `sheetclerk check --json FILE > /dev/null`, the whole command

For each it reports the timed section inside the process ("work": the read, or
the check_workbook call), the whole process's wall time (interpreter start,
imports, work, exit) and its peak RSS (ru_maxrss of that child, from wait4).
Medians over the repeats; peak RSS is the largest seen. Ratios are against the
calamine baseline measured in the same run, so they hold across machines; the
absolute seconds do not. Targets (the issue): check of 100k lines in under 2x
the python-calamine read time of the same file, with peak memory under 500 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TASKS = ("calamine", "openpyxl", "check", "cli")
TARGET_RATIO = 2.0
TARGET_MB = 500.0


# --- children: one task per fresh process -----------------------------------------


def _child(task: str, path: str) -> None:
    """Run one task and print one JSON line: import and work seconds, and what was read."""
    t0 = time.perf_counter()
    if task == "calamine":
        from python_calamine import CalamineWorkbook

        t1 = time.perf_counter()
        book = CalamineWorkbook.from_path(path)
        rows = sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)
        t2 = time.perf_counter()
        info = {"rows": rows}
    elif task == "openpyxl":
        from openpyxl import load_workbook

        t1 = time.perf_counter()
        book = load_workbook(path, read_only=True, data_only=True)
        rows = 0
        for ws in book.worksheets:
            for _ in ws.iter_rows(values_only=True):
                rows += 1
        book.close()
        t2 = time.perf_counter()
        info = {"rows": rows}
    elif task == "check":
        from sync.check import check_workbook
        from sync.config import load_settings

        t1 = time.perf_counter()
        policy = load_settings(Path(path)).policy()
        ts = time.perf_counter()
        report = check_workbook(path, policy)
        t2 = time.perf_counter()
        info = {"flags": len(report.flags), "errors": report.errors, "settings_s": ts - t1}
        t1 = ts  # work = the check_workbook call alone
    else:
        raise SystemExit(f"unknown task {task!r}")
    print(json.dumps({"import_s": t1 - t0, "work_s": t2 - t1, **info}))


# --- parent -----------------------------------------------------------------------


def _run(argv: list[str]) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS MB, exit code, stdout) of one child, its rusage taken with wait4."""
    with tempfile.TemporaryFile() as err:
        capture = argv[0] == sys.executable
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=err)
        out = p.stdout.read().decode() if capture else ""
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.stdout:
            p.stdout.close()
        if p.returncode not in (0, 1):  # 1 = `sheetclerk check` found error flags
            err.seek(0)
            raise RuntimeError(f"{' '.join(argv)} exited {p.returncode}:\n{err.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, p.returncode, out  # ru_maxrss is in KiB on Linux


def _task_argv(task: str, path: Path) -> list[str]:
    if task == "cli":
        exe = Path(sys.executable).with_name("sheetclerk")
        if not exe.exists():
            raise SystemExit(f"{exe} not found: install sheetclerk into this interpreter's environment")
        return [str(exe), "check", "--json", str(path)]
    return [sys.executable, str(Path(__file__).resolve()), "--child", task, str(path)]


def _workbook(lines: int, seed: int) -> tuple[Path, bool, float | None]:
    """The benchmark workbook, (re)generated unless a matching one is already there."""
    sys.path.insert(0, str(HERE))
    import generate  # benchmarks/generate.py

    source = hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()[:16]
    path = OUT / f"orders-{lines}-seed{seed}.xlsx"
    meta = path.with_suffix(".json")
    wanted = {"lines": lines, "seed": seed, "generator_version": generate.GENERATOR_VERSION, "generator_source": source}
    if path.exists() and meta.exists():
        try:
            if json.loads(meta.read_text())["params"] == wanted:
                return path, True, None
        except (ValueError, KeyError):
            pass
    OUT.mkdir(exist_ok=True)
    meta.unlink(missing_ok=True)
    t = time.perf_counter()
    summary = generate.generate(path, lines, seed)
    took = time.perf_counter() - t
    meta.write_text(json.dumps({"params": wanted, "summary": summary}, indent=2) + "\n")
    return path, False, took


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=100_000, help="order lines in the workbook (default 100000)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each task; medians are reported (default 3)")
    ap.add_argument("--keep", action="store_true", help="keep the generated workbook in benchmarks/out/ for later runs")
    ap.add_argument("--tasks", default=",".join(TASKS), help=f"comma-separated subset of {','.join(TASKS)}")
    ap.add_argument("--json", type=Path, help="also write the results to this JSON file")
    ap.add_argument("--child", nargs=2, metavar=("TASK", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0

    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown or "calamine" not in tasks:
        ap.error(f"--tasks: unknown {unknown}" if unknown else "--tasks must include calamine (the baseline)")

    path, reused, gen_s = _workbook(args.lines, args.seed)
    size_mb = path.stat().st_size / 1e6
    print(f"workbook: {path} ({size_mb:.1f} MB, {args.lines:,} order lines, seed {args.seed}; "
          + ("reused)" if reused else f"generated in {gen_s:.1f} s)"))
    print(f"{_code_version()}; python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{args.repeat} runs of each task, each in a fresh process")
    path.read_bytes()  # warm the page cache so the first task does not pay for the disk

    results: dict[str, dict[str, list]] = {t: {"wall": [], "rss": [], "work": [], "import": [], "info": []} for t in tasks}
    try:
        for i in range(args.repeat):
            for task in tasks:
                wall, rss, code, out = _run(_task_argv(task, path))
                r = results[task]
                r["wall"].append(wall)
                r["rss"].append(rss)
                if out:
                    child = json.loads(out.strip().splitlines()[-1])
                    r["work"].append(child.pop("work_s"))
                    r["import"].append(child.pop("import_s"))
                    r["info"].append(child)
                else:
                    r["info"].append({"exit": code})
                print(f"  run {i + 1}/{args.repeat} {task:<9} {wall:6.2f} s wall, {rss:6.0f} MB", file=sys.stderr)
    finally:
        if not args.keep and not reused:
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)

    summary = {
        t: {
            "work_s": _median(r["work"]),
            "import_s": _median(r["import"]),
            "wall_s": _median(r["wall"]),
            "peak_rss_mb": max(r["rss"]),
            "runs": {"work_s": r["work"], "wall_s": r["wall"], "peak_rss_mb": r["rss"]},
            "info": r["info"][-1] if r["info"] else {},
        }
        for t, r in results.items()
    }
    _print_table(summary)
    verdicts = _print_ratios(summary)
    if args.json:
        args.json.write_text(json.dumps({"lines": args.lines, "seed": args.seed, "repeat": args.repeat,
                                         "workbook_mb": size_mb, "tasks": summary, "targets": verdicts}, indent=2) + "\n")
    return 0


_LABELS = {
    "calamine": "python-calamine read (baseline)",
    "openpyxl": "openpyxl read_only read",
    "check": "check_workbook, in process",
    "cli": "sheetclerk check --json (CLI)",
}


def _fmt(v: float | None, spec: str) -> str:
    return format(v, spec) if v is not None else format("-", ">" + spec.split(".")[0])


def _code_version() -> str:
    """The commit of the sheetclerk being measured, and whether its working tree has edits."""
    import sync

    root = Path(sync.__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "rules", "sync"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"sheetclerk at {root}"
    return f"sheetclerk {commit}{' + uncommitted edits in rules/ or sync/' if dirty else ''} ({root})"


def _print_table(summary: dict) -> None:
    print()
    print(f"{'task':<34} {'work s':>8} {'imports s':>10} {'process s':>10} {'peak MB':>8}")
    for t, s in summary.items():
        print(f"{_LABELS[t]:<34} {_fmt(s['work_s'], '8.2f')} {_fmt(s['import_s'], '10.2f')} "
              f"{_fmt(s['wall_s'], '10.2f')} {_fmt(s['peak_rss_mb'], '8.0f')}")
    check = summary.get("check", {}).get("info")
    if check:
        print(f"  (check found {check['flags']:,} flags, {check['errors']:,} errors; "
              f"loading settings took {check['settings_s'] * 1000:.0f} ms, not counted in work)")
    print("  work = the timed section inside the process; process = whole child wall time incl. start and imports")


def _print_ratios(summary: dict) -> dict[str, object]:
    base = summary["calamine"]
    print()
    print("ratios (same run):")
    verdicts: dict[str, object] = {}
    if "check" in summary:
        c = summary["check"]
        r_work = c["work_s"] / base["work_s"]
        print(f"  check / calamine        work {r_work:6.2f}x   process {c['wall_s'] / base['wall_s']:6.2f}x")
        if "openpyxl" in summary:
            o = summary["openpyxl"]
            print(f"  check / openpyxl        work {c['work_s'] / o['work_s']:6.2f}x   process {c['wall_s'] / o['wall_s']:6.2f}x")
        verdicts["check_under_2x_calamine"] = {"ratio": r_work, "pass": r_work < TARGET_RATIO}
        verdicts["check_peak_under_500mb"] = {"mb": c["peak_rss_mb"], "pass": c["peak_rss_mb"] < TARGET_MB}
    if "openpyxl" in summary:
        o = summary["openpyxl"]
        print(f"  openpyxl / calamine     work {o['work_s'] / base['work_s']:6.2f}x   process {o['wall_s'] / base['wall_s']:6.2f}x")
    if "cli" in summary:
        cli = summary["cli"]
        print(f"  cli / calamine                        process {cli['wall_s'] / base['wall_s']:6.2f}x")
        verdicts["cli_peak_under_500mb"] = {"mb": cli["peak_rss_mb"], "pass": cli["peak_rss_mb"] < TARGET_MB}
    print()
    print("targets:")
    if "check_under_2x_calamine" in verdicts:
        v = verdicts["check_under_2x_calamine"]
        print(f"  {'PASS' if v['pass'] else 'FAIL'}  check time < {TARGET_RATIO:g}x calamine read time "
              f"({v['ratio']:.2f}x: {summary['check']['work_s']:.2f} s vs {base['work_s']:.2f} s)")
        v = verdicts["check_peak_under_500mb"]
        print(f"  {'PASS' if v['pass'] else 'FAIL'}  check peak RSS < {TARGET_MB:g} MB ({v['mb']:.0f} MB)")
    if "cli_peak_under_500mb" in verdicts:
        v = verdicts["cli_peak_under_500mb"]
        print(f"  {'PASS' if v['pass'] else 'FAIL'}  CLI peak RSS < {TARGET_MB:g} MB ({v['mb']:.0f} MB)")
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
