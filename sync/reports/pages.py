"""Paged A4 output for the manifest and the report: the business's invoice page, fonts and colours
(templates/layout.toml), a heading on every page, tables that continue on the next page with their
header repeated, and "page x of y" with the layout's footer at the bottom.

Drawing goes through sync.documents.canvas, so names in any script the bundled
fonts cover (Greek, Cyrillic, CJK via the fallback font) print as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rules.documents import Kind
from sync.documents.canvas import PT, Canvas
from sync.documents.layout import Layout, load_layouts

#: Colours the reports add to the layout's own (status bars, severities, tiles).
EXTRA_COLOURS: dict[str, tuple[int, int, int]] = {
    "error": (196, 48, 43),
    "warning": (217, 142, 4),
    "ok": (46, 125, 50),
    "info": (33, 101, 168),
    "grid": (228, 224, 220),
    "tile": (248, 245, 242),
    "white": (255, 255, 255),
}


def report_layout(settings) -> Layout:
    """The page, fonts and colours of the business's invoices (reports look like its documents)."""
    return load_layouts(getattr(settings, "templates_dir", None))[Kind.INVOICE]


@dataclass(frozen=True)
class Col:
    title: str
    width: float
    """Share of the content width (the columns' shares are scaled to fill it)."""
    align: str = "L"


class Pages:
    """A document being laid out top to bottom; `y` is where the next thing goes."""

    def __init__(self, layout: Layout, day: date, texts: Sequence[str], title: str, subtitle: str) -> None:
        self.c = Canvas(layout, day, [title, subtitle, *texts])
        for name, rgb in EXTRA_COLOURS.items():
            self.c.colours.setdefault(name, rgb)
        self.pdf = self.c.pdf
        page = layout.page
        self.left, self.right = page.margin_mm, page.width_mm - page.margin_mm
        self.top, self.bottom = page.margin_mm, page.height_mm - page.margin_mm - 8
        self.width = self.right - self.left
        self.footer = layout.footer
        self.title, self.subtitle = title, subtitle
        self.y = self.top
        self.new_page()

    def new_page(self) -> None:
        self.pdf.add_page()
        self.y = self.top
        if self.pdf.page_no() > 1:  # later pages: a one-line reminder of what this is
            self.c.text(self.left, self.y, self.title, size=8, bold=True, colour="muted")
            self.c.text(self.right, self.y, self.subtitle, size=8, colour="muted", align="R", width=self.width / 2)
            self.y += 7

    def need(self, height: float) -> None:
        """Start a new page unless `height` mm still fit on this one."""
        if self.y + height > self.bottom:
            self.new_page()

    def heading(self, text: str, note: str = "") -> None:
        self.need(18)
        self.y += 3
        self.c.text(self.left, self.y, text, size=11.5, bold=True, colour="accent")
        if note:
            self.c.text(self.right, self.y + 1.2, note, size=8, colour="muted", align="R", width=self.width * 0.55)
        self.y += 6.5
        self.c.rule(self.left, self.y, self.right, colour="accent", width=0.4)
        self.y += 2

    def paragraph(self, text: str, *, size: float = 9, colour: str = "text", bold: bool = False) -> None:
        for line in self.c.wrap(text, self.width, size, bold):
            self.need(size * PT * 1.4)
            self.y += self.c.text(self.left, self.y, line, size=size, colour=colour, bold=bold)

    def table(self, cols: Sequence[Col], rows: Sequence[Sequence[str]], *, total: Sequence[str] | None = None,
              size: float = 8.5, empty: str = "None.") -> None:
        """Rows under a coloured header; long cells wrap; the header repeats on each new page."""
        if not rows:
            self.paragraph(empty, colour="muted", size=size)
            self.y += 1
            return
        scale = self.width / sum(c.width for c in cols)
        widths = [c.width * scale for c in cols]
        line = size * PT * 1.3
        pad = 1.4

        def header() -> None:
            h = line + 2 * pad
            self.c.fill(self.left, self.y, self.width, h, "accent")
            self._row([c.title for c in cols], cols, widths, size, bold=True, colour="header_text", pad=pad)
            self.y += h

        self.need(3 * line + 4 * pad)
        header()
        for i, cells in enumerate([*rows, *([total] if total else [])]):
            is_total = total is not None and i == len(rows)
            wrapped = [[x for part in str(cell).split("\n") for x in self.c.wrap(part, w - 2 * pad, size, is_total)] or [""]
                       for cell, w in zip(cells, widths)]
            h = max(len(w) for w in wrapped) * line + 2 * pad
            if self.y + h > self.bottom:
                self.new_page()
                header()
            if is_total:
                self.c.rule(self.left, self.y, self.right, colour="accent", width=0.4)
            elif i % 2:
                self.c.fill(self.left, self.y, self.width, h, "stripe")
            self._row(wrapped, cols, widths, size, bold=is_total, colour="text", pad=pad)
            self.y += h
        self.c.rule(self.left, self.y, self.right)
        self.y += 3

    def _row(self, cells, cols, widths, size, *, bold: bool, colour: str, pad: float) -> None:
        x = self.left
        for cell, col, w in zip(cells, cols, widths):
            lines = cell if isinstance(cell, list) else [cell]
            y = self.y + pad
            for text in lines:
                anchor = x + w - pad if col.align == "R" else x + pad
                y += self.c.text(anchor, y, text, size=size, bold=bold, colour=colour, align=col.align, width=w - 2 * pad)
            x += w

    def finish(self) -> bytes:
        """Page numbers and the layout's footer on every page; the PDF's bytes."""
        n = self.pdf.pages_count
        for i in range(1, n + 1):
            self.c.begin_page_again(i)
            y = self.bottom + 3
            self.c.rule(self.left, y, self.right)
            self.c.text(self.right, y + 1.2, f"Page {i} of {n}", size=7, colour="muted", align="R")
            if self.footer:
                self.c.text(self.left, y + 1.2, self.footer, size=6.5, colour="muted", width=self.width - 22)
        self.c.begin_page_again(n)
        return self.c.output()
