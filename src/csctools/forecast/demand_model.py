"""The published Children's Social Care Demand Model (cs-demand-model 0.5.1), written again with numpy.

Stocks and flows over 25 states (5 age bands x 4 placement categories + 'not in care' per band):

- stock: children in each state on each day, counting an episode in the age band of its *start* for its whole
  length (the band is frozen) from its start day up to the day before it ends;
- transition rate from state s to state e: the mean over the days d of the reference period of
  (episodes of state s ending on d and followed by category e, or by 'not in care') / stock of s on day d-1
  (on the first day, that day's stock); moves within a category count too;
- entrants per day into each state: episodes starting in the reference period that do not follow on from another,
  divided by the days between its first and last dates;
- ageing: a constant hazard of 1/(days in the band) to the next band, the same category (out of care from 16+);
- a step of k days: rates r become 1 - (1 - r)^k, entrants are multiplied by k; each state loses
  min(population x sum of its rates, population), shared among destinations in proportion to the rates.

Children who leave are kept as 'not in care' states (they age but never return), as the published model does;
forecasts report only the states in care.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from csctools.forecast.history import ForecastInputError, History
from csctools.forecast.scenarios import Change
from csctools.forecast.states import (
    AGE_BANDS,
    ALL_CATEGORIES,
    BAND_DAYS,
    CATEGORIES,
    N_AGES,
    N_CATS,
    N_STATES,
    NIC,
    with_states,
)

OUT = N_STATES  # the column for leaving the model altogether (ageing out of the last band)


@dataclass(frozen=True)
class Fit:
    """What the model learns from the history."""

    first_day: date  # day 0 of `stock`
    stock: np.ndarray  # days x states: children in each state at the end of each day
    rates: np.ndarray  # states x (states + 1): daily transition and ageing rates
    entrants: np.ndarray  # states: children entering care per day
    reference_start: date
    reference_end: date
    data_end: date

    def stock_on(self, day: date) -> np.ndarray:
        """The stock on `day` (the nearest day with data, as the published model's `stock_at`)."""
        index = min(max((day - self.first_day).days, 0), self.stock.shape[0] - 1)
        return self.stock[index].copy()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Forecast:
    dates: list[date]
    population: np.ndarray  # steps+1 x states (step 0: the starting population)


def ageing_rates() -> np.ndarray:
    """The constant ageing hazard: from (band, category) to (band + 1, category), or out from the last band."""
    rates = np.zeros((N_STATES, N_STATES + 1))
    for band in range(N_AGES):
        for category in range(N_CATS):
            target = OUT if band == N_AGES - 1 else (band + 1) * N_CATS + category
            rates[band * N_CATS + category, target] = 1.0 / BAND_DAYS[band]
    return rates


def _day_index(days: pl.Expr, first: date) -> pl.Expr:
    return (days - pl.lit(first)).dt.total_days().cast(pl.Int64)


def daily_stock(episodes: pl.DataFrame, first: date, n_days: int) -> np.ndarray:
    """Children in each state at the end of each day: +1 on an episode's start day, -1 on its end day."""
    changes = np.zeros((n_days + 1, N_STATES))
    starts = episodes.select(_day_index(pl.col("DECOM"), first).alias("d"), "state")
    ends = episodes.filter(pl.col("DEC").is_not_null()).select(_day_index(pl.col("DEC"), first).alias("d"), "state")
    np.add.at(changes, (starts["d"].to_numpy(), starts["state"].to_numpy()), 1.0)
    np.add.at(changes, (ends["d"].to_numpy(), ends["state"].to_numpy()), -1.0)
    return np.cumsum(changes[:n_days], axis=0)


def fit(history: History, reference_start: date, reference_end: date) -> Fit:
    """Stock, transition rates and entrants over the reference period (both ends included)."""
    episodes = with_states(history.episodes)
    unplaced = episodes.filter(pl.col("band").is_null())
    if unplaced.height:
        row = unplaced.row(0, named=True)
        raise ForecastInputError(f"{row['_source']}, row {row['_row']}: child {row['CHILD']}'s age is outside 0-30")
    first = episodes["DECOM"].min()
    data_end = history.last_day
    assert isinstance(first, date)
    n_days = (data_end - first).days + 1
    stock = daily_stock(episodes, first, n_days)
    window_start = max((reference_start - first).days, 0)
    window_end = min((reference_end - first).days, n_days - 1)
    if window_end < window_start:
        raise ForecastInputError(f"the reference period {reference_start} to {reference_end} has no data")
    n_window = window_end - window_start + 1
    # Denominator of day d: stock of day d-1 (the first day of the window uses its own stock).
    previous = np.concatenate([stock[window_start : window_start + 1], stock[window_start:window_end]])
    ended = (
        episodes.filter(pl.col("DEC").is_not_null())
        .select(
            (_day_index(pl.col("DEC"), first) - window_start).alias("d"),
            "state",
            (pl.col("band") * N_CATS + pl.col("after")).alias("to"),
        )
        .filter((pl.col("d") >= 0) & (pl.col("d") < n_window))
    )
    d, s, e = (ended[c].to_numpy() for c in ("d", "state", "to"))
    with np.errstate(divide="ignore"):
        weights = 1.0 / previous[d, s]  # a move out of an empty state gives inf, as in the published model
    rates = np.zeros((N_STATES, N_STATES + 1))
    np.add.at(rates, (s, e), weights)
    rates /= n_window
    rates += ageing_rates()
    period_days = (reference_end - reference_start).days
    entered = episodes.filter(pl.col("DECOM").is_between(reference_start, reference_end) & (pl.col("before") == NIC))[
        "state"
    ].to_numpy()
    entrants = np.bincount(entered, minlength=N_STATES).astype(float) / period_days
    return Fit(first, stock, rates, entrants, reference_start, reference_end, data_end)


def step(population: np.ndarray, rates: np.ndarray, entrants: np.ndarray) -> np.ndarray:
    """One step with rates and entrants already scaled to the step's length (see `scaled`)."""
    out_rate = rates.sum(axis=1)
    leaving = np.clip(population * out_rate, 0.0, population)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(out_rate[:, None] > 0, rates / out_rate[:, None], 0.0)
    arriving = (shares * leaving[:, None]).sum(axis=0)[:N_STATES]
    return population - leaving + arriving + entrants  # type: ignore[no-any-return]


def scaled(rates: np.ndarray, entrants: np.ndarray, step_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily rates and numbers over a k-day step: 1 - (1 - r)^k, and k x entrants."""
    if step_days == 1:
        return rates, entrants
    return 1.0 - (1.0 - rates) ** step_days, entrants * step_days


def predict(model: Fit, forecast_end: date, step_days: int, changes: tuple[Change, ...] = ()) -> Forecast:
    """Steps from the day after the data end, as the published web version dates them.

    Scenario changes (entries and moves) apply to the steps that start on or after their date."""
    start = model.data_end + timedelta(days=1)
    steps = math.ceil((forecast_end - model.reference_end).days / step_days)
    dates = [start + timedelta(days=i * step_days) for i in range(steps + 1)]
    population = np.empty((steps + 1, N_STATES))
    population[0] = model.stock_on(start)
    active: tuple[Change, ...] | None = None
    rates, entrants = model.rates, model.entrants
    for index in range(1, steps + 1):
        now = tuple(c for c in changes if c.since <= dates[index - 1])
        if now != active:
            active = now
            rates, entrants = scaled(*adjusted(model, now), step_days)
        population[index] = step(population[index - 1], rates, entrants)
    return Forecast(dates, population)


def adjusted(model: Fit, changes: tuple[Change, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Daily rates and entrants with scenario factors applied (a move or entries factor in the age bands it names,
    or in all)."""
    rates, entrants = model.rates.copy(), model.entrants.copy()
    for change in changes:
        if change.change == "entries":
            for band in change.band_indices():
                entrants[band * N_CATS : (band + 1) * N_CATS] *= change.value
        elif change.change == "move":
            source = ALL_CATEGORIES.index(change.placement)
            target = NIC if change.to == "LEAVE" else ALL_CATEGORIES.index(change.to)
            for band in change.band_indices():
                rates[band * N_CATS + source, band * N_CATS + target] *= change.value
    return rates, entrants


def in_care_frame(dates: list[date], population: np.ndarray) -> pl.DataFrame:
    """Tidy rows: date, age_band, placement, population; the states in care only."""
    in_care = [a * N_CATS + c for a in range(N_AGES) for c in range(len(CATEGORIES))]
    values = population[:, in_care]
    return pl.DataFrame(
        {
            "date": np.repeat(np.array(dates, dtype="datetime64[D]"), len(in_care)),
            "age_band": np.tile([AGE_BANDS[s // N_CATS] for s in in_care], len(dates)),
            "placement": np.tile([ALL_CATEGORIES[s % N_CATS] for s in in_care], len(dates)),
            "population": values.reshape(-1),
        }
    ).with_columns(pl.col("date").cast(pl.Date))


def history_frame(model: Fit, since: date) -> pl.DataFrame:
    """The historic stock (children in care) from `since` to the data end, in the same tidy shape."""
    offset = max((since - model.first_day).days, 0)
    days = [model.first_day + timedelta(days=i) for i in range(offset, model.stock.shape[0])]
    return in_care_frame(days, model.stock[offset:])


def default_dates(data_end: date) -> tuple[date, date, date]:
    """The published web version's defaults: reference = the last 12 months of data; forecast 18 months on."""
    return _shift_months(data_end, -12), data_end, _shift_months(data_end, 18)


def _shift_months(day: date, months: int) -> date:
    """`day` moved by whole months, the day clipped to the month's length (as dateutil's relativedelta)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


__all__ = ["NIC", "Fit", "Forecast", "default_dates", "fit", "in_care_frame", "predict"]
