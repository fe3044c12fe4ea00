"""The simulation: its pieces against closed forms, and ageing on real birthdays."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from csctools.forecast import simulation as sim
from csctools.forecast.states import AGE_BANDS, CATEGORIES
from tests.forecast.helpers import history

FOSTER, RESI = CATEGORIES.index("FOSTERING"), CATEGORIES.index("RESIDENTIAL")


def test_leaving_follows_the_exponential_survival_of_a_constant_hazard() -> None:
    runs, n, hazard, days = 4000, 100, 0.002, 30
    counts = np.zeros((runs, 3, len(CATEGORIES)), dtype=np.int64)
    counts[:, 1, FOSTER] = n
    rate = np.zeros((runs, len(AGE_BANDS), len(CATEGORIES), sim.N_DEST))
    rate[:, 0, FOSTER, sim.LEAVE] = hazard
    after = sim._move(counts, rate, np.zeros(3, dtype=np.int64), days, np.random.default_rng(5))
    stay = math.exp(-hazard * days)
    standard_error = math.sqrt(n * stay * (1 - stay) / runs)
    assert abs(after[:, 1, FOSTER].mean() - n * stay) < 4 * standard_error
    assert after[:, 1].sum(axis=1).max() <= n  # nobody arrives from nowhere


def test_movers_are_shared_in_proportion_to_the_hazards() -> None:
    runs, n = 2000, 200
    counts = np.zeros((runs, 1, len(CATEGORIES)), dtype=np.int64)
    counts[:, 0, FOSTER] = n
    rate = np.zeros((runs, len(AGE_BANDS), len(CATEGORIES), sim.N_DEST))
    rate[:, 0, FOSTER, RESI] = 0.003
    rate[:, 0, FOSTER, sim.LEAVE] = 0.001
    after = sim._move(counts, rate, np.zeros(1, dtype=np.int64), 30, np.random.default_rng(2))
    gone = n - after[:, 0, FOSTER]
    moved = after[:, 0, RESI]
    assert gone.mean() == pytest.approx(n * (1 - math.exp(-0.004 * 30)), rel=0.02)
    assert moved.sum() / gone.sum() == pytest.approx(0.75, abs=0.02)


def test_poisson_trend_fit_recovers_an_exact_exponential() -> None:
    months = np.arange(48)
    x = np.column_stack([np.ones(48), months / 12.0])
    y = np.exp(3.0 + 0.1 * months / 12.0)
    beta, covariance, deviance, converged = sim._poisson_fit(x, y)
    assert beta == pytest.approx([3.0, 0.1], abs=1e-7)
    assert deviance == pytest.approx(0.0, abs=1e-8)
    assert covariance.shape == (2, 2) and converged


def test_seasonality_is_kept_only_when_the_data_show_it() -> None:
    rng = np.random.default_rng(4)
    months = np.arange(60)
    flat = rng.poisson(30.0, size=60).astype(float)
    september_to_november = (months % 12 >= 5) & (months % 12 <= 7)  # the series starts in April
    autumn = rng.poisson(np.where(september_to_november, 60.0, 30.0), size=60)
    assert not sim.fit_entry_trend(flat, 4)[2]
    beta, _, seasonal = sim.fit_entry_trend(autumn.astype(float), 4)
    assert seasonal and len(beta) == 13
    # Under two years: a constant rate, the mean's logarithm, with no trend.
    beta, covariance, seasonal = sim.fit_entry_trend(flat[:18], 4)
    assert beta[0] == pytest.approx(math.log(flat[:18].mean())) and beta[1] == 0.0 and not seasonal
    assert covariance[1, 1] == 0.0


# Monthly UASC entries of a small authority (the simulation's second flow, from `csc synth --children 500` over
# three years): no entries in two calendar months of all three years, so a month effect has no finite estimate.
SPARSE = [1, 1, 1, 0, 1, 2, 0, 0, 0, 0, 0, 1, 3, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 1, 3, 0, 0, 0, 0, 2, 0, 5, 1, 1, 1]


@pytest.mark.parametrize(
    "counts",
    [
        pytest.param(SPARSE, id="a calendar month never seen"),
        pytest.param([0] * 34 + [2, 3], id="entries only in the last two months"),
        pytest.param([0] * 36, id="no entries at all"),
    ],
)
def test_entry_rates_drawn_from_sparse_counts_stay_finite(counts: list[int]) -> None:
    """Where a coefficient has no finite estimate (counts of zero in every November, entries only at the end) the
    fit falls back to a simpler model rather than handing the runs a variance of 1e10, whose draws overflowed
    the monthly rate ("lam value too large": the simulation stopped with a traceback)."""
    y = np.array(counts, dtype=float)
    beta, covariance, seasonal = sim.fit_entry_trend(y, 4)
    assert not seasonal
    assert np.isfinite(beta).all() and np.isfinite(covariance).all() and np.diag(covariance).max() < 10
    model = sim.EntryModel(beta, covariance, date(2023, 4, 1), seasonal, np.zeros(0))
    draws = np.random.default_rng(3).multivariate_normal(beta, covariance, size=1000)
    months = np.arange(len(y) + 18)  # the history and an 18-month forecast
    rates = np.exp(draws @ model.design(months, (3 + months) % 12 + 1).T)
    assert np.isfinite(rates).all() and rates.max() < 50 * max(y.max(), 1)
    if y.sum() == 0:
        assert rates.max() < 1e-6  # none seen, none forecast


def test_an_empty_first_month_of_a_small_flow_is_chance_not_a_flow_that_began() -> None:
    """UASC entries of about 1.6 a month (the synthetic 1,000 children): an empty first month happens one time in
    five, so the fit keeps it; 34 empty months before entries of 2-3 a month mean the flow began then."""
    y = np.array([0, 4, 1, 2, 0, 2, 0, 2, 1, 2, 2, 0, 1, 0, 1, 4, 1, 2, 2, 2, 1, 5, 2, 0, 1, 6, 1, 0, 1, 1], float)
    months = np.arange(len(y))
    whole = sim._poisson_fit(np.column_stack([np.ones(len(y)), months / 12.0]), y)
    beta, _, _ = sim.fit_entry_trend(y, 4)
    assert beta == pytest.approx(whole.coefficients, abs=1e-9)
    began = np.array([0.0] * 34 + [2, 3, 2, 3] * 6)
    beta, _, _ = sim.fit_entry_trend(began, 4)
    assert math.exp(beta[0] + beta[1] * 40 / 12) == pytest.approx(2.5, rel=0.05)  # its own level, not a ramp


def test_children_change_band_on_their_birthday_and_leave_at_18() -> None:
    births = {"baby": date(2025, 6, 15), "old": date(2008, 9, 1)}
    episodes = [
        ("baby", date(2025, 7, 1), date(2025, 9, 1), "U1"),
        ("baby", date(2025, 9, 1), None, "U2"),  # a move within fostering is not a move between categories
        ("old", date(2024, 1, 1), None, "K2"),
    ]
    past = history(births, episodes)
    # No entry, move or exit in the reference period: the future is ageing only, the same in every run.
    result = sim.simulate(past, date(2025, 8, 1), date(2025, 9, 1), date(2026, 12, 31), 30, 5, seed=1)
    assert result.dates[0] == date(2025, 9, 2)  # the day after the last date in the data
    assert (result.runs == result.runs[:1]).all()
    runs = result.runs[0]
    became_one = next(d for i, d in enumerate(result.dates) if runs[i, 1, FOSTER] == 1)
    assert runs[:, :, FOSTER].sum(axis=1).tolist() == [1] * len(result.dates)
    assert abs((became_one - date(2026, 6, 15)).days) <= 30  # within a step of the first birthday
    left = next(d for i, d in enumerate(result.dates) if runs[i, 4, RESI] == 0)
    assert abs((left - date(2026, 9, 1)).days) <= 30  # care ends within a step of the 18th birthday


def test_percentiles_of_identical_runs_collapse() -> None:
    runs = np.ones((10, 3, len(AGE_BANDS), len(CATEGORIES)))
    frame = sim.quantile_frame(sim.SimulationResult([date(2026, 4, d) for d in (1, 2, 3)], runs))
    assert frame.height == 3 * 20
    assert (frame["p05"] == frame["p95"]).all() and (frame["population"] == 1).all()


def test_k3_is_supported_accommodation_in_the_simulation_and_other_in_the_published_mapping() -> None:
    from csctools.forecast.states import PLACE_CATEGORY, PLACE_CATEGORY_NOW, with_states

    births = {"a": date(2008, 9, 1)}
    past = history(births, [("a", date(2025, 1, 1), None, "K3")])
    supported, other = CATEGORIES.index("SUPPORTED"), CATEGORIES.index("OTHER")
    assert with_states(past.episodes, PLACE_CATEGORY)["category"].to_list() == [other]  # cs-demand-model 0.5.1
    assert with_states(past.episodes, PLACE_CATEGORY_NOW)["category"].to_list() == [supported]
    result = sim.simulate(past, date(2025, 8, 1), date(2025, 9, 1), date(2025, 12, 31), 30, 3, seed=1)
    assert result.runs[0][0, 4, supported] == 1  # the 16-year-old in K3 starts the forecast in supported
