"""The write plan's quick comparison (`_AsRead.same`) answers exactly as `same_value`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.writeplan import _NOT_READ, _AsRead, same_value

_cells = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=5),
    st.booleans(),
    st.integers(-10**20, 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=True, places=2),
    st.dates(),
)
_intended = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=5),
    st.integers(-10**20, 10**20),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.dates(),
)


def _answer(compare, current, intended):
    try:
        return compare(current, intended)
    except ArithmeticError as e:  # a signalling NaN raises InvalidOperation either way
        return type(e)


@settings(max_examples=2000)
@given(_cells, _intended)
def test_same_as_same_value(current, intended):
    read = _AsRead(None, None, False)
    assert _answer(read.same, current, intended) == _answer(same_value, current, intended)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9))
def test_a_money_amount_is_shown_by_its_float(amount):
    read = _AsRead(None, None, False)
    shown = float(amount)
    assert read.same(shown, amount) == same_value(shown, amount)
    assert read.same(shown, amount)  # twice: the second answer comes from the remembered float
    assert read.same(float(repr(shown)), amount)


def test_edge_values():
    read = _AsRead(None, None, False)
    cases = [
        (-0.0, Decimal("0")), (0.0, Decimal("-0")), (0.1, Decimal("0.1")), (0.1, Decimal(0.1)),
        (float("inf"), Decimal("Infinity")), (1e308, Decimal("1e400")), (True, Decimal("1")), (1, Decimal("1.00")),
        (1897.0, Decimal("1897.00")), ("a", "a"), ("", None), (None, ""), (date(2026, 1, 1), date(2026, 1, 1)),
    ]
    for current, intended in cases:
        assert read.same(current, intended) == same_value(current, intended), (current, intended)


def test_cells_as_read_whether_rows_are_ragged_or_not():
    from rules.schema import ORDERS
    from rules.table import RawTable

    headers = ("Order ID", "Line Total", "Status", "Check")
    wide = RawTable("Orders", headers, [(2, ["SO-1", 1.5, "New", ""]), (3, ["SO-2", "", "Held", "x"])])
    ragged = RawTable("Orders", headers, [(2, ["SO-1", 1.5, "New", ""]), (3, ["SO-2"])])
    for table in (wide, ragged):
        read = _AsRead(table, ORDERS, True)
        names = ("Line Total", "Status", "Check", "Invoice No")  # Invoice No was not read
        expected = [
            tuple(values[table.positions(ORDERS)[n]] if n in table.positions(ORDERS) and table.positions(ORDERS)[n] < len(values)
                  else (None if n in table.positions(ORDERS) else "not read") for n in names)
            for _, values in table.rows
        ]
        got = [tuple("not read" if v is _NOT_READ else v for v in row) for row in read.cells(names)]
        assert got == expected
        assert read.cells(("Line Total", "Status")) == [tuple(row[:2]) for row in read.cells(names)]
