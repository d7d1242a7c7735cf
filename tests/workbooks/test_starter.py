"""The starter workbook: reproducible, formatted, and showing exactly its demo flags."""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from rules.schema import SHEETS, Writer
from sync.check import check_workbook
from sync.config import load_settings

WORKBOOKS = Path(__file__).resolve().parents[2] / "workbooks"
COMMITTED = WORKBOOKS / "orders.xlsx"
CONFIG = WORKBOOKS / "sheetclerk.toml"
COMPANY = "Kiezbohne Kaffeerösterei GmbH"

#: Every flag `check` raises on the starter workbook: (sheet, row, column, code).
EXPECTED_FLAGS = {
    ("Orders", 28, "Quantity", "missing_field"),
    ("Orders", 29, "Customer ID", "unknown_customer"),
    ("Orders", 30, "SKU", "unknown_sku"),
    ("Orders", 31, "SKU", "inactive_sku"),
    ("Orders", 32, "Quantity", "invalid_quantity"),
    ("Orders", 33, "Unit Price", "price_mismatch"),
    ("Orders", 34, "Discount %", "invalid_discount"),
    ("Orders", 35, "Ship By", "invalid_date"),
    ("Orders", 36, "Card Expiry", "card_expired"),
    ("Orders", 37, "Notes", "card_number_exposed"),
    ("Orders", 38, "Customer ID", "invalid_address"),
    ("Orders", 39, "Payment Method", "credit_limit_exceeded"),
    ("Orders", 40, "Quantity", "insufficient_stock"),
    ("Orders", 41, "Order ID", "duplicate_order"),
    ("Orders", 43, "Ship Method", "conflicting_order"),
    ("Products", 18, "SKU", "duplicate_key"),
    ("Customers", 16, "Postal Code", "invalid_address"),
    ("Customers", 17, "VAT ID", "invalid_vat_id"),
}

#: Rows of messy but valid input that must stay clean (Orders row -> what is messy).
MESSY_BUT_VALID = {
    12: "Quantity typed as text '5'",
    22: "Unit Price typed as text ' 12.50 '",
    24: "Order Date typed as ISO text",
    25: "trailing space in SKU",
}
EMPTY_ORDERS_ROW = 26


# --- helpers -----------------------------------------------------------------------

