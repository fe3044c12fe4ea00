"""A stochastic simulation of the same stocks and flows, with uncertainty, as counts per run (numpy, vectorised).

A run holds, for each of two flows (UASC or not), each age in steps (exact age from the date of birth, so a
child changes band on the real birthday) and each placement category, how many children are in care. Each step:

1. leaving a state: Binomial(n, 1 - exp(-H x days)) with H the sum of the state's daily hazards (moves to each
   other category, leaving care), split among destinations by further binomials in proportion to the hazards;
2. ageing: everyone moves on one age step; a child reaching 18 leaves care;
3. entries: Poisson(lambda(t)) per flow, lambda from a log-linear trend fitted to monthly entries (with calendar
   month effects when they are significant), placed by the entrants' observed ages and categories.

Hazards are occurrence / exposure over the reference period by (age band at the day, category); moves within a
category are not moves. Uncertainty in the rates: each run re-estimates them from children resampled with
replacement (a Poisson bootstrap); uncertainty in the trend: each run draws its coefficients from their estimated
sampling distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
import polars as pl

from csctools.forecast.history import ForecastInputError, History
from csctools.forecast.scenarios import Change
from csctools.forecast.states import AGE_BANDS, CATEGORIES, N_AGES, NIC, PLACE_CATEGORY_NOW, with_states

N_CAT = len(CATEGORIES)
N_DEST = N_CAT + 1  # the four categories, then leaving care
LEAVE = N_CAT
BAND_START_YEARS = (0, 1, 5, 10, 16)
MIN_TREND_MONTHS = 24  # complete months of history needed to fit a trend in entries
SEASONAL_CHI2_11DF_1PCT = 24.725  # chi-square critical value, 11 degrees of freedom, 1%
NO_ENTRIES_A_MONTH = 1e-9  # the monthly rate of a flow with no entries in the history
FLOW_BEGAN_P = 0.01  # empty first months less likely than this at the flow's later rate: the flow began after them


@dataclass(frozen=True)
class SimulationResult:
    dates: list[date]
    runs: np.ndarray  # runs x steps+1 x bands x categories


def _years_to_days(dob: pl.Expr, years: int) -> pl.Expr:
    return dob.dt.offset_by(f"{years}y")


def _child_matrices(history: History, start: date, end: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per child: moves and exits by (band, category, destination), and days in care by (band, category).

    Returns (child ids as row numbers per episode piece, event rows, exposure rows) as dense matrices."""
    kid = pl.col("CHILD").rank("dense").cast(pl.Int64).alias("kid") - 1
    episodes = with_states(history.episodes, PLACE_CATEGORY_NOW).with_columns(kid)
    window_end = end + timedelta(days=1)
    clipped = episodes.with_columns(
        pl.max_horizontal(pl.col("DECOM"), pl.lit(start)).alias("s"),
        pl.min_horizontal(pl.col("DEC").fill_null(window_end), pl.lit(window_end)).alias("e"),
    ).filter(pl.col("e") > pl.col("s"))
    n_kids = episodes["kid"].n_unique()
    exposure = np.zeros((n_kids, N_AGES * N_CAT))
    for band in range(N_AGES):
        low = _years_to_days(pl.col("DOB"), BAND_START_YEARS[band])
        high = _years_to_days(pl.col("DOB"), BAND_START_YEARS[band + 1] if band + 1 < N_AGES else 18)
        days = (pl.min_horizontal("e", high) - pl.max_horizontal("s", low)).dt.total_days().clip(0)
        piece = clipped.select("kid", "category", days.alias("d")).filter(pl.col("d") > 0)
        np.add.at(
            exposure, (piece["kid"].to_numpy(), band * N_CAT + piece["category"].to_numpy()), piece["d"].to_numpy()
        )
    age_at_end = (pl.col("DEC") - pl.col("DOB")).dt.total_days()
    band_at_end = sum(
        ((pl.col("DEC") >= _years_to_days(pl.col("DOB"), y)).cast(pl.Int64) for y in BAND_START_YEARS[1:]),
        pl.lit(0, pl.Int64),
    )
    ended = episodes.filter(
        pl.col("DEC").is_between(start, end)
        & (pl.col("DEC") < _years_to_days(pl.col("DOB"), 18))
        & (pl.col("after") != pl.col("category"))
        & age_at_end.is_not_null()
    ).select(
        "kid",
        (band_at_end * N_CAT + pl.col("category")).alias("state"),
        pl.when(pl.col("after") == NIC).then(LEAVE).otherwise(pl.col("after")).alias("dest"),
    )
    events = np.zeros((n_kids, N_AGES * N_CAT * N_DEST))
    np.add.at(events, (ended["kid"].to_numpy(), ended["state"].to_numpy() * N_DEST + ended["dest"].to_numpy()), 1.0)
    return exposure, events, np.arange(n_kids)


