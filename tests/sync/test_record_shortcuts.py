"""The quicker ways a pass records lines must give exactly what the plain ones give:
a line's content text (its hash is in the ledger, so one character off would make
every line "changed"), the rows' anchors, and the ledger's `content` / `content_hash`
pair that lets a pass compare texts instead of hashes.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from rules.cells import key
from rules.construct import trusted
from rules.models import OrderLine, StockLevel, StockMove
from sync.ledger import Ledger, ledger_url_for, schema
from sync.ledger.chain import canonical
from sync.pipeline import run_pass
from sync.row_keys import ANCHOR_FIELDS, anchors, line_content, line_json
from tests.helpers import clerk_saves

STARTER = Path(__file__).resolve().parents[2] / "workbooks" / "orders.xlsx"


class _Text(str):
    """A str subclass: spelled like a str by JSON, but not by every shortcut."""


_odd = (
    st.booleans() | st.floats(allow_nan=True) | st.integers() | st.builds(_Text, st.text(max_size=5))
    | st.tuples() | st.tuples(st.integers()) | st.tuples(st.integers(), st.booleans()) | st.tuples(st.text(max_size=3), st.integers())
    | st.tuples(st.integers(), st.integers(), st.integers()) | st.datetimes() | st.frozensets(st.integers(0, 9), max_size=3)
)
_any = st.none() | st.text(max_size=8) | st.decimals(places=None) | st.dates() | st.tuples(st.integers(), st.integers()) | _odd
_FIELDS = ("order_id", "order_date", "customer_id", "sku", "quantity", "unit_price", "discount",
           "ship_by", "ship_method", "payment_method", "card_expiry", "action", "notes")


@settings(max_examples=500, deadline=None)
@given(st.fixed_dictionaries({}, optional={f: _any for f in _FIELDS}))
def test_line_json_spells_any_values_as_canonical_does(values) -> None:
    """Whatever the fields hold (bools, floats, NaN, str subclasses, odd tuples, datetimes), the text is canonical's."""
    line = trusted(OrderLine, {"row": 2, **values})
    assert line_json(line) == canonical(line_content(line))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet='ab"\\\n\t\x00\x1f\x7f\u2028é€ %{}', max_size=6), min_size=7, max_size=7))
def test_line_json_escapes_what_json_escapes(texts) -> None:
    """Quotes, backslashes, control and other unprintable characters in any text field."""
    fields = ("order_id", "customer_id", "sku", "ship_method", "payment_method", "action", "notes")
    line = trusted(OrderLine, {"row": 2, **dict(zip(fields, texts)), "order_date": date(2026, 1, 2),
                               "unit_price": Decimal("-1.50E+3"), "quantity": 0, "card_expiry": (2027, 1)})
    assert line_json(line) == canonical(line_content(line))


def _plain_anchors(sheet, records) -> dict[int, str]:
    """anchors() as it was first written: record by record."""
    def part(value):
        if value is None:
            return None
        return key(value) if isinstance(value, str) else canonical(value)

    fields = ANCHOR_FIELDS[sheet]
    seen: dict[str, int] = {}
    out: dict[int, str] = {}
    for record in records:
        parts = [part(getattr(record, f, None)) for f in fields]
        if parts[0] is None or (sheet in ("Orders", "Inventory") and None in parts):
            continue
        base = "|".join(p or "" for p in parts)
        n = seen.get(base, 0) + 1
        seen[base] = n
        out[record.row] = f"{base}|{n}"
    return out


_ids = st.none() | st.sampled_from(["SO-1", "so-1", " SO-1 ", "SO  1", "SO 1", "", "  ", "ß", "SS", "a|b", "1", "İ"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_ids, _ids), max_size=12))
def test_order_anchors_as_record_by_record(pairs) -> None:
    lines = [trusted(OrderLine, {"row": i + 2, "order_key": key(o), "sku_key": s}) for i, (o, s) in enumerate(pairs)]
    assert anchors("Orders", lines) == _plain_anchors("Orders", lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.none() | st.dates(), _ids, _ids, st.none() | st.integers(-3, 3) | st.booleans(), _ids, _ids),
                max_size=12))
