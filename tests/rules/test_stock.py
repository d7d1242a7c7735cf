"""Stock (rules/stock.py `allocate`) and the stock stage of the checks (`insufficient_stock`)."""

from __future__ import annotations

from datetime import date

from helpers import MAR_2, evaluate_sheets, keys, orders, sheets
from rules.models import StockLevel
from rules.stock import Demand, allocate

MAR_1, MAR_3 = date(2026, 3, 1), date(2026, 3, 3)


def level(row: int, sku: str, location: str, on_hand: int | None) -> StockLevel:
    return StockLevel(row=row, sku=sku, location=location, on_hand=on_hand)


def demand(row: int, quantity: int, sku_key: str = "wid-1", day: date | None = MAR_2) -> Demand:
    return Demand(row=row, order_date=day, sku_key=sku_key, quantity=quantity)


def test_enough_stock_in_one_location() -> None:
    (r,), (a,) = allocate([demand(2, 5)], [level(2, "WID-1", "Main", 10)])
    assert (r.row, r.wanted, r.reserved, r.short, r.by_location, r.on_hand, r.reserved_before) == (2, 5, 5, 0, (("Main", 5),), 10, 0)
    assert (a.sku_key, a.location, a.on_hand, a.reserved, a.available) == ("wid-1", "Main", 10, 5, 5)


def test_a_line_takes_location_by_location_in_sheet_order() -> None:
    stock = [level(2, "WID-1", "Main", 3), level(3, "BOX-6", "Main", 50), level(4, "WID-1", "Annex", 4)]
    (r,), availability = allocate([demand(2, 6)], stock)
    assert r.reserved == 6 and r.by_location == (("Main", 3), ("Annex", 3)) and r.on_hand == 7
    assert [(a.sku_key, a.location, a.reserved, a.available) for a in availability] == [
        ("wid-1", "Main", 3, 0), ("box-6", "Main", 0, 50), ("wid-1", "Annex", 3, 1),
    ]


def test_first_come_first_served_by_order_date_then_row() -> None:
    demands = [demand(2, 4, day=MAR_3), demand(3, 4, day=MAR_1), demand(4, 4, day=MAR_3), demand(5, 4, day=None)]
    reservations, _ = allocate(demands, [level(2, "WID-1", "Main", 10)])
    assert [(r.row, r.reserved, r.reserved_before) for r in reservations] == [(3, 4, 0), (2, 4, 4), (4, 2, 8), (5, 0, 10)]


def test_a_short_line_is_reserved_as_far_as_stock_allows_and_later_lines_get_nothing() -> None:
    demands = [demand(2, 8), demand(3, 5), demand(4, 1)]
    reservations, (a,) = allocate(demands, [level(2, "WID-1", "Main", 10)])
    assert [(r.row, r.reserved, r.short) for r in reservations] == [(2, 8, 0), (3, 2, 3), (4, 0, 1)]
    assert (a.reserved, a.available) == (10, 0)


def test_skus_match_their_folded_form() -> None:
    (r,), _ = allocate([demand(2, 2)], [level(2, " wid-1 ", "Main", 5)])
    assert r.reserved == 2


def test_a_location_listed_twice_counts_once_and_negative_stock_counts_as_none() -> None:
    stock = [level(2, "WID-1", "Main", 5), level(3, "WID-1", "main", 50), level(4, "WID-1", "Annex", -7)]
    (r,), availability = allocate([demand(2, 20)], stock)
    assert (r.reserved, r.on_hand, r.by_location) == (5, 5, (("Main", 5),))
    assert [(a.location, a.on_hand) for a in availability] == [("Main", 5), ("Annex", 0)]


def test_an_unstocked_sku_reserves_nothing() -> None:
    (r,), availability = allocate([demand(2, 3, sku_key="book-1")], [level(2, "WID-1", "Main", 5)])
    assert (r.reserved, r.short, r.on_hand, r.by_location) == (0, 3, 0, ())
    assert [(a.sku_key, a.reserved) for a in availability] == [("wid-1", 0)]


def test_rows_without_sku_location_or_on_hand_hold_no_stock() -> None:
    stock = [level(2, "", "Main", 5), level(3, "WID-1", "", 5), level(4, "WID-1", "Main", None)]
    (r,), _ = allocate([demand(2, 1)], stock)
    assert r.reserved == 0


def test_no_demands() -> None:
    reservations, (a,) = allocate([], [level(2, "WID-1", "Main", 5)])
    assert reservations == () and a.available == 5


