"""Costs by hand, and scenario files: what they change, and errors naming file and line."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from csctools.forecast.costs import PUBLISHED_WEEKLY, CostSettings, by_financial_year, cost_frame
from csctools.forecast.scenarios import load_scenarios
from csctools.packs.files import PackError


def tidy(days: list[date], fostered: float, residential: float) -> pl.DataFrame:
    rows = [
        (d, "TEN_TO_SIXTEEN", p, n) for d in days for p, n in (("FOSTERING", fostered), ("RESIDENTIAL", residential))
    ]
    return pl.DataFrame(rows, schema=["date", "age_band", "placement", "population"], orient="row")


def test_published_unit_costs_are_its_items_averaged_and_used_as_weekly() -> None:
    assert PUBLISHED_WEEKLY["FOSTERING"] == pytest.approx(500 / 3)
    costs = cost_frame(tidy([date(2026, 4, 1)], 3.0, 1.0), CostSettings(dict(PUBLISHED_WEEKLY)))
    per_day = dict(costs.select("placement", "cost_per_day").rows())
    assert per_day == pytest.approx({"FOSTERING": 3 * (500 / 3) / 7, "RESIDENTIAL": 1000 / 7})


def test_financial_years_inflation_and_unit_cost_changes() -> None:
    days = [date(2027, 3, 1) + timedelta(days=30 * i) for i in range(3)]  # 1 Mar, 31 Mar, 30 Apr 2027
    settings = CostSettings(
        {"FOSTERING": 700.0, "RESIDENTIAL": 7000.0}, changes=((date(2027, 4, 1), "RESIDENTIAL", 14000.0),)
    )
    costs = cost_frame(tidy(days, 1.0, 1.0), settings)
    years = by_financial_year(costs)
    # Each step's cost per day holds until the next step; the last step (30 April) closes the forecast. So 1 March to
    # 29 April, split at 1 April: the steps of 1 March (30 days) and 31 March (1 day in 2026/27, 29 in 2027/28).
    # Fostering 100 a day; residential 1000 a day (2000 only for steps dated from 1 April: none is costed).
    rows = {(y, p): c for y, p, c in years.select("year", "placement", "cost").rows()}
    assert rows == {
        ("2026/27", "FOSTERING"): 100 * 31,
        ("2026/27", "RESIDENTIAL"): 1000 * 31,
        ("2027/28", "FOSTERING"): 100 * 29,
        ("2027/28", "RESIDENTIAL"): 1000 * 29,
    }
    assert years["last_day"].max() == date(2027, 4, 29)
    changed = by_financial_year(cost_frame(tidy([*days, date(2027, 5, 30)], 1.0, 1.0), settings))
    assert changed.filter(pl.col("placement") == "RESIDENTIAL")["cost"].to_list() == [1000 * 31, 1000 * 29 + 2000 * 30]
    inflated = cost_frame(tidy(days, 1.0, 0.0), CostSettings({"FOSTERING": 700.0}, inflation=0.1))
    last = inflated.filter(pl.col("placement") == "FOSTERING")["weekly_unit_cost"].to_list()[-1]
    assert last == pytest.approx(700 * 1.1 ** (60 / 365.25))


SCENARIO = """\
name: fewer-residential
label: Fewer moves from fostering to residential
changes:
  - {change: move, from: 2027-06-01, placement: FOSTERING, to: RESIDENTIAL, factor: 0.5}
  - {change: entries, from: 2027-06-01, factor: 0.9, flow: uasc}
  - {change: unit_cost, from: 2027-04-01, placement: RESIDENTIAL, weekly: 6000}
