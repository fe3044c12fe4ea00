"""Bounding the work of opening an untrusted workbook before calamine reads it.

calamine holds each sheet as a dense grid from its first to its last cell, and inflates every part of the zip in
memory: one cell at XFD1048576 in a 128 KB file asks for hundreds of GiB, and a zip bomb for gigabytes. So before
reading, every part's size is checked as declared and as actually inflated (the declared size can lie), and each
sheet's cell references are scanned for the grid they imply. A cell or row need not state where it is (its `r`
is optional, and calamine then counts on from the one before): a sheet where one does not has its tags walked to
find the grid exactly.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib

from csctools.io.result import Problem, ReadError

MAX_PART_BYTES = 256 * 2**20  # one part, inflated (a 50,000-child Annex A list is about 20 MiB)
MAX_TOTAL_BYTES = 768 * 2**20  # all parts, inflated
MAX_CELLS = 20_000_000  # the grid calamine builds for one sheet (about 32 bytes a cell)
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
PLAIN_ROWS, PLAIN_COLUMNS = 99_999, 52  # what a reference of up to five digits in columns A to AZ can reach
# In a sheet whose every cell and row tag starts with its reference (`<c r="B7"`), as every writer we know makes
# them, two scans (in polars, whose regular expressions are quicker than Python's here) tell whether any cell is
# past column AZ or row 99,999; only then are the references beyond one letter or five digits looked at closely.
# calamine takes lower case too.
UNSTATED = r'<(?:c|row)(?:[\t\n\r/>]| [^r]| r[^=]| r=[^"])'  # a cell or row tag not starting with r="
BEYOND_PLAIN = r'<c r="(?:[A-Za-z]{3}|[B-Zb-z][A-Za-z]\d|[A-Za-z]{1,2}\d{6})'
LARGE_REFERENCE = re.compile(rb'r="(?:[A-Za-z]{2,}\d+|[A-Za-z]\d{6,})"')
TAG = re.compile(rb'<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>')
R_ATTRIBUTE = re.compile(rb'(?:^|\s)r\s*=\s*["\']([^"\']*)["\']')
CELL_REFERENCE = re.compile(rb"^([A-Za-z]+)(\d+)$")
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Za-z]*\d*:?([A-Za-z]+)(\d+)"')
CHUNK = 4 * 2**20
_PASSED: set[bytes] = set()  # digests of workbooks that passed


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_workbook(name: str, content: bytes) -> None:
    """Raise ReadError, with one line an analyst understands, if the workbook would take unbounded work to read.
    A workbook that passed is remembered (by digest), so detection and reading check it once."""
    digest = hashlib.blake2b(content, digest_size=16).digest()
    if digest in _PASSED:
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise ReadError(
            Problem(name, "corrupt-workbook", "the workbook is damaged (not a readable zip file)")
        ) from None
    total = 0
    for part in parts:
        if part.file_size > MAX_PART_BYTES:
            refuse(name, f"its part {part.filename} would inflate to {part.file_size / 2**20:,.0f} MiB")
        total += part.file_size
        if total > MAX_TOTAL_BYTES:
            refuse(name, f"its parts would inflate to more than {MAX_TOTAL_BYTES / 2**20:,.0f} MiB")
    total = 0
    with archive:
        for part in parts:
            data = inflate(name, archive, part)
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                refuse(name, f"its parts inflate to more than {MAX_TOTAL_BYTES / 2**20:,.0f} MiB")
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                check_sheet(name, part.filename, data)
    if len(_PASSED) >= 16:
        _PASSED.clear()
    _PASSED.add(digest)


def inflate(name: str, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bytes:
    """A part's bytes, inflated at most to MAX_PART_BYTES whatever its header says."""
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > MAX_PART_BYTES:
                    refuse(name, f"its part {part.filename} inflates to more than {MAX_PART_BYTES / 2**20:,.0f} MiB")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise ReadError(
            Problem(name, "corrupt-workbook", f"the workbook is damaged ({part.filename}: {error})")
        ) from None
    return b"".join(chunks)


