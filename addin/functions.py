"""sheetclerk's Excel functions (UDFs), for xlwings on Windows and for xlwings Lite.

Every name starts with `SC_`, so they sit together in Excel's function list
(category "sheetclerk" on Windows). Tables are passed as ranges that start with
their header row in row 1, e.g. `Orders!A1:S500` or a whole Excel Table
(`Orders[#All]`); a row number is the one Excel shows (`ROW()`).

A function never raises into Excel: input it cannot answer gives a short text
starting with "⚠". Button and script entry points live in `addin.ribbon`,
never here (a classic UDF import turns every decorated function of the module
into VBA). This module imports without Excel, without the ledger (the two
ledger functions import it when called) and under Pyodide.
"""

from __future__ import annotations

from collections.abc import Callable

from xlwings import arg, func

from addin import udf_core
from addin.workbook_ref import NotAWorkbook, policy_for, settings_for, workbook_path

CATEGORY = "sheetclerk"
ERROR_MARK = "⚠ "
NEEDS_DESKTOP = "this needs sheetclerk installed on this computer (xlwings Lite has only the rules)"

_TABLE = "the whole {} table, header row first (e.g. {}!A1:S500 or {}[#All])"
_WORKBOOK = 'optional: CELL("filename"), to use the sheetclerk.toml settings beside the workbook'


def answer(compute: Callable[[], object]) -> object:
    """Run one function: its value as Excel holds it, or a short error text. Never raises."""
    try:
        return udf_core.excel_value(compute())
    except (udf_core.UdfError, NotAWorkbook) as e:
        return ERROR_MARK + str(e)
    except ImportError:  # xlwings Lite (Pyodide) has `rules`, not the ledger or the settings files
        return ERROR_MARK + NEEDS_DESKTOP
    except Exception as e:  # noqa: BLE001 - the boundary: nothing escapes into Excel
        from addin.boundary import explain

        return ERROR_MARK + explain(e)


@func(category=CATEGORY)
@arg("row", doc="the row of the order line, e.g. ROW()")
@arg("orders", ndim=2, doc=_TABLE.format("Orders", "Orders", "Orders"))
@arg("products", ndim=2, doc=_TABLE.format("Products", "Products", "Products"))
@arg("workbook", doc=_WORKBOOK)
def sc_line_total(row, orders, products, workbook=None):
    """Line Total of an order line: quantity x price x (1 - discount), rounded once, before tax."""
    return answer(lambda: udf_core.line_total(row, orders, products, policy_for(workbook)))


@func(category=CATEGORY)
@arg("row", doc="the row of the order line, e.g. ROW()")
@arg("orders", ndim=2, doc=_TABLE.format("Orders", "Orders", "Orders"))
@arg("products", ndim=2, doc=_TABLE.format("Products", "Products", "Products"))
@arg("customers", ndim=2, doc=_TABLE.format("Customers", "Customers", "Customers"))
@arg("workbook", doc=_WORKBOOK)
def sc_line_tax(row, orders, products, customers, workbook=None):
    """Tax of an order line: Line Total x Tax Rate, rounded once; 0 for reverse charge and exports."""
    return answer(lambda: udf_core.line_tax(row, orders, products, customers, policy_for(workbook)))


@func(category=CATEGORY)
@arg("order_id", doc="the Order ID, e.g. A2")
@arg("orders", ndim=2, doc=_TABLE.format("Orders", "Orders", "Orders"))
@arg("products", ndim=2, doc=_TABLE.format("Products", "Products", "Products"))
@arg("customers", ndim=2, doc=_TABLE.format("Customers", "Customers", "Customers"))
@arg("part", doc='"gross" (default), "net", "tax", "goods" or "shipping"')
@arg("workbook", doc=_WORKBOOK)
def sc_order_total(order_id, orders, products, customers, part="gross", workbook=None):
    """Total of an order: gross (default), net or tax, shipping included; or its goods or shipping alone."""
    return answer(lambda: udf_core.order_total(order_id, orders, products, customers, part, policy_for(workbook)))


