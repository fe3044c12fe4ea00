"""The store: one DuckDB file keeping every submission, append-only.

Tables: `submissions` (one row per return offered: files' content hash, authority, return, year, version, received
at, csctools and pack versions, validation summary; rejected ones with their reason), `submission_files`,
`errors` (each accepted submission's error table) and one data table per return table (`ssda903__Episodes`, ...)
whose rows carry their submission id. Nothing is ever updated or deleted: a resubmission is a new version.
Each add is one transaction; DuckDB's lock on the file lets one process write at a time.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import duckdb
import polars as pl

from csctools import __version__
from csctools.model import SOURCE_ROW, ColumnType
from csctools.packs.sql import register
from csctools.share.columns import DATASETS
from csctools.store.intake import Submission

SCHEMA_VERSION = "1"
DUCK_TYPES = {
    ColumnType.TEXT: "VARCHAR",
    ColumnType.CODE: "VARCHAR",
    ColumnType.DATE: "DATE",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.BOOLEAN: "BOOLEAN",
}
POLARS_TYPES = {
    ColumnType.TEXT: pl.String,
    ColumnType.CODE: pl.String,
    ColumnType.DATE: pl.Date,
    ColumnType.INTEGER: pl.Int64,
    ColumnType.BOOLEAN: pl.Boolean,
}
PAUSE_HOOK = "CSC_STORE_PAUSE_BEFORE_COMMIT"  # tests: a file to create, then wait, inside the transaction
PAUSE_SECONDS = "CSC_STORE_PAUSE_SECONDS"
SETUP = """
CREATE TABLE IF NOT EXISTS store_info (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE SEQUENCE IF NOT EXISTS submission_ids START 1;
CREATE TABLE IF NOT EXISTS submissions (
    submission_id BIGINT PRIMARY KEY,
    la_number VARCHAR, la_name VARCHAR, ons_code VARCHAR,
    dataset VARCHAR, year INTEGER, version INTEGER,
    status VARCHAR NOT NULL, reason VARCHAR,
    received_at TIMESTAMP NOT NULL, content_hash VARCHAR NOT NULL,
    csctools_version VARCHAR NOT NULL, packs VARCHAR NOT NULL,
    errors INTEGER, queries INTEGER, rows_by_table VARCHAR, outcomes VARCHAR, authority_from VARCHAR
);
CREATE TABLE IF NOT EXISTS submission_files (submission_id BIGINT, name VARCHAR, sha256 VARCHAR, bytes BIGINT);
CREATE TABLE IF NOT EXISTS errors (
    submission_id BIGINT, rule_code VARCHAR, severity VARCHAR, table_name VARCHAR, row_number BIGINT,
    child_id VARCHAR, field VARCHAR, value VARCHAR, message VARCHAR, source_file VARCHAR
);
"""
ERROR_COLUMNS = ("rule_code", "severity", "table", "row_number", "child_id", "field", "value", "message", "source_file")


class StoreError(Exception):
    """The store cannot be used (locked by another process, not a store, ...), in one line."""


def data_table(dataset: str, table: str) -> str:
    return f"{dataset}__{table}"


def _create_data_tables(connection: duckdb.DuckDBPyConnection) -> None:
    for dataset, model in DATASETS.items():
        if dataset == "annex_a":
            continue
        for table in model.tables:
            columns = ", ".join(f'"{c.name}" {DUCK_TYPES[c.type]}' for c in table.columns)
            connection.execute(
                f'CREATE TABLE IF NOT EXISTS "{data_table(dataset, table.name)}" '
                f'(submission_id BIGINT, "{SOURCE_ROW}" BIGINT, {columns})'
            )


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        connection.execute(SETUP)
        _create_data_tables(connection)
        connection.execute(
            "INSERT INTO store_info VALUES ('schema', ?), ('created_by', ?) ON CONFLICT DO NOTHING",
            [SCHEMA_VERSION, f"csctools {__version__}"],
        )
    return connection


@contextmanager
def open_store(path: Path, read_only: bool = False, wait: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store's connection; another process holding the file is waited for (up to `wait` seconds)."""
    if read_only and not path.exists():
        raise StoreError(f"{path}: no store here (csc store add creates one)")
    deadline = time.monotonic() + wait
    while True:
        try:
            connection = _connect(path, read_only)
            break
        except duckdb.IOException as error:
            text = str(error)
            if "lock" not in text.lower():
                raise StoreError(f"{path}: not a store or cannot be opened ({text.splitlines()[0]})") from None
            if time.monotonic() >= deadline:
                holder = text.split("(PID ")[-1].split(")")[0] if "(PID " in text else "another process"
                raise StoreError(
                    f"{path} is in use by another process (PID {holder}) and was still after {wait:.0f} s; "
                    "nothing was added, try again when it has finished"
                ) from None
            time.sleep(0.2)
        except duckdb.Error as error:
            raise StoreError(f"{path}: not a store or cannot be opened ({str(error).splitlines()[0]})") from None
    try:
        yield connection
    finally:
        connection.close()


def _typed(frame: pl.DataFrame, dataset: str, table: str, submission_id: int) -> pl.DataFrame:
    model = DATASETS[dataset].table(table)
    exprs = [pl.lit(submission_id, pl.Int64).alias("submission_id")]
    exprs.append(pl.col(SOURCE_ROW).cast(pl.Int64) if SOURCE_ROW in frame.columns else pl.lit(None, pl.Int64))
    for column in model.columns:
        kind = POLARS_TYPES[column.type]
        exprs.append(
            (pl.col(column.name).cast(kind) if column.name in frame.columns else pl.lit(None, kind)).alias(column.name)
        )
    return frame.select(exprs)


def _next_version(connection: duckdb.DuckDBPyConnection, submission: Submission) -> int:
    row = connection.execute(
        "SELECT max(version) FROM submissions WHERE la_number = ? AND dataset = ? AND year = ? AND status = 'accepted'",
        [submission.authority.number if submission.authority else None, submission.dataset, submission.year],
    ).fetchone()
    return int(row[0] or 0) + 1 if row else 1


def _pause_for_tests() -> None:
    marker = os.environ.get(PAUSE_HOOK)
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get(PAUSE_SECONDS, "60")))


