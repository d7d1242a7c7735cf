"""Fonts parsed once per process (sync.documents.fonts) draw what fpdf2's own `add_font` draws, and the subset a
document embeds depends on that document alone."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pypdfium2
from fpdf import FPDF
from PIL import ImageChops, ImageStat
from pypdf import PdfReader

from sync.documents import fonts
from templates import FOLDER

REGULAR = FOLDER / "fonts" / "DejaVuSans.ttf"
CJK = FOLDER / "fonts" / "DroidSansFallback.ttf"
LINES = ("Invoice INV-2026-00042 · Café Morgenrot GmbH · Oranienstraße 12",
         "Αθηνά Παπαδοπούλου, Кафе Витоша ЕООД", "€1,234.50 – 7% – ½ – “quoted” …")


def document(shared: bool, lines=LINES, cjk: str = "") -> bytes:
    pdf = FPDF()
    if shared:
        fonts.attach(pdf, "body", "", fonts.face(REGULAR))
        fonts.attach(pdf, "cjk", "", fonts.face(CJK))
    else:
        pdf.add_font("body", "", REGULAR)
        pdf.add_font("cjk", "", CJK)
    pdf.set_creation_date(datetime(2026, 1, 2, tzinfo=timezone.utc))
    pdf.add_page()
    pdf.set_font("body", "", 12)
    for i, line in enumerate(lines):
        pdf.text(10, 20 + 10 * i, line)
    pdf.set_font("cjk", "", 12)
    pdf.text(10, 80, cjk or "株式会社さくら珈琲 丸の内")
    return bytes(pdf.output())


def image(pdf: bytes):
    return pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil().convert("L")


def test_shared_fonts_draw_the_same_glyphs_as_add_font() -> None:
    shared, plain = document(shared=True), document(shared=False)
    assert [p.extract_text() for p in PdfReader(io.BytesIO(shared)).pages] == \
        [p.extract_text() for p in PdfReader(io.BytesIO(plain)).pages]
    difference = ImageChops.difference(image(shared), image(plain))
    # Same glyphs in the same places; only anti-aliasing differs, as the shared subsets carry no hinting instructions
    # (with them, the two pages rasterise pixel-identical).
    assert ImageStat.Stat(difference).mean[0] < 0.3


def test_the_embedded_subset_depends_on_the_document_alone() -> None:
    first = document(shared=True)
    document(shared=True, lines=("Ωμέγα ЖЖЖ ǅ ₩ ∑",), cjk="東京都千代田区")  # other glyph sets in the caches
    assert document(shared=True) == first


def test_fpdf2s_own_fonts_are_still_subset_by_fonttools() -> None:
    fonts.attach(FPDF(), "body", "", fonts.face(REGULAR))  # the subsetting shim is in place
    plain = document(shared=False)
    assert b"/FontFile2" in plain and PdfReader(io.BytesIO(plain)).pages[0].extract_text().startswith("Invoice")


def test_remembered_compression_gives_zlibs_bytes_and_the_same_document() -> None:
    import zlib

    for size in (10, fonts._REMEMBER_FROM, 200_000):
        data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        for level in (-1, 6, 9):
            assert fonts._compress_remembered(data, level) == zlib.compress(data, level)
            assert fonts._compress_remembered(bytearray(data), level) == zlib.compress(data, level)  # remembered
    first = document(shared=True)
    fonts._compress_cached.cache_clear()  # nothing remembered: every stream compressed afresh
    assert document(shared=True) == first
