"""Which SSDA903 table a CSV header describes, and which collection year a set of tables belongs to."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import polars as pl

from csctools.datasets.ssda903.schema import DERIVED_COLUMNS, SSDA903
from csctools.model import Table
from csctools.years import CollectionYear

# Dates that mark activity in the year (not DOB, not DUC which may lie in the future).
ACTIVITY_DATES = (
    "DECOM",
    "DEC",
    "REVIEW",
    "MIS_START",
    "MIS_END",
    "DATE_PLACED",
    "DATE_PLACED_CEASED",
    "DATE_INT",
    "DATE_MATCH",
    "SW_DECOM",
    "SW_DEC",
    "DOLO_START",
    "DOLO_END",
)


@lru_cache(maxsize=4096)
def normalise_header(name: str) -> str:
    """'Child Id ' -> 'CHILD_ID'; a BOM or quotes left in the header are removed."""
    return re.sub(r"[^A-Z0-9]+", "_", name.replace("\ufeff", "").strip().upper()).strip("_")


def _known_names(table: Table) -> dict[str, str]:
    return _names_of(table.name)


@lru_cache(maxsize=64)
def _names_of(table_name: str) -> dict[str, str]:
    table = SSDA903.table(table_name)
    names = {}
    for column in (*table.columns, *DERIVED_COLUMNS.get(table.name, ())):
        names[column.name] = column.name
        for alias in column.aliases:
            names[alias] = column.name
    return names


def canonical_columns(table: Table, headers: list[str]) -> list[str | None]:
    """The table column each header names, or None for a column the table does not have."""
    known = _known_names(table)
    return [known.get(normalise_header(h)) for h in headers]


def match_table(headers: list[str]) -> tuple[Table | None, float]:
    """The SSDA903 table whose columns best match the header, with a score (1.0 = exactly its columns)."""
    return _match_table(tuple(headers))


@lru_cache(maxsize=256)  # this year's and last year's files have the same headers
def _match_table(headers: tuple[str, ...]) -> tuple[Table | None, float]:
    best: tuple[Table | None, float] = (None, 0.0)
    for table in SSDA903.tables:
        found = {c for c in canonical_columns(table, list(headers)) if c}
        expected = set(table.column_names())
        score = len(found & expected) / len(expected | {normalise_header(h) for h in headers if h.strip()})
        if len(found & expected) >= 2 and score > best[1]:
            best = (table, score)
    return best


def year_from_content(frames: dict[str, pl.DataFrame], today: date | None = None) -> CollectionYear | None:
    """The collection year of the latest activity dates (ignoring the 1% latest, which may be typing errors)."""
    limit = today or date.today()
    dates = [
        frame[col].drop_nulls()
        for frame in frames.values()
        for col in ACTIVITY_DATES
        if col in frame.columns and frame.schema[col] == pl.Date
    ]
    series = pl.concat(dates) if dates else pl.Series([], dtype=pl.Date)
    series = series.filter(series <= limit)
    if series.is_empty():
        return None
    latest = series.sort()[int((len(series) - 1) * 0.99)]
    return CollectionYear.containing(latest)
