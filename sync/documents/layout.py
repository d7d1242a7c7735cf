"""How documents look, as data: `templates/layout.toml`, validated by one model at load.

The file's top-level settings apply to every document; a table named after a
document kind (`[invoice]`, `[credit_note]`, `[packing_slip]`, `[label]`)
overrides any of them for that kind. Each kind's merged settings are validated
by `Layout` — an unknown name or a bad value is a `LayoutError` naming the file
and the setting, raised at load (a configuration error, reported at the entry
point), never in the middle of rendering. Paths (fonts, logo) are relative to
the file's folder.
"""

from __future__ import annotations

import re
import string
import tomllib
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

import templates
from rules.documents import Kind
from sync.errors import ConfigError

TEMPLATES = templates.FOLDER
"""The bundled templates folder (the `templates` package)."""

LAYOUT_FILE = "layout.toml"


class LayoutError(ConfigError):
    """templates/layout.toml holds an unknown setting or a bad value."""


def _hex_colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"colour must be #RRGGBB, got {value!r}")
    return value.lower()


Colour = Annotated[str, AfterValidator(_hex_colour)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Column(StrEnum):
    """Columns a line table can show; which ones and in what order is the layout's choice."""

    POSITION = "position"
    SKU = "sku"
    DESCRIPTION = "description"
    QUANTITY = "quantity"
    UNIT_PRICE = "unit_price"
    DISCOUNT = "discount"
    TAX_RATE = "tax_rate"
    NET = "net"
    SHIPPED = "shipped"
    BACKORDERED = "backordered"
    WEIGHT = "weight"


PRICE_COLUMNS = frozenset({Column.UNIT_PRICE, Column.DISCOUNT, Column.TAX_RATE, Column.NET})


class Page(_Strict):
    width_mm: float = Field(default=210.0, gt=50, le=1200)
    height_mm: float = Field(default=297.0, gt=50, le=1200)
    margin_mm: float = Field(default=16.0, ge=3, le=60)


class Fonts(_Strict):
    regular: Path = Path("fonts/DejaVuSans.ttf")
    bold: Path = Path("fonts/DejaVuSans-Bold.ttf")
    fallback: tuple[Path, ...] = (Path("fonts/DroidSansFallback.ttf"),)
    """Tried in order for characters the regular and bold fonts lack (CJK)."""
    size: float = Field(default=9.0, ge=5, le=20)
    """Body text size in points; headings and small print scale from it."""


class Colours(_Strict):
    accent: Colour = "#6b3e26"
    """Title, table header fill, total line."""
    text: Colour = "#1f1f1f"
    muted: Colour = "#6e6e6e"
    """Labels, small print, footer."""
    header_text: Colour = "#ffffff"
    """Text on the accent-filled table header."""
    stripe: Colour = "#f6f1ec"
    """Every other table row."""
    rule: Colour = "#d8ccc2"


class Logo(_Strict):
    path: Path | None = Path("logo.png")
    """PNG or JPEG; empty string for none."""
    width_mm: float = Field(default=18.0, gt=0, le=120)

    @field_validator("path", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return None if value in ("", None) else value


class Barcode(_Strict):
    module_mm: float = Field(default=0.38, ge=0.19, le=1.0)
    """Width of the narrowest bar; shrunk (not below 0.19 mm) when the code would not fit."""
    height_mm: float = Field(default=22.0, ge=8, le=60)


#: Label name -> the placeholders it may use.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "payment_terms_value": frozenset({"days"}),
    "refers_to": frozenset({"number"}),
    "page": frozenset({"page", "pages"}),
    "shipping": frozenset({"method"}),
    "band_net": frozenset({"rate"}),
    "band_tax": frozenset({"rate"}),
    "pay_by": frozenset({"amount", "due"}),
    "continued": frozenset({"title", "number"}),
    "amounts_in": frozenset({"currency"}),
    "parcels_value": frozenset({"count"}),
}


class Labels(_Strict):
    """Every word printed that is not data; translate or rename here."""

    number: str = "Number"
    date_of_issue: str = "Date of issue"
    date_of_supply: str = "Date of supply"
    order_reference: str = "Order reference"
    customer_no: str = "Customer no."
    invoice_reference: str = "Invoice"
    payment_terms: str = "Payment terms"
    payment_terms_value: str = "{days} days net"
    due_date: str = "Due date"
    refers_to: str = "Refers to invoice {number}"
    reason: str = "Reason"
    shipping_method: str = "Shipping method"
    weight: str = "Weight"
    parcels: str = "Parcels"
    parcels_value: str = "{count}"
    seller: str = "From"
    bill_to: str = "Bill to"
    ship_to: str = "Ship to"
    vat_id: str = "VAT ID"
    email: str = "Email"
    phone: str = "Phone"
    position: str = "#"
    sku: str = "SKU"
    description: str = "Description"
    quantity: str = "Qty"
    ordered: str = "Ordered"
    unit_price: str = "Unit price"
    discount: str = "Disc."
    tax_rate: str = "VAT"
    net: str = "Net"
    shipped: str = "Shipped"
    backordered: str = "Backordered"
    goods_net: str = "Goods, net"
    shipping: str = "Shipping ({method}), net"
    net_total: str = "Total net"
    band_net: str = "Net at {rate}"
    band_tax: str = "VAT {rate}"
    tax_total: str = "Total VAT"
    gross: str = "Total"
    gross_credit: str = "Total credited"
    vat_summary: str = "VAT summary"
    rate: str = "Rate"
    taxable: str = "Taxable amount"
    tax: str = "VAT"
    payment: str = "Payment"
    pay_by: str = "Please transfer {amount} by {due}, quoting the invoice number."
    bank: str = "Bank"
    iban: str = "IBAN"
    bic: str = "BIC"
    notes: str = "Notes"
    page: str = "Page {page} of {pages}"
    continued: str = "{title} {number} (continued)"
    no_items: str = "No lines."
    amounts_in: str = "Amounts in {currency}"
    carrier: str = "Carrier"
    tracking_no: str = "Tracking no."
    sscc: str = "SSCC"
    no_barcode: str = "No barcode: no tracking number or SSCC."

    @model_validator(mode="after")
    def _known_placeholders(self):
        for name, text in self:
            allowed = PLACEHOLDERS.get(name, frozenset())
            try:
                used = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
            except ValueError as exc:
                raise ValueError(f"labels.{name}: {exc}") from None
            if bad := sorted(used - allowed):
                hint = (f"allowed: {', '.join('{' + a + '}' for a in sorted(allowed))}" if allowed
                        else "no placeholders here")
                raise ValueError(f"labels.{name}: unknown placeholder {{{bad[0]}}} ({hint})")
        return self


class Layout(_Strict):
    """Everything about how one kind of document looks."""

    title: str = ""
    """Heading; empty = the document's own title (Invoice, Credit note, ...)."""
    page: Page = Page()
    fonts: Fonts = Fonts()
    colours: Colours = Colours()
    logo: Logo = Logo()
    locale: str = "en_GB"
    """CLDR locale for numbers and dates (en_GB: 1,234.50 and 5 Nov 2026; de_DE: 1.234,50)."""
    date_format: str = "medium"
    """babel date format: short, medium, long, or a pattern such as dd.MM.yyyy."""
    columns: tuple[Column, ...] = (
        Column.POSITION, Column.SKU, Column.DESCRIPTION, Column.QUANTITY, Column.UNIT_PRICE, Column.DISCOUNT,
        Column.TAX_RATE, Column.NET,
    )
    footer: str = ""
    """Small print on every page (registered office, register number, managing directors ...)."""
    show_vat_summary: bool = True
    barcode: Barcode = Barcode()
    labels: Labels = Labels()
    source: Path | None = Field(default=None, exclude=True)
    """The file this layout came from (set by the loader)."""

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"unknown locale {value!r}") from exc
        return value

    @field_validator("columns")
    @classmethod
    def _each_column_once(cls, value: tuple[Column, ...]) -> tuple[Column, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a column is listed twice")
        return value


def load_layouts(directory: Path | str | None = None) -> dict[Kind, Layout]:
    """Every kind's layout from `<directory>/layout.toml` (default: the bundled templates)."""
    path = Path(directory or TEMPLATES).resolve() / LAYOUT_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LayoutError(f"{path}: layout file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LayoutError(f"{path}: cannot read: {exc}") from None
    return dict(_parse(path, text))


@lru_cache(maxsize=8)
def _parse(path: Path, text: str) -> tuple[tuple[Kind, Layout], ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{path}: cannot read: {exc}") from None
    kinds = {k.value for k in Kind}
    shared = {k: v for k, v in data.items() if k not in kinds}
    return tuple((kind, _validate(path, _merge(shared, data.get(kind.value, {})), kind)) for kind in Kind)


def _merge(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


def _validate(path: Path, data: dict, kind: Kind) -> Layout:
    try:
        layout = Layout.model_validate(data)
    except ValidationError as exc:
        raise LayoutError(f"{path}: {_describe(exc, kind)}") from None
    layout = _resolved(layout, path.parent)
    for font in (layout.fonts.regular, layout.fonts.bold, *layout.fonts.fallback):
        if not font.is_file():
            raise LayoutError(f"{path}: [{kind.value}] fonts: file not found: {font}")
    if layout.logo.path is not None and not layout.logo.path.is_file():
        raise LayoutError(f"{path}: [{kind.value}] logo.path: file not found: {layout.logo.path}")
    return layout.model_copy(update={"source": path})


def _describe(exc: ValidationError, kind: Kind) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            parts.append(f"unknown setting '{where}' (for {kind.value})")
        else:
            parts.append(f"'{where}' (for {kind.value}): {error['msg']}")
    return "; ".join(parts)


def _resolved(layout: Layout, base: Path) -> Layout:
    def at(p: Path) -> Path:
        return p if p.is_absolute() else (base / p).resolve()

    fonts = layout.fonts.model_copy(update={
        "regular": at(layout.fonts.regular), "bold": at(layout.fonts.bold),
        "fallback": tuple(at(p) for p in layout.fonts.fallback),
    })
    logo = layout.logo.model_copy(update={"path": at(layout.logo.path) if layout.logo.path else None})
    return layout.model_copy(update={"fonts": fonts, "logo": logo})


__all__ = ["Column", "Layout", "LayoutError", "PRICE_COLUMNS", "TEMPLATES", "load_layouts"]
