"""Columns a return's files lack: the rules that read one are "not run: needs column X", every other rule runs.

A reader keeps a missing column as an empty one (docs/readers.md) and reports it as a structural problem. Empty
is not the same as absent: a rule over an empty DOB would flag every row. So the rules see the tables without
the missing columns (nor derived columns worked out from them), and a rule that asks for one of them is told
"not run" with the column it needs, found from polars' (or DuckDB's) own "column not found" error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

import polars as pl

from csctools.io.result import ReturnData
from csctools.model import RAW_SUFFIX

Tables = dict[str, pl.DataFrame]


class Gap(NamedTuple):
    """A column a table's file lacks, this year's or last year's."""

    table: str
    column: str
    last_year: bool = False


def gaps_of(data: ReturnData, previous: ReturnData | None) -> list[Gap]:
    found = [Gap(t, c) for t, columns in data.missing_columns().items() for c in columns]
    if previous is not None:
        found += [Gap(t, c, True) for t, columns in previous.missing_columns().items() for c in columns]
    return found


def without_gaps(
    tables: Tables, gaps: list[Gap], last_year: bool, derived_from: Mapping[str, tuple[str, ...]]
) -> Tables:
    """The tables without their missing columns (and their `_raw` text), nor the columns derived from them."""
    dropped: dict[str, set[str]] = {}
    for gap in gaps:
        if gap.last_year == last_year:
            names = {gap.column, gap.column + RAW_SUFFIX}
            names |= {d for d, sources in derived_from.items() if gap.column in sources}
            dropped.setdefault(gap.table, set()).update(names)
    return {
        name: frame.drop(sorted(dropped[name] & set(frame.columns))) if name in dropped else frame
        for name, frame in tables.items()
    }


QUOTED = re.compile(r'"([^"]+)"')


def needed_column(error: Exception, gaps: list[Gap], derived_from: Mapping[str, tuple[str, ...]]) -> str | None:
    """ "needs column X (...)" when `error` is a column-not-found error (polars: `unable to find column "X"`,
    `"X" not found`; DuckDB: `Referenced column "X" not found`) for a missing column; None otherwise."""
    first_line = str(error).split("\n", 1)[0]
    if "not found" not in first_line and "unable to find column" not in first_line:
        return None
    missing = {gap.column.lower(): gap.column for gap in gaps}
    for name in QUOTED.findall(first_line):
        name = name.removesuffix(RAW_SUFFIX)  # the text of a value that did not parse
        sources = derived_from.get(name.upper(), (name,))  # SQL may write a column in lower case
        wanted = [missing[s.lower()] for s in sources if s.lower() in missing]
        if wanted:
            return "needs " + " and ".join(_column_words(column, gaps) for column in wanted)
    return None


def _column_words(column: str, gaps: list[Gap]) -> str:
    places = sorted({(g.last_year, g.table) for g in gaps if g.column.lower() == column.lower()})
    where = ", ".join(f"{'last year' if last else 'this year'}'s {table} file" for last, table in places)
    return f"column {column} (missing from {where})"
