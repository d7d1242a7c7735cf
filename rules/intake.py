"""Intake: raw tables -> records, with a flag for every cell that cannot be read.

Each sheet is described by a table of fields (header, attribute, parser, flag
code). A cell that fails its parser becomes a flag on that cell and a None in the
record (its header listed in `unreadable`); the row is always kept. Blank rows
are skipped wherever they are. Any cell holding a full card number is flagged
`card_number_exposed` and never copied into a record: text fields are stored
with the number removed.

`_Sheet.read_row` is the definition, one row at a time. A sheet holding only
plain values (text, numbers, dates: what every reader delivers but TRUE/FALSE
and times) is read by `_FastSheet` instead, with C-level lookups per row, and
every row with anything to flag is still handed to `read_row`: the same
records, fields sets and flags, in the same order (tests/rules/test_intake_fast.py).
Given the sheet's last reading (`read_sheet(..., previous=)`, what the daemon
keeps), only rows that differ from it are read; the others keep their records
(tests/rules/test_intake_again.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache, partial
from itertools import chain, compress, islice, repeat
from operator import itemgetter, ne, or_
from typing import NamedTuple

from rules import cards, cells
from rules.cells import CellError
from rules.construct import blank_instance_dict, defaults, fields_set, trusted, trusted_many
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
from rules.table import NumberedRows, RawTable


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
#: What a sheet of only these holds can be read column by column (see `_FastSheet`).
_PLAIN_TYPES = _MEMO_TYPES | {type(None)}


def _card_flag(sheet: str, row: int, header: str, last4: str) -> Flag:
    return flag(
        sheet,
        row,
        header,
        Code.CARD_NUMBER_EXPOSED,
        f"{header or 'This cell'} holds what looks like a full card number (ending {last4}). "
        "Delete it: card numbers must never be kept in the workbook.",
    )


def _may_be_card(v: object) -> bool:
    """Cheap test before `cards.find_card`: long text, or a number of 13 digits or more."""
    t = type(v)
    return (t is str and len(v) >= 13) or ((t is float or t is int) and abs(v) >= 1e12)


def _too_few_digits(text: str) -> bool:
    """Text that cannot hold a card number, which takes 13 digits: `cards.find_card` need not look.

    In ASCII text only 0-9 are digits, and bytes count them fastest (IDs like
    INV-2024-00001 are half the distinct values of a large sheet).
    """
    return len(text) < 13 or (text.isascii() and len(text) - len(text.encode().translate(None, b"0123456789")) < 13)


class _Column(NamedTuple):
    """A field found in the sheet, and its memo of what each distinct raw value reads as."""

    field: Field
    position: int
    by_clerk: bool
    """Clerks type this column: a value in it makes the row a record."""
    cells: dict[object, _Cell]


class _Sheet:
    """One sheet's fields and columns, and the careful row-by-row reading of it.

    The careful reading is the definition of intake; `_FastSheet` reads the
    ordinary rows of a sheet faster and hands every other row to it.
    """

    def __init__(self, table: RawTable, spec: SheetSpec, day_first: bool) -> None:
        positions = table.positions(spec)
        clerk_headers = {c.header for c in spec.columns if c.writer is not Writer.SHEETCLERK}
        self.columns = tuple(
            _Column(f, positions[f.header], f.header in clerk_headers, {})
            for f in _fields(day_first)[spec.name]
            if f.header in positions
        )
        known = {c.position for c in self.columns}
        self.headers = table.headers
        self.extra = tuple(p for p in range(len(self.headers)) if p not in known)
        """Columns sheetclerk does not know: only scanned for card numbers."""
        self.model = _MODELS[spec.name]
        self.key_defaults = _KEY_DEFAULTS.get(spec.name, {})
        # The spec's name, like every rule flag: the boundary respells flags as the workbook does,
        # and the pipeline finds an Orders row's errors by this name whatever the sheet is called.
        self.name = spec.name
        self.flags: list[Flag] = []

    def read_row(self, row: int, values: Sequence[object]) -> dict[str, object] | None:
        """The values `trusted` makes the row's record from (None for a blank row); flags go to `self.flags`."""
        flags = self.flags
        sheet = self.name
        n = len(values)
        for p in self.extra:
            if p < n:
                v = values[p]
                if _may_be_card(v):
                    last4 = cards.find_card(v)
                    if last4 is not None:
                        flags.append(_card_flag(sheet, row, self.headers[p], last4))
        data: dict[str, object] = dict(self.key_defaults)
        unreadable: list[str] | None = None
        has_clerk_value = False
        for f, p, by_clerk, memo in self.columns:
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
                flags.append(_card_flag(sheet, row, self.headers[p], cell.card))
            else:
                flags.append(flag(sheet, row, f.header, f.code, f"{f.header} {cells.shown(raw)} {cell.problem}."))
        if not has_clerk_value:
            return None
        data["row"] = row
        if unreadable:
            data["unreadable"] = frozenset(unreadable)
        return data

    def read_carefully(self, rows: Iterable[tuple[int, Sequence[object]]]) -> list[Record]:
        return [trusted(self.model, data) for row, values in rows if (data := self.read_row(row, values)) is not None]


