"""Reading one cell the way a careful clerk would (rules/cells.py): what each parser accepts.

The junk sweep (test_junk_sweep.py) holds that nothing makes them raise anything
but `CellError`; these cases hold what they make of ordinary input.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from rules import cells
from rules.cells import CellError

D = Decimal


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        (12.5, "12.5"), (0.1, "0.1"), (5, "5"), (5.0, "5.0"), (" 12.50 ", "12.50"), ("€1,234.50", "1234.50"),
        ("1.234,50", "1234.50"), ("12,50", "12.50"), ("-3", "-3"), ("+3", "3"), ("1 000", "1000"),
        ("EUR 9.99", "9.99"), ("9.99 €", "9.99"), ("$5", "5"), (".5", "0.5"), ("5.", "5"), ("1e3", "1E+3"),
    ],
)
def test_decimal_reads_numbers_however_typed(typed: object, number: str) -> None:
    assert cells.decimal(typed) == D(number)


@pytest.mark.parametrize("typed", ["ten", "1.2.3", "12,5,0", "€", "1e", True, date(2026, 3, 2), float("nan"), 1e15, "1" * 40])
def test_decimal_refuses_what_is_not_a_usable_number(typed: object) -> None:
    with pytest.raises(CellError):
        cells.decimal(typed)


@pytest.mark.parametrize("blank", [None, "", "   ", "\u00a0"])
def test_blank_cells_are_none_for_every_parser(blank: object) -> None:
    for parse in (cells.text, cells.key, cells.decimal, cells.whole, cells.fraction, cells.day, cells.card_expiry):
        assert parse(blank) is None
    assert cells.yes_no(blank, default=True) is True and cells.yes_no(blank, default=False) is False


@pytest.mark.parametrize(("typed", "whole"), [(5, 5), (5.0, 5), ("5", 5), (" 5.00 ", 5), ("1,000", 1000), (-2, -2)])
def test_whole_numbers(typed: object, whole: int) -> None:
    assert cells.whole(typed) == whole and type(cells.whole(typed)) is int


@pytest.mark.parametrize("typed", [5.5, "5.5", "five"])
def test_not_whole_numbers(typed: object) -> None:
    with pytest.raises(CellError):
        cells.whole(typed)


@pytest.mark.parametrize(("typed", "fraction"), [(0.1, "0.1"), ("10%", "0.1"), (" 12.5 % ", "0.125"), ("0.19", "0.19"), (0, "0"), ("100%", "1")])
def test_fractions_from_percent_cells_or_percent_text(typed: object, fraction: str) -> None:
    assert cells.fraction(typed) == D(fraction)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        (date(2026, 3, 2), date(2026, 3, 2)),
        (datetime(2026, 3, 2, 23, 59), date(2026, 3, 2)),
        (46083.0, date(2026, 3, 2)),
        (46083.75, date(2026, 3, 2)),
        ("2026-03-02", date(2026, 3, 2)),
        ("2026-3-2", date(2026, 3, 2)),
        ("2026-03-02T10:30", date(2026, 3, 2)),
        ("02.03.2026", date(2026, 3, 2)),
        ("2/3/2026", date(2026, 3, 2)),
        ("02-03-26", date(2026, 3, 2)),
    ],
)
def test_dates_however_typed(typed: object, day: date) -> None:
    assert cells.day(typed) == day


def test_slash_dates_month_first_when_configured_but_dotted_dates_stay_day_first() -> None:
    assert cells.day("2/3/2026", day_first=False) == date(2026, 2, 3)
    assert cells.day("02.03.2026", day_first=False) == date(2026, 3, 2)


@pytest.mark.parametrize("typed", ["2026-02-30", "31.04.2026", "tomorrow", 0, -1, 3_000_000, True, "2026/03/02x"])
def test_not_dates(typed: object) -> None:
    with pytest.raises(CellError):
        cells.day(typed)


@pytest.mark.parametrize(
    ("typed", "expiry"),
    [("08/28", (2028, 8)), ("8/28", (2028, 8)), ("08/2028", (2028, 8)), ("08-28", (2028, 8)), (" 08 / 28 ", (2028, 8)), (date(2028, 8, 1), (2028, 8))],
)
def test_card_expiry(typed: object, expiry: tuple[int, int]) -> None:
    assert cells.card_expiry(typed) == expiry


@pytest.mark.parametrize("typed", ["13/28", "0/28", "0828", "08/2", date(2028, 8, 15), "August"])
def test_not_a_card_expiry(typed: object) -> None:
    with pytest.raises(CellError):
        cells.card_expiry(typed)


def test_keys_fold_case_and_spaces_and_text_keeps_what_was_typed() -> None:
    assert cells.key("  Pen-0001 ") == "pen-0001"
    assert cells.key("SO  1042") == cells.key("so 1042")
    assert cells.key(1042.0) == "1042"
    assert cells.text("  Hello  World ") == "Hello  World"
    assert cells.text(1042.0) == "1042" and cells.text(0.5) == "0.5" and cells.text(True) == "TRUE"


def test_choice_returns_the_canonical_spelling() -> None:
    assert cells.choice(" bank  TRANSFER ", ("Card", "Bank Transfer")) == "Bank Transfer"
    with pytest.raises(CellError):
        cells.choice("Cheque", ("Card", "Bank Transfer"))


def test_shown_quotes_a_value_short_and_recognisable() -> None:
    assert cells.shown(5.0) == "'5'"
    assert cells.shown(date(2026, 3, 2)) == "'2026-03-02'"
    assert cells.shown("x" * 100) == "'" + "x" * 39 + "…'"
