"""Reports derived from the error table: CSV, JSON, XLSX (flagged cells) and a self-contained HTML page."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from csctools.io.result import ReturnData, rejected_rows
from csctools.model import SOURCE_FILE, SOURCE_ROW
from csctools.validate.accepted import ACCEPTED_COLUMNS
from csctools.validate.engine import ValidationResult
from csctools.validate.written import HELPER_COLUMNS, derived_label, written

if TYPE_CHECKING:  # xlsxwriter and jinja2 load only when an XLSX or HTML report is written (issue 17)
    import xlsxwriter

CSV_COLUMNS = ("rule_code", "severity", "table", "row_number", "child_id", "field", "value", "message", "source_file")
FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".html": "html", ".htm": "html"}


def with_context(result: ValidationResult) -> pl.DataFrame:
    """The error table with the authority and year on every row."""
    return result.errors.select(
        *CSV_COLUMNS,
        pl.lit(result.authority.number if result.authority else None, pl.String).alias("authority"),
        pl.lit(result.year.label).alias("year"),
    )


def summary(result: ValidationResult) -> list[dict[str, object]]:
    """Each rule's outcome with its failures (one per record), the cells they point at and the children."""
    children = result.errors.group_by("rule_code").agg(pl.col("child_id").drop_nulls().n_unique().alias("children"))
    counts = dict(children.iter_rows())
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


def write_json(result: ValidationResult, data: ReturnData, path: Path) -> None:
    document = {
        "dataset": result.dataset,
        "year": result.year.label,
        "authority": result.authority.number if result.authority else None,
        **headline_counts(result),
        "packs": [p._asdict() for p in result.packs],
        "notes": result.notes,
        "rule_counts": result.counts(),
        "rules": summary(result),
        "structural_problems": [p._asdict() for p in data.problems],
        "rejected_rows": [e._asdict() for e in rejected_rows(data.files)],
        "errors": with_context(result).to_dicts(),
        "accepted": accepted_rows(result).to_dicts(),
    }
    path.write_text(json.dumps(document, indent=1, default=str), encoding="utf-8")


def write_xlsx(result: ValidationResult, data: ReturnData, path: Path) -> None:
    """A summary sheet by rule, then a sheet per table with each row that has an error, failing cells flagged."""
    import xlsxwriter

    # text from a pack (a rule's message, a reason) is written as text, never as a formula or a link
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    flagged = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    sheet = book.add_worksheet("Summary")
    sheet.write(0, 0, f"{result.dataset.upper()} {result.year.label} validation: {result.headline()}", bold)
    if result.absent_tables:
        sheet.write(1, 0, f"The return has no {', '.join(result.absent_tables)} table: rules that need it were not run")
    headings = (
        "rule",
        "status",
        "severity",
        "failures",
        "cells",
        "children",
        "message",
        "why not run",
        "accepted",
        "pack",
    )
    first = _write_packs(sheet, result, bold)
    sheet.write_row(first, 0, headings, bold)
    for row, item in enumerate(summary(result), start=first + 1):
        sheet.write_row(
            row,
            0,
            [
                item["code"],
                item["status"],
                item["severity"],
                item["failures"],
                item["cells"],
                item["children"],
                item["message"],
                item["reason"],
                item["accepted"],
                item["pack"] or "",
            ],
        )
    sheet.set_column(6, 6, 90)
    sheet.autofilter(first, 0, first + len(result.outcomes), len(headings) - 1)
    sheet.freeze_panes(first + 1, 0)
    _accepted_sheet(book, result, bold)
    _rejected_sheet(book, data, bold)
    for table_name, errors in result.errors.partition_by("table", as_dict=True, maintain_order=True).items():
        name = str(table_name[0])
        frame = result.tables.get(name, data.tables.get(name))  # with the derived columns the rules used
        if frame is None:
            continue
        _table_sheet(book, result.dataset, name, frame, errors, bold, flagged)
    book.close()


def _write_packs(sheet: Any, result: ValidationResult, bold: object) -> int:
    """The packs used (name, version, source, content hash) under the title; returns the next free row."""
    row = 2
    for used in result.packs:
        sheet.write_row(row, 0, ["pack", used.name, used.version, used.source, "sha256 " + used.content_hash])
        row += 1
    for note in result.notes:
        sheet.write_row(row, 0, ["note", note])
        row += 1
    return row + 1 if row > 2 else 2


