"""Where document PDFs live, written atomically, and checked against the ledger.

`<data folder>/documents/<kind>/<year>/<number>.pdf`. File names come only from
sheetclerk's own numbers (never from cell text), and even those are reduced to
safe characters, so nothing typed in a workbook or a configuration can make a
path leave the documents folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from rules.documents import Kind

FOLDER = "documents"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(number: str) -> str:
    name = _UNSAFE.sub("_", number).lstrip(".") or "_"
    return name[:120]


def relative_path(kind: Kind, year: int, number: str) -> str:
    return f"{FOLDER}/{kind.value}/{int(year):04d}/{safe_name(number)}.pdf"


def absolute(data_dir: Path, relative: str) -> Path:
    """The file for a ledger path, refusing anything outside the documents folder."""
    root = (Path(data_dir) / FOLDER).resolve()
    path = (Path(data_dir) / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"document path {relative!r} is outside {root}")
    return path
