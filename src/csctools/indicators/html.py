"""The dashboard: one self-contained HTML page (inline SVG charts, inline style; nothing fetched), printable on A4.

Child identifiers never appear on it: the drill-down lists are in the XLSX only, for use inside the authority.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from csctools.indicators.benchmark import Row
from csctools.indicators.charts import FunnelPoint, draw_many, drawable, funnel_svg, trend_svg
from csctools.indicators.export import chart_series, formatted, series_of, this_year
from csctools.indicators.run import Run
from csctools.indicators.worker import Spare

# Percentages whose numerator and denominator LAIT publishes as counts: each authority can be placed on a funnel.
FUNNELS = {
    "LACStable_2016on": ("LACStableNum_2016on", "LACnum"),
    "Unacc_Asylmn_Seek_Childn%": ("Unacc_Asylmn_Seek_Childn", "LACnum"),
    "%_of LAC Adopted": ("No_of LAC Adopted", "LACceased"),
    "LAC_ceased_SGO%": ("LAC_ceased_SGO", "LACceased"),
    "CareLeaverEET": ("CareLeaverEETNum", "NoCareLeavers"),
}
HEADLINES = (
    "LACnum",
    "LAC",
    "LACnum_Start",
    "CIN",
    "CPP_rate",
    "CPP_Total_Rateper10,000",
    "ReReferral",
    "Continue_Assess_Comp",
    "LACStable_2016on",
    "CareLeaverEET",
)


def rag(row: Row) -> str:
    """green / red when significantly better / worse than England (by polarity); amber when not significant;
    grey when neutral, not computed or without England's figure."""
    if row.status != "computed" or row.polarity == "neutral" or not row.significance:
        return "grey"
    if row.significance.startswith("not"):
        return "amber"
    above = "above" in row.significance
    return "green" if above == (row.polarity == "high") else "red"


def signed(change: float | None, unit: str, decimals: int) -> str:
    """A change with its sign, in the indicator's unit (percentage points for a percentage)."""
    if change is None:
        return ""
    text = formatted(change, "count" if unit == "count" else "average", decimals)
    text = text if text.startswith("-") or text.strip("0.,") == "" else "+" + text
    return f"{text} pts" if unit == "percent" else text  # percentage points; a count or rate in its own unit


class Funnel(NamedTuple):
    title: str
    id: str
    year: int
    england: float
    points: list[FunnelPoint]


def funnel_data(run: Run) -> list[Funnel]:
    """The percentages in FUNNELS as funnel points: the authorities of LAIT's latest year and this period's own."""
    from csctools.indicators import lait
    from csctools.indicators.benchmark import lait_year_of

    found = []
    for result in run.results:
        pair = FUNNELS.get(result.indicator.id)
        if pair is None or not result.computed or not result.denominator:
            continue
        tops, bottoms = lait.by_year(pair[0]), lait.by_year(pair[1])
        years = [y for y in tops if y in bottoms and y <= lait_year_of(run.period.end)]
        if not years:
            continue
        year = max(years)
        top, bottom = tops[year], bottoms[year]
        england_parts = (top.get(lait.ENGLAND), bottom.get(lait.ENGLAND))
        if england_parts[0] is None or not england_parts[1]:
            continue
        england = 100 * england_parts[0] / england_parts[1]
        points = [
            FunnelPoint(bottom[a], 100 * top[a] / bottom[a], False)
            for a in top
            if a < lait.FIRST_REGION and bottom.get(a) and a != int(run.la)
        ]
        assert result.numerator is not None
        points.append(FunnelPoint(result.denominator, 100 * result.numerator / result.denominator, True))
        found.append(Funnel(result.indicator.title, result.indicator.id, year, england, points))
    return found


def _decimals(run: Run) -> dict[str, int]:
    return {r.indicator.id: r.indicator.decimals for r in run.results}


def context(run: Run, spare: Spare | None = None) -> dict[str, Any]:
    from csctools import __version__

    decimals = _decimals(run)
    rows = this_year(run)

    def show(row: Row, value: float | None) -> str:
        return formatted(value, row.unit, decimals.get(row.indicator, 1))

    series = [chart_series(series_of(run, row.indicator)) for row in rows]
    found = funnel_data(run)
    pairs = zip(rows, series, strict=True)
    jobs = [partial(trend_svg, s, run.la_name, row.indicator) for row, s in pairs if drawable(s)]
    jobs += [partial(funnel_svg, f.points, f.england, run.la_name, f.id) for f in found]
    drawn = iter(draw_many(jobs, spare=spare))
    charts = [next(drawn) if drawable(s) else "" for s in series]
    funnel_charts = [
        {"title": f.title, "id": f.id, "year": f.year, "england": f.england, "svg": next(drawn)} for f in found
    ]
    items: list[dict[str, Any]] = []
    for row, chart in zip(rows, charts, strict=True):
        items.append(
            {
                "row": row,
                "rag": rag(row),
                "chart": chart,
                "value": show(row, row.value),
                "england": show(row, row.england),
                "region": show(row, row.region),
                "sn": show(row, row.sn_average),
                "ci": f"{show(row, row.ci_low)} to {show(row, row.ci_high)}" if row.ci_low is not None else "",
                "change": signed(row.change, row.unit, decimals.get(row.indicator, 1)),
            }
        )
    by_id = {item["row"].indicator: item for item in items}
    headlines = [by_id[i] for i in HEADLINES if i in by_id and by_id[i]["row"].status == "computed"]
    topics = [(topic, [i for i in items if i["row"].topic == topic]) for topic in run.topics()]
    not_computed = [i for i in items if i["row"].status != "computed"]
    return {
        "run": run,
        "headlines": headlines,
        "topics": topics,
        "not_computed": not_computed,
        "funnels": funnel_charts,
        "version": __version__,
        "population": run.population,
        "teams": run.teams if run.teams is not None and not run.teams.empty else None,
    }


def write_html(run: Run, path: Path, spare: Spare | None = None) -> None:
    import jinja2
    import markupsafe

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["safe_svg"] = lambda svg: markupsafe.Markup(svg)  # our own matplotlib output
    path.write_text(env.get_template("dashboard.html.j2").render(context(run, spare)), encoding="utf-8")
