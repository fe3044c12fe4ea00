"""The XLSX work list: Summary, Errors (one row per failure), Children, Guidance (each failing rule's, in full),
then a sheet per table with the failing cells flagged and commented. Sheets are capped where a person could not use
more, and say so."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from csctools import __version__
from csctools.io.result import ReturnData, Severity, rejected_rows, unread_note
from csctools.model import SOURCE_FILE, SOURCE_ROW
from csctools.validate.engine import ACCEPTED, FAILED, QUERIED, ValidationResult, failures_of, headline
from csctools.validate.export import accepted_rows, summary
from csctools.validate.return_summary import NOTES, return_summary
from csctools.validate.since import Since
from csctools.validate.worklist import (
    FAILURE_COLUMNS,
    by_table,
    children,
    code_order,
    failure_index,
    short_files,
    tally_of,
    with_fields,
)
from csctools.validate.written import HELPER_COLUMNS, derived_label, written

# Caps where a person could not use more (each sheet says when it is capped; the CSV has every failure). xlsxwriter
# writes about 200,000 cells a second, so a capped workbook takes well under 20 s at any size.
ERRORS_SHOWN = 100_000  # failures on the Errors sheet
ERRORS_PER_RULE = 10_000  # so that one rule failing everywhere leaves room for the others
CHILDREN_SHOWN = 50_000  # children on the Children sheet (those with most errors)
TABLE_ROWS_SHOWN = 2_000  # rows with errors on each table's sheet
COMMENTS_SHOWN = 2_000  # comments on each table's sheet (every flagged cell shown is still coloured)
RULE_HEADINGS = ("rule", "status", "severity", "failures", "cells", "children", "message", "why not run", "accepted")
ERROR_HEADINGS = (
    "rule",
    "severity",
    "message",
    "child",
    "table",
    "file",
    "source row",
    "fields as written",
    "what to check",
    "suggested value (reason)",
)
GUIDANCE_HEADINGS = (
    "rule",
    "severity",
    "failures",
    "message",
    "what it means",
    "common causes",
    "what to check",
    "guidance from",
)
Format = Any  # xlsxwriter's Format
FILE_WIDTH = 45  # characters, the widest the Errors sheet's file column is made


def rules_failed_first(result: ValidationResult, index: pl.DataFrame | None = None) -> list[dict[str, object]]:
    """Rules that failed or raised queries first (most failures first), then accepted, then the rest by code;
    `index`: the failure index, when made (`summary` counts the children from it)."""
    active = (FAILED, QUERIED)

    def key(item: dict[str, object]) -> tuple[int, int, tuple[tuple[int, str, int], ...]]:
        status, count = item["status"], int(str(item["failures"]))
        rank = 0 if status in active else 1 if status == ACCEPTED else 2
        return (rank, -count if rank == 0 else 0, code_order(str(item["code"])))

    return sorted(summary(result, index), key=key)


def write_xlsx(
    result: ValidationResult,
    data: ReturnData,
    path: Path,
    providers: pl.DataFrame | None = None,
    previous: ReturnData | None = None,
    since: Since | None = None,
) -> None:
    # text from a pack (a rule's message, a reason) is written as text, never as a formula or a link
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    flagged = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    failed = failure_index(result)  # one row per failure without its text: counts and the choice of rows shown
    shown = with_fields(result, errors_shown(failed), providers)  # the text only of the failures listed
    listed = children(failed, CHILDREN_SHOWN)  # every child's counts; the rules only of the children listed
    _summary_sheet(book, result, data, failed, listed, shown.height, bold, previous)
    row_heading = "XML line" if result.dataset == "cin" else "source row"  # a census row is where its element is
    _errors_sheet(book, shown.select(FAILURE_COLUMNS), failed.height, bold, wrap, row_heading)
    _children_sheet(book, listed, bold)
    _since_sheet(book, since, bold)
    _guidance_sheet(book, result, bold, wrap)
    _accepted_sheet(book, result, bold)
    _rejected_sheet(book, data, bold)
    messages = {o.code: o.message for o in result.outcomes}
    for table_name, errors in result.errors.partition_by("table", as_dict=True, maintain_order=True).items():
        name = str(table_name[0])
        frame = result.tables.get(name, data.tables.get(name))  # with the derived columns the rules used
        if frame is not None:
            _table_sheet(book, result.dataset, name, frame, errors, messages, bold, flagged)
    book.close()


def _summary_sheet(
    book: xlsxwriter.Workbook,
    result: ValidationResult,
    data: ReturnData,
    failed: pl.DataFrame,
    listed: pl.DataFrame,
    shown: int,
    bold: Format,
    previous: ReturnData | None,
) -> None:
    """`failed`: the failure index; `listed`: its children; `shown`: the failures the Errors sheet lists."""
    sheet = book.add_worksheet("Summary")
    tally = tally_of(failed, listed)
    said = f"{unread_note(data.files)}{headline(tally)}"
    sheet.write(0, 0, f"{result.dataset.upper()} {result.year.label} validation: {said}", bold)
    if result.absent_tables:
        sheet.write(1, 0, f"The return has no {', '.join(result.absent_tables)} table: rules that need it were not run")
    row = _write_packs(sheet, result)
    accepted = 0 if result.accepted is None else failures_of(result.accepted).height
    authority = f"{result.authority.name} ({result.authority.number})" if result.authority else "not given (--la)"
    structural = [p.describe() for p in data.problems if p.severity is Severity.ERROR]  # a missing column
    facts: list[tuple[str, object]] = [("problems reading the files", "; ".join(structural))] if structural else []
    facts += [
        ("authority", authority),
        ("collection year", result.year.label),
        ("run date", datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("csctools version", __version__),
        ("errors", tally.errors),
        ("queries", tally.queries),
        ("accepted", accepted),
        ("children affected", tally.children),
    ]
    if shown < failed.height:
        facts.append(("note", shown_note(shown, failed.height)))
    for label, value in facts:
        sheet.write(row, 0, label, bold)
        sheet.write(row, 1, value)
        row += 1
    row = _return_summary(sheet, result, data, previous, row + 1, bold)
    sheet.write_row(row, 0, ("file", "table", "rows", "rows rejected"), bold)
    for report in data.files:
        for table in report.tables:
            row += 1
            sheet.write_row(row, 0, (Path(report.path).name, table.name, table.rows_read, len(table.rejected)))
    row += 2
    sheet.write(row, 0, "failures by table", bold)
    for table_name, count in by_table(failed):
        row += 1
        sheet.write_row(row, 0, (table_name, count))
    row += 2
    first = row
    sheet.write_row(first, 0, (*RULE_HEADINGS, "pack"), bold)
    for row, item in enumerate(rules_failed_first(result, failed), start=first + 1):
        values = [item[k] for k in ("code", "status", "severity", "failures", "cells", "children", "message")]
        sheet.write_row(row, 0, [*values, item["reason"], item["accepted"], item["pack"] or ""])
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 16)
    sheet.set_column(6, 7, 70)
    sheet.autofilter(first, 0, first + len(result.outcomes), len(RULE_HEADINGS))
    # no frozen panes here: the rule table starts some 60 rows down, and freezing above it left a laptop screen
    # unable to scroll (the other sheets freeze their heading row)


def _return_summary(
    sheet: Any, result: ValidationResult, data: ReturnData, previous: ReturnData | None, row: int, bold: Format
) -> int:
    """The summary of the return (issue 14) from `row`, last year beside it when given; returns the next free row."""
    figures = return_summary(data, result.year, previous)
    if not figures:
        return row
    last = (previous.year or result.year.previous()).label if previous is not None else None
    sheet.write_row(row, 0, ("the return", "", result.year.label, *([last] if last else [])), bold)
    sheet.write(row + 1, 0, NOTES.get(result.dataset, ""))
    for at, figure in enumerate(figures, start=row + 2):
        values = [figure.this_year, *([figure.last_year] if last else [])]
        sheet.write_row(at, 0, [figure.group or figure.label, figure.label if figure.group else "", *values])
    return row + len(figures) + 3


def _write_packs(sheet: Any, result: ValidationResult) -> int:
    """The packs used (name, version, source, content hash) under the title; returns the next free row."""
    row = 2
    for used in result.packs:
        sheet.write_row(row, 0, ["pack", used.name, used.version, used.source, "sha256 " + used.content_hash])
        row += 1
    for note in result.notes:
        sheet.write_row(row, 0, ["note", note])
        row += 1
    return row + 1 if row > 2 else 2


def _printable(sheet: Any, columns: int) -> None:
    """Landscape A4, one page wide, the heading row on every page."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.autofilter(0, 0, 0, columns - 1)
    sheet.freeze_panes(1, 0)


