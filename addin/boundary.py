"""The one place where an exception from a function or a button becomes words for the clerk.

Expected problems (`CannotRun`: an unreadable workbook, a bad sheetclerk.toml)
carry their own message; anything else is a bug, named by its type only, so a
cell or a message box never shows a traceback or a cell's contents.
"""

from __future__ import annotations

import os


def explain(error: BaseException) -> str:
    try:
        from sync.errors import CannotRun
    except Exception:  # noqa: BLE001 - under Pyodide without the back office
        CannotRun = ()  # type: ignore[assignment]  # noqa: N806
    if CannotRun and isinstance(error, CannotRun):
        return str(error)
    if os.environ.get("SHEETCLERK_DEBUG"):
        return f"{type(error).__name__}: {error}"
    return f"sheetclerk could not finish this ({type(error).__name__}); please report it"
