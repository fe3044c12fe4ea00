"""What changed since an earlier run: failures fixed, new and still open, compared with that run's JSON report.

A failure is keyed by rule, table, child, source row and field (one cell of the error table), so a fix to one of a
record's several cells counts as one fixed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import polars as pl

KEY = ("rule_code", "table", "child_id", "row_number", "field")


class SinceError(ValueError):
    """The earlier report cannot be used (one line, naming the file)."""


class Changes(NamedTuple):
    fixed: int
    new: int
    still_open: int

    def describe(self) -> str:
        return f"since the last run: {self.fixed:,} fixed, {self.new:,} new, {self.still_open:,} still open"


def _keys(rows: pl.DataFrame) -> set[tuple[object, ...]]:
    return set(rows.select(KEY).unique().iter_rows())


def earlier_failures(path: Path) -> pl.DataFrame:
    """The outstanding failures of an earlier `csc validate ... -o LAST.json`, as the key columns."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SinceError(f"{path}: cannot be read ({error.strerror or error})") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SinceError(f"{path}: not a JSON report of csc validate ({error})") from error
    errors = document.get("errors") if isinstance(document, dict) else None
    if not isinstance(errors, list):
        raise SinceError(f"{path}: not a JSON report of csc validate (it has no list of errors)")
    schema = {k: pl.Int64 if k == "row_number" else pl.String for k in KEY}
    if not errors:
        return pl.DataFrame(schema=schema)
    try:
        frame = pl.DataFrame(errors, infer_schema_length=None, strict=False)
        missing = [k for k in KEY if k not in frame.columns]
        if missing:
            raise SinceError(f"{path}: its errors have no {', '.join(missing)} (not a JSON report of csc validate)")
        return frame.select(pl.col(k).cast(t) for k, t in schema.items())
    except (TypeError, ValueError, pl.exceptions.PolarsError) as error:
        if isinstance(error, SinceError):
            raise
        raise SinceError(f"{path}: the errors of the report cannot be read ({error})") from error


def changes(earlier: pl.DataFrame, now: pl.DataFrame) -> Changes:
    """Failures of the earlier run no longer found, found only now, and found in both."""
    before, after = _keys(earlier.cast({"row_number": pl.Int64})), _keys(now.cast({"row_number": pl.Int64}))
    return Changes(len(before - after), len(after - before), len(before & after))