def errors_shown(failed: pl.DataFrame) -> pl.DataFrame:
    """The failures the Errors sheet lists: the first ERRORS_PER_RULE of each rule, at most ERRORS_SHOWN."""
    return failed.filter(pl.int_range(pl.len()).over("_order") < ERRORS_PER_RULE).head(ERRORS_SHOWN)


def shown_note(shown: int, total: int) -> str:
    return (
        f"The Errors sheet lists {shown:,} of {total:,} failures (at most {ERRORS_PER_RULE:,} of each rule): "
        "the CSV report has every one"
    )


def _errors_sheet(
    book: xlsxwriter.Workbook,
    shown: pl.DataFrame,
    total: int,
    bold: Format,
    wrap: Format,
    row_heading: str = "source row",
) -> None:
    """The failures `shown` (FAILURE_COLUMNS) of `total`; the file column as wide as its longest name (at most
    FILE_WIDTH), so that a name such as ssda903_2025_26_episodes.csv is not cut off."""
    sheet = book.add_worksheet("Errors")
    sheet.write_row(0, 0, [row_heading if h == "source row" else h for h in ERROR_HEADINGS], bold)
    shown = shown.with_columns(short_files(shown))
    longest = shown["source_file"].str.len_chars().max() if shown.height else None
    file_width = min(max(int(longest) + 2, 18), FILE_WIDTH) if isinstance(longest, int) else 18
    for out, record in enumerate(shown.iter_rows(), start=1):
        sheet.write_row(out, 0, record)  # None leaves the cell empty
    last = shown.height
    _printable(sheet, len(ERROR_HEADINGS))
    sheet.autofilter(0, 0, last, len(ERROR_HEADINGS) - 1)
    for column, width in enumerate((9, 8, 50, 14, 14, file_width, 8, 40, 50, 40)):
        sheet.set_column(column, column, width, wrap if width >= 40 else None)
    if shown.height < total:
        sheet.write(last + 2, 0, shown_note(shown.height, total), bold)


