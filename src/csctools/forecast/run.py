"""One forecast run: the method over each scenario, costs, the back-test and the history to draw beside it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import polars as pl

from csctools.forecast import demand_model
from csctools.forecast.backtest import backtest_cutoff, compare, in_care, known_at
from csctools.forecast.costs import (
    PUBLISHED_WEEKLY,
    CostSettings,
    by_financial_year,
    cost_frame,
    run_year_quantiles,
)
from csctools.forecast.history import ForecastInputError, History
from csctools.forecast.scenarios import BASE, Scenario
from csctools.forecast.states import CATEGORIES, PLACE_CATEGORY, PLACE_CATEGORY_NOW, Mapping, category_index

SIMULATION = "simulation"
DEMAND_MODEL = "demand-model-0.5"
METHODS = (SIMULATION, DEMAND_MODEL)
PERCENTILES = ("p05", "p25", "p50", "p75", "p95")
NO_CHILDREN = "no children in this category in the data"  # said instead of a forecast of a category nobody was in


@dataclass(frozen=True)
class Options:
    method: str = SIMULATION
    reference_start: date | None = None
    reference_end: date | None = None
    forecast_end: date | None = None
    step_days: int | None = None  # default: 90 for demand-model-0.5 (its web version), 30 for the simulation
    runs: int = 1000
    seed: int = 1
    scenarios: tuple[Scenario, ...] = ()
    costs: CostSettings | None = None  # default: the method's own unit costs
    backtest: bool = True

    @property
    def steps(self) -> int:
        return self.step_days or (90 if self.method == DEMAND_MODEL else 30)


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    population: pl.DataFrame  # date, age_band, placement, population (+ p05..p95 for the simulation)
    totals: pl.DataFrame  # date, placement, population, p05..p95 (demand-model-0.5: all equal to population)
    costs: pl.DataFrame  # date, placement, children, weekly_unit_cost, cost_per_day, cost_per_week, discount_factor
    by_year: pl.DataFrame  # year, placement, first_day, last_day, cost, discounted_cost, cumulative_cost, partial
    bands: pl.DataFrame  # date, age_band, population, p05..p95 of all placements together
    # The simulation's cost per financial year: year, placement (and ALL), p05..p95 of the runs' costs; else None.
    year_quantiles: pl.DataFrame | None = None


@dataclass(frozen=True)
class Outcome:
    method: str
    options: Options
    reference: tuple[date, date]
    forecast_end: date
    results: list[ScenarioResult]
    history: pl.DataFrame  # date, age_band, placement, actual: monthly, the two years before the forecast
    backtest: pl.DataFrame | None
    backtest_note: str
    notes: list[str] = field(default_factory=list)
    empty_categories: tuple[str, ...] = ()  # placement categories no episode of the history is in

    @property
    def last_step(self) -> date:
        """The date of the last step: what the forecast runs to (the forecast end rounded up to whole steps)."""
        last = self.results[0].population["date"].max()
        assert isinstance(last, date)
        return last

    def period(self) -> str:
        """'forecast to 2028-10-21 (the last step: the forecast end 2028-09-30 rounded up to whole steps of 30
        days)': the last step's date, and the forecast end asked for when that differs."""
        last, end = self.last_step, self.forecast_end
        if last == end:
            return f"forecast to {last}"
        if last == end + timedelta(days=1):  # a step counts the children in care at the start of its day
            return f"forecast to {last} (the last step: the children in care at the end of the forecast end, {end})"
        return (
            f"forecast to {last} (the last step: the forecast end {end} rounded up to whole steps of "
            f"{self.options.steps} days)"
        )


def dates_for(history: History, options: Options) -> tuple[date, date, date]:
    """Reference start and end, forecast end: the published web version's defaults unless given."""
    start, end, forecast_end = demand_model.default_dates(history.last_day)
    # The default start may fall a day before the first collection year (a year ending 31 March begins 1 April).
    start = options.reference_start or max(start, history.first_day)
    end = options.reference_end or end
    forecast_end = options.forecast_end or forecast_end
    if end <= start:
        raise ForecastInputError(f"the reference period must end after it starts ({start} to {end})")
    if start < history.first_day:
        raise ForecastInputError(
            f"too little history for the reference period: it starts {start} but the earliest year given "
            f"({history.years[0].label}) starts {history.first_day}; give more years or a later --reference-start"
        )
    if end > history.last_day:
        raise ForecastInputError(f"the reference period ends {end}, after the data ({history.last_day})")
    if forecast_end <= history.last_day:
        raise ForecastInputError(f"the forecast end {forecast_end} is not after the data end {history.last_day}")
    return start, end, forecast_end


