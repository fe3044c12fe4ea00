"""Reading Annex A workbooks: sheets found by name variants, header rows found below title rows."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import fastexcel
import polars as pl
import python_calamine as calamine

from csctools.datasets.annex_a.cells import TypedAs, TypedLoad, as_cell_text, cell_texts
from csctools.datasets.annex_a.schema import ANNEX_A, SHEET_PATTERNS
from csctools.io.result import FileReport, Problem, ReadError, RejectedRow, ReturnData, Severity, TableRead
from csctools.io.typing import Tidy, clean_text, excel_serial_date, type_frame, unparsed_counts
from csctools.io.workbook_guard import check_workbook
from csctools.model import SOURCE_FILE, SOURCE_ROW, ColumnType, Table

HEADER_SEARCH_ROWS = 30
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


@lru_cache(maxsize=1024)
def pattern(alias: str) -> re.Pattern[str]:
    return re.compile(alias)


def normalise(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def match_columns(table: Table, headers: Sequence[object]) -> list[str | None]:
    """The canonical column each header names (exact name first, then the column's patterns), or None."""
    result: list[str | None] = [None] * len(headers)
    taken: set[str] = set()
    normalised = [normalise(h) for h in headers]
    for i, text in enumerate(normalised):
        for column in table.columns:
            if column.name not in taken and text == normalise(column.name):
                result[i] = column.name
                taken.add(column.name)
                break
    for i, text in enumerate(normalised):
        if result[i] is not None or not text:
            continue
        for column in table.columns:
            if column.name not in taken and any(pattern(p).search(text) for p in column.aliases):
                result[i] = column.name
                taken.add(column.name)
                break
    return result


def find_header(table: Table, rows: Sequence[Sequence[object]]) -> int | None:
    """Index of the row that names most of the table's columns (at least three), searching the top rows."""
    best, best_count = None, 2
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count = sum(1 for c in match_columns(table, row) if c)
        if count > best_count:
            best, best_count = index, count
        if count == len(table.columns):  # every column named: no later row can name more
            break
    return best


def cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def date_cell_text(value: object) -> str | None:
    """A cell of a date column as text: a cell Excel holds as a number is a serial date (the only place a number
    is taken as one); text stays as written, to be parsed (or reported) as a date."""
    if type(value) in (int, float):
        serial = excel_serial_date(float(value))  # type: ignore[arg-type]
        return serial.isoformat() if serial is not None else cell_text(value)
    return cell_text(value)


CALAMINE_FAILURES = BaseException  # a native panic in calamine is a BaseException (pyo3's PanicException)


class SheetUnreadable(Exception):
    """calamine could not load a sheet (its message, one line)."""


def first_line(error: BaseException) -> str:
    """A calamine error's message, one line (fastexcel's go on with a "Context:" of several lines); an interrupt
    or an exit is raised again, never reported."""
    if isinstance(error, KeyboardInterrupt | SystemExit):
        raise error
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def refuse_unreadable(name: str, content: bytes) -> None:
    """Raise ReadError for a file that is no workbook, an old or password-protected one, or one too large to read."""
    if content.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in content:
            raise ReadError(
                Problem(
                    name,
                    "password-protected",
                    "the workbook is password-protected: remove the password in Excel and save it again",
                )
            )
        raise ReadError(
            Problem(name, "old-excel-format", "the workbook is in the old .xls format: save it as .xlsx in Excel")
        )
    if not content.startswith(b"PK"):
        raise ReadError(Problem(name, "not-a-workbook", "the file is not an Excel workbook (.xlsx)"))
    check_workbook(name, content)  # bound the work before calamine sees it


def _cannot_open(name: str, error: BaseException) -> ReadError:
    return ReadError(Problem(name, "corrupt-workbook", f"the workbook cannot be opened ({first_line(error)})"))


def open_workbook(name: str, content: bytes) -> calamine.CalamineWorkbook:
    """A workbook opened with python-calamine, which gives each cell as a Python value (the provider list)."""
    refuse_unreadable(name, content)
    try:
        return calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except CALAMINE_FAILURES as error:  # calamine raises several types for damaged files, or panics
        raise _cannot_open(name, error) from None


def open_lists(name: str, content: bytes) -> fastexcel.ExcelReader:
    """A workbook opened with fastexcel (calamine too), which gives a sheet as columns of text (Annex A)."""
    refuse_unreadable(name, content)
    try:
        return fastexcel.read_excel(content)
    except CALAMINE_FAILURES as error:
        raise _cannot_open(name, error) from None


def sheet_table(sheet_name: str) -> Table | None:
    text = normalise(sheet_name)
    for table in ANNEX_A.tables:
        if SHEET_PATTERNS[table.name].search(text):
            return table
    return None


def read_sheet(
    name: str, sheet_name: str, table: Table, sheet: pl.DataFrame, typed_load: TypedLoad, report: FileReport
) -> pl.DataFrame | None:
    """One list's typed table from its sheet, every cell as fastexcel's text (columns in sheet order)."""
    top = sheet.head(HEADER_SEARCH_ROWS).select(as_cell_text(pl.col(c)) for c in sheet.columns)
    rows = [["" if cell is None else cell for cell in row] for row in top.rows()]
    header_index = find_header(table, rows)
    if header_index is None:
        report.problems.append(
            Problem(
                name,
                "no-header-row",
                f"sheet '{sheet_name}' has no header row naming the {table.aliases[0]} columns",
            )
        )
        return None
    headers = rows[header_index]
    canonical = match_columns(table, headers)
    for spec in table.columns:
        if spec.name not in canonical:
            report.problems.append(
                Problem(
                    name,
                    "missing-column",
                    f"sheet '{sheet_name}' has no '{spec.name}' column",
                    Severity.WARNING,
                    column=spec.name,
                )
            )
    for header, column in zip(headers, canonical, strict=True):
        if column is None and cell_text(header):
            report.problems.append(
                Problem(
                    name,
                    "unknown-column",
                    f"sheet '{sheet_name}': column '{header}' is not part of {table.aliases[0]} and was ignored",
                    Severity.WARNING,
                    row=header_index + 1,
                    column=str(header),
                )
            )
    body = sheet.slice(header_index + 1)
    body.columns = [str(i) for i in range(body.width)]
    date_columns = {column.name for column in table.columns if column.type is ColumnType.DATE}
    dated = {i for i, name in enumerate(canonical) if name in date_columns}
    raw = cell_texts(body, dated, lambda columns, dtype: typed_load(columns, dtype).slice(header_index + 1))
    texts = raw.select(clean_text(pl.col(c)).alias(c) for c in raw.columns)  # trimmed, empty as null: one query
    numbers = pl.Series(SOURCE_ROW, range(header_index + 2, header_index + 2 + body.height), dtype=pl.Int64)
    if texts.width:
        blank = texts.select(pl.all_horizontal(pl.all().is_null())).to_series()
    else:
        blank = pl.Series([True] * body.height, dtype=pl.Boolean)
    read = TableRead(table.name, body.height, body.height - int(blank.sum()))
    read.rejected = [RejectedRow(row, "blank row") for row in numbers.filter(blank).to_list()]
    report.tables.append(read)
    data = {column: texts[str(i)].alias(column) for i, column in enumerate(canonical) if column and i < texts.width}
    data[SOURCE_FILE] = pl.Series(SOURCE_FILE, [name] * body.height, dtype=pl.String)
    data[SOURCE_ROW] = numbers
    frame = pl.DataFrame(data) if body.height else pl.DataFrame(schema={SOURCE_FILE: pl.String, SOURCE_ROW: pl.Int64})
    if body.height:
        frame = frame.filter(~blank)
    typed = type_frame(frame, table.columns, keep=(SOURCE_FILE, SOURCE_ROW), tidy=Tidy(trimmed=True))
    read.unparsed_values = unparsed_counts(typed)
    return typed


def _load_sheets(content: bytes, names: list[str]) -> Iterator[tuple[str, pl.DataFrame | Exception]]:
    """Each named sheet as fastexcel's columns of text, in order, loaded ahead in two threads while the caller
    works on earlier ones.

    calamine releases the GIL while it parses, so loading overlaps the Python work. Each thread opens the workbook
    once (opening reads its shared strings, a large part of a workbook Excel saved) and again after a sheet fails.
    """
    opened = threading.local()

    def load(sheet: str) -> pl.DataFrame | Exception:
        try:
            if getattr(opened, "book", None) is None:
                opened.book = fastexcel.read_excel(content)
            return load_text(opened.book, sheet)
        except CALAMINE_FAILURES as error:  # a damaged sheet is reported, the others still read
            opened.book = None
            return SheetUnreadable(first_line(error))

    with ThreadPoolExecutor(max_workers=2) as pool:
        yield from zip(names, pool.map(load, names), strict=True)


def load_text(book: fastexcel.ExcelReader, sheet: str) -> pl.DataFrame:
    """Every cell of a sheet as text, from its first row (Excel's row 1) to its last."""
    frame = book.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string").to_polars()
    assert isinstance(frame, pl.DataFrame)
    return frame


def load_typed(book: fastexcel.ExcelReader, sheet: str, columns: list[int], dtype: TypedAs) -> pl.DataFrame:
    """Some columns of a sheet (indexes as `load_text` gives them) as fastexcel's dtype. Every column is loaded and
    these taken by place: fastexcel's `use_columns` counts from column A, `load_text` from the sheet's first column
    with a cell."""
    try:
        frame = book.load_sheet(sheet, header_row=None, skip_rows=0, dtypes=dtype).to_polars()
    except CALAMINE_FAILURES as error:
        raise SheetUnreadable(first_line(error)) from None
    assert isinstance(frame, pl.DataFrame)
    return frame.select(frame.columns[i] for i in columns)


def read_annex_a(path: Path, data: bytes | None = None) -> ReturnData:
    """Read every Annex A list found in a workbook."""
    name = str(path)
    report = FileReport(name, dataset="annex_a")
    content = path.read_bytes() if data is None else data
    tables: dict[str, pl.DataFrame] = {}
    try:
        workbook = open_lists(name, content)
    except ReadError as error:
        report.problems.append(error.problem)
        return ReturnData("annex_a", None, tables, [report])
    chosen: dict[str, Table] = {}
    for sheet_name in workbook.sheet_names:
        table = sheet_table(sheet_name)
        if table is None:
            message = f"sheet '{sheet_name}' is not an Annex A list and was ignored"
            report.problems.append(Problem(name, "unknown-sheet", message, Severity.WARNING))
        elif table in chosen.values():
            message = f"sheet '{sheet_name}' is a second {table.aliases[0]} sheet and was ignored"
            report.problems.append(Problem(name, "duplicate-sheet", message, Severity.WARNING))
        else:
            chosen[sheet_name] = table
    for sheet_name, sheet in _load_sheets(content, list(chosen)):
        table = chosen[sheet_name]
        if isinstance(sheet, Exception):
            report.problems.append(Problem(name, "unreadable-sheet", f"sheet '{sheet_name}' cannot be read ({sheet})"))
            continue

        def typed(columns: list[int], dtype: TypedAs, sheet_name: str = sheet_name) -> pl.DataFrame:
            return load_typed(workbook, sheet_name, columns, dtype)

        try:
            frame = read_sheet(name, sheet_name, table, sheet, typed, report)
        except SheetUnreadable as error:  # the second, typed load of the sheet failed
            report.problems.append(Problem(name, "unreadable-sheet", f"sheet '{sheet_name}' cannot be read ({error})"))
            continue
        if frame is not None:
            tables[table.name] = frame
    if not tables and report.ok:
        report.problems.append(Problem(name, "no-lists", "the workbook holds no sheet recognisable as an Annex A list"))
    return ReturnData("annex_a", None, tables, [report])
