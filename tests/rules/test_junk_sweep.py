"""Junk in, flags out: no cell value makes a parser or a rule raise.

Like python-stdnum's sweep: every parser in rules/cells.py, and every row rule
(through intake of a workbook-like RawTable, for every column of every sheet),
is fed values no clerk should type and every reader can deliver. A parser may
only answer with a value or `CellError`; the pipeline may only answer with
flags, and never with `internal_error` (that would be a rule raising).
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import MAR_2, raw_tables, sheets
from rules import address, cards, cells, vat
from rules.cells import CellError
from rules.checks import evaluate
from rules.flags import Code
from rules.intake import read_desk
from rules.policy import Policy
from rules.schema import ACTIONS, SHEETS
from rules.table import RawTable

JUNK: tuple[object, ...] = (
    None, "", " ", "\u00a0", "\t\n",
    0, -1, 1, 0.0, -0.0, 1.5, -1e-300, 999_999_999_999_999.0, "999999999999999.99", 1e15, 1e308, -1e308, 2**63, float("nan"), float("inf"), float("-inf"),
    Decimal("NaN"), Decimal("-Infinity"), Decimal("1e999999"),
    True, False,
    "🙂", "🙂" * 40, "x" * 100_000, "9" * 100_000, "1" * 99_999 + "x", "1,2" * 30_000, "€",
    '=HYPERLINK("x")', "+cmd", "-1+1", "@SUM(A1)", "=1/0", "#DIV/0!", "#N/A",
    45000, 45000.75, "45000", -45000, 3_000_000,
    date(2026, 3, 2), datetime(2026, 3, 2, 23, 59), time(10, 30), date.min, date.max, datetime.min,
    timedelta(days=1),
    "0000-00-00", "2026-02-30", "99/99/99", "31.12.0000", "00/00", "13/99", "1e999999999999999999", "1e-999999999",
    "NaN", "inf", "-", "%", "100%%", "1.2.3", "1,2,3", "١٢٣", "ＳＫＵ-１",
    "4111 1111 1111 1111", 4111111111111111.0,
    "DROP TABLE orders;", "<script>", "\x00", "\ufeff", "a\u0301",
)

PARSERS = {
    "text": cells.text,
    "key": cells.key,
    "decimal": cells.decimal,
    "whole": cells.whole,
    "fraction": cells.fraction,
    "day": cells.day,
    "day (month first)": partial(cells.day, day_first=False),
    "card_expiry": cells.card_expiry,
    "yes_no": partial(cells.yes_no, default=True),
    "choice": partial(cells.choice, options=ACTIONS),
}

#: What each parser may return for a value it can read.
RESULT_TYPES = {
    "text": str, "key": str, "decimal": Decimal, "whole": int, "fraction": Decimal, "day": date,
    "day (month first)": date, "card_expiry": tuple, "yes_no": bool, "choice": str,
}


def test_the_sweep_covers_every_parser_in_cells() -> None:
    defined = {
        name for name, f in vars(cells).items()
        if callable(f) and getattr(f, "__module__", "") == cells.__name__ and not name.startswith("_") and not isinstance(f, type)
    }
    covered = {getattr(p, "func", p).__name__ for p in PARSERS.values()} | {"is_blank", "shown"}
    assert defined <= covered, defined - covered


def junk_id(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


@pytest.mark.parametrize("value", JUNK, ids=junk_id)
@pytest.mark.parametrize("name", list(PARSERS))
def test_a_parser_answers_with_a_value_or_a_cell_error(name: str, value: object) -> None:
    try:
        result = PARSERS[name](value)
    except CellError as e:
        assert str(e)
        return
    assert result is None or isinstance(result, RESULT_TYPES[name])
    if isinstance(result, Decimal):
        assert result.is_finite() and abs(result) < cells.MAX_MAGNITUDE


@pytest.mark.parametrize("value", JUNK, ids=junk_id)
def test_the_small_helpers_never_raise(value: object) -> None:
    assert isinstance(cells.is_blank(value), bool)
    assert isinstance(cells.shown(value), str) and len(cells.shown(value)) <= 42
    last4 = cards.find_card(value)
    assert last4 is None or (len(last4) == 4 and last4.isdigit())
    if isinstance(value, str):
        assert isinstance(cards.redact(value), str)
        assert vat.check(value, "DE") is None or isinstance(vat.check(value, "DE"), str)
        assert isinstance(address.problems(value, value, value, value), tuple)
        assert isinstance(address.problems("Street 1", "Town", value, "GB"), tuple)


# --- every row rule, through intake ------------------------------------------------------------

def junk_tables(value: object) -> dict[str, RawTable]:
    """Every sheet with every column the spec knows, a clean-looking row and then `value` in every cell.

    One row per column gets the junk in that column alone (so the rules that
    need the other cells still run), and a last row has it everywhere.
    """
    base = sheets()
    base["Orders"] = [["SO-1", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Card", "08/28", None, None]]
    tables: dict[str, RawTable] = {}
    for spec in SHEETS:
        headers = [c.header for c in spec.columns]
        clean = _clean_row(spec.name, headers, base)
        rows = []
        for i in range(len(headers)):
            row = list(clean)
            row[i] = value
            rows.append(row)
        rows.append([value] * len(headers))
        tables.update(raw_tables({spec.name: [headers, *rows]}))
    return tables


def _clean_row(sheet: str, headers: list[str], base: dict) -> list[object]:
    samples = {
        "Orders": dict(zip(["Order ID", "Order Date", "Customer ID", "SKU", "Quantity", "Unit Price", "Discount %", "Ship By", "Ship Method", "Payment Method", "Card Expiry"], base["Orders"][0])),
        "Products": dict(zip(base["Products"][0], base["Products"][1])),
        "Customers": dict(zip(base["Customers"][0], base["Customers"][1])),
        "Inventory": dict(zip(base["Inventory"][0], base["Inventory"][1])),
        "Stock Moves": {"Date": MAR_2, "SKU": "WID-1", "Location": "Main", "Quantity": 5, "Reason": "Receipt"},
        "Payments": {"Payment ID": "P-1", "Date": MAR_2, "Invoice No": "INV-1", "Amount": 10, "Method": "Cash"},
        "Returns": {"RMA ID": "R-1", "Order ID": "SO-1", "SKU": "WID-1", "Quantity": 1, "Condition": "Resellable", "Resolution": "Refund"},
    }.get(sheet, {})
    return [samples.get(h) for h in headers]


def _check(tables: dict[str, RawTable]) -> None:
    for policy in (Policy(), Policy(day_first=False)):
        desk, intake_flags = read_desk(tables, policy.day_first)
        result = evaluate(desk, policy, intake_flags)
        internal = [f for f in result.flags if f.code is Code.INTERNAL_ERROR]
        assert internal == [], internal[0].message
        for f in result.flags:
            assert isinstance(f.message, str) and f.message
        # The views other parts show are computed when asked: ask for all of them.
        assert all(isinstance(v, Decimal) for v in dict(result.line_totals).values())
        assert all(t.gross == t.net + t.tax for t in dict(result.order_totals).values())
        assert set(result.statuses) == {line.row for line in desk.lines}


@pytest.mark.parametrize("value", JUNK, ids=junk_id)
def test_junk_in_any_cell_of_any_sheet_gives_flags_not_exceptions(value: object) -> None:
    _check(junk_tables(value))


def test_junk_in_the_header_row() -> None:
    tables = {
        spec.name: RawTable(spec.name, tuple(str(j)[:50] for j in JUNK), [(2, list(JUNK))]) for spec in SHEETS
    }
    _check(tables)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(JUNK), min_size=18, max_size=18), min_size=1, max_size=4), st.integers(0, 6))
def test_junk_mixed_across_rows_and_columns(rows: list[list[object]], which: int) -> None:
    tables = raw_tables(sheets())
    spec = SHEETS[which]
    headers = tuple(c.header for c in spec.columns)
    tables[spec.name] = RawTable(spec.name, headers, [(i, row[: len(headers)]) for i, row in enumerate(rows, start=2)])
    if spec.name != "Orders":
        tables["Orders"] = RawTable("Orders", tuple(c.header for c in SHEETS[0].columns), [(2, rows[0])])
    _check(tables)


def test_numbers_read_as_floats_or_ints_alike() -> None:
    assert cells.decimal(5) == cells.decimal(5.0) == Decimal(5)
    assert math.isclose(float(cells.decimal(1e14)), 1e14)
