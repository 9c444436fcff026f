"""Server-drawn line charts as accessible SVG: a title and a description for screen readers,
a colour-blind-safe palette (Okabe–Ito) with a distinct dash pattern and marker per series so
the lines stay apart in greyscale print, and the numbers as a table next to every chart."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from negotiation.labels import number_format

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies; all but the
# yellow meet 3:1 on white, so the yellow is left out.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#7F7F7F")
DASHES = ("", "7 4", "2 3", "10 3 2 3", "4 2", "12 5", "1 4", "6 2 1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "triangle-down", "plus", "bar")

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 16, 40


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: list[float | None]


@dataclass(slots=True)
class Chart:
    id: str
    title: str
    description: str
    x_labels: list[str]
    series: list[Series]
    y_label: str = ""
    y_min: float | None = None
    y_max: float | None = None
    decimals: int = 1
    styles: list[tuple[str, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.styles = [(PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)], MARKERS[i % len(MARKERS)])
                       for i in range(len(self.series))]

    @property
    def has_data(self) -> bool:
        return any(v is not None for s in self.series for v in s.values)

    @property
    def table_rows(self) -> list[tuple[str, list[str]]]:
        """(x label, one formatted cell per series) for the data table."""
        rows = []
        for i, label in enumerate(self.x_labels):
            cells = []
            for s in self.series:
                v = s.values[i] if i < len(s.values) else None
                cells.append("—" if v is None else number_format(v, self.decimals))
            rows.append((label, cells))
        return rows

    @property
    def legend(self) -> list[tuple[str, str, str, SafeString]]:
        return [(s.label, color, dash, marker_svg(marker, 12, 8, color))
                for s, (color, dash, marker) in zip(self.series, self.styles, strict=True)]

    @property
    def summary(self) -> str:
        """A sentence per series for the SVG description: where it starts, ends and its range."""
        parts = []
        for s in self.series:
            known = [(i, v) for i, v in enumerate(s.values) if v is not None]
            if not known:
                continue
            first, last = known[0], known[-1]
            low = min(v for _, v in known)
            high = max(v for _, v in known)
            parts.append(gettext("%(series)s: %(first)s at %(first_at)s, %(last)s at %(last_at)s "
                                 "(lowest %(low)s, highest %(high)s).") % {
                "series": s.label, "first": number_format(first[1], self.decimals), "first_at": self.x_labels[first[0]],
                "last": number_format(last[1], self.decimals), "last_at": self.x_labels[last[0]],
                "low": number_format(low, self.decimals), "high": number_format(high, self.decimals)})
        return " ".join(parts) or gettext("No data yet.")

    @property
    def svg(self) -> SafeString:
        return line_chart_svg(self)


def _nice_range(chart: Chart) -> tuple[float, float]:
    values = [v for s in chart.series for v in s.values if v is not None]
    low = min([*values, chart.y_min] if chart.y_min is not None else values or [0.0])
    high = max([*values, chart.y_max] if chart.y_max is not None else values or [1.0])
    if high - low < 1e-9:
        low, high = low - 1.0, high + 1.0
    return low, high


def _ticks(low: float, high: float, count: int = 5) -> tuple[list[float], float]:
    """Round tick values covering [low, high], and their step."""
    raw = (high - low) / count
    base = 10 ** math.floor(math.log10(raw))
    step = next(m * base for m in (1, 2, 2.5, 5, 10) if m * base >= raw - 1e-12)
    value = math.ceil(low / step - 1e-9) * step
    ticks = []
    while value <= high + step * 1e-6:
        ticks.append(round(value, 10))
        value += step
    return ticks, step


def marker_svg(kind: str, x: float, y: float, color: str, size: float = 4.0) -> SafeString:
    s = size
    match kind:
        case "circle":
            shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s:.1f}" fill="{color}"/>'
        case "square":
            shape = f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" fill="{color}"/>'
        case "triangle":
            shape = f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y + s:.1f} {x - s:.1f},{y + s:.1f}" fill="{color}"/>'
        case "triangle-down":
            shape = f'<polygon points="{x:.1f},{y + s:.1f} {x + s:.1f},{y - s:.1f} {x - s:.1f},{y - s:.1f}" fill="{color}"/>'
        case "diamond":
            shape = f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f} {x - s:.1f},{y:.1f}" fill="{color}"/>'
        case "cross":
            shape = (f'<path d="M{x - s:.1f},{y - s:.1f}L{x + s:.1f},{y + s:.1f}M{x - s:.1f},{y + s:.1f}L{x + s:.1f},{y - s:.1f}" '
                     f'stroke="{color}" stroke-width="2"/>')
        case "plus":
            shape = (f'<path d="M{x - s:.1f},{y:.1f}L{x + s:.1f},{y:.1f}M{x:.1f},{y - s:.1f}L{x:.1f},{y + s:.1f}" '
                     f'stroke="{color}" stroke-width="2"/>')
        case _:
            shape = f'<rect x="{x - s:.1f}" y="{y - 1.5:.1f}" width="{2 * s:.1f}" height="3" fill="{color}"/>'
    return mark_safe(shape)  # noqa: S308  (numbers and a palette colour only)


def line_chart_svg(chart: Chart) -> SafeString:
    """The chart as an inline SVG element (CSP-safe: presentation attributes, no style)."""
    low, high = _nice_range(chart)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(1, len(chart.x_labels) - 1)

    def px(i: int) -> float:
        return LEFT + plot_w * (i / n if len(chart.x_labels) > 1 else 0.5)

    def py(v: float) -> float:
        return TOP + plot_h * (1 - (v - low) / (high - low))

    cid = escape(chart.id)
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" data-testid="chart-{cid}">',
        f'<title id="{cid}-title">{escape(chart.title)}</title>',
        f'<desc id="{cid}-desc">{escape(chart.description)} {escape(chart.summary)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#ffffff" stroke="#8c959f"/>',
    ]
    ticks, step = _ticks(low, high)
    for tick in ticks:
        y = py(tick)
        label = number_format(tick, 0 if step >= 1 else 2)
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#1b1f24">{label}</text>')
    every = max(1, len(chart.x_labels) // 12)
    for i, label in enumerate(chart.x_labels):
        if i % every == 0 or i == len(chart.x_labels) - 1:
            out.append(f'<text x="{px(i):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11" '
                       f'fill="#1b1f24">{escape(label)}</text>')
    if chart.y_label:
        out.append(f'<text x="12" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" font-size="11" fill="#1b1f24" '
                   f'transform="rotate(-90 12 {TOP + plot_h / 2:.1f})">{escape(chart.y_label)}</text>')
    for series, (color, dash, marker) in zip(chart.series, chart.styles, strict=True):
        out.append(f'<g class="series" data-series="{escape(series.label)}">')
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, v in enumerate(series.values):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{px(i):.1f},{py(v):.1f}")
        if segment:
            segments.append(segment)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for seg in segments:
            out.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{color}" stroke-width="2.2"{dash_attr}/>')
        for i, v in enumerate(series.values):
            if v is not None:
                out.append(str(marker_svg(marker, px(i), py(v), color, 3.5)))
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  (every text is escaped above)
