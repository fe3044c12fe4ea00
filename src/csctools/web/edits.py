"""Edits made on the page to an uploaded CSV table: one cell at a time, the rest of the file kept byte for byte.

The original upload is kept apart (the page's downloads hold the corrected copy and a log of every edit: who, when,
file, row, column, old and new value). XML files are not edited here: a corrected file is dropped instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import zipfile
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from csctools.datasets.ssda903.detect import canonical_columns, match_table
from csctools.io.text import TextProblem, decode, physical_lines, sniff_delimiter

MAX_VALUE_CHARS = 100  # longer than any field of the returns (free-text fields included)


class EditRefused(ValueError):
    """An edit that cannot be made: the message names file, row and column."""


@dataclass(frozen=True)
class Edit:
    who: str
    when: str
    file: str
    row: int
    column: str
    old_value: str
    new_value: str


LOG_COLUMNS = tuple(f.name for f in fields(Edit))


def _split(line: str, delimiter: str) -> list[str] | None:
    """The cells of one physical line, or None when it is not one whole record (a cell spanning lines)."""
    try:
        records = list(csv.reader(io.StringIO(line, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:  # a quote left open: the cell goes on on the next line
        return None
    return records[0] if len(records) == 1 else None


def _joined(cells: list[str], delimiter: str, ending: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=ending, quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return out.getvalue()


def _ending(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n" if line.endswith("\n") else "\r" if line.endswith("\r") else ""


def check_value(value: str, where: str) -> str:
    """A new value as the page may write it: one line, at most MAX_VALUE_CHARS characters, trimmed."""
    if "\n" in value or "\r" in value:
        raise EditRefused(f"{where}: a value cannot hold a line break")
    clean = value.strip()
    if len(clean) > MAX_VALUE_CHARS:
        raise EditRefused(f"{where}: the value is too long ({len(clean)} characters; at most {MAX_VALUE_CHARS})")
    return clean


def edit_csv(path: Path, row: int, column: str, expected: str | None, value: str) -> tuple[str, str]:
    """Set `column` (the table's column name) of source row `row` (the file's line, header = 1) to `value`;
    `expected`, when given, is what the page showed: a file changed meanwhile is refused. Returns (old, new)."""
    name = path.name
    where = f"{name} row {row} column {column}"
    new = check_value(value, where)
    try:
        text, encoding = decode(path.read_bytes())
    except TextProblem as error:
        raise EditRefused(f"{name}: {error}") from None
    if text.lstrip("\ufeff \r\n\t").startswith("<"):
        raise EditRefused(f"{name}: XML is not edited on the page: correct the file and drop it here again")
    lines = physical_lines(text)
    if not lines:
        raise EditRefused(f"{name}: the file is empty")
    delimiter = sniff_delimiter(lines[0].rstrip("\r\n"))
    headers = _split(lines[0], delimiter) or []
    table, _ = match_table(headers)
    if table is None:
        raise EditRefused(f"{name}: not an SSDA903 CSV table: only CSV tables can be edited on the page")
    names = canonical_columns(table, headers)
    if column not in names:
        raise EditRefused(f"{name}: no column {column} in this file ({table.name})")
    if not 2 <= row <= len(lines):
        raise EditRefused(f"{name}: there is no row {row} (the file has rows 2 to {len(lines)})")
    line = lines[row - 1]
    cells = _split(line, delimiter)
    if cells is None:
        raise EditRefused(
            f"{name} row {row}: the row spans several lines or its quotes do not close: "
            "correct it in the file and drop it here"
        )
    index = names.index(column)
    cells += [""] * (len(headers) - len(cells))
    old = cells[index]
    if expected is not None and old.strip() != expected.strip():
        raise EditRefused(f"{where}: the file holds '{old}', not '{expected}' (was it changed?): validate again")
    cells[index] = new
    lines[row - 1] = _joined(cells, delimiter, _ending(line))
    path.write_bytes("".join(lines).encode(encoding))
    return old, new


def make_edit(file: str, row: int, column: str, old: str, new: str) -> Edit:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return Edit(getpass.getuser(), when, file, row, column, old, new)


def log_csv(edits: list[Edit]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LOG_COLUMNS)
    writer.writerows(astuple(edit) for edit in edits)
    return out.getvalue().encode("utf-8")


def corrected_zip(files: dict[str, bytes], edits: list[Edit]) -> bytes:
    """The corrected files (by the name they were uploaded with) and edit-log.csv, in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            archive.writestr(name, content)
        archive.writestr("edit-log.csv", log_csv(edits))
    return buffer.getvalue()


def what_it_holds(name: str, content: bytes) -> tuple[str, str] | None:
    """What a file holds, to tell which uploaded file a dropped one replaces: ("ssda903", table) for a CSV table,
    (return, "xml") for a whole return in XML, None otherwise."""
    from csctools.io.detect import CIN, SSDA903, detect

    head = content[:20000]
    dataset = detect(Path(name), head)
    if dataset not in (SSDA903, CIN):
        return None
    if head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        return (dataset, "xml")
    text, _ = decode(head, strict=False)
    lines = physical_lines(text)
    headers = _split(lines[0], sniff_delimiter(lines[0].rstrip("\r\n"))) if lines else None
    table, _ = match_table(headers or [])
    return (SSDA903, table.name) if table is not None else None
