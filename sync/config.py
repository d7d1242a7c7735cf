"""Configuration: one settings model, built at the entry point and passed down.

Precedence, highest first (documented in README "Configuration"):

1. command-line arguments,
2. `SHEETCLERK_*` environment variables (nested with `__`, e.g.
   `SHEETCLERK_COMPANY__NAME`, `SHEETCLERK_CURRENCY`),
3. `sheetclerk.toml` beside the workbook (or the file `SHEETCLERK_CONFIG` names),
4. the defaults below, which are enough to run on the starter workbook.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from rules.money import Rounding, RoundingMode, TaxRounding
from rules.policy import DEFAULT_SHIPPING, Policy, ShippingMethod
from sync.errors import ConfigError

CONFIG_NAME = "sheetclerk.toml"

#: The TOML file the `Settings` being built reads (set by `load_settings` around the call). A context
#: variable, not a subclass per file: building a pydantic class costs ~7 ms, a no-change pass's whole budget.
_TOML_FILE: ContextVar[Path | None] = ContextVar("sheetclerk_toml_file", default=None)


class Company(BaseModel):
    """The seller, as printed on every document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "Your Company"
    address: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""
    vat_id: str = ""
    email: str = ""
    phone: str = ""


class Bank(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = ""
    iban: str = ""
    bic: str = ""


class Numbering(BaseModel):
    """Document series prefixes; `{year}` is replaced by the document's year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    invoice: str = "INV-{year}-"
    credit_note: str = "CN-{year}-"
    packing_slip: str = "PS-{year}-"
    label: str = "LBL-{year}-"
    digits: int = Field(default=5, ge=1, le=12)
    gs1_company_prefix: str = Field(default="0000000", pattern=r"^[0-9]{7,10}$")
    """Your GS1 company prefix: labels of parcels without a tracking number carry an SSCC built from it."""


class Google(BaseModel):
    """A Google Sheet to sync (README "Google Sheets"); empty `spreadsheet` = none."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    spreadsheet: str = ""
    """The sheet's key, or its URL as the browser shows it."""
    credentials: Path | None = None
    """Service-account JSON key file; empty = the file GOOGLE_APPLICATION_CREDENTIALS names."""
    poll_interval: float = Field(default=30.0, ge=2.0)
    """Seconds between looks at the Drive file's version (one request each; Google allows 60 a minute)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHEETCLERK_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    company: Company = Company()
    bank: Bank = Bank()
    currency: str = Field(default="EUR", min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")
    rounding: RoundingMode = RoundingMode.HALF_UP
    tax_rounding: TaxRounding = TaxRounding.LINE
    price_tolerance: Decimal = Field(default=Decimal("0.005"), ge=0)
    day_first: bool = True
    shipping: dict[str, ShippingMethod] = Field(default_factory=lambda: dict(DEFAULT_SHIPPING))
    numbering: Numbering = Numbering()
    auto_invoice: bool = False
    ship_without_invoice: bool = False
    """Allow Action = Ship on a Verified order that has no invoice yet (cash sales, pickups)."""
    ledger_url: str = ""
    """SQLAlchemy URL of the ledger; empty = SQLite in `data_dir`. PostgreSQL: postgresql://user@host/db."""
    data_dir: Path | None = None
    """Where the default ledger lives; empty = a `sheetclerk-data` folder beside the workbook."""
    user: str = ""
    """Who approvals are recorded as when the workbook does not say who saved it last."""
    google: Google = Google()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=_TOML_FILE.get()))

    def policy(self) -> Policy:
        """The part of the settings the rules need."""
        return Policy(
            rounding=Rounding(currency=self.currency.upper(), mode=self.rounding, tax=self.tax_rounding),
            shipping=dict(self.shipping),
            price_tolerance=self.price_tolerance,
            day_first=self.day_first,
            seller_country=self.company.country.strip().upper(),
        )


def config_path(workbook: Path | None) -> Path | None:
    """`SHEETCLERK_CONFIG` if set, else `sheetclerk.toml` beside the workbook, if it exists."""
    explicit = os.environ.get("SHEETCLERK_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"SHEETCLERK_CONFIG names {path}, which does not exist.")
        return path
    if workbook is None:
        return None
    candidate = Path(workbook).resolve().parent / CONFIG_NAME
    return candidate if candidate.is_file() else None


#: SHEETCLERK_* variables that are not settings.
_NOT_SETTINGS = frozenset({"SHEETCLERK_CONFIG", "SHEETCLERK_DEBUG", "SHEETCLERK_CRASH_AT", "SHEETCLERK_TEST_PG_URL"})


def _unknown_variables() -> list[str]:
    """SHEETCLERK_* variables that name no setting: a typo must not be silently ignored."""
    prefix = Settings.model_config["env_prefix"]
    known = set(Settings.model_fields)
    return sorted(
        name
        for name in os.environ
        if name.upper().startswith(prefix)
        and name.upper() not in _NOT_SETTINGS
        and name[len(prefix):].lower().split("__")[0] not in known
    )


def load_settings(workbook: Path | None = None, **overrides: Any) -> Settings:
    """Settings for a run on `workbook`, with command-line `overrides` on top."""
    unknown = _unknown_variables()
    if unknown:
        raise ConfigError(
            f"Unknown setting in the environment: {', '.join(unknown)}. "
            f"Known settings: {', '.join(Settings.model_fields)} (see README 'Configuration')."
        )
    toml_file = config_path(workbook)
    reading = _TOML_FILE.set(toml_file)
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as e:
        where = f" in {toml_file}" if toml_file else ""
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in e.errors()
        )
        raise ConfigError(f"Configuration problem{where} (or a SHEETCLERK_* variable): {problems}.") from None
    except Exception as e:  # noqa: BLE001 - a TOML syntax error arrives as tomllib's own error
        where = str(toml_file) if toml_file else "the configuration"
        raise ConfigError(f"{where} cannot be read: {e}.") from None
    finally:
        _TOML_FILE.reset(reading)
