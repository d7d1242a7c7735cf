"""Reading a sheet again (rules/intake.py `read_sheet(..., previous=...)`) is reading it afresh, only faster.

The daemon hands each pass the last reading of the same sheet, and only rows
that differ from it are read; the others keep their record objects. Whatever
the clerk did in between (edited cells, inserted, deleted or appended rows,
typed TRUE into a number column, renamed a header), the records and flags must
be exactly those of a fresh reading.

Numbers are delivered as a reader delivers them: all floats (python-calamine
reading an .xlsx) or whole numbers as ints (the Sheets API's JSON). A column
mixing 10 and 10.0, or -0.0 and 0.0, which no reader delivers, is the one
case where a fresh reading is not row by row (its memo spells both as the first
one seen), and it is left out.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rules import intake
from rules.schema import ORDERS
from rules.table import NumberedRows, RawTable
from tests.rules.test_intake_fast import CELLS, DESK_SHEETS, assert_same

EDITS = st.lists(
    st.tuples(st.sampled_from(["cell", "insert", "delete", "append", "true", "header"]), st.integers(0, 30), st.integers(0, 30), CELLS),
    max_size=4,
)


def _table(spec, headers, rows) -> RawTable:
    return RawTable(spec.name, tuple(headers), NumberedRows([headers, *rows], 1))


def _as_calamine(v):
    return float(v) + 0.0 if type(v) in (int, float) else v


def _as_sheets_api(v):
    v = _as_calamine(v)
    return int(v) if type(v) is float and v.is_integer() else v


def _delivered(rows: list[list], deliver) -> list[list]:
    return [[deliver(v) for v in r] for r in rows]


def _edited(headers: list, rows: list[list], edits) -> tuple[list, list[list]]:
    headers, rows = list(headers), [list(r) for r in rows]
    for kind, i, j, value in edits:
        if kind == "header" and headers:
            headers[i % len(headers)] = "Renamed"
        elif kind == "insert":
            rows.insert(i % (len(rows) + 1), [value] * (j % 8))
        elif kind == "append":
            rows.append([value] * (j % 8))
        elif kind == "delete" and rows:
            del rows[i % len(rows)]
        elif rows and rows[i % len(rows)]:
            row = rows[i % len(rows)]
            row[j % len(row)] = True if kind == "true" else value
    return headers, rows


@settings(max_examples=400, deadline=None)
@given(
    spec=st.sampled_from(DESK_SHEETS),
    rows=st.lists(st.lists(CELLS, max_size=20), max_size=12),
    edits=EDITS,
    day_first=st.booleans(),
    again_day_first=st.booleans(),
    deliver=st.sampled_from([_as_calamine, _as_sheets_api]),
)
def test_reading_again_is_reading_afresh(spec, rows, edits, day_first, again_day_first, deliver) -> None:
    headers = [c.header for c in spec.columns] + ["Remarks"]
    before = intake.read_sheet(_table(spec, headers, _delivered(rows, deliver)), spec, day_first)
    new_headers, new_rows = _edited(headers, rows, edits)
    table = _table(spec, new_headers, _delivered(new_rows, deliver))
    again = intake.read_sheet(table, spec, again_day_first, previous=before)
    assert_same((again.records, again.flags), intake.read_table(table, spec, again_day_first))


def test_unchanged_rows_keep_their_records_and_only_the_edited_row_is_read() -> None:
    headers = [c.header for c in ORDERS.columns]
    q = headers.index("Quantity")
    rows = [["SO-%d" % (i // 3), "2026-03-02", "C-1", "SKU-%d" % i, i + 1, 10.0] + [None] * (len(headers) - 6) for i in range(30)]
    rows[7][headers.index("Notes")] = "4111 1111 1111 1111"  # a flagged row keeps its flag too
    before = intake.read_sheet(_table(ORDERS, headers, rows), ORDERS)
    rows = [list(r) for r in rows]
    rows[12][q] = 99
    again = intake.read_sheet(_table(ORDERS, headers, rows), ORDERS, previous=before)
    assert [r is b for r, b in zip(again.records, before.records)] == [i != 12 for i in range(30)]
    assert again.records[12].quantity == 99
    assert again.flags == before.flags and [f.row for f in again.flags] == [9]


def test_a_sheet_laid_out_differently_is_read_afresh() -> None:
    headers = [c.header for c in ORDERS.columns]
    rows = [["SO-1", "2026-03-02", "C-1", "SKU-1", 1, 10.0]]
    before = intake.read_sheet(_table(ORDERS, headers, rows), ORDERS)
    swapped = [headers[1], headers[0], *headers[2:]]
    again = intake.read_sheet(_table(ORDERS, swapped, [["2026-03-02", "SO-1", "C-1", "SKU-1", 1, 10.0]]), ORDERS, previous=before)
    assert again.records[0] is not before.records[0]
    assert again.records[0].model_dump() == before.records[0].model_dump()