def test_stock_move_anchors_as_record_by_record(rows) -> None:
    """Mixed types in one column (True and 1 are equal keys of a dict, but spelled apart)."""
    moves = [trusted(StockMove, {"row": i + 2, **dict(zip(("day", "sku", "location", "quantity", "reason", "reference"), r))})
             for i, r in enumerate(rows)]
    assert anchors("Stock Moves", moves) == _plain_anchors("Stock Moves", moves)
    levels = [trusted(StockLevel, {"row": i + 2, "sku": r[1], "location": r[2]}) for i, r in enumerate(rows)]
    assert anchors("Inventory", levels) == _plain_anchors("Inventory", levels)


def test_every_ledger_line_holds_the_text_its_hash_is_of(tmp_path: Path) -> None:
    """A pass takes a line whose text is the stored `content` as unchanged without hashing it:
    that needs `content_hash` to be the SHA-256 of `content`, after every kind of pass."""
    shutil.copy2(STARTER, tmp_path / "orders.xlsx")
    shutil.copy2(STARTER.with_name("sheetclerk.toml"), tmp_path / "sheetclerk.toml")
    path = tmp_path / "orders.xlsx"
    run_pass(path)
    clerk_saves(path, "2026-11-17", {"Orders": {(4, "Quantity"): 7, (5, "Notes"): 'a "quoted"\nnote', (6, "Action"): "Invoice"}})
    run_pass(path)
    ledger = Ledger.open(ledger_url_for(path))
    with ledger.read() as conn:
        rows = conn.execute(select(schema.lines.c.content, schema.lines.c.content_hash)).all()
    ledger.close()
    assert rows
    assert all(hashlib.sha256(content.encode()).hexdigest() == digest for content, digest in rows)


_terms = st.none() | st.text(max_size=4) | st.integers() | st.booleans() | st.decimals(places=None) | st.dates() | st.floats()


@settings(max_examples=300, deadline=None)
@given(sku=_terms, quantity=_terms, unit_price=_terms, discount=_terms)
def test_terms_are_spelled_as_each_term_would_be(**values) -> None:
    """`_changed_after_invoice` compares a line's terms spelled without a call per term: the same as `_plain` per term."""
    from sync.pipeline import _TERMS_SPELLED, _spelled_terms
    from sync.row_keys import _plain

    line = trusted(OrderLine, {"row": 2, **values})
    assert _spelled_terms(line) == tuple(_plain(getattr(line, attr)) for attr in _TERMS_SPELLED)
    assert [type(v) for v in _spelled_terms(line)] == [type(_plain(getattr(line, attr))) for attr in _TERMS_SPELLED]


def test_load_reads_the_tables_as_sqlalchemy_rows_would(tmp_path: Path) -> None:
    """Lines, reservations and moves come from the driver as tuples: the same values, booleans as bool."""
    from sync.ledger.state import _LINE_COLUMNS, LineState, load

    shutil.copy2(STARTER, tmp_path / "orders.xlsx")
    shutil.copy2(STARTER.with_name("sheetclerk.toml"), tmp_path / "sheetclerk.toml")
    path = tmp_path / "orders.xlsx"
    run_pass(path)
    book = openpyxl.load_workbook(path)
    book["Orders"].delete_rows(4)  # a removed line: present is False
    book.save(path)
    run_pass(path)
    ledger = Ledger.open(ledger_url_for(path))
    with ledger.read() as conn:  # load is the first statement on this connection
        state = load(conn, str(path.resolve()))
        t = schema.lines
        lines = {r[0]: LineState(*r) for r in conn.execute(select(*(t.c[n] for n in _LINE_COLUMNS)))}
        reserved = conn.execute(select(schema.reservations)).all()
        moves = {r.move_key for r in conn.execute(select(schema.moves))}
    ledger.close()
    assert state.lines == lines and {type(s.present) for s in state.lines.values()} == {bool}
    assert not all(s.present for s in state.lines.values())
    assert sorted((r.line_key, r.sku_key, r.location_key, r.quantity) for r in reserved) == sorted(
        (k, sku, loc, q) for k, (sku, by) in state.reservations.items() for loc, q in by.items()
    )
    assert reserved and state.moves == moves
