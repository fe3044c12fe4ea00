"""Each indicator beside England, the region and the statistical neighbours, for every LAIT year and this one.

- England and region: LAIT's own published values of the same year.
- Statistical-neighbour average: the mean of the 10 neighbours that have a value that year.
- Rank: 1 is best by polarity (the highest value when high is good, the lowest when low is good; the highest for
  neutral measures), among the authorities LAIT publishes that year; ties share the better rank. This year's own
  value is ranked against LAIT's latest year, with the authority's own LAIT value replaced by it.
- Quartile band: A is the best quarter by polarity, cut at the 25th, 50th and 75th percentiles (linear
  interpolation, as Excel's QUARTILE.INC) of the same authorities' values; a value on a cut takes the better band.
  Neutral measures have no band.
- Confidence interval (95%): Wilson for percentages; exact Poisson on the count for rates per 10,000 and counts.
  Significance: England's value outside the interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from csctools.indicators import lait
from csctools.indicators.compute import Period, Result
from csctools.indicators.records import Indicator
from csctools.indicators.stats import poisson_exact, significance, wilson

BANDS = ("A", "B", "C", "D")


class Row(NamedTuple):
    """One indicator in one period: the CSV's columns, then what the dashboard adds."""

    indicator: str
    title: str
    la: str
    period_start: date
    period_end: date
    numerator: float | None
    denominator: float | None
    value: float | None
    unit: str
    polarity: str
    england: float | None
    region: float | None
    sn_average: float | None
    rank: int | None
    quartile: str
    ci_low: float | None
    ci_high: float | None
    significance: str
    # beyond the CSV
    source: str  # "this year", "last year" (from --previous) or "LAIT"
    status: str
    ranked_among: int | None
    change: float | None
    direction: str
    topic: str


CSV_COLUMNS = Row._fields[: Row._fields.index("significance") + 1]


def lait_year_of(period_end: date) -> int:
    """The LAIT year a period ending on this day compares with: the year it ends in, if it ends by 31 March."""
    return period_end.year if (period_end.month, period_end.day) <= (3, 31) else period_end.year + 1


def rank_of(value: float, others: Sequence[float], polarity: str) -> int:
    """1 + the number of values strictly better (ties share the better rank)."""
    if polarity == "low":
        return 1 + sum(1 for v in others if v < value)
    return 1 + sum(1 for v in others if v > value)


def quartile_cuts(values: Sequence[float]) -> tuple[float, float, float]:
    """The 25th, 50th and 75th percentiles by linear interpolation (Excel's QUARTILE.INC)."""
    ordered = sorted(values)
    cuts = []
    for q in (0.25, 0.5, 0.75):
        position = q * (len(ordered) - 1)
        below = math.floor(position)
        above = min(below + 1, len(ordered) - 1)
        cuts.append(ordered[below] + (ordered[above] - ordered[below]) * (position - below))
    return cuts[0], cuts[1], cuts[2]


def quartile_band(value: float, values: Sequence[float], polarity: str) -> str:
    """A (best quarter) to D by polarity; '' for neutral measures."""
    if polarity not in ("high", "low") or not values:
        return ""
    q1, q2, q3 = quartile_cuts(values)
    if polarity == "high":
        return "A" if value >= q3 else "B" if value >= q2 else "C" if value >= q1 else "D"
    return "A" if value <= q1 else "B" if value <= q2 else "C" if value <= q3 else "D"


def direction(change: float | None, polarity: str) -> str:
    if change is None:
        return ""
    if abs(change) < 1e-9:
        return "no change"
    if polarity == "neutral":
        return "up" if change > 0 else "down"
    return "improving" if (change > 0) == (polarity == "high") else "worsening"


class Comparators(NamedTuple):
    """LAIT's values of one measure in one year: England, region, neighbours, every authority."""

    england: float | None
    region: float | None
    sn_average: float | None
    authorities: dict[int, float]


def comparators(measure: str, year: int, la: int, region: int | None, sns: Sequence[int]) -> Comparators:
    by_area = lait.by_year(measure).get(year, {})
    neighbour_values = [by_area[n] for n in sns if n in by_area]
    return Comparators(
        by_area.get(lait.ENGLAND),
        by_area.get(region) if region is not None else None,
        sum(neighbour_values) / len(neighbour_values) if neighbour_values else None,
        {a: v for a, v in by_area.items() if a < lait.FIRST_REGION},
    )


