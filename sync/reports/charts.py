"""Horizontal bar charts drawn with fpdf2 primitives: a label, a bar, its value, and optionally a
marker (e.g. the slowest order next to the median). Scales use round tick steps, so the
gridlines read 0, 5, 10 ... and not 0, 3.7, 7.4.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sync.reports.pages import Pages


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    colour: str
    """A colour name of the page (layout colours plus pages.EXTRA_COLOURS)."""
    text: str = ""
    """Printed after the bar; default: the value."""
    marker: float | None = None
    """Drawn as a tick across the bar's row (e.g. the slowest order)."""
    marker_text: str = ""


def nice_ticks(top: float, count: int = 4, whole: bool = False) -> list[float]:
    """0 and about `count` round steps (1, 2, 2.5 or 5 times a power of ten) reaching at least `top`;
    `whole`: steps of at least 1 (for counts)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = max(top / count, 1.0) if whole else top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw and not (whole and m == 2.5 and power == 1))
    n = math.ceil(top / step - 1e-9)
    return [i * step for i in range(n + 1)]


def bar_chart(
    p: Pages,
    title: str,
    bars: Sequence[Bar],
    *,
    note: str = "",
    tick_text: Callable[[float], str] = lambda v: f"{v:g}",
    row: float = 6.2,
    label_width: float = 38.0,
    empty: str = "Nothing to show.",
    whole: bool = True,
) -> None:
    """A titled horizontal bar chart the width of the page, drawn at `p.y` (or on a new page, title and
    all, when it does not fit). Bars with a marker text get a second line for their texts."""
    c = p.c
    two_lines = any(b.marker_text for b in bars)
    row = row * 1.45 if two_lines else row
    height = row * len(bars) + 6
    p.need(height + 13)
    p.heading(title, note)
    if not bars:
        p.paragraph(empty, colour="muted")
        return
    top = max(max(b.value, b.marker or 0) for b in bars)
    ticks = nice_ticks(top, whole=whole)
    x0 = p.left + label_width
    span = p.width - label_width - (4.0 if two_lines else 18.0)
    scale = span / ticks[-1]
    bar_h = row * (0.45 if two_lines else 0.7)
    y0 = p.y
    for t in ticks:  # gridlines with their values underneath
        x = x0 + t * scale
        c.pdf.set_draw_color(*c.colours["grid"])
        c.pdf.set_line_width(0.2)
        c.pdf.line(x, y0, x, y0 + row * len(bars))
        c.text(x, y0 + row * len(bars) + 0.6, tick_text(t), size=6.5, colour="muted", align="C")
    for i, b in enumerate(bars):
        y = y0 + i * row + row * 0.12
        c.text(x0 - 2, y + bar_h / 2 - 1.6, b.label, size=8, align="R", width=label_width - 3)
        w = max(b.value * scale, 0.4 if b.value else 0)
        if w:
            c.fill(x0, y, w, bar_h, b.colour)
        if b.marker is not None:
            mx = x0 + b.marker * scale
            c.pdf.set_draw_color(*c.colours["text"])
            c.pdf.set_line_width(0.6)
            c.pdf.line(mx, y - row * 0.06, mx, y + bar_h + row * 0.06)
        label = b.text or f"{b.value:g}"
        if two_lines:
            c.text(x0 + 1, y + bar_h + 0.5, label + (f"  ·  {b.marker_text}" if b.marker_text else ""), size=7,
                   colour="muted", width=p.right - x0 - 1)
        else:
            c.text(x0 + w + 1.5, y + bar_h / 2 - 1.4, label, size=7.5, bold=True, width=p.right - x0 - w - 1.5)
    c.pdf.set_draw_color(*c.colours["text"])
    c.pdf.set_line_width(0.3)
    c.pdf.line(x0, y0, x0, y0 + row * len(bars))
    p.y = y0 + height + 1
