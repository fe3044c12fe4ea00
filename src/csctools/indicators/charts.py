"""Trend charts as inline SVG (matplotlib's SVG backend, imported only when a chart is drawn)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from csctools.indicators.benchmark import Row

COLOURS = {"authority": "#1d4f91", "England": "#505a5f", "region": "#b35900", "neighbours": "#2e7d32"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "svg.fonttype": "none",  # text stays text: the page's own font, nothing fetched
        "font.family": "sans-serif",
        "font.size": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    return plt


def trend_svg(rows: Sequence[Row], la_name: str, key: str) -> str:
    """The authority, England, region and neighbours over the years (the axis need not start at zero)."""
    plt = _pyplot()
    plt.rcParams["svg.hashsalt"] = key  # ids unique to this chart, as several share one page
    labels = [str(r.period_end.year) if r.source == "LAIT" else f"{r.period_end.year}*" for r in rows]
    xs = list(range(len(rows)))
    figure, axes = plt.subplots(figsize=(3.4, 1.9), dpi=100)
    series = [
        (la_name, [r.value for r in rows], COLOURS["authority"], 2.2),
        ("England", [r.england for r in rows], COLOURS["England"], 1.2),
        ("Region", [r.region for r in rows], COLOURS["region"], 1.2),
        ("Neighbours", [r.sn_average for r in rows], COLOURS["neighbours"], 1.2),
    ]
    if rows and rows[0].unit == "count":  # England's and the region's totals would flatten the authority's line
        series = [series[0], series[3]]
    published = [r.source == "LAIT" for r in rows]
    for name, values, colour, width in series:
        points = [(x, v, p) for x, v, p in zip(xs, values, published, strict=True) if v is not None]
        lait_points = [(x, v) for x, v, p in points if p]
        if lait_points:
            axes.plot([p[0] for p in lait_points], [p[1] for p in lait_points], color=colour, linewidth=width,
                      marker="o", markersize=2.5, label=name)
        own = [(x, v) for x, v, p in points if not p]
        if own:  # the authority's own figures: hollow squares, joined to LAIT's last year by a dashed line
            joined = ([lait_points[-1]] if lait_points else []) + own
            axes.plot([p[0] for p in joined], [p[1] for p in joined], color=colour, linewidth=1, linestyle="--")
            axes.plot([p[0] for p in own], [p[1] for p in own], color=colour, linestyle="none", marker="s",
                      markersize=4, markerfacecolor="white", label=None if lait_points else name)
    axes.set_xticks(xs, labels, rotation=0)
    if len(xs) > 6:
        for i, tick in enumerate(axes.xaxis.get_major_ticks()):
            tick.label1.set_visible(i % 2 == (len(xs) - 1) % 2)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.legend(fontsize=6, frameon=False, ncol=4, loc="upper center", bbox_to_anchor=(0.5, 1.22))
    figure.tight_layout(pad=0.4)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 role="img" class="chart"', svg, count=1)
    return re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