FLUSH_ROWS = 250_000  # rows held in polars before they go to DuckDB (which keeps them until the commit)


class Kept(NamedTuple):
    submission: Submission  # without its tables and error table (written to the store)
    submission_id: int
    version: int | None  # None for a rejected submission


def _flush(
    connection: duckdb.DuckDBPyConnection, data: dict[str, list[pl.DataFrame]], errors: list[pl.DataFrame]
) -> None:
    for target, frames in data.items():
        register(connection, "_incoming", pl.concat(frames, how="vertical_relaxed"))
        connection.execute(f'INSERT INTO "{target}" SELECT * FROM _incoming')
        connection.unregister("_incoming")
    if errors:
        register(connection, "_incoming", pl.concat(errors, how="vertical_relaxed"))
        connection.execute("INSERT INTO errors SELECT * FROM _incoming")
        connection.unregister("_incoming")
    data.clear()
    errors.clear()


def add_submissions(connection: duckdb.DuckDBPyConnection, submissions: Iterable[Submission]) -> list[Kept]:
    """Keep every submission, in one transaction: all of them or (on any failure, crash or kill) none.

    Submissions are written as they come (an iterator of validations still running), in batches of rows."""
    kept: list[Kept] = []
    data: dict[str, list[pl.DataFrame]] = {}
    errors: list[pl.DataFrame] = []
    held = 0
    connection.execute("BEGIN TRANSACTION")
    try:
        for submission in submissions:
            row = connection.execute("SELECT nextval('submission_ids')").fetchone()
            submission_id = int(row[0]) if row else 0
            version = None
            if submission.rejected is None and submission.dataset is not None:
                version = _next_version(connection, submission)
                for name, frame in submission.tables.items():
                    if name in {t.name for t in DATASETS[submission.dataset].tables}:
                        target = data_table(submission.dataset, name)
                        data.setdefault(target, []).append(_typed(frame, submission.dataset, name, submission_id))
                if submission.errors is not None and submission.errors.height:
                    errors.append(
                        submission.errors.select(
                            pl.lit(submission_id, pl.Int64).alias("submission_id"), *ERROR_COLUMNS
                        ).cast({"row_number": pl.Int64})
                    )
            authority = submission.authority
            rows = {name: frame.height for name, frame in submission.tables.items()}
            connection.execute(
                "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    submission_id,
                    authority.number if authority else None,
                    authority.name if authority else None,
                    authority.ons_code if authority else None,
                    submission.dataset,
                    submission.year,
                    version,
                    "rejected" if submission.rejected else "accepted",
                    submission.rejected,
                    submission.received_at,
                    submission.content_hash,
                    __version__,
                    json.dumps(
                        [f"DfE {submission.dataset} rules (csctools {__version__})"] if submission.dataset else []
                    ),
                    submission.summary.get("errors"),
                    submission.summary.get("queries"),
                    json.dumps(rows),
                    json.dumps({k: v for k, v in submission.summary.items() if k not in ("errors", "queries")}),
                    submission.note or None,
                ],
            )
            connection.executemany(
                "INSERT INTO submission_files VALUES (?, ?, ?, ?)",
                [[submission_id, f.name, f.sha256, f.size] for f in submission.files],
            )
            kept.append(Kept(submission._replace(tables={}, errors=None), submission_id, version))
            held += sum(rows.values())
            if held >= FLUSH_ROWS:
                _flush(connection, data, errors)
                held = 0
        _flush(connection, data, errors)
        _pause_for_tests()
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return kept


def frame(connection: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """A query's result as a polars frame (through Arrow, no pyarrow)."""
    return pl.DataFrame(connection.sql(sql, params=params or None))
