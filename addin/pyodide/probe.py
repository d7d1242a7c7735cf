"""The calls of the Pyodide check, made the same way under CPython and under Pyodide.

`run(payload)` takes the workbook's tables as xlwings hands them to a function
(JSON: lists of rows, empty cells null, dates tagged) and answers JSON with
every module of `rules` it imported and every call's answer, tagged by type,
so the two interpreters' answers compare exactly. Standard library only
besides `addin` and `rules`: this file is copied into Pyodide as it is.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import platform
import sys
from datetime import date, datetime, time

PARTS = ("gross", "net", "tax", "goods", "shipping")

_DECODE = {"$datetime": datetime.fromisoformat, "$date": date.fromisoformat, "$time": time.fromisoformat}


def decode(value: object) -> object:
    """A cell from JSON: tagged dates back to date objects."""
    if isinstance(value, dict):
        (tag, text), = value.items()
        return _DECODE[tag](text)
    return value


def encode(value: object) -> list[object]:
    """An answer as [type, exact text], so 437.63 and '437.63' and 437.6300001 all differ."""
    if isinstance(value, (datetime, date, time)):
        return [type(value).__name__, value.isoformat()]
    return [type(value).__name__, repr(value)]


def column(grid: list[list[object]], header: str) -> int:
    return [str(h).strip().casefold() for h in grid[0]].index(header.casefold())


def data_rows(grid: list[list[object]]) -> list[tuple[int, list[object]]]:
    """(the row number Excel shows, the row) for each non-empty row below the header."""
    return [(n, row) for n, row in enumerate(grid[1:], start=2) if any(v is not None for v in row)]


def distinct(values) -> list[object]:
    return list(dict.fromkeys(v for v in values if v is not None))


def calls(t: dict[str, list[list[object]]]):
    """(label, function name, args): every computing function over every row, order and SKU, then junk."""
    o, p, c, i = t["Orders"], t["Products"], t["Customers"], t["Inventory"]
    pay, ret = t.get("Payments"), t.get("Returns")
    for n, _ in data_rows(o):
        yield f"row {n}", "sc_line_total", (n, o, p)
        yield f"row {n}", "sc_line_tax", (n, o, p, c)
        yield f"row {n}", "sc_check", (n, o, p, c, i, pay, ret)
    for order_id in distinct(row[column(o, "Order ID")] for _, row in data_rows(o)):
        for part in PARTS:
            yield f"{order_id} {part}", "sc_order_total", (order_id, o, p, c, part)
    for sku in distinct(row[column(p, "SKU")] for _, row in data_rows(p)):
        yield sku, "sc_available", (sku, o, p, c, i)
    for _, row in data_rows(i):
        sku, location = row[column(i, "SKU")], row[column(i, "Location")]
        yield f"{sku} at {location}", "sc_available", (sku, o, p, c, i, location)
    # Junk: each answer is a short error text, never an exception.
    yield "junk row", "sc_line_total", ("two", o, p)
    yield "row past the table", "sc_line_total", (10**6, o, p)
    yield "not a table", "sc_line_tax", (2, "Orders!A1", p, c)
    yield "no such order", "sc_order_total", ("SO-0000", o, p, c)
    yield "no such part", "sc_order_total", ("SO-1001", o, p, c, "profit")
    yield "no SKU", "sc_available", (None, o, p, c, i)
    yield "header-less orders", "sc_check", (2, o[1:], p, c, i)
    yield "not a workbook", "sc_line_total", (2, o, p, "orders.csv")


def desktop_only_calls(t: dict[str, list[list[object]]]):
    """Calls that need the back office (the ledger, sheetclerk.toml): under Pyodide each says so in words."""
    o, p = t["Orders"], t["Products"]
    workbook = "/home/pyodide/desk/[orders.xlsx]Orders"  # what CELL("filename") would name
    yield "no workbook", "sc_status", ("SO-1001", None)
    yield "workbook", "sc_status", ("SO-1001", workbook)
    yield "workbook", "sc_invoice_no", ("SO-1001", workbook)
    yield "workbook settings", "sc_line_total", (2, o, p, workbook)


def imported_rules() -> list[str]:
    """Import every module of the `rules` package; their names, sorted."""
    import rules

    names = [m.name for m in pkgutil.walk_packages(rules.__path__, "rules.")]
    for name in names:
        importlib.import_module(name)
    return sorted(names)


def run(payload: str) -> str:
    tables = {name: [[decode(v) for v in row] for row in grid] for name, grid in json.loads(payload).items()}
    modules = imported_rules()
    from addin import functions

    def answers(which) -> list[list[object]]:
        made = []
        for label, name, args in which(tables):
            try:
                answer = encode(getattr(functions, name)(*args))
            except BaseException as e:  # noqa: BLE001 - recorded: the check fails on any exception
                answer = ["raised", f"{type(e).__name__}: {e}"]
            made.append([name, label, answer])
        return made

    return json.dumps(
        {
            "python": platform.python_version(),
            "platform": sys.platform,
            "rules_modules": modules,
            "answers": answers(calls),
            # Only where the back office is missing: on the desktop these would open a ledger.
            "desktop_only": answers(desktop_only_calls) if sys.platform == "emscripten" else [],
            "needs_desktop": encode(functions.ERROR_MARK + functions.NEEDS_DESKTOP),
            "back_office_imported": sorted(m for m in ("sync", "sqlalchemy", "pydantic_settings") if m in sys.modules),
        }
    )
