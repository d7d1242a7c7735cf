"""Where does `check_workbook` spend its time? Profile one call on the benchmark workbook.

    .venv/bin/python benchmarks/profile_check.py [--lines 100000] [--top 30]
    .venv/bin/python benchmarks/profile_check.py --pyinstrument     # pip install pyinstrument

Uses the workbook bench_check.py keeps in benchmarks/out/ (generating it if
needed, and keeping it). First prints the wall time of each pipeline stage
(read, intake, context, row rules, desk rules, stock, report) measured without
a profiler, then a cProfile of the whole call, sorted by cumulative and by own
time, or a pyinstrument tree (statistical, so much less distorted by the many
tiny calls cProfile has to count). `--save FILE` writes the raw cProfile stats.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _workbook(lines: int, seed: int) -> Path:
    sys.path.insert(0, str(HERE))
    import bench_check

    path, _, _ = bench_check._workbook(lines, seed)
    return path


def stages(path: Path) -> list[tuple[str, float]]:
    """Seconds per stage of check_workbook, replaying its steps with the cyclic GC paused throughout.

    So these are the stages' own costs; what check_workbook takes beyond their
    sum is garbage collection (and glue), printed below as the difference.
    """
    from rules.checks import build_context, run_desk_rules, run_row_rules, stock_stage
    from rules.flags import Severity
    from rules.intake import read_desk
    from sync.check import _in_workbook_spelling
    from sync.config import load_settings
    from sync.xlsx_reader import read_workbook

    policy = load_settings(path).policy()
    out = []
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        out.append((name, now - t))
        t = now

    gc.disable()
    try:
        tables = read_workbook(path)
        lap("read_workbook (calamine + RawTable)")
        desk, intake_flags = read_desk(tables, policy.day_first)
        lap("read_desk (intake: cells -> records)")
        ctx = build_context(desk, policy)
        lap("build_context")
        flags = list(intake_flags) + run_row_rules(ctx)
        lap("run_row_rules")
        flags += run_desk_rules(ctx)
        lap("run_desk_rules")
        error_rows = {f.row for f in flags if f.sheet == "Orders" and f.severity is Severity.ERROR}
        stock_stage(ctx, error_rows)
        lap("stock_stage")
        _in_workbook_spelling(flags, tables)
        lap("_in_workbook_spelling")
    finally:
        gc.enable()
    del tables, desk, ctx, flags
    gc.collect()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--top", type=int, default=30, help="rows of each cProfile listing (default 30)")
    ap.add_argument("--pyinstrument", action="store_true", help="profile with pyinstrument instead of cProfile")
    ap.add_argument("--no-stages", action="store_true", help="skip the per-stage timing")
    ap.add_argument("--save", type=Path, help="write the cProfile stats to this file (for snakeviz etc.)")
    args = ap.parse_args(argv)
    path = _workbook(args.lines, args.seed)

    from sync.check import check_workbook
    from sync.config import load_settings

    if not args.no_stages:
        print(f"stages of check_workbook on {path.name} (no profiler):")
        try:
            laps = stages(path)
        except (ImportError, TypeError, AttributeError) as e:  # the pipeline's internals moved on
            print(f"  (stage timing unavailable: {type(e).__name__}: {e}; update stages())\n")
        else:
            for name, seconds in laps:
                print(f"  {name:<40} {seconds:7.3f} s")
            print(f"  {'sum of stages':<40} {sum(s for _, s in laps):7.3f} s")
            policy = load_settings(path).policy()
            t = time.perf_counter()
            check_workbook(path, policy)
            took = time.perf_counter() - t
            gc.collect()
            print(f"  {'check_workbook as called':<40} {took:7.3f} s   "
                  f"({took - sum(s for _, s in laps):+.3f} s: garbage collection, glue, and what the replay misses)\n")

    policy = load_settings(path).policy()
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        check_workbook(path, policy)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return 0

    profiler = cProfile.Profile()
    profiler.enable()
    check_workbook(path, policy)
    profiler.disable()
    if args.save:
        profiler.dump_stats(str(args.save))
    for order in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(order).print_stats(args.top)
        text = buf.getvalue()
        print(f"=== cProfile, sorted by {order} ===")
        print(text[text.find("   ncalls"):].rstrip() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
