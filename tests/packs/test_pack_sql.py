"""Pack SQL runs over the frames it is given and nothing else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from csctools.packs.sql import SqlError, query, sandbox

EPISODES = pl.DataFrame(
    {
        "CHILD": ["1", "1", "2"],
        "DECOM": [dt.date(2025, 4, 1), dt.date(2025, 6, 1), None],
        "PLACE": ["U1", "K2", None],
        "_row": [2, 3, 4],
    }
)


def test_query_reads_the_frames_and_keeps_types() -> None:
    found = query(sandbox({"Episodes": EPISODES}), "SELECT CHILD, _row FROM Episodes WHERE PLACE IS NULL")
    assert found.to_dicts() == [{"CHILD": "2", "_row": 4}]
    typed = query(sandbox({"Episodes": EPISODES}), "SELECT max(DECOM) AS last FROM Episodes")
    assert typed.schema["last"] == pl.Date and typed["last"][0] == dt.date(2025, 6, 1)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('{secret}')",
        "SELECT * FROM '{secret}'",
        "COPY (SELECT 1) TO '{out}'",
        "ATTACH '{out}' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SELECT 1; SELECT 2",
        "CREATE TABLE x AS SELECT 1",
        "SELECT * FROM read_text('{secret}')",
    ],
)
def test_files_network_and_other_statements_are_refused(tmp_path: Path, sql: str) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    out = tmp_path / "out.csv"
    with pytest.raises(SqlError):
        query(sandbox({"Episodes": EPISODES}), sql.format(secret=secret, out=out))
    assert not out.exists()


def test_syntax_error_is_one_line() -> None:
    with pytest.raises(SqlError) as raised:
        query(sandbox({"Episodes": EPISODES}), "SELECT FROM WHERE")
    assert "\n" not in str(raised.value) and "syntax error" in str(raised.value).lower()
