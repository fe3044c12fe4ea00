"""Indicator charts drawn with matplotlib through `csctools.plotting`: inline SVG for the dashboard, PNG for Word.

Public entry points (the web page's Indicators view calls these):
- `indicator_chart(run, indicator_id, fmt="svg")`: one indicator's trend chart (the authority, England, the region
  and the neighbours over LAIT's years, with this period's own figure); "" / b"" when there is nothing to draw.
- `trend_svg` / `trend_png` (rows as `chart_series` gives them), `funnel_svg` / `funnel_png`.
- `draw_many(jobs)`: many charts in one style set-up.

Axes need not start at zero: they span the values shown. matplotlib is imported only inside these functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeVar

from csctools.indicators.benchmark import Row
from csctools.plotting import PALETTE

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from csctools.indicators.run import Run
    from csctools.indicators.worker import Spare

WIDTH, HEIGHT = 3.4, 1.9  # inches: one card of the dashboard
AUTHORITY, ENGLAND, REGION, NEIGHBOURS = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3]
OTHERS = "#9aa5ad"
T = TypeVar("T")


def year_label(row: Row) -> str:
    """'2024/25' for the collection year ending in 2025; own (not LAIT) figures are starred."""
    end = row.period_end
    label = f"{end.year - 1}/{end.year % 100:02d}" if (end.month, end.day) == (3, 31) else f"to {end:%m/%y}"
    return label + ("" if row.source == "LAIT" else "*")


def _series(rows: Sequence[Row], la_name: str) -> list[tuple[str, list[float | None], str, float]]:
    series: list[tuple[str, list[float | None], str, float]] = [
        (la_name, [r.value for r in rows], AUTHORITY, 2.0),
        ("England", [r.england for r in rows], ENGLAND, 1.1),
        ("Region", [r.region for r in rows], REGION, 1.1),
        ("Neighbours", [r.sn_average for r in rows], NEIGHBOURS, 1.1),
    ]
    if rows and rows[0].unit == "count":  # England's and the region's totals would flatten the authority's line
        series = [series[0], series[3]]
    return series


def drawable(rows: Sequence[Row]) -> bool:
    """A trend chart says something: at least two years hold a figure."""
    return sum(1 for r in rows if r.value is not None or r.england is not None) >= 2


def draw_trend(axes: Axes, rows: Sequence[Row], la_name: str, title: str = "", legend: bool = True) -> None:
    """The trend on `axes`: LAIT's years as joined dots, the authority's own figures as hollow squares joined by a
    dashed line."""
    positions = list(range(len(rows)))
    published = [r.source == "LAIT" for r in rows]
    for name, values, colour, width in _series(rows, la_name):
        lait_points = [(x, v) for x, v, p in zip(positions, values, published, strict=True) if p and v is not None]
        own = [(x, v) for x, v, p in zip(positions, values, published, strict=True) if not p and v is not None]
        if not lait_points and not own:
            continue
        if lait_points:
            xs, ys = zip(*lait_points, strict=True)
            axes.plot(xs, ys, color=colour, linewidth=width, marker="o", markersize=2.5, label=name)
        if own:
            joined = ([lait_points[-1]] if lait_points else []) + own
            xs, ys = zip(*joined, strict=True)
            axes.plot(xs, ys, color=colour, linewidth=1.0, linestyle=(0, (3, 2)))
            axes.plot(
                [x for x, _ in own],
                [v for _, v in own],
                linestyle="none",
                marker="s",
                markersize=5,
                markerfacecolor="white",
                markeredgecolor=colour,
                markeredgewidth=1.4,
                label=None if lait_points else name,
            )
    every = 1 if len(rows) <= 7 else 2
    ticks = [x for x in positions if (len(rows) - 1 - x) % every == 0]
    axes.set_xticks(ticks, [year_label(rows[x]) for x in ticks], fontsize=6.5)
    axes.set_xlim(-0.4, len(rows) - 0.6)
    axes.margins(y=0.12)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    _thousands(axes)
    if title:
        axes.set_title(title, fontsize=7.5, loc="left")
    if legend:
        axes.legend(
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncol=4,
            fontsize=6.5,
            handlelength=1.4,
            columnspacing=0.9,
            borderaxespad=0.1,
        )


def _thousands(axes: Axes) -> None:
    from matplotlib.ticker import FuncFormatter

    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"))


def fixed_figure(width: float, height: float, left: float, bottom: float, top: float) -> Figure:
    """A `new_figure` with fixed margins (inches) instead of the constrained layout, which measures every label
    first (a third of a chart's time); these charts' margins are known."""
    from csctools.plotting import new_figure

    figure = new_figure(width, height, layout=None)
    figure.subplots_adjust(left=left / width, right=1 - 0.22 / width, bottom=bottom / height, top=1 - top / height)
    return figure


def trend_figure(rows: Sequence[Row], la_name: str) -> Figure | None:
    if not rows or not drawable(rows):
        return None
    figure = fixed_figure(WIDTH, HEIGHT, left=0.45, bottom=0.28, top=0.3)
    draw_trend(figure.subplots(), rows, la_name)
    return figure


def trend_svg(rows: Sequence[Row], la_name: str, key: str) -> str:
    """One indicator's trend as inline SVG ("" when fewer than two years hold a figure)."""
    from csctools.plotting import chart_style, svg_markup

    with chart_style():
        figure = trend_figure(rows, la_name)
        if figure is None:
            return ""
        return _card(svg_markup(figure, f"{key}: {la_name}, England, region and neighbours over time"))


def _card(svg: str) -> str:
    """The dashboard's chart class (full card width, height kept in proportion)."""
    return svg.replace("<svg ", '<svg class="chart" ', 1)


def trend_png(rows: Sequence[Row], la_name: str) -> bytes:
    from csctools.plotting import chart_style, png_bytes

    with chart_style():
        figure = trend_figure(rows, la_name)
        return b"" if figure is None else png_bytes(figure)


def topic_png(panels: Sequence[tuple[str, Sequence[Row]]], la_name: str, columns: int = 2) -> bytes:
    """Small multiples for Word: one panel per indicator (title, rows), `columns` across, one legend."""
    from csctools.plotting import chart_style, png_bytes

    panels = [(title, rows) for title, rows in panels if rows and drawable(rows)]
    if not panels:
        return b""
    lines = math.ceil(len(panels) / columns)
    line_height, gap, top, bottom = 1.75, 0.62, 0.62, 0.3  # inches: each panel's line, and its title above
    height = top + bottom + lines * line_height
    panel = (height - top - bottom - (lines - 1) * gap) / lines
    with chart_style():
        figure = fixed_figure(6.3, height, left=0.45, bottom=bottom, top=top)
        figure.subplots_adjust(hspace=gap / panel, wspace=0.22)
        grid = figure.subplots(lines, columns, squeeze=False)
        for index, axes in enumerate(grid.flat):
            if index >= len(panels):
                axes.set_visible(False)
                continue
            title, rows = panels[index]
            draw_trend(axes, rows, la_name, _wrapped(title), legend=False)
        figure.legend(handles=_legend_keys(la_name), loc="upper left", ncol=5, fontsize=7, bbox_to_anchor=(0, 1))
        return png_bytes(figure)


def _legend_keys(la_name: str) -> list[Line2D]:
    """The key of every series, whichever a panel draws (counts leave out England and the region)."""
    from matplotlib.lines import Line2D

    keys = [
        Line2D([], [], color=colour, linewidth=width, marker="o", markersize=2.5, label=name)
        for name, _, colour, width in _series([], la_name)
    ]
    own = Line2D(
        [],
        [],
        color=AUTHORITY,
        linestyle=(0, (3, 2)),
        marker="s",
        markersize=5,
        markerfacecolor="white",
        markeredgewidth=1.4,
        label="own figure (*)",
    )
    return [*keys, own]


def _wrapped(title: str, width: int = 42) -> str:
    words, lines, line = title.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line][:2])


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


