"""Charts rendered on the server as SVG (pygal), so the same chart serves the portal and the PDF report.

No chart embeds scripts or links to outside URLs: pygal's interactive JavaScript (fetched from a CDN) is
switched off, and every chart carries a text alternative (`<title>` and `<desc>`) for screen readers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

import pygal
from pygal.style import Style

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2937",
    foreground_strong="#111827",
    foreground_subtle="#6b7280",
    colors=("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2"),
    font_family="DejaVu Sans, Noto Sans CJK SC, sans-serif",
    title_font_size=16,
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=11,
    value_font_size=10,
)


INLINE_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


def _config(chart, *, title: str, width: int, height: int):
    chart.config.js = []  # no scripts fetched from a CDN
    chart.config.disable_xml_declaration = True
    chart.config.explicit_size = False
    chart.config.width, chart.config.height = width, height
    chart.title = title
    return chart


def _accessible(svg: str, title: str, description: str) -> str:
    """Name the chart for assistive technology and say in words what it shows. pygal's inline configuration
    script serves only its (disabled) interactive JavaScript: it is dropped, so pages need no inline script."""
    svg = INLINE_SCRIPT.sub("", svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" ', 1)
    head_end = svg.index(">") + 1
    return (
        svg[:head_end] + f"<title>{escape(title)}</title><desc>{escape(description)}</desc>" + svg[head_end:]
    )


def _describe(labels: Sequence[str], series: dict[str, Sequence[float | None]], unit: str) -> str:
    parts = []
    for name, values in series.items():
        pairs = [
            f"{label}: {_fmt(value, unit)}"
            for label, value in zip(labels, values, strict=False)
            if value is not None
        ]
        parts.append(f"{name} — " + "; ".join(pairs) if pairs else f"{name} — no data")
    return ". ".join(parts) + "." if parts else "No data."


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.1f}%"
    if float(value).is_integer():
        return f"{int(value)}{unit}"
    return f"{value:.1f}{unit}"


def count_ticks(top: float, most: int = 6) -> list[int]:
    """Whole-number ticks from 0 to at least `top`, at most `most` + 1 of them, in steps of 1, 2, 5, 10, 20 …"""
    step = 1
    while int(top) // step + 1 > most:
        step = _next_step(step)
    last = -(-int(top) // step) * step  # `top` rounded up to a step
    return list(range(0, max(last, step) + 1, step))


def _next_step(step: int) -> int:
    """1 → 2 → 5 → 10 → 20 → 50 → 100 …"""
    digits = str(step)
    lead = int(digits[0])
    scale = 10 ** (len(digits) - 1)
    return {1: 2, 2: 5, 5: 10}[lead] * scale


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    unit: str = "",
    width: int = 720,
    height: int = 300,
    y_max: float | None = None,
) -> str:
    chart = _config(
        pygal.Line(
            style=STYLE,
            show_dots=True,
            dots_size=3,
            x_label_rotation=30,
            range=(0, y_max) if y_max is not None else None,
        ),
        title=title,
        width=width,
        height=height,
    )
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _accessible(chart.render(is_unicode=True), title, _describe(labels, series, unit))


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    unit: str = "",
    width: int = 720,
    height: int = 300,
    horizontal: bool = False,
    counts: bool = False,
) -> str:
    """`counts`: the values are whole numbers, and so are the axis's ticks (never 0, 0.2 … 2)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = _config(
        kind(style=STYLE, x_label_rotation=0 if horizontal else 30), title=title, width=width, height=height
    )
    if counts:
        chart.y_labels = count_ticks(max((v or 0 for values in series.values() for v in values), default=0))
        chart.value_formatter = lambda value: f"{int(value)}"
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _accessible(chart.render(is_unicode=True), title, _describe(labels, series, unit))
