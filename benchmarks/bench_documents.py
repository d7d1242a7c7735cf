"""How fast does sheetclerk render invoices, compared with the simplest fpdf2 document of the same size?

    .venv/bin/python benchmarks/bench_documents.py [--invoices 1000] [--repeat 3] [--tasks baseline,documents]

Builds `--invoices` different invoices (customers and products of the starter
workbook, including the Greek, Japanese and Bulgarian customers; 1 to 12 lines
each, priced by rules.pricing; the same `--seed` gives the same invoices) and
runs each task in a fresh Python process, `--repeat` times, round-robin:

  baseline   minimal fpdf2: one A4 page, core font Helvetica, as many `text()`
             calls as an average invoice has text elements, each written to its own file
  documents  sync.documents.render.render(invoice, layout), each written to its own file
  naive      (optional) fpdf2 with the bundled DejaVu Sans added by `add_font` in every
             document: what an embedded Unicode font costs without sharing the parsed font

"work" is the loop from the first document to the last file written, including
the first use of the fonts in that process (parsing them) — documents are built
before the clock starts. Reported: documents per second (median over the
repeats), the ratio documents / baseline of the time per document, and the PDF
sizes. Target (the documents issue): at least 100 invoices per second on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
TASKS = ("baseline", "documents", "naive")
TARGET_PER_S = 100.0


# --- the invoices -----------------------------------------------------------------------


def invoices(count: int, seed: int):
    """`count` invoices from the starter workbook's customers and products, priced by the rules."""
    from rules import documents
    from rules.models import Customer, Order, OrderLine, Product
    from rules.money import Rounding
    from rules.policy import DEFAULT_SHIPPING
    from rules.pricing import price_order
    from rules.tax_treatment import treatment_for
    from workbooks.build_starter import CUSTOMERS, PRODUCTS

    rng = random.Random(seed)
    products = {
        sku: Product(row=i + 2, sku=sku, description=desc, unit_price=Decimal(str(price)),
                     tax_rate=Decimal(str(rate)), pack_size=pack, weight_kg=Decimal(str(weight)))
        for i, (sku, desc, price, rate, pack, weight, *_rest) in enumerate(PRODUCTS)
    }
    customers = [
        Customer(row=i + 2, customer_id=cid, name=name, email=email, address=addr, city=city, postal_code=postal,
                 country=country, vat_id=vat, payment_terms_days=terms)
        for i, (cid, name, email, addr, city, postal, country, vat, _limit, terms, _notes) in enumerate(CUSTOMERS)
    ]
    seller = documents.Party(name="Kiezbohne Kaffeerösterei GmbH", address_lines=("Wrangelstraße 84", "10997 Berlin"),
                             country="DE", country_name="Germany", vat_id="DE293847519",
                             email="bestellung@kiezbohne.example", phone="+49 30 6120 4471")
    bank = documents.Bank(name="Berliner Sparkasse", iban="DE17 1005 0000 0123 4567 89", bic="BELADEBEXXX")
    skus = sorted(products)
    out = []
    for n in range(1, count + 1):
        customer = rng.choice(customers)
        day = date(2026, 1, 5) + timedelta(days=n % 300)
        lines = tuple(
            OrderLine(row=j + 2, order_id=f"SO-{n}", order_key=f"so-{n}", sku=sku, sku_key=sku,
                      quantity=rng.randint(1, 4) * products[sku].pack_size, order_date=day, ship_method="Standard",
                      customer_id=customer.customer_id, customer_key=customer.customer_id.lower())
            for j, sku in enumerate(rng.sample(skus, rng.randint(1, 12)))
        )
        order = Order(order_id=f"SO-{n}", order_key=f"so-{n}", lines=lines)
        treatment = treatment_for("DE", customer.country, customer.vat_id)
        totals = price_order(lines, products, ("Standard", DEFAULT_SHIPPING["Standard"]), Rounding(),
                             treatment.charges_tax)
        out.append(documents.invoice(number=f"INV-2026-{n:05d}", issued=day, order=order, totals=totals,
                                     customer=customer, products=products, seller=seller, bank=bank,
                                     currency="EUR", treatment=treatment))
    return out


def text_elements(pdf: bytes) -> int:
    """Text objects (BT ... ET) in a PDF's page contents."""
    count = 0
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            count += len(re.findall(rb"\bBT\b", zlib.decompress(stream)))
        except zlib.error:
            pass
    return count


# --- children ----------------------------------------------------------------------------


