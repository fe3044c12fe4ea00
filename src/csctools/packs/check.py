"""Checking a pack: each rule's SQL against the data model of every year it applies to, and its examples.

The SQL is bound (not run) over empty tables holding exactly that year's columns, so a syntax error, an unknown
table or column, or a condition that is not true/false is found before any data is read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable
from functools import cache
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from csctools.io.typing import NULL_TYPES, type_frame
from csctools.model import FIRST_YEAR, RAW_SUFFIX, SOURCE_FILE, SOURCE_ROW, Column, ColumnType, Dataset
from csctools.packs.files import LINE_KEY
from csctools.packs.rules import (
    COLLECTION,
    DATASETS,
    POSTCODE_COLUMNS,
    PREVIOUS,
    ROW_INDEX,
    LocalRule,
    table_names,
)
from csctools.packs.sql import SqlError, check_select, register, sandbox
from csctools.validate.registry import Rule
from csctools.years import CollectionYear

if TYPE_CHECKING:
    from csctools.packs.python import PythonPack

_DUCK_TYPES = {"VARCHAR": pl.String, "DOUBLE": pl.Float64, "BOOLEAN": pl.Boolean}


def _columns(dataset: Dataset, name: str, year: CollectionYear | None) -> tuple[Column, ...]:
    table = dataset.table(name)
    return (*table.columns_for(year), *dataset.derived.get(name, ()))


def year_table(dataset: Dataset, name: str, year: CollectionYear | None) -> pl.DataFrame:
    """An empty typed table with the columns a reader gives that year (the postcode columns the 903 derives)."""
    schema: dict[str, pl.DataType] = {SOURCE_FILE: pl.String(), SOURCE_ROW: pl.Int64()}
    for column in _columns(dataset, name, year):
        schema[column.name] = NULL_TYPES[column.type]()
        if column.type not in (ColumnType.TEXT, ColumnType.CODE):
            schema[column.name + RAW_SUFFIX] = pl.String()
    if dataset.name == "ssda903" and name == "Episodes":
        schema |= {c: _DUCK_TYPES[t]() for c, t in POSTCODE_COLUMNS.items()}
    return pl.DataFrame(schema=schema)


@cache
def _model_connection(dataset_name: str, year_end: int) -> tuple[duckdb.DuckDBPyConnection, set[str]]:
    """An empty-table sandbox for one year of the data model, and the names registered in it so far."""
    return sandbox(), set()


def _model_frame(dataset: Dataset, name: str, year: CollectionYear) -> pl.DataFrame:
    if name == COLLECTION:
        return pl.DataFrame(schema={"start_date": pl.Date, "end_date": pl.Date, "la_code": pl.String})
    if name.startswith(PREVIOUS):
        # last year's columns; the first year of the data model stands in for the year before it
        before = year.previous() if year.end > FIRST_YEAR else year
        return year_table(dataset, name.removeprefix(PREVIOUS), before).clear(1)
    # one row of nulls: the SQL is run, not only planned, so that a text DuckDB cannot read as a date (a
    # condition DECOM < '01/04/2020') is found here, not when the rule first meets data
    return year_table(dataset, name, year).clear(1).with_row_index(ROW_INDEX)


def _year_connection(local: LocalRule, end: int, tables: set[str] | None = None) -> duckdb.DuckDBPyConnection:
    """The empty-table sandbox of the year with the rule's tables (and `tables`) registered."""
    con, registered = _model_connection(local.dataset, end)
    dataset, year = DATASETS[local.dataset], CollectionYear(end)
    for name in (*local.info.tables, *sorted(tables or ()), COLLECTION):
        if name not in registered:
            register(con, name, _model_frame(dataset, name, year))
            registered.add(name)
    return con


def _bind(con: duckdb.DuckDBPyConnection, local: LocalRule) -> None:
    """Bind the rule's SQL (DESCRIBE plans it), then run it over the tables' row of nulls; a SqlError says what
    is wrong."""
    check_select(con, local.sql())
    try:
        if local.condition is not None:
            select = f'SELECT ({local.condition}) AS flag FROM "{local.table}"'
            kind = con.sql(f"DESCRIBE {select}").fetchall()[0][1]
            if kind not in ("BOOLEAN", '"NULL"', "NULL"):
                raise SqlError(f"the condition gives {kind}, not true/false")
            con.sql(select).fetchall()
        else:
            described = con.sql(f"DESCRIBE {local.sql()}").fetchall()
            if SOURCE_ROW not in {str(row[0]).lower() for row in described}:
                raise SqlError(f"the query must return {SOURCE_ROW} (the row of {local.table} that fails)")
            con.sql(local.sql()).fetchall()
    except duckdb.Error as error:
        raise SqlError(_with_hint(" ".join(str(error).split()), local.sql())) from None