#: How `_FastSheet` routes a row that is blank, or whose cells are not all plainly readable.
_BLANK_ROW, _CAREFUL = object(), object()


class _ColumnValues(dict):
    """One column's raw value -> what it puts in a record (the field's default when blank).

    A value seen for the first time is read then, and its matching key (in
    `keys`) and bits (in `bits`) are filed with it. The bits are `has_value`, or
    `needs_care` for anything only the careful reading can report (unreadable, a
    card number, a value without a key), or 0 (blank).
    """

    __slots__ = ("column", "keys", "bits", "has_value", "needs_care", "blank_value", "blank_key", "plain_text")

    def __init__(self, column: _Column, template: dict[str, object], has_value: int, needs_care: int) -> None:
        super().__init__()
        f = column.field
        self.column, self.has_value, self.needs_care = column, has_value, needs_care
        self.keys: dict[object, object] | None = None if f.key_attr is None else {}
        self.bits: dict[object, int] = {}
        self.blank_value = template[f.attr]
        self.blank_key = None if f.key_attr is None else template[f.key_attr]
        self.plain_text = f.parse is _text

    def __missing__(self, raw: object) -> object:
        if raw is None or raw == "":
            value, key, bits = None, None, 0
        elif self.plain_text and type(raw) is str and (_too_few_digits(raw) or cards.find_card(raw) is None):
            # `_read_cell` for text without a card number in a text field, minus its layers
            # (most distinct values of a sheet are IDs like these)
            value = raw.strip() or None
            key = None if value is None or self.keys is None else cells.key(value)
            bits = 0 if value is None else self.has_value
        else:
            value, key, bits = self._read(raw)
        self.bits[raw] = bits
        if self.keys is not None:
            self.keys[raw] = self.blank_key if key is None else key
        value = self[raw] = self.blank_value if value is None else value
        return value

    def _read(self, raw: object) -> tuple[object, str | None, int]:
        memo = self.column.cells
        cell = memo.get(raw)
        if cell is None:
            cell = memo[raw] = _read_cell(self.column.field, raw)
        if cell.value is not None:
            needs_key = self.keys is not None and cell.key is None
            return cell.value, cell.key, self.needs_care if needs_key else self.has_value
        if cell.problem is not None or cell.card is not None:
            return None, None, self.needs_care
        return None, None, 0  # only spaces: blank

    def always(self) -> int | None:
        """The bits every value the column has seen reads with, if they are all alike."""
        kinds = set(self.bits.values())
        return kinds.pop() if len(kinds) == 1 else None

    def blank_when_empty(self) -> bool:
        """Every value the column has seen has a value when it is true, and is blank when false ("", None).

        Then a cell's bits are its truth times `has_value`, no lookup needed. Equal
        values are equally true, so the memo's keys speak for every cell.
        """
        has_value = self.has_value
        return all(bits == (has_value if raw else 0) for raw, bits in self.bits.items())


