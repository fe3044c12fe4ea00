"""Running local rules: their SQL over the return's frames in the sandbox, failing rows handed to the engine.

One sandbox connection per validation holds this year's tables, last year's (`prev_<table>`) and `collection`,
each registered once with the columns any of the rules compiled together mention. The conditions of every local
rule over the same table are evaluated in one query (one true/false column per rule, for every row: DuckDB filters
an OR of many conditions far slower than it evaluates them); if that query fails, each condition runs alone, so
only a broken rule is reported as "could not run".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

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


class _Sandbox(NamedTuple):
    connection: duckdb.DuckDBPyConnection
    frames: dict[str, pl.DataFrame]  # every table asked for, whole (failing rows are taken from these)
    shown: dict[str, frozenset[str] | None]  # the columns each table shows DuckDB (None: all of them)


def _shown_frame(frame: pl.DataFrame, columns: frozenset[str] | None) -> pl.DataFrame:
    """Only the columns the rules mention (a DuckDB scan of an Arrow stream reads every column it is given, and
    text columns cost most), plus the row position."""
    if columns is None:
        return frame
    shown = [c for c in frame.columns if c.lower() in columns or c == ROW_INDEX]
    return frame.select(shown or frame.columns[:1])  # DuckDB needs a column even where the SQL uses none


def connection(
    ctx: Context, names: Iterable[str], columns: frozenset[str] | None = None
) -> tuple[duckdb.DuckDBPyConnection, dict[str, pl.DataFrame]]:
    """The validation's sandbox, showing DuckDB the named tables (this year's with their row positions, last
    year's as prev_<table>, and `collection`) with at least `columns` (None: every column)."""
    state: _Sandbox | None = ctx.cache.get(_CONNECTION)
    if state is None:
        state = ctx.cache[_CONNECTION] = _Sandbox(ctx.cache.get(SHARED) or sandbox(), {}, {})
    for name in names:
        if name not in state.frames:
            state.frames[name] = _frame(ctx, name)
        if name in state.shown:
            before = state.shown[name]
            if before is None or (columns is not None and columns <= before):
                continue
            wanted = None if columns is None else before | columns
        else:
            wanted = columns
        state.shown[name] = wanted
        register(state.connection, name, _shown_frame(state.frames[name], wanted))
    return state.connection, state.frames


def _tables(local: LocalRule) -> tuple[str, ...]:
    return (*local.info.tables, COLLECTION)


def _columns(rules: list[LocalRule]) -> frozenset[str] | None:
    if any(r.columns is None for r in rules):
        return None
    return frozenset().union(*(r.columns or frozenset() for r in rules))


Shown = dict[str, frozenset[str] | None]  # table -> the columns DuckDB is shown (None: all of them)


def shown_columns(rules: list[LocalRule]) -> Shown:
    """For each table the rules read, the columns any rule reading it mentions: each table is registered once."""
    readers: dict[str, list[LocalRule]] = {}
    for local in rules:
        for name in _tables(local):
            readers.setdefault(name, []).append(local)
    return {name: _columns(found) for name, found in readers.items()}


def _connect(
    ctx: Context, names: Iterable[str], shown: Shown
) -> tuple[duckdb.DuckDBPyConnection, dict[str, pl.DataFrame]]:
    connected: tuple[duckdb.DuckDBPyConnection, dict[str, pl.DataFrame]] | None = None
    for name in names:
        connected = connection(ctx, [name], shown.get(name))
    assert connected is not None  # every rule reads `collection` at least
    return connected


class ConditionBatch:
    """The condition rules of the given packs over one table, evaluated together once per validation."""

    def __init__(self, table: str, shown: Shown) -> None:
        self.table = table
        self.rules: list[LocalRule] = []
        self.shown = shown

    def add(self, local: LocalRule) -> None:
        self.rules.append(local)

    def _together(self, con: duckdb.DuckDBPyConnection, rules: list[LocalRule]) -> dict[str, pl.Series]:
        flags = [f'coalesce(({r.condition}), false) AS "{r.code}"' for r in rules]
        found = query(con, f'SELECT "{ROW_INDEX}", {", ".join(flags)} FROM "{self.table}"')
        return {r.code: found.filter(pl.col(r.code))[ROW_INDEX] for r in rules}

    def failing(self, ctx: Context) -> dict[str, pl.Series | SqlError]:
        """Row positions of each rule's failing rows, or why its SQL failed (cached for the validation)."""
        key = ("csctools.packs", "batch", id(self))
        if key in ctx.cache:
            return ctx.cache[key]  # type: ignore[no-any-return]
        wanted = [r for r in self.rules if ctx.year.end in r.info.years]
        con, _ = _connect(ctx, sorted({name for r in wanted for name in _tables(r)}), self.shown)
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
        _, frames = _connect(ctx, _tables(local), batch.shown)
        rows = frames[local.table][found].drop(ROW_INDEX)
        yield Failures(local.table, rows.lazy(), local.info.fields or None)

    return _rule(local, check)