def _guidance_sheet(book: xlsxwriter.Workbook, result: ValidationResult, bold: Format, wrap: Format) -> None:
    """One row per rule that failed or raised queries, in code order: its plain-English guidance in full."""
    from csctools.validate.guidance import guidance_of

    found = guidance_of(result)
    sheet = book.add_worksheet("Guidance")
    sheet.write_row(0, 0, GUIDANCE_HEADINGS, bold)
    failing = sorted((o for o in result.outcomes if o.failures), key=lambda o: code_order(o.code))
    for row, outcome in enumerate(failing, start=1):
        about = found.get(outcome.code, {})
        if outcome.pack:
            source = f"pack {outcome.pack}" if about else "none (the pack gives none)"
        else:
            source = "csctools, written for this rule" if about.get("written") else "the DfE message"
        texts = (about.get(key, "") for key in ("meaning", "causes", "check"))
        sheet.write_row(row, 0, (outcome.code, outcome.severity, outcome.failures, outcome.message, *texts, source))
    _printable(sheet, len(GUIDANCE_HEADINGS))
    sheet.autofilter(0, 0, len(failing), len(GUIDANCE_HEADINGS) - 1)
    for column, width in enumerate((9, 8, 9, 45, 50, 45, 50, 22)):
        sheet.set_column(column, column, width, wrap if width >= 40 else None)


def _children_sheet(book: xlsxwriter.Workbook, listed: pl.DataFrame, bold: Format) -> None:
    """`listed`: `children(failed, CHILDREN_SHOWN)`, most errors first."""
    sheet = book.add_worksheet("Children")
    headings = ("child", "errors", "queries", "rules failed")
    sheet.write_row(0, 0, headings, bold)
    for out, record in enumerate(listed.head(CHILDREN_SHOWN).iter_rows(), start=1):
        sheet.write_row(out, 0, record)
    _printable(sheet, len(headings))
    sheet.autofilter(0, 0, min(listed.height, CHILDREN_SHOWN), len(headings) - 1)
    if listed.height > CHILDREN_SHOWN:
        sheet.write(CHILDREN_SHOWN + 2, 0, f"The {CHILDREN_SHOWN:,} of {listed.height:,} children with most errors")
    sheet.set_column(0, 0, 16)
    sheet.set_column(3, 3, 60)


