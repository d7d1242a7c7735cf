"""A daemon that remembers its last pass (sync/pass_memory.py) records exactly what fresh passes record.

Two desks get the same clerks' saves; one is synced by `RememberingPasses` (as
`sheetclerk watch` does), the other by a fresh `run_pass` each time, as the
command line does. After every save both must report the same pass, hold the
same ledger and show the same workbook.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from rules.models import OrderLine
from rules.construct import trusted
from sync.pass_memory import PassMemory, RememberingPasses
from sync.pipeline import run_pass
from sync.row_keys import anchors
from tests.sync.test_pipeline import desk, state_dump


def _save(path: Path, at: str, change) -> None:
    """A clerk's save (openpyxl rewrites the package, as a spreadsheet program does), dated `at`."""
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    t = datetime.fromisoformat(f"{at}T09:00:00+00:00").timestamp()
    os.utime(path, (t, t))


def _cells(sheet: str, changes: dict[tuple[int, str], object]):
    def change(book) -> None:
        ws = book[sheet]
        headers = {str(c.value).strip(): c.column for c in ws[1] if c.value is not None}
        for (row, header), value in changes.items():
            ws.cell(row=row, column=headers[header], value=value)

    return change


SAVES = [
    ("2026-11-17", _cells("Orders", {(4, "Quantity"): 7})),
    ("2026-11-17", _cells("Orders", {(5, "Notes"): "call before delivery"})),
    ("2026-11-18", lambda book: book["Orders"].insert_rows(6)),  # an empty row: everything below moves
    ("2026-11-18", _cells("Orders", {(6, "Order ID"): "SO-1090", (6, "Order Date"): "2026-11-18", (6, "Customer ID"): "C-0001",
                                     (6, "SKU"): "KB-ESP-250", (6, "Quantity"): 2})),
    ("2026-11-19", _cells("Products", {(2, "Unit Price"): 99})),
    ("2026-11-19", lambda book: book["Orders"].delete_rows(4)),
    ("2026-11-20", _cells("Orders", {(32, "Quantity"): 6, (8, "Action"): "Hold"})),
    ("2026-11-20", lambda book: None),  # saved unchanged
]


def _workbook(path: Path) -> dict[str, list]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _reported(result) -> tuple:
    flags = tuple((f.sheet, f.row, f.column, f.code, f.message) for f in result.flags)
    return result.status, result.events, result.write, flags, result.statuses


def test_remembering_passes_record_what_fresh_passes_record(tmp_path: Path) -> None:
    remembered, fresh = desk(tmp_path, "daemon"), desk(tmp_path, "command")
    passes = RememberingPasses(run_pass)
    assert _reported(passes(remembered)) == _reported(run_pass(fresh))
    memory = passes._memories[remembered.resolve()]
    kept = []
    for at, change in SAVES:
        before = memory.readings["Orders"].records
        for path in (remembered, fresh):
            _save(path, at, change)
        assert _reported(passes(remembered)) == _reported(run_pass(fresh)), at
        assert _workbook(remembered) == _workbook(fresh)
        assert state_dump(remembered) == state_dump(fresh)
        now = memory.readings["Orders"].records
        kept.append(len({id(r) for r in before} & {id(r) for r in now}))
    assert max(kept) > 0.9 * len(memory.readings["Orders"].records)  # the memory was used, not just carried


def test_each_workbook_has_its_own_memory(tmp_path: Path) -> None:
    seen = []
    passes = RememberingPasses(lambda source, memory: seen.append((source, memory)))
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    a.write_bytes(b""), b.write_bytes(b"")
    passes(a), passes(b), passes(str(a))
    assert seen[0][1] is seen[2][1] and seen[0][1] is not seen[1][1]


def _line(row: int, order: str, sku: str, quantity: int = 1) -> OrderLine:
    return trusted(OrderLine, {"row": row, "order_id": order, "order_key": order.lower(), "sku": sku, "sku_key": sku.lower(),
                               "quantity": quantity})


def test_anchors_are_remembered_only_while_no_line_changed_its_row_or_identity() -> None:
    memory = PassMemory()
    lines = [_line(2, "SO-1", "A"), _line(3, "SO-1", "B"), _line(4, "SO-2", "A")]
    assert memory.anchors("Orders", lines) == anchors("Orders", lines)
    edited = [lines[0], _line(3, "SO-1", "B", quantity=5), lines[2]]  # same identity: the same anchors
    assert memory.anchors("Orders", edited) == anchors("Orders", edited)
    renamed = [lines[0], _line(3, "SO-1", "A"), lines[2]]  # a second SO-1|A: anchored |2
    assert memory.anchors("Orders", renamed) == anchors("Orders", renamed) == {2: "so-1|a|1", 3: "so-1|a|2", 4: "so-2|a|1"}
    moved = [_line(5, "SO-1", "A"), *renamed[1:]]
    assert memory.anchors("Orders", moved) == anchors("Orders", moved)
    assert memory.anchors("Orders", moved[:2]) == anchors("Orders", moved[:2])


def test_after_a_restart_the_first_unchanged_look_fills_the_memory(tmp_path: Path) -> None:
    remembered, fresh = desk(tmp_path, "daemon"), desk(tmp_path, "command")
    run_pass(remembered), run_pass(fresh)
    passes = RememberingPasses(run_pass)  # the daemon starts: its first pass finds nothing new
    assert passes(remembered).status == "unchanged"
    memory = passes._memories[remembered.resolve()]
    records = memory.readings["Orders"].records
    assert records and len(memory.spellings) == len(records) and memory.anchored["Orders"][0] is records
    for path in (remembered, fresh):
        _save(path, "2026-11-17", _cells("Orders", {(4, "Quantity"): 7}))
    assert _reported(passes(remembered)) == _reported(run_pass(fresh))
    assert _workbook(remembered) == _workbook(fresh) and state_dump(remembered) == state_dump(fresh)
    assert sum(r is b for r, b in zip(memory.readings["Orders"].records, records)) == len(records) - 1


def test_an_unreadable_workbook_is_not_remembered_and_does_not_raise(tmp_path: Path) -> None:
    broken = tmp_path / "orders.xlsx"
    broken.write_bytes(b"not a zip")
    passes = RememberingPasses(lambda source, memory: type("Unchanged", (), {"status": "unchanged"})())
    passes(broken)
    assert not passes._memories[broken.resolve()].readings


def test_memories_of_workbooks_gone_or_long_unpassed_are_dropped(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(RememberingPasses, "MAX_WORKBOOKS", 2)
    passes = RememberingPasses(lambda source, memory: None)
    a, b, c = (tmp_path / f"{n}.xlsx" for n in "abc")
    for path in (a, b, c):
        path.write_bytes(b"")
    passes(a), passes(b), passes(a), passes(c)  # b is the least recently passed
    assert list(passes._memories) == [a.resolve(), c.resolve()]
    a.unlink()
    passes(c)
    assert list(passes._memories) == [c.resolve()]
