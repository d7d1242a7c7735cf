"""Intake: raw tables -> records, with a flag for every cell that cannot be read.

Each sheet is described by a table of fields (header, attribute, parser, flag
code). A cell that fails its parser becomes a flag on that cell and a None in the
record (its header listed in `unreadable`); the row is always kept. Blank rows
are skipped wherever they are. Any cell holding a full card number is flagged
`card_number_exposed` and never copied into a record: text fields are stored
with the number removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple
from functools import lru_cache, partial

from rules import cards, cells
from rules.cells import CellError
from rules.construct import trusted
from rules.flags import Code, Flag, flag
from rules.models import (
    Customer,
    Desk,
    OrderLine,
    Payment,
    Product,
    Record,
    Return,
    StockLevel,
    StockMove,
)
from rules.schema import (
    ACTIONS,
    CONDITIONS,
    CUSTOMERS,
    INVENTORY,
    ORDERS,
    PAYMENT_METHODS,
    PAYMENTS,
    PRODUCTS,
    RESOLUTIONS,
    RETURNS,
    STATUSES,
    STOCK_MOVES,
    SheetSpec,
    Writer,
)
from rules.table import RawTable


@dataclass(frozen=True, slots=True)
class Field:
    header: str
    attr: str
    parse: Callable[[object], object]
    code: Code = Code.INVALID_VALUE
    key_attr: str | None = None
    """Also store the matching form (`cells.key`) of the value under this attribute."""


def _text(value: object) -> str | None:
    return cards.redact(cells.text(value))


def _upper(value: object) -> str | None:
    t = cells.text(value)
    return None if t is None else t.upper()


def _free_choice(options: tuple[str, ...]) -> Callable[[object], str | None]:
    """Canonical spelling when the text is a known option, else the text as typed.

    Used where the rules decide whether an unknown value is an error, so that
    the flag can use a more precise code than `invalid_value`.
    """

    def parse(value: object) -> str | None:
        try:
            return cells.choice(value, options)
        except CellError:
            return _text(value)

    return parse


@lru_cache(maxsize=4)
def _fields(day_first: bool) -> dict[str, tuple[Field, ...]]:
    day = partial(cells.day, day_first=day_first)
    return {
        ORDERS.name: (
            Field("Order ID", "order_id", _text, key_attr="order_key"),
            Field("Order Date", "order_date", day, Code.INVALID_DATE),
            Field("Customer ID", "customer_id", _text, key_attr="customer_key"),
            Field("SKU", "sku", _text, key_attr="sku_key"),
            Field("Quantity", "quantity", cells.whole, Code.INVALID_QUANTITY),
            Field("Unit Price", "unit_price", cells.decimal),
            Field("Discount %", "discount", cells.fraction, Code.INVALID_DISCOUNT),
            Field("Ship By", "ship_by", day, Code.INVALID_DATE),
            Field("Ship Method", "ship_method", _text),
            Field("Payment Method", "payment_method", _free_choice(PAYMENT_METHODS)),
            Field("Card Expiry", "card_expiry", cells.card_expiry, Code.INVALID_DATE),
            Field("Action", "action", _free_choice(ACTIONS)),
            Field("Notes", "notes", _text),
            Field("Status", "status", _free_choice(STATUSES)),
            Field("Invoice No", "invoice_no", _text),
            Field("Tracking No", "tracking_no", _text),
        ),
        PRODUCTS.name: (
            Field("SKU", "sku", _text),
            Field("Description", "description", _text),
            Field("Unit Price", "unit_price", cells.decimal),
            Field("Tax Rate", "tax_rate", cells.fraction),
            Field("Pack Size", "pack_size", cells.whole),
            Field("Weight (kg)", "weight_kg", cells.decimal),
            Field("Active", "active", partial(cells.yes_no, default=True)),
        ),
        CUSTOMERS.name: (
            Field("Customer ID", "customer_id", _text),
            Field("Name", "name", _text),
            Field("Email", "email", _text),
            Field("Address", "address", _text),
            Field("City", "city", _text),
            Field("Postal Code", "postal_code", _text),
            Field("Country", "country", _upper),
            Field("VAT ID", "vat_id", _text),
            Field("Credit Limit", "credit_limit", cells.decimal),
            Field("Payment Terms (days)", "payment_terms_days", cells.whole),
        ),
        INVENTORY.name: (
            Field("SKU", "sku", _text),
            Field("Location", "location", _text),
            Field("On Hand", "on_hand", cells.whole),
            Field("Reorder Point", "reorder_point", cells.whole),
            Field("Reorder Qty", "reorder_qty", cells.whole),
        ),
        STOCK_MOVES.name: (
            Field("Date", "day", day, Code.INVALID_DATE),
            Field("SKU", "sku", _text),
            Field("Location", "location", _text),
            Field("Quantity", "quantity", cells.whole, Code.INVALID_QUANTITY),
            Field("Reason", "reason", _text),
            Field("Reference", "reference", _text),
        ),
        PAYMENTS.name: (
            Field("Payment ID", "payment_id", _text),
            Field("Date", "day", day, Code.INVALID_DATE),
            Field("Invoice No", "invoice_no", _text),
            Field("Amount", "amount", cells.decimal),
            Field("Method", "method", _text),
            Field("Reference", "reference", _text),
        ),
        RETURNS.name: (
            Field("RMA ID", "rma_id", _text),
            Field("Order ID", "order_id", _text),
            Field("SKU", "sku", _text),
            Field("Quantity", "quantity", cells.whole, Code.INVALID_QUANTITY),
            Field("Reason", "reason", _text),
            Field("Condition", "condition", partial(cells.choice, options=CONDITIONS)),
            Field("Resolution", "resolution", partial(cells.choice, options=RESOLUTIONS)),
        ),
    }


_MODELS: dict[str, type[Record]] = {
    ORDERS.name: OrderLine,
    PRODUCTS.name: Product,
    CUSTOMERS.name: Customer,
    INVENTORY.name: StockLevel,
    STOCK_MOVES.name: StockMove,
    PAYMENTS.name: Payment,
    RETURNS.name: Return,
}

#: Records whose identifying field must be text even when blank (flagged by the rules).
_KEY_DEFAULTS: dict[str, dict[str, str]] = {
    PRODUCTS.name: {"sku": ""},
    CUSTOMERS.name: {"customer_id": ""},
    INVENTORY.name: {"sku": "", "location": ""},
}


class _Cell(NamedTuple):
    """What one raw value reads as in one column: computed once per distinct value."""

    value: object
    key: str | None
    problem: str | None
    """Why the value is unreadable (the parser's words), or None."""
    card: str | None
    """Last four digits when the value holds a card number."""


def _read_cell(f: Field, raw: object) -> _Cell:
    card = cards.find_card(raw)
    if card is not None:
        return _Cell(None, None, None, card)
    try:
        # no card number in the cell, so nothing to redact: skip `_text`'s second scan
        value = cells.text(raw) if f.parse is _text else f.parse(raw)
    except CellError as e:
        return _Cell(None, None, str(e), None)
    except Exception:  # noqa: BLE001 - a value no parser foresaw is unreadable, not fatal
        return _Cell(None, None, "cannot be read", None)
    key = cells.key(value) if f.key_attr is not None and value is not None else None
    return _Cell(value, key, None, None)


#: Types whose equal values read alike (bool is out: True == 1.0 but reads differently).
_MEMO_TYPES = frozenset({str, float, int, date, datetime})


def _card_flag(sheet: str, row: int, header: str, last4: str) -> Flag:
    return flag(
        sheet,
        row,
        header,
        Code.CARD_NUMBER_EXPOSED,
        f"{header or 'This cell'} holds what looks like a full card number (ending {last4}). "
        "Delete it: card numbers must never be kept in the workbook.",
    )


def read_table(table: RawTable, spec: SheetSpec, day_first: bool = True) -> tuple[tuple[Record, ...], tuple[Flag, ...]]:
    """Records for every non-blank row of one sheet, and the flags intake raised.

    A sheet repeats the same few values (SKUs, dates, methods) thousands of
    times, so each column reads each distinct value once and remembers it.
    Cells in columns sheetclerk does not know are only scanned for card numbers.
    """
    fields = _fields(day_first)[spec.name]
    model = _MODELS[spec.name]
    positions = table.positions(spec)
    clerk_headers = {c.header for c in spec.columns if c.writer is not Writer.SHEETCLERK}
    present = [
        (f, positions[f.header], {}, f.header in clerk_headers) for f in fields if f.header in positions
    ]
    known = {p for _, p, _, _ in present}
    headers = table.headers
    extra = tuple(p for p in range(len(headers)) if p not in known)
    defaults = _KEY_DEFAULTS.get(spec.name, {})
    # The spec's name, like every rule flag: the boundary respells flags as the workbook does,
    # and the pipeline finds an Orders row's errors by this name whatever the sheet is called.
    sheet = spec.name
    records: list[Record] = []
    flags: list[Flag] = []
    for row, values in table.rows:
        n = len(values)
        for p in extra:
            if p < n:
                v = values[p]
                t = type(v)
                if (t is str and len(v) >= 13) or ((t is float or t is int) and abs(v) >= 1e12):
                    last4 = cards.find_card(v)
                    if last4 is not None:
                        flags.append(_card_flag(sheet, row, headers[p], last4))
        data: dict[str, object] = dict(defaults)
        unreadable: list[str] | None = None
        has_clerk_value = False
        for f, p, memo, by_clerk in present:
            raw = values[p] if p < n else None
            if raw is None or raw == "":
                continue
            memoable = type(raw) in _MEMO_TYPES
            cell = memo.get(raw) if memoable else None
            if cell is None:
                cell = _read_cell(f, raw)
                if memoable:
                    memo[raw] = cell
            value = cell.value
            if value is not None:
                data[f.attr] = value
                if cell.key is not None:
                    data[f.key_attr] = cell.key
                has_clerk_value = has_clerk_value or by_clerk
                continue
            if cell.problem is None and cell.card is None:
                continue  # only spaces: blank
            has_clerk_value = has_clerk_value or by_clerk
            unreadable = unreadable or []
            unreadable.append(f.header)
            if cell.card is not None:
                flags.append(_card_flag(sheet, row, headers[p], cell.card))
            else:
                flags.append(flag(sheet, row, f.header, f.code, f"{f.header} {cells.shown(raw)} {cell.problem}."))
        if not has_clerk_value:
            continue
        data["row"] = row
        if unreadable:
            data["unreadable"] = frozenset(unreadable)
        records.append(trusted(model, data))
    return tuple(records), tuple(flags)


def read_desk(tables: dict[str, RawTable], day_first: bool = True) -> tuple[Desk, tuple[Flag, ...]]:
    """The whole desk from the tables a reader found (missing optional sheets read as empty)."""
    out: dict[str, tuple[Record, ...]] = {}
    flags: list[Flag] = []
    for spec, attr in _DESK_ATTRS:
        table = tables.get(spec.name)
        if table is None:
            out[attr] = ()
            continue
        records, sheet_flags = read_table(table, spec, day_first)
        out[attr] = records
        flags.extend(sheet_flags)
    return trusted(Desk, out), tuple(flags)


_DESK_ATTRS: tuple[tuple[SheetSpec, str], ...] = (
    (ORDERS, "lines"),
    (PRODUCTS, "products"),
    (CUSTOMERS, "customers"),
    (INVENTORY, "stock"),
    (STOCK_MOVES, "stock_moves"),
    (PAYMENTS, "payments"),
    (RETURNS, "returns"),
)
