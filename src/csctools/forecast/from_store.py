"""The 903 history of one authority from a store made by `csc store add`: its latest accepted version of each year.

Read through `csctools.store.queries.standing` (which version stands for each year) and plain SQL on the store's
data tables; the store is opened read-only. Each row keeps the row number it had in the file the authority sent,
and its `_source` names the store, the year and the version, so a bad date is reported as it is for folders.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from csctools.forecast.history import (
    UNREADABLE_DATE,
    UNREADABLE_DOB,
    ForecastInputError,
    YearData,
    without_unreadable,
)
from csctools.model import SOURCE_ROW
from csctools.years import CollectionYear

DATASET = "ssda903"
MIN_YEARS = 2  # a year's reference period needs a year of data; the back-test a year before it


def store_years(store: Path, la_number: str) -> tuple[list[YearData], list[str]]:
    """Header and Episodes of each collection year the store holds for the authority (latest accepted versions).

    Returns the years and notes (one line each: which version of which year was used)."""
    from csctools.store.db import StoreError, data_table, frame, open_store
    from csctools.store.queries import standing

    try:
        with open_store(store, read_only=True) as connection:
            latest = standing(connection).filter((pl.col("la_number") == la_number) & (pl.col("dataset") == DATASET))
            latest = latest.select("submission_id", "year", "version").sort("year")
            tables = {}
            for table in ("Header", "Episodes", "UASC"):
                sql = (
                    f'SELECT * FROM "{data_table(DATASET, table)}" WHERE submission_id IN (SELECT unnest(?::BIGINT[]))'
                )
                tables[table] = frame(connection, sql, [latest["submission_id"].to_list()])
    except StoreError as error:
        raise ForecastInputError(str(error)) from None
    found = [CollectionYear(int(y)).label for y in latest["year"].to_list()]
    if len(found) < MIN_YEARS:
        held = f"only {', '.join(found)}" if found else "none"
        raise ForecastInputError(
            f"{store}: the store holds {held} of authority {la_number}'s SSDA903 returns; a forecast from a store "
            f"needs at least {MIN_YEARS} consecutive years (csc store add more years, or give folders)"
        )
    years, notes = [], []
    for submission_id, year_end, version in latest.rows():
        year = CollectionYear(int(year_end))
        source = f"{store} ({la_number} {year.label} version {version})"
        header, episodes, uasc = (tables[t].filter(pl.col("submission_id") == submission_id) for t in tables)
        if episodes.height == 0:
            raise ForecastInputError(f"{source}: no Episodes rows (a forecast needs Header and Episodes)")
        header, episodes = _header(header, uasc, source), _episodes(episodes, source)
        header, bad_births = without_unreadable(header, ("DOB",), UNREADABLE_DOB)
        episodes, bad_episodes = without_unreadable(episodes, ("DECOM",), UNREADABLE_DATE)
        years.append(YearData(year, header, episodes, (source,), pl.concat([bad_births, bad_episodes])))
        notes.append(f"{year.label}: version {version} from the store")
    return years, notes


def _located(source: str, table: str) -> list[pl.Expr]:
    return [pl.lit(f"{source} {table}").alias("_source"), pl.col(SOURCE_ROW).cast(pl.Int64).alias("_row")]


def _header(header: pl.DataFrame, uasc: pl.DataFrame, source: str) -> pl.DataFrame:
    """CHILD, DOB, UASC ('1' for a child in the year's UASC table, as the CSV reader derives it), _source, _row."""
    flagged = pl.col("CHILD").is_in(uasc["CHILD"].implode()) if uasc.height else pl.lit(False)
    return header.select(
        "CHILD",
        "DOB",
        pl.when(flagged).then(pl.lit("1")).otherwise(pl.lit("0")).alias("UASC"),
        *_located(source, "Header"),
    )


def _episodes(episodes: pl.DataFrame, source: str) -> pl.DataFrame:
    return episodes.select("CHILD", "DECOM", "DEC", "PLACE", *_located(source, "Episodes"))
