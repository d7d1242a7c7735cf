"""`<name>.review.xlsx` beside a workbook: the Review rows in a file of their own.

The daemon owns this file, so managers can look at the open flags even while a
clerk has the main workbook open (and locked). It is rebuilt whole on every
pass, deterministically (same rows, same bytes), and replaced atomically.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from sync.atomic import write_atomically
from sync.writeback import REVIEW_HEADERS, CellValue

SIDECAR_SUFFIX = ".review.xlsx"
_WIDTHS = (12, 6, 16, 22, 9, 90, 12)
_FIXED_DATE = datetime(2000, 1, 1)
"""Creation date recorded in the file, fixed so the same rows give the same bytes."""


def sidecar_path(workbook_path: Path | str) -> Path:
    """`orders.xlsx` -> `orders.review.xlsx` in the same folder."""
    path = Path(workbook_path)
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def review_workbook(review_rows: Sequence[Sequence[CellValue]]) -> bytes:
    """The sidecar's bytes: one sheet, Review, header bold and frozen, filter on."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"created": _FIXED_DATE, "title": "sheetclerk review"})
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("Review")
    sheet.write_row(0, 0, REVIEW_HEADERS, bold)
    for i, width in enumerate(_WIDTHS):
        sheet.set_column(i, i, width)
    for r, row in enumerate(review_rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, day)
            elif isinstance(value, date):
                sheet.write_datetime(r, c, datetime.combine(value, time()), day)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, (int, Decimal)):
                sheet.write_number(r, c, float(value))
            else:
                sheet.write_string(r, c, str(value))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(review_rows), 1), len(REVIEW_HEADERS) - 1)
    book.close()
    return out.getvalue()


def write_review_sidecar(workbook_path: Path | str, review_rows: Sequence[Sequence[CellValue]]) -> Path:
    """Write `<name>.review.xlsx` beside the workbook (atomically) and return its path.

    Raises OSError when the folder cannot be written to.
    """
    target = sidecar_path(workbook_path)
    content = review_workbook(review_rows)
    try:
        if target.read_bytes() == content:
            return target
    except OSError:
        pass
    write_atomically(target, content, temp=target.with_name(f".~sheetclerk-{target.name}.tmp"))
    return target
