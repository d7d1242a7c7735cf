"""Dependencies point inward: `rules` imports neither `sync` nor `addin`, and does no I/O.

Read from the source with `ast`, so an import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import rules

RULES = Path(rules.__file__).resolve().parent
ROOT = RULES.parent

#: Packages above `rules` in the dependency order.
OUTER = frozenset({"sync", "addin"})
#: Modules that read or write files, sockets, processes or spreadsheets.
IO_MODULES = frozenset(
    {
        "os", "pathlib", "io", "sqlite3", "socket", "urllib", "requests", "httpx", "http", "subprocess",
        "shutil", "tempfile", "glob", "zipfile", "tarfile", "pickle", "shelve",
        "xlwings", "gspread", "openpyxl", "python_calamine", "xlsxwriter", "watchdog", "watchfiles", "fpdf",
    }
)
#: Builtins that do I/O.
IO_CALLS = frozenset({"open", "input", "print", "exec", "eval", "__import__"})


def rule_modules() -> list[Path]:
    return sorted(RULES.rglob("*.py"))


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(root).parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}" if module else alias.name) for alias in node.names)
    return found


def test_there_are_rule_modules_to_check() -> None:
    names = {p.name for p in rule_modules()}
    assert {"cells.py", "intake.py", "money.py", "pricing.py", "stock.py", "lines.py", "desk.py"} <= names


@pytest.mark.parametrize("path", rule_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_rules_imports_neither_sync_nor_addin(path: Path) -> None:
    bad = [(line, m) for line, m in imported_modules(path) if m.split(".")[0] in OUTER]
    assert bad == [], f"{path.relative_to(ROOT)} imports an outer package: {bad}"


@pytest.mark.parametrize("path", rule_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_rules_imports_no_io_module(path: Path) -> None:
    bad = [(line, m) for line, m in imported_modules(path) if m.split(".")[0] in IO_MODULES]
    assert bad == [], f"{path.relative_to(ROOT)} imports an I/O module: {bad}"


@pytest.mark.parametrize("path", rule_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_rules_calls_no_io_builtin(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [
        (node.lineno, ast.unparse(node.func))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id in IO_CALLS)
            or (isinstance(node.func, ast.Attribute) and node.func.attr in {"open", "read_text", "read_bytes", "write_text", "write_bytes"})
        )
    ]
    assert bad == [], f"{path.relative_to(ROOT)} does I/O: {bad}"


def test_the_checker_itself_catches_what_it_should(tmp_path: Path) -> None:
    """The walk resolves relative imports and sees imports inside functions."""
    pkg = tmp_path / "rules" / "checks"
    pkg.mkdir(parents=True)
    module = pkg / "bad.py"
    module.write_text("def f():\n    import os.path\n    from . import lines\n    from ..cells import key\n    from sync.cli import main\n")
    modules = {m for _, m in imported_modules(module, root=tmp_path)}
    assert {"os.path", "rules.checks.lines", "rules.cells", "rules.cells.key", "sync.cli"} <= modules
