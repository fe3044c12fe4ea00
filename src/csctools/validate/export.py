"""Reports derived from the error table: CSV and JSON here; XLSX (xlsx_report) and HTML (html_report) import
their writers only when asked for."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from csctools.io.result import ReturnData, rejected_rows
from csctools.validate.accepted import ACCEPTED_COLUMNS
from csctools.validate.engine import ValidationResult
from csctools.validate.guidance import guidance_of
from csctools.validate.since import Since

CSV_COLUMNS = ("rule_code", "severity", "table", "row_number", "child_id", "field", "value", "message", "source_file")
FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".html": "html", ".htm": "html"}


def with_context(result: ValidationResult) -> pl.DataFrame:
    """The error table with the authority and year on every row."""
    return result.errors.select(
        *CSV_COLUMNS,
        pl.lit(result.authority.number if result.authority else None, pl.String).alias("authority"),
        pl.lit(result.year.label).alias("year"),
    )


def summary(result: ValidationResult, index: pl.DataFrame | None = None) -> list[dict[str, object]]:
    """Each rule's outcome with its failures (one per record), the cells they point at and the children; `index`
    (`worklist.failure_index`, when a report has it) counts the children from the failures rather than the cells."""
    if index is not None:
        child = pl.col("child_id").to_physical().drop_nulls().n_unique()  # a category's integers: a tenth the time
        children = index.group_by("_order").agg(pl.first("rule_code"), child.alias("child_id"))
        counts = dict(children.select("rule_code", "child_id").iter_rows())
    else:
        found = result.errors.group_by("rule_code").agg(pl.col("child_id").drop_nulls().n_unique())
        counts = dict(found.iter_rows())
    return [{**o._asdict(), "children": counts.get(o.code, 0)} for o in result.outcomes]


def headline_counts(result: ValidationResult) -> dict[str, object]:
    """The figures every report's headline gives, named the same way everywhere."""
    tally = result.tally()
    return {
        "headline": result.headline(),
        "error_count": tally.errors,
        "query_count": tally.queries,
        "children_count": tally.children,
        "children_with_errors_count": tally.children_with_errors,
        "absent_tables": list(result.absent_tables),
    }


def accepted_rows(result: ValidationResult) -> pl.DataFrame:
    """Accepted queries with the authority and year, as the error table's columns plus reason, by and on."""
    if result.accepted is None or result.accepted.is_empty():
        return pl.DataFrame(schema={c: pl.String for c in (*CSV_COLUMNS, *ACCEPTED_COLUMNS)})
    return result.accepted.select(
        *CSV_COLUMNS,
        *ACCEPTED_COLUMNS,
        pl.lit(result.authority.number if result.authority else None, pl.String).alias("authority"),
        pl.lit(result.year.label).alias("year"),
    )


REJECTED_RULE, REJECTED_SEVERITY = "READ", "rejected"  # how a row the reader rejected appears in the CSV


def rejected_frame(result: ValidationResult, data: ReturnData) -> pl.DataFrame:
    """The rows the readers rejected (not checked by any rule) as rows of the CSV report, after the errors."""
    entries = rejected_rows(data.files)
    return pl.DataFrame(
        {
            "rule_code": [REJECTED_RULE] * len(entries),
            "severity": [REJECTED_SEVERITY] * len(entries),
            "table": [e.table for e in entries],
            "row_number": [e.row for e in entries],
            "child_id": [None] * len(entries),
            "field": [None] * len(entries),
            "value": [None] * len(entries),
            "message": [f"row rejected when reading, so not checked: {e.reason}" for e in entries],
            "source_file": [e.file for e in entries],
            "authority": [result.authority.number if result.authority else None] * len(entries),
            "year": [result.year.label] * len(entries),
        },
        schema=with_context(result).schema,
        strict=False,
    )


def write_csv(result: ValidationResult, path: Path, data: ReturnData | None = None) -> None:
    """Outstanding failures, then rows rejected when reading (rule READ), then accepted queries (the accepted_*
    columns say why; empty for the other rows)."""
    outstanding = with_context(result)
    if data is not None and rejected_rows(data.files):
        outstanding = pl.concat([outstanding, rejected_frame(result, data)], how="vertical_relaxed")
    accepted = accepted_rows(result)
    if accepted.is_empty():
        outstanding.write_csv(path)
        return
    blank = [pl.lit(None, pl.String).alias(c) for c in ACCEPTED_COLUMNS]
    both = pl.concat(
        [outstanding.with_columns(blank), accepted.select(outstanding.columns + list(ACCEPTED_COLUMNS))],
        how="vertical_relaxed",
    )
    both.write_csv(path)


def since_document(since: Since | None) -> dict[str, object] | None:
    """What changed since the earlier run: the counts and every new and fixed failure."""
    if since is None:
        return None
    counts = since.counts
    return {
        "fixed": counts.fixed,
        "new": counts.new,
        "still_open": counts.still_open,
        "matched_without_files": counts.without_files,
        "failures": since.listed.to_dicts(),
    }


def write_json(result: ValidationResult, data: ReturnData, path: Path, since: Since | None = None) -> None:
    document = {
        "dataset": result.dataset,
        "year": result.year.label,
        "authority": result.authority.number if result.authority else None,
        **headline_counts(result),
        "packs": [p._asdict() for p in result.packs],
        "notes": result.notes,
        "rule_counts": result.counts(),
        "rules": summary(result),
        "guidance": guidance_of(result),  # of each rule with failures: meaning, causes, check, written
        "structural_problems": [p._asdict() for p in data.problems],
        "rejected_rows": [e._asdict() for e in rejected_rows(data.files)],
        "errors": with_context(result).to_dicts(),
        "accepted": accepted_rows(result).to_dicts(),
        "since": since_document(since),  # null without --since
    }
    path.write_text(json.dumps(document, indent=1, default=str), encoding="utf-8")


def write_report(
    result: ValidationResult,
    data: ReturnData,
    path: Path,
    providers: pl.DataFrame | None = None,
    previous: ReturnData | None = None,
    since: Since | None = None,
) -> None:
    """Write one report; the format follows the file's extension. `providers` (the Ofsted list) lets the XLSX and
    HTML reports suggest values; `previous` (last year's return) puts last year beside their summary of the return;
    `since` (the comparison with an earlier run) lists the new and fixed failures in the JSON, XLSX and HTML."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: unknown report format (use .xlsx, .csv, .json or .html)")
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        write_csv(result, path, data)
    elif kind == "json":
        write_json(result, data, path, since)
    elif kind == "xlsx":
        from csctools.validate.xlsx_report import write_xlsx

        write_xlsx(result, data, path, providers, previous, since)
    else:
        from csctools.validate.html_report import write_html

        write_html(result, data, path, providers, previous, since)
