"""Back-test: fit on the history known a year before its end, forecast that year, compare with what happened."""

from __future__ import annotations

from datetime import date

import polars as pl

from csctools.forecast.history import History, truncate_history
from csctools.forecast.states import (
    AGE_BANDS,
    CATEGORIES,
    N_AGES,
    PLACE_CATEGORY,
    YEAR_IN_DAYS,
    Mapping,
    age_band_index,
    category_index,
)


def in_care(history: History, days: list[date], categories: Mapping = PLACE_CATEGORY) -> pl.DataFrame:
    """Children in care on each day (started on or before it, not ended by it), by age band (their real age that
    day) and placement category: date, age_band, placement, actual."""
    frame = pl.DataFrame({"date": days}, schema={"date": pl.Date})
    first, last = min(days), max(days)
    episodes = history.episodes.filter(
        (pl.col("DECOM") <= last) & (pl.col("DEC").is_null() | (pl.col("DEC") > first))
    ).select("DECOM", "DEC", "DOB", category_index(pl.col("PLACE"), categories).alias("c"))
    counted = frame.join(episodes, how="cross").filter(
        (pl.col("DECOM") <= pl.col("date")) & (pl.col("DEC").is_null() | (pl.col("DEC") > pl.col("date")))
    )
    age = (pl.col("date") - pl.col("DOB")).dt.total_days() / YEAR_IN_DAYS
    counts = counted.with_columns(age_band_index(age).alias("b")).drop_nulls("b").group_by("date", "b", "c").len()
    cells = pl.DataFrame(
        {
            "b": [b for b in range(N_AGES) for _ in CATEGORIES],
            "c": [c for _ in range(N_AGES) for c in range(len(CATEGORIES))],
        },
        schema={"b": pl.Int32, "c": pl.Int32},
    )
    return (
        frame.join(cells, how="cross")
        .join(counts, on=["date", "b", "c"], how="left")
        .select(
            "date",
            pl.col("b").replace_strict(dict(enumerate(AGE_BANDS)), return_dtype=pl.String).alias("age_band"),
            pl.col("c").replace_strict(dict(enumerate(CATEGORIES)), return_dtype=pl.String).alias("placement"),
            pl.col("len").fill_null(0).cast(pl.Float64).alias("actual"),
        )
    )


def backtest_cutoff(history: History) -> date | None:
    """A year before the end of the data, if about a year of history (300 days or more) lies before it."""
    end = history.last_day
    cutoff = date(end.year - 1, end.month, min(end.day, 28 if end.month == 2 else end.day))
    if (cutoff - history.first_day).days < 300:  # too little to fit on
        return None
    return cutoff


def known_at(history: History, cutoff: date) -> History:
    return truncate_history(history, cutoff)


def compare(forecast: pl.DataFrame, actual: pl.DataFrame) -> pl.DataFrame:
    """Per placement: forecast and actual at the last date compared, error, and mean absolute % error over the year.

    `forecast`: date, placement, forecast (and optionally low, high: a 90% band) summed over age bands."""
    by_category = actual.group_by("date", "placement").agg(pl.col("actual").sum())
    joined = forecast.join(by_category, on=["date", "placement"], how="inner")
    last = joined["date"].max()
    pct = (pl.col("forecast") - pl.col("actual")).abs() / pl.col("actual").clip(1) * 100
    summary = joined.group_by("placement").agg(
        pct.mean().alias("mean_abs_pct_error"),
        *(
            [((pl.col("actual") >= pl.col("low")) & (pl.col("actual") <= pl.col("high"))).mean().alias("in_90_band")]
            if "low" in joined.columns
            else []
        ),
    )
    at_end = joined.filter(pl.col("date") == last).select(
        "placement",
        pl.col("date").alias("compared_on"),
        "actual",
        "forecast",
        (pl.col("forecast") - pl.col("actual")).alias("error"),
        ((pl.col("forecast") - pl.col("actual")) / pl.col("actual").clip(1) * 100).alias("pct_error"),
    )
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return at_end.join(summary, on="placement").sort(pl.col("placement").replace_strict(order, return_dtype=pl.Int32))
