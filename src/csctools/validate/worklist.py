"""The work list every report shares: one row per failure with its fields, guidance and suggestions, one row per
child, rules in the order people read codes (101 < 1000 < 1001, letters after digits)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from csctools.validate.engine import FAILURE_KEY, ValidationResult
from csctools.validate.guidance import guidance
from csctools.validate.suggest import suggest

FAILURE_COLUMNS = (
    "rule_code",
    "severity",
    "message",
    "child_id",
    "table",
    "source_file",
    "row_number",
    "fields",
    "check",
    "suggested",
)
_PARTS = re.compile(r"(\D*)(\d*)")


def code_order(code: str) -> tuple[tuple[int, str, int], ...]:
    """Sort key for rule codes: numbers as numbers (101 < 1000 < 1001), codes starting with a letter after those
    starting with a digit, then letters and digits in turn ('INT11' < 'INT101')."""
    key = []
    for text, digits in _PARTS.findall(code):
        if not text and not digits:
            continue
        key.append((1 if text else 0, text, int(digits) if digits else -1))
    return tuple(key)


def ordered_codes(codes: list[str]) -> list[str]:
    return sorted(codes, key=code_order)


def check_text(dataset: str, codes: list[str], messages: dict[str, str]) -> pl.DataFrame:
    """What to check for each rule code: the DfE guidance, else (a pack's rule) its message."""
    checks = []
    for code in codes:
        found = guidance(dataset, code)
        checks.append(found.check if found is not None else messages.get(code, ""))
    return pl.DataFrame({"rule_code": codes, "check": checks}, schema={"rule_code": pl.String, "check": pl.String})


def suggestions(result: ValidationResult, providers: pl.DataFrame | None) -> pl.DataFrame:
    """Suggested values, one row per failure: 'FIELD: value (reason)' joined with '; '."""
    found = suggest(result.errors, result.tables, providers, result.dataset)
    keys = ["rule_code", "table", "source_file", "row_number"]
    return found.group_by(keys, maintain_order=True).agg(
        pl.format("{}: {} ({})", "field", "suggested", "reason").str.join("; ").alias("suggested")
    )


def failures(result: ValidationResult, providers: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per failure (rule on one record), rules in code order: the cells as 'FIELD=value' (as written)."""
    errors = result.errors
    if errors.is_empty():
        return pl.DataFrame(schema={c: pl.Int64 if c == "row_number" else pl.String for c in FAILURE_COLUMNS})
    cell = pl.format("{}={}", pl.col("field").fill_null(""), pl.col("value").fill_null("(blank)"))
    grouped = errors.group_by(list(FAILURE_KEY), maintain_order=True).agg(
        pl.col("severity").first(), pl.col("message").first(), cell.str.join("; ").alias("fields")
    )
    codes = grouped["rule_code"].unique().to_list()
    messages = dict(grouped.select("rule_code", "message").unique("rule_code").iter_rows())
    order = pl.DataFrame({"rule_code": ordered_codes(codes)}).with_row_index("_order")
    keys = ["rule_code", "table", "source_file", "row_number"]
    return (
        grouped.join(check_text(result.dataset, codes, messages), on="rule_code", how="left")
        .join(suggestions(result, providers), on=keys, how="left", nulls_equal=True)
        .join(order, on="rule_code")
        .sort("_order", "child_id", "table", "row_number", nulls_last=True, maintain_order=True)
        .select(FAILURE_COLUMNS)
    )


def children(failed: pl.DataFrame) -> pl.DataFrame:
    """One row per child: errors and queries (failures) and the rules failed; children with errors first."""
    if failed.is_empty():
        return pl.DataFrame(
            schema={"child_id": pl.String, "errors": pl.UInt32, "queries": pl.UInt32, "rules": pl.String}
        )
    is_error = pl.col("severity") == "error"
    return (
        failed.filter(pl.col("child_id").is_not_null())
        .group_by("child_id")
        .agg(
            is_error.sum().alias("errors"),
            (~is_error).sum().alias("queries"),
            pl.col("rule_code").unique(maintain_order=True).str.join(", ").alias("rules"),
        )
        .sort(["errors", "queries", "child_id"], descending=[True, True, False])
    )


def by_table(failed: pl.DataFrame) -> list[tuple[str, int]]:
    """Failures per table, most first."""
    counted = failed.group_by("table").len().sort(["len", "table"], descending=[True, False])
    return [(str(t), int(n)) for t, n in counted.iter_rows()]


def short_file(path: object) -> str:
    return Path(str(path)).name if path is not None else ""
