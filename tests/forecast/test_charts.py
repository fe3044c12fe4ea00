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
    assert outcome.empty_categories == ("OTHER",)  # no episode of the history has an 'other' placement
    for placement, value in last.select("placement", "population").rows():
        if placement == "OTHER":  # said to be empty, not forecast as a flat zero
            assert "Other: no children in this category in the data" in text and "Other 0" not in text
        else:
            assert f"{placement.capitalize()} {value:,.0f}" in text
    assert "forecast line" in text  # demand-model-0.5 has no bands


def test_part_years_are_named_in_the_chart_the_table_and_the_workbook(
    outcome: Outcome, charts: dict[str, str], tmp_path: Path
) -> None:
    years = part_years(outcome)
    last_step = outcome.results[0].totals["date"].max()
    assert last_step == date(2027, 12, 1)  # 7 steps of 90 days from 11 March 2026; costed to the day before
    assert years == [
        "2025/26 (part year: 21 days, 2026-03-11 to 2026-03-31)",
        "2027/28 (part year: 244 days, 2027-04-01 to 2027-11-30)",
    ]
    cost = charts["cost"]
    assert "part: 21 days" in cost and "hatched: part of a year" in cost
    path = tmp_path / "f.xlsx"
    write_xlsx(outcome, history(BIRTHS, EPISODES), path)
    with zipfile.ZipFile(path) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "part year: 21 days, 2026-03-11 to 2026-03-31" in strings and "whole year" in strings
    assert "Financial year 2025/26 (part year: 21 days, 2026-03-11 to 2026-03-31): a part year" in strings


def test_forecast_to_is_the_last_step_in_the_page_and_the_workbook(outcome: Outcome, tmp_path: Path) -> None:
    """The data end 10 March 2026; the default forecast end 10 September 2027 is reached in 7 steps of 90 days from
    11 March 2026 (ceil(549 / 90)): the last step, 1 December 2027, is the date said everywhere."""
    from csctools.forecast.report import html_page

    assert outcome.forecast_end == date(2027, 9, 10) and outcome.last_step == date(2027, 12, 1)
    said = outcome.period()
    assert said.startswith("forecast to 2027-12-01 (the last step: the forecast end 2027-09-10 rounded up")
    daily = run_forecast(
        history(BIRTHS, EPISODES),
        Options(method=DEMAND_MODEL, step_days=1, forecast_end=date(2026, 6, 30), backtest=False),
    )  # 112 daily steps from 11 March 2026: the last, 1 July, counts the children at the end of 30 June
    assert daily.period() == (
        "forecast to 2026-07-01 (the last step: the children in care at the end of the forecast end, 2026-06-30)"
    )
    page = html_page(outcome, history(BIRTHS, EPISODES), None)
    assert said in page.replace("\n", " ")
    assert '<td colspan="4" class="none">no children in this category in the data</td>' in page  # 'Other' at the end
    path = tmp_path / "f.xlsx"
    write_xlsx(outcome, history(BIRTHS, EPISODES), path)
    with zipfile.ZipFile(path) as book:
        assert said in book.read("xl/sharedStrings.xml").decode()


def test_workbook_sheet_names_fit_excel_and_are_distinct(tmp_path: Path) -> None:
    """Scenario names longer than a sheet name allows, alike but for their end, or alike but for case."""
    from python_calamine import CalamineWorkbook

    from csctools.forecast.report import FIXED_SHEETS, _fit

    assert _fit("By placement ", "fewer-residential-moves-from-june-2027") == "By placement fewer-re\u2026june-2027"
    names = ["fewer-residential-moves-from-june-2027", "fewer-residential-moves-from-june-2028", "Short", "short",
             "x" * 40, "x" * 41, "a/b: c?"]  # fmt: skip
    scenarios = tuple(Scenario(n, n, NO_MOVES.changes, "") for n in names)
    outcome = run_forecast(history(BIRTHS, EPISODES), Options(method=DEMAND_MODEL, scenarios=scenarios, backtest=False))
    path = tmp_path / "f.xlsx"
    write_xlsx(outcome, history(BIRTHS, EPISODES), path)
    sheets = CalamineWorkbook.from_path(str(path)).sheet_names
    placement = [s for s in sheets if s.startswith("By placement")]
    assert placement == [
        "By placement base",
        "By placement fewer-re\u2026june-2027",
        "By placement fewer-re\u2026june-2028",
        "By placement Short",
        "By placement short (2)",
        "By placement xxxxxxxx\u2026xxxxxxxxx",
        "By placement xxxxxx\u2026xxxxxxx (2)",
        "By placement a b c",
    ]
    assert len({s.casefold() for s in sheets}) == len(sheets) == len(placement) + len(FIXED_SHEETS) - 1  # no back-test
    assert all(len(s) <= 31 for s in sheets)
    summary = [row[0] for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Summary").to_python()]
    for sheet, name in zip(placement[1:], names, strict=True):  # each sheet is named with its scenario in full
        assert f"Sheet '{sheet}': children by placement, scenario {name} ({name})" in summary


def test_no_scenario_chart_without_scenarios() -> None:
    from csctools.forecast.charts import scenario_chart

    alone = run_forecast(history(BIRTHS, EPISODES), Options(method=DEMAND_MODEL, backtest=False))
    assert scenario_chart(alone) is None
