"""Failures that may follow from a row that could not be read: a child whose episode row was rejected gets errors
for the rows that needed it (1012, EPI, 185, ...). A note per such child names the row, so it is fixed first."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from csctools.io.result import FileReport, unread_rows
from csctools.validate.catalogue import catalogue
from csctools.validate.engine import failures_of
from csctools.validate.worklist import ordered_codes

NOTED_CHILDREN = 20  # notes for at most this many children; one more line says how many others


def _may_follow(code: str, lost: set[str], dataset: str) -> bool:
    """Whether a failure may follow from rows lost from `lost` tables: not a comparison with last year's return
    of other tables (202-208, 624: this year's Header against last year's cannot follow from a lost episode)."""
    info = catalogue(dataset).get(code)
    if info is None:
        return True
    tables = {t.lower() for t in info.tables}
    with_last_year = any(t.endswith("_last") for t in tables)
    return not with_last_year or bool({t.removesuffix("_last") for t in tables} & lost)


def unread_child_notes(errors: pl.DataFrame, files: list[FileReport], dataset: str = "ssda903") -> list[str]:
    """'child 3830000733 has a row that could not be read (episodes.csv, Episodes row 10): its 4 failures (185,
    190, 1012, EPI) may follow from it; fix that row first', for each child a rejected row names."""
    where: dict[str, list[str]] = {}
    lost: dict[str, set[str]] = {}  # child -> tables of its rows that could not be read
    for entry in unread_rows(files):
        if entry.child:
            where.setdefault(entry.child, []).append(f"{Path(entry.file).name}, {entry.table} row {entry.row}")
            lost.setdefault(entry.child, set()).add(entry.table.lower())
    if not where:
        return []
    counted = failures_of(errors).filter(pl.col("child_id").is_in(list(where)))
    codes: dict[str, list[str]] = {}
    for child, code in counted.select("child_id", "rule_code").iter_rows():
        if _may_follow(str(code), lost[str(child)], dataset):
            codes.setdefault(str(child), []).append(str(code))
    notes = []
    for child, rows in list(where.items())[:NOTED_CHILDREN]:
        what = f"{'a row' if len(rows) == 1 else f'{len(rows)} rows'} that could not be read ({'; '.join(rows)})"
        found = codes.get(child, [])
        if found:
            listed = ", ".join(ordered_codes(sorted(set(found))))
            count = f"{len(found)} failure" + ("s" if len(found) != 1 else "")
            notes.append(f"child {child} has {what}: its {count} ({listed}) may follow from it; fix that row first")
        else:
            notes.append(f"child {child} has {what}: no rule checked it")
    if len(where) > NOTED_CHILDREN:
        notes.append(f"... and {len(where) - NOTED_CHILDREN:,} more children with rows that could not be read")
    return notes
