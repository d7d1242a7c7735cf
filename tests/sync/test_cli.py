"""The command line (sync/cli.py): exit codes 0 / 1 / 2 and the `--json` shape of SPEC §3.

Run in-process through `sync.cli.main(argv)`, and once through the installed
`sheetclerk` console script.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import MAR_2, orders, sheets, write_workbook
from sync.cli import main

#        Order ID Order Date Customer SKU      Qty Unit Price Disc Ship By Ship Method Payment    Expiry Action Notes
CLEAN = ["SO-1", MAR_2,     "C-DE",  "WID-1", 2,  None,      None, None,   "Standard", "Invoice", None,  None,  None]
WRONG = ["SO-2", MAR_2,     "C-DE",  "WID-1", 3,  12.50,     None, None,   "Standard", "Invoice", None,  None,  None]
SHORT = ["SO-3", MAR_2,     "C-US",  "BOOK-1", 45, None,     None, None,   "Standard", "Card",    "08/28", None, None]

FLAG_KEYS = {"sheet", "row", "column", "code", "severity", "message"}


def workbook(tmp_path: Path, *rows: list[object], toml: str | None = None, **extra) -> Path:
    if toml is not None:
        (tmp_path / "sheetclerk.toml").write_text(toml, encoding="utf-8")
    return write_workbook(tmp_path / "orders.xlsx", sheets(Orders=orders(*rows), **extra))


def run_json(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["check", str(path), "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_a_clean_workbook_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(workbook(tmp_path, CLEAN))]) == 0
    out = " ".join(capsys.readouterr().out.split())  # however the console wrapped it
    assert "orders.xlsx" in out and "No problems found" in out


def test_error_flags_exit_1_and_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(workbook(tmp_path, CLEAN, WRONG))]) == 1
    out = capsys.readouterr().out
    assert "price_mismatch" in out and "Unit Price" in out


def test_warnings_alone_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_json(workbook(tmp_path, CLEAN, SHORT), capsys)
    assert code == 0
    assert [(f["row"], f["code"], f["severity"]) for f in report["flags"]] == [(3, "insufficient_stock", "warning")]


def test_json_output_has_exactly_the_contract_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workbook(tmp_path, CLEAN, WRONG, SHORT)
    code, report = run_json(path, capsys)
    assert code == 1
    assert set(report) == {"workbook", "flags", "summary"}
    assert report["workbook"] == str(path)
    assert isinstance(report["summary"], dict)
    for f in report["flags"]:
        assert set(f) == FLAG_KEYS
        assert isinstance(f["sheet"], str) and isinstance(f["column"], str) and isinstance(f["message"], str) and f["message"]
        assert isinstance(f["row"], int) and f["row"] >= 2
        assert f["severity"] in {"error", "warning"}
    assert [(f["sheet"], f["row"], f["column"], f["code"], f["severity"]) for f in report["flags"]] == [
        ("Orders", 3, "Unit Price", "price_mismatch", "error"),
        ("Orders", 4, "Quantity", "insufficient_stock", "warning"),
    ]
    summary = report["summary"]
    assert (summary["errors"], summary["warnings"], summary["orders"], summary["lines"]) == (1, 1, 3, 3)


def test_json_never_carries_a_card_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = list(CLEAN)
    row[-1] = "card 4111 1111 1111 1111 exp 08/28"
    code, report = run_json(workbook(tmp_path, row), capsys)
    assert code == 1
    assert [(f["row"], f["column"], f["code"]) for f in report["flags"]] == [(2, "Notes", "card_number_exposed")]
    text = json.dumps(report)
    assert "4111 1111 1111 1111" not in text and "4111111111111111" not in text


@pytest.mark.parametrize(
    "make",
    [
        lambda tmp: (tmp / "orders.xlsx").write_text("not a workbook") and tmp / "orders.xlsx",
        lambda tmp: (tmp / "orders.xlsx").write_bytes(b"") or tmp / "orders.xlsx",
        lambda tmp: tmp / "missing.xlsx",
        lambda tmp: write_workbook(tmp / "orders.xlsx", {k: v for k, v in sheets().items() if k != "Inventory"}),
    ],
    ids=["text file", "empty file", "missing file", "missing sheet"],
)
def test_an_unreadable_workbook_exits_2_with_a_message_naming_it(make, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = make(tmp_path)
    assert main(["check", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert path.name in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    "toml",
    ['currency = "EUR\n', 'curency = "EUR"\n', 'currency = "EURO"\n', '[shipping.Standard]\ncharge = "cheap"\n'],
    ids=["not toml", "unknown key", "bad currency", "bad shipping charge"],
)
def test_a_bad_sheetclerk_toml_exits_2(toml: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workbook(tmp_path, CLEAN, toml=toml)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "sheetclerk.toml" in err and "Traceback" not in err


def test_a_bad_environment_setting_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETCLERK_TAX_ROUNDING", "sometimes")
    assert main(["check", str(workbook(tmp_path, CLEAN))]) == 2
    assert "tax_rounding" in capsys.readouterr().err


def test_an_unknown_command_or_option_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chekc", "x.xlsx"]) == 2
    assert main(["check", str(workbook(tmp_path, CLEAN)), "--jsn"]) == 2


# Currency decides the rounding, and rounding decides whether this order is over the limit:
# 1 x 100.50 at 19 %, picked up. EUR: 100.50 + 19.10 = 119.60. JPY: 101 + 19 = 120 > 119.80.
CREDIT = [
    ["Customer ID", "Name", "Address", "City", "Postal Code", "Country", "Credit Limit"],
    ["C-DE", "Müller GmbH", "Hauptstraße 1", "Berlin", "10115", "DE", 119.80],
]
PRODUCTS = [["SKU", "Description", "Unit Price", "Tax Rate"], ["WID-1", "Widget", 100.50, 0.19]]
INVENTORY = [["SKU", "Location", "On Hand"], ["WID-1", "Main", 10]]
ON_CREDIT = ["SO-1", MAR_2, "C-DE", "WID-1", 1, None, None, None, "Pickup", "Invoice", None, None, None]


def credit_codes(path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    _, report = run_json(path, capsys)
    return [f["code"] for f in report["flags"]]


def test_configuration_precedence_environment_over_toml_over_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_workbook(tmp_path / "orders.xlsx", sheets(Orders=orders(ON_CREDIT), Customers=CREDIT, Products=PRODUCTS, Inventory=INVENTORY))
    assert credit_codes(path, capsys) == []  # default EUR
    (tmp_path / "sheetclerk.toml").write_text('currency = "JPY"\n')
    assert credit_codes(path, capsys) == ["credit_limit_exceeded"]  # the file's JPY
    monkeypatch.setenv("SHEETCLERK_CURRENCY", "EUR")
    assert credit_codes(path, capsys) == []  # the environment's EUR wins over the file
    monkeypatch.setenv("SHEETCLERK_CURRENCY", "JPY")
    (tmp_path / "sheetclerk.toml").write_text('currency = "EUR"\n')
    assert credit_codes(path, capsys) == ["credit_limit_exceeded"]


def sheetclerk_script() -> str:
    beside = Path(sys.executable).parent / ("sheetclerk.exe" if os.name == "nt" else "sheetclerk")
    found = str(beside) if beside.exists() else shutil.which("sheetclerk")
    if found is None:
        pytest.skip("the sheetclerk console script is not installed (pip install -e .)")
    return found


def test_the_installed_console_script(tmp_path: Path) -> None:
    script = sheetclerk_script()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETCLERK_")}
    path = workbook(tmp_path, CLEAN, WRONG)
    done = subprocess.run([script, "check", str(path), "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == {"workbook", "flags", "summary"}
    assert [(f["row"], f["code"]) for f in report["flags"]] == [(3, "price_mismatch")]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    done = subprocess.run([script, "check", str(broken)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "broken.xlsx" in done.stderr and "Traceback" not in done.stderr
