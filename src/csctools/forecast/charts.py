"""The forecast's charts, drawn with matplotlib through `csctools.plotting` (inline SVG, text as text, no script).

One public function per chart, each taking the `Outcome` of a run and giving an `<svg>` element with an accessible
label that says what the chart shows and its end values:

- `placement_chart`: children in care by placement category, history then forecast (median, 50% and 90% bands);
- `age_band_chart`: the same by age band (all placements);
- `scenario_chart`: each category's median under every scenario, side by side (None with no scenarios);
- `cost_chart`: cost by financial year, a column per scenario, part years marked;
- `forecast_charts`: all of them by name, as the HTML report and the web page's Forecast view use them.

matplotlib is imported only inside these functions (through csctools.plotting).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from csctools.forecast.costs import year_label
from csctools.forecast.run import DEMAND_MODEL, NO_CHILDREN, Outcome
from csctools.forecast.states import AGE_BANDS, CATEGORIES
from csctools.plotting import PALETTE, chart_style, new_figure, svg_markup

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

HISTORY_COLOUR = "#0b0c0c"
FORECAST_COLOUR = PALETTE[0]
SCENARIO_COLOURS = (PALETTE[0], *PALETTE[2:])  # the grey is too close to the history's line
Panel = tuple[str, pl.DataFrame, pl.DataFrame]  # name, history (date, actual), forecast (date, p05..p95)
PANEL_WIDTH, PANEL_HEIGHT = 3.3, 2.0  # inches per small panel


def forecast_charts(outcome: Outcome) -> dict[str, str]:
    """Every chart of the report as inline SVG, by name: placement, age_band, scenarios (only with scenarios),
    cost."""
    charts = {"placement": placement_chart(outcome), "age_band": age_band_chart(outcome)}
    scenarios = scenario_chart(outcome)
    if scenarios is not None:
        charts["scenarios"] = scenarios
    charts["cost"] = cost_chart(outcome)
    return charts


def nice_name(code: str) -> str:
    """'TEN_TO_SIXTEEN' -> 'Ten to sixteen', 'FOSTERING' -> 'Fostering'."""
    return code.replace("_", " ").capitalize()


def placement_chart(outcome: Outcome) -> str:
    """Fan charts by placement category (the first scenario, the base): a panel per category."""
    base = outcome.results[0]
    past = outcome.history.group_by("date", "placement").agg(pl.col("actual").sum())
    panels = [
        (
            category,
            past.filter(pl.col("placement") == category).sort("date"),
            base.totals.filter(pl.col("placement") == category).sort("date"),
        )
        for category in CATEGORIES
    ]
    return _fan_figure(
        outcome, "Children in care by placement category", panels, columns=2, empty=set(outcome.empty_categories)
    )


def age_band_chart(outcome: Outcome) -> str:
    """Fan charts by age band, all placements together: a panel per band."""
    base = outcome.results[0]
    past = outcome.history.group_by("date", "age_band").agg(pl.col("actual").sum())
    panels = [
        (
            band,
            past.filter(pl.col("age_band") == band).sort("date"),
            base.bands.filter(pl.col("age_band") == band).sort("date"),
        )
        for band in AGE_BANDS
    ]
    return _fan_figure(outcome, "Children in care by age band (all placements)", panels, columns=3)


def _fan_figure(outcome: Outcome, title: str, panels: list[Panel], columns: int, empty: set[str] | None = None) -> str:
    """Small fan charts, one per panel; a panel named in `empty` (a category no child of the data was ever in)
    draws no line at all and says so, rather than a flat zero that would read as a forecast."""
    banded = outcome.method != DEMAND_MODEL
    rows = -(-len(panels) // columns)
    empty = empty or set()
    with chart_style():
        figure, grid = _panels(columns, rows, legend_below=len(panels) == rows * columns)
        drawn = []
        for index, (code, past, future) in enumerate(panels):
            axes = grid[index // columns][index % columns]
            if code in empty:
                _nobody(axes, nice_name(code))
            else:
                _fan(axes, nice_name(code), past, future, FORECAST_COLOUR, banded)
                drawn.append(axes)
        spare = [grid[i // columns][i % columns] for i in range(len(panels), rows * columns)]
        for axes in spare:
            axes.set_axis_off()
        handles, labels = (drawn or [grid[0][0]])[0].get_legend_handles_labels()
        if spare:  # the key in the empty panel, beside the charts it explains
            spare[0].legend(handles, labels, loc="center", fontsize=8)
        else:
            figure.legend(handles, labels, loc="lower center", ncols=len(labels))
        figure.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=10)
        return svg_markup(figure, _fan_label(outcome, title, panels, banded, empty))


def _nobody(axes: Axes, name: str) -> None:
    """A panel for a category nobody in the data was in: its name and that sentence, no axes to read."""
    axes.set_title(name)
    axes.set_xticks([])
    axes.set_yticks([])
    for side in axes.spines.values():
        side.set_color("#d0d0d0")
    axes.text(0.5, 0.5, NO_CHILDREN.replace(" in the", "\nin the"), transform=axes.transAxes, ha="center",
              va="center", color="#505a5f", fontsize=8)  # fmt: skip


def _fan(axes: Axes, name: str, past: pl.DataFrame, future: pl.DataFrame, colour: str, banded: bool) -> None:
    """History solid and dark, the forecast median in colour, 50% and 90% bands shaded, a line at the start."""
    days = future["date"].to_list()
    if banded:
        axes.fill_between(days, future["p05"], future["p95"], color=colour, alpha=0.16, linewidth=0, label="90% band")
        axes.fill_between(days, future["p25"], future["p75"], color=colour, alpha=0.34, linewidth=0, label="50% band")
    axes.plot(past["date"].to_list(), past["actual"], color=HISTORY_COLOUR, linewidth=1.3, label="History")
    axes.plot(days, future["p50"], color=colour, linewidth=1.8, label="Forecast (median)" if banded else "Forecast")
    if days:
        axes.axvline(days[0], color="#b1b4b6", linewidth=0.8, linestyle=(0, (3, 2)))
    axes.set_title(name)
    _count_axis(axes, max([*past["actual"], *future["p95"]], default=0))
    _date_axis(axes, min([*past["date"], *days]), max([*past["date"], *days]))


def _count_axis(axes: Axes, highest: float) -> None:
    """Children from 0, whole numbers; a panel with nobody in it says so rather than showing fractions."""
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=True))
    axes.set_ylim(0, None if highest > 0 else 1)
    if highest == 0:
        axes.text(0.5, 0.5, "no children", transform=axes.transAxes, ha="center", va="center", color="#505a5f")
    _grid(axes)


def _panels(columns: int, rows: int, legend_below: bool = True) -> tuple[Figure, Any]:
    """A figure of small panels (a grid of axes) with fixed margins in inches, a title above and room for a legend
    below: much quicker to draw than a constrained layout, which measures every tick label several times."""
    below = 0.62 if legend_below else 0.35
    width, height = PANEL_WIDTH * columns, PANEL_HEIGHT * rows + below - 0.07
    figure = new_figure(width, height)
    figure.set_layout_engine("none")
    margins = {"left": 0.42 / width, "right": 1 - 0.12 / width, "top": 1 - 0.5 / height, "bottom": below / height}
    grid = figure.subplots(rows, columns, squeeze=False, gridspec_kw={**margins, "wspace": 0.28, "hspace": 0.5})
    return figure, grid


def _date_axis(axes: Axes, first: date, last: date) -> None:
    """Ticks on 1 April (financial years; and 1 October too over a short span), labelled 'Apr 2027'."""
    months = (4,) if (last - first).days > 730 else (4, 10)
    ticks = [
        date(year, month, 1)
        for year in range(first.year, last.year + 1)
        for month in months
        if first <= date(year, month, 1) <= last
    ]
    if len(ticks) < 2:
        ticks = [first, last]
    axes.set_xticks(ticks, [f"{day:%b %Y}" for day in ticks])  # type: ignore[arg-type]


def _grid(axes: Axes) -> None:
    axes.grid(axis="y", color="#e4e4e4", linewidth=0.6)
    axes.set_axisbelow(True)


def _fan_label(outcome: Outcome, title: str, panels: list[Panel], banded: bool, empty: set[str]) -> str:
    """What a screen reader says: the chart, its dates and each panel's forecast at the end."""
    start = str(outcome.history["date"].min())
    ends: list[date] = [future["date"].max() for _, _, future in panels if future.height]  # type: ignore[misc]
    end = str(max(ends, default=outcome.last_step))
    parts = []
    for code, _, future in panels:
        name = nice_name(code)
        if code in empty:
            parts.append(f"{name}: {NO_CHILDREN}")
        elif future.height:
            last = future.row(future.height - 1, named=True)
            band = f" (90% band {last['p05']:,.0f} to {last['p95']:,.0f})" if banded else ""
            parts.append(f"{name} {last['p50']:,.0f}{band}")
    shape = "median with 50% and 90% bands" if banded else "forecast line"
    return f"{title}: history from {start}, then the {shape} to {end}. At the end: {'; '.join(parts)}."


