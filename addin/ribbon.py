"""The ribbon's entry points: the thin layer between Excel (xlwings) and `addin.buttons`.

The add-in's VBA (addin/excel/SheetclerkRibbon.bas) runs one function here per
button, with `RunPython`. Each finds the workbook (`xw.Book.caller()`, the
active workbook) and the selection, hands them to the button logic as a
`LiveDesk`, and shows the `Outcome` in a message box and the status bar.
Nothing escapes: an error becomes a message box, never a traceback dialog.
This is the only module that touches xlwings objects for the buttons.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from addin import buttons
from addin.boundary import explain
from addin.buttons import LiveDesk, Outcome

EXCEL_ROWS = 1_048_576
_ROWS = re.compile(r"^\$?[A-Za-z]{0,3}\$?(\d*)(?::\$?[A-Za-z]{0,3}\$?(\d*))?$")


def check_workbook() -> None:
    _press("Check workbook", lambda desk, rows: buttons.check_workbook(desk))


def invoice_selected() -> None:
    _press("Invoice", lambda desk, rows: buttons.request("Invoice", desk, rows()))


def ship_selected() -> None:
    _press("Ship", lambda desk, rows: buttons.request("Ship", desk, rows()))


def sync_now() -> None:
    _press("Sync now", lambda desk, rows: buttons.sync_now(desk))


def reconcile() -> None:
    _press("Reconcile", lambda desk, rows: buttons.reconcile(desk))


def open_review() -> None:
    _press("Review", lambda desk, rows: buttons.open_review(desk))


def open_documents() -> None:
    _press("Documents", lambda desk, rows: buttons.open_documents(desk))


#: The entry points the add-in's VBA may call (the build test checks each one it names is here).
ENTRY_POINTS: tuple[Callable[[], None], ...] = (
    check_workbook, invoice_selected, ship_selected, sync_now, reconcile, open_review, open_documents,
)


# --- the Excel side ------------------------------------------------------------------------


def rows_in_address(address: str, last_row: int = EXCEL_ROWS) -> list[int]:
    """The worksheet rows an Excel address covers: `$A$2:$C$4,$B$9` -> [2, 3, 4, 9]; `$A:$A` -> every row."""
    rows: set[int] = set()
    for area in address.replace(";", ",").split(","):
        m = _ROWS.match(area.strip().split("!")[-1])
        if m is None:
            continue
        first = int(m[1]) if m[1] else 1
        last = int(m[2]) if m[2] else (first if m[2] is None and m[1] else last_row)
        rows.update(range(min(first, last), min(max(first, last), last_row) + 1))
    return sorted(rows)


def _press(name: str, action: Callable[[LiveDesk, Callable[[], list[int]]], Outcome]) -> None:
    book = _caller()
    if book is None:
        return
    _status(book, f"sheetclerk: {name}…")
    try:
        outcome = _run(book, action)
    except Exception as e:  # noqa: BLE001 - the boundary: a button never ends in a traceback
        outcome = Outcome(False, f"{name} did not finish: {explain(e)}")
    _show(book, outcome)


def _run(book: Any, action: Callable[[LiveDesk, Callable[[], list[int]]], Outcome]) -> Outcome:
    from sync.live_writer import XlwingsBook

    fullname = str(book.fullname)
    if not fullname.lower().endswith((".xlsx", ".xlsm")) or not os.path.isabs(fullname):
        return Outcome(False, "Save the workbook as .xlsx first: sheetclerk keeps its ledger beside the file.")
    desk = LiveDesk(XlwingsBook(book), Path(fullname))
    return action(desk, lambda: _selected_rows(book))


def _selected_rows(book: Any) -> list[int]:
    """Rows of the selection when it is on the Orders sheet (else none: the button says what to select)."""
    selection = book.selection
    if selection is None or selection.sheet.name.strip().casefold() != "orders":
        return []
    return rows_in_address(selection.address, int(selection.sheet.used_range.last_cell.row))


def _caller() -> Any:
    try:
        import xlwings as xw

        return xw.Book.caller()
    except Exception:  # noqa: BLE001 - no workbook to talk to: nothing can be shown either
        return None


def _status(book: Any, text: str | None) -> None:
    try:
        book.app.status_bar = text
    except Exception:  # noqa: BLE001
        pass


def _show(book: Any, outcome: Outcome) -> None:
    """The outcome in the status bar and a message box; then the sheet or file it points at."""
    _status(book, f"sheetclerk: {outcome.message}"[:250])
    try:
        if outcome.show_sheet:
            book.sheets[outcome.show_sheet].activate()
        if outcome.open_path is not None:
            _open(outcome.open_path)
    except Exception as e:  # noqa: BLE001
        outcome = Outcome(False, f"{outcome.message} ({explain(e)})")
    try:
        book.app.alert(outcome.message, title=outcome.title, buttons="ok", mode="info" if outcome.ok else "critical")
    except Exception:  # noqa: BLE001 - the status bar already says it
        pass


def _open(path: Path) -> None:
    """Open a file or folder the way a double-click would."""
    if sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined]
    elif sys.platform == "darwin":
        subprocess.run(["open", str(path)], check=False, timeout=30)
    else:
        subprocess.run(["xdg-open", str(path)], check=False, timeout=30)