def _query_check(local: LocalRule, shown: Shown) -> Rule:
    def check(ctx: Context) -> Iterable[Failures]:
        con, frames = _connect(ctx, _tables(local), shown)
        found = query(con, local.sql())
        columns = {c.lower(): c for c in found.columns}
        if SOURCE_ROW not in columns:
            raise SqlError(f"the query must return {SOURCE_ROW} (the row of {local.table} that fails)")
        keys = [SOURCE_ROW] + ([SOURCE_FILE] if SOURCE_FILE in columns else [])
        picked = found.select(pl.col(columns[k]).alias(k) for k in keys).unique()
        picked = picked.with_columns(pl.col(SOURCE_ROW).cast(pl.Int64, strict=False))
        table = frames[local.table].drop(ROW_INDEX)
        stray = picked.join(table.select(keys), on=keys, how="anti").height
        if stray:  # never dropped silently: the query names rows that are not rows of its first table
            where = " and ".join(keys)
            raise SqlError(f"{stray} row(s) the query returned are not rows of {local.table} (by {where})")
        _check_same_children(local, found, columns, keys, table)
        yield Failures(local.table, table.join(picked, on=keys, how="semi").lazy(), local.info.fields or None)

    return _rule(local, check)


CHILD_IDS = ("CHILD", "LAchildID")  # the child's id in the SSDA903 and the CIN census tables


def _check_same_children(
    local: LocalRule, found: pl.DataFrame, columns: dict[str, str], keys: list[str], table: pl.DataFrame
) -> None:
    """A query returning the child's id beside `_row` must give the child of that row of its first table: the
    `_row` of another table joined in would blame another child (the rows reported are the first table's)."""
    child = next((c for c in CHILD_IDS if c.lower() in columns and c in table.columns), None)
    if child is None or table.select(keys).is_duplicated().any():  # rows not told apart (an XML on one line)
        return
    given = found.select(
        *(pl.col(columns[k]).alias(k) for k in keys), pl.col(columns[child.lower()]).cast(pl.String).alias("given")
    ).with_columns(pl.col(SOURCE_ROW).cast(pl.Int64, strict=False))
    held = table.select(*keys, pl.col(child).cast(pl.String).alias("held"))
    wrong = given.join(held, on=keys, how="inner").filter(pl.col("given") != pl.col("held"))
    if wrong.height:
        first = wrong.row(0, named=True)
        raise SqlError(
            f"row {first[SOURCE_ROW]} of {local.table} is child {first['held']}, but the query gave it child "
            f"{first['given']} ({wrong.height} row(s) so): a query returns the {SOURCE_ROW} of its first table, "
            f"{local.table} (tables: [{', '.join(local.info.tables)}]); select {local.table}'s {SOURCE_ROW}, or "
            f"list the table whose rows fail first (a query giving another child's id names it otherwise, e.g. "
            f"AS OTHER_{child})"
        )


def _rule(local: LocalRule, check: Check) -> Rule:
    tags = frozenset({local.pack, *local.tags})
    check.__doc__ = local.guidance or local.info.message
    return Rule(local.dataset, local.info, check, local.info.needs, local.pack, tags, local.guidance)


def compile_rules(rules: list[LocalRule]) -> list[Rule]:
    """Local rules as engine rules: conditions over the same table share one query."""
    batches: dict[tuple[str, str], ConditionBatch] = {}
    shown = {
        dataset: shown_columns([r for r in rules if r.dataset == dataset]) for dataset in {r.dataset for r in rules}
    }
    compiled = []
    for local in rules:
        if local.condition is not None:
            key = (local.dataset, local.table)
            batch = batches.setdefault(key, ConditionBatch(local.table, shown[local.dataset]))
            batch.add(local)
            compiled.append(_condition_check(local, batch))
        else:
            compiled.append(_query_check(local, shown[local.dataset]))
    return compiled
