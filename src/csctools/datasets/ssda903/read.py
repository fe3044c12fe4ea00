"""Reading an SSDA903 return: CSV tables (any order, header variants, common encodings) or the DfE XML file."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from csctools.datasets.ssda903 import xml_layout as layout
from csctools.datasets.ssda903.detect import (
    canonical_columns,
    match_table,
    normalise_header,
    year_from_content,
)
from csctools.datasets.ssda903.schema import DERIVED_COLUMNS, SSDA903
from csctools.io.csv_rows import Record, csv_records, fits
from csctools.io.gc_pause import collector_paused
from csctools.io.result import FileReport, Problem, ReadError, RejectedRow, ReturnData, Severity, TableRead
from csctools.io.text import TextProblem, decode, first_line, sniff_delimiter
from csctools.io.typing import FIRST_FOUR_DIGIT_DAY, Tidy, type_frames, unparsed_counts
from csctools.io.xml import line_of, syntax_message
from csctools.model import SOURCE_FILE, SOURCE_ROW, ColumnType
from csctools.years import CollectionYear, year_hint_from_name


@dataclass
class RawTable:
    """A table as text, before typing, with the source file and row (or XML line) of each row."""

    name: str
    data: pl.DataFrame
    tidy: Tidy = field(default_factory=Tidy)  # what the reader knows of the text, so typing can skip work

    @classmethod
    def from_columns(cls, name: str, columns: dict[str, list[str | None]], rows: list[int], source: str) -> RawTable:
        data: dict[str, pl.Series] = {c: pl.Series(c, values, dtype=pl.String) for c, values in columns.items()}
        data[SOURCE_FILE] = pl.Series(SOURCE_FILE, [source] * len(rows), dtype=pl.String)
        data[SOURCE_ROW] = pl.Series(SOURCE_ROW, rows, dtype=pl.Int64)
        return cls(name, pl.DataFrame(data))

    @classmethod
    def from_rows(cls, name: str, columns: tuple[str, ...], rows: list[dict[str, str | None]], source: str) -> RawTable:
        """Rows as dicts; each must carry its line under SOURCE_ROW."""
        schema: dict[str, pl.DataType] = {c: pl.String() for c in columns}
        schema[SOURCE_ROW] = pl.Int64()
        data = pl.DataFrame(rows, schema=schema).with_columns(pl.lit(source, dtype=pl.String).alias(SOURCE_FILE))
        return cls(name, data)


MAX_COLUMNS = 500  # a header wider than this is no SSDA903 table (the widest has 24 columns)


def read_csv_table(name: str, text: str | None, report: FileReport, data: bytes | None = None) -> RawTable | None:
    """Parse one 903 CSV; records structural problems and rejected rows in the report. `data`: the text as UTF-8
    bytes when the caller has them (the file's own bytes), so they need not be made again; `text` None: `data` is
    ASCII, made into text only if the careful reader needs it (the usual file never is)."""
    if text is None and data is None:
        raise ValueError("read_csv_table needs the text or its bytes")

    def whole_text() -> str:
        return text if text is not None else (data or b"").decode("ascii")

    header_line = first_line(text) if text is not None else _ascii_first_line(data or b"")
    if not header_line.strip():
        report.problems.append(Problem(name, "empty-file", "the file is empty (no header row)"))
        return None
    delimiter = sniff_delimiter(header_line)
    if delimiter != ",":
        shown = {"\t": "tab", ";": "semicolon", "|": "pipe"}[delimiter]
        report.problems.append(
            Problem(
                name,
                "wrong-delimiter",
                f"columns are separated by {shown}s, not commas: save it as CSV (comma)",
            )
        )
        return None
    if header_line.count(",") >= MAX_COLUMNS:  # bound the shape before any work on it
        report.problems.append(
            Problem(
                name,
                "too-many-columns",
                f"the header row has {header_line.count(',') + 1:,} columns; no SSDA903 table has more than "
                f"{MAX_COLUMNS}: this is not an SSDA903 table",
                row=1,
            )
        )
        return None
    headers = header_line.split(",")
    if '"' in header_line:
        header_record = next(csv_records(whole_text()))
        if header_record.fields is None:
            message = f"the header row cannot be read: {header_record.reason}"
            report.problems.append(Problem(name, "unreadable-header", message, row=1))
            return None
        headers = header_record.fields
    table, _score = match_table(headers)
    if table is None:
        shown = ", ".join(h for h in headers[:8] if h.strip()) or "(blank)"
        report.problems.append(
            Problem(name, "unknown-table", f"the header row ({shown}) matches no SSDA903 table", row=1)
        )
        return None
    canonical = canonical_columns(table, headers)
    _report_columns(name, table.name, headers, canonical, report)
    positions = [(i, c) for i, c in enumerate(canonical) if c]
    first_positions: dict[str, int] = {}
    for index, column in positions:
        first_positions.setdefault(column, index)  # the first of duplicate headers is read
    positions = [(index, column) for column, index in first_positions.items()]
    read = TableRead(table.name, 0, 0)
    report.tables.append(read)
    kinds = {column.name: column.type for column in (*table.columns, *DERIVED_COLUMNS.get(table.name, ()))}
    dated = tuple(i for i, c in positions if kinds[c] is ColumnType.DATE)
    parsed = _whole_rows(text, len(headers), data, dated)
    if parsed is not None:  # the usual file: no quotes, no blank or short rows; polars parses it
        whole, tidy = parsed
        read.rows_in = read.rows_read = whole.height
        # Made contiguous here, in the thread that parsed it: polars parses in pieces, and typing would join the
        # pieces of every table at once; joined now, the pieces are freed before the next file is parsed and their
        # memory is used again (a tenth of the read's CPU went to the kernel handing out fresh pages, issue 17).
        table_data = whole.select(
            *(whole.to_series(i).alias(c) for i, c in positions),
            pl.lit(name, dtype=pl.String).alias(SOURCE_FILE),
            pl.int_range(2, whole.height + 2, dtype=pl.Int64).alias(SOURCE_ROW),
        ).rechunk()
        return RawTable(table.name, table_data, tidy)
    records = csv_records(whole_text(), len(headers))
    next(records)  # the header
    child_at = next((i for i, c in positions if c == "CHILD"), None)
    kept, numbers = _keep_rows(records, len(headers), read, child_at)
    transposed = list(zip(*kept, strict=True)) if kept else [() for _ in headers]
    columns: dict[str, list[str | None]] = {c: list(transposed[i]) for i, c in positions}
    read.rows_read = len(numbers)
    return RawTable.from_columns(table.name, columns, numbers, name)


# A quote, a character Excel keeps in a cell, or \x1f (a space to str.strip, so to the careful reader's blank rows)
UNUSUAL_BYTES = (b'"', b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f")
# The same beyond ASCII (str.splitlines would break a line at them), as UTF-8: U+0085, U+2028, U+2029
UNUSUAL_UTF8 = ("\x85".encode(), "\u2028".encode(), "\u2029".encode())
LOWER_CASE = bytes(range(ord("a"), ord("z") + 1))
# The bytes the plain-file checks count or look for: line ends, commas, the unusual bytes, tabs and lower-case
# letters. `bytes.translate` deletes every other byte in one pass (a tenth of the text is left), so the checks
# are made on what is left rather than by a dozen scans of the whole text (a fifth of the read's CPU, issue 17).
LOOKED_AT = b"\r\n,\t" + b"".join(UNUSUAL_BYTES) + LOWER_CASE
NOT_LOOKED_AT = bytes(b for b in range(256) if b not in LOOKED_AT)
NOT_LOWER_CASE = bytes(b for b in range(256) if b not in LOWER_CASE)


def _ascii_first_line(data: bytes) -> str:
    """`first_line` of ASCII bytes, decoding only that line."""
    end = data.find(b"\n")
    return first_line((data if end < 0 else data[:end]).decode("ascii"))


def _whole_rows(
    text: str | None, width: int, data: bytes | None = None, dates: tuple[int, ...] = ()
) -> tuple[pl.DataFrame, Tidy] | None:
    """The body of a plain CSV (one row per line, every row as wide as the header, none blank) parsed by polars as
    text, and what is known of its values; None when the file needs the careful row-by-row reader (quotes, odd
    line breaks, blank or ragged rows). `data` is the text as UTF-8 (the file's own bytes when it is UTF-8); `text`
    is not needed when `data` is given. `dates`: the positions of date columns, parsed as dates by polars while it
    reads when every value of them is a plain date (`_parse`).

    The checks are made on the bytes that matter to them (`LOOKED_AT`, kept in their order by one pass that copies
    only them), a few single-byte scans of the bytes and vectorised ones on the parsed frame: no Python loop or
    regular expression walks the text."""
    data = (text or "").encode("utf-8") if data is None else data
    marks = data.translate(None, NOT_LOOKED_AT)
    if any(mark in marks for mark in UNUSUAL_BYTES):
        return None
    # Lines may end CR LF (polars takes a CR before LF as part of the line end); a CR anywhere else is unusual.
    # With the other bytes gone, a CR that is not before an LF is one before a comma or at the end (polars drops
    # both: found here), or one inside the last cell of a row that ends LF: found in the frame (`_lone_carriage`).
    carriage = b"\r" in marks
    if carriage and marks.count(b"\r") != marks.count(b"\r\n"):
        return None
    ascii = data.isascii()
    if not ascii and any(mark in data for mark in UNUSUAL_UTF8):  # valid UTF-8: its bytes are those characters
        return None
    if carriage and b"\r" in data[: max(data.find(b"\n"), 0)].rstrip(b"\r"):
        return None  # a CR inside the header row (a spreadsheet ends the row there)
    if carriage:  # the last cell is looked at for a CR as text (polars reads "\r01/02/2015" as a date)
        dates = tuple(position for position in dates if position != width - 1)
    frame = _parse(data, dates if ascii and b"." not in data else ())
    if frame is None:
        return None  # a row wider than the first
    # Every line a row (a blank line is a row of nulls, found below), each as wide as the header: a short row is
    # filled with nulls by polars, so the commas are counted.
    if not frame.height or frame.width != width or marks.count(b",") != (width - 1) * (frame.height + 1):
        return None  # some row is wider or narrower than the header (counted again by the careful reader)
    if carriage and _lone_carriage(frame):
        return None
    spaced, tabbed = b" " in data, b"\t" in marks  # most files have no spaces at all, and no tabs
    if not ascii:
        return None if _blank_rows(frame, True) else (frame, Tidy())
    padded = tabbed or (spaced and _space_at_edge(frame))  # ASCII: then polars and str agree on what a space is
    # A blank row's first cell is empty (null) or starts with a space or tab (then `padded`): most files have neither.
    if (padded or frame.to_series(0).null_count()) and _blank_rows(frame, spaced or tabbed):
        return None
    # no lower-case letter (a file with no letter at all is as good: upper-casing would change nothing)
    return frame, Tidy(trimmed=not padded, upper_case=not marks.translate(None, NOT_LOWER_CASE))


def _lone_carriage(frame: pl.DataFrame) -> bool:
    """Whether the last cell of some row holds a CR (one the byte checks cannot tell from a CR LF line end: a CR
    inside the last cell of a row ending LF alone). The last column is read as text when the file has a CR."""
    last = frame.to_series(frame.width - 1)
    return bool(last.str.contains("\r", literal=True).any())


def _parse(data: bytes, dates: tuple[int, ...]) -> pl.DataFrame | None:
    """The body as text, the columns at `dates` as dates: polars parses them while it reads, taking each column's
    pattern (day first, or year first) from its first value, and stops at a value that does not fit it. Then, and
    when a day has no four-digit year (`01/02/19` reads as the year 19), the file is read again all as text, so
    that typing keeps every value that is no date in `<column>_raw` and reports it. ASCII text without a full stop
    only (`_whole_rows`): polars reads `2024.01.02`, which is no date to the typing. None: a row wider than the
    first."""
    overrides = {f"column_{i + 1}": pl.Date() for i in dates}
    try:
        frame = pl.read_csv(
            data, has_header=False, skip_rows=1, infer_schema=False, quote_char=None, schema_overrides=overrides
        )
    except pl.exceptions.PolarsError:
        return _parse(data, ()) if dates else None  # a value of some date column is no plain date
    read = [name for name, kind in frame.schema.items() if kind == pl.Date]  # none when a row is short of them
    if read and frame.select(pl.min_horizontal(pl.col(read).min()) < FIRST_FOUR_DIGIT_DAY).item():
        return _parse(data, ())
    return frame


def _blank_rows(frame: pl.DataFrame, spaced: bool) -> bool:
    """Whether a row holds nothing but empty cells or cells of spaces (`spaced`: the text has spaces, tabs or
    non-ASCII characters): the careful reader rejects it. Only rows whose first cell could be blank are looked at
    further. A date column read as dates is blank only where it is null (a cell of spaces is no date)."""
    texts = {c for c, kind in frame.schema.items() if kind == pl.String}
    first = pl.col(frame.columns[0])
    maybe = first.is_null()
    if spaced and frame.columns[0] in texts:
        maybe = maybe | first.str.contains(r"^\s")
    candidates = frame.filter(maybe)
    if not candidates.height:
        return False
    cells = [pl.col(c).is_null() | (pl.col(c).str.contains(r"^\s*$") if c in texts else False) for c in frame.columns]
    return bool(candidates.select(pl.any_horizontal(pl.all_horizontal(cells)).any()).item())


def _space_at_edge(frame: pl.DataFrame) -> bool:
    """Whether a text value starts or ends with a space (one vectorised pass over every text column)."""
    texts = [c for c, kind in frame.schema.items() if kind == pl.String]
    edges = [(pl.col(c).str.starts_with(" ") | pl.col(c).str.ends_with(" ")).any() for c in texts]
    return bool(edges) and any(frame.select(edges).row(0))


def _keep_rows(
    records: Iterable[Record], width: int, read: TableRead, child_at: int | None = None
) -> tuple[list[list[str]], list[int]]:
    """The rows to read, cut to the header's width, with their spreadsheet row numbers (header = 1); blank rows,
    rows the CSV reader rejected and rows with a different number of fields (beyond trailing empty ones) go to
    `read.rejected` (a row of the wrong width with the child its CHILD field names, field `child_at`)."""
    kept: list[list[str]] = []
    numbers: list[int] = []
    for number, record, reason in records:
        read.rows_in += 1
        if record is None:
            read.rejected.append(RejectedRow(number, reason))
        elif not any(field.strip() for field in record):
            read.rejected.append(RejectedRow(number, "blank row"))
        elif not fits(record, width):
            named = record[child_at].strip() if child_at is not None and child_at < len(record) else ""
            reason = f"has {len(record)} fields where the header has {width}"
            read.rejected.append(RejectedRow(number, reason, named or None))
        else:
            kept.append(record[:width])
            numbers.append(number)
    return kept, numbers


def _report_columns(name: str, table: str, headers: list[str], canonical: list[str | None], report: FileReport) -> None:
    found = {c for c in canonical if c}
    spec = SSDA903.table(table)
    for missing in (c for c in spec.column_names() if c not in found):
        report.problems.append(
            Problem(name, "missing-column", f"the {table} table has no {missing} column", column=missing)
        )
    for header, column in zip(headers, canonical, strict=True):
        if column is None and header.strip():
            report.problems.append(
                Problem(
                    name,
                    "unknown-column",
                    f"column '{header}' is not part of the {table} table and was ignored",
                    Severity.WARNING,
                    column=header,
                )
            )
    duplicates = {c for c in found if canonical.count(c) > 1}
    for column in sorted(duplicates):
        report.problems.append(
            Problem(
                name,
                "duplicate-column",
                f"column {column} appears twice; the first was read",
                Severity.WARNING,
                column=column,
            )
        )


def _leaf_owners() -> dict[str, str | None]:
    """Each leaf tag and the group that holds it (None: the child's HEADER). The 903 tags never overlap."""
    owners: dict[str, str | None] = {layout.COLUMN_TO_TAG.get(c, c): None for c in layout.HEADER_LEAVES}
    for tag, table in {**layout.CHILD_GROUPS, **layout.HEADER_GROUPS}.items():
        for column in SSDA903.table(table).column_names():
            if column not in ("CHILD", "DOB"):
                owners[layout.COLUMN_TO_TAG.get(column, column)] = tag
    return owners


LEAF_OWNERS = _leaf_owners()
GROUP_TABLES = {**layout.CHILD_GROUPS, **layout.HEADER_GROUPS}


CHILD_SPELLING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(child)[\s/>]", re.IGNORECASE)


def child_spellings(data: bytes) -> set[str]:
    """How the file spells CHILD (any case, any namespace prefix), from its start: one tool writes a file, so one
    spelling. A CHILD spelt otherwise further on is not read, and is reported (see `read_xml`)."""
    return {m.decode("ascii") for m in CHILD_SPELLING.findall(data, 0, 65536)} | {layout.CHILD_TAG}


def local_upper(tag: object) -> str:
    """An element's name without its namespace, upper-cased: `{urn:x}Episode` -> `EPISODE`."""
    return str(tag).rpartition("}")[2].upper()


class _XmlNotes:
    """What the 903 XML reader could not place: unknown elements, repeated single values, elements outside any
    <CHILD> (rows rejected with their line) and <CHILD> elements inside another."""

    def __init__(self) -> None:
        self.unknown: dict[str, tuple[int, int]] = {}  # tag -> (first line, count)
        self.structure: dict[tuple[str, str], tuple[int, int]] = {}  # (kind, detail) -> (first line, count)
        self.rejected: dict[str, list[RejectedRow]] = {}

    def note(self, counts: dict[Any, tuple[int, int]], key: object, line: int) -> None:
        first, count = counts.get(key, (line, 0))
        counts[key] = (first, count + 1)

    def stray(self, element: object) -> None:
        """An element found outside any <CHILD> (or a CHILD spelt unlike the file's first ones): its rows are
        rejected, other elements reported."""
        unread = local_upper(element.tag) == layout.CHILD_TAG  # type: ignore[attr-defined]
        if unread:
            detail = "a <CHILD> spelt unlike the first ones in the file (case or namespace) was not read"
            self.note(self.structure, ("misplaced-element", detail), line_of(element))
        for part in element.iter():  # type: ignore[attr-defined]
            if not isinstance(part.tag, str):
                continue
            tag = local_upper(part.tag)
            table = GROUP_TABLES.get(tag) or ("Header" if tag == layout.HEADER_TAG else None)
            if table is not None:
                where = "in a <CHILD> spelt unlike the others" if unread else "outside any <CHILD>"
                reason = f"<{tag}> is {where} and was not read"
                self.rejected.setdefault(table, []).append(RejectedRow(line_of(part), reason))
            elif part is element and not unread:
                detail = f"<{tag}> is outside any <CHILD> and was ignored"
                self.note(self.structure, ("misplaced-element", detail), line_of(part))

    def problems(self, name: str) -> list[Problem]:
        found = [
            Problem(
                name,
                "unknown-element",
                f"element <{tag}> is not part of the SSDA903 XML and was ignored ({count} times)",
                Severity.WARNING,
                row=line,
            )
            for tag, (line, count) in self.unknown.items()
        ]
        for (kind, detail), (line, count) in self.structure.items():
            times = f" ({count} times; the first is shown)" if count > 1 else ""
            found.append(Problem(name, kind, f"{detail}{times}", Severity.WARNING, row=line))
        return found


def read_xml(name: str, data: bytes, report: FileReport) -> list[RawTable]:
    """Stream the DfE XML one CHILD at a time, walking its elements once in document order.

    Every row keeps the line of its element (HEADER for the child's own tables, EPISODE, AREVIEW, ...). Tags are
    matched without their namespace and in any case; anything the reader cannot place is reported.
    """
    rows: dict[str, list[dict[str, str | None]]] = {t.name: [] for t in SSDA903.tables}
    groups = GROUP_TABLES
    # tag -> (column, owner): owner None for HEADER leaves; column "" for a group element itself.
    dispatch: dict[str, tuple[str, str | None]] = {
        tag: (layout.TAG_TO_COLUMN.get(tag, tag), owner) for tag, owner in LEAF_OWNERS.items()
    }
    dispatch.update({tag: ("", tag) for tag in groups})
    dispatch[layout.HEADER_TAG] = ("-", layout.HEADER_TAG)
    notes = _XmlNotes()
    unknown, structure = notes.unknown, notes.structure
    spellings = child_spellings(data)
    seen: set[str] = set()  # the tags of the children read (with their namespace)

    from lxml import etree  # here: reading CSV tables does not need it

    try:
        events = etree.iterparse(_bytes_source(data), events=("end",), tag=[f"{{*}}{s}" for s in sorted(spellings)])
        for _, child in events:
            parent = child.getparent()
            nested = (  # the usual CHILD sits right under the root: one look at its parent tells
                parent is not None
                and parent.getparent() is not None
                and any(local_upper(a.tag) == layout.CHILD_TAG for a in child.iterancestors())
            )
            if nested:
                detail = "a <CHILD> is inside another <CHILD>; it was read as a child of its own"
                notes.note(structure, ("misplaced-element", detail), line_of(child))
            header: dict[str, object] = {SOURCE_ROW: line_of(child)}
            group_rows: list[tuple[str, dict[str, object]]] = []
            group_tag: str | None = None
            current: dict[str, object] = header
            for element in child.iter():
                tag = element.tag
                action = dispatch.get(tag)
                if action is None:
                    if not isinstance(tag, str):
                        continue  # comments, processing instructions
                    tag = local_upper(tag)
                    action = dispatch.get(tag)
                    if action is None:
                        if tag != layout.CHILD_TAG:
                            notes.note(unknown, tag, line_of(element))
                        continue
                    dispatch[element.tag] = action  # this spelling again: found at once
                column, owner = action
                if owner is None:  # a leaf of the child's HEADER
                    if column in header:
                        detail = f"<{local_upper(tag)}> appears more than once in one child; the first was read"
                        notes.note(structure, ("repeated-element", detail), line_of(element))
                    else:
                        header[column] = element.text
                elif column == "":  # a group element starts a row of its table
                    group_tag, current = owner, {SOURCE_ROW: line_of(element)}
                    group_rows.append((groups[owner], current))
                elif owner == group_tag:
                    if column in current:
                        detail = f"<{local_upper(tag)}> appears more than once in one <{owner}>; the first was read"
                        notes.note(structure, ("repeated-element", detail), line_of(element))
                    else:
                        current[column] = element.text
                elif owner == layout.HEADER_TAG:
                    header[SOURCE_ROW] = line_of(element)
                else:
                    notes.note(unknown, f"{local_upper(tag)} outside <{owner}>", line_of(element))
            identity = {"CHILD": header.get("CHILD"), "DOB": header.get("DOB")}
            rows["Header"].append(header)  # type: ignore[arg-type]
            if header.get("UASC") == "1" or header.get("DUC"):
                rows["UASC"].append(header)  # type: ignore[arg-type]
            if any(header.get(f) for f in layout.OC3_FIELDS):
                rows["OC3"].append(header)  # type: ignore[arg-type]
            if any(header.get(f) for f in layout.AD1_FIELDS):
                rows["AD1"].append(header)  # type: ignore[arg-type]
            for table, row in group_rows:
                row.update(identity)
                rows[table].append(row)  # type: ignore[arg-type]
            child.clear(keep_tail=False)
            if nested:
                continue  # the elements before it belong to the child around it, read when that one ends
            seen.add(child.tag)
            while child.getprevious() is not None:  # elements before this child: earlier children, or strays
                earlier = parent[0]
                if earlier.tag not in seen and isinstance(earlier.tag, str):
                    notes.stray(earlier)
                del parent[0]
        root = events.root
        if root is not None and local_upper(root.tag) != layout.CHILD_TAG:
            for leftover in root:  # after the last CHILD
                if leftover.tag not in seen and isinstance(leftover.tag, str):
                    notes.stray(leftover)
    except etree.XMLSyntaxError as error:
        problem = Problem(
            name, "malformed-xml", f"the XML is not well-formed: {syntax_message(error.msg)}", row=error.lineno or None
        )
        raise ReadError(problem) from None
    report.problems.extend(notes.problems(name))
    found = []
    for table, table_rows in rows.items():
        rejected = notes.rejected.get(table, [])
        if table_rows or rejected:
            names = (*SSDA903.table(table).column_names(), *(("UASC",) if table == "Header" else ()))
            found.append(RawTable.from_rows(table, names, table_rows, name))
            report.tables.append(TableRead(table, len(table_rows) + len(rejected), len(table_rows), rejected))
    if not rows["Header"]:
        report.problems.append(
            Problem(name, "no-children", "the file holds no <CHILD> elements: there is nothing to validate")
        )
    return found


def _bytes_source(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def read_903_file(path: Path, data: bytes | None = None) -> tuple[FileReport, list[RawTable]]:
    """Read one 903 file (CSV or XML) into raw tables; problems go in the report."""
    name = str(path)
    report = FileReport(name, dataset="ssda903")
    content = path.read_bytes() if data is None else data
    if content.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        try:
            with collector_paused():
                return report, read_xml(name, content, report)
        except ReadError as error:
            report.problems.append(error.problem)
            return report, []
    if content.isascii():  # the usual file: its bytes are its text, made into a str only if needed
        table = read_csv_table(name, None, report, content)
        return report, [table] if table else []
    try:
        text, encoding = decode(content)
    except TextProblem as error:
        report.problems.append(Problem(name, "unreadable-text", str(error)))
        return report, []
    table = read_csv_table(name, text, report, content if encoding == "utf-8" else None)  # valid UTF-8 as it is
    return report, [table] if table else []


def assemble_903(
    reports: list[FileReport],
    raw_tables: Iterable[RawTable],
    year: CollectionYear | None = None,
    whole_return: bool = False,
) -> ReturnData:
    """Type the raw tables of one return, decide its collection year, derive Header.UASC. `whole_return`: the
    tables come from one XML file (a table with no rows there is empty, not absent)."""
    grouped: dict[str, list[pl.DataFrame]] = {}
    tidy: dict[str, Tidy] = {}
    for raw in raw_tables:
        grouped.setdefault(raw.name, []).append(raw.data)
        known = tidy.get(raw.name, raw.tidy)  # several files of one table: what holds for all of them
        tidy[raw.name] = Tidy(known.trimmed and raw.tidy.trimmed, known.upper_case and raw.tidy.upper_case)
    # relaxed: one file's dates may be read as dates, another's as text (then all are text, typed again)
    texts = {name: pl.concat(frames, how="diagonal_relaxed") for name, frames in grouped.items()}
    _report_duplicate_tables(reports)
    jobs = {
        name: (
            frame,
            (*SSDA903.table(name).columns, *DERIVED_COLUMNS.get(name, ())),
            (SOURCE_FILE, SOURCE_ROW),
            tidy[name],
        )
        for name, frame in texts.items()
    }
    typed = type_frames(jobs)  # one call types every table
    year_source = "given"
    if year is None:
        year, year_source = _decide_year(reports, typed)
    for name in texts:
        spec = SSDA903.table(name)
        if year is not None and year not in spec.years:
            for report in reports:
                if any(t.name == name for t in report.tables):
                    report.problems.append(
                        Problem(
                            report.path,
                            "table-not-in-year",
                            f"the {name} table is not part of the {year} return ({spec.years.label()})",
                            Severity.WARNING,
                        )
                    )
    derive_uasc(typed, "UASC" in texts.get("Header", pl.DataFrame()).columns)
    absent: tuple[str, ...] = ()
    if year is not None and not whole_return:  # table files: a table of the year not given is absent
        absent = tuple(t.name for t in SSDA903.tables if year in t.years and t.name not in texts)
    _refuse_empty(reports)
    for report in reports:
        report.year, report.year_source = year, year_source
        for table_read in report.tables:
            typed_frame = typed.get(table_read.name)
            if typed_frame is not None:
                alone = len(grouped[table_read.name]) == 1  # the usual case: this file is the table's only one
                own = typed_frame if alone else typed_frame.filter(pl.col(SOURCE_FILE) == report.path)
                table_read.unparsed_values = unparsed_counts(own)
    return ReturnData("ssda903", year, typed, reports, absent)


def _report_duplicate_tables(reports: list[FileReport]) -> None:
    """A table given by two files of one year is an error naming both: its rows are never combined silently."""
    holders: dict[str, list[str]] = {}
    for report in reports:
        for table_read in report.tables:
            holders.setdefault(table_read.name, []).append(report.path)
    for name, paths in holders.items():
        if len(paths) > 1:
            shown = " and ".join(paths)
            for report in reports:
                if report.path in paths:
                    message = f"the {name} table is given twice for one year, by {shown}: give one file per table"
                    report.problems.append(Problem(report.path, "duplicate-table", message))


def _refuse_empty(reports: list[FileReport]) -> None:
    """A return with no rows at all is never a pass: say so as an error (once, unless a reader already did)."""
    if (
        not reports
        or any(r.rows_read for r in reports)
        or any(p.kind == "no-children" for r in reports for p in r.problems)
    ):
        return
    for report in reports:
        if report.tables:
            message = "the file holds a header row but no rows: with no children there is nothing to validate"
            report.problems.append(Problem(report.path, "no-children", message))


def derive_uasc(typed: dict[str, pl.DataFrame], given: bool) -> None:
    """Header.UASC ('1' or '0') from the UASC table, unless the Header's files gave it (`given`)."""
    header = typed.get("Header")
    if header is None or given:
        return
    uasc = typed.get("UASC")
    children = uasc["CHILD"].drop_nulls() if uasc is not None else pl.Series([], dtype=pl.String)
    flagged = pl.col("CHILD").is_in(children.implode())  # no UASC table: no child is UASC
    typed["Header"] = header.with_columns(pl.when(flagged).then(pl.lit("1")).otherwise(pl.lit("0")).alias("UASC"))


def _decide_year(reports: list[FileReport], typed: dict[str, pl.DataFrame]) -> tuple[CollectionYear | None, str]:
    """The year from the dates in the files; the file names only when the dates cannot tell."""
    found = year_from_content(typed)
    hints = {h for r in reports if (h := year_hint_from_name(Path(r.path).name))}
    if found is None:
        return (hints.pop(), "file name") if len(hints) == 1 else (None, "")
    for report in reports:
        hint = year_hint_from_name(Path(report.path).name)
        if hint is not None and hint != found:
            message = f"the file name says {hint} but the dates in the return are of {found}; {found} was used"
            report.problems.append(Problem(report.path, "year-mismatch", message, Severity.WARNING))
    return found, "content"


def read_903(paths: Iterable[Path], year: CollectionYear | None = None) -> ReturnData:
    """Read the files of one SSDA903 return (all CSV tables, or one XML file)."""
    reports: list[FileReport] = []
    raw: list[RawTable] = []
    whole = False
    for path in paths:
        report, tables = read_903_file(path)
        reports.append(report)
        raw.extend(tables)
        whole = whole or path.suffix.lower() == ".xml"
    return assemble_903(reports, raw, year, whole_return=whole)


__all__ = ["RawTable", "assemble_903", "normalise_header", "read_903", "read_903_file"]
