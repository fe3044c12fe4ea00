"""A child's whole history on the page: every row of the child in every table of this year's and last year's
return, in date order, each with its cells as written in the file, failing cells marked and one line per rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from csctools.datasets.ssda903.detect import ACTIVITY_DATES
from csctools.io.result import ReturnData
from csctools.model import SOURCE_FILE, SOURCE_ROW
from csctools.validate.written import written

# The date a row happened on, by preference: what the row records, then any date (a child's birth for the Header).
CIN_DATES = (
    "CINreferralDate",
    "AssessmentActualStartDate",
    "CINPlanStartDate",
    "S47ActualStartDate",
    "CPPstartDate",
    "CPPreviewDate",
    "PPStartDate",
)
ROW_DATES = (*ACTIVITY_DATES, *CIN_DATES)


def cells_of(record: dict[str, object], dataset: str) -> dict[str, str]:
    """A row's cells as the file writes them (the raw text where the reader kept it)."""
    cells: dict[str, str] = {}
    for column, value in record.items():
        if column.startswith("_") or column.endswith("_raw"):
            continue
        raw = record.get(column + "_raw")
        cells[column] = str(raw) if raw is not None else written(value, dataset)
    return cells


def date_column(frame: pl.DataFrame) -> str | None:
    dates = [name for name, kind in frame.schema.items() if kind == pl.Date]
    preferred = [name for name in ROW_DATES if name in dates]
    chosen = preferred or dates
    return chosen[0] if chosen else None


def _failures(errors: pl.DataFrame) -> tuple[dict[str, list[str]], list[dict[str, object]]]:
    """Failing cells (field -> rule codes) and one line per rule: its severity, message and fields."""
    flagged: dict[str, list[str]] = {}
    lines: dict[str, dict[str, object]] = {}
    for code, severity, field, message in errors.select("rule_code", "severity", "field", "message").iter_rows():
        flagged.setdefault(str(field), []).append(str(code))
        line = lines.setdefault(str(code), {"rule": code, "severity": severity, "message": message, "fields": []})
        fields = line["fields"]
        assert isinstance(fields, list)
        if field not in fields:
            fields.append(field)
    return flagged, list(lines.values())


def _rows_of(
    data: ReturnData, child_key: str, child_id: str, errors: pl.DataFrame, year: str
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for order, (table, frame) in enumerate(data.tables.items()):
        if child_key not in frame.columns:
            continue
        mine = frame.filter(pl.col(child_key).cast(pl.String) == child_id)
        when = date_column(mine)
        for record in mine.iter_rows(named=True):  # one child's rows: tens at most
            source, number = record.get(SOURCE_FILE), record.get(SOURCE_ROW)
            here = errors.filter((pl.col("source_file") == source) & (pl.col("row_number") == number))
            flagged, failures = _failures(here)
            day = record.get(when) if when else None
            rows.append(
                {
                    "year": year,
                    "table": table,
                    "file": Path(str(source)).name,
                    "row": number,
                    "date": day.isoformat() if isinstance(day, dt.date) else None,
                    "date_column": when,
                    "cells": cells_of(record, data.dataset),
                    "flagged": flagged,
                    "failures": failures,
                    "order": order,
                }
            )
    return rows


def child_history(
    data: ReturnData, previous: ReturnData | None, child_key: str, child_id: str, errors: pl.DataFrame
) -> list[dict[str, object]]:
    """Every row of the child in date order (rows without a date first; then last year's, table and row)."""
    rows = _rows_of(previous, child_key, child_id, errors.clear(), "last year") if previous is not None else []
    rows += _rows_of(data, child_key, child_id, errors, "this year")

    def key(item: dict[str, object]) -> tuple[str, int, int, int]:
        order, number = item["order"], item["row"]
        return (
            str(item["date"] or ""),
            0 if item["year"] == "last year" else 1,
            order if isinstance(order, int) else 0,
            number if isinstance(number, int) else 0,
        )

    rows.sort(key=key)
    for item in rows:
        del item["order"]
    return rows
