"""Costs of a forecast: a weekly unit cost per placement category, inflation, discounting, financial years."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
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
    """Cost per financial year and placement, from the first step's date to the day before the last step's: each
    step's cost per day holds every day until the next step (a step counts the children in care at the start of
    its day, so the last step closes the forecast rather than opening a day of its own), days split at 1 April,
    discounted by the day; running total over years; `partial` marks a year the forecast covers only part of (its
    first and last days say which part)."""
    start, end = costs["date"].min(), costs["date"].max()
    assert isinstance(start, date) and isinstance(end, date)
    calendar = pl.DataFrame({"day": pl.date_range(start, max(start, end - timedelta(days=1)), eager=True)})
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
    """'2026/27' for a whole financial year, '2026/27 (part year: 182 days, 2026-10-01 to 2027-03-31)' for part of
    one ('2029/30 (part year: 1 day, 2029-04-01)'), so that a stub of a few days never reads as a year."""
    start = int(year[:4])
    if first == date(start, 4, 1) and last == date(start + 1, 3, 31):
        return year
    return f"{year} ({part_year(first, last)})"


def part_year(first: date, last: date) -> str:
    """'part year: 182 days, 2026-10-01 to 2027-03-31', or 'part year: 1 day, 2029-04-01'."""
    days = (last - first).days + 1
    span = f"{first}" if days == 1 else f"{first} to {last}"
    return f"part year: {days} day{'s' if days > 1 else ''}, {span}"


def run_year_quantiles(run_totals: np.ndarray, costs: pl.DataFrame) -> pl.DataFrame:
    """The simulation's cost per financial year as percentiles of its runs (not sums of percentiles): each run's
    children by placement at each step (`run_totals`: runs x steps x categories, the dates of `costs`) costed at
    the steps' weekly unit costs over the same days as `by_financial_year`; a row per year and placement, and one
    per year for ALL placements together: year, placement, p05, p25, p50, p75, p95."""
    wide = costs.pivot(on="placement", index="date", values="weekly_unit_cost").sort("date")
    unit = wide.select(pl.col(c) if c in wide.columns else pl.lit(0.0).alias(c) for c in CATEGORIES).to_numpy()
    start, end = costs["date"].min(), costs["date"].max()
    assert isinstance(start, date) and isinstance(end, date)
    steps = costs.select("date").unique().sort("date").with_row_index("step").rename({"date": "day"})
    calendar = (
        pl.DataFrame({"day": pl.date_range(start, max(start, end - timedelta(days=1)), eager=True)})
        .join_asof(steps, on="day", strategy="backward")
        .with_columns(financial_year(pl.col("day")).alias("year"))
    )
    years = sorted(calendar["year"].unique().to_list())
    year_index = calendar["year"].replace_strict({y: i for i, y in enumerate(years)}, return_dtype=pl.Int64)
    days = np.zeros((steps.height, len(years)))  # days of each step's cost in each year
    np.add.at(days, (calendar["step"].to_numpy(), year_index.to_numpy()), 1.0)
    per_run = np.einsum("rsc,sc,sy->ryc", run_totals, unit / 7.0, days)  # runs x years x categories
    per_run = np.concatenate([per_run, per_run.sum(axis=2, keepdims=True)], axis=2)
    quantiles = np.quantile(per_run, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)  # 5 x years x (categories + ALL)
    placements = (*CATEGORIES, "ALL")
    frame: dict[str, object] = {
        "year": np.repeat(years, len(placements)),
        "placement": np.tile(placements, len(years)),
    }
    for name, values in zip(("p05", "p25", "p50", "p75", "p95"), quantiles, strict=True):
        frame[name] = values.reshape(-1)
    return pl.DataFrame(frame)
