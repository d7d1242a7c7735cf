"""How the Excel functions behave on a large desk: the first call validates, the rest hit the cache.

    .venv/bin/python benchmarks/bench_addin.py --lines 10000

Generates the benchmark workbook (benchmarks/generate.py), reads it the way
xlwings hands ranges to a function (lists of rows), then times, in one run:

- calamine read of the file (the baseline every benchmark here prints),
- the first `SC_CHECK` (evaluates the whole desk: intake + rules + stock),
- a further `SC_CHECK` on another row over the same tables (cache hit: the
  cost of comparing the tables' contents, paid by every formula cell),
- `SC_LINE_TOTAL`'s first and further calls (Orders + Products only).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from python_calamine import CalamineWorkbook  # noqa: E402

from addin import functions as fn  # noqa: E402
from addin import udf_core  # noqa: E402


def _ranges(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return {n: [[None if v == "" else v for v in r] for r in book.get_sheet_by_name(n).to_python()] for n in book.sheet_names}
    finally:
        book.close()


def _time(f, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import generate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.xlsx"
        generate.generate(path, lines=args.lines, seed=1)
        read = _time(lambda: _ranges(path), args.repeat)
        g = _ranges(path)
    o, p, c, i = g["Orders"], g["Products"], g["Customers"], g["Inventory"]

    def cold_check():
        udf_core.CACHE.clear()
        fn.sc_check(2, o, p, c, i)

    def cold_total():
        udf_core.CACHE.clear()
        fn.sc_line_total(2, o, p)

    first_check = _time(cold_check, args.repeat)
    warm_check = _time(lambda: fn.sc_check(3, o, p, c, i), args.repeat * 20)
    first_total = _time(cold_total, args.repeat)
    warm_total = _time(lambda: fn.sc_line_total(3, o, p), args.repeat * 20)
    print(f"{args.lines:,} order lines; calamine read of the file {read * 1000:.0f} ms (baseline)")
    print(f"  SC_CHECK       first call {first_check * 1000:8.1f} ms ({first_check / read:.1f}x read), further calls {warm_check * 1000:.2f} ms")
    print(f"  SC_LINE_TOTAL  first call {first_total * 1000:8.1f} ms ({first_total / read:.1f}x read), further calls {warm_total * 1000:.2f} ms")


if __name__ == "__main__":
    main()
