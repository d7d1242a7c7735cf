"""Which workbook a function or button is about, and the settings that go with it.

A formula names its workbook with `CELL("filename")`, which Excel answers as
`C:\\desk\\[orders.xlsx]Orders` (Windows) or `/Users/lena/desk/[orders.xlsx]Orders`
(macOS); a plain path works too. The settings are then those `sheetclerk sync`
uses for that workbook (`sheetclerk.toml` beside it, `SHEETCLERK_*` variables).
Without a workbook the built-in defaults apply (as in xlwings Lite, which has no files).
"""

from __future__ import annotations

import re
from pathlib import Path, PureWindowsPath

from rules.policy import Policy

_CELL_FILENAME = re.compile(r"^(?P<folder>.*)\[(?P<name>[^\]]+)\][^\]]*$")

DEFAULT_POLICY = Policy()


class NotAWorkbook(ValueError):
    """The text names no workbook file; the message says what was expected."""


def workbook_path(ref: object) -> Path:
    """The workbook file a `CELL("filename")` answer or a path names."""
    if not isinstance(ref, str) or not ref.strip():
        raise NotAWorkbook('give the workbook, e.g. CELL("filename")')
    text = ref.strip()
    m = _CELL_FILENAME.match(text)
    if m:
        text = m["folder"] + m["name"]
    if "\\" in text and not text.startswith("/"):
        text = str(PureWindowsPath(text))
    path = Path(text)
    if not path.name.lower().endswith((".xlsx", ".xlsm")):
        raise NotAWorkbook(f"{path.name or text} is not a saved .xlsx/.xlsm workbook (save it first)")
    return path


def settings_for(path: Path):
    """The settings `sheetclerk sync` would use for this workbook (raises `ConfigError` for a bad file)."""
    from sync.config import load_settings  # imported here: the functions must import without sync (Pyodide)

    return load_settings(path)


def policy_for(ref: object) -> Policy:
    """The rules' policy for the workbook a formula names, or the defaults when it names none."""
    if ref is None or ref == "":
        return DEFAULT_POLICY
    return settings_for(workbook_path(ref)).policy()