class _ExtraBits(dict):
    """A column sheetclerk does not know: raw value -> `card_bit` when the careful reading must look at it."""

    __slots__ = ("card_bit",)

    def __init__(self, card_bit: int) -> None:
        super().__init__()
        self.card_bit = card_bit

    def __missing__(self, raw: object) -> int:
        bits = self[raw] = self.card_bit if _may_be_card(raw) and cards.find_card(raw) is not None else 0
        return bits


class _FastSheet:
    """Reading a sheet of plain values (`_PLAIN_TYPES`) with a few C-level steps a row.

    First every row's record values are looked up, column by column, in memos
    that read each distinct raw value once (`_ColumnValues`): a row's record is
    the sheet's blank record updated with them, what `trusted` builds from
    `read_row`'s values. Then each row's bits, summed over the columns whose
    values do not all read alike, say whether it is blank, needs `_Sheet.read_row`
    (which then finds exactly the flags and record it always did), or is
    ordinary, and then which fields its record sets. The memos key plain values
    only, whose equal values read alike, and are filled in row order, as the
    careful reading fills its own: both read a value as its column's first
    equal value was read.
    """

    def __init__(self, sheet: _Sheet) -> None:
        self.sheet = sheet
        self.template = blank_instance_dict(sheet.model)
        """A record of blank cells: each field's default, as `trusted` starts one."""
        self.template.update(sheet.key_defaults)
        self.columns: list[_ColumnValues] = []
        self.named_by: dict[int, tuple[str, ...]] = {}
        """Each column's "has a value" bit -> the fields a value in it sets."""
        careful = clerk = 0
        values: list[tuple[int, str, dict[object, object]]] = []
        """(position, field, raw value -> record value) for each field, then each key."""
        keys: list[tuple[int, str, dict[object, object]]] = []
        for i, column in enumerate(sheet.columns):
            has_value, needs_care = 1 << (2 * i), 1 << (2 * i + 1)
            careful |= needs_care
            if column.by_clerk:
                clerk |= has_value
            memo = _ColumnValues(column, self.template, has_value, needs_care)
            self.columns.append(memo)
            f = column.field
            values.append((column.position, f.attr, memo))
            if memo.keys is None:
                self.named_by[has_value] = (f.attr,)
            else:
                keys.append((column.position, f.key_attr, memo.keys))
                self.named_by[has_value] = (f.attr, f.key_attr)
        self.extras = [_ExtraBits(1 << (2 * len(sheet.columns) + j)) for j in range(len(sheet.extra))]
        careful |= sum(e.card_bit for e in self.extras)
        self.careful, self.clerk = careful, clerk
        values += keys
        self.names = [name for _, name, _ in values]
        self.values = [memo for _, _, memo in values]
        self.pick_values = _picker([p for p, _, _ in values])
        self.width = max([c.position for c in sheet.columns] + list(sheet.extra), default=-1) + 1
        self.routes = _Routes(self._route)
        self.always_set = {"row", *sheet.key_defaults}

    def _route(self, bits: int) -> object:
        """What a row with these bits is: `_CAREFUL`, `_BLANK_ROW`, or the fields set of its record."""
        if bits & self.careful:
            return _CAREFUL
        if not bits & self.clerk:
            return _BLANK_ROW
        names = set(self.always_set)
        for bit, fields in self.named_by.items():
            if bits & bit:
                names.update(fields)
        return fields_set(names)

    def read(self, numbers: Iterable[int], value_rows: Sequence[Sequence[object]]) -> list[Record]:
        """The sheet's records; the flags go to the sheet's (those of the rows read carefully)."""
        dicts = self._look_up(numbers, value_rows)
        sets = list(map(self.routes.__getitem__, self._bits(value_rows)))
        unusual = [i for i, route in enumerate(sets) if route is _CAREFUL or route is _BLANK_ROW]
        if unusual:
            model = self.sheet.model
            for i in unusual:
                data = self.sheet.read_row(dicts[i]["row"], value_rows[i]) if sets[i] is _CAREFUL else None
                if data is None:
                    dicts[i] = None  # a blank row: dropped below
                else:
                    dicts[i], sets[i] = defaults(model) | data, fields_set(data)
            kept = [d is not None for d in dicts]
            dicts, sets = list(compress(dicts, kept)), list(compress(sets, kept))
        return trusted_many(self.sheet.model, dicts, sets)

    def _look_up(self, numbers: Iterable[int], value_rows: Sequence[Sequence[object]]) -> list[dict[str, object]]:
        """Each row's record values (blank cells as defaults), reading each new raw value on the way."""
        template, names, memos, pick = self.template, self.names, self.values, self.pick_values
        get = dict.__getitem__  # on a `_ColumnValues` it still calls `__missing__`
        out = []
        for number, values in zip(numbers, value_rows):
            data = template.copy()
            data.update(zip(names, map(get, memos, pick(values))))
            data["row"] = number
            out.append(data)
        return out

    def _bits(self, value_rows: Sequence[Sequence[object]]) -> Iterable[int]:
        """Each row's bits, once `_look_up` has read every value.

        Columns whose values all read alike add their bits once; columns blank
        exactly where empty add the bits of their non-empty cells (`compress`);
        only the rest, and columns sheetclerk does not know, are looked up.
        """
        always = 0
        by_truth: list[tuple[int, int]] = []
        looked_up: list[tuple[int, dict[object, int]]] = []
        for c, memo in zip(self.sheet.columns, self.columns):
            bits = memo.always()
            if bits is not None:
                always += bits
            elif memo.blank_when_empty():
                by_truth.append((c.position, memo.has_value))
            else:
                looked_up.append((c.position, memo.bits))
        looked_up += zip(self.sheet.extra, self.extras)
        pick_true, weights = _picker([p for p, _ in by_truth]), tuple(w for _, w in by_truth)
        pick, memos = _picker([p for p, _ in looked_up]), [m for _, m in looked_up]
        get = dict.__getitem__  # on an `_ExtraBits` it still calls `__missing__`
        if not looked_up and not by_truth:
            return repeat(always, len(value_rows))
        if not looked_up:
            return (always + sum(compress(weights, pick_true(values))) for values in value_rows)
        if not by_truth:
            return (always + sum(map(get, memos, pick(values))) for values in value_rows)
        return (
            always + sum(compress(weights, pick_true(values))) + sum(map(get, memos, pick(values)))
            for values in value_rows
        )


