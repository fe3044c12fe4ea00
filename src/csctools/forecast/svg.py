"""Small self-contained SVG charts: a fan chart (history, median, 50% and 90% bands) and grouped columns."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 28, 34
COLOURS = ("#1f5fa6", "#b3541e", "#2e7d32", "#6a3d9a", "#8c6d1f")


def _nice_max(value: float) -> float:
    """The top of an axis with four round steps (1, 2, 2.5 or 5 times a power of ten) holding `value`."""
    if value <= 0:
        return 4.0
    rough = value / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    return float(4 * step)


def _ticks(maximum: float) -> list[float]:
    return [maximum * i / 4 for i in range(5)]


def _fmt(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:g}m"
    if value >= 1e4:
        return f"{value / 1e3:g}k"
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


class _Frame:
    def __init__(self, first: date, last: date, top: float) -> None:
        self.first, self.span, self.top = first, max((last - first).days, 1), top

    def x(self, day: date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - self.first).days / self.span

    def y(self, value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / self.top)


def _axes(frame: _Frame, title: str, first: date, last: date) -> list[str]:
    parts = [f'<text x="{LEFT}" y="16" class="t">{escape(title)}</text>']
    for tick in _ticks(frame.top):
        y = frame.y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="g"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" class="a">{_fmt(tick)}</text>')
    for year in range(first.year, last.year + 1):
        for month in (4,):  # financial years start in April
            day = date(year, month, 1)
            if first <= day <= last:
                x = frame.x(day)
                parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" class="g"/>')
                parts.append(
                    f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" class="a">Apr {year}</text>'
                )
    return parts


def _path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def fan_chart(
    title: str,
    history: Sequence[tuple[date, float]],
    forecast: Sequence[tuple[date, float, float, float, float, float]],  # date, p05, p25, p50, p75, p95
    colour: str = COLOURS[0],
) -> str:
    """History as a solid line, the forecast median dashed, 50% and 90% bands shaded."""
    days = [d for d, _ in history] + [row[0] for row in forecast]
    values = [v for _, v in history] + [row[5] for row in forecast]
    first, last = min(days), max(days)
    frame = _Frame(first, last, _nice_max(max(values, default=1.0)))
    parts = _axes(frame, title, first, last)
    for low, high, opacity in ((1, 5, 0.18), (2, 4, 0.35)):
        upper = [(frame.x(r[0]), frame.y(float(r[high]))) for r in forecast]  # type: ignore[arg-type]
        lower = [(frame.x(r[0]), frame.y(float(r[low]))) for r in reversed(forecast)]  # type: ignore[arg-type]
        parts.append(f'<polygon points="{_path(upper + lower)}" fill="{colour}" fill-opacity="{opacity}"/>')
    if history:
        parts.append(
            f'<polyline points="{_path([(frame.x(d), frame.y(v)) for d, v in history])}" fill="none" '
            f'stroke="#333" stroke-width="1.5"/>'
        )
    median = [(frame.x(r[0]), frame.y(r[3])) for r in forecast]
    parts.append(
        f'<polyline points="{_path(median)}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="5 3"/>'
    )
    label = f"{escape(title)}: history, then forecast median with 50% and 90% bands"
    return _svg(parts, label)


def lines_chart(title: str, series: Sequence[tuple[str, Sequence[tuple[date, float]]]]) -> str:
    """Several named lines over dates (scenarios side by side), with a legend."""
    points = [p for _, s in series for p in s]
    first, last = min(d for d, _ in points), max(d for d, _ in points)
    frame = _Frame(first, last, _nice_max(max(v for _, v in points)))
    parts = _axes(frame, title, first, last)
    for index, (name, values) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        dash = "" if index == 0 else ' stroke-dasharray="6 3"'
        parts.append(
            f'<polyline points="{_path([(frame.x(d), frame.y(v)) for d, v in values])}" fill="none" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        parts.append(
            f'<text x="{LEFT + 8 + 150 * index}" y="{TOP + 12}" fill="{colour}" class="a">{escape(name)}</text>'
        )
    return _svg(parts, escape(title))


def columns_chart(title: str, groups: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> str:
    """Grouped columns (e.g. cost per financial year, one column per scenario)."""
    top = _nice_max(max((v for _, values in series for v in values), default=1.0))
    parts = [f'<text x="{LEFT}" y="16" class="t">{escape(title)}</text>']
    plot_height = HEIGHT - TOP - BOTTOM
    for tick in _ticks(top):
        y = TOP + plot_height * (1 - tick / top)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="g"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" class="a">{_fmt(tick)}</text>')
    slot = (WIDTH - LEFT - RIGHT) / max(len(groups), 1)
    bar = slot * 0.8 / max(len(series), 1)
    for g, group in enumerate(groups):
        centre = LEFT + slot * (g + 0.5)
        parts.append(
            f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" class="a">{escape(group)}</text>'
        )
        for s, (_, values) in enumerate(series):
            height = plot_height * values[g] / top
            x = LEFT + slot * g + slot * 0.1 + bar * s
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_height - height:.1f}" width="{bar * 0.95:.1f}" '
                f'height="{height:.1f}" fill="{COLOURS[s % len(COLOURS)]}"/>'
            )
    for s, (name, _) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        parts.append(f'<text x="{LEFT + 8 + 150 * s}" y="{TOP + 12}" fill="{colour}" class="a">{escape(name)}</text>')
    return _svg(parts, escape(title))


def _svg(parts: list[str], label: str) -> str:
    body = "".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">'
        f"{body}</svg>"
    )