@functools.cache
def _builder():
    """workbooks/build_starter.py as a module (it is a script, not part of a package)."""
    name = "sheetclerk_build_starter"
    spec = importlib.util.spec_from_file_location(name, WORKBOOKS / "build_starter.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def _values(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    finally:
        book.close()


def _headers(ws) -> dict[str, str]:
    """Header text -> column letter."""
    return {c.value: get_column_letter(c.column) for c in ws[1] if c.value is not None}


@pytest.fixture(autouse=True)
def _no_env_settings(monkeypatch):
    for name in list(os.environ):
        if name.startswith("SHEETCLERK_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def report():
    return check_workbook(COMMITTED, load_settings(COMMITTED).policy())


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(COMMITTED)


# --- 1. reproducible -----------------------------------------------------------------

def test_rebuild_matches_committed_workbook(tmp_path):
    built = _builder().build(tmp_path)
    assert built == tmp_path / "orders.xlsx"
    assert _values(built) == _values(COMMITTED), "workbooks/orders.xlsx is stale: run workbooks/build_starter.py"


def test_build_is_byte_for_byte_deterministic(tmp_path):
    builder = _builder()
    first = builder.build(tmp_path / "a").read_bytes()
    second = builder.build(tmp_path / "b").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a" / "orders.xlsx") as z:
        core = z.read("docProps/core.xml").decode()
    assert "2026-11-01T09:00:00Z" in core


def test_script_writes_into_out_dir(tmp_path):
    assert _builder().main([str(tmp_path)]) == 0
    assert (tmp_path / "orders.xlsx").is_file()


# --- 2. exactly the demo flags ---------------------------------------------------------

def test_check_raises_exactly_the_demo_flags(report):
    found = {(f.sheet, f.row, f.column, f.code.value) for f in report.flags}
    assert found == EXPECTED_FLAGS


def test_every_showcase_order_row_says_what_it_demonstrates(report):
    notes = {line.row: line.notes or "" for line in report.desk.lines}
    for sheet, row, _, code in EXPECTED_FLAGS:
        if sheet != "Orders" or code == "card_number_exposed":  # that row's Notes are withheld, by design
            continue
        assert "demo:" in notes[row] and code in notes[row], (row, code, notes[row])


def test_messy_but_valid_rows_are_read_and_clean(report):
    lines = {line.row: line for line in report.desk.lines}
    flagged_rows = {f.row for f in report.flags if f.sheet == "Orders"}
    for row in MESSY_BUT_VALID:
        assert row in lines and row not in flagged_rows, MESSY_BUT_VALID[row]
        assert report.evaluation.statuses[row] == "Verified", MESSY_BUT_VALID[row]
    assert lines[12].quantity == 5
    assert str(lines[22].unit_price) == "12.50"
    assert lines[24].order_date.isoformat() == "2026-11-11"
    assert lines[25].sku_key == "kb-fil-250"
    assert EMPTY_ORDERS_ROW not in lines


def test_payments_pay_the_orders_invoiced_first(report):
    """PAY-0001/0002 pay the invoices of SO-1001 and SO-1003 (Action = Invoice) in full."""
    amounts = {p.invoice_no: p.amount for p in report.desk.payments}
    totals = report.evaluation.order_totals
    assert amounts == {"INV-2026-00001": totals["so-1001"].gross, "INV-2026-00002": totals["so-1003"].gross}


# --- 3. formatting ---------------------------------------------------------------------

def test_sheets_in_contract_order_with_contract_headers(book):
    assert book.sheetnames == [spec.name for spec in SHEETS]
    for spec in SHEETS:
        headers = [c.value for c in book[spec.name][1]]
        assert headers[: len(spec.columns)] == [c.header for c in spec.columns]
    assert book["Orders"]["S1"].value == "Sales Rep"
    assert book["Review"].max_row == 1


def test_every_sheet_has_a_frozen_header_row(book):
    for ws in book:
        assert ws.freeze_panes == "A2", ws.title
        assert ws["A1"].font.b, ws.title


def test_orders_dropdowns(book):
    ws = book["Orders"]
    cols = _headers(ws)
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_column[get_column_letter(rng.min_col)] = dv
    expected = {
        "SKU": "Products!$A$2:$A$200",
        "Customer ID": "Customers!$A$2:$A$200",
        "Ship Method": '"Standard,Express,Pickup"',
        "Payment Method": '"Card,Invoice,Bank Transfer,Cash"',
        "Action": '"Invoice,Ship,Cancel,Approve,Hold,Deliver"',
    }
    for header, source in expected.items():
        dv = by_column[cols[header]]
        assert dv.type == "list" and dv.formula1 == source, header
        assert dv.allow_blank, header
        assert dv.errorStyle in ("warning", "information"), header


def test_number_formats(book):
    ws = book["Orders"]
    cols = _headers(ws)
    assert "%" in ws.column_dimensions[cols["Discount %"]].number_format
    assert ws[f"{cols['Discount %']}20"].value == pytest.approx(0.1)
    assert "%" in ws[f"{cols['Discount %']}20"].number_format
    assert ws.column_dimensions[cols["Order Date"]].number_format == "yyyy-mm-dd"
    assert ws[f"{cols['Order Date']}2"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions[cols["Unit Price"]].number_format == "#,##0.00"
    assert ws.column_dimensions[cols["Card Expiry"]].number_format == "@"
    expiry = ws[f"{cols['Card Expiry']}4"]
    assert (expiry.value, expiry.data_type) == ("08/28", "s")
    products = book["Products"]
    assert "%" in products[f"{_headers(products)['Tax Rate']}2"].number_format


def test_sheetclerk_columns_are_grey_and_empty(book):
    for spec in SHEETS:
        ws = book[spec.name]
        cols = _headers(ws)
        for column in spec.columns:
            letter = cols[column.header]
            fill = ws[f"{letter}1"].fill.fgColor.rgb
            owned = column.writer is Writer.SHEETCLERK
            assert (fill == "FFBFBFBF") is owned, (spec.name, column.header, fill)
            if owned:
                assert all(ws[f"{letter}{r}"].value is None for r in range(2, ws.max_row + 1)), (spec.name, column.header)


# --- 4. the sample configuration ---------------------------------------------------------

def test_sample_config_loads_and_names_the_company():
    settings = load_settings(COMMITTED)
    raw = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert settings.company.name == raw["company"]["name"] == COMPANY
    assert settings.currency == "EUR"
    assert settings.company.country == "DE"
    assert list(settings.shipping) == list(_builder().SHIP_METHODS)


def test_sample_config_identifiers_are_valid():
    from stdnum import bic, iban
    from stdnum.eu import vat

    settings = load_settings(COMMITTED)
    assert vat.is_valid(settings.company.vat_id)
    assert iban.is_valid(settings.bank.iban)
    assert bic.is_valid(settings.bank.bic)


def test_workbook_properties_name_the_company(book):
    with zipfile.ZipFile(COMMITTED) as z:
        app = z.read("docProps/app.xml").decode()
    assert f"<Company>{COMPANY}</Company>" in app
