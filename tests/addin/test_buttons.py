"""The ribbon buttons, driven against real .xlsx files through the file implementation
(`FileDesk`: the `.xlsx` reader and writer, a real SQLite ledger), and the Excel layer
(`addin.ribbon`) against a stand-in for xlwings' book (Excel cannot run here).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from addin import buttons, ribbon
from addin.buttons import FileDesk, Outcome
from rules.schema import ORDERS, header_key
from sync.xlsx_reader import read_workbook

STARTER = Path(__file__).resolve().parents[2] / "workbooks"


@pytest.fixture
def desk(tmp_path: Path) -> FileDesk:
    shutil.copy(STARTER / "orders.xlsx", tmp_path / "orders.xlsx")
    shutil.copy(STARTER / "sheetclerk.toml", tmp_path / "sheetclerk.toml")
    return FileDesk(tmp_path / "orders.xlsx")


def column(path: Path, header: str) -> dict[int, object]:
    table = read_workbook(path)["Orders"]
    p = table.positions(ORDERS)[header]
    return {row: (v[p] if p < len(v) else None) for row, v in table.rows}


def test_check_writes_each_lines_problems_into_the_check_column_and_nothing_else(desk: FileDesk):
    before = {h: column(desk.path, h) for h in ("Status", "Line Total", "Action")}
    outcome = buttons.check_workbook(desk)
    assert not outcome.ok and "error(s)" in outcome.message and "Check column" in outcome.message
    check = column(desk.path, "Check")
    assert check[32].startswith("✖ Quantity 4 is not a multiple")  # the starter's pack-size mistake
    assert not check[2]
    assert {h: column(desk.path, h) for h in before} == before
    assert not (desk.path.parent / "sheetclerk-data").exists()  # checking never makes a ledger


def test_invoice_sets_action_on_every_line_of_the_selected_orders_then_syncs(desk: FileDesk):
    action_before = column(desk.path, "Action")
    so_1002 = {r for r, v in column(desk.path, "Order ID").items() if v == "SO-1002"}
    assert 4 in so_1002 and len(so_1002) > 1
    outcome = buttons.request("Ship", desk, [4, 9999, 1])  # one line of SO-1002, plus rows that are no order line
    assert f"Ship requested for order SO-1002 ({len(so_1002)} line(s))" in outcome.message, outcome.message
    action = column(desk.path, "Action")
    assert all(action[r] == "Ship" for r in so_1002)
    assert {r: v for r, v in action.items() if r not in so_1002} == {r: v for r, v in action_before.items() if r not in so_1002}
    assert (desk.path.parent / "sheetclerk-data" / "ledger.sqlite").is_file()
    assert column(desk.path, "Status")[2]  # the pass wrote back


def test_a_request_without_a_selected_order_line_says_what_to_select(desk: FileDesk):
    outcome = buttons.request("Invoice", desk, [1, 5000])
    assert not outcome.ok and outcome.message.startswith("Select one or more order lines on the 'Orders' sheet")
    assert not (desk.path.parent / "sheetclerk-data").exists()


def test_sync_then_nothing_new_then_reconcile(desk: FileDesk):
    first = buttons.sync_now(desk)
    assert first.message.startswith("Synced:") and "error(s)" in first.message
    again = buttons.sync_now(desk)
    assert again.message.startswith("Nothing new since the last sync")
    end_of_day = buttons.reconcile(desk)
    assert "chain intact" in end_of_day.message


def test_review_and_documents_say_when_there_is_nothing_yet(desk: FileDesk):
    assert buttons.open_documents(desk).message.startswith("No documents yet")
    buttons.sync_now(desk)
    review = buttons.open_review(desk)
    assert review.ok and review.show_sheet is not None and header_key(review.show_sheet) == "review"
    folder = desk.path.parent / "sheetclerk-data" / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    assert buttons.open_documents(desk).open_path == folder


def test_a_bad_setting_is_an_error_the_boundary_explains(desk: FileDesk, monkeypatch: pytest.MonkeyPatch):
    (desk.path.parent / "sheetclerk.toml").write_text("currency = 12\n")
    from sync.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        buttons.sync_now(desk)
    assert "currency" in ribbon.explain(caught.value)


# --- the Excel layer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "rows"),
    [
        ("$A$2", [2]),
        ("$A$2:$C$4", [2, 3, 4]),
        ("$B$9,$A$2:$A$3", [2, 3, 9]),
        ("$4:$5", [4, 5]),
        ("$A:$A", list(range(1, 11))),
        ("Orders!$D$7", [7]),
        ("", list(range(1, 11))),
    ],
)
def test_rows_of_a_selection(address: str, rows: list[int]):
    assert ribbon.rows_in_address(address, last_row=10) == rows


class FakeApp:
    def __init__(self) -> None:
        self.status_bar = None
        self.alerts: list[tuple[str, str, str]] = []

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append((prompt, title, mode))


def fake_book(fullname: str) -> SimpleNamespace:
    return SimpleNamespace(fullname=fullname, app=FakeApp(), sheets={}, selection=None)


def test_an_unsaved_workbook_gets_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch):
    book = fake_book("Book1")
    monkeypatch.setattr(ribbon, "_caller", lambda: book)
    ribbon.sync_now()
    [(prompt, title, mode)] = book.app.alerts
    assert prompt.startswith("Save the workbook") and title == "sheetclerk" and mode == "critical"


def test_every_entry_point_shows_a_message_whatever_goes_wrong(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    book = fake_book(str(tmp_path / "missing.xlsx"))  # xlwings' book wrapper over a file that is gone
    book.sheet_names = None
    monkeypatch.setattr(ribbon, "_caller", lambda: book)
    for entry in ribbon.ENTRY_POINTS:
        entry()
    assert len(book.app.alerts) == len(ribbon.ENTRY_POINTS)
    for prompt, _, mode in book.app.alerts:
        assert mode == "critical" and prompt and "Traceback" not in prompt
    assert sum("did not finish" in prompt for prompt, _, _ in book.app.alerts) >= len(ribbon.ENTRY_POINTS) - 1


def test_no_excel_at_all_is_silent(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ribbon, "_caller", lambda: None)
    for entry in ribbon.ENTRY_POINTS:
        entry()  # nothing to show a message in, and nothing raised


def test_a_live_book_is_read_and_written_through_the_live_writer(desk: FileDesk):
    """`LiveDesk` over an in-memory book (the live writer's own test stand-in) built from the starter's values."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("live_writer_tests", Path(__file__).parents[1] / "sync" / "test_live_writer.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    tables = read_workbook(desk.path)
    book = module.MemoryBook.from_tables({t.sheet: [list(t.headers), *[list(v) for _, v in t.rows]] for t in tables.values()})
    live = buttons.LiveDesk(book, desk.path)
    outcome = buttons.check_workbook(live)
    assert not outcome.ok
    check_col = [c for (r, c), cell in book.sheets["Orders"].items() if r == 1 and cell.value == "Check"][0]
    assert book.sheets["Orders"][(32, check_col)].value.startswith("✖ Quantity 4")
    assert book.saves == 1
    assert isinstance(outcome, Outcome)