def scenario_chart(outcome: Outcome) -> str | None:
    """Each category's median under every scenario, a panel per category; None when only the base was run."""
    if len(outcome.results) < 2:
        return None
    columns = 2
    rows = -(-len(CATEGORIES) // columns)
    with chart_style():
        figure, grid = _panels(columns, rows)
        for index, category in enumerate(CATEGORIES):
            axes = grid[index // columns][index % columns]
            if category in outcome.empty_categories:
                _nobody(axes, nice_name(category))
                continue
            highest = 0.0
            for number, result in enumerate(outcome.results):
                series = result.totals.filter(pl.col("placement") == category).sort("date")
                style = "-" if number == 0 else (0, (4 + number, 2))
                colour = SCENARIO_COLOURS[number % len(SCENARIO_COLOURS)]
                axes.plot(
                    series["date"].to_list(), series["p50"], linestyle=style, color=colour, label=result.scenario.name
                )
                highest = max(highest, *series["p50"].to_list())
            axes.set_title(nice_name(category))
            _count_axis(axes, highest)
            _date_axis(axes, series["date"].min(), series["date"].max())  # type: ignore[arg-type]
        handles, labels = grid[0][0].get_legend_handles_labels()  # fostering: a category with children
        figure.legend(handles, labels, loc="lower center", ncols=min(len(labels), 4))
        title = "Scenarios side by side: children in care (median)"
        figure.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=10)
        last = outcome.results[0].totals["date"].max()
        ends = [
            f"{r.scenario.name}: "
            + ", ".join(
                f"{nice_name(str(c))} {v:,.0f}"
                for c, v in r.totals.filter(pl.col("date") == last).select("placement", "p50").iter_rows()
                if c not in outcome.empty_categories
            )
            for r in outcome.results
        ]
        label = f"Scenarios side by side, children in care by placement (median) to {last!s}. At the end: "
        return svg_markup(figure, label + "; ".join(ends) + ".")


def cost_chart(outcome: Outcome) -> str:
    """Cost by financial year, a column per scenario; a part year is hatched and named as such."""
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    spans = outcome.results[0].by_year.group_by("year").agg(pl.col("first_day").min(), pl.col("last_day").max())
    years = spans.sort("year").rows()
    partial = [year_label(year, a, b) != year for year, a, b in years]
    names = [
        f"{year}\n(part: {(b - a).days + 1} day{'s' if b > a else ''})" if part else year
        for (year, a, b), part in zip(years, partial, strict=True)
    ]
    width = 0.8 / len(outcome.results)
    with chart_style():
        figure = new_figure(6.6, 3.0)
        axes = figure.subplots()
        described, handles = [], []
        for number, result in enumerate(outcome.results):
            colour = SCENARIO_COLOURS[number % len(SCENARIO_COLOURS)]
            totals = dict(result.by_year.group_by("year").agg(pl.col("cost").sum()).iter_rows())
            values = [float(totals.get(year, 0.0)) for year, _, _ in years]
            positions = [i + (number - (len(outcome.results) - 1) / 2) * width for i in range(len(years))]
            bars = axes.bar(positions, values, width * 0.95, color=colour)
            for bar, part in zip(bars, partial, strict=True):
                if part:
                    bar.set_hatch("////")
                    bar.set_edgecolor("white")
            axes.bar_label(bars, [f"£{_money(v)}" for v in values], fontsize=6.5, padding=1.5, color="#0b0c0c")
            handles.append(Patch(color=colour, label=result.scenario.name))
            described.append(
                f"{result.scenario.name}: "
                + ", ".join(f"{year} £{_money(v)}" for (year, _, _), v in zip(years, values, strict=True))
            )
        axes.set_xticks(range(len(years)), names)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"£{_money(value, axis=True)}"))
        axes.margins(y=0.12)
        _grid(axes)
        axes.set_title("Cost by financial year" + (" (hatched: part of a year)" if any(partial) else ""))
        if len(outcome.results) > 1:
            figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4))
        part_years = [year for (year, _, _), part in zip(years, partial, strict=True) if part]
        note = f" Part years: {', '.join(part_years)}." if part_years else ""
        return svg_markup(figure, f"Cost by financial year. {'; '.join(described)}.{note}")


def _money(value: float, axis: bool = False) -> str:
    """£ amounts short: 950, 12k, 3.4m (on an axis: 5m, 2.5m, no needless decimals)."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}m" if axis else f"{value / 1e6:,.1f}m"
    if abs(value) >= 1e3:
        return f"{value / 1e3:g}k" if axis else f"{value / 1e3:,.0f}k"
    return f"{value:,.0f}"


__all__ = ["age_band_chart", "cost_chart", "forecast_charts", "placement_chart", "scenario_chart"]
