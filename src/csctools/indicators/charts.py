"""Trend charts as small inline SVG, written directly.

DESIGN.md names matplotlib for charts; it was measured here at 0.2-1.3 s a chart (63 charts: 14 s to 80 s for
one dashboard on the shared 2-core machine), against well under a millisecond for these few lines of SVG, so the
dashboard draws its own line charts (nothing fetched, no script, no ids to collide between charts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import NamedTuple

from csctools.indicators.benchmark import Row

WIDTH, HEIGHT = 340, 190
LEFT, RIGHT, TOP, BOTTOM = 46, 18, 26, 22
COLOURS = {"authority": "#1d4f91", "England": "#505a5f", "region": "#b35900", "neighbours": "#2e7d32"}


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering low..high (steps of 1, 2 or 5 times a power of ten)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = [round(first, 10)]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks if len(ticks) > 1 else [*ticks, round(ticks[0] + step, 10)]


def _label(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}"


def trend_svg(rows: Sequence[Row], la_name: str, key: str) -> str:
    """The authority, England, region and neighbours over the years; the axis need not start at zero. Points that
    are the authority's own (not LAIT's) are hollow squares joined by a dashed line."""
    series = [
        (la_name, [r.value for r in rows], COLOURS["authority"], 2.2),
        ("England", [r.england for r in rows], COLOURS["England"], 1.2),
        ("Region", [r.region for r in rows], COLOURS["region"], 1.2),
        ("Neighbours", [r.sn_average for r in rows], COLOURS["neighbours"], 1.2),
    ]
    if rows and rows[0].unit == "count":  # England's and the region's totals would flatten the authority's line
        series = [series[0], series[3]]
    values = [v for _, vs, _, _ in series for v in vs if v is not None]
    if not values or not rows:
        return ""
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(rows) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(rows) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - low) / (high - low))

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" aria-label="{escape(key)} over time">',
        f"<title>{escape(key)}: {escape(la_name)}, England, region and neighbours</title>",
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#dddddd" stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="{LEFT - 4}" y="{y(tick) + 3:.1f}" text-anchor="end" font-size="9">{_label(tick)}</text>'
        )
    every = 1 if len(rows) <= 7 else 2
    for i, row in enumerate(rows):
        if (len(rows) - 1 - i) % every == 0:
            label = f"{row.period_end.year}{'' if row.source == 'LAIT' else '*'}"
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 6}" text-anchor="middle" font-size="9">{label}</text>')
    published = [r.source == "LAIT" for r in rows]
    legend_x = LEFT
    for name, vs, colour, width in series:
        points = [(x(i), y(v), p) for i, (v, p) in enumerate(zip(vs, published, strict=True)) if v is not None]
        if not points:
            continue
        lait_points = [(px, py) for px, py, p in points if p]
        own = [(px, py) for px, py, p in points if not p]
        if len(lait_points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in lait_points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{width}"/>')
        parts.extend(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2" fill="{colour}"/>' for px, py in lait_points)
        if own:
            joined = ([lait_points[-1]] if lait_points else []) + own
            if len(joined) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in joined)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1" stroke-dasharray="3 2"/>'
                )
            parts.extend(
                f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6" fill="white" '
                f'stroke="{colour}" stroke-width="1.5"/>'
                for px, py in own
            )
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 12}" y1="10" y2="10" stroke="{colour}" stroke-width="{width}"/>'
        )
        parts.append(f'<text x="{legend_x + 15}" y="13" font-size="9">{escape(name)}</text>')
        legend_x += 20 + 6 * len(name)
    parts.append("</svg>")
    return "".join(parts)


class FunnelPoint(NamedTuple):
    denominator: float
    percent: float
    own: bool


def funnel_limits(england: float, denominator: float, z: float) -> tuple[float, float]:
    """England's proportion (0-100) plus and minus z standard errors at this denominator (normal approximation,
    clipped to 0-100)."""
    p = england / 100
    half = z * math.sqrt(p * (1 - p) / denominator) * 100
    return max(0.0, england - half), min(100.0, england + half)


def funnel_svg(points: Sequence[FunnelPoint], england: float, la_name: str, key: str) -> str:
    """Every authority's percentage against its denominator, with England's 95% and 99.8% limits."""
    if not points:
        return ""
    top_n = max(p.denominator for p in points) * 1.05
    steps = [top_n * i / 60 for i in range(1, 61)]
    limits = {z: [funnel_limits(england, n, z) for n in steps] for z in (1.96, 3.09)}
    ys = [p.percent for p in points] + [v for z in limits for pair in limits[z][4:] for v in pair]
    ticks = nice_ticks(min(ys), max(ys))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(n: float) -> float:
        return LEFT + plot_w * n / top_n

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (min(max(v, low), high) - low) / (high - low))

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" aria-label="{escape(key)} funnel plot">',
        f"<title>{escape(key)}: authorities against England's control limits</title>",
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#eeeeee" stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="{LEFT - 4}" y="{y(tick) + 3:.1f}" text-anchor="end" font-size="9">{_label(tick)}</text>'
        )
    for n in nice_ticks(0, top_n)[:-1]:
        parts.append(f'<text x="{x(n):.1f}" y="{HEIGHT - 6}" text-anchor="middle" font-size="9">{_label(n)}</text>')
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(england):.1f}" y2="{y(england):.1f}" '
        f'stroke="{COLOURS["England"]}" stroke-width="1"/>'
    )
    for z, dash in ((1.96, "4 2"), (3.09, "1 2")):
        for side in (0, 1):
            path = " ".join(f"{x(n):.1f},{y(pair[side]):.1f}" for n, pair in zip(steps, limits[z], strict=True))
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{COLOURS["England"]}" stroke-width="0.8" '
                f'stroke-dasharray="{dash}"/>'
            )
    for point in sorted(points, key=lambda p: p.own):
        colour = COLOURS["authority"] if point.own else "#9aa5ad"
        radius = 4 if point.own else 2
        parts.append(
            f'<circle cx="{x(point.denominator):.1f}" cy="{y(point.percent):.1f}" r="{radius}" '
            f'fill="{colour}" fill-opacity="{1 if point.own else 0.7}"/>'
        )
    parts.append(
        f'<circle cx="{LEFT + 4}" cy="10" r="4" fill="{COLOURS["authority"]}"/>'
        f'<text x="{LEFT + 11}" y="13" font-size="9">{escape(la_name)} (this period)</text>'
        f'<circle cx="{LEFT + 150}" cy="10" r="2" fill="#9aa5ad"/>'
        f'<text x="{LEFT + 156}" y="13" font-size="9">authorities (LAIT)</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