def _child(task: str, count: int, seed: int, elements: int, out_dir: str) -> None:
    t0 = time.perf_counter()
    folder = Path(out_dir)
    if task == "documents":
        from sync.documents.layout import load_layouts
        from sync.documents.render import render

        docs = invoices(count, seed)
        layout = load_layouts()[docs[0].kind]
        t1 = time.perf_counter()
        sizes = []
        for d in docs:
            pdf = render(d, layout)
            (folder / f"{d.number}.pdf").write_bytes(pdf)
            sizes.append(len(pdf))
        t2 = time.perf_counter()
    elif task in ("baseline", "naive"):
        from fpdf import FPDF

        from templates import FOLDER

        font = FOLDER / "fonts" / "DejaVuSans.ttf"
        t1 = time.perf_counter()
        sizes = []
        for n in range(count):
            pdf = FPDF()
            pdf.add_page()
            if task == "naive":
                pdf.add_font("dejavu", "", font)
                pdf.set_font("dejavu", "", 9)
            else:
                pdf.set_font("helvetica", "", 9)
            for i in range(elements):
                pdf.text(10 + (i % 4) * 45, 10 + (i // 4) * 4, f"Text element {i} of invoice {n}")
            data = pdf.output()
            (folder / f"{task}-{n:05d}.pdf").write_bytes(data)
            sizes.append(len(data))
        t2 = time.perf_counter()
    else:
        raise SystemExit(f"unknown task {task!r}")
    print(json.dumps({"import_s": t1 - t0, "work_s": t2 - t1, "count": count, "sizes": sizes}))


def _run(task: str, count: int, seed: int, elements: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-{task}-") as out:
        argv = [sys.executable, str(Path(__file__).resolve()), "--child", task, str(count), str(seed), str(elements),
                out]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"{task} exited {done.returncode}:\n{done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["files"] = len(os.listdir(out))
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tasks", default="baseline,documents", help=f"subset of {','.join(TASKS)}")
    parser.add_argument("--naive-invoices", type=int, default=100, help="documents for the slow `naive` task")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    args = parser.parse_args()
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    if unknown := set(tasks) - set(TASKS):
        raise SystemExit(f"unknown task(s): {', '.join(sorted(unknown))}")

    sys.path.insert(0, str(HERE.parent))
    from sync.documents.layout import load_layouts
    from sync.documents.render import render

    sample = invoices(min(args.invoices, 200), args.seed)
    layout = load_layouts()[sample[0].kind]
    elements = round(statistics.mean(text_elements(render(d, layout)) for d in sample))
    commit = subprocess.run(["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    print(f"bench_documents: {args.invoices} invoices (seed {args.seed}), {args.repeat} runs each, "
          f"commit {commit or '?'}")
    print(f"an invoice has {elements} text elements on average; the baseline draws that many per document\n")

    runs: dict[str, list[dict]] = {t: [] for t in tasks}
    for _ in range(args.repeat):
        for task in tasks:
            count = args.naive_invoices if task == "naive" else args.invoices
            runs[task].append(_run(task, count, args.seed, elements))

    def per_s(task: str) -> float:
        return statistics.median(r["count"] / r["work_s"] for r in runs[task])

    print(f"{'task':<10} {'docs/s':>9} {'ms/doc':>8} {'imports s':>10} {'median KB':>10} {'max KB':>8}")
    for task in tasks:
        sizes = [s for r in runs[task] for s in r["sizes"]]
        rate = per_s(task)
        imports = statistics.median(r["import_s"] for r in runs[task])
        print(f"{task:<10} {rate:>9.1f} {1000 / rate:>8.2f} {imports:>10.2f}"
              f" {statistics.median(sizes) / 1024:>10.1f} {max(sizes) / 1024:>8.1f}")
    if "documents" in runs:
        rate = per_s("documents")
        if "baseline" in runs:
            print(f"\nratio documents / baseline (time per document): {per_s('baseline') / rate:.2f}x")
        if "naive" in runs:
            print(f"speed-up over fpdf2 add_font per document: {rate / per_s('naive'):.1f}x")
        verdict = "PASS" if rate >= TARGET_PER_S else "FAIL"
        print(f"target >= {TARGET_PER_S:.0f} invoices/s on one core: {rate:.1f}/s {verdict}")
    if args.json:
        args.json.write_text(json.dumps({"elements": elements, "runs": runs}, indent=1) + "\n")


if __name__ == "__main__":
    main()