@func(category=CATEGORY)
@arg("sku", doc="the SKU, e.g. A2")
@arg("orders", ndim=2, doc=_TABLE.format("Orders", "Orders", "Orders"))
@arg("products", ndim=2, doc=_TABLE.format("Products", "Products", "Products"))
@arg("customers", ndim=2, doc=_TABLE.format("Customers", "Customers", "Customers"))
@arg("inventory", ndim=2, doc=_TABLE.format("Inventory", "Inventory", "Inventory"))
@arg("location", doc="optional: one location; all of the SKU's locations when left out")
@arg("workbook", doc=_WORKBOOK)
def sc_available(sku, orders, products, customers, inventory, location=None, workbook=None):
    """Available stock of a SKU: On Hand less what open orders reserve, first come first served, as sync allocates."""
    return answer(lambda: udf_core.available(sku, orders, products, customers, inventory, location, policy_for(workbook)))


@func(category=CATEGORY)
@arg("row", doc="the row of the order line, e.g. ROW()")
@arg("orders", ndim=2, doc=_TABLE.format("Orders", "Orders", "Orders"))
@arg("products", ndim=2, doc=_TABLE.format("Products", "Products", "Products"))
@arg("customers", ndim=2, doc=_TABLE.format("Customers", "Customers", "Customers"))
@arg("inventory", ndim=2, doc=_TABLE.format("Inventory", "Inventory", "Inventory"))
@arg("payments", ndim=2, doc="optional: the Payments table (for credit limits)")
@arg("returns", ndim=2, doc="optional: the Returns table")
@arg("workbook", doc=_WORKBOOK)
def sc_check(row, orders, products, customers, inventory, payments=None, returns=None, workbook=None):
    """The Check text of an order line: its problems in plain words, errors first; empty when it is clean."""
    return answer(
        lambda: udf_core.check(row, orders, products, customers, inventory, payments, returns, policy_for(workbook))
    )


@func(category=CATEGORY)
@arg("order_id", doc="the Order ID, e.g. A2")
@arg("workbook", doc='the workbook: CELL("filename")')
@arg("row", doc="optional: one line's row; the order's status (its least advanced line's) when left out")
def sc_status(order_id, workbook, row=None):
    """Status of an order as the ledger records it (after the last sync); needs the workbook's ledger."""
    return answer(lambda: _ledger_answer("status", order_id, workbook, row))


@func(category=CATEGORY)
@arg("order_id", doc="the Order ID, e.g. A2")
@arg("workbook", doc='the workbook: CELL("filename")')
def sc_invoice_no(order_id, workbook):
    """Invoice number the ledger issued for an order; empty when none is issued yet."""
    return answer(lambda: _ledger_answer("invoice", order_id, workbook, None))


def _ledger_answer(what: str, order_id: object, workbook: object, row: object) -> str:
    from addin import ledger_lookup  # the ledger (SQLAlchemy) only when a ledger function is used

    order_key = udf_core.key_text(order_id, "Order ID")
    path = workbook_path(workbook)
    try:
        ledger = ledger_lookup.open_ledger(path, settings_for(path))
    except ledger_lookup.NoLedger as e:
        raise udf_core.UdfError(str(e)) from None
    if what == "invoice":
        return ledger_lookup.invoice_number(ledger, path, order_key) or ""
    line = None if row is None or row == "" else udf_core.row_number(row)
    status = ledger_lookup.order_status(ledger, path, order_key, line)
    if status is None:
        where = f" on row {line}" if line else ""
        raise udf_core.UdfError(f"the ledger has no order {udf_core.echo(order_id)}{where} (run Sync now)")
    return status


#: Every function of the module, for tests and the README.
FUNCTIONS = (sc_line_total, sc_line_tax, sc_order_total, sc_available, sc_check, sc_status, sc_invoice_no)