def bootstrap_hazards(history: History, start: date, end: date, runs: int, rng: np.random.Generator) -> np.ndarray:
    """Daily hazards, runs x (band, category) x destination, each run from resampled children."""
    exposure, events, _ = _child_matrices(history, start, end)
    seen = (exposure.sum(axis=1) > 0) | (events.sum(axis=1) > 0)
    exposure, events = exposure[seen], events[seen]
    weights = rng.poisson(1.0, size=(runs, exposure.shape[0])).astype(float)
    days = weights @ exposure  # runs x states
    counts = (weights @ events).reshape(runs, N_AGES * N_CAT, N_DEST)
    # A state with no exposure in a resample borrows the whole sample's rate.
    pooled = events.sum(0).reshape(N_AGES * N_CAT, N_DEST) / np.maximum(exposure.sum(0), 1.0)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        hazards = np.where(days[:, :, None] > 0, counts / days[:, :, None], pooled[None])
    for category in range(N_CAT):
        hazards[:, category::N_CAT, category] = 0.0
    shaped: np.ndarray = hazards.reshape(runs, N_AGES, N_CAT, N_DEST)
    return shaped


@dataclass(frozen=True)
class EntryModel:
    """Monthly entries: log(lambda) = a + b t (+ month effects); coefficients and their covariance."""

    coefficients: np.ndarray
    covariance: np.ndarray
    first_month: date
    seasonal: bool
    profile: np.ndarray  # age steps x categories: share of entrants

    def design(self, months: np.ndarray, calendar_months: np.ndarray) -> np.ndarray:
        columns = [np.ones_like(months, dtype=float), months.astype(float) / 12.0]
        if self.seasonal:
            columns += [(calendar_months == m).astype(float) for m in range(2, 13)]
        return np.column_stack(columns)


class PoissonFit(NamedTuple):
    coefficients: np.ndarray
    covariance: np.ndarray
    deviance: float
    converged: bool  # False where a coefficient has no finite estimate (it ran off towards infinity)


def _poisson_fit(x: np.ndarray, y: np.ndarray) -> PoissonFit:
    """Poisson regression by iteratively reweighted least squares: coefficients, covariance, deviance, and whether
    it converged. A coefficient with no finite estimate (no entries in some calendar month of every year, entries
    only at one end) moves by about 1 per iteration for ever: such a fit is not converged."""
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(max(y.mean(), 0.5))
    converged = False
    for _ in range(50):
        mu = np.exp(x @ beta)
        information = x.T @ (x * mu[:, None])
        change = np.linalg.solve(information + 1e-9 * np.eye(x.shape[1]), x.T @ (y - mu))
        beta = beta + change
        if np.abs(change).max() < 1e-8:
            converged = True
            break
    mu = np.exp(x @ beta)
    with np.errstate(divide="ignore", invalid="ignore"):
        deviance = 2.0 * float(np.sum(np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)))
    covariance = np.linalg.inv(x.T @ (x * mu[:, None]))
    return PoissonFit(beta, covariance, deviance, converged and bool(np.isfinite(covariance).all()))


