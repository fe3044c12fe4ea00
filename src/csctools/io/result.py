"""What reading produces: typed tables, per-file reports, structural problems and rejected rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

import polars as pl

from csctools.years import CollectionYear

MISSING_COLUMN = "missing-column"  # the one structural error a return is still validated with (validate/gaps.py)


class Severity(StrEnum):
    ERROR = "error"  # the file (or part of it) could not be read
    WARNING = "warning"  # read, but something was ignored or guessed


class Problem(NamedTuple):
    """A structural problem with a file, in words an analyst understands."""

    file: str
    kind: str  # stable code, e.g. "missing-column", "malformed-xml"
    message: str
    severity: Severity = Severity.ERROR
    row: int | None = None  # spreadsheet row (header = 1) or XML line
    column: str | None = None

    def describe(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}" if not self.file.lower().endswith(".xml") else f", line {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class RejectedRow(NamedTuple):
    row: int
    reason: str
    child: str | None = None  # the child the row names, where the reader could tell (a 903 row of the wrong width)


@dataclass
class TableRead:
    """One table found in a file: how many rows came in, were read, were rejected and why."""

    name: str
    rows_in: int
    rows_read: int
    rejected: list[RejectedRow] = field(default_factory=list)
    unparsed_values: dict[str, int] = field(default_factory=dict)  # column -> values kept only as raw text


@dataclass
class FileReport:
    path: str
    dataset: str | None = None  # "ssda903", "cin", "annex_a" or None when not recognised
    year: CollectionYear | None = None
    year_source: str = ""  # how the year was found: "content", "file name", "given"
    tables: list[TableRead] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def can_be_validated(self) -> bool:
        """No error other than missing columns: the rules that need a missing column are "not run", the rest run."""
        return not any(p.severity is Severity.ERROR and p.kind != MISSING_COLUMN for p in self.problems)

    def missing_columns(self) -> list[tuple[str, str]]:
        """(table, column) of each column the file's header lacks (a CSV file holds one table)."""
        if len(self.tables) != 1:
            return []
        table = self.tables[0].name
        return [(table, p.column) for p in self.problems if p.kind == MISSING_COLUMN and p.column]

    @property
    def rows_in(self) -> int:
        return sum(t.rows_in for t in self.tables)

    @property
    def rows_read(self) -> int:
        return sum(t.rows_read for t in self.tables)

    @property
    def rows_rejected(self) -> int:
        return sum(len(t.rejected) for t in self.tables)


class RejectedEntry(NamedTuple):
    """A row a reader rejected, with its file and table: data the user may think was checked."""

    file: str
    table: str
    row: int  # spreadsheet row (header = 1) or XML line
    reason: str
    child: str | None = None


def rejected_rows(files: list[FileReport]) -> list[RejectedEntry]:
    return [
        RejectedEntry(f.path, t.name, r.row, r.reason, r.child) for f in files for t in f.tables for r in t.rejected
    ]


BLANK_ROW = "blank row"  # the reason the readers give for a row with no value in it


def unread_rows(files: list[FileReport]) -> list[RejectedEntry]:
    """Rejected rows that held something (not blank rows): no rule checked them, yet the DfE's system will."""
    return [entry for entry in rejected_rows(files) if entry.reason != BLANK_ROW]


def unread_note(files: list[FileReport]) -> str:
    """What every headline starts with when rows could not be read: '1 row could not be read; ' (else '')."""
    count = len(unread_rows(files))
    return f"{count:,} {'row' if count == 1 else 'rows'} could not be read; " if count else ""


@dataclass
class ReturnData:
    """The typed tables of one return (one dataset, one collection year) and how each file was read."""

    dataset: str
    year: CollectionYear | None
    tables: dict[str, pl.DataFrame]
    files: list[FileReport]
    absent_tables: tuple[str, ...] = ()  # tables of the year that were not given (a return of table files)

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def can_be_validated(self) -> bool:
        return all(f.can_be_validated for f in self.files)

    def missing_columns(self) -> dict[str, tuple[str, ...]]:
        """Table -> the columns its file lacks (read as empty; the rules that need them are not run)."""
        found: dict[str, tuple[str, ...]] = {}
        for report in self.files:
            for table, column in report.missing_columns():
                found[table] = (*found.get(table, ()), column)
        return found


class ReadError(Exception):
    """A file could not be read at all; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.describe())
        self.problem = problem
