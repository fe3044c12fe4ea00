"""Running local rules: their SQL over the return's frames in the sandbox, failing rows handed to the engine.

One sandbox connection per validation holds this year's tables, last year's (`prev_<table>`) and `collection`.
The conditions of every local rule over the same table are evaluated in one query; if that query fails, each
condition runs alone, so only a broken rule is reported as "could not run".
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from csctools.model import SOURCE_FILE, SOURCE_ROW
from csctools.packs.rules import COLLECTION, PREVIOUS, ROW_INDEX, LocalRule
from csctools.packs.sql import SqlError, query, register, sandbox
from csctools.validate.context import Context
from csctools.validate.registry import Check, Failures, Rule

_CONNECTION = ("csctools.packs", "connection")
SHARED = ("csctools.packs", "shared sandbox")  # a connection to reuse (checking examples), set by the caller


def collection_frame(ctx: Context) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "start_date": [ctx.start],
            "end_date": [ctx.end],
            "la_code": [ctx.authority.number if ctx.authority else None],
        },
        schema={"start_date": pl.Date, "end_date": pl.Date, "la_code": pl.String},
    )


def _frame(ctx: Context, name: str) -> pl.DataFrame:
    if name == COLLECTION:
        return collection_frame(ctx)
    if name.startswith(PREVIOUS):
        return ctx.last_year(name.removeprefix(PREVIOUS))
    return ctx.table(name).with_row_index(ROW_INDEX)


def connection(ctx: Context, names: Iterable[str]) -> tuple[duckdb.DuckDBPyConnection, dict[str, pl.DataFrame]]:
    """The validation's sandbox, holding (from the first time it is asked for each) the named tables: this
    year's with their row positions, last year's as prev_<table>, and `collection`."""
    state: tuple[duckdb.DuckDBPyConnection, dict[str, pl.DataFrame]] | None = ctx.cache.get(_CONNECTION)
    if state is None:
        state = ctx.cache[_CONNECTION] = (ctx.cache.get(SHARED) or sandbox(), {})
    con, frames = state
    for name in names:
        if name not in frames:
            frames[name] = _frame(ctx, name)
            register(con, name, frames[name])
    return con, frames


def _tables(local: LocalRule) -> tuple[str, ...]:
    return (*local.info.tables, COLLECTION)


class ConditionBatch:
    """The condition rules of the given packs over one table, evaluated together once per validation."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.rules: list[LocalRule] = []

    def add(self, local: LocalRule) -> None:
        self.rules.append(local)

    def _together(self, con: duckdb.DuckDBPyConnection, rules: list[LocalRule]) -> dict[str, pl.Series]:
        flags = [f'coalesce(({r.condition}), false) AS "{r.code}"' for r in rules]
        failing = " OR ".join(f'"{r.code}"' for r in rules)
        sql = f'SELECT * FROM (SELECT "{ROW_INDEX}", {", ".join(flags)} FROM "{self.table}") WHERE {failing}'
        found = query(con, sql)
        return {r.code: found.filter(pl.col(r.code))[ROW_INDEX] for r in rules}

    def failing(self, ctx: Context) -> dict[str, pl.Series | SqlError]:
        """Row positions of each rule's failing rows, or why its SQL failed (cached for the validation)."""
        key = ("csctools.packs", "batch", id(self))
        if key in ctx.cache:
            return ctx.cache[key]  # type: ignore[no-any-return]
        wanted = [r for r in self.rules if ctx.year.end in r.info.years]
        con, _ = connection(ctx, {name for r in wanted for name in _tables(r)})
        result: dict[str, pl.Series | SqlError] = {}
        try:
            result.update(self._together(con, wanted))
        except SqlError:
            for local in wanted:
                try:
                    result[local.code] = query(con, local.sql())[ROW_INDEX]
                except SqlError as error:
                    result[local.code] = error
        ctx.cache[key] = result
        return result


def _condition_check(local: LocalRule, batch: ConditionBatch) -> Rule:
    def check(ctx: Context) -> Iterable[Failures]:
        found = batch.failing(ctx)[local.code]
        if isinstance(found, SqlError):
            raise found
        _, frames = connection(ctx, _tables(local))
        rows = frames[local.table][found].drop(ROW_INDEX)
        yield Failures(local.table, rows, local.info.fields or None)

    return _rule(local, check)


def _query_check(local: LocalRule) -> Rule:
    def check(ctx: Context) -> Iterable[Failures]:
        con, frames = connection(ctx, _tables(local))
        found = query(con, local.sql())
        columns = {c.lower(): c for c in found.columns}
        if SOURCE_ROW not in columns:
            raise SqlError(f"the query must return {SOURCE_ROW} (the row of {local.table} that fails)")
        keys = [SOURCE_ROW] + ([SOURCE_FILE] if SOURCE_FILE in columns else [])
        picked = found.select(pl.col(columns[k]).alias(k) for k in keys).unique()
        picked = picked.with_columns(pl.col(SOURCE_ROW).cast(pl.Int64, strict=False))
        table = frames[local.table].drop(ROW_INDEX)
        yield Failures(local.table, table.join(picked, on=keys, how="semi"), local.info.fields or None)

    return _rule(local, check)


def _rule(local: LocalRule, check: Check) -> Rule:
    tags = frozenset({local.pack, *local.tags})
    check.__doc__ = local.guidance or local.info.message
    return Rule(local.dataset, local.info, check, local.info.needs, None, local.pack, tags)


def compile_rules(rules: list[LocalRule]) -> list[Rule]:
    """Local rules as engine rules: conditions over the same table share one query."""
    batches: dict[tuple[str, str], ConditionBatch] = {}
    compiled = []
    for local in rules:
        if local.condition is not None:
            batch = batches.setdefault((local.dataset, local.table), ConditionBatch(local.table))
            batch.add(local)
            compiled.append(_condition_check(local, batch))
        else:
            compiled.append(_query_check(local))
    return compiled
