"""`sheetclerk init`: a new order desk from the starter workbook shipped with sheetclerk."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

STARTER_FILES: tuple[str, ...] = ("orders.xlsx", "sheetclerk.toml")


def copy_starter(folder: Path) -> list[tuple[Path, bool]]:
    """Copy the starter files into `folder`; existing files are kept. Returns (path, created)."""
    folder.mkdir(parents=True, exist_ok=True)
    source = resources.files("workbooks")
    out = []
    for name in STARTER_FILES:
        target = folder / name
        if target.exists():
            out.append((target, False))
            continue
        with resources.as_file(source / name) as src:
            shutil.copyfile(src, target)
        out.append((target, True))
    return out
