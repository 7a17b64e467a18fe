"""Charts drawn on the server as inline SVG: no JavaScript, no external files, the same bytes every build.

Every label comes in as plain text and is escaped here; numbers are written with fixed precision so that
the same data always gives byte-identical SVG. Colours come from a fixed colour-blind-safe palette, with
marker shapes once the colours run out; text uses ``currentColor`` so it follows the light and dark themes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

# Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008): eight colours that stay apart for
# readers with any common colour-vision deficiency. Its black is the text's colour here (currentColor), so
# it shows on the dark theme too. More series than colours are told apart by the marker's shape as well:
# series i gets colour i % 8 and shape i // 8, so 48 series never share a marker (the catalog has 35 families).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "currentColor")
SHAPES = ("circle", "square", "triangle", "diamond", "pentagon", "cross")


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def shape(index: int) -> str:
    return SHAPES[(index // len(PALETTE)) % len(SHAPES)]


def marker(index: int, cx: float, cy: float, r: float, extra: str = "", inner: str = "") -> str:
    """The series' marker (its colour and shape) centred on (cx, cy); ``inner`` goes inside (a <title>)."""
    fill, kind = colour(index), shape(index)
    if kind == "circle":
        head = f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}" fill="{fill}"{extra}'
        tag = "circle"
    elif kind == "square":
        s = r * 0.9
        head = f'<rect x="{_n(cx - s)}" y="{_n(cy - s)}" width="{_n(2 * s)}" height="{_n(2 * s)}" fill="{fill}"{extra}'
        tag = "rect"
    else:
        if kind == "triangle":
            points = [(cx, cy - r * 1.2), (cx + r * 1.1, cy + r * 0.8), (cx - r * 1.1, cy + r * 0.8)]
        elif kind == "diamond":
            points = [(cx, cy - r * 1.25), (cx + r * 1.1, cy), (cx, cy + r * 1.25), (cx - r * 1.1, cy)]
        elif kind == "pentagon":
            points = [(cx + r * 1.15 * math.sin(2 * math.pi * k / 5), cy - r * 1.15 * math.cos(2 * math.pi * k / 5))
                      for k in range(5)]
        else:  # a plus sign of arms 0.8 r wide: twelve corners
            a, b = r * 0.4, r * 1.2
            points = [(cx - a, cy - b), (cx + a, cy - b), (cx + a, cy - a), (cx + b, cy - a), (cx + b, cy + a),
                      (cx + a, cy + a), (cx + a, cy + b), (cx - a, cy + b), (cx - a, cy + a), (cx - b, cy + a),
                      (cx - b, cy - a), (cx - a, cy - a)]
        head = f'<polygon points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}" fill="{fill}"{extra}'
        tag = "polygon"
    return f"{head}>{inner}</{tag}>" if inner else f"{head}/>"


