"""Reading any mix of files: each is recognised, grouped into returns and read.

>>> from csctools.read import read_files
>>> returns, unrecognised = read_files([Path("header.csv"), Path("episodes.csv")])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from csctools.datasets.ssda903.read import RawTable, assemble_903, read_903_file
from csctools.datasets.ssda903.years import split_by_year
from csctools.io.detect import ANNEX_A, CIN, OLE_MAGIC, PROVIDERS, SSDA903, SSDA903_WORKBOOK, detect
from csctools.io.result import FileReport, Problem, ReadError, ReturnData, TableRead
from csctools.io.xml import WHOLE_FILE_BYTES
from csctools.years import CollectionYear

T = TypeVar("T")
R = TypeVar("R")
NOT_RECOGNISED = "this is not an SSDA903 table (CSV or XML), a CIN census (XML) or an Annex A workbook (XLSX)"


def unreadable(path: Path, error: OSError) -> FileReport:
    reason = error.strerror or str(error)
    return FileReport(str(path), problems=[Problem(str(path), "unreadable-file", f"cannot open the file ({reason})")])


def not_recognised(path: Path, content: bytes) -> FileReport:
    """A file no reader takes: an empty one (a failed export, a file saved before it was written) is said as such."""
    empty = not content.strip(b"\xef\xbb\xbf \r\n\t\x00")
    message = "the file is empty (0 bytes or only blank lines)" if empty else NOT_RECOGNISED
    return FileReport(str(path), problems=[Problem(str(path), "empty-file" if empty else "not-recognised", message)])


def provider_report(path: Path) -> FileReport:
    """An Ofsted provider list is not a return; report what it holds (an input to `csc validate --providers`)."""
    from csctools.reference.providers import read_providers  # each reader is imported only when a file needs it

    report = FileReport(str(path), dataset=PROVIDERS)
    try:
        providers = read_providers(path)
    except ReadError as error:
        report.problems.append(error.problem)
        return report
    report.tables.append(TableRead("Providers", providers.height, providers.height))
    return report


def workbook_903_report(path: Path, content: bytes) -> FileReport:
    """SSDA903 tables saved as an Excel workbook: the DfE's return is CSV (or XML); say how to save it."""
    from csctools.io.detect import workbook_903_tables

    tables = workbook_903_tables(content)
    names = ", ".join(f"{table} (sheet '{sheet}')" for sheet, table in tables[:3]) or "its sheets"
    more = f" and {len(tables) - 3} more" if len(tables) > 3 else ""
    message = (
        f"SSDA903 tables saved as an Excel workbook: {names}{more}; the return is read from CSV files: save each "
        "table as CSV (in Excel: File, Save As, 'CSV UTF-8 (Comma delimited)')"
    )
    return FileReport(str(path), problems=[Problem(str(path), "ssda903-workbook", message)])


HEAD_BYTES = 1 << 16  # what detection reads first of a file


def _head_or_whole(path: Path) -> tuple[bytes, bool]:
    """The file's first 64 KiB and whether they are all of it, or its bytes and True.

    A text file that opens with no XML is told from its first 4 KiB (`detect`): its head is enough, and an SSDA903
    table's bytes are read by the thread that parses it, so that only the files being parsed are held in memory.
    An XML file larger than the CIN reader parses in one go is also told from its head; any other file is read
    whole."""
    with path.open("rb") as handle:
        size = path.stat().st_size
        head = handle.read(HEAD_BYTES)
        if len(head) >= size:
            return head, True
        opening = head.lstrip(b"\xef\xbb\xbf \r\n\t")
        if opening.startswith(b"<"):
            if size > WHOLE_FILE_BYTES:
                return head, False
        elif opening and not head.startswith((b"PK", OLE_MAGIC)):
            return head, False  # a text file: `detect` reads no further than its first 4 KiB
        return head + handle.read(), True


WORKERS = 2  # threads reading CSV tables and typing each year's return (the machines councils use have 2-4 cores)


def read_files(
    paths: Iterable[Path | str], year: CollectionYear | None = None, cin_workers: int | None = None
) -> tuple[list[ReturnData], list[FileReport]]:
    """Read files of any kind: 903 CSV tables form one return; each XML or workbook is a return of its own.

    903 CSV tables of different years (this year's and last year's given together) form one return per year,
    sorted by the dates in them. Returns the returns read and the reports of files that are none of the three
    returns (or cannot be opened). The CSV tables are read two at a time, and the years typed at once.
    `cin_workers`: processes a large CIN census is read with (`read_cin`'s `workers`; None: by its size; a caller
    that is itself a worker process gives 1).
    """
    returns: list[ReturnData] = []
    others: list[FileReport] = []
    csv_paths: list[Path] = []  # SSDA903 tables as CSV, read and parsed in threads
    for path in map(Path, paths):  # a str from Python (glob.glob) is a path too
        try:
            content, whole = _head_or_whole(path)
        except OSError as error:
            others.append(unreadable(path, error))
            continue
        kind = detect(path, content)
        if kind == CIN and not whole:  # a large census: streamed from its file, never held whole
            from csctools.datasets.cin.read import read_cin

            returns.append(read_cin(path, year, workers=cin_workers))
            continue
        if kind == SSDA903 and not content.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
            csv_paths.append(path)  # a CSV table: its bytes are read by the thread that parses it
            continue
        if not whole:
            try:
                content = path.read_bytes()
            except OSError as error:
                others.append(unreadable(path, error))
                continue
            kind = detect(path, content)
        if kind == SSDA903:
            report, tables = read_903_file(path, content)
            returns.append(assemble_903([report], tables, year, whole_return=True))
        elif kind == CIN:
            from csctools.datasets.cin.read import read_cin

            returns.append(read_cin(path, year, content, cin_workers))
        elif kind == ANNEX_A:
            from csctools.datasets.annex_a.read import read_annex_a

            returns.append(read_annex_a(path, content))
        elif kind == PROVIDERS:
            others.append(provider_report(path))
        elif kind == SSDA903_WORKBOOK:
            others.append(workbook_903_report(path, content))
        else:
            others.append(not_recognised(path, content))
    if csv_paths:
        read = _in_threads(_read_903_csv, csv_paths)
        others += [found for found in read if isinstance(found, FileReport)]  # a file gone since it was opened
        csv_files = [found for found in read if not isinstance(found, FileReport)]
        del read
        groups = split_by_year(csv_files)  # this year's and last year's tables given together are kept apart
        given = year if len(groups) == 1 else None

        def assemble(group: list[tuple[FileReport, list[RawTable]]]) -> ReturnData:
            reports = [report for report, _ in group]
            return assemble_903(reports, [t for _, tables in group for t in tables], given)

        returns[:0] = _in_threads(assemble, groups) if csv_files else []
    return returns, others


def _read_903_csv(path: Path) -> tuple[FileReport, list[RawTable]] | FileReport:
    """One SSDA903 CSV table read from its file and parsed (its bytes freed once parsed); the report of a file
    that can no longer be opened."""
    try:
        content = path.read_bytes()
    except OSError as error:
        return unreadable(path, error)
    return read_903_file(path, content)


def _in_threads(work: Callable[[T], R], items: list[T]) -> list[R]:
    """`work` over the items in order, two at a time when there are several: polars releases the interpreter lock
    while it parses and types, so one file's text checks run while another file is parsed."""
    if len(items) < 2:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(work, items))