class _Routes(dict):
    """Row bits -> route, worked out once per combination of bits."""

    __slots__ = ("route",)

    def __init__(self, route: Callable[[int], object]) -> None:
        super().__init__()
        self.route = route

    def __missing__(self, bits: int) -> object:
        route = self[bits] = self.route(bits)
        return route


def _picker(positions: Sequence[int]) -> Callable[[Sequence[object]], tuple[object, ...]]:
    """The values at `positions` of a row, always as a tuple (`itemgetter` of one is not)."""
    if len(positions) >= 2:
        return itemgetter(*positions)
    return lambda values: tuple(values[p] for p in positions)


def _numbered(rows: Sequence[tuple[int, Sequence[object]]]) -> tuple[Iterable[int], Sequence[Sequence[object]]]:
    """(Excel row numbers, each row's values): a reader's own lists when it handed over `NumberedRows`."""
    if isinstance(rows, NumberedRows):
        return rows.numbers(), rows.values()
    return [r for r, _ in rows], [v for _, v in rows]


def read_table(table: RawTable, spec: SheetSpec, day_first: bool = True) -> tuple[tuple[Record, ...], tuple[Flag, ...]]:
    """Records for every non-blank row of one sheet, and the flags intake raised.

    A sheet repeats the same few values (SKUs, dates, methods) thousands of
    times, so each column reads each distinct value once and remembers it.
    Cells in columns sheetclerk does not know are only scanned for card numbers.
    A value of any other type than `_PLAIN_TYPES` (TRUE/FALSE equals 1/0 but
    reads differently) sends the whole sheet down the careful reading.
    """
    reading = read_sheet(table, spec, day_first)
    return reading.records, reading.flags


