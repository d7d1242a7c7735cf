"""The Excel functions and `rules` run under Pyodide (xlwings Lite's runtime) and answer as CPython does.

Runs addin/pyodide/check.py: the npm package `pyodide` in Node, offline, with
wheels from PyPI (pydantic-core and xlwings as wasm wheels) at the versions
installed here, over the starter workbook. Skipped, with the command to fix
it, only on a developer machine without node or the npm package; under CI
(`CI` set; .ci/run installs the npm package) it always runs.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")

_spec = importlib.util.spec_from_file_location("sheetclerk_pyodide_check", ROOT / "addin" / "pyodide" / "check.py")
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)

COMPUTING = {"sc_line_total", "sc_line_tax", "sc_order_total", "sc_available", "sc_check"}


@pytest.fixture(scope="module")
def runs() -> tuple[dict, dict, list[str]]:
    try:
        info = check.pyodide_info()
    except check.NotReady as e:
        if IN_CI:
            pytest.fail(f"CI must run the Pyodide check (.ci/run installs it): {e}")
        pytest.skip(f"Pyodide check not run: {e}")
    if IN_CI:
        assert f"pyodide@{info['npm']}" == check.NPM_SPEC, "the .ci/run npm install and check.NPM_SPEC disagree"
    return check.check()


def test_every_function_answers_under_pyodide_as_under_cpython(runs):
    cpython, pyodide, problems = runs
    assert problems == []
    assert pyodide["platform"] == "emscripten"
    assert {name for name, _, _ in pyodide["answers"]} == COMPUTING
    assert len(pyodide["answers"]) == len(cpython["answers"]) > 300  # every row, order and SKU of the starter workbook


def test_all_of_rules_imports_under_pyodide_without_the_back_office(runs):
    cpython, pyodide, _ = runs
    assert pyodide["rules_modules"] == cpython["rules_modules"]
    assert "rules.checks" in pyodide["rules_modules"]
    assert pyodide["back_office_imported"] == []


def test_ledger_and_settings_calls_say_they_need_the_desktop(runs):
    _, pyodide, _ = runs
    assert {name for name, _, _ in pyodide["desktop_only"]} == {"sc_status", "sc_invoice_no", "sc_line_total"}
    assert all(answer == pyodide["needs_desktop"] for *_, answer in pyodide["desktop_only"])


def test_compare_names_every_difference():
    answer = ["float", "295.0"]
    cpython = {"rules_modules": ["rules.money"], "answers": [["sc_line_total", "row 2", answer]]}
    same = {**cpython, "back_office_imported": [], "desktop_only": [], "needs_desktop": ["str", "'⚠ x'"]}
    assert check.compare(cpython, same) == []
    differs = {**same, "answers": [["sc_line_total", "row 2", ["float", "295.00000000000006"]]]}
    raised = {**same, "answers": [["sc_line_total", "row 2", ["raised", "TypeError: boom"]]]}
    assert len(check.compare(cpython, differs)) == 1
    assert any("raised TypeError" in p for p in check.compare(cpython, raised))
