"""A pack's indicators run once over empty tables of the data model, as `csc packs check` checks a rule's SQL:
a column that does not exist, a view it cannot find or SQL that is not one SELECT returning `child` is one line
naming the indicator's file and line, before `csc indicators` would say "could not run"."""

from __future__ import annotations

from collections.abc import Sequence

from csctools.indicators.records import POPULATION, Indicator
from csctools.io.result import ReturnData
from csctools.model import Years
from csctools.years import CollectionYear

CHECKED_YEAR = CollectionYear(2026)  # the data model's year the SQL is run against (its columns)


def _years_modelled() -> dict[str, Years]:
    """The years the data model has of each return (the CIN census to 2025/26, the others to 2026/27)."""
    from csctools.share.columns import DATASETS

    spans = {}
    for name, dataset in DATASETS.items():
        spans[name] = Years(min(t.years.first for t in dataset.tables), max(t.years.last for t in dataset.tables))
    return spans


YEARS_MODELLED = _years_modelled()


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
) -> list[str]:
    """Each indicator's numerator and denominator run over empty tables of `year` and the year before (with the
    shared views): a PackError naming the indicator's file and line for the first that cannot run. Then over
    every other year of the data model whose year before is in it too (2023/24 on), for the indicators whose
    returns it models: what cannot run there (a column that year's return does not have) comes
    back as notes, one line each, since the indicator still serves the years it can."""
    from csctools.model import FIRST_YEAR, LAST_YEAR
    from csctools.packs.files import PackError

    for indicator, part, error in _failures(indicators, views, year):
        raise PackError(indicator.source, f"indicator {indicator.id}: its {part} cannot run: {error}")
    notes = []
    for end in range(FIRST_YEAR + 1, LAST_YEAR + 1):  # each with the year before, in the data model too
        other = CollectionYear(end)
        if other == year:
            continue
        modelled = [i for i in indicators if all(other in YEARS_MODELLED[name] for name in i.returns)]
        for indicator, part, error in _failures(modelled, views, other):
            where = f"indicator {indicator.id} ({indicator.source})"
            years = f"{other.label} returns (with {other.previous().label} as last year)"
            notes.append(f"{where}: its {part} cannot run on {years}: {error}")
    return notes


def _failures(
    indicators: Sequence[Indicator], views: dict[str, str], year: CollectionYear
) -> list[tuple[Indicator, str, str]]:
    """(indicator, numerator or denominator, why) for each part that cannot run over empty tables of `year`."""
    from csctools.indicators.compute import Period, Sandbox
    from csctools.packs.sql import SqlError

    box = Sandbox(empty_returns(year), Period.ending(year.end_date), "000", views, empty_returns(year.previous()))
    found = []
    for indicator in indicators:
        for part, sql in (("numerator", indicator.numerator), ("denominator", indicator.denominator)):
            if sql is None or sql == POPULATION:
                continue
            try:
                box.count(sql, part)
            except SqlError as error:
                found.append((indicator, part, box.why(error)))
                break
    return found
