"""templates/layout.toml: validated by one model at load (an unknown name is an error naming file and setting), and
what a business edits there — colours, footer, wording, logo — changes the PDF."""

from __future__ import annotations

import io
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from rules import documents
from rules.documents import Document, Item, Kind
from sync.documents.layout import TEMPLATES, Layout, LayoutError, load_layouts
from sync.documents.render import render
from sync.errors import ConfigError

INVOICE = Document(
    kind=Kind.INVOICE, number="INV-2026-00001", issued=date(2026, 11, 5), currency="EUR", order_id="SO-1",
    seller=documents.Party(name="Kiezbohne Kaffeerösterei GmbH", address_lines=("Wrangelstraße 84",)),
    buyer=documents.Party(name="Café Morgenrot GmbH"),
    items=(Item(position=1, sku="A", description="Espresso", quantity=2, unit_price=Decimal("10.00"),
                net=Decimal("20.00"), tax_rate=Decimal("0.07")),),
    bands=(documents.TaxBand(rate=Decimal("0.07"), net=Decimal("20.00"), tax=Decimal("1.40")),),
    totals=documents.Totals(goods_net=Decimal("20.00"), shipping_net=Decimal(0), shipping_tax=Decimal(0),
                            net=Decimal("20.00"), tax=Decimal("1.40"), gross=Decimal("21.40")),
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the bundled templates to edit."""
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def edit(folder: Path, old: str, new: str) -> None:
    path = folder / "layout.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(folder: Path, text: str) -> None:
    path = folder / "layout.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def content(pdf: bytes) -> bytes:
    return b"".join(p.get_contents().get_data() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_bundled_layouts_load_for_every_kind() -> None:
    layouts = load_layouts()
    assert set(layouts) == set(Kind)
    assert all(isinstance(v, Layout) and v.fonts.regular.is_file() for v in layouts.values())
    label = layouts[Kind.LABEL].page
    assert (label.width_mm, label.height_mm) == (101.6, 152.4)
    assert layouts[Kind.INVOICE].page.width_mm == 210 and layouts[Kind.INVOICE].colours.accent == "#6b3e26"


@pytest.mark.parametrize(("old", "new", "names"), [
    ('locale = "en_GB"', 'locale = "en_GB"\nfont_colour = "#000000"', ["unknown setting 'font_colour'"]),
    ('accent = "#6b3e26"', 'accent = "#6b3e26"\naccentt = "#000000"', ["unknown setting 'colours.accentt'"]),
    ("\n[label]\n", "\n[label]\nmargin = 3\n", ["unknown setting 'margin'", "for label"]),
    ('accent = "#6b3e26"', 'accent = "brown"', ["colours.accent", "#RRGGBB"]),
    ('locale = "en_GB"', 'locale = "xx_NOWHERE"', ["locale", "unknown locale"]),
    ('path = "logo.png"', 'path = "missing.png"', ["logo.path", "file not found"]),
    ('columns = ["position", "sku", "description", "quantity", "shipped", "backordered"]',
     'columns = ["position", "colour"]', ["columns.1"]),
    ("# [labels]", '[labels]\ngross = "Due {amount}"', ["labels.gross", "unknown placeholder {amount}"]),
])
def test_a_bad_layout_is_an_error_that_names_the_file_and_the_setting(folder: Path, old, new, names) -> None:
    edit(folder, old, new)
    with pytest.raises(LayoutError) as caught:
        load_layouts(folder)
    message = str(caught.value)
    assert str(folder / "layout.toml") in message
    for name in names:
        assert name in message
    assert isinstance(caught.value, ConfigError)  # reported at the entry point like any settings error


def test_unreadable_or_missing_layout_file_is_a_layout_error(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="not found"):
        load_layouts(tmp_path)
    (tmp_path / "layout.toml").write_text("colours = [", encoding="utf-8")
    with pytest.raises(LayoutError, match="cannot read"):
        load_layouts(tmp_path)


def test_colours_footer_wording_and_logo_come_from_the_layout(folder: Path) -> None:
    before = render(INVOICE, load_layouts(folder)[Kind.INVOICE])
    edit(folder, 'accent = "#6b3e26"', 'accent = "#00ff00"')
    edit(folder, 'footer = "Registered office Berlin', 'footer = "Sitz der Gesellschaft Hamburg')
    append(folder, '[labels]\ngross = "Amount due"\ndate_of_issue = "Rechnungsdatum"')
    after = render(INVOICE, load_layouts(folder)[Kind.INVOICE])
    assert after != before
    text = text_of(after)
    assert "Sitz der Gesellschaft Hamburg" in text and "Registered office" not in text
    assert "Amount due €21.40" in text and "Rechnungsdatum 5 Nov 2026" in text
    assert b"0 1 0 rg" in content(after) and b"0 1 0 rg" not in content(before)
    assert b"/Subtype /Image" in before
    edit(folder, 'path = "logo.png"', 'path = ""')
    assert b"/Subtype /Image" not in render(INVOICE, load_layouts(folder)[Kind.INVOICE])


def test_locale_decides_number_and_date_formats(folder: Path) -> None:
    edit(folder, 'locale = "en_GB"', 'locale = "de_DE"')
    text = text_of(render(INVOICE, load_layouts(folder)[Kind.INVOICE]))
    assert "05.11.2026" in text and "21,40 €" in text and "10,00" in text


def test_a_setting_in_a_kind_table_overrides_only_that_kind(folder: Path) -> None:
    append(folder, '[credit_note.colours]\naccent = "#123456"')
    layouts = load_layouts(folder)
    assert layouts[Kind.CREDIT_NOTE].colours.accent == "#123456"
    assert layouts[Kind.CREDIT_NOTE].colours.text == layouts[Kind.INVOICE].colours.text
    assert layouts[Kind.INVOICE].colours.accent == "#6b3e26"
