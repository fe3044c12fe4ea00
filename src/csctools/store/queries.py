"""Reading the store: what it holds, an authority's history and error log, the submissions standing on a date."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import duckdb
import polars as pl

from csctools.store.db import frame

LATEST = """
SELECT * FROM (
    SELECT *, row_number() OVER (PARTITION BY la_number, dataset, year ORDER BY version DESC) AS newest
    FROM submissions
    WHERE status = 'accepted' AND (CAST(? AS TIMESTAMP) IS NULL OR received_at <= CAST(? AS TIMESTAMP))
) WHERE newest = 1
"""


def standing(connection: duckdb.DuckDBPyConnection, as_of: datetime | None = None) -> pl.DataFrame:
    """The latest accepted version per authority, return and year (received at or before `as_of` if given)."""
    return frame(connection, LATEST + " ORDER BY la_number, dataset, year", [as_of, as_of])


def listing(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per authority, return and year: its latest version, how many versions and rejections."""
    latest = standing(connection).select(
        "la_number", "la_name", "dataset", "year", "version", "received_at", "errors", "queries", "rows_by_table"
    )
    rejected = frame(
        connection,
        "SELECT la_number, count(*) AS rejected FROM submissions WHERE status = 'rejected' GROUP BY la_number",
    )
    rows = latest["rows_by_table"].map_elements(lambda t: sum(json.loads(t).values()), return_dtype=pl.Int64)
    return (
        latest.with_columns(rows.alias("rows"))
        .drop("rows_by_table")
        .join(rejected, on="la_number", how="left")
        .with_columns(pl.col("rejected").fill_null(0))
    )


def history(connection: duckdb.DuckDBPyConnection, la_number: str) -> pl.DataFrame:
    return frame(
        connection,
        "SELECT submission_id, dataset, year, version, status, reason, received_at, content_hash, errors, queries, "
        "rows_by_table, csctools_version, packs, COLUMNS('identical_to'), COLUMNS('previous_submission') "
        "FROM submissions WHERE la_number = ? "
        "ORDER BY dataset NULLS LAST, year, received_at, submission_id",
        [la_number],
    )


def count_changes(before: dict[str, int], after: dict[str, int]) -> str:
    """'Episodes +12, Header -3' between two versions' row counts ('no change in row counts' when equal)."""
    changes = []
    for table in sorted(set(before) | set(after)):
        delta = after.get(table, 0) - before.get(table, 0)
        if delta:
            changes.append(f"{table} {delta:+,}")
    return ", ".join(changes) or "no change in row counts"


RULES_SHOWN = 8  # rules named per kind of change in a history line; the rest are counted


def rule_counts(connection: duckdb.DuckDBPyConnection, la_number: str) -> dict[int, dict[str, int]]:
    """Failures (errors and queries) by rule code of each of the authority's submissions."""
    rows = frame(
        connection,
        "SELECT e.submission_id, e.rule_code, count(*) AS n FROM errors e JOIN submissions s USING (submission_id) "
        "WHERE s.la_number = ? GROUP BY ALL",
        [la_number],
    )
    counts: dict[int, dict[str, int]] = {}
    for submission, code, n in rows.iter_rows():
        counts.setdefault(int(submission), {})[str(code)] = int(n)
    return counts


def rule_changes(before: dict[str, int], after: dict[str, int]) -> str:
    """'fixed 101 (2), 142 (1); new 503A (3); fewer 1001 (18 -> 12); more 190 (8 -> 9)' between two versions'
    failures by rule ('' when none changed); at most RULES_SHOWN rules of each kind, the rest counted."""

    def named(kind: str, codes: list[str], shown: Callable[[str], str]) -> str:
        if not codes:
            return ""
        more = f" and {len(codes) - RULES_SHOWN} more" if len(codes) > RULES_SHOWN else ""
        return f"{kind} " + ", ".join(f"{code} ({shown(code)})" for code in codes[:RULES_SHOWN]) + more

    codes = sorted(set(before) | set(after), key=lambda c: (-abs(after.get(c, 0) - before.get(c, 0)), c))
    parts = [
        named("fixed", [c for c in codes if c not in after], lambda c: f"{before[c]:,}"),
        named("new", [c for c in codes if c not in before], lambda c: f"{after[c]:,}"),
        named(
            "fewer",
            [c for c in codes if 0 < after.get(c, 0) < before.get(c, 0)],
            lambda c: f"{before[c]:,} -> {after[c]:,}",
        ),
        named(
            "more",
            [c for c in codes if 0 < before.get(c, 0) < after.get(c, 0)],
            lambda c: f"{before[c]:,} -> {after[c]:,}",
        ),
    ]
    return "; ".join(part for part in parts if part)


def error_log(connection: duckdb.DuckDBPyConnection, la_number: str, version: int | None = None) -> pl.DataFrame:
    """The errors of the authority's latest version of each return and year (or of one version)."""
    latest = f"({LATEST}) AS s" if version is None else "(SELECT * FROM submissions WHERE version = ?) AS s"
    params: list[object] = [None, None] if version is None else [version]
    return frame(
        connection,
        "SELECT s.dataset, s.year, s.version, e.rule_code, e.severity, e.table_name, e.row_number, e.child_id, "
        f"e.field, e.value, e.message, e.source_file FROM {latest} JOIN errors e USING (submission_id) "
        "WHERE s.la_number = ? AND s.status = 'accepted' "
        "ORDER BY s.dataset, s.year, e.rule_code, e.table_name, e.row_number",
        [*params, la_number],
    )


def submission_tables(
    connection: duckdb.DuckDBPyConnection, dataset: str, submission_id: int
) -> dict[str, pl.DataFrame]:
    """One submission's tables as kept (typed, with their spreadsheet row `_row`); the tables it held, even empty."""
    from csctools.share.columns import DATASETS
    from csctools.store.db import data_table

    found = frame(connection, "SELECT rows_by_table FROM submissions WHERE submission_id = ?", [int(submission_id)])
    held = json.loads(found["rows_by_table"][0]) if found.height and found["rows_by_table"][0] else {}
    tables = {}
    for table in DATASETS[dataset].tables:
        if table.name in held:
            tables[table.name] = frame(
                connection,
                f'SELECT * EXCLUDE (submission_id) FROM "{data_table(dataset, table.name)}" '
                f'WHERE submission_id = {int(submission_id)} ORDER BY "_row"',
            )
    return tables


def last_year(connection: duckdb.DuckDBPyConnection, la_number: str, dataset: str, year: int) -> tuple[int, int] | None:
    """The submission id and version standing for the authority's return of the collection year before `year`
    (an end year), or None when the store holds none."""
    rows = frame(
        connection,
        "SELECT submission_id, version FROM submissions WHERE status = 'accepted' AND la_number = ? AND dataset = ? "
        "AND year = ? ORDER BY version DESC LIMIT 1",
        [la_number, dataset, int(year) - 1],
    )
    return (int(rows["submission_id"][0]), int(rows["version"][0])) if rows.height else None