def _accepted_sheet(book: xlsxwriter.Workbook, result: ValidationResult, bold: Format) -> None:
    accepted = accepted_rows(result)
    if accepted.is_empty():
        return
    from csctools.validate.accepted import ACCEPTED_COLUMNS

    sheet = book.add_worksheet("Accepted")
    columns = ["rule_code", "child_id", "table", "row_number", "field", "value", *ACCEPTED_COLUMNS, "message"]
    sheet.write_row(0, 0, columns, bold)
    for out, record in enumerate(accepted.select(columns).iter_rows(), start=1):
        sheet.write_row(out, 0, ["" if v is None else v for v in record])
    sheet.freeze_panes(1, 0)


SINCE_HEADINGS = ("change", "rule", "severity", "table", "row", "child", "file", "message")


def _since_sheet(book: xlsxwriter.Workbook, since: Since | None, bold: Format) -> None:
    """With --since: the counts, then every new and fixed failure (new first), filterable."""
    if since is None:
        return
    sheet = book.add_worksheet("Since last run")
    sheet.write(0, 0, since.counts.describe(), bold)
    sheet.write_row(2, 0, SINCE_HEADINGS, bold)
    for out, record in enumerate(since.listed.iter_rows(), start=3):
        sheet.write_row(out, 0, ["" if v is None else v for v in record])
    for column, width in enumerate((7, 8, 9, 12, 7, 14, 30, 90)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, 2 + since.listed.height, len(SINCE_HEADINGS) - 1)


def _rejected_sheet(book: xlsxwriter.Workbook, data: ReturnData, bold: Format) -> None:
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
    messages: dict[str, str],
    bold: Format,
    flagged: Format,
) -> None:
    """The rows holding errors as the file has them, failing cells coloured, each with a comment naming its rules
    and their messages; derived columns (placement LA, ...) come last, headed with the columns they came from."""
    columns = [c for c in frame.columns if not c.startswith("_") and not c.endswith("_raw") and c not in HELPER_COLUMNS]
    columns.sort(key=lambda c: derived_label(c, dataset, name) is not None)
    headings = [c if (label := derived_label(c, dataset, name)) is None else f"{c} ({label})" for c in columns]
    where = ["source_file", "row_number"]
    flagged_rows = errors.select(where).unique().sort(where, nulls_last=True)
    shown = flagged_rows.head(TABLE_ROWS_SHOWN)
    rows = (
        errors.join(shown, on=where, how="semi")
        .group_by("row_number", "source_file", "field")
        .agg(pl.col("rule_code").unique().sort())
    )
    keyed = frame.join(
        shown.rename({"source_file": SOURCE_FILE, "row_number": SOURCE_ROW}), on=[SOURCE_FILE, SOURCE_ROW], how="semi"
    ).sort(SOURCE_FILE, SOURCE_ROW)
    sheet = book.add_worksheet(name[:31])
    sheet.write_row(0, 0, ["file", "row", *headings], bold)
    comments = {(r, f, field): codes for r, f, field, codes in rows.iter_rows()}
    commented = 0
    for out, record in enumerate(keyed.iter_rows(named=True), start=1):
        sheet.write(out, 0, Path(str(record[SOURCE_FILE])).name)
        sheet.write(out, 1, record[SOURCE_ROW])
        for col, column in enumerate(columns, start=2):
            raw = record.get(column + "_raw")
            text = str(raw) if raw is not None else written(record[column], dataset)
            codes = comments.get((record[SOURCE_ROW], record[SOURCE_FILE], column))
            if not codes:
                sheet.write_string(out, col, text)
                continue
            sheet.write_string(out, col, text, flagged)
            if commented < COMMENTS_SHOWN:
                sheet.write_comment(out, col, "\n".join(f"{c}: {messages.get(c, '')}" for c in codes))
                commented += 1
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, max(keyed.height, 1), len(columns) + 1)  # e.g. to pick one child's rows
    sheet.set_column(0, 0, 28)
    for col, heading in enumerate(headings, start=2):  # room for the heading (the codes and dates are short)
        sheet.set_column(col, col, min(max(len(heading) + 3, 10), 40))
    notes = []
    if flagged_rows.height > TABLE_ROWS_SHOWN:
        notes.append(f"The first {TABLE_ROWS_SHOWN:,} of {flagged_rows.height:,} rows with errors: the CSV lists all")
    if commented >= COMMENTS_SHOWN and len(comments) > commented:
        notes.append(f"Comments on the first {COMMENTS_SHOWN:,} flagged cells; every flagged cell is coloured")
    for offset, note in enumerate(notes):
        sheet.write(keyed.height + 2 + offset, 0, note, bold)
