"""Costs of a forecast: a weekly unit cost per placement category, inflation, discounting, financial years."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from csctools.forecast.states import CATEGORIES

# The published demand model's defaults: its cost items averaged per category with equal proportions
# (fostering: friend/relative 100, in-house 150, IFA 250), used as *weekly* costs (its charts divide by 7).
PUBLISHED_WEEKLY = {"FOSTERING": (100 + 150 + 250) / 3, "RESIDENTIAL": 1000.0, "SUPPORTED": 1000.0, "OTHER": 1000.0}
# csctools' defaults for the simulation: illustrative round weekly figures in pounds, of the order English
# authorities report for these placement types; replace them with your own (a scenario file's `unit_costs`).
DEFAULT_WEEKLY = {"FOSTERING": 700.0, "RESIDENTIAL": 5500.0, "SUPPORTED": 1500.0, "OTHER": 1200.0}


@dataclass(frozen=True)
class CostSettings:
    weekly: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEEKLY))
    inflation: float = 0.0  # a year, compounded from the forecast start
    discount: float = 0.0  # a year, for present values
    changes: tuple[tuple[date, str, float], ...] = ()  # (from, category, new weekly cost) from scenarios


def financial_year(day: pl.Expr) -> pl.Expr:
    """'2026/27' for 1 April 2026 to 31 March 2027."""
    start = pl.when(day.dt.month() >= 4).then(day.dt.year()).otherwise(day.dt.year() - 1)
    return pl.format("{}/{}", start, ((start + 1) % 100).cast(pl.String).str.zfill(2))


def cost_frame(population: pl.DataFrame, settings: CostSettings, value: str = "population") -> pl.DataFrame:
    """Per date and placement: children, weekly unit cost (after inflation and changes), cost per day, per week.

    `population` is tidy (date, age_band, placement, `value`); dates are the forecast's steps.
    """
    by_category = (
        population.filter(pl.col("placement").is_in(CATEGORIES))
        .group_by("date", "placement", maintain_order=True)
        .agg(pl.col(value).sum().alias("children"))
    )
    start = by_category["date"].min()
    unit = pl.col("placement").replace_strict(settings.weekly, default=0.0, return_dtype=pl.Float64)
    for since, category, weekly in settings.changes:
        unit = pl.when((pl.col("placement") == category) & (pl.col("date") >= since)).then(weekly).otherwise(unit)
    years = (pl.col("date") - pl.lit(start)).dt.total_days() / 365.25
    inflated = unit * (1.0 + settings.inflation) ** years
    return by_category.with_columns(inflated.alias("weekly_unit_cost")).with_columns(
        (pl.col("children") * pl.col("weekly_unit_cost") / 7).alias("cost_per_day"),
        (pl.col("children") * pl.col("weekly_unit_cost")).alias("cost_per_week"),
        ((1.0 + settings.discount) ** (-years)).alias("discount_factor"),
    )


def by_financial_year(costs: pl.DataFrame, discount: float = 0.0) -> pl.DataFrame:
    """Cost per financial year and placement, from the first step's date to the last's: each step's cost per day
    holds every day until the next step, days split at 1 April, discounted by the day; running total over years;
    `partial` marks a year the forecast covers only part of (its first and last days say which part)."""
    start, last = costs["date"].min(), costs["date"].max()
    assert isinstance(start, date) and isinstance(last, date)
    calendar = pl.DataFrame({"day": pl.date_range(start, last, eager=True)})
    placements = costs.select("placement").unique(maintain_order=True)
    steps = costs.select(pl.col("date").alias("day"), "placement", "cost_per_day").sort("day")
    years = (pl.col("day") - pl.lit(start)).dt.total_days() / 365.25
    daily = (
        calendar.join(placements, how="cross")
        .sort("day")
        # the latest step on or before the day (both sorted by day)
        .join_asof(steps, on="day", by="placement", strategy="backward", check_sortedness=False)
        .with_columns(financial_year(pl.col("day")).alias("year"), ((1.0 + discount) ** (-years)).alias("factor"))
    )
    table = (
        daily.group_by("year", "placement", maintain_order=True)
        .agg(
            pl.col("day").min().alias("first_day"),
            pl.col("day").max().alias("last_day"),
            pl.col("cost_per_day").sum().alias("cost"),
            (pl.col("cost_per_day") * pl.col("factor")).sum().alias("discounted_cost"),
        )
        .sort("year", "placement")
    )
    start_year = pl.col("year").str.slice(0, 4).cast(pl.Int32)
    whole = (pl.col("first_day") == pl.date(start_year, 4, 1)) & (pl.col("last_day") == pl.date(start_year + 1, 3, 31))
    return table.with_columns(
        pl.col("cost").cum_sum().over("placement").alias("cumulative_cost"), (~whole).alias("partial")
    )


def year_label(year: str, first: date, last: date) -> str:
    """'2026/27' for a whole financial year, '2026/27 (part: 2026-10-01 to 2027-03-31)' for part of one."""
    start = int(year[:4])
    whole = first == date(start, 4, 1) and last == date(start + 1, 3, 31)
    return year if whole else f"{year} (part: {first} to {last})"
