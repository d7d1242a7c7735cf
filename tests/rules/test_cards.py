"""Full card numbers (rules/cards.py and intake): flagged where they are, copied nowhere."""

from __future__ import annotations

import pytest

from helpers import MAR_2, ORDERS_HEADER, evaluate_sheets, keys, raw_tables, sheets
from rules import cards
from rules.intake import read_desk

VISA = "4111111111111111"
VISA_SPACED = "4111 1111 1111 1111"
AMEX = "378282246310005"
#: Every way the test numbers could show up again (digits only, and as typed).
SECRETS = (VISA, VISA_SPACED, "4111-1111-1111-1111", AMEX, "3782 822463 10005", "411111111111")


def orders_with(*extra_columns: tuple[str, object], **cells: object) -> dict:
    header = [*ORDERS_HEADER, *(h for h, _ in extra_columns)]
    row: list[object] = ["SO-1", MAR_2, "C-DE", "WID-1", 2, None, None, None, "Standard", "Invoice", None, None, None]
    for name, value in cells.items():
        row[ORDERS_HEADER.index(name.replace("_", " "))] = value
    row += [v for _, v in extra_columns]
    return sheets(Orders=[header, row])


def assert_nowhere(tables: dict) -> None:
    """The number is in no flag message and in no record intake produced."""
    desk, _ = read_desk(raw_tables(tables))
    result = evaluate_sheets(tables)
    dumped = desk.model_dump_json() + repr(desk) + "".join(f.message for f in result.flags)
    for secret in SECRETS:
        assert secret not in dumped


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("Notes", f"paid by {VISA_SPACED}, thanks"),
        ("Notes", "4111-1111-1111-1111"),
        ("Card Expiry", VISA),
        ("Customer ID", AMEX),
        ("Quantity", float(VISA)),
    ],
)
def test_a_card_number_in_an_orders_cell_is_flagged_on_that_cell(where: str, value: object) -> None:
    tables = orders_with(**{where.replace(" ", "_"): value})
    result = evaluate_sheets(tables)
    assert ("Orders", 2, where, "card_number_exposed") in keys(result.flags)
    assert all(f.column == where for f in result.flags if f.code.value == "card_number_exposed")
    assert result.statuses == {2: "On hold"}
    assert_nowhere(tables)


def test_a_card_number_in_a_clerks_own_column() -> None:
    tables = orders_with(("Card No", float(VISA)), ("Remarks", f"card {AMEX}"))
    assert keys(evaluate_sheets(tables).flags) == {
        ("Orders", 2, "Card No", "card_number_exposed"),
        ("Orders", 2, "Remarks", "card_number_exposed"),
    }
    assert_nowhere(tables)


def test_a_16_digit_card_number_excel_already_truncated() -> None:
    truncated = 4111111111111110.0  # what Excel keeps of a 16-digit number: 15 significant digits
    tables = orders_with(("Card No", truncated))
    assert keys(evaluate_sheets(tables).flags) == {("Orders", 2, "Card No", "card_number_exposed")}


def test_a_card_number_on_another_sheet() -> None:
    customers = [["Customer ID", "Name", "Address", "City", "Postal Code", "Country", "Notes"],
                 ["C-DE", "Müller GmbH", "Hauptstraße 1", "Berlin", "10115", "DE", f"card {VISA}"]]
    tables = sheets(Customers=customers)
    assert keys(evaluate_sheets(tables).flags) == {("Customers", 2, "Notes", "card_number_exposed")}
    assert_nowhere(tables)


@pytest.mark.parametrize(
    "value",
    [
        "4111111111111112",  # fails Luhn
        "9400111899223197428490",  # parcel tracking number (starts with 9)
        "1Z999AA10123456784",  # UPS tracking, letters
        "0041111111111111",  # starts with 0: not a payment card
        "411111111111",  # 12 digits: too short
        "call 030 1234 5678 before noon",
        123456789012.0,
    ],
)
def test_numbers_that_are_not_cards(value: object) -> None:
    tables = orders_with(Notes=value) if isinstance(value, str) else orders_with(("Ref", value))
    assert keys(evaluate_sheets(tables).flags) == set()


def test_find_card_gives_only_the_last_four_digits() -> None:
    assert cards.find_card(f"x {VISA_SPACED} y") == "1111"
    assert cards.find_card(float(VISA)) == "1111"
    assert cards.find_card(int(AMEX)) == "0005"
    assert cards.find_card("no card here") is None


def test_redact_removes_the_number_and_keeps_the_rest() -> None:
    redacted = cards.redact(f"paid by {VISA_SPACED}, thanks")
    assert VISA_SPACED not in redacted and "paid by" in redacted and "thanks" in redacted
    assert cards.redact("Tracking 9400111899223197428490") == "Tracking 9400111899223197428490"
    assert cards.redact(None) is None
