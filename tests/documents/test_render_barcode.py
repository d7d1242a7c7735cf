"""Code 128 / GS1-128 encoding, checked by a real decoder (zxing-cpp) on bars drawn from the widths."""

from __future__ import annotations

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from sync.documents import barcode


def draw(code: barcode.Barcode, module: int = 2) -> Image.Image:
    width = (code.modules + 2 * barcode.QUIET_ZONE) * module
    image = Image.new("L", (width, 60), 255)
    pen = ImageDraw.Draw(image)
    x, bar = barcode.QUIET_ZONE * module, True
    for w in code.widths:
        if bar:
            pen.rectangle([x, 5, x + w * module - 1, 55], fill=0)
        x += w * module
        bar = not bar
    return image


def decode(code: barcode.Barcode) -> list[tuple[str, str]]:
    return [(r.text, r.symbology_identifier) for r in zxingcpp.read_barcodes(draw(code))]


def test_the_symbol_table_is_iso_15417s_shape() -> None:
    assert len(barcode.PATTERNS) == 107 and len(set(barcode.PATTERNS)) == 107
    assert all(sum(map(int, p)) == 11 for p in barcode.PATTERNS[:106]) and sum(map(int, barcode.PATTERNS[106])) == 13


@pytest.mark.parametrize("data", [
    "".join(map(chr, range(32, 127))),  # every code set B character
    "".join(f"{n:02d}" for n in range(100)),  # every code set C pair
    "1Z999AA10123456784", "JJD000390007830123", "12", "7", "A1234567B", "123456X", "X12345678",
])
def test_code128_decodes_to_its_data(data: str) -> None:
    assert decode(barcode.code128(data)) == [(data, "]C0")]


def test_digits_use_code_set_c_two_per_symbol() -> None:
    short = barcode.code128("00340434161094000000")
    assert short.modules == 11 * (1 + 10 + 1) + 13  # start C, ten pairs, check, stop


def test_gs1_128_starts_with_fnc1_and_reads_as_gs1() -> None:
    code = barcode.gs1_128("00", "106141411234567897")
    assert code.text == "(00) 106141411234567897"
    assert decode(code) == [("(00)106141411234567897", "]C1")]


@pytest.mark.parametrize("data", ["", "Ünïcode", "tab\there", "emoji 😀"])
def test_what_code_128_cannot_carry_is_none_not_an_exception(data: str) -> None:
    assert barcode.code128(data) is None


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789ABCXYZ -/."), min_size=1, max_size=24))
def test_any_printable_ascii_round_trips(data: str) -> None:
    assert decode(barcode.code128(data)) == [(data, "]C0")]