def fit_entry_trend(y: np.ndarray, first_month: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Poisson regression of monthly counts `y` (the first in calendar month `first_month`): coefficients,
    covariance, and whether calendar-month effects are kept (36 months or more and a likelihood-ratio test at 1%).

    The flow is fitted from its first month with an entry when the empty months before it are too many to be
    chance at its later rate (under 1%: a flow that began within the history, such as UASC arriving under a
    transfer scheme, had no trend before it began; fitted from the start, the months of nothing make an
    exponential trend of thousands a month within the forecast). Fewer than 24 months from then give a
    constant rate. A model with no finite estimate (a calendar month with no entry in any year) gives way to the
    simpler one. No entries at all give a rate of about none (1e-9 a month) with no spread."""
    seen = np.flatnonzero(y)
    if not seen.size:
        return np.array([math.log(NO_ENTRIES_A_MONTH), 0.0]), np.zeros((2, 2)), False
    began = int(seen[0])
    if math.exp(-y[began:].mean() * began) >= FLOW_BEGAN_P:  # a few empty months are chance at this rate
        began = 0
    months = np.arange(began, len(y))
    counts = y[began:]
    calendar = (first_month - 1 + months) % 12 + 1
    plain = EntryModel(np.zeros(2), np.eye(2), date(2000, first_month, 1), False, np.zeros(0))
    trend = _poisson_fit(plain.design(months, calendar), counts) if len(counts) >= MIN_TREND_MONTHS else None
    if trend is None or not trend.converged:  # a trend over less than two years is mostly noise
        level = _poisson_fit(np.ones((len(counts), 1)), counts)
        return np.array([level.coefficients[0], 0.0]), np.array([[level.covariance[0, 0], 0.0], [0.0, 0.0]]), False
    if len(counts) >= 36:
        seasonal_model = EntryModel(np.zeros(13), np.eye(13), plain.first_month, True, np.zeros(0))
        seasonal = _poisson_fit(seasonal_model.design(months, calendar), counts)
        if seasonal.converged and trend.deviance - seasonal.deviance > SEASONAL_CHI2_11DF_1PCT:
            return seasonal.coefficients, seasonal.covariance, True
    return trend.coefficients, trend.covariance, False


def entry_model(history: History, uasc: bool, start: date, end: date, step_days: int, n_age: int) -> EntryModel:
    """Entries into care by month over the whole history (complete months only), and who enters."""
    episodes = with_states(history.episodes, PLACE_CATEGORY_NOW)
    entries = episodes.filter((pl.col("before") == NIC) & (pl.col("UASC") == ("1" if uasc else "0")))
    first = date(history.first_day.year, history.first_day.month, 1)
    last_full = date(end.year, end.month, 1) - timedelta(days=1) if end.day < 28 else end
    monthly = (
        entries.filter(pl.col("DECOM").is_between(first, last_full))
        .select(((pl.col("DECOM").dt.year() - first.year) * 12 + pl.col("DECOM").dt.month() - first.month).alias("m"))
        .group_by("m")
        .len()
    )
    n_months = (last_full.year - first.year) * 12 + last_full.month - first.month + 1
    if n_months < 1:
        raise ForecastInputError("the simulation needs at least one complete month of history before the reference end")
    y = np.zeros(n_months)
    y[monthly["m"].to_numpy()] = monthly["len"].to_numpy()
    beta, cov, seasonal = fit_entry_trend(y, first.month)
    recent = entries.filter(pl.col("DECOM").is_between(start, end))
    ages = ((pl.col("DECOM") - pl.col("DOB")).dt.total_days() // step_days).clip(0, n_age - 1)
    cells = recent.select(ages.alias("a"), "category")
    profile = np.zeros((n_age, N_CAT))
    np.add.at(profile, (cells["a"].to_numpy(), cells["category"].to_numpy()), 1.0)
    total = profile.sum()
    profile = profile / total if total else profile
    return EntryModel(beta, cov, first, seasonal, profile)


def simulate(
    history: History,
    reference_start: date,
    reference_end: date,
    forecast_end: date,
    step_days: int,
    runs: int,
    seed: int,
    changes: tuple[Change, ...] = (),
) -> SimulationResult:
    """`runs` simulated futures from the day after the data end to `forecast_end`, in steps of `step_days`."""
    rng = np.random.default_rng(seed)
    start = history.last_day + timedelta(days=1)
    n_steps = max(1, -(-(forecast_end - reference_end).days // step_days))
    eighteen = math.ceil(18 * 365.25 / step_days - 0.5)  # the age step of the 18th birthday: care ends
    hazards = bootstrap_hazards(history, reference_start, reference_end, runs, rng)
    # A child in age step b is b to b + 1 steps old: its band is that of the middle of the step (within half a step
    # of the birthday).
    edges = np.array(BAND_START_YEARS[1:]) * 365.25 / step_days
    band_of_age = np.searchsorted(edges, np.arange(eighteen) + 0.5, side="right")
    flows = [entry_model(history, uasc, reference_start, reference_end, step_days, eighteen) for uasc in (False, True)]
    counts = _initial_counts(history, start, step_days, eighteen, runs)
    dates = [start + timedelta(days=i * step_days) for i in range(n_steps + 1)]
    result = np.zeros((runs, n_steps + 1, N_AGES, N_CAT))
    result[:, 0] = _by_band(counts, band_of_age)
    draws = [rng.multivariate_normal(f.coefficients, f.covariance, size=runs) for f in flows]
    for index in range(1, n_steps + 1):
        rate = _adjusted_hazards(hazards, changes, dates[index - 1])
        counts = _move(counts, rate, band_of_age, step_days, rng)
        counts = np.concatenate([np.zeros_like(counts[:, :1]), counts[:, :-1]], axis=1)  # a step older; 18 leave
        for flow, (model, coefficients) in enumerate(zip(flows, draws, strict=True)):
            counts += _entries(model, coefficients, dates[index - 1], step_days, changes, flow, band_of_age, rng)
        result[:, index] = _by_band(counts, band_of_age)
    return SimulationResult(dates, result)


def _initial_counts(history: History, start: date, step_days: int, n_age: int, runs: int) -> np.ndarray:
    """Children in care on the data's last day by age in steps and category, runs x ages x categories."""
    last = start - timedelta(days=1)
    open_now = with_states(history.episodes, PLACE_CATEGORY_NOW).filter(
        (pl.col("DECOM") <= last) & (pl.col("DEC").is_null() | (pl.col("DEC") > last))
    )
    ages = (pl.lit(start) - pl.col("DOB")).dt.total_days() // step_days
    cells = open_now.select(ages.alias("a"), "category").filter(pl.col("a").is_between(0, n_age - 1))
    counts = np.zeros((n_age, N_CAT), dtype=np.int64)
    np.add.at(counts, (cells["a"].to_numpy(), cells["category"].to_numpy()), 1)
    return np.broadcast_to(counts, (runs, *counts.shape)).copy()


def _adjusted_hazards(hazards: np.ndarray, changes: tuple[Change, ...], day: date) -> np.ndarray:
    """Hazards with the scenario's move factors that have started by `day` (in the age bands named, or all)."""
    rate = hazards
    for change in changes:
        if change.change == "move" and change.since <= day:
            rate = rate.copy() if rate is hazards else rate
            destination = LEAVE if change.to == "LEAVE" else CATEGORIES.index(change.to)
            bands = change.band_indices()
            rate[:, bands, CATEGORIES.index(change.placement), destination] *= change.value
    return rate


def _move(
    counts: np.ndarray, rate: np.ndarray, band_of_age: np.ndarray, step_days: int, rng: np.random.Generator
) -> np.ndarray:
    """Moves and exits over one step. `rate`: runs x bands x categories x destinations (daily hazards).

    Only occupied cells are drawn: Binomial(n, 1 - exp(-H days)) leave, then the few leavers are split among the
    destinations by successive binomials in proportion to the hazards."""
    n_age = counts.shape[1]
    flat = counts.reshape(-1)
    cells = np.flatnonzero(flat)
    run, rest = np.divmod(cells, n_age * N_CAT)
    age, category = np.divmod(rest, N_CAT)
    hazard = rate[run, band_of_age[age], category]  # cells x destinations
    total = hazard.sum(axis=1)
    leaving = rng.binomial(flat[cells], 1.0 - np.exp(-total * step_days))
    moved = leaving > 0
    cells, run, age, hazard, total, remaining = (
        cells[moved],
        run[moved],
        age[moved],
        hazard[moved],
        total[moved],
        leaving[moved],
    )
    result = flat.copy()
    np.subtract.at(result, cells, remaining)
    for destination in range(N_DEST - 1):
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, np.clip(hazard[:, destination] / total, 0.0, 1.0), 0.0)
        going = rng.binomial(remaining, share)
        remaining = remaining - going
        total = total - hazard[:, destination]
        np.add.at(result, (run * n_age + age) * N_CAT + destination, going)
    return result.reshape(counts.shape)  # the rest left care


