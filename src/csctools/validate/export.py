"""Reports derived from the error table: CSV, JSON, XLSX (flagged cells) and a self-contained HTML page."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path

import polars as pl
import xlsxwriter
from jinja2 import Environment, select_autoescape

from csctools.io.result import ReturnData, rejected_rows
from csctools.model import SOURCE_FILE, SOURCE_ROW
from csctools.validate.engine import ValidationResult

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
    counts = dict(result.errors.group_by("rule_code").agg(pl.col("child_id").n_unique().alias("children")).iter_rows())
    return [{**o._asdict(), "children": counts.get(o.code, 0)} for o in result.outcomes]


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
    errors = with_context(result)
    if data is not None and rejected_rows(data.files):
        errors = pl.concat([errors, rejected_frame(result, data)], how="vertical_relaxed")
    errors.write_csv(path)


def write_json(result: ValidationResult, data: ReturnData, path: Path) -> None:
    document = {
        "dataset": result.dataset,
        "year": result.year.label,
        "authority": result.authority.number if result.authority else None,
        "rule_counts": result.counts(),
        "rules": summary(result),
        "structural_problems": [p._asdict() for p in data.problems],
        "rejected_rows": [e._asdict() for e in rejected_rows(data.files)],
        "errors": with_context(result).to_dicts(),
    }
    path.write_text(json.dumps(document, indent=1, default=str), encoding="utf-8")


def write_xlsx(result: ValidationResult, data: ReturnData, path: Path) -> None:
    """A summary sheet by rule, then a sheet per table with each row that has an error, failing cells flagged."""
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})
    flagged = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    sheet = book.add_worksheet("Summary")
    sheet.write(0, 0, f"{result.dataset.upper()} {result.year.label} validation", bold)
    headings = ("rule", "status", "severity", "cells", "children", "message", "why not run")
    sheet.write_row(2, 0, headings, bold)
    for row, item in enumerate(summary(result), start=3):
        sheet.write_row(
            row,
            0,
            [
                item["code"],
                item["status"],
                item["severity"],
                item["failures"],
                item["children"],
                item["message"],
                item["reason"],
            ],
        )
    sheet.set_column(5, 5, 90)
    sheet.autofilter(2, 0, 2 + len(result.outcomes), len(headings) - 1)
    sheet.freeze_panes(3, 0)
    _rejected_sheet(book, data, bold)
    for table_name, errors in result.errors.partition_by("table", as_dict=True, maintain_order=True).items():
        name = str(table_name[0])
        frame = data.tables.get(name)
        if frame is None:
            continue
        _table_sheet(book, name, frame, errors, bold, flagged)
    book.close()


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
    book: xlsxwriter.Workbook, name: str, frame: pl.DataFrame, errors: pl.DataFrame, bold: object, flagged: object
) -> None:
    columns = [c for c in frame.columns if not c.startswith("_") and not c.endswith("_raw")]
    rows = errors.group_by("row_number", "source_file", "field").agg(pl.col("rule_code").unique().sort())
    keyed = frame.filter(pl.col(SOURCE_ROW).is_in(rows["row_number"].unique().implode()))
    sheet = book.add_worksheet(name[:31])
    sheet.write_row(0, 0, ["file", "row", *columns], bold)
    comments = {(r, f, field): codes for r, f, field, codes in rows.iter_rows()}
    for out, record in enumerate(keyed.sort(SOURCE_FILE, SOURCE_ROW).iter_rows(named=True), start=1):
        sheet.write(out, 0, Path(str(record[SOURCE_FILE])).name)
        sheet.write(out, 1, record[SOURCE_ROW])
        for col, column in enumerate(columns, start=2):
            raw = record.get(column + "_raw")
            value = raw if raw is not None else record[column]
            text = value.strftime("%d/%m/%Y") if isinstance(value, date) else ("" if value is None else str(value))
            codes = comments.get((record[SOURCE_ROW], record[SOURCE_FILE], column))
            if codes:
                sheet.write_string(out, col, text, flagged)
                sheet.write_comment(out, col, "Rules: " + ", ".join(codes))
            else:
                sheet.write_string(out, col, text)
    sheet.freeze_panes(1, 2)


def write_html(result: ValidationResult, data: ReturnData, path: Path) -> None:
    template = resources.files("csctools.validate").joinpath("report.html.j2").read_text(encoding="utf-8")
    environment = Environment(autoescape=select_autoescape(default=True))
    payload = {
        "rules": summary(result),
        "errors": result.errors.select(CSV_COLUMNS)
        .with_columns(pl.col("source_file").map_elements(lambda p: Path(p).name, return_dtype=pl.String))
        .to_dicts(),
    }
    html = environment.from_string(template).render(
        title=f"{result.dataset.upper()} {result.year.label} validation",
        authority=result.authority.name if result.authority else "",
        counts=result.counts(),
        error_count=result.error_count,
        problems=[p.describe() for p in data.problems],
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
