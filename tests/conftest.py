"""Shared test setup: `helpers` importable from every test, and a clean environment.

pyproject.toml is not ours to change, so tests/ goes on sys.path here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)


@pytest.fixture(autouse=True)
def _no_sheetclerk_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own SHEETCLERK_* variables must not change what a test sees."""
    for name in list(os.environ):
        if name.startswith("SHEETCLERK_"):
            monkeypatch.delenv(name)