def check_sheet(name: str, part: str, data: bytes) -> None:
    """The grid the sheet's cells (and its declared dimension) imply stays within MAX_CELLS."""
    scanned = _scan(data)
    if scanned is None or scanned[0]:  # a tag that does not say where it is, or text polars cannot scan
        rows, columns = walked_extent(name, part, data)
    else:
        rows, columns = (PLAIN_ROWS, PLAIN_COLUMNS) if b'<c r="' in data else (0, 0)
        if scanned[1]:
            rows, columns = _large_references(name, part, data, rows, columns)
    declared = DIMENSION.search(data, 0, 4096)
    if declared is not None:
        rows = max(rows, int(declared.group(2)))
        columns = max(columns, column_number(declared.group(1).upper()))
    if rows * columns > MAX_CELLS:
        refuse(name, f"{part} spans {rows:,} rows by {columns:,} columns, more than {MAX_CELLS:,} cells")


def _scan(data: bytes) -> tuple[bool, bool] | None:
    """(a cell or row tag does not start with its reference, a cell is past AZ or row 99,999), or None when the
    sheet is not UTF-8 or names its elements with a prefix (`<x:c`): such a sheet is walked."""
    import polars as pl

    if b"<sheetData" not in data:
        return None
    try:
        text = pl.Series([data], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:
        return None
    found = pl.select(
        pl.lit(text).str.contains(UNSTATED).alias("unstated"), pl.lit(text).str.contains(BEYOND_PLAIN).alias("beyond")
    )
    return bool(found["unstated"].item()), bool(found["beyond"].item())


def _large_references(name: str, part: str, data: bytes, rows: int, columns: int) -> tuple[int, int]:
    """The grid reached by the sheet's references beyond one letter or five digits (and at least rows x columns)."""
    import polars as pl

    large = LARGE_REFERENCE.findall(data)
    if not large:
        return rows, columns
    refs = pl.Series(large, dtype=pl.Binary).cast(pl.String).str.slice(3).str.strip_chars_end('"')
    refs = refs.str.to_uppercase().unique()
    if refs.str.len_chars().max() > len("XFD1048576"):  # type: ignore[operator]
        refuse(name, f"a cell reference in {part} is beyond Excel's last cell (XFD1048576)")
    letters = refs.str.extract(r"^([A-Z]+)").unique().to_list()
    columns = max(columns, *(column_number(text.encode()) for text in letters))
    rows = max(rows, int(refs.str.extract(r"(\d+)$").cast(pl.Int64).max()))  # type: ignore[arg-type]
    if columns > EXCEL_COLUMNS or rows > EXCEL_ROWS:
        refuse(name, f"a cell reference in {part} is beyond Excel's last cell (XFD1048576)")
    return rows, columns


def walked_extent(name: str, part: str, data: bytes) -> tuple[int, int]:
    """The last row and column a sheet's cells reach, each tag read: a row or cell without a reference is the one
    after the row or cell before it, as calamine places it. Only for sheets where some tag has none (slow)."""
    row = column = last_row = last_column = 0
    for match in TAG.finditer(data):
        stated = R_ATTRIBUTE.search(match.group(2))
        if match.group(1) == b"row":
            row = int(stated.group(1)) if stated and stated.group(1).isdigit() else row + 1
            column = 0
            last_row = max(last_row, row)  # an empty row reaches no cell, but counting it only adds caution
            continue
        reference = CELL_REFERENCE.match(stated.group(1)) if stated else None
        if reference:
            column = column_number(reference.group(1).upper())
            last_row = max(last_row, int(reference.group(2)))
        else:
            column += 1
        last_column = max(last_column, column)
        if last_column > EXCEL_COLUMNS or last_row > EXCEL_ROWS:
            refuse(name, f"a cell in {part} is beyond Excel's last cell (XFD1048576)")
    return last_row, last_column


def refuse(name: str, why: str) -> None:
    raise ReadError(Problem(name, "workbook-too-large", f"the workbook was not read: {why}"))