def forecast_population(
    history: History, options: Options, scenario: Scenario, dates: tuple[date, date, date]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, np.ndarray | None]:
    """The forecast by age band and placement, by placement and by age band (with percentiles of the totals), and
    for the simulation each run's children by placement (runs x dates x categories)."""
    start, end, forecast_end = dates
    if options.method == DEMAND_MODEL:
        model = demand_model.fit(history, start, end)
        result = demand_model.predict(model, forecast_end, options.steps, scenario.changes)
        population = demand_model.in_care_frame(result.dates, result.population)
        same = [pl.col("population").alias(p) for p in PERCENTILES]
        totals = population.group_by("date", "placement", maintain_order=True).agg(pl.col("population").sum())
        bands = population.group_by("date", "age_band", maintain_order=True).agg(pl.col("population").sum())
        return population, totals.with_columns(*same), bands.with_columns(*same), None
    from csctools.forecast import simulation

    runs = simulation.simulate(
        history, start, end, forecast_end, options.steps, options.runs, options.seed, scenario.changes
    )
    frames = simulation.quantile_frame(runs), simulation.category_frame(runs), simulation.band_frame(runs)
    return *frames, runs.runs.sum(axis=2)


def cost_settings(options: Options, scenario: Scenario) -> CostSettings:
    base = options.costs or (CostSettings(dict(PUBLISHED_WEEKLY)) if options.method == DEMAND_MODEL else CostSettings())
    changes = tuple((c.since, c.placement, c.value) for c in scenario.changes if c.change == "unit_cost")
    return replace(base, changes=base.changes + changes)


def run_forecast(history: History, options: Options) -> Outcome:
    dates = dates_for(history, options)
    results = []
    for scenario in (BASE, *options.scenarios):
        population, totals, bands, run_totals = forecast_population(history, options, scenario, dates)
        value = "population" if options.method == DEMAND_MODEL else "p50"
        settings = cost_settings(options, scenario)
        costs = cost_frame(population, settings, value)
        by_year = by_financial_year(costs, settings.discount)
        quantiles = None if run_totals is None else run_year_quantiles(run_totals, costs)
        results.append(ScenarioResult(scenario, population, totals, costs, by_year, bands, quantiles))
    notes = []
    if options.method == DEMAND_MODEL and any(c.flow != "all" for s in options.scenarios for c in s.changes):
        notes.append("demand-model-0.5 has no UASC flow: entry changes apply to all entrants")
    months = _month_ends(history.last_day, 24)
    mapping = categories_of(options.method)
    past = _model_stock(history, dates, months) if options.method == DEMAND_MODEL else in_care(history, months, mapping)
    table, note = _backtest(history, options) if options.backtest else (None, "back-test not asked for")
    seen = set(history.episodes.select(category_index(pl.col("PLACE"), mapping))["PLACE"].unique().to_list())
    empty = tuple(c for i, c in enumerate(CATEGORIES) if i not in seen)
    if table is not None and empty:  # their rows (all zero) are shown as that, not as a perfect hit
        note += f"; {', '.join(c.title() for c in empty)}: {NO_CHILDREN}"
    return Outcome(options.method, options, dates[:2], dates[2], results, past, table, note, notes, empty)


def _model_stock(history: History, dates: tuple[date, date, date], days: list[date]) -> pl.DataFrame:
    """The published model's own stock on `days` (age band frozen at each episode's start), so that its history
    and forecast are drawn on the same footing."""
    model = demand_model.fit(history, dates[0], dates[1])
    stock = demand_model.history_frame(model, min(days)).rename({"population": "actual"})
    return stock.filter(pl.col("date").is_in(days))


def _month_ends(last: date, count: int) -> list[date]:
    days = []
    year, month = last.year, last.month
    for _ in range(count):
        days.append(min(date(year, month, 28) + timedelta(days=4), last).replace(day=1) - timedelta(days=1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted({*days, last})


def categories_of(method: str) -> Mapping:
    """PLACE codes to categories: the published model's for its method; with K3 (from 2024/25) for the simulation."""
    return PLACE_CATEGORY if method == DEMAND_MODEL else PLACE_CATEGORY_NOW


def _backtest(history: History, options: Options) -> tuple[pl.DataFrame | None, str]:
    """Fit on the history known a year before the end, forecast to the end, compare by placement category."""
    cutoff = backtest_cutoff(history)
    if cutoff is None:
        return None, "back-test not possible: it needs at least two years of history"
    past = known_at(history, cutoff)
    start, end, _ = demand_model.default_dates(past.last_day)
    start = max(start, history.first_day)
    trial = replace(options, reference_start=start, reference_end=end, forecast_end=history.last_day, scenarios=())
    _, totals, _, _ = forecast_population(past, trial, BASE, (start, end, history.last_day))
    step_dates = sorted(set(totals["date"].to_list()))
    compared = [d for d in step_dates[:: max(1, 30 // trial.steps)] if d <= history.last_day]
    actual = in_care(history, compared, categories_of(options.method))
    value = "population" if options.method == DEMAND_MODEL else "p50"
    columns = [pl.col(value).alias("forecast")]
    if options.method != DEMAND_MODEL:
        columns += [pl.col("p05").alias("low"), pl.col("p95").alias("high")]
    forecast = totals.filter(pl.col("date").is_in(compared)).select("date", "placement", *columns)
    note = (
        f"fitted on the data known on {cutoff} (reference {start} to {end}), forecast to {history.last_day} "
        f"and compared with what happened"
    )
    return compare(forecast, actual), note