def _n(value: float) -> str:
    """A coordinate with one decimal, without a trailing ``.0``: stable text for stable bytes."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]


def _nice_max(value: float) -> int:
    """The smallest round number (1, 2, 5 × 10^k) at or above ``value``: the top of the y axis."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def line_chart(title: str, x_labels: Sequence[str], series: Sequence[Series], width: int = 720,
               height: int = 320) -> Markup:
    """Lines with dots, one per series, a y axis from zero and a legend to the right."""
    left, right, top, bottom = 44, 190, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for s in series for v in s.values), default=1))
    count = len(x_labels)

    def x(i: int) -> float:
        return left + (plot_w / 2 if count == 1 else plot_w * i / (count - 1))

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / top_value

    parts = [
        f'<svg class="atlas-chart__svg" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="11" fill="currentColor">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(5):
        value = top_value * tick / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_n(y(value))}" y2="{_n(y(value))}" '
                     f'stroke="currentColor" stroke-opacity="0.15"/>')
        parts.append(f'<text x="{left - 6}" y="{_n(y(value) + 4)}" text-anchor="end">{_n(value)}</text>')
    # at most about eight labels fit under the axis: label every k-th point, always the last one
    every = max(1, math.ceil(count / 8))
    for i, label in enumerate(x_labels):
        if (count - 1 - i) % every == 0:
            parts.append(f'<text x="{_n(x(i))}" y="{height - bottom + 16}" text-anchor="middle">{escape(label)}</text>')
    for index, item in enumerate(series):
        stroke = colour(index)
        points = " ".join(f"{_n(x(i))},{_n(y(v))}" for i, v in enumerate(item.values))
        parts.append(f'<g class="atlas-chart__series"><title>{escape(item.label)}</title>')
        if len(item.values) > 1:
            parts.append(f'<polyline points="{points}" fill="none" stroke="{stroke}" stroke-width="2"/>')
        for i, v in enumerate(item.values):
            parts.append(marker(index, x(i), y(v), 3,
                                inner=f"<title>{escape(item.label)}, {escape(x_labels[i])}: {v}</title>"))
        parts.append("</g>")
        legend_y = top + 14 * index
        parts.append(f'<line x1="{width - right + 8}" x2="{width - right + 26}" y1="{legend_y - 3}" '
                     f'y2="{legend_y - 3}" stroke="{stroke}" stroke-width="2"/>')
        parts.append(marker(index, width - right + 17, legend_y - 3, 3.5))
        parts.append(f'<text x="{width - right + 31}" y="{legend_y + 1}">{escape(_clip(item.label, 26))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(values: Sequence[int], width: int = 120, height: int = 24, label: str = "",
              partial_last: bool = False) -> Markup:
    """Small bars, one per week, for a table cell. ``partial_last``: the last week is not over, so its bar is
    drawn hollow (an outline) and its title says so, instead of reading as a drop."""
    top_value = max(max(values, default=0), 1)
    bar = width / max(len(values), 1)
    title = f"{label} (the last week is not over)" if partial_last and values else label
    parts = [f'<svg class="atlas-spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>"]
    for i, v in enumerate(values):
        h = (height - 2) * v / top_value
        box = f'x="{_n(i * bar + 1)}" y="{_n(height - h)}" width="{_n(max(bar - 2, 1))}" height="{_n(h)}"'
        if partial_last and i == len(values) - 1:
            parts.append(f'<rect class="atlas-spark__partial" {box} fill="none" stroke="{PALETTE[0]}" '
                         f'stroke-dasharray="2 1"><title>partial week so far: {v}</title></rect>')
        else:
            parts.append(f'<rect {box} fill="{PALETTE[0]}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Release:
    label: str
    group: str
    when: date
    parameters: int


def release_timeline(title: str, releases: Sequence[Release], groups: Sequence[str], width: int = 760,
                     height: int = 420) -> Markup:
    """Models as dots: release date across, parameter count up (log scale), one colour per family."""
    left, right, top, bottom = 56, 170, 24, 40
    # only the groups that have a dot are in the legend, each with its own colour and shape
    present = {r.group for r in releases}
    groups = [g for g in groups if g in present] + sorted(present - set(groups))
    height = max(height, top + 14 * len(groups) + bottom)
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [
        f'<svg class="atlas-chart__svg" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="11" fill="currentColor">',
        f"<title>{escape(title)}</title>",
    ]
    if not releases:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">no model with a known size</text>')
        parts.append("</svg>")
        return Markup("".join(parts))
    first_year = min(r.when.year for r in releases)
    last_year = max(r.when.year for r in releases) + 1
    low = math.floor(math.log10(min(r.parameters for r in releases)))
    high = math.ceil(math.log10(max(r.parameters for r in releases)))
    high = max(high, low + 1)

    def x(when: date) -> float:
        years = when.year + (when.timetuple().tm_yday - 1) / 366
        return left + plot_w * (years - first_year) / (last_year - first_year)

    def y(parameters: int) -> float:
        return top + plot_h - plot_h * (math.log10(parameters) - low) / (high - low)

    for power in range(low, high + 1):
        yy = _n(y(10**power))
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{yy}" y2="{yy}" stroke="currentColor" '
                     f'stroke-opacity="0.15"/>')
        parts.append(f'<text x="{left - 6}" y="{_n(y(10**power) + 4)}" text-anchor="end">{_power_label(power)}</text>')
    for year in range(first_year, last_year + 1):
        xx = _n(x(date(year, 1, 1)))
        parts.append(f'<line x1="{xx}" x2="{xx}" y1="{top}" y2="{top + plot_h}" stroke="currentColor" '
                     f'stroke-opacity="0.1"/>')
        parts.append(f'<text x="{xx}" y="{height - bottom + 16}" text-anchor="middle">{year}</text>')
    group_index = {g: i for i, g in enumerate(groups)}
    for release in sorted(releases, key=lambda r: (r.when, r.label)):
        parts.append(marker(group_index[release.group], x(release.when), y(release.parameters), 4.5,
                            extra=' fill-opacity="0.85"',
                            inner=f"<title>{escape(release.label)} ({escape(release.group)}), "
                                  f"{release.when.isoformat()}, {_params(release.parameters)} parameters</title>"))
    for index, group in enumerate(groups):
        legend_y = top + 14 * index
        parts.append(marker(index, width - right + 17, legend_y - 3, 4.5))
        parts.append(f'<text x="{width - right + 27}" y="{legend_y + 1}">{escape(_clip(group, 22))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _power_label(power: int) -> str:
    for exponent, suffix in ((12, "T"), (9, "B"), (6, "M"), (3, "K")):
        if power >= exponent:
            return f"{10 ** (power - exponent)}{suffix}"
    return str(10**power)


def _params(value: int) -> str:
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= threshold:
            return f"{value / threshold:.1f}".rstrip("0").rstrip(".") + suffix
    return str(value)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