def _accepted_sheet(book: xlsxwriter.Workbook, result: ValidationResult, bold: object) -> None:
    accepted = accepted_rows(result)
    if accepted.is_empty():
        return
    sheet = book.add_worksheet("Accepted")
    columns = ["rule_code", "child_id", "table", "row_number", "field", "value", *ACCEPTED_COLUMNS, "message"]
    sheet.write_row(0, 0, columns, bold)
    for out, record in enumerate(accepted.select(columns).iter_rows(), start=1):
        sheet.write_row(out, 0, ["" if v is None else v for v in record])
    sheet.freeze_panes(1, 0)


def _rejected_sheet(book: xlsxwriter.Workbook, data: ReturnData, bold: object) -> None:
    """A sheet of the rows the readers rejected (not checked by any rule), when there are any."""
    entries = rejected_rows(data.files)
    if not entries:
        return
    sheet = book.add_worksheet("Rejected rows")
    sheet.write(0, 0, "Rows rejected when reading the files: no rule checked them", bold)
    sheet.write_row(2, 0, ("file", "table", "row", "reason"), bold)
    for out, entry in enumerate(entries, start=3):
        sheet.write_string(out, 0, Path(entry.file).name)
        sheet.write_string(out, 1, entry.table)
        sheet.write_number(out, 2, entry.row)
        sheet.write_string(out, 3, entry.reason)
    sheet.set_column(3, 3, 70)
    sheet.freeze_panes(3, 0)


def _table_sheet(
    book: xlsxwriter.Workbook,
    dataset: str,
    name: str,
    frame: pl.DataFrame,
    errors: pl.DataFrame,
    bold: object,
    flagged: object,
) -> None:
    """The rows holding errors as the file has them; derived columns (placement LA, ...) come last, headed with
    the columns they were derived from."""
    columns = [c for c in frame.columns if not c.startswith("_") and not c.endswith("_raw") and c not in HELPER_COLUMNS]
    columns.sort(key=lambda c: derived_label(c, dataset, name) is not None)
    headings = [c if (label := derived_label(c, dataset, name)) is None else f"{c} ({label})" for c in columns]
    rows = errors.group_by("row_number", "source_file", "field").agg(pl.col("rule_code").unique().sort())
    keyed = frame.filter(pl.col(SOURCE_ROW).is_in(rows["row_number"].unique().implode()))
    sheet = book.add_worksheet(name[:31])
    sheet.write_row(0, 0, ["file", "row", *headings], bold)
    comments = {(r, f, field): codes for r, f, field, codes in rows.iter_rows()}
    for out, record in enumerate(keyed.sort(SOURCE_FILE, SOURCE_ROW).iter_rows(named=True), start=1):
        sheet.write(out, 0, Path(str(record[SOURCE_FILE])).name)
        sheet.write(out, 1, record[SOURCE_ROW])
        for col, column in enumerate(columns, start=2):
            raw = record.get(column + "_raw")
            text = str(raw) if raw is not None else written(record[column], dataset)
            codes = comments.get((record[SOURCE_ROW], record[SOURCE_FILE], column))
            if codes:
                sheet.write_string(out, col, text, flagged)
                sheet.write_comment(out, col, "Rules: " + ", ".join(codes))
            else:
                sheet.write_string(out, col, text)
    sheet.freeze_panes(1, 2)


def write_html(result: ValidationResult, data: ReturnData, path: Path) -> None:
    from jinja2 import Environment, select_autoescape

    template = resources.files("csctools.validate").joinpath("report.html.j2").read_text(encoding="utf-8")
    environment = Environment(autoescape=select_autoescape(default=True))
    payload = {
        "rules": summary(result),
        "errors": result.errors.select(CSV_COLUMNS)
        .with_columns(pl.col("source_file").map_elements(lambda p: Path(p).name, return_dtype=pl.String))
        .to_dicts(),
    }
    tally = result.tally()
    html = environment.from_string(template).render(
        title=f"{result.dataset.upper()} {result.year.label} validation",
        authority=result.authority.name if result.authority else "",
        counts=result.counts(),
        headline=result.headline(),
        error_count=tally.errors,
        query_count=tally.queries,
        absent_tables=result.absent_tables,
        problems=[p.describe() for p in data.problems],
        packs=[p._asdict() for p in result.packs],
        notes=result.notes,
        accepted=accepted_rows(result).to_dicts(),
        rejected=[e._replace(file=Path(e.file).name) for e in rejected_rows(data.files)],
        payload=json.dumps(payload, default=str).replace("</", "<\\/"),
    )
    path.write_text(html, encoding="utf-8")


def write_report(result: ValidationResult, data: ReturnData, path: Path) -> None:
    """Write one report; the format follows the file's extension."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: unknown report format (use .xlsx, .csv, .json or .html)")
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        write_csv(result, path, data)
    elif kind == "json":
        write_json(result, data, path)
    elif kind == "xlsx":
        write_xlsx(result, data, path)
    else:
        write_html(result, data, path)