def interval(result: Result) -> tuple[float | None, float | None]:
    indicator = result.indicator
    if not result.computed or result.numerator is None:
        return None, None
    if indicator.is_proportion and result.denominator:
        low, high = wilson(result.numerator, result.denominator)
        return 100 * low, 100 * high
    if indicator.is_rate and result.denominator:
        low, high = poisson_exact(result.numerator)
        return low / result.denominator * 10_000, high / result.denominator * 10_000
    if indicator.unit == "count":
        return poisson_exact(result.numerator)
    return None, None


class Context(NamedTuple):
    la: str
    region: int | None
    neighbours: tuple[int, ...]

    @classmethod
    def of(cls, la: str) -> Context:
        return cls(la, lait.region_of(la), tuple(int(n) for n in lait.neighbours().get(la, ())))


def _row(
    indicator: Indicator,
    ctx: Context,
    period: Period,
    value: float | None,
    source: str,
    status: str,
    comp: Comparators | None,
    numerator: float | None = None,
    denominator: float | None = None,
    ci: tuple[float | None, float | None] = (None, None),
    previous: float | None = None,
) -> Row:
    rank = band = None
    among = None
    if comp is not None and value is not None and comp.authorities:
        others = [v for a, v in comp.authorities.items() if a != int(ctx.la)]
        rank, among = rank_of(value, others, indicator.polarity), len(others) + 1
        band = quartile_band(value, [*others, value], indicator.polarity)
    change = value - previous if value is not None and previous is not None else None
    sig = significance(ci[0], ci[1], comp.england if comp else None) if indicator.unit != "count" else ""
    return Row(
        indicator.id,
        indicator.title,
        ctx.la,
        period.start,
        period.end,
        numerator,
        denominator,
        value,
        indicator.unit,
        indicator.polarity,
        comp.england if comp else None,
        comp.region if comp else None,
        comp.sn_average if comp else None,
        rank,
        band or "",
        ci[0],
        ci[1],
        sig,
        source,
        status,
        among,
        change,
        direction(change, indicator.polarity),
        indicator.topic,
    )


def _latest(measure: str | None, years: Sequence[int], year: int, ctx: Context) -> Comparators | None:
    """LAIT's comparators of the latest year up to `year` (this year's own value is set against last year's)."""
    latest = max((y for y in years if y <= year), default=None)
    if measure is None or latest is None:
        return None
    return comparators(measure, latest, int(ctx.la), ctx.region, ctx.neighbours)


def benchmark(results: Iterable[Result], la: str, previous: Iterable[Result] = ()) -> list[Row]:
    """Rows for each indicator: every LAIT year of the authority, last year's own value (if given), this year's."""
    ctx = Context.of(la)
    before = {r.indicator.id: r for r in previous}
    rows: list[Row] = []
    for result in results:
        indicator = result.indicator
        measure = indicator.lait
        years = sorted(lait.by_year(measure)) if measure else []
        compare_year = lait_year_of(result.period.end)
        own_lait: dict[int, float] = {}
        for year in years:
            assert measure is not None
            comp = comparators(measure, year, int(la), ctx.region, ctx.neighbours)
            value = comp.authorities.get(int(la))
            if value is not None:
                own_lait[year] = value
            if year >= compare_year:
                continue  # LAIT's figure of this very period (a past year recomputed) is shown beside ours
            rows.append(
                _row(
                    indicator,
                    ctx,
                    Period(date(year - 1, 4, 1), date(year, 3, 31)),
                    value,
                    "LAIT",
                    "published",
                    comp,
                    previous=own_lait.get(year - 1),
                )
            )
        current = _latest(measure, years, compare_year, ctx)
        last = before.get(indicator.id)
        if last is not None and last.computed:
            last_comp = _latest(measure, years, lait_year_of(last.period.end), ctx)
            rows.append(
                _row(
                    indicator,
                    ctx,
                    last.period,
                    last.value,
                    "last year",
                    last.status,
                    last_comp,
                    last.numerator,
                    last.denominator,
                    interval(last),
                )
            )
        previous_value = last.value if last is not None and last.computed else own_lait.get(compare_year - 1)
        rows.append(
            _row(
                indicator,
                ctx,
                result.period,
                result.value,
                "this year",
                result.status,
                current,
                result.numerator,
                result.denominator,
                interval(result),
                previous_value,
            )
        )
    return rows