def _entries(
    model: EntryModel,
    coefficients: np.ndarray,
    since: date,
    step_days: int,
    changes: tuple[Change, ...],
    flow: int,
    band_of_age: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """New entrants over one step for every run, as runs x age steps x categories; an entries change multiplies
    the entrants of the age bands it names (all without `age_bands`)."""
    runs = coefficients.shape[0]
    cells = model.profile.size
    if model.profile.sum() == 0:
        return np.zeros((runs, *model.profile.shape), dtype=np.int64)
    middle = since + timedelta(days=step_days // 2)
    month = np.array([(middle.year - model.first_month.year) * 12 + middle.month - model.first_month.month])
    row = model.design(month, np.array([middle.month]))[0]
    monthly = np.exp(coefficients @ row)
    factor = np.ones(N_AGES)  # per age band (of the age on entry)
    for change in changes:
        if change.change == "entries" and since >= change.since and change.flow in ("all", "uasc" if flow else "other"):
            factor[change.band_indices()] *= change.value
    # Entries of each age step thinned by its band's factor: Poisson of the new total, placed in proportion.
    weighted = model.profile * factor[band_of_age][:, None]
    share = float(weighted.sum())
    if share == 0:
        return np.zeros((runs, *model.profile.shape), dtype=np.int64)
    numbers = rng.poisson(monthly * share * step_days / (365.25 / 12))
    where = rng.choice(cells, size=int(numbers.sum()), p=(weighted / share).reshape(-1))
    owner = np.repeat(np.arange(runs), numbers)
    placed = np.bincount(owner * cells + where, minlength=runs * cells)
    return placed.reshape(runs, *model.profile.shape)


def _by_band(counts: np.ndarray, band_of_age: np.ndarray) -> np.ndarray:
    """Children in care per run by band and category."""
    edges = np.flatnonzero(np.diff(band_of_age)) + 1
    return np.add.reduceat(counts, np.concatenate([[0], edges]), axis=1).astype(float)


def quantile_frame(result: SimulationResult) -> pl.DataFrame:
    """Tidy rows: date, age_band, placement, population (mean of runs), p05, p25, p50, p75, p95."""
    flat = result.runs.reshape(result.runs.shape[0], len(result.dates), -1)
    quantiles = np.quantile(flat, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    cells = N_AGES * N_CAT
    frame = {
        "date": np.repeat(np.array(result.dates, dtype="datetime64[D]"), cells),
        "age_band": np.tile(np.repeat(AGE_BANDS, N_CAT), len(result.dates)),
        "placement": np.tile(np.tile(CATEGORIES, N_AGES), len(result.dates)),
        "population": flat.mean(axis=0).reshape(-1),
    }
    for name, values in zip(("p05", "p25", "p50", "p75", "p95"), quantiles, strict=True):
        frame[name] = values.reshape(-1)
    return pl.DataFrame(frame).with_columns(pl.col("date").cast(pl.Date))


def category_frame(result: SimulationResult) -> pl.DataFrame:
    """Children in care by placement category (all ages): date, placement, population (mean), p05..p95 of the
    runs' totals (not sums of the age bands' percentiles)."""
    return _totals_frame(result, 2, "placement", CATEGORIES)  # summed over the age bands


def band_frame(result: SimulationResult) -> pl.DataFrame:
    """Children in care by age band (all placements): date, age_band, population (mean), p05..p95 of the runs'
    totals."""
    return _totals_frame(result, 3, "age_band", AGE_BANDS)  # summed over the categories


def _totals_frame(result: SimulationResult, summed: int, column: str, labels: tuple[str, ...]) -> pl.DataFrame:
    """The runs (runs x steps+1 x bands x categories) summed over axis `summed`: mean and percentiles by date."""
    totals = result.runs.sum(axis=summed)  # runs x steps+1 x labels
    quantiles = np.quantile(totals, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    frame = {
        "date": np.repeat(np.array(result.dates, dtype="datetime64[D]"), len(labels)),
        column: np.tile(labels, len(result.dates)),
        "population": totals.mean(axis=0).reshape(-1),
    }
    for name, values in zip(("p05", "p25", "p50", "p75", "p95"), quantiles, strict=True):
        frame[name] = values.reshape(-1)
    return pl.DataFrame(frame).with_columns(pl.col("date").cast(pl.Date))