@dataclass(frozen=True, eq=False)
class SheetReading:
    """One sheet's rows and what intake read them as; given back to `read_sheet` next time, only changed rows are read.

    A long-running reader (the daemon) keeps the last reading of each sheet: a
    clerk's save changes a few rows of thousands, and a row's record and flags are
    a function of the sheet's header row, the day order and that row's own values
    (equal plain values read alike, which is what the column memos rely on too).
    The one exception no reader delivers: a column mixing 10 and 10.0, or -0.0
    and 0.0 (calamine gives floats, the Sheets API ints for whole numbers). A fresh
    reading spells both as the first one seen; reading again, each unchanged row
    keeps its own spelling. The amounts are equal either way.
    """

    sheet: str
    headers: tuple[str, ...]
    day_first: bool
    plain: bool
    """Every value is of `_PLAIN_TYPES`: only then is an equal row a row that reads alike."""
    numbers: Sequence[int]
    value_rows: Sequence[Sequence[object]]
    records: tuple[Record, ...]
    flags: tuple[Flag, ...]

    def reads_like(self, spec: SheetSpec, headers: tuple[str, ...], day_first: bool, plain: bool) -> bool:
        """A sheet laid out like this one reads its unchanged rows as this one did."""
        return plain and self.plain and self.sheet == spec.name and self.headers == headers and self.day_first == day_first


#: Above this share of changed rows, reading the whole sheet again is as quick as picking the changes out.
_REREAD_SHARE = 0.5


def read_sheet(table: RawTable, spec: SheetSpec, day_first: bool = True, previous: SheetReading | None = None) -> SheetReading:
    """`read_table`'s records and flags, with what they were read from; only rows that differ from `previous` are read."""
    numbers, value_rows = _numbered(table.rows)
    numbers = list(islice(numbers, len(value_rows)))  # a NumberedRows' numbers are a count
    plain = set(map(type, chain.from_iterable(value_rows))) <= _PLAIN_TYPES
    if previous is not None and previous.reads_like(spec, table.headers, day_first, plain):
        changed = _changed_rows(numbers, value_rows, previous)
        if changed is not None and len(changed) <= _REREAD_SHARE * len(numbers):
            records, flags = _read_again(table, spec, day_first, numbers, value_rows, changed, previous)
            return SheetReading(spec.name, table.headers, day_first, plain, numbers, value_rows, records, flags)
    records, flags = _read_rows(table, spec, day_first, numbers, value_rows, plain)
    return SheetReading(spec.name, table.headers, day_first, plain, numbers, value_rows, records, flags)


def _read_rows(
    table: RawTable, spec: SheetSpec, day_first: bool, numbers: Sequence[int], value_rows: Sequence[Sequence[object]], plain: bool
) -> tuple[tuple[Record, ...], tuple[Flag, ...]]:
    sheet = _Sheet(table, spec, day_first)
    if plain:
        fast = _FastSheet(sheet)
        records = fast.read(numbers, _padded(value_rows, fast.width))
    else:
        records = sheet.read_carefully(zip(numbers, value_rows))
    return tuple(records), tuple(sheet.flags)


def _changed_rows(numbers: list[int], value_rows: Sequence[Sequence[object]], previous: SheetReading) -> list[int] | None:
    """Positions of the rows that are not, at the same place, what `previous` read (None: rows are not numbered uniquely)."""
    if len(set(numbers)) != len(numbers):
        return None
    n = min(len(numbers), len(previous.numbers))
    moved = map(ne, numbers[:n], previous.numbers[:n])
    edited = map(ne, value_rows[:n], previous.value_rows[:n])
    return [*compress(range(n), map(or_, moved, edited)), *range(n, len(numbers))]


