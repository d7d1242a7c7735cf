"""A page to draw on in millimetres, with the layout's fonts, colours and number formats.

A thin layer over fpdf2 that the document renderer uses: text placed by its
top edge, right-aligned amounts, word wrapping that never overflows (a word
wider than the box is broken, a block with a line limit ends in "…"), and text
cleaned so that nothing can make fpdf2 fail or print a `?`: control
characters become spaces, and a character no bundled font has becomes U+FFFD
(a visible replacement box).
"""

from __future__ import annotations

import copy
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
MIN_SIZE = 2.0
"""Smallest point size a number is shrunk to before it is shortened."""
MAX_TEXT = 2000
"""Characters of one value that are ever laid out; a longer cell is cut (and ends in "…")."""

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
        self.colours = {name: _rgb(value) for name, value in layout.colours} | {"black": (0, 0, 0)}

    # -- fonts and characters ----------------------------------------------------------

    def _use_fallbacks(self, texts: list[str]) -> None:
        """Attach fallback fonts only to documents with characters the body fonts lack (they cost size and time)."""
        chars = set().union(*texts)
        missing = {c for c in chars if not (self.regular.covers(c) and self.bold.covers(c))}
        missing = {c for c in missing if unicodedata.category(c)[0] != "C"}
        if not missing:
            return
        faces = tuple(fonts.face(p) for p in self.layout.fonts.fallback)
        used = tuple(f for f in faces if any(f.covers(c) for c in missing))
        for i, face in enumerate(used):
            fonts.attach(self.pdf, f"{FAMILY}{i}", REGULAR, face)
        self._fallbacks = used

    def _runs(self, s: str, bold: bool) -> list[tuple[str, str, str]]:
        """`s` split into (family, style, text) runs, each in the first font that has its characters."""
        primary = self.bold if bold else self.regular
        style = BOLD if bold else REGULAR
        if not self._fallbacks:
            return [(FAMILY, style, s)]
        order = ((FAMILY, style, primary), (FAMILY, REGULAR if bold else BOLD, self.regular if bold else self.bold),
                 *((f"{FAMILY}{i}", REGULAR, f) for i, f in enumerate(self._fallbacks)))
        runs: list[tuple[str, str, str]] = []
        for c in s:
            family, st = next(((fam, st) for fam, st, f in order if f.covers(c)), (FAMILY, style))
            if runs and runs[-1][0] == family and runs[-1][1] == st:
                runs[-1] = (family, st, runs[-1][2] + c)
            else:
                runs.append((family, st, c))
        return runs

    def clean(self, text: object) -> str:
        """Printable text: controls become spaces, characters no font has become U+FFFD."""
        s = "" if text is None else str(text)
        if s.isascii() and s.isprintable():
            return s
        out = []
        for c in s:
            category = unicodedata.category(c)
            if category == "Cc":
                out.append(" ")
            elif category == "Cf":
                continue
            elif category[0] != "C" and self._covered(c):
                out.append(c)
            else:
                out.append(REPLACEMENT)
        return "".join(out)

    def _covered(self, c: str) -> bool:
        return self.regular.covers(c) or self.bold.covers(c) or any(f.covers(c) for f in self._fallbacks)

    # -- drawing -----------------------------------------------------------------------

    def font(self, size: float | None = None, bold: bool = False, family: str = FAMILY,
             style: str | None = None) -> None:
        key = (family, (BOLD if bold else REGULAR) if style is None else style, size or self.size)
        if key != self._font:
            self.pdf.set_font(*key)
            self._font = key

    def colour(self, name: str) -> None:
        if name != self._colour:
            self.pdf.set_text_color(*self.colours[name])
            self._colour = name

    def width(self, text: str, size: float | None = None, bold: bool = False) -> float:
        """Width of already cleaned text, in mm."""
        size = size or self.size
        if not self._fallbacks:
            return (self.bold if bold else self.regular).width(text, size) * PT
        return sum(self._face(family, style).width(run, size) for family, style, run in self._runs(text, bold)) * PT

    def _face(self, family: str, style: str) -> fonts.Face:
        if family == FAMILY:
            return self.bold if style == BOLD else self.regular
        return self._fallbacks[int(family[len(FAMILY):])]

    def _draw(self, x: float, baseline: float, s: str, size: float, bold: bool) -> None:
        if not self._fallbacks:
            self.font(size, bold)
            self.pdf.text(x, baseline, s)
            return
        for family, style, run in self._runs(s, bold):
            self.font(size, family=family, style=style)
            self.pdf.text(x, baseline, run)
            x += self._face(family, style).width(run, size) * PT

    def text(self, x: float, top: float, text: object, *, size: float | None = None, bold: bool = False,
             colour: str = "text", align: str = "L", width: float | None = None) -> float:
        """Draw one line whose box starts at `top`; align R puts its right end at x, C its middle.

        With `width`, text that does not fit is shortened with "…" — or, right-aligned (amounts, quantities), shrunk
        until it fits, so that a number is never cut.
        Returns the line height."""
        s = self.clean(text)
        size = size or self.size
        if not s:
            return size * PT * LINE
        self.colour(colour)
        w = self.width(s, size, bold) if align != "L" or width is not None else 0.0
        if width is not None and w > width:
            s, size = self._fit(s, width, size, bold, shrink=align == "R")
            w = self.width(s, size, bold)
        left = x - w if align == "R" else x - w / 2 if align == "C" else x
        self._draw(left, top + size * PT * 0.93, s, size, bold)
        return size * PT * LINE

    def _fit(self, s: str, width: float, size: float, bold: bool, shrink: bool) -> tuple[str, float]:
        if shrink:
            smaller = max(size * width / self.width(s, size, bold) * 0.99, MIN_SIZE)
            if self.width(s, smaller, bold) <= width:
                return s, smaller
        return self.truncate(s, width, size, bold), size

    def _prefix(self, s: str, width: float, size: float | None, bold: bool, suffix: str = "") -> int:
        """Length of the longest prefix of `s` (at least one character) that fits `width` with `suffix`."""
        lo, hi = 1, len(s)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.width(s[:mid].rstrip() + suffix, size, bold) <= width:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def truncate(self, s: str, width: float, size: float | None = None, bold: bool = False) -> str:
        """`s` cut to fit `width`, ending in "…"."""
        if self.width(s, size, bold) <= width:
            return s
        s = s[:MAX_TEXT]
        cut = self._prefix(s, width, size, bold, "…")
        return s[:cut].rstrip() + "…" if self.width(s[:cut] + "…", size, bold) <= width else "…"

    def wrap(self, text: object, width: float, size: float | None = None, bold: bool = False,
             max_lines: int | None = None) -> list[str]:
        """Lines at most `width` mm wide: broken at spaces, over-long words broken anywhere; with `max_lines`,
        the last line ends in "…" when text was left over."""
        s = self.clean(text).strip()[:MAX_TEXT]
        if not s:
            return []
        if self.width(s, size, bold) <= width:
            return [s]
        lines: list[str] = []
        line = ""
        for word in s.split():
            candidate = f"{line} {word}" if line else word
            if self.width(candidate, size, bold) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while len(line) > 1 and self.width(line, size, bold) > width:
                cut = self._prefix(line, width, size, bold)
                lines.append(line[:cut])
                line = line[cut:]
            if max_lines is not None and len(lines) > max_lines:
                break
        if line:
            lines.append(line)
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = self.truncate(lines[-1] + " …", width, size, bold)
        return lines

    def lines(self, x: float, top: float, lines: list[str], *, size: float | None = None, bold: bool = False,
              colour: str = "text", align: str = "L") -> float:
        """Draw lines one under the other; returns the y below them."""
        y = top
        for line in lines:
            y += self.text(x, y, line, size=size, bold=bold, colour=colour, align=align)
        return y

    def begin_page_again(self, page: int) -> None:
        """Draw on an earlier page (footers, once the page count is known).

        fpdf2 leaves out a font, colour or line width equal to the last one set, but the last one set was on
        another page; each is set to a throwaway value and back so that this page's content states its own."""
        pdf = self.pdf
        pdf.page = page
        pdf.current_font_is_set_on_page = False
        self._font = self._colour = None
        for setter in (pdf.set_draw_color, pdf.set_fill_color, pdf.set_text_color):
            setter(1, 2, 3)
            setter(255, 255, 255)
        pdf.set_line_width(0.001)

    def fill(self, x: float, y: float, w: float, h: float, colour: str) -> None:
        self.pdf.set_fill_color(*self.colours[colour])
        self.pdf.rect(x, y, w, h, style="F")

    def rule(self, x1: float, y: float, x2: float, colour: str = "rule", width: float = 0.25) -> None:
        self.pdf.set_draw_color(*self.colours[colour])
        self.pdf.set_line_width(width)
        self.pdf.line(x1, y, x2, y)

    def image(self, path, x: float, y: float, w: float) -> float:
        """Draw a raster image `w` mm wide (parsed once per process); returns its height."""
        info = copy.copy(_image(str(path)))
        info["i"], info["usages"] = len(self.pdf.image_cache.images) + 1, 0
        self.pdf.image_cache.images[str(path)] = info
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

    def day(self, value: date | None) -> str:
        return "" if value is None else format_date(value, self.layout.date_format, locale=self.locale)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


@lru_cache(maxsize=32)
def _locale(name: str) -> Locale:
    return Locale.parse(name)


@lru_cache(maxsize=8)
def _image(path: str):
    """fpdf2's parsed image (compressed data and size), made once per process."""
    from fpdf.image_datastructures import ImageCache
    from fpdf.image_parsing import preload_image
    from pathlib import Path

    _, _, info = preload_image(ImageCache(), Path(path))
    return info