"""


def test_scenario_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    (scenario,) = load_scenarios(path)
    assert scenario.name == "fewer-residential"
    assert [(c.change, c.since, c.value) for c in scenario.changes] == [
        ("move", date(2027, 6, 1), 0.5),
        ("entries", date(2027, 6, 1), 0.9),
        ("unit_cost", date(2027, 4, 1), 6000.0),
    ]


def test_scenario_in_a_pack_folder(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "pack.yaml").write_text("name: local\nversion: '1'\nreturns: [ssda903]\n")
    (tmp_path / "scenarios" / "s.yaml").write_text(SCENARIO)
    assert [s.name for s in load_scenarios(tmp_path)] == ["fewer-residential"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nchanges:\n  - {change: moves, from: 2027-06-01}\n", r"s.yaml line 3: each change needs change"),
        ("name: x\nchanges:\n  - {change: move, from: 2027-06-01, placement: FOSTERING, to: JAIL, factor: 1}\n",
         r"line 3: to: 'JAIL' is not one of"),
        ("name: x\nchanges:\n  - {change: entries, from: soon, factor: 1}\n", r"line 3: from: 'soon' is not a date"),
        ("name: x\nchanges:\n  - {change: entries, from: 2027-01-01, factor: -1}\n", r"at least 0"),
        ("nmae: x\n", r'unknown key "nmae"'),
        ("name: [x\n", r"not valid YAML"),
    ],
)  # fmt: skip
def test_bad_scenarios_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(PackError, match=message):
        load_scenarios(path)


def test_a_move_can_name_age_bands_and_an_unknown_band_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    move = "{change: move, from: 2027-06-01, placement: FOSTERING, to: RESIDENTIAL, factor: 0.5"
    path.write_text(f"name: x\nchanges:\n  - {move}, age_bands: [TEN_TO_SIXTEEN, SIXTEEN_TO_EIGHTEEN]}}\n")
    (scenario,) = load_scenarios(path)
    assert scenario.changes[0].age_bands == ("TEN_TO_SIXTEEN", "SIXTEEN_TO_EIGHTEEN")
    assert scenario.changes[0].band_indices() == [3, 4]
    path.write_text(f"name: x\nchanges:\n  - {move}}}\n")
    assert load_scenarios(path)[0].changes[0].band_indices() == [0, 1, 2, 3, 4]
    path.write_text(f"name: x\nchanges:\n  - {move}, age_bands: [TEENS]}}\n")
    with pytest.raises(PackError, match=r"s.yaml line 3: age_bands: 'TEENS' is not an age band \(use BIRTH_TO_ONE"):
        load_scenarios(path)
    path.write_text("name: x\nchanges:\n  - {change: entries, from: 2027-06-01, factor: 1, age_bands: [TEENS]}\n")
    with pytest.raises(PackError, match=r"line 3: age_bands: 'TEENS' is not an age band"):
        load_scenarios(path)


def test_simulation_hazards_change_only_in_the_named_age_bands() -> None:
    import numpy as np

    from csctools.forecast.scenarios import Change
    from csctools.forecast.simulation import _adjusted_hazards

    hazards = np.full((2, 5, 4, 5), 0.01)  # runs x bands x categories x destinations (4 categories, then leaving)
    change = Change("move", date(2027, 6, 1), "FOSTERING", "RESIDENTIAL", "all", 0.5, ("SIXTEEN_TO_EIGHTEEN",))
    assert _adjusted_hazards(hazards, (change,), date(2027, 5, 31)) is hazards  # not started yet
    rate = _adjusted_hazards(hazards, (change,), date(2027, 6, 1))
    changed = np.argwhere(rate != 0.01)
    assert changed[:, 1:].tolist() == [[4, 0, 1], [4, 0, 1]]  # band 16-18, fostering -> residential, both runs
    assert rate[0, 4, 0, 1] == pytest.approx(0.005) and hazards[0, 4, 0, 1] == 0.01


def test_a_forecast_to_31_march_in_daily_steps_has_no_one_day_year_after_it() -> None:
    """Daily steps from 31 March 2026 to the last step, 1 April 2027 (a step counts the children at the start of its
    day): the costs run to 31 March 2027, so 2027/28 gets no day; the one day of 2025/26 is labelled as such."""
    from csctools.forecast.costs import year_label

    days = [date(2026, 3, 31) + timedelta(days=i) for i in range(367)]
    years = by_financial_year(cost_frame(tidy(days, 1.0, 0.0), CostSettings({"FOSTERING": 700.0})))
    fostering = years.filter(pl.col("placement") == "FOSTERING")
    assert fostering.select("year", "cost", "partial").rows() == [("2025/26", 100.0, True), ("2026/27", 36500.0, False)]
    labels = [year_label(y, a, b) for y, a, b in fostering.select("year", "first_day", "last_day").rows()]
    assert labels == ["2025/26 (part year: 1 day, 2026-03-31)", "2026/27"]
    assert year_label("2027/28", date(2027, 4, 1), date(2027, 4, 18)) == (
        "2027/28 (part year: 18 days, 2027-04-01 to 2027-04-18)"
    )


def test_simulation_cost_by_year_is_percentiles_of_the_runs_costs() -> None:
    """Two runs, one with 1 and one with 3 fostered children throughout, at 100 a day: 31 days of 2026/27 and 29 of
    2027/28 (the last step, 30 April, closes the forecast). Percentiles interpolate between the two runs."""
    import numpy as np

    from csctools.forecast.costs import run_year_quantiles

    days = [date(2027, 3, 1), date(2027, 3, 31), date(2027, 4, 30)]
    costs = cost_frame(tidy(days, 2.0, 0.0), CostSettings({"FOSTERING": 700.0, "RESIDENTIAL": 7000.0}))
    runs = np.zeros((2, 3, 4))
    runs[0, :, 0], runs[1, :, 0] = 1.0, 3.0
    table = run_year_quantiles(runs, costs)
    row = {(y, p): (a, m, b) for y, p, a, m, b in table.select("year", "placement", "p05", "p50", "p95").rows()}
    assert row[("2026/27", "FOSTERING")] == pytest.approx((3100 + 0.05 * 6200, 6200, 3100 + 0.95 * 6200))
    assert row[("2027/28", "FOSTERING")] == pytest.approx((2900 + 0.05 * 5800, 5800, 2900 + 0.95 * 5800))
    assert row[("2027/28", "ALL")] == row[("2027/28", "FOSTERING")] and row[("2027/28", "RESIDENTIAL")] == (0, 0, 0)


def test_an_entries_change_can_name_age_bands(tmp_path: Path) -> None:
    import numpy as np

    from csctools.forecast.demand_model import Fit, adjusted

    path = tmp_path / "s.yaml"
    path.write_text(
        "name: x\nchanges:\n  - {change: entries, from: 2027-06-01, factor: 0.5, age_bands: [TEN_TO_SIXTEEN]}\n"
    )
    (scenario,) = load_scenarios(path)
    assert scenario.changes[0].age_bands == ("TEN_TO_SIXTEEN",)
    # demand-model-0.5: entrants per day into each of the 25 states (age-major, 5 per band) halved in band 3 only.
    model = Fit(date(2025, 1, 1), np.zeros((1, 25)), np.zeros((25, 26)), np.full(25, 0.1), *[date(2026, 3, 1)] * 3)
    _, entrants = adjusted(model, scenario.changes)
    assert entrants.tolist() == [0.1] * 15 + [0.05] * 5 + [0.1] * 5
    path.write_text("name: x\nchanges:\n  - {change: unit_cost, from: 2027-06-01, placement: OTHER, weekly: 1, "
                    "age_bands: [TEN_TO_SIXTEEN]}\n")  # fmt: skip
    with pytest.raises(PackError, match=r'unknown key "age_bands"'):
        load_scenarios(path)


def test_simulation_entries_change_only_the_named_age_bands() -> None:
    """30 entrants a month on average, half entering at age step 0 (band 0) and half at age step 1 (band 3, as
    `band_of_age` says); no teenager enters with factor 0 for band 3, and the others keep their mean of 15."""
    import numpy as np

    from csctools.forecast.scenarios import Change
    from csctools.forecast.simulation import EntryModel, _entries

    profile = np.array([[0.5, 0, 0, 0], [0.5, 0, 0, 0]])
    model = EntryModel(np.array([np.log(30.0), 0.0]), np.eye(2), date(2026, 1, 1), False, profile)
    runs = np.tile([np.log(30.0), 0.0], (4000, 1))
    change = Change("entries", date(2027, 1, 1), "", "", "all", 0.0, ("TEN_TO_SIXTEEN",))
    band_of_age = np.array([0, 3])
    rng = np.random.default_rng(5)
    placed = _entries(model, runs, date(2027, 1, 1), 30, (change,), 0, band_of_age, rng)  # 30 days: 0.986 months
    assert placed[:, 1].sum() == 0
    assert placed[:, 0, 0].mean() == pytest.approx(15 * 30 / (365.25 / 12), abs=0.3)  # 4 standard errors
    before = _entries(model, runs, date(2026, 12, 31), 30, (change,), 0, band_of_age, rng)  # not started yet
    assert before[:, 1, 0].mean() == pytest.approx(15 * 30 / (365.25 / 12), abs=0.3)