def funnel_figure(points: Sequence[FunnelPoint], england: float, la_name: str) -> Figure | None:
    if not points:
        return None
    figure = fixed_figure(WIDTH, HEIGHT + 0.3, left=0.45, bottom=0.42, top=0.42)
    axes = figure.subplots()
    top = max(p.denominator for p in points) * 1.05
    low_n = max(1.0, min(p.denominator for p in points) * 0.5)
    steps = [low_n + (top - low_n) * i / 80 for i in range(81)]
    axes.axhline(england, color=ENGLAND, linewidth=1.0, label="England")
    for z, style, name in ((1.96, (0, (4, 2)), "95% limits"), (3.09, (0, (1, 1.5)), "99.8% limits")):
        pairs = [funnel_limits(england, n, z) for n in steps]
        axes.plot(steps, [a for a, _ in pairs], color=ENGLAND, linewidth=0.8, linestyle=style, label=name)
        axes.plot(steps, [b for _, b in pairs], color=ENGLAND, linewidth=0.8, linestyle=style)
    others = [p for p in points if not p.own]
    own = [p for p in points if p.own]
    axes.scatter(
        [p.denominator for p in others],
        [p.percent for p in others],
        s=6,
        color=OTHERS,
        alpha=0.8,
        label="authorities (LAIT)",
        linewidths=0,
    )
    axes.scatter(
        [p.denominator for p in own],
        [p.percent for p in own],
        s=30,
        color=AUTHORITY,
        zorder=3,
        label=f"{la_name} (this period)",
    )
    spread = [p.percent for p in points]
    outer = funnel_limits(england, steps[len(steps) // 8], 3.09)
    axes.set_ylim(min(min(spread), outer[0]) - 1, max(max(spread), outer[1]) + 1)
    axes.set_xlim(0, top)
    axes.set_xlabel("children (denominator)", fontsize=7)
    axes.set_ylabel("%", fontsize=7)
    axes.grid(axis="y", color="#eeeeee", linewidth=0.6)
    _thousands(axes)
    axes.xaxis.set_major_formatter(axes.yaxis.get_major_formatter())
    axes.legend(
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncol=3,
        fontsize=6,
        handlelength=1.6,
        columnspacing=0.8,
        borderaxespad=0.1,
    )
    return figure


def funnel_svg(points: Sequence[FunnelPoint], england: float, la_name: str, key: str) -> str:
    """Every authority's percentage against its denominator, with England's 95% and 99.8% limits."""
    from csctools.plotting import chart_style, svg_markup

    with chart_style():
        figure = funnel_figure(points, england, la_name)
        return "" if figure is None else _card(svg_markup(figure, f"{key}: funnel plot of authorities against England"))


def funnel_png(points: Sequence[FunnelPoint], england: float, la_name: str) -> bytes:
    from csctools.plotting import chart_style, png_bytes

    with chart_style():
        figure = funnel_figure(points, england, la_name)
        return b"" if figure is None else png_bytes(figure)


def indicator_chart(run: Run, indicator_id: str, fmt: Literal["svg", "png"] = "svg") -> str | bytes:
    """One indicator's trend chart from a run: SVG markup or PNG bytes; empty when nothing can be drawn."""
    from csctools.indicators.export import chart_series, series_of

    rows = chart_series(series_of(run, indicator_id))
    return trend_svg(rows, run.la_name, indicator_id) if fmt == "svg" else trend_png(rows, run.la_name)


PARALLEL_JOBS = 24  # fewer charts than this are drawn here: a worker's start (about 1 s) would cost more
WORKER_SHARE = 0.4  # of the jobs, for the worker: it starts later (it imports Python, polars and matplotlib)
SPARE_SHARE = 0.5  # of the jobs, for a spare worker: started earlier, it is as ready as this process
SPARE_FROM_CORES = 3  # a spare worker only where the reading leaves a core free (see get_ready)


def _import_matplotlib() -> None:
    """matplotlib's modules the charts use (its font list is read on import); only imports, so that a thread can
    run it beside charts being drawn (drawing sets the style in matplotlib's shared settings)."""
    import matplotlib.backends.backend_agg
    import matplotlib.backends.backend_svg
    import matplotlib.figure
    import matplotlib.font_manager
    import matplotlib.lines
    import matplotlib.ticker  # noqa: F401


def warm_up() -> None:
    """What the first chart of a process pays for: matplotlib's imports, its fonts, the SVG and PNG writers (a
    spare worker runs this before its call comes)."""
    from io import BytesIO, StringIO

    from csctools.plotting import chart_style, new_figure

    with chart_style():
        figure = new_figure(1, 1, layout=None)
        figure.subplots().plot([0, 1], [0, 1], label="warm")
        figure.savefig(StringIO(), format="svg")
        figure.savefig(BytesIO(), format="png", dpi=10)


def get_ready() -> Spare | None:
    """A spare worker for `draw_many` and matplotlib imported here, both in the background, where the machine has
    a core to spare while the returns are read (SPARE_FROM_CORES); call it as soon as charts are known to be wanted.
    On two cores the reading takes both: the spare cost ~1 s CPU more and gave no time back (`csc indicators -o
    report.html` at 50,000 children, 4 rounds in turns: 12.4 against 11.7 s CPU, 7.4 against 7.1 s wall), so there
    `draw_many` starts its worker when the charts are drawn."""
    import os
    import threading

    from csctools.indicators.worker import Spare

    if (os.cpu_count() or 1) < SPARE_FROM_CORES:
        return None
    threading.Thread(target=_import_matplotlib, daemon=True).start()
    return Spare(f"{__name__}:warm_up")


def _draw_here(jobs: Sequence[Callable[[], T]]) -> list[T]:
    from csctools.plotting import chart_style

    with chart_style():
        return [job() for job in jobs]


def draw_many(
    jobs: Sequence[Callable[[], T]], parallel_jobs: int = PARALLEL_JOBS, spare: Spare | None = None
) -> list[T]:
    """Run chart-drawing jobs (picklable: `functools.partial` of this module's functions), results in order.

    matplotlib's drawing is Python holding the GIL (two threads were measured slower than one), so from
    `parallel_jobs` jobs on, where the machine has a second core, a worker process draws the last part while
    this process draws the first; the same style set-up in both gives the same bytes (and if the worker fails,
    this process draws its part too). A `spare` (`get_ready`), already warm, takes half of any two jobs or more."""
    import os

    from csctools.indicators.worker import Worker

    if spare is not None and spare.process is not None and len(jobs) >= 2:
        split = len(jobs) - int(len(jobs) * SPARE_SHARE)
        theirs = spare.call(_draw_here, list(jobs[split:]))
        return _draw_here(jobs[:split]) + theirs.result()
    if len(jobs) < parallel_jobs or (os.cpu_count() or 1) < 2:
        return _draw_here(jobs)
    split = len(jobs) - int(len(jobs) * WORKER_SHARE)
    worker = Worker(_draw_here, list(jobs[split:]))
    return _draw_here(jobs[:split]) + worker.result()
