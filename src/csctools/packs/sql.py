"""SQL from packs, run in an embedded DuckDB that can read only the frames it is given.

A pack received from another authority is untrusted: its SQL runs with external access switched off (no files, no
network, no extensions) and the configuration locked, and only a single SELECT (or WITH ... SELECT) is accepted.
Frames go in and come out through the Arrow C stream interface: no copy, and no pyarrow needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import polars as pl

SANDBOX = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
    "threads": 1,  # returns are small; one thread keeps a query's cost predictable beside polars' own pool
}


class SqlError(Exception):
    """SQL that is refused or fails, with DuckDB's explanation in one line."""


class _ArrowStream:
    """Hands DuckDB a polars frame through the Arrow C stream interface (DuckDB's own polars path needs pyarrow)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self.frame.__arrow_c_stream__(requested_schema)


def sandbox(frames: Mapping[str, pl.DataFrame] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with no access outside itself, holding `frames` as views by name."""
    connection = duckdb.connect(":memory:", config=dict(SANDBOX))
    for name, frame in (frames or {}).items():
        register(connection, name, frame)
    return connection


def register(connection: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    connection.register(name, _ArrowStream(frame))


def _one_line(error: Exception) -> str:
    text = str(error).strip()
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def check_select(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse anything but one SELECT statement (a syntax error is a SqlError too)."""
    try:
        statements = connection.extract_statements(sql)
    except duckdb.Error as error:
        raise SqlError(_one_line(error)) from None
    if len(statements) != 1:
        raise SqlError(f"one SELECT statement expected, found {len(statements)}")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise SqlError(f"only SELECT is allowed, not {statements[0].type.name}")


def query(connection: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    """The result of one SELECT as a polars frame."""
    check_select(connection, sql)
    try:
        return pl.DataFrame(connection.sql(sql))
    except duckdb.Error as error:
        raise SqlError(_one_line(error)) from None