def test_the_inputs_are_left_as_they_were() -> None:
    stock = [level(2, "WID-1", "Main", 5)]
    demands = [demand(3, 2, day=MAR_3), demand(2, 2, day=MAR_1)]
    allocate(demands, stock)
    assert stock == [level(2, "WID-1", "Main", 5)] and [d.row for d in demands] == [3, 2]


# --- insufficient_stock in a check ------------------------------------------------------------

INVENTORY = [
    ["SKU", "Location", "On Hand"],
    ["WID-1", "Main", 6],
    ["BOOK-1", "Main", 40],
    ["BOX-6", "Main", 60],
    ["WID-1", "Annex", 4],
]


def line(order_id: str, day: date, sku: str, quantity: int, action: str | None = None) -> list[object]:
    return [order_id, day, "C-DE", sku, quantity, None, None, None, "Standard", "Invoice", None, action, None]


def test_lines_are_served_by_order_date_then_row_across_two_locations() -> None:
    rows = (
        line("SO-1", MAR_3, "WID-1", 5),  # row 2: the later date, served second
        line("SO-2", MAR_1, "WID-1", 3),  # row 3: served first
        line("SO-3", MAR_3, "WID-1", 4),  # row 4: same date as row 2, after it: gets what is left
        line("SO-3", MAR_3, "BOOK-1", 1),  # row 5: its own SKU is there
    )
    result = evaluate_sheets(sheets(Inventory=INVENTORY, Orders=orders(*rows)))
    assert keys(result.flags) == {("Orders", 4, "Quantity", "insufficient_stock")}
    (flag,) = result.flags
    assert flag.severity.value == "warning"
    assert {r.row: (r.reserved, r.short) for r in result.reservations} == {3: (3, 0), 2: (5, 0), 4: (2, 2), 5: (1, 0)}
    assert {(a.sku_key, a.location): a.available for a in result.availability} == {
        ("wid-1", "Main"): 0, ("wid-1", "Annex"): 0, ("book-1", "Main"): 39, ("box-6", "Main"): 60,
    }
    assert result.statuses == {2: "Verified", 3: "Verified", 4: "Backordered", 5: "Verified"}


def test_orders_with_errors_on_hold_or_cancelled_reserve_nothing() -> None:
    rows = (
        line("SO-1", MAR_1, "WID-1", 10, "Hold"),
        line("SO-2", MAR_1, "WID-1", 10, "Cancel"),
        [*line("SO-3", MAR_1, "WID-1", 9)[:9], "Bitcoin", None, None, None],  # an error holds it
        line("SO-4", MAR_2, "WID-1", 10),
    )
    result = evaluate_sheets(sheets(Inventory=INVENTORY, Orders=orders(*rows)))
    assert keys(result.flags) == {("Orders", 4, "Payment Method", "unknown_payment_method")}
    assert [(r.row, r.reserved) for r in result.reservations] == [(5, 10)]
    assert result.statuses == {2: "On hold", 3: "Verified", 4: "On hold", 5: "Verified"}


def test_one_line_with_an_error_keeps_the_whole_order_from_reserving() -> None:
    rows = (line("SO-1", MAR_1, "WID-1", 4), line("SO-1", MAR_1, "NOPE", 1), line("SO-2", MAR_2, "WID-1", 10))
    result = evaluate_sheets(sheets(Inventory=INVENTORY, Orders=orders(*rows)))
    assert keys(result.flags) == {("Orders", 3, "SKU", "unknown_sku")}
    assert [(r.row, r.reserved) for r in result.reservations] == [(4, 10)]


def test_warnings_do_not_stop_an_order_reserving() -> None:
    rows = (line("SO-1", MAR_1, "WID-1", 8, "Ship it"),)
    result = evaluate_sheets(sheets(Inventory=INVENTORY, Orders=orders(*rows)))
    assert keys(result.flags) == {("Orders", 2, "Action", "unknown_action")}
    assert [(r.row, r.reserved) for r in result.reservations] == [(2, 8)]


def test_closed_lines_hold_no_stock() -> None:
    header = [*orders()[0], "Status"]
    rows = [header, [*line("SO-1", MAR_1, "WID-1", 10), "Shipped"], [*line("SO-2", MAR_2, "WID-1", 10), None]]
    result = evaluate_sheets(sheets(Inventory=INVENTORY, Orders=rows))
    assert keys(result.flags) == set()
    assert [(r.row, r.reserved) for r in result.reservations] == [(3, 10)]
    assert result.statuses == {2: "Shipped", 3: "Verified"}
