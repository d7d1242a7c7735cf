"""The Review sheet: rebuilt from a pass's open flags, added when the workbook has none.

Review is sheetclerk's own sheet, so its whole `<sheetData>` is replaced (the
rest of the part — column widths, frozen panes, a manager's filter — stays).
When the rows already hold exactly the asked values nothing is written, so a
quiet pass leaves the file alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lxml import etree

from sync.writeback import REVIEW_HEADERS, CellValue
from sync.xlsx_cells import held, put, same
from sync.xlsx_sheet import SheetPart
from sync.xlsx_xml import MAIN_NS, REL_NS, cell_ref, split_ref

if TYPE_CHECKING:
    from sync.xlsx_edit import _Session

REVIEW_SHEET = "Review"
_WIDTHS = (12, 6, 16, 22, 9, 90, 12)

NEW_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    '<dimension ref="A1"/>'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    "</sheetView></sheetViews>"
    '<sheetFormatPr defaultRowHeight="15"/>'
    "<cols>"
    + "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(_WIDTHS, start=1))
    + "</cols>"
    "<sheetData/>"
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    "</worksheet>"
).encode("utf-8")
"""A new Review sheet: header row frozen, columns wide enough to read."""


def write_review(session: "_Session", rows: Sequence[Sequence[CellValue]]) -> None:
    desired: dict[tuple[int, int], CellValue] = {(1, j): h for j, h in enumerate(REVIEW_HEADERS, start=1)}
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            if value is not None and value != "":
                desired[(i, j)] = value
    entry = session.book.find_sheet(REVIEW_SHEET)
    if entry is not None:
        if entry.part is None or entry.kind != "worksheet":
            session.notes.append(f"'{entry.name}' is not a worksheet: Review rows not written")
            return
        part = session.part(entry)
        if _holds(part, desired, session):
            return
    else:
        part = SheetPart(NEW_SHEET)
    last_row = len(rows) + 1
    last_column = max([len(REVIEW_HEADERS), *(len(r) for r in rows)])
    scratch = part.scratch()
    ns = scratch.tag.rpartition("}")[0] + "}"
    bold = session.styles.bold(0)
    for number in range(1, last_row + 1):
        row = etree.SubElement(scratch, ns + "row", r=str(number))
        for column in range(1, last_column + 1):
            value = desired.get((number, column))
            if value is None:
                continue
            c = etree.SubElement(row, ns + "c", r=cell_ref(number, column))
            if number == 1 and bold:
                c.set("s", str(bold))
            put(c, value, session.ctx)
    part.replace_rows(scratch, last_row, last_column)
    part.set_autofilter_ref(f"A1:{cell_ref(last_row, last_column)}")
    if entry is None:
        name, listed = session.book.add_sheet(REVIEW_SHEET)
        session.parts[name] = part
        session.added[name] = b""
        session.replaced.update(listed)


def _holds(part: SheetPart, desired: dict[tuple[int, int], CellValue], session: "_Session") -> bool:
    """Whether the sheet already shows exactly the desired cells."""
    cells = {}
    for number in part.row_numbers():
        row = part.row(number)
        assert row is not None
        for c in part.cells(row):
            ref = split_ref(c.get("r", ""))
            if ref is not None:
                cells[ref] = c
    strings = session.book.shared_strings
    filled = {ref for ref, c in cells.items() if held(c, strings).kind != "empty"}
    if filled != set(desired):
        return False
    return all(same(cells[ref], value, session.ctx) for ref, value in desired.items())
