"""The forecast's charts (matplotlib through csctools.plotting): what each shows, its accessible label, part years."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import pytest

from csctools.forecast.charts import forecast_charts
from csctools.forecast.report import part_years, write_xlsx
from csctools.forecast.run import DEMAND_MODEL, Options, Outcome, run_forecast
from csctools.forecast.scenarios import Change, Scenario
from tests.forecast.helpers import history

# Four children over 2025/26; the data end on 10 March 2026, so the forecast starts on 11 March 2026 (21 days of
# 2025/26 are left) and ends 18 months later, in September 2027 (part of 2027/28).
BIRTHS = {"A": date(2014, 1, 1), "B": date(2014, 1, 1), "C": date(2023, 1, 1), "D": date(2009, 1, 1)}
EPISODES = [
    ("A", date(2025, 4, 1), date(2025, 9, 1), "U1"),
    ("A", date(2025, 9, 1), None, "K2"),
    ("B", date(2025, 5, 1), None, "U1"),
    ("C", date(2025, 6, 1), date(2026, 3, 10), "U1"),
    ("D", date(2025, 7, 1), None, "H5"),
]
NO_MOVES = Scenario(
    "no-moves", "No moves", (Change("move", date(2026, 1, 1), "FOSTERING", "RESIDENTIAL", "all", 0.0),), ""
)


@pytest.fixture(scope="module")
def outcome() -> Outcome:
    options = Options(method=DEMAND_MODEL, scenarios=(NO_MOVES,), backtest=False)
    return run_forecast(history(BIRTHS, EPISODES), options)


@pytest.fixture(scope="module")
def charts(outcome: Outcome) -> dict[str, str]:
    return forecast_charts(outcome)


def test_every_chart_is_inline_svg_with_a_label_and_its_text(charts: dict[str, str]) -> None:
    assert list(charts) == ["placement", "age_band", "scenarios", "cost"]
    for svg in charts.values():
        assert svg.startswith('<svg role="img" aria-label="') and "<script" not in svg
    for title in ("Fostering", "Residential", "Supported", "Other"):  # panel titles are text, not paths
        assert f">{title}<" in charts["placement"].replace("\n", "")
    assert ">Ten to sixteen<" in charts["age_band"] and ">no-moves<" in charts["scenarios"]
    # Nobody is ever placed in a 'birth to one' state: the panel says so instead of an axis of fractions.
    assert "no children" in charts["age_band"]


def test_labels_give_the_end_values(outcome: Outcome, charts: dict[str, str]) -> None:
    label = re.search(r'aria-label="([^"]*)"', charts["placement"])
    assert label is not None
    text = label.group(1)
    assert text.startswith("Children in care by placement category: history from ")
    last = outcome.results[0].totals.filter(
        outcome.results[0].totals["date"] == outcome.results[0].totals["date"].max()
    )
    for placement, value in last.select("placement", "population").rows():
        assert f"{placement.capitalize()} {value:,.0f}" in text
    assert "forecast line" in text  # demand-model-0.5 has no bands


def test_part_years_are_named_in_the_chart_the_table_and_the_workbook(
    outcome: Outcome, charts: dict[str, str], tmp_path: Path
) -> None:
    years = part_years(outcome)
    last_step = outcome.results[0].totals["date"].max()
    assert years == ["2025/26 (part: 2026-03-11 to 2026-03-31)", f"2027/28 (part: 2027-04-01 to {last_step})"]
    cost = charts["cost"]
    assert "part: 21 days" in cost and "hatched: part of a year" in cost
    path = tmp_path / "f.xlsx"
    write_xlsx(outcome, history(BIRTHS, EPISODES), path)
    with zipfile.ZipFile(path) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "part year: 2026-03-11 to 2026-03-31" in strings and "whole year" in strings
    assert "Financial year 2025/26 (part: 2026-03-11 to 2026-03-31): a part year" in strings


def test_no_scenario_chart_without_scenarios() -> None:
    from csctools.forecast.charts import scenario_chart

    alone = run_forecast(history(BIRTHS, EPISODES), Options(method=DEMAND_MODEL, backtest=False))
    assert scenario_chart(alone) is None
