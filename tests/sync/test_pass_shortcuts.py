"""The faster spellings a pass uses must give exactly what the plain ones give:
a line's content text (its hash is in the ledger), and the write plan that
leaves out cells the sheet already shows.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import sync.pipeline as pipeline
from rules.construct import trusted
from rules.intake import read_desk
from rules.models import OrderLine
from rules.schema import INPUT_SHEETS
from sync.ledger.chain import canonical
from sync.row_keys import content_hash, line_content, line_json, text_hash
from sync.writeback import CellWrite
from sync.writeplan import SPECS, plan_writes, same_value
from sync.xlsx_reader import read_workbook
from tests.helpers import clerk_saves

STARTER = Path(__file__).resolve().parents[2] / "workbooks" / "orders.xlsx"

_texts = st.none() | st.text(max_size=12)  # quotes, backslashes, control characters, any script
_decimals = st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=None)
_days = st.none() | st.dates() | st.datetimes()


@settings(max_examples=300, deadline=None)
@given(
    order_id=_texts, customer_id=_texts, sku=_texts, notes=_texts, ship_method=_texts, payment_method=_texts,
    action=_texts, quantity=st.none() | st.integers(-10**20, 10**20), unit_price=_decimals, discount=_decimals,
    order_date=_days, ship_by=_days, card_expiry=st.none() | st.tuples(st.integers(2000, 2100), st.integers(1, 12)),
)
def test_line_json_spells_a_line_as_canonical_does(**values) -> None:
    line = trusted(OrderLine, {"row": 2, **{k: v for k, v in values.items() if v is not None}})
    assert line_json(line) == canonical(line_content(line))
    assert text_hash(line_json(line)) == content_hash(line_content(line))


def test_line_json_on_the_starter_workbook() -> None:
    desk, _ = read_desk(read_workbook(STARTER, INPUT_SHEETS))
    assert desk.lines
    for line in desk.lines:
        assert line_json(line) == canonical(line_content(line))


def _every_write_then_filtered(args) -> dict[str, list[CellWrite]]:
    """The plan as it was made before: every owned cell, then those the sheet already shows left out."""
    (desk, evaluation, open_flags, state, anchors, applied, tables, extra) = args
    full = plan_writes(desk, evaluation, open_flags, state, anchors, applied, None, extra)
    out = {}
    for sheet in full.sheets:
        table, spec = tables.get(sheet.sheet), SPECS.get(sheet.sheet)
        if table is None or spec is None:
            out[sheet.sheet] = list(sheet.cells)
            continue
        positions = table.positions(spec)
        kept = []
        for w in sheet.cells:
            p, i = positions.get(w.column), w.row - 2
            if p is None or not 0 <= i < len(table.rows):
                kept.append(w)
                continue
            values = table.rows[i][1]
            if not same_value(values[p] if p < len(values) else None, w.value):
                kept.append(w)
        out[sheet.sheet] = kept
    return out


def test_the_plan_leaves_out_exactly_the_cells_the_sheet_shows(tmp_path: Path, monkeypatch) -> None:
    """Through real passes (first sync, a clerk's edits, a reordered sheet): the fused plan equals the old two steps."""
    shutil.copy2(STARTER, tmp_path / "orders.xlsx")
    shutil.copy2(STARTER.with_name("sheetclerk.toml"), tmp_path / "sheetclerk.toml")
    path = tmp_path / "orders.xlsx"
    compared = []

    def checked(*args):
        plan = plan_writes(*args)
        assert {s.sheet: list(s.cells) for s in plan.sheets} == _every_write_then_filtered(args)
        compared.append(sum(len(s.cells) for s in plan.sheets))
        return plan

    monkeypatch.setattr(pipeline, "plan_writes", checked)
    assert pipeline.run_pass(path).status == "synced"
    clerk_saves(path, "2026-11-17", {"Orders": {(4, "Quantity"): 7, (5, "Unit Price"): "12,50", (33, "Unit Price"): None,
                                               (6, "Status"): "Shipped", (7, "Line Total"): 1}})
    assert pipeline.run_pass(path).status == "synced"
    assert compared[0] > compared[1] > 0


def test_plain_values_of_line_json() -> None:
    line = trusted(OrderLine, {"row": 3, "order_id": 'SO-"1"\\', "order_date": date(2026, 11, 2),
                               "ship_by": datetime(2026, 11, 3, 12, 30), "unit_price": Decimal("1.50E+3"),
                               "discount": Decimal("0.10"), "quantity": 5, "card_expiry": (2027, 11), "notes": "ü\n€"})
    assert line_json(line) == canonical(line_content(line))
