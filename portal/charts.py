"""Server-side SVG bar charts: no JavaScript, and no style attribute (the CSP's style-src allows none).

A chart is a picture of the table printed with it: `role="img"` named by its <title>; the figures
themselves are read in the table. Sizes are viewBox units, so the chart scales with the page;
colours are presentation attributes from the GOV.UK palette.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

BLUE = "#1d70b8"
TEXT = "#0b0c0c"
# GOV.UK palette: blue, green, light blue, orange, purple, red, mid grey. Neighbours contrast.
PALETTE = ("#1d70b8", "#00703c", "#5694ca", "#f47738", "#4c2c92", "#d4351c", "#b1b4b6")

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 140
ROW_HEIGHT = 30
BAR_HEIGHT = 20
FONT_SIZE = 14
# About as many characters as fit in the label column at this font size; longer labels are cut
# (the table beside the chart carries them in full, and the cut label's tooltip too).
LABEL_CHARACTERS = 30

Formatter = Callable[[int], str]


def _number(value: float) -> str:
    """A coordinate, short: 12.0 -> '12', 12.345 -> '12.35'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _ident(chart_id: str) -> str:
    """An id attribute that is always valid, whatever the caller passed."""
    return "chart-" + (re.sub(r"[^a-z0-9-]+", "-", chart_id.lower()).strip("-") or "x")


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1].rstrip() + "\u2026"


def bar_lengths(values: Sequence[int], width: float) -> list[float]:
    """Bar lengths scaled so that the largest value fills `width`; zero and negative values get none."""
    largest = max((v for v in values if v > 0), default=0)
    if largest == 0:
        return [0.0 for _ in values]
    return [width * v / largest if v > 0 else 0.0 for v in values]


def _open(ident: str, title: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="portal-chart" role="img" aria-labelledby="{ident}-title" '
        f'viewBox="0 0 {WIDTH} {_number(height)}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-size="{FONT_SIZE}" fill="{TEXT}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
    ]


def _label(text: str, x: float, y: float, anchor: str = "start") -> str:
    shown = _short(text)
    tooltip = f"<title>{escape(text)}</title>" if shown != text else ""
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}" dominant-baseline="central">'
        f"{tooltip}{escape(shown)}</text>"
    )


def bar_chart(
    chart_id: str, title: str, rows: Sequence[tuple[str, int]], formatter: Formatter = str, colour: str = BLUE
) -> Markup:
    """Horizontal bars, one per (label, value), with the label left and the formatted value after the bar."""
    ident = _ident(chart_id)
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    lengths = bar_lengths([value for _label_text, value in rows], area)
    height = max(1, len(rows)) * ROW_HEIGHT
    parts = _open(ident, title, height)
    for index, ((label, value), length) in enumerate(zip(rows, lengths, strict=True)):
        middle = index * ROW_HEIGHT + ROW_HEIGHT / 2
        parts.append(_label(label, LABEL_WIDTH - 8, middle, "end"))
        if length > 0:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{_number(middle - BAR_HEIGHT / 2)}" width="{_number(length)}" '
                f'height="{BAR_HEIGHT}" fill="{escape(colour)}"></rect>'
            )
        parts.append(_label(formatter(value), LABEL_WIDTH + length + 6, middle))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def stacked_bar(
    chart_id: str,
    title: str,
    parts: Sequence[tuple[str, int]],
    formatter: Formatter = str,
    colours: Sequence[str] = PALETTE,
) -> Markup:
    """One bar split into its parts (say paid, committed, reserved, remaining), with a legend below.

    The parts must add up to the whole: the bar is their sum.
    """
    ident = _ident(chart_id)
    total = sum(value for _label_text, value in parts if value > 0)
    legend_top = BAR_HEIGHT * 2 + 12
    height = legend_top + max(1, len(parts)) * ROW_HEIGHT
    out = _open(ident, title, height)
    out.append(f'<rect x="0" y="0" width="{WIDTH}" height="{BAR_HEIGHT * 2}" fill="#ffffff" stroke="{TEXT}"></rect>')
    x = 0.0
    for index, (_label_text, value) in enumerate(parts):
        if value <= 0 or total == 0:
            continue
        width = WIDTH * value / total
        colour = escape(colours[index % len(colours)])
        out.append(
            f'<rect x="{_number(x)}" y="0" width="{_number(width)}" height="{BAR_HEIGHT * 2}" fill="{colour}"></rect>'
        )
        x += width
    for index, (label, value) in enumerate(parts):
        top = legend_top + index * ROW_HEIGHT
        colour = escape(colours[index % len(colours)])
        out.append(
            f'<rect x="0" y="{_number(top + (ROW_HEIGHT - 16) / 2)}" width="16" height="16" fill="{colour}" stroke="{TEXT}"></rect>'
        )
        out.append(_legend(label, formatter(value), top + ROW_HEIGHT / 2))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above went through escape()


def _legend(label: str, value: str, y: float) -> str:
    # The legend has the whole width: the label is not cut.
    return f'<text x="24" y="{_number(y)}" dominant-baseline="central">{escape(label)}: {escape(value)}</text>'
