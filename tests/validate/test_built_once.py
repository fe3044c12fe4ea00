"""A DfE rule's condition that reads only the collection year is built once per process and year (a store's worker
validates return after return, issue 15); one that reads the return (a table, last year's, the authority, a shared
frame) is built for every validation, and a pack's conditions always are."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

import csctools.validate.registry as registry
from csctools.datasets.ssda903 import SSDA903
from csctools.validate.context import Context
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)


def _context(year: CollectionYear, dobs: list[date]) -> Context:
    return Context(SSDA903, year, {"Header": pl.DataFrame({"DOB": dobs})})


@pytest.fixture(autouse=True)
def nothing_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_BUILT", {})


def _over(ctx: Context, condition: pl.Expr) -> list[bool]:
    return ctx.table("Header").select(condition).to_series().to_list()


def test_a_condition_of_the_year_alone_is_built_once_per_year() -> None:
    built: list[CollectionYear] = []

    def born_before_the_year(ctx: Context) -> pl.Expr:
        built.append(ctx.year)
        return pl.col("DOB") < ctx.start

    first = _context(YEAR, [date(2025, 3, 31), date(2025, 4, 1), None])  # type: ignore[list-item]
    second = _context(YEAR, [date(2026, 1, 1)])
    assert _over(first, registry.built_once(born_before_the_year, first)) == [True, False, False]  # null: passes
    assert _over(second, registry.built_once(born_before_the_year, second)) == [False]
    assert built == [YEAR]  # the second validation of the year reuses it
    earlier = _context(YEAR.previous(), [date(2024, 4, 1)])
    assert _over(earlier, registry.built_once(born_before_the_year, earlier)) == [False]  # 1 April 2024 is its start
    assert built == [YEAR, YEAR.previous()]


def test_a_condition_reading_the_return_is_built_every_time() -> None:
    built: list[int] = []

    def latest_birth(ctx: Context) -> pl.Expr:
        latest = ctx.table("Header")["DOB"].max()
        built.append(ctx.table("Header").height)
        return pl.col("DOB") == latest

    first = _context(YEAR, [date(2020, 1, 1), date(2021, 6, 1)])
    second = _context(YEAR, [date(2019, 1, 1), date(2018, 1, 1), date(2017, 1, 1)])
    assert _over(first, registry.built_once(latest_birth, first)) == [False, True]
    assert _over(second, registry.built_once(latest_birth, second)) == [True, False, False]  # its own data
    assert built == [2, 3]


def test_a_pack_condition_is_built_every_time() -> None:
    built: list[CollectionYear] = []

    def born_before_the_year(ctx: Context) -> pl.Expr:
        built.append(ctx.year)
        return pl.col("DOB") < ctx.start

    check = registry.condition_check("Header", lambda ctx: ctx.table("Header"), born_before_the_year, None)
    for _ in range(2):
        (failures,) = check(_context(YEAR, [date(2020, 1, 1)]))
        assert isinstance(failures.rows, registry.Where)
    assert built == [YEAR, YEAR]


def test_validating_again_in_the_process_finds_what_a_fresh_process_finds(
    year_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a store's worker does: a second return validated with the conditions kept from the first finds its own
    errors, the same as when every condition is built afresh."""
    from dataclasses import replace

    from csctools.read import read_files
    from csctools.reference.authorities import find_authority
    from csctools.validate.run import validate_return

    (data,), _ = read_files(sorted((year_folder / "ssda903").glob("*.csv")))
    assert data.year is not None
    leeds = find_authority("383")

    def with_bad_sex(row: int) -> object:  # SEX 9 is no code: rule 101 fails that row of the Header
        header = data.tables["Header"].with_row_index("AT")
        bad = header.with_columns(pl.when(pl.col("AT") == row).then(pl.lit("9")).otherwise("SEX").alias("SEX"))
        return replace(data, tables={**data.tables, "Header": bad.drop("AT")})

    validate_return(with_bad_sex(0), data.year, leeds)  # type: ignore[arg-type]
    assert registry._BUILT, "the DfE rules' conditions of the year were kept"
    kept = validate_return(with_bad_sex(1), data.year, leeds)  # type: ignore[arg-type]
    monkeypatch.setattr(registry, "_BUILT", {})
    fresh = validate_return(with_bad_sex(1), data.year, leeds)  # type: ignore[arg-type]
    assert kept.errors.equals(fresh.errors) and kept.outcomes == fresh.outcomes
    sex = kept.errors.filter(pl.col("rule_code") == "101")
    assert sex["row_number"].to_list() == [fresh.tables["Header"]["_row"][1]]  # the second return's row