def _read_again(
    table: RawTable, spec: SheetSpec, day_first: bool, numbers: list[int], value_rows: Sequence[Sequence[object]],
    changed: list[int], previous: SheetReading,
) -> tuple[tuple[Record, ...], tuple[Flag, ...]]:
    """The changed rows read afresh, the rest as `previous` read them, merged in sheet order as a full read orders them."""
    fresh_numbers = [numbers[i] for i in changed]
    fresh_records, fresh_flags = _read_rows(table, spec, day_first, fresh_numbers, [value_rows[i] for i in changed], True)
    fresh = set(fresh_numbers)
    by_row = {r.row: r for r in previous.records if r.row not in fresh}
    by_row.update((r.row, r) for r in fresh_records)
    records = tuple(r for n in numbers if (r := by_row.get(n)) is not None)
    if not previous.flags and not fresh_flags:
        return records, ()
    flags_by_row: dict[int | None, list[Flag]] = {}
    for f in previous.flags:
        if f.row not in fresh:
            flags_by_row.setdefault(f.row, []).append(f)
    for f in fresh_flags:
        flags_by_row.setdefault(f.row, []).append(f)
    return records, tuple(chain.from_iterable(flags_by_row.get(n, ()) for n in numbers))


def _padded(value_rows: Sequence[Sequence[object]], width: int) -> Sequence[Sequence[object]]:
    """Rows at least `width` long: a short row reads as blank at its end."""
    if min(map(len, value_rows), default=width) >= width:
        return value_rows
    return [v if len(v) >= width else [*v, *([None] * (width - len(v)))] for v in value_rows]


class DeskIntake:
    """Reads tables into a desk as they arrive, so a reader can hand over small sheets while a big one loads.

    `add(name, table)` reads one table at once; `desk(tables)` reads whatever of
    `tables` was not added yet and assembles the desk. Records and flags come out
    exactly as `read_desk` gives them, whatever order the tables arrived in.
    Given the `readings` of an earlier intake of the same workbook, each sheet
    reads only its rows that changed since (`read_sheet`).
    """

    def __init__(self, day_first: bool = True, previous: Mapping[str, SheetReading] | None = None) -> None:
        self.day_first = day_first
        self.previous = previous or {}
        self.readings: dict[str, SheetReading] = {}
        """Spec name -> its sheet's reading, for the next intake."""

    def add(self, name: str, table: RawTable) -> None:
        spec = _DESK_SPECS.get(name)
        if spec is not None and name not in self.readings:
            self.readings[name] = read_sheet(table, spec, self.day_first, self.previous.get(name))

    def desk(self, tables: dict[str, RawTable]) -> tuple[Desk, tuple[Flag, ...]]:
        """The whole desk (missing optional sheets read as empty); flags in sheet order."""
        for name, table in tables.items():
            self.add(name, table)
        out: dict[str, tuple[Record, ...]] = {}
        flags: list[Flag] = []
        for spec, attr in _DESK_ATTRS:
            reading = self.readings.get(spec.name)
            out[attr] = reading.records if reading else ()
            flags.extend(reading.flags if reading else ())
        return trusted(Desk, out), tuple(flags)


def read_desk(tables: dict[str, RawTable], day_first: bool = True) -> tuple[Desk, tuple[Flag, ...]]:
    """The whole desk from the tables a reader found (missing optional sheets read as empty)."""
    return DeskIntake(day_first).desk(tables)


_DESK_ATTRS: tuple[tuple[SheetSpec, str], ...] = (
    (ORDERS, "lines"),
    (PRODUCTS, "products"),
    (CUSTOMERS, "customers"),
    (INVENTORY, "stock"),
    (STOCK_MOVES, "stock_moves"),
    (PAYMENTS, "payments"),
    (RETURNS, "returns"),
)
#: Spec name -> spec, for the sheets a desk is read from.
_DESK_SPECS: dict[str, SheetSpec] = {spec.name: spec for spec, _ in _DESK_ATTRS}
