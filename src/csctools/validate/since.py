"""What changed since an earlier run: failures fixed, new and still open, compared with that run's JSON report.

A failure is one rule on one record, as everywhere else in csctools (the headline, the reports): keyed by rule,
table, child, source file (its name, so that a folder moved between runs does not matter) and source row. A record
still failing the rule on another of its cells is still open; row 12 of another file is another failure. A report
of an older csctools without source files is still read; it is then compared without them, and the comparison
says so.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import polars as pl

KEY = ("rule_code", "table", "child_id", "source_file", "row_number")
OLD_KEY = tuple(k for k in KEY if k != "source_file")  # reports of older versions have no source file
DETAIL = ("severity", "message")  # said of each failure listed as new or fixed
LISTED_COLUMNS = ("change", "rule_code", "severity", "table", "row_number", "child_id", "source_file", "message")
NEW, FIXED = "new", "fixed"


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
    schema = {k: pl.Int64 if k == "row_number" else pl.String for k in (*KEY, *DETAIL)}
    if not errors:
        return pl.DataFrame(schema=schema)
    try:
        frame = pl.DataFrame(errors, infer_schema_length=None, strict=False)
        missing = [k for k in OLD_KEY if k not in frame.columns]
        if missing:
            raise SinceError(f"{path}: its errors have no {', '.join(missing)} (not a JSON report of csc validate)")
        absent = [k for k in ("source_file", *DETAIL) if k not in frame.columns]
        frame = frame.with_columns(pl.lit(None, pl.String).alias(k) for k in absent)
        return frame.select(pl.col(k).cast(t) for k, t in schema.items())
    except (TypeError, ValueError, pl.exceptions.PolarsError) as error:
        if isinstance(error, SinceError):
            raise
        raise SinceError(f"{path}: the errors of the report cannot be read ({error})") from error


DATASET_NAMES = {"ssda903": "SSDA903", "cin": "CIN census"}


def report_of(path: Path) -> tuple[str | None, str | None]:
    """The return ("ssda903", "cin") and collection year ("2025/26") an earlier JSON report says it is of, read
    from its opening (they come first), without parsing its errors again."""
    with path.open("rb") as handle:
        head = handle.read(4096).decode("utf-8", errors="replace")
    dataset, year = (re.search(rf'"{key}":\s*"([^"]*)"', head) for key in ("dataset", "year"))
    return (dataset.group(1) if dataset else None, year.group(1) if year else None)


def check_same_return(path: Path, dataset: str, year: str) -> None:
    """An earlier report compared with this run must be of the same return and collection year: another's
    failures would all count as fixed or new."""
    try:
        was, then = report_of(path)
    except OSError:
        return  # earlier_failures has read it already
    if isinstance(was, str) and was != dataset:
        raise SinceError(
            f"{path}: a report of the {DATASET_NAMES.get(was, was)}, not the {DATASET_NAMES.get(dataset, dataset)}: "
            "give the JSON report of an earlier run of the same return"
        )
    if isinstance(then, str) and then != year:
        raise SinceError(f"{path}: a report of {then}, not {year}: give the JSON report of an earlier run of {year}")


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


class Since(NamedTuple):
    """The counts, and each failure found only now (new) or only in the earlier run (fixed), one row per failure
    (LISTED_COLUMNS; source_file as the file's name), new first, each in code order of the rule then file and row."""

    counts: Changes
    listed: pl.DataFrame

    def lines(self, shown: int) -> list[str]:
        """The counts, then at most `shown` failures listed, new first: what a fix broke is the first question."""
        said = [self.counts.describe()]
        for row in self.listed.head(shown).iter_rows(named=True):
            file = f" ({row['source_file']})" if row["source_file"] else ""
            where = f"{row['table']} row {row['row_number']}{file}"
            child = f", child {row['child_id']}" if row["child_id"] else ""
            message = f": {row['message']}" if row["message"] else ""
            severity = f" ({row['severity']})" if row["severity"] else ""
            said.append(f"  {row['change']:<5} {row['rule_code']}{severity} {where}{child}{message}")
        if self.listed.height > shown:
            said.append(f"  ... and {self.listed.height - shown:,} more new or fixed (listed in every report)")
        return said


def _failures(errors: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    """One row per failure, with the file's name alone and the columns a listing shows."""
    absent = [c for c in LISTED_COLUMNS[1:] if c not in errors.columns]
    named = errors.with_columns(pl.lit(None, pl.String).alias(c) for c in absent).with_columns(
        pl.col("source_file").str.replace(r"^.*[\\/]", ""), pl.col("row_number").cast(pl.Int64)
    )
    return named.select(LISTED_COLUMNS[1:]).unique(subset=list(key), keep="first", maintain_order=True)


def compare(earlier: pl.DataFrame, now: pl.DataFrame) -> Since:
    """`changes`, with the new and the fixed failures listed."""
    from csctools.validate.worklist import code_order

    counted = changes(earlier, now)
    key = list(OLD_KEY if counted.without_files else KEY)
    before, after = _failures(earlier, tuple(key)), _failures(now, tuple(key))
    new = after.join(before, on=key, how="anti", nulls_equal=True).with_columns(pl.lit(NEW).alias("change"))
    fixed = before.join(after, on=key, how="anti", nulls_equal=True).with_columns(pl.lit(FIXED).alias("change"))
    listed = pl.concat([new, fixed]).select(LISTED_COLUMNS)
    codes = sorted(set(listed["rule_code"].drop_nulls().cast(pl.String).to_list()), key=code_order)
    rank = pl.col("rule_code").replace_strict(codes, list(range(len(codes))), default=len(codes), return_dtype=pl.Int64)
    listed = listed.sort(pl.col("change") != NEW, rank, "source_file", "row_number", nulls_last=True)
    return Since(counted, listed)
