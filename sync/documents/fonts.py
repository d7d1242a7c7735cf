"""TrueType fonts parsed once per process and shared by every document it renders.

fpdf2's `add_font` parses the font file for every FPDF instance, and at output
it subsets the font with fontTools — together ~60 ms per font per document,
which caps a process at ~10 invoices a second. Here each font file is parsed
once (`face`); a document gets a light copy of the parsed font (`attach`) that
shares the metrics and character map and has its own glyph usage.

At output, fpdf2 asks fontTools to subset the font to the glyphs the document
used. For our copies, that step is served from a per-process cache keyed by the
glyph set (`_CachedSubsetter`), filled by fontTools on a miss, so a cached and
a fresh subset are the same bytes. Hinting instructions and the kerning table
are left out (fpdf2 uses neither; they were two thirds of the bytes). To make
the cache hit, every
document embeds a fixed base set (printable ASCII and Latin-1) plus whatever
else it uses: an invoice in Latin-1 text always has the same glyph set. The
embedded subset is therefore a function of the document alone, and rendering
stays deterministic. Fonts fpdf2 loaded itself are subset by fontTools as usual.
"""

from __future__ import annotations

import copy
import io
import threading
import types
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import fpdf.output
import fpdf.syntax
from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

BASE_CHARACTERS = (frozenset(range(0x20, 0x7F)) | frozenset(range(0xA0, 0x100))
                   | frozenset(map(ord, "€–—‘’“”•…")))
"""Embedded in every document that uses a font at all (if the font has them)."""


@dataclass
class Face:
    """One font file, parsed once: the prototype fpdf2 font and the subsets made from it."""

    path: Path
    proto: TTFFont
    data: bytes
    base_glyphs: frozenset[str]
    subsets: dict[frozenset[str], tuple[bytes, dict[str, int]]] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def covers(self, char: str) -> bool:
        return ord(char) in self.proto.cmap

    def width(self, text: str, size: float) -> float:
        """Advance width of `text` at `size` points, in points (what fpdf2 computes, without its per-call setup)."""
        per_point = self.widths.get(text)
        if per_point is None:
            cw = self.proto.cw
            missing = self.proto.desc.missing_width
            per_point = sum(cw.get(ord(c), missing) for c in text) * 0.001
            if len(self.widths) < 50_000:  # labels, names and amounts recur from document to document
                self.widths[text] = per_point
        return per_point * size

    def subset(self, glyphs: frozenset[str]) -> tuple[bytes, dict[str, int]]:
        """The font file holding `glyphs` (plus the base set) and each glyph's id in it."""
        key = glyphs | self.base_glyphs
        with self.lock:
            hit = self.subsets.get(key)
        if hit is not None:
            return hit
        font = ttLib.TTFont(io.BytesIO(self.data), recalcTimestamp=False, lazy=True)
        subsetter = _REAL_SUBSET.Subsetter(_options())
        subsetter.populate(glyphs=sorted(key))
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        made = (out.getvalue(), {name: font.getGlyphID(name) for name in font.getGlyphOrder()})
        with self.lock:
            self.subsets[key] = made
        return made


@lru_cache(maxsize=16)
def face(path: Path) -> Face:
    """The parsed font at `path`; parsed on first use in this process."""
    proto = TTFFont(FPDF(), path, "proto", "")
    cmap = proto.cmap
    base = frozenset(cmap[c] for c in BASE_CHARACTERS if c in cmap) if 0x41 in cmap else frozenset()
    return Face(path=path, proto=proto, data=path.read_bytes(), base_glyphs=base)


def _options() -> ftsubset.Options:
    """fpdf2's subsetting options, plus: no hinting instructions and no kerning table (fpdf2 uses neither without
    text shaping; they are two thirds of a subset's bytes)."""
    options = _REAL_SUBSET.Options(notdef_outline=True, recommended_glyphs=True, hinting=False)
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC", "EBDT",
                            "EBLC", "EBSC", "SVG ", "CPAL", "COLR", "kern"]
    return options


def attach(pdf: FPDF, family: str, style: str, font_face: Face) -> None:
    """Make `font_face` available to `pdf` as (family, style) without parsing the file again."""
    _install()
    font = copy.copy(font_face.proto)
    fontkey = f"{family.lower()}{style}"
    font.i = len(pdf.fonts) + 1
    font.fontkey = fontkey
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.color_font = None
    font.ttfont = _CachedFace(font_face)
    font.subset = SubsetMap(font)
    pdf.fonts[fontkey] = font


class _CachedFace:
    """Stands in for the fontTools font that fpdf2 subsets, saves and closes at output."""

    def __init__(self, font_face: Face) -> None:
        self.face = font_face
        self.data: bytes | None = None
        self.ids: dict[str, int] = {}

    def materialise(self, glyphs: frozenset[str]) -> None:
        self.data, self.ids = self.face.subset(glyphs)

    def getGlyphID(self, name: str) -> int:  # noqa: N802 - fontTools' name
        return self.ids[name]

    def save(self, out: io.BytesIO) -> None:
        out.write(self.data or b"")

    def __contains__(self, tag: str) -> bool:
        return tag in self.face.proto.ttfont

    def close(self) -> None:
        pass


class _CachedSubsetter:
    """fontTools' Subsetter, except that our cached faces take their subset from the cache."""

    def __init__(self, options=None, **kwargs) -> None:
        self._real = _REAL_SUBSET.Subsetter(options, **kwargs)
        self._glyphs: frozenset[str] = frozenset()

    def populate(self, glyphs=(), **kwargs) -> None:
        self._glyphs = frozenset(glyphs)
        self._real.populate(glyphs=glyphs, **kwargs)

    def subset(self, font) -> None:
        if isinstance(font, _CachedFace):
            font.materialise(self._glyphs)
        else:
            self._real.subset(font)


_REAL_SUBSET = ftsubset
_install_lock = threading.Lock()


def _install() -> None:
    """Route fpdf2's output-time subsetting through `_CachedSubsetter`, and its stream compression
    through `_compress_remembered` (once per process)."""
    with _install_lock:
        if getattr(fpdf.output.ftsubset, "_sheetclerk", False):
            return
        shim = types.ModuleType("fontTools.subset")
        shim.__dict__.update(vars(_REAL_SUBSET))
        shim.Subsetter = _CachedSubsetter
        shim._sheetclerk = True
        fpdf.output.ftsubset = shim
        deflate = types.ModuleType("zlib")
        deflate.__dict__.update(vars(zlib))
        deflate.compress = _compress_remembered
        fpdf.syntax.zlib = deflate


#: Streams this large are font data (a subset is ~24 KB, its CIDToGIDMap 128 KB; a page is ~8 KB).
_REMEMBER_FROM = 16 * 1024
_compress_cached = lru_cache(maxsize=32)(zlib.compress)


def _compress_remembered(data: bytes | bytearray, level: int = -1) -> bytes:
    """`zlib.compress` for fpdf2's streams, remembering large inputs (the last 32).

    Every invoice embeds the same font subsets and glyph maps, and compressing
    them was a fifth of an invoice's rendering time. zlib gives the same output
    for the same input and level, so a remembered stream is the same bytes as a
    fresh one: rendering stays deterministic.
    """
    if len(data) < _REMEMBER_FROM:
        return zlib.compress(data, level)
    return _compress_cached(bytes(data), level)
