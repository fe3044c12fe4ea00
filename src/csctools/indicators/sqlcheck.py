"""A pack's indicators run once over empty tables of the data model, as `csc packs check` checks a rule's SQL:
a column that does not exist, a view it cannot find or SQL that is not one SELECT returning `child` is one line
naming the indicator's file and line, before `csc indicators` would say "could not run"."""

from __future__ import annotations

from collections.abc import Sequence

from csctools.indicators.records import POPULATION, Indicator
from csctools.io.result import ReturnData
from csctools.years import CollectionYear

CHECKED_YEAR = CollectionYear(2026)  # the data model's year the SQL is run against (its columns)


def empty_returns(year: CollectionYear) -> list[ReturnData]:
    """Each return of the data model with every table, empty and typed as its reader gives it that year."""
    from csctools.packs.check import year_table
    from csctools.share.columns import DATASETS

    return [
        ReturnData(name, year, {t.name: year_table(dataset, t.name, year) for t in dataset.tables}, [])
        for name, dataset in DATASETS.items()
    ]


def check_indicators(
    indicators: Sequence[Indicator], views: dict[str, str], year: CollectionYear = CHECKED_YEAR
) -> None:
    """Each indicator's numerator and denominator run over empty tables of this year and last (with the shared
    views); a PackError
    naming the indicator's file and line for the first that cannot run."""
    from csctools.indicators.compute import Period, Sandbox
    from csctools.packs.files import PackError
    from csctools.packs.sql import SqlError

    box = Sandbox(empty_returns(year), Period.ending(year.end_date), "000", views, empty_returns(year.previous()))
    for indicator in indicators:
        for part, sql in (("numerator", indicator.numerator), ("denominator", indicator.denominator)):
            if sql is None or sql == POPULATION:
                continue
            try:
                box.count(sql, part)
            except SqlError as error:
                raise PackError(indicator.source, f"indicator {indicator.id}: its {part} cannot run: {error}") from None
