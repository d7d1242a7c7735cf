"""One line of plain words per ledger event, for a person reading an order's history.

A table of small functions by event kind; a kind without one (or data without
the expected fields) is still shown, with its kind and data, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from rules.documents import TITLES, Kind
from rules.money import minor_unit

Data = dict[str, Any]


def amount(value: object) -> Decimal | None:
    """A money amount from event or document data (strings in canonical JSON), never a float."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value: Decimal | None, currency: str) -> str:
    """An amount with its currency's decimals (`12.50`, `1200` for JPY); '' for None."""
    if value is None:
        return ""
    try:
        places = minor_unit(currency)
    except Exception:  # noqa: BLE001 - an unknown currency code: show two places
        places = 2
    return f"{value:,.{places}f}"


def kind_title(kind: str) -> str:
    try:
        return TITLES[Kind(kind)]
    except ValueError:
        return kind.replace("_", " ").capitalize()


def _locations(locations: object) -> str:
    if not isinstance(locations, dict) or not locations:
        return ""
    return ", ".join(f"{q} at {loc}" for loc, q in sorted(locations.items()))


def _line(d: Data) -> str:
    return f"{d.get('quantity')} × {d.get('sku')}"


def _changed(d: Data) -> str:
    before, after = d.get("before") or {}, d.get("after") or {}
    diffs = [f"{k} {before.get(k)} → {after.get(k)}" for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return "Line changed: " + ("; ".join(diffs) if diffs else "(no visible difference)")


def _parcel(d: Data) -> str:
    code = f"tracking {d['tracking_no']}" if d.get("tracking_no") else f"SSCC {d['sscc']}" if d.get("sscc") else "no tracking number"
    weight = f", {d['weight_kg']} kg" if d.get("weight_kg") not in (None, "") else ""
    parcels = d.get("parcels") or 1
    docs = ", ".join(x for x in (f"label {d['label']}" if d.get("label") else "",
                                 f"packing slip {d['packing_slip']}" if d.get("packing_slip") else "") if x)
    via = d.get("carrier") or d.get("method") or "no carrier"
    method = f" ({d['method']})" if d.get("method") and d.get("carrier") else ""
    return (f"Shipment {d.get('n', '')} handed to {via}{method}: {code}, {parcels} parcel{'s' if parcels != 1 else ''}{weight}"
            + (f"; {docs}" if docs else ""))


def _credit(d: Data) -> str:
    return f"; credit note {d['credit_note']}" if d.get("credit_note") else ""


DESCRIBE: dict[str, Callable[[Data], str]] = {
    "line_seen": lambda d: f"Order line recorded: {_line(d)}",
    "line_adopted": lambda d: f"Order line adopted as {d.get('status')}" + (f" on invoice {d['invoice_no']}" if d.get("invoice_no") else ""),
    "line_changed": _changed,
    "line_restored": lambda d: "Line is back on the sheet",
    "line_removed": lambda d: f"Line removed from the sheet (it was {d.get('status')}); the ledger keeps it",
    "approved": lambda d: f"Approved by {d.get('by') or 'someone'}",
    "reserved": lambda d: f"Stock reserved: {_locations(d.get('locations'))}",
    "released": lambda d: f"Reservation released: {_locations(d.get('locations'))}",
    "status_changed": lambda d: f"Status {d.get('from')} → {d.get('to')}",
    "flag_raised": lambda d: f"Flag raised: {d.get('code')} ({d.get('severity')})"
    + (f" on {d['column']}" if d.get("column") else "") + f": {d.get('message', '')}",
    "flag_resolved": lambda d: f"Flag resolved: {d.get('code')}" + (" (reviewed at reconcile)" if d.get("reviewed") else ""),
    "invoiced": lambda d: f"Invoiced on {d.get('invoice_no')} (was {d.get('from')})",
    "document_issued": lambda d: f"{kind_title(str(d.get('kind')))} {d.get('number')} issued",
    "document_voided": lambda d: f"{kind_title(str(d.get('kind')))} {d.get('number')} voided: {d.get('reason', '')}",
    "shipped": lambda d: f"Shipped {d.get('quantity')} in shipment {d.get('shipment')}"
    + (f" from {_locations(d.get('locations'))}" if d.get("locations") else ""),
    "shipment": _parcel,
    "delivered": lambda d: "Delivered",
    "cancelled": lambda d: f"Cancelled (was {d.get('from')})" + _credit(d),
    "returned": lambda d: f"Returned under {d.get('rma')}: {_line(d)}, {d.get('condition')}, {d.get('resolution')}" + _credit(d),
    "stock_returned": lambda d: f"Back into stock: {_line(d)} at {d.get('location')} ({d.get('rma')})",
    "written_off": lambda d: f"Written off: {_line(d)} at {d.get('location')} ({d.get('rma')})",
    "payment_matched": lambda d: f"Payment {d.get('payment_id')} of {d.get('amount')} matched to {d.get('invoice_no')}"
    + (f": paid {d['paid_total']}, balance {d['balance']}" if d.get("balance") is not None else ""),
}


def describe(kind: str, data: Data) -> str:
    """Plain words for one event; `kind: {data}` when there are none (or the data is not as expected)."""
    try:
        return DESCRIBE[kind](data)
    except (KeyError, TypeError, ValueError, AttributeError):
        shown = ", ".join(f"{k}={v}" for k, v in sorted(data.items()))
        return f"{kind.replace('_', ' ')}" + (f": {shown}" if shown else "")
