"""Working days in England: Monday to Friday, less bank holidays (shipped for 2022 to 2027)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import polars as pl

from csctools.package_data import read_text


@lru_cache(maxsize=1)
def bank_holidays() -> tuple[date, ...]:
    text = read_text("reference", "data", "bank_holidays_england.csv")
    return tuple(date.fromisoformat(line) for line in text.splitlines()[1:] if line)


def working_days_between(start: pl.Expr | date, end: pl.Expr | date) -> pl.Expr:
    """Working days after `start` up to and including `end` (negative when end is before start)."""
    first = pl.lit(start) if isinstance(start, date) else start
    last = pl.lit(end) if isinstance(end, date) else end
    return pl.business_day_count(first.dt.offset_by("1d"), last.dt.offset_by("1d"), holidays=list(bank_holidays()))
