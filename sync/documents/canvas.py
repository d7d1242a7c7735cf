"""A page to draw on in millimetres, with the layout's fonts, colours and number formats.

A thin layer over fpdf2 that the document renderer uses: text placed by its
top edge, right-aligned amounts, word wrapping that never overflows (a word
wider than the box is broken, a block with a line limit ends in "…"), and text
cleaned so that nothing can make fpdf2 fail or print a `?`: control
characters become spaces, and a character no bundled font has becomes U+FFFD
(a visible replacement box).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time, timezone
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from fpdf import FPDF

from sync.documents import fonts
from sync.documents.layout import Layout

PT = 25.4 / 72
"""Millimetres per point."""
LINE = 1.28
"""Line height as a multiple of the font size."""
REPLACEMENT = "\ufffd"

REGULAR, BOLD = "", "B"
FAMILY = "body"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


class Canvas:
    """One PDF being drawn: fonts attached, colours and formats from the layout."""

    def __init__(self, layout: Layout, issued: date, texts: list[str]) -> None:
        self.layout = layout
        self.locale = _locale(layout.locale)
        self.size = layout.fonts.size
        pdf = FPDF(unit="mm", format=(layout.page.width_mm, layout.page.height_mm))
        pdf.set_auto_page_break(False)
        pdf.set_margins(layout.page.margin_mm, layout.page.margin_mm, layout.page.margin_mm)
        pdf.set_creation_date(datetime.combine(issued, time(0), tzinfo=timezone.utc))
        pdf.set_compression(True)
        self.pdf = pdf
        self.regular = fonts.face(layout.fonts.regular)
        self.bold = fonts.face(layout.fonts.bold)
        fonts.attach(pdf, FAMILY, REGULAR, self.regular)
        fonts.attach(pdf, FAMILY, BOLD, self.bold)
        self._fallbacks: tuple[fonts.Face, ...] = ()
        self._needs_fallback = False
        self._use_fallbacks(texts)
        self._font: tuple[str, float] | None = None
        self._colour: str | None = None
        self.colours = {name: _rgb(value) for name, value in layout.colours}

    # -- fonts and characters ----------------------------------------------------------

    def _use_fallbacks(self, texts: list[str]) -> None:
        """Attach the fallback fonts only to documents that need them (they cost size and time)."""
        both = self.regular.proto.cmap.keys() & self.bold.proto.cmap.keys() if False else None  # noqa: F841
        missing = {c for t in texts for c in t if not (self.regular.covers(c) and self.bold.covers(c))}
        missing = {c for c in missing if unicodedata.category(c)[0] != "C"}
        if not missing:
            return
        faces = tuple(fonts.face(p) for p in self.layout.fonts.fallback)
        used = tuple(f for f in faces if any(f.covers(c) for c in missing))
        names = ["body"]
        for i, face in enumerate(used):
            fonts.attach(self.pdf, f"fallback{i}", REGULAR, face)
            names.append(f"fallback{i}")
        self._fallbacks = used
        self.pdf.set_fallback_fonts(names, exact_match=False)

    def clean(self, text: object) -> str:
        """Printable text: controls become spaces, characters no font has become U+FFFD."""
        s = "" if text is None else str(text)
        if s.isascii() and s.isprintable():
            return s
        out = []
        for c in s:
            if unicodedata.category(c)[0] == "C":
                out.append(" " if c in "\t\n\r\x0b\x0c\x85\u2028\u2029" or c == "\x00" else "")
            elif self.regular.covers(c) or self.bold.covers(c) or any(f.covers(c) for f in self._fallbacks):
                out.append(c)
            else:
                out.append(REPLACEMENT)
        return "".join(out)

    # -- drawing -----------------------------------------------------------------------

    def font(self, size: float | None = None, bold: bool = False) -> None:
        key = (BOLD if bold else REGULAR, size or self.size)
        if key != self._font:
            self.pdf.set_font(FAMILY, key[0], key[1])
            self._font = key

    def colour(self, name: str) -> None:
        if name != self._colour:
            self.pdf.set_text_color(*self.colours[name])
            self._colour = name

    def width(self, text: str, size: float | None = None, bold: bool = False) -> float:
        self.font(size, bold)
        return self.pdf.get_string_width(text)

    def text(self, x: float, top: float, text: object, *, size: float | None = None, bold: bool = False,
             colour: str = "text", align: str = "L", width: float | None = None) -> float:
        """Draw one line whose box starts at `top`; `align` R puts its right edge at x; returns the line height.

        With `width`, text that does not fit is shortened with "…" (or shrunk, for amounts: align R)."""
        s = self.clean(text)
        size = size or self.size
        self.font(size, bold)
        self.colour(colour)
        if width is not None and s:
            s, size = self._fit(s, width, size, bold, shrink=align == "R")
        if not s:
            return size * PT * LINE
        w = self.pdf.get_string_width(s) if align != "L" else 0.0
        left = x - w if align == "R" else x - w / 2 if align == "C" else x
        self.pdf.text(left, top + size * PT * 0.93, s)
        return size * PT * LINE

    def _fit(self, s: str, width: float, size: float, bold: bool, shrink: bool) -> tuple[str, float]:
        if self.pdf.get_string_width(s) <= width:
            return s, size
        if shrink:
            smaller = max(size * width / self.pdf.get_string_width(s), size * 0.6)
            self.font(smaller, bold)
            if self.pdf.get_string_width(s) <= width:
                return s, smaller
        return self.truncate(s, width), self._font[1]

    def truncate(self, s: str, width: float) -> str:
        """`s` cut to fit `width` in the current font, ending in "…"."""
        while s and self.pdf.get_string_width(s + "…") > width:
            s = s[:-1]
        return s.rstrip() + "…" if s else ""

    def wrap(self, text: object, width: float, size: float | None = None, bold: bool = False,
             max_lines: int | None = None) -> list[str]:
        """Lines of at most `width` mm: broken at spaces, long words broken anywhere; the last kept line ends in "…"
        when text was left over."""
        s = self.clean(text)
        self.font(size, bold)
        measure = self.pdf.get_string_width
        if measure(s) <= width:
            return [s] if s else []
        lines: list[str] = []
        for paragraph in s.split("\n"):
            line = ""
            for word in paragraph.split(" "):
                candidate = f"{line} {word}" if line else word
                if measure(candidate) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                line = word
                while measure(line) > width and len(line) > 1:
                    cut = len(line) - 1
                    while cut > 1 and measure(line[:cut]) > width:
                        cut -= 1
                    lines.append(line[:cut])
                    line = line[cut:]
            lines.append(line)
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = self.truncate(lines[-1] + "  ", width)
        return lines

    def lines(self, x: float, top: float, lines: list[str], *, size: float | None = None, bold: bool = False,
              colour: str = "text", align: str = "L") -> float:
        """Draw lines one under the other; returns the y below them."""
        y = top
        for line in lines:
            y += self.text(x, y, line, size=size, bold=bold, colour=colour, align=align)
        return y

    def fill(self, x: float, y: float, w: float, h: float, colour: str) -> None:
        self.pdf.set_fill_color(*self.colours[colour])
        self.pdf.rect(x, y, w, h, style="F")

    def rule(self, x1: float, y: float, x2: float, colour: str = "rule", width: float = 0.25) -> None:
        self.pdf.set_draw_color(*self.colours[colour])
        self.pdf.set_line_width(width)
        self.pdf.line(x1, y, x2, y)

    def image(self, path, x: float, y: float, w: float) -> float:
        """Draw a raster image `w` mm wide (parsed once per process); returns its height."""
        info = _image(str(path))
        self.pdf.image_cache.images[str(path)] = dict(info, i=len(self.pdf.image_cache.images) + 1, usages=0)
        h = w * info["h"] / info["w"]
        self.pdf.image(path, x=x, y=y, w=w, h=h)
        return h

    # -- formats -----------------------------------------------------------------------

    def money(self, amount: Decimal | None, currency: str, symbol: bool = False) -> str:
        if amount is None:
            return ""
        try:
            if symbol:
                return format_currency(amount, currency, locale=self.locale)
            return format_currency(amount, currency, format="#,##0.00", locale=self.locale)
        except (ValueError, ArithmeticError, TypeError):
            return f"{amount} {currency}".strip()

    def percent(self, rate: Decimal | None) -> str:
        return "" if rate is None else format_percent(rate, format="#,##0.##%", locale=self.locale)

    def number(self, value: Decimal | int | None, pattern: str = "#,##0.###") -> str:
        return "" if value is None else format_decimal(value, format=pattern, locale=self.locale)

    def date(self, value: date | None) -> str:
        return "" if value is None else format_date(value, self.layout.date_format, locale=self.locale)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


@lru_cache(maxsize=32)
def _locale(name: str) -> Locale:
    return Locale.parse(name)


@lru_cache(maxsize=8)
def _image(path: str) -> dict:
    """fpdf2's parsed image (compressed data and size), made once per process."""
    from fpdf.image_datastructures import ImageCache
    from fpdf.image_parsing import preload_image
    from pathlib import Path

    _, _, info = preload_image(ImageCache(), Path(path))
    return dict(info)
