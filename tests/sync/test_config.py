"""Configuration (sync/config.py): arguments > SHEETCLERK_* environment > sheetclerk.toml > defaults."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rules.money import RoundingMode, TaxRounding
from sync.config import CONFIG_NAME, load_settings
from sync.errors import ConfigError


def workbook_in(folder: Path, toml: str | None = None) -> Path:
    """A workbook path in `folder`, with a sheetclerk.toml beside it when given (the file need not exist)."""
    if toml is not None:
        (folder / CONFIG_NAME).write_text(toml, encoding="utf-8")
    return folder / "orders.xlsx"


def test_the_defaults_run_the_starter_workbook(tmp_path: Path) -> None:
    settings = load_settings(workbook_in(tmp_path))
    policy = settings.policy()
    assert (settings.currency, settings.rounding, settings.tax_rounding) == ("EUR", RoundingMode.HALF_UP, TaxRounding.LINE)
    assert policy.price_tolerance == Decimal("0.005") and policy.day_first is True
    assert set(policy.shipping) == {"Standard", "Express", "Pickup"}


def test_sheetclerk_toml_beside_the_workbook(tmp_path: Path) -> None:
    toml = """
currency = "JPY"
rounding = "half_even"
tax_rounding = "rate"
price_tolerance = "0.5"
day_first = false

[company]
name = "Kiezbohne GmbH"

[shipping.Courier]
charge = "12.00"
tax_rate = "0.19"
"""
    policy = load_settings(workbook_in(tmp_path, toml)).policy()
    assert (policy.rounding.currency, policy.rounding.mode, policy.rounding.tax) == ("JPY", RoundingMode.HALF_EVEN, TaxRounding.RATE)
    assert policy.price_tolerance == Decimal("0.5") and policy.day_first is False
    assert set(policy.shipping) == {"Courier"} and policy.shipping["Courier"].charge == Decimal("12.00")
    assert load_settings(workbook_in(tmp_path)).company.name == "Kiezbohne GmbH"


def test_the_environment_overrides_the_toml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = workbook_in(tmp_path, 'currency = "JPY"\n[company]\nname = "From the file"\n')
    assert load_settings(workbook).currency == "JPY"
    monkeypatch.setenv("SHEETCLERK_CURRENCY", "USD")
    monkeypatch.setenv("SHEETCLERK_COMPANY__NAME", "From the environment")
    settings = load_settings(workbook)
    assert settings.currency == "USD" and settings.policy().rounding.currency == "USD"
    assert settings.company.name == "From the environment"


def test_the_environment_overrides_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETCLERK_CURRENCY", "gbp")
    assert load_settings(workbook_in(tmp_path)).policy().rounding.currency == "GBP"


def test_arguments_override_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETCLERK_CURRENCY", "USD")
    assert load_settings(workbook_in(tmp_path, 'currency = "JPY"\n'), currency="CHF").currency == "CHF"
    assert load_settings(workbook_in(tmp_path), currency=None).currency == "USD"


def test_sheetclerk_config_names_another_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "shared.toml"
    other.write_text('currency = "JPY"\n')
    workbook = workbook_in(tmp_path, 'currency = "USD"\n')
    monkeypatch.setenv("SHEETCLERK_CONFIG", str(other))
    assert load_settings(workbook).currency == "JPY"
    monkeypatch.setenv("SHEETCLERK_CONFIG", str(tmp_path / "nowhere.toml"))
    with pytest.raises(ConfigError, match="nowhere.toml"):
        load_settings(workbook)


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('curency = "EUR"\n', "curency"),
        ('[company]\nnmae = "x"\n', "nmae"),
        ('currency = "EURO"\n', "currency"),
        ('rounding = "up"\n', "rounding"),
        ('price_tolerance = "-1"\n', "price_tolerance"),
        ('[shipping.Express]\ncharge = "a lot"\n', "charge"),
        ('[numbering]\ndigits = 0\n', "digits"),
    ],
)
def test_an_unknown_key_or_bad_value_is_named(tmp_path: Path, toml: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(workbook_in(tmp_path, toml))
    assert named in str(caught.value) and CONFIG_NAME in str(caught.value)


@pytest.mark.parametrize("toml", ['currency = "EUR\n', "currency EUR\n", "[company\n", "\x00"])
def test_a_toml_file_that_cannot_be_parsed(tmp_path: Path, toml: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(workbook_in(tmp_path, toml))
    assert CONFIG_NAME in str(caught.value)


def test_a_bad_environment_value_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETCLERK_ROUNDING", "sideways")
    with pytest.raises(ConfigError, match="rounding"):
        load_settings(workbook_in(tmp_path))


def test_a_misspelt_environment_variable_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETCLERK_CURENCY", "USD")
    with pytest.raises(ConfigError, match="SHEETCLERK_CURENCY"):
        load_settings(workbook_in(tmp_path))


def test_settings_are_immutable(tmp_path: Path) -> None:
    settings = load_settings(workbook_in(tmp_path))
    with pytest.raises(Exception):
        settings.currency = "USD"  # type: ignore[misc]