def _with_hint(message: str, sql: str = "") -> str:
    """DuckDB's message without the SQL it quotes (for a condition, csctools' own SELECT around it), with what
    to write instead where a habit from elsewhere caused it."""
    message = message.split(" LINE 1: ")[0]
    if "invalid date field format" in message:
        return message + " (in SQL a date is DATE '2020-04-01', year-month-day)"
    column = re.search(r'Referenced column "([^"]+)" not found', message)
    if column and f'"{column.group(1)}"' in sql:
        return message + f" (text in SQL goes in single quotes, '{column.group(1)}'; double quotes name a column)"
    if re.search(r"\bisnull\s*\(", sql, flags=re.I) and "isnull" in message.lower():
        return message + " (in SQL: PLACE IS NULL, or coalesce(PLACE, 'none') for a default)"
    return message


def check_sql(local: LocalRule, year: CollectionYear | None = None) -> None:
    """The rule's SQL against the data model of `year`, or of each year it applies to; a PackError naming file,
    line and rule."""
    for end in _years_of(local, year):
        try:
            _bind(_year_connection(local, end), local)
        except SqlError as error:
            where = "condition" if local.condition is not None else "query"
            raise local.error(f"in {CollectionYear(end).label}: {error}", where) from None


def _years_of(local: LocalRule, year: CollectionYear | None) -> list[int]:
    return sorted(local.info.years) if year is None else [y for y in [year.end] if y in local.info.years]


def _bound_together(con: duckdb.DuckDBPyConnection, table: str, rules: list[LocalRule]) -> bool:
    """The conditions over one table bound in one DESCRIBE (each a true/false column); False when any is not."""
    try:
        for local in rules:
            check_select(con, local.sql())
        flags = ", ".join(f'({local.condition}) AS "{number}"' for number, local in enumerate(rules))
        described = con.sql(f'DESCRIBE SELECT {flags} FROM "{table}"').fetchall()
        con.sql(f'SELECT {flags} FROM "{table}"').fetchall()  # run over the row of nulls (see _model_frame)
    except (SqlError, duckdb.Error):
        return False
    return len(described) == len(rules) and all(row[1] in ("BOOLEAN", '"NULL"', "NULL") for row in described)


def check_all(rules: list[LocalRule], year: CollectionYear | None = None) -> None:
    """Every rule's SQL, as `check_sql` checks it one at a time, the conditions over one table of one year bound
    together; if any of them is wrong, each is checked alone, so the first problem is reported as before."""
    conditions: dict[tuple[str, int, str], list[LocalRule]] = {}
    for local in rules:
        for end in _years_of(local, year) if local.condition is not None else ():
            conditions.setdefault((local.dataset, end, local.table), []).append(local)
    for (_, end, table), together in conditions.items():
        con = _year_connection(together[0], end, {name for local in together for name in local.info.tables})
        if not _bound_together(con, table, together):
            for local in rules:
                check_sql(local, year)
            return
    for local in rules:
        if local.condition is None:
            check_sql(local, year)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _example_tables(local: LocalRule, example: Any, number: str) -> dict[str, list[dict[str, Any]]]:
    """An example is one row of the rule's first table, or a mapping of table names to lists of rows."""
    if not isinstance(example, dict):
        raise local.error(f"example {number} must be a row (column: value) or tables of rows")
    known = table_names(DATASETS[local.dataset])
    keys = [k for k in example if k != LINE_KEY]
    if keys and all(k.lower() in known for k in keys):
        tables: dict[str, list[dict[str, Any]]] = {}
        for key in keys:
            rows = example[key]
            rows = rows if isinstance(rows, list) else [rows]
            if not all(isinstance(r, dict) for r in rows):
                raise local.error(f"example {number}: the rows of {key} must each be a mapping of column: value")
            tables[known[key.lower()]] = rows
        return tables
    return {local.table: [example]}


def typed_rows(
    dataset_name: str, name: str, rows: list[dict[str, Any]], number: str, error: Callable[[str], Exception]
) -> pl.DataFrame:
    """An example's rows of one table (`prev_<table>`: last year's), typed as a reader types them; `error` makes
    the exception for a column the table does not have."""
    dataset = DATASETS[dataset_name]
    columns = _columns(dataset, name.removeprefix(PREVIOUS), None)
    names = {c.name for c in columns}
    extra = set(POSTCODE_COLUMNS) if dataset_name == "ssda903" and name.endswith("Episodes") else set()
    for row in rows:
        for key in row:
            if key != LINE_KEY and key not in names and key not in extra:
                raise error(f'example {number}: {name} has no column "{key}"')
    text = pl.DataFrame(
        {c.name: [_text(r.get(c.name)) for r in rows] for c in columns}
        | {SOURCE_FILE: [f"example {number}"] * len(rows), SOURCE_ROW: list(range(2, len(rows) + 2))},
        schema={**{c.name: pl.String for c in columns}, SOURCE_FILE: pl.String, SOURCE_ROW: pl.Int64},
    )
    typed = type_frame(text, columns, keep=(SOURCE_FILE, SOURCE_ROW))
    for column in sorted(extra):
        kind = _DUCK_TYPES[POSTCODE_COLUMNS[column]]
        typed = typed.with_columns(pl.Series(column, [r.get(column) for r in rows], dtype=kind, strict=False))
    return typed


