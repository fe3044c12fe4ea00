"""One indicators run: this year's returns (and last year's) computed, benchmarked, ready for the reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import NamedTuple

import polars as pl

from csctools.indicators import lait
from csctools.indicators.benchmark import Row, benchmark, lait_year_of
from csctools.indicators.compute import LOCATIONS, Computation, Period, Result, compute
from csctools.indicators.records import IndicatorSet
from csctools.indicators.teams import TeamCounts, team_counts
from csctools.io.result import ReturnData

TOPICS = (  # the order of topics in the reports; an authority's own topics follow
    "Children looked after",
    "Placements",
    "Permanence",
    "Health and outcomes",
    "Missing",
    "Care leavers",
    "Referrals",
    "Assessments",
    "Child protection",
    "Children in need",
    "Annex A (inspection)",
)


class Run(NamedTuple):
    la: str
    la_name: str
    period: Period
    population: lait.Population | None
    results: list[Result]
    previous: list[Result]
    rows: list[Row]
    packs: list[str]
    inputs: list[str]  # the files read
    teams: TeamCounts | None = None  # Annex A counts by allocated team and worker
    notes: tuple[str, ...] = ()  # what every output says of its inputs (values that could not be read)

    def topics(self) -> list[str]:
        seen = list(dict.fromkeys(r.indicator.topic for r in self.results))
        return [t for t in TOPICS if t in seen] + [t for t in seen if t not in TOPICS]


def _order(indicators: IndicatorSet) -> IndicatorSet:
    rank = {t: i for i, t in enumerate(TOPICS)}
    ordered = sorted(indicators.indicators, key=lambda i: rank.get(i.topic, len(TOPICS)))
    return IndicatorSet(ordered, indicators.views, indicators.packs)


def with_locations(returns: Sequence[ReturnData], indicators: IndicatorSet, la: str) -> list[ReturnData]:
    """The SSDA903 Episodes with PL_LA, PL_LOCATION and PL_DISTANCE from the ONS Postcode Directory (as the DfE
    derives them), when an indicator needs them and the postcode package is installed; otherwise as they are."""
    from csctools.reference import postcodes

    wanted = any(LOCATIONS in i.needs for i in indicators.indicators)
    if not wanted or not postcodes.available():
        return list(returns)
    from csctools.reference.authorities import find_authority

    try:
        own = find_authority(la).ons_code
    except LookupError:
        own = None
    done = []
    for data in returns:
        episodes = data.tables.get("Episodes") if data.dataset == "ssda903" else None
        if episodes is None or not {"HOME_POST", "PL_POST"} <= set(episodes.columns):
            done.append(data)
            continue
        found = postcodes.lookup(pl.concat([episodes["HOME_POST"], episodes["PL_POST"]]))
        located = postcodes.placement_columns(episodes, own, found)
        done.append(replace(data, tables={**data.tables, "Episodes": located}))
    return done


class RunUnderWay:
    """A run whose indicators are computed as this year's returns come in (`add` each, then `finish`); the same
    Run `run_indicators` gives. Last year's returns, when given, are all read before it starts."""

    def __init__(
        self,
        previous: Sequence[ReturnData],
        indicators: IndicatorSet,
        la: str,
        la_name: str,
        period_end: date,
        children: bool = True,
    ) -> None:
        self.indicators, self.la, self.la_name, self.previous = _order(indicators), la, la_name, list(previous)
        self.period, self.children = Period.ending(period_end), children
        self.population = lait.latest_population(int(la), lait_year_of(period_end)) if la.isdigit() else None
        size = self.population.value if self.population else None
        self.computation = Computation(
            self.indicators.indicators, self.period, la, self.indicators.views, size, previous, children
        )
        self.added: dict[int, ReturnData] = {}  # id of the return as read: the return with its locations

    def add(self, *returns: ReturnData) -> None:
        """This year's returns (postcodes looked up first), their indicators computed at once."""
        located = with_locations(returns, self.indicators, self.la)
        self.added.update((id(data), done) for data, done in zip(returns, located, strict=True))
        self.computation.add(*located)

    def finish(self, returns: Sequence[ReturnData]) -> Run:
        """The run, once each return of `returns` (the order they are reported in) has been added."""
        if sorted(self.added) != sorted(id(data) for data in returns):
            raise ValueError("finish() takes the returns that were added, each once")
        results = self.computation.results()
        before = self._last_year()
        rows = benchmark(results, self.la, before)
        inputs = [f.path for data in [*returns, *self.previous] for f in data.files]
        teams = team_counts([self.added[id(data)] for data in returns], self.period)
        return Run(
            self.la,
            self.la_name,
            self.period,
            self.population,
            results,
            before,
            rows,
            self.indicators.packs,
            inputs,
            teams,
        )

    def _last_year(self) -> list[Result]:
        if not self.previous:
            return []
        last_end = self.period.start - timedelta(days=1)
        la, indicators = self.la, self.indicators
        last_population = lait.latest_population(int(la), lait_year_of(last_end)) if la.isdigit() else None
        return compute(
            with_locations(self.previous, indicators, la),
            indicators.indicators,
            Period.ending(last_end),
            la,
            indicators.views,
            last_population.value if last_population else None,
            children=self.children,
        )


def run_indicators(
    returns: Sequence[ReturnData],
    previous: Sequence[ReturnData],
    indicators: IndicatorSet,
    la: str,
    la_name: str,
    period_end: date,
    children: bool = True,
) -> Run:
    """`children` False: the figures without the drill-down lists of child ids (only the XLSX and the web page
    show them; counting them in DuckDB is cheaper than moving them to Python)."""
    run = RunUnderWay(previous, indicators, la, la_name, period_end, children)
    run.add(*returns)
    return run.finish(returns)


UNREAD_SHOWN = 6  # columns named in the note of values that could not be read


def with_unread_note(run: Run, returns: list[ReturnData]) -> Run:
    """The run with the note of values of these returns that could not be read, said in every report."""
    unread = unread_values_note(returns)
    return run if unread is None else run._replace(notes=(*run.notes, unread))


def unread_values_note(returns: list[ReturnData]) -> str | None:
    """'4 values could not be read (Header.DOB 2, Episodes.DECOM 2) ...': values kept only as the text written
    (a date that is not a date, a code outside its list) count as blank in every indicator."""
    found: dict[str, int] = {}
    for data in returns:
        for report in data.files:
            for table in report.tables:
                for column, count in table.unparsed_values.items():
                    found[f"{table.name}.{column}"] = found.get(f"{table.name}.{column}", 0) + count
    total = sum(found.values())
    if not total:
        return None
    named = sorted(found.items(), key=lambda item: -item[1])
    listed = ", ".join(f"{name} {count:,}" for name, count in named[:UNREAD_SHOWN])
    more = f" and {len(named) - UNREAD_SHOWN} more columns" if len(named) > UNREAD_SHOWN else ""
    value = "value" if total == 1 else "values"
    return (
        f"{total:,} {value} of the returns could not be read ({listed}{more}): each counts as blank, so the rows "
        "holding them may be left out of the indicators that use those columns; csc validate lists them"
    )
