"""What changed since an earlier run: failures fixed, new and still open, compared with that run's JSON report.

A failure is one rule on one record, as everywhere else in csctools (the headline, the reports): keyed by rule,
table, child, source file (its name, so that a folder moved between runs does not matter) and source row. A record
still failing the rule on another of its cells is still open; row 12 of another file is another failure. A report
of an older csctools without source files is still read; it is then compared without them, and the comparison
says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import polars as pl

KEY = ("rule_code", "table", "child_id", "source_file", "row_number")
OLD_KEY = tuple(k for k in KEY if k != "source_file")  # reports of older versions have no source file


class SinceError(ValueError):
    """The earlier report cannot be used (one line, naming the file)."""


class Changes(NamedTuple):
    fixed: int
    new: int
    still_open: int
    without_files: bool = False  # compared without source files (an older version's report)

    def describe(self) -> str:
        said = f"since the last run: {self.fixed:,} fixed, {self.new:,} new, {self.still_open:,} still open"
        if self.without_files:
            said += " (the earlier report is from an older csctools without source files: rows matched by number)"
        return said


def _keys(rows: pl.DataFrame, key: tuple[str, ...]) -> set[tuple[object, ...]]:
    named = rows.with_columns(pl.col("source_file").str.replace(r"^.*[\\/]", ""))  # the file's name alone
    return set(named.select(key).unique().iter_rows())


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
        missing = [k for k in OLD_KEY if k not in frame.columns]
        if missing:
            raise SinceError(f"{path}: its errors have no {', '.join(missing)} (not a JSON report of csc validate)")
        if "source_file" not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias("source_file"))
        return frame.select(pl.col(k).cast(t) for k, t in schema.items())
    except (TypeError, ValueError, pl.exceptions.PolarsError) as error:
        if isinstance(error, SinceError):
            raise
        raise SinceError(f"{path}: the errors of the report cannot be read ({error})") from error


def changes(earlier: pl.DataFrame, now: pl.DataFrame) -> Changes:
    """Failures of the earlier run no longer found, found only now, and found in both; without source files when
    the earlier report has none (an older version's)."""
    earlier, now = (
        f if "source_file" in f.columns else f.with_columns(source_file=pl.lit(None, pl.String)) for f in (earlier, now)
    )
    old = not earlier.is_empty() and earlier["source_file"].null_count() == earlier.height
    key = OLD_KEY if old else KEY
    before = _keys(earlier.cast({"row_number": pl.Int64}), key)
    after = _keys(now.cast({"row_number": pl.Int64}), key)
    return Changes(len(before - after), len(after - before), len(before & after), old)