@cache
def _examples_sandbox() -> duckdb.DuckDBPyConnection:
    """One connection for every example checked in this process (each example registers its tables afresh)."""
    return sandbox()


def run_example(local: LocalRule, example: Any, year: CollectionYear, number: str) -> tuple[str, int, str]:
    """(outcome status, failing cells, reason) of the rule over one example, as the engine would report it."""
    from csctools.packs.execute import SHARED, compile_rules

    tables = _example_tables(local, example, number)
    typed = {n: typed_rows(local.dataset, n, rows, number, local.error) for n, rows in tables.items()}
    return rule_over_example(compile_rules([local])[0], typed, year, {SHARED: _examples_sandbox()})


def rule_over_example(
    rule: Rule, tables: dict[str, pl.DataFrame], year: CollectionYear, cache: dict[Hashable, Any] | None = None
) -> tuple[str, int, str]:
    """(outcome status, failing cells, reason) of any rule (SQL or Python) over an example's typed tables
    (`prev_<table>`: last year's), as the engine would report it."""
    from csctools.reference.authorities import find_authority
    from csctools.validate.context import Context
    from csctools.validate.engine import failure_rows, rows_of
    from csctools.validate.run import DATASETS as MODELS

    now = {n: frame for n, frame in tables.items() if not n.startswith(PREVIOUS)}
    last = {n.removeprefix(PREVIOUS): frame for n, frame in tables.items() if n.startswith(PREVIOUS)}
    model, child_key = MODELS[rule.dataset]
    authority = find_authority("383") if "la_code" in rule.info.needs else None  # Leeds, for examples only
    context = Context(model, year, now, last, authority)
    context.cache.update(cache or {})
    try:
        cells = 0
        handed = list(rule.check(context))
        for failures, found in zip(handed, rows_of(handed), strict=True):
            rows = failure_rows(rule, failures.table, found, failures.fields, child_key)
            cells += rows.height if rows is not None else 0
    except Exception as error:  # reported as the engine would: the rule could not run
        return "could not run", 0, f"{type(error).__name__}: {error}"
    return ("failed" if cells else "passed"), cells, ""


def check_examples(local: LocalRule) -> list[str]:
    """Each example of the rule, in `examples: year:` or the latest year the rule applies to: fail examples must
    be flagged, pass examples must not. Returns what was checked; a PackError for the first that does not behave."""
    year = CollectionYear(local.example_year or max(local.info.years))
    if year.end not in local.info.years:
        years = ", ".join(CollectionYear(end).label for end in sorted(local.info.years))
        raise local.error(f"examples: year {year.label} is not a year the rule applies to ({years})")
    done = []
    for kind in ("fail", "pass"):
        for index, example in enumerate(local.examples[kind], start=1):
            number = f"{kind} #{index}"
            status, cells, reason = run_example(local, example, year, number)
            if status not in ("passed", "failed"):
                raise local.error(f"example {number}: the rule {status}: {reason}")
            if kind == "fail" and status != "failed":
                raise local.error(f"example {number} should fail but the rule passed it")
            if kind == "pass" and status != "passed":
                raise local.error(f"example {number} should pass but the rule flagged {cells} cell(s)")
            done.append(number)
    return done


def check_python_examples(pack: PythonPack) -> list[tuple[str, list[str]]]:
    """Each rule of a Python pack over its examples, in the latest year the rule applies to, as for a SQL rule:
    (code, examples checked) per rule; a PackError for the first example that does not behave."""
    from csctools.packs.files import PackError

    done = []
    for found in pack.rules:
        rule = found.rule
        year = CollectionYear(max(rule.info.years))
        checked = []
        numbers = {True: 0, False: 0}
        for example in found.examples:
            numbers[example.fails] += 1
            number = f"{'fail' if example.fails else 'pass'} #{numbers[example.fails]}"

            def error(message: str, code: str = rule.code) -> PackError:
                return PackError(pack.name, f"rule {code}: {message}")

            tables = {n: typed_rows(rule.dataset, n, rows, number, error) for n, rows in example.tables.items()}
            status, cells, reason = rule_over_example(rule, tables, year)
            if status not in ("passed", "failed"):
                raise error(f"example {number}: the rule {status}: {reason}")
            if example.fails and status != "failed":
                raise error(f"example {number} should fail but the rule passed it")
            if not example.fails and status != "passed":
                raise error(f"example {number} should pass but the rule flagged {cells} cell(s)")
            checked.append(number)
        done.append((rule.code, checked))
    return done
