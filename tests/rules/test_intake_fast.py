"""Intake's fast reading of plain sheets (rules/intake.py `_FastSheet`) is the careful reading, only faster.

The careful row-by-row reading is intake's definition; every sheet of plain
values (text, numbers, dates) is read the fast way. Both must give the same
records (values, field order, fields set) and the same flags, in order.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from rules import cells, intake
from rules.schema import ORDERS
from rules.table import NumberedRows, RawTable

#: Values that read in every way: blank, spaces, IDs, numbers as text and as numbers, dates, cards, junk.
CELLS = st.one_of(
    st.sampled_from([
        "", " ", "\u00a0", "SO-1", " so-1 ", "SO  1", "WID-1", "C-DE", "5", "2.5", "x", "10%", "1,234.50", "12,50",
        "2026-03-09", "31.04.2026", "08/28", "13/28", "card", "Invoice", "approve", "hold", "yes", "no", "new",
        "4111 1111 1111 1111", "paid by 4111-1111-1111-1111", "JJD046580947219764407", "INV-2024-00001",
        0.0, 1.0, 2.0, 2.5, 0.1, 45000.0, 4111111111111111.0, 1e15, float("nan"), float("inf"), 1, 3, -2,
        date(2026, 3, 2), datetime(2026, 3, 2, 10, 30), datetime(2026, 3, 2),
    ]),
    st.text(max_size=6),
    st.floats(allow_nan=False, width=32),
)


DESK_SHEETS = tuple(spec for spec, _ in intake._DESK_ATTRS)


def careful(table: RawTable, spec, day_first: bool):
    sheet = intake._Sheet(table, spec, day_first)
    return tuple(sheet.read_carefully(table.rows)), tuple(sheet.flags)


def assert_same(fast, slow) -> None:
    (fast_records, fast_flags), (slow_records, slow_flags) = fast, slow
    assert fast_flags == slow_flags
    assert len(fast_records) == len(slow_records)
    for a, b in zip(fast_records, slow_records):
        assert type(a) is type(b)
        assert list(a.__dict__.items()) == list(b.__dict__.items())
        assert [type(v) for v in a.__dict__.values()] == [type(v) for v in b.__dict__.values()]
        assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__
        assert a.__pydantic_extra__ is None and a.__pydantic_private__ is None


@settings(max_examples=300, deadline=None)
@given(
    spec=st.sampled_from(DESK_SHEETS),
    extra=st.booleans(),
    shuffle=st.randoms(use_true_random=False),
    rows=st.lists(st.lists(CELLS, max_size=20), max_size=12),
    day_first=st.booleans(),
)
def test_the_fast_reading_is_the_careful_reading(spec, extra, shuffle, rows, day_first) -> None:
    headers = [c.header for c in spec.columns] + (["Remarks"] if extra else [])
    shuffle.shuffle(headers)
    table = RawTable(spec.name, tuple(headers), NumberedRows([headers, *rows], 1))
    assert_same(intake.read_table(table, spec, day_first), careful(table, spec, day_first))


def test_a_sheet_with_a_true_false_cell_reads_carefully() -> None:
    """TRUE equals 1.0 but reads differently: such a sheet is not 'plain'."""
    spec = ORDERS
    headers = [c.header for c in spec.columns]
    quantity = headers.index("Quantity")
    rows = [["SO-1"] * len(headers) for _ in range(3)]
    rows[0][quantity], rows[1][quantity], rows[2][quantity] = 1.0, True, 1
    table = RawTable(spec.name, tuple(headers), NumberedRows([headers, *rows], 1))
    records, flags = intake.read_table(table, spec)
    assert [r.quantity for r in records] == [1, None, 1]
    assert [f.row for f in flags if f.column == "Quantity"] == [3]
    assert_same((records, flags), careful(table, spec, True))


_SPACES = re.compile(r"[\s\u00a0\u202f]+")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("aBß \t\n\u00a0\u202f\u2003\x1c\x85-İ1"), max_size=12))
def test_key_folds_spaces_as_the_spaces_pattern_does(s: str) -> None:
    t = cells.text(s)
    assert cells.key(s) == (None if t is None else _SPACES.sub(" ", t).casefold())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 -x١٢٣٤٥"), min_size=10, max_size=24))
def test_text_with_too_few_digits_holds_no_card_number(s: str) -> None:
    from rules import cards

    if intake._too_few_digits(s):
        assert cards.find_card(s) is None


def test_a_card_number_is_not_too_few_digits() -> None:
    assert not intake._too_few_digits("4111 1111 1111 1111")
    assert not intake._too_few_digits("4111-1111-1111-1111 ١")  # not ASCII: left to find_card
