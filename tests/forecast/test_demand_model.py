"""The published demand model's method, checked on cases worked out by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from csctools.forecast import demand_model as dm
from csctools.forecast.states import ALL_CATEGORIES, N_CATS, NIC
from tests.forecast.helpers import history

FOSTER, RESI, OTHER = (ALL_CATEGORIES.index(c) for c in ("FOSTERING", "RESIDENTIAL", "OTHER"))
TEN_TO_SIXTEEN = 3


def state(band: int, category: int) -> int:
    return band * N_CATS + category


# Two 12-year-olds: A fostered 1-10 March then residential from 10 March; B fostered from 2 March to 5 March.
BIRTHS = {"A": date(2014, 1, 1), "B": date(2014, 1, 1)}
EPISODES = [
    ("A", date(2026, 3, 1), date(2026, 3, 10), "U1"),
    ("A", date(2026, 3, 10), None, "K2"),
    ("B", date(2026, 3, 2), date(2026, 3, 5), "U4"),
]


def test_stock_counts_an_episode_from_its_start_day_to_the_day_before_it_ends() -> None:
    model = dm.fit(history(BIRTHS, EPISODES), date(2026, 3, 1), date(2026, 3, 10))
    fostered = model.stock[:, state(TEN_TO_SIXTEEN, FOSTER)]
    # 1 Mar: A; 2-4 Mar: A and B; 5-9 Mar: A; 10 Mar: nobody fostered (A moved to residential).
    assert fostered.tolist() == [1, 2, 2, 2, 1, 1, 1, 1, 1, 0]
    assert model.stock[-1, state(TEN_TO_SIXTEEN, RESI)] == 1
    assert model.first_day == date(2026, 3, 1) and model.data_end == date(2026, 3, 10)


def test_transition_rate_is_the_mean_of_daily_moves_over_yesterdays_stock() -> None:
    model = dm.fit(history(BIRTHS, EPISODES), date(2026, 3, 1), date(2026, 3, 10))
    fostering = state(TEN_TO_SIXTEEN, FOSTER)
    # 10 days. B leaves care on 5 Mar (stock on 4 Mar: 2); A moves to residential on 10 Mar (stock on 9 Mar: 1).
    leave = model.rates[fostering, state(TEN_TO_SIXTEEN, NIC)]
    move = model.rates[fostering, state(TEN_TO_SIXTEEN, RESI)]
    assert leave == pytest.approx((1 / 2) / 10)
    assert move == pytest.approx((1 / 1) / 10)
    # The ageing hazard is added: 6 years of 365 days to the next band, same category.
    assert model.rates[fostering, state(TEN_TO_SIXTEEN + 1, FOSTER)] == pytest.approx(1 / (6 * 365))


def test_entrants_are_new_periods_of_care_per_day_of_the_reference_period() -> None:
    model = dm.fit(history(BIRTHS, EPISODES), date(2026, 3, 1), date(2026, 3, 10))
    # A (1 Mar) and B (2 Mar) enter fostering; A's residential episode follows on, so it is not an entry.
    assert model.entrants[state(TEN_TO_SIXTEEN, FOSTER)] == pytest.approx(2 / 9)  # 9 days from 1 to 10 March
    assert model.entrants.sum() == pytest.approx(2 / 9)


def test_first_day_of_the_window_uses_its_own_stock() -> None:
    # B leaves on the first day of the window: the denominator is that day's stock (2: A and B on 2 March).
    model = dm.fit(history(BIRTHS, EPISODES), date(2026, 3, 5), date(2026, 3, 10))
    leave = model.rates[state(TEN_TO_SIXTEEN, FOSTER), state(TEN_TO_SIXTEEN, NIC)]
    # Stock on 5 March is 1 (B's last day is not counted), so 1 / 1 over 6 days.
    assert leave == pytest.approx(1 / 6)


def test_step_of_k_days_by_hand() -> None:
    rates = np.zeros((dm.N_STATES, dm.N_STATES + 1))
    a, b, c = 0, 1, 2
    rates[a, b], rates[a, c] = 0.1, 0.3  # daily
    entrants = np.zeros(dm.N_STATES)
    entrants[b] = 2.0
    population = np.zeros(dm.N_STATES)
    population[a] = 100.0
    scaled_rates, scaled_entrants = dm.scaled(rates, entrants, 3)
    after = dm.step(population, scaled_rates, scaled_entrants)
    to_b, to_c = 1 - 0.9**3, 1 - 0.7**3  # 0.271 and 0.657: out rate 0.928
    assert after[a] == pytest.approx(100 * (1 - (to_b + to_c)))
    assert after[b] == pytest.approx(100 * to_b + 2 * 3)
    assert after[c] == pytest.approx(100 * to_c)


def test_leaving_is_capped_at_the_population() -> None:
    rates = np.zeros((dm.N_STATES, dm.N_STATES + 1))
    rates[0, 1], rates[0, 2] = 0.6, 0.6  # over 1 together
    population = np.zeros(dm.N_STATES)
    population[0] = 10.0
    after = dm.step(population, rates, np.zeros(dm.N_STATES))
    assert after[0] == 0.0 and after[1] == pytest.approx(5.0) and after[2] == pytest.approx(5.0)


def test_forecast_dates_and_steps_follow_the_web_version() -> None:
    # The data end is the last start or end date in the data (10 March), not the collection year's end.
    births = {"A": date(2014, 1, 1), "B": date(2014, 1, 1)}
    episodes = [("A", date(2026, 1, 1), None, "U1"), ("B", date(2026, 1, 5), date(2026, 3, 10), "U1")]
    model = dm.fit(history(births, episodes), date(2026, 1, 1), date(2026, 3, 10))
    assert model.data_end == date(2026, 3, 10)
    result = dm.predict(model, date(2026, 4, 10), 7)
    # Start the day after the data end; ceil(31 days / 7) = 5 steps after step 0.
    assert result.dates == [date(2026, 3, 11), date(2026, 3, 18), date(2026, 3, 25), date(2026, 4, 1),
                            date(2026, 4, 8), date(2026, 4, 15)]  # fmt: skip
    assert result.population[0, state(TEN_TO_SIXTEEN, FOSTER)] == 1.0


def test_default_dates_are_twelve_months_back_and_eighteen_on() -> None:
    assert dm.default_dates(date(2027, 3, 31)) == (date(2026, 3, 31), date(2027, 3, 31), date(2028, 9, 30))
    assert dm.default_dates(date(2028, 2, 29))[0] == date(2027, 2, 28)


def test_a_move_change_applies_only_to_the_age_bands_it_names() -> None:
    from csctools.forecast.scenarios import Change

    # A and B are 12 (ten to sixteen), C and D are 3 (one to five); all fostered from 1 March. A and C move to
    # residential on 10 March; B and D stay fostered. In each band the daily move rate is (1 move / 2 fostered on
    # 9 March) over the 10 days: 0.05; entrants 2 over 9 days.
    births = {"A": date(2014, 1, 1), "B": date(2014, 1, 1), "C": date(2023, 1, 1), "D": date(2023, 1, 1)}
    episodes = [
        ("A", date(2026, 3, 1), date(2026, 3, 10), "U1"),
        ("A", date(2026, 3, 10), None, "K2"),
        ("B", date(2026, 3, 1), None, "U1"),
        ("C", date(2026, 3, 1), date(2026, 3, 10), "U1"),
        ("C", date(2026, 3, 10), None, "K2"),
        ("D", date(2026, 3, 1), None, "U1"),
    ]
    model = dm.fit(history(births, episodes), date(2026, 3, 1), date(2026, 3, 10))
    one_to_five = 1
    for band in (one_to_five, TEN_TO_SIXTEEN):
        assert model.rates[state(band, FOSTER), state(band, RESI)] == pytest.approx(0.05)
    no_moves_at_ten_plus = Change("move", date(2026, 3, 1), "FOSTERING", "RESIDENTIAL", "all", 0.0, ("TEN_TO_SIXTEEN",))
    rates, _ = dm.adjusted(model, (no_moves_at_ten_plus,))
    assert rates[state(TEN_TO_SIXTEEN, FOSTER), state(TEN_TO_SIXTEEN, RESI)] == 0.0
    assert rates[state(one_to_five, FOSTER), state(one_to_five, RESI)] == pytest.approx(0.05)
    # One daily step: residential keeps its child (less the ageing hazard: 1/(6x365) at 10-16, 1/(4x365) at 1-5)
    # and gains 0.05 of the one fostered child, except at 10-16 where the scenario stops moves.
    base = dm.predict(model, date(2026, 3, 11), 1)
    scenario = dm.predict(model, date(2026, 3, 11), 1, (no_moves_at_ten_plus,))
    assert base.population[1, state(TEN_TO_SIXTEEN, RESI)] == pytest.approx(1 - 1 / 2190 + 0.05)
    assert scenario.population[1, state(TEN_TO_SIXTEEN, RESI)] == pytest.approx(1 - 1 / 2190)
    for result in (base, scenario):
        assert result.population[1, state(one_to_five, RESI)] == pytest.approx(1 - 1 / 1460 + 0.05)


def test_naming_every_band_is_the_same_as_naming_none() -> None:
    from csctools.forecast.scenarios import Change
    from csctools.forecast.states import AGE_BANDS

    model = dm.fit(history(BIRTHS, EPISODES), date(2026, 3, 1), date(2026, 3, 10))
    every = Change("move", date(2026, 3, 1), "FOSTERING", "LEAVE", "all", 0.25, AGE_BANDS)
    plain = every._replace(age_bands=())
    only_babies = every._replace(age_bands=("BIRTH_TO_ONE",))  # A and B are 12: nothing changes for them
    assert np.array_equal(dm.adjusted(model, (every,))[0], dm.adjusted(model, (plain,))[0])
    leave = model.rates[state(TEN_TO_SIXTEEN, FOSTER), state(TEN_TO_SIXTEEN, NIC)]
    assert dm.adjusted(model, (plain,))[0][state(TEN_TO_SIXTEEN, FOSTER), state(TEN_TO_SIXTEEN, NIC)] == leave * 0.25
    assert dm.adjusted(model, (only_babies,))[0][state(TEN_TO_SIXTEEN, FOSTER), state(TEN_TO_SIXTEEN, NIC)] == leave
