"""A result's tally (errors, queries, children) is counted once per error table: the command, its headline, its
exit code and each report ask for it, and at national size each count costs seconds (issue 17)."""

from __future__ import annotations

import polars as pl
import pytest

import csctools.validate.engine as engine
from csctools.validate.engine import ERROR_COLUMNS, Tally, ValidationResult
from csctools.years import CollectionYear


def _errors(rows: list[tuple[str, str, int, str]]) -> pl.DataFrame:
    """Error rows of (rule, severity, row, child), one cell each, in table Header of file h.csv."""
    records = [
        {"rule_code": r, "severity": s, "table": "Header", "row_number": n, "child_id": c, "field": "SEX"}
        | {"value": "X", "message": "m", "source_file": "h.csv"}
        for r, s, n, c in rows
    ]
    return pl.DataFrame(records, schema=ERROR_COLUMNS)


def test_the_tally_is_counted_once_and_again_for_a_new_error_table(monkeypatch: pytest.MonkeyPatch) -> None:
    counted: list[int] = []
    real = engine.tally

    def counting(errors: pl.DataFrame) -> Tally:
        counted.append(errors.height)
        return real(errors)

    monkeypatch.setattr(engine, "tally", counting)
    # two cells of one failure of 101 (child A), a query of 999 on child B: 1 error, 1 query, 2 children
    first = _errors([("101", "error", 2, "A"), ("101", "error", 2, "A"), ("999", "query", 3, "B")])
    result = ValidationResult("ssda903", CollectionYear(2026), None, first)
    assert result.tally() == Tally(errors=1, queries=1, children=2, children_with_errors=1)
    assert (result.error_count, result.query_count) == (1, 1)
    assert result.headline() == "1 error and 1 query in 2 children (1 with errors)"  # B has only the query
    assert counted == [3]  # four questions, one count
    result.errors = _errors([("101", "error", 2, "A"), ("101", "error", 4, "C")])  # a new table: counted afresh
    assert result.tally() == Tally(errors=2, queries=0, children=2, children_with_errors=2)
    assert counted == [3, 2]
