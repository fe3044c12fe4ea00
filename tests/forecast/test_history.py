"""Cleaning of episodes across years (the published model's rules), every change listed, and bad input."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from csctools.forecast.history import (
    NO_HEADER,
    SAME_END,
    SAME_START,
    SHORTENED,
    ForecastInputError,
    load_history,
    truncate_history,
)
from tests.forecast.helpers import history, year

BORN = {"A": date(2012, 5, 1), "B": date(2015, 6, 1)}


def test_episode_repeated_in_next_years_return_is_kept_once_with_its_end() -> None:
    open_last_year = year(2025, BORN, [("A", date(2024, 6, 1), None, "U1")])
    closed_this_year = year(2026, BORN, [("A", date(2024, 6, 1), date(2025, 7, 1), "U1")])
    cleaned = load_history([open_last_year, closed_this_year])
    assert cleaned.episodes.select("DECOM", "DEC").rows() == [(date(2024, 6, 1), date(2025, 7, 1))]
    assert cleaned.changes.select("_source", "reason").rows() == [("2025/episodes.csv", SAME_START)]


def test_same_end_keeps_the_longer_episode_and_overlaps_are_shortened() -> None:
    cleaned = history(
        BORN,
        [
            ("A", date(2025, 5, 1), date(2025, 9, 1), "U1"),
            ("A", date(2025, 6, 1), date(2025, 9, 1), "K2"),  # same end as the first: dropped
            ("A", date(2025, 8, 1), None, "U2"),  # starts before the first ends: the first is cut to 1 August
            ("B", date(2025, 4, 10), None, "U3"),
            ("B", date(2025, 10, 1), date(2026, 1, 1), "U4"),  # B's open episode is closed when this one starts
        ],
    )
    assert cleaned.episodes.select("CHILD", "DECOM", "DEC", "PLACE").rows() == [
        ("A", date(2025, 5, 1), date(2025, 8, 1), "U1"),
        ("A", date(2025, 8, 1), None, "U2"),
        ("B", date(2025, 4, 10), date(2025, 10, 1), "U3"),
        ("B", date(2025, 10, 1), date(2026, 1, 1), "U4"),
    ]
    reasons = dict(cleaned.changes.select(pl.format("{}:{}", "CHILD", "_row"), "reason").rows())
    assert reasons == {"A:3": SAME_END, "A:2": SHORTENED, "B:5": SHORTENED}


def test_episodes_of_a_child_without_a_header_are_listed_not_lost() -> None:
    cleaned = history({"A": BORN["A"]}, [("A", date(2025, 5, 1), None, "U1"), ("Z", date(2025, 5, 1), None, "U1")])
    assert cleaned.episodes["CHILD"].to_list() == ["A"]
    assert cleaned.changes.filter(pl.col("reason") == NO_HEADER)["CHILD"].to_list() == ["Z"]


def test_episode_ending_before_it_starts_names_file_and_row() -> None:
    with pytest.raises(ForecastInputError, match=r"2026/episodes.csv, row 3, column DEC: child B: .*ends"):
        history(BORN, [("A", date(2025, 5, 1), None, "U1"), ("B", date(2025, 5, 1), date(2025, 4, 1), "U1")])


def test_episode_long_before_birth_is_an_error() -> None:
    with pytest.raises(ForecastInputError, match=r"row 2, column DECOM: child B: .*before the child's birth"):
        history(BORN, [("B", date(2010, 1, 1), None, "U1")])


def test_dates_after_the_returns_year_are_errors() -> None:
    # The 2025/26 return (1 April 2025 to 31 March 2026) cannot know of an episode starting or ending later.
    with pytest.raises(
        ForecastInputError,
        match=r"row 3, column DECOM: child B: the episode starts \(2026-04-01\) "
        r"after the end of its return's collection year \(2026-03-31\)",
    ):
        history(BORN, [("A", date(2025, 5, 1), None, "U1"), ("B", date(2026, 4, 1), None, "U1")])
    with pytest.raises(ForecastInputError, match=r"row 2, column DEC: child A: the episode ends \(2027-01-01\) after"):
        history(BORN, [("A", date(2025, 5, 1), date(2027, 1, 1), "U1")])


def test_years_missing_or_given_twice() -> None:
    first, third = year(2024, BORN, []), year(2026, BORN, [])
    with pytest.raises(ForecastInputError, match=r"years missing: 2024/25"):
        load_history([third, first])
    with pytest.raises(ForecastInputError, match=r"two returns for 2025/26"):
        load_history([third, year(2026, BORN, [])])


def test_truncation_forgets_what_was_not_yet_known() -> None:
    cleaned = history(BORN, [("A", date(2025, 5, 1), date(2025, 12, 1), "U1"), ("B", date(2025, 11, 1), None, "U1")])
    known = truncate_history(cleaned, date(2025, 10, 1))
    assert known.episodes.select("CHILD", "DEC").rows() == [("A", None)]


def test_a_date_of_birth_that_differs_between_years_is_a_warning_counted_in_words() -> None:
    episodes: list[tuple[str, date, date | None, str]] = [("A", date(2024, 6, 1), None, "U1")]
    first = year(2025, BORN, episodes)
    corrected = year(2026, {**BORN, "A": date(2012, 5, 2)}, episodes)
    warnings = load_history([first, corrected]).warnings
    assert warnings == (
        "1 child has different dates of birth in different years' Headers; the first year's is used "
        "(e.g. child A, 2025/header.csv, row 2)",
    )
    both = year(2026, {"A": date(2012, 5, 2), "B": date(2015, 6, 2)}, episodes)
    assert load_history([first, both]).warnings[0].startswith("2 children have different dates of birth")
