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
import struct
import zipfile
import zlib
from typing import Any

from csctools.io.result import Problem, ReadError

MAX_PART_BYTES = 256 * 2**20  # one part, inflated (a 50,000-child Annex A list is about 20 MiB)
MAX_TOTAL_BYTES = 768 * 2**20  # all parts, inflated
MAX_CELLS = 20_000_000  # the grid calamine builds for one sheet (about 32 bytes a cell)
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
PLAIN_ROWS, PLAIN_COLUMNS = 99_999, 26  # what a reference of one letter and up to five digits can reach
# A reference beyond one letter or five digits: only these are looked at closely (none in most lists). The scan
# sees any attribute ending in r (sqref, a second r, one with no space before it), which only adds caution.
# calamine takes lower case, either quote and spaces around = (a third review): the value is the group.
LARGE_REFERENCE = re.compile(rb"""r[\t\n\r\f ]*=[\t\n\r\f ]*["']([A-Za-z]{2,}\d+|[A-Za-z]\d{6,})["']""")
DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']*)["']""")
# A cell or row tag that does not start with r=" (calamine then counts on from the cell or row before), or one with a
# prefix (`<x:c`): such a sheet is walked. Two scans, each quicker alone than the two as one expression.
UNSTATED = re.compile(rb'<(?:c|row)(?:[\t\n\r/>]| [^r]| r[^=]| r=[^"])')
PREFIXED = re.compile(rb":(?:c|row)[\t\n\r />]")
REFERENCE_PART = re.compile(r"([A-Za-z]*)(\d*)")
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
    check_layout(name, content, parts)
    total = 0
    for part in parts:
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            damaged(name, f"{part.filename} is compressed in a way Excel never writes")
        if part.flag_bits & 0x1:
            why = f"the workbook is encrypted ({part.filename}): save it again in Excel"
            raise ReadError(Problem(name, "password-protected", why))
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
            if part.filename.startswith("xl/worksheets/") or b"sheetData" in data:  # a sheet wherever it is kept
                check_sheet(name, part.filename, data)
    if len(_PASSED) >= 16:
        _PASSED.clear()
    _PASSED.add(digest)


END_RECORD = b"PK\x05\x06"
LOCAL_HEADER = b"PK\x03\x04"
DESCRIPTOR_SIZES = (12, 16)  # a data descriptor after a part's data: crc and sizes, with or without its signature


def check_layout(name: str, content: bytes, parts: list[zipfile.ZipInfo]) -> None:
    """The zip is laid out in the one way every reader reads alike: one end record at the very end (no disks, its
    comment all that follows it), the central directory just before it, and the parts one after another from the
    first byte, with nothing between them. Python's zipfile and calamine's zip crate choose differently between two
    archives glued together or a directory that points elsewhere, so the guard could check one workbook and
    calamine read another (a fourth review)."""
    end = content.rfind(END_RECORD, max(0, len(content) - 22 - 65_535))
    if end < 0 or len(content) < end + 22:
        damaged(name, "no end of the zip's directory")
    _, disk, directory_disk, here, entries, size, offset, comment = struct.unpack("<IHHHHIIH", content[end : end + 22])
    if disk or directory_disk or here != entries or end + 22 + comment != len(content):
        damaged(name, "its zip directory is split over disks or followed by stray bytes")
    if b"PK\x06\x06" in content[max(0, end - 4096) : end] or content[max(0, end - 20) : end].startswith(b"PK\x06\x07"):
        damaged(name, "it uses zip64, which no workbook within the limits needs")
    if offset + size != end or entries != len(parts) or _earlier_archive(content, end):
        damaged(name, "its zip directory is not where its end says, or the file holds more than one")
    expected, with_descriptor = 0, False  # where the next part must start; whether the one before has a descriptor
    for part in sorted(parts, key=lambda p: p.header_offset):
        gap = part.header_offset - expected
        if gap and not (with_descriptor and gap in DESCRIPTOR_SIZES):
            damaged(name, f"bytes before {part.filename} belong to no part of the zip")
        header = content[part.header_offset : part.header_offset + 30]
        if len(header) < 30 or not header.startswith(LOCAL_HEADER):
            damaged(name, f"{part.filename} is not where the zip's directory says")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        local_extra = content[
            part.header_offset + 30 + name_length : part.header_offset + 30 + name_length + extra_length
        ]
        if _zip64_field(part.extra) or _zip64_field(local_extra):
            damaged(name, f"{part.filename} has zip64 sizes, which no workbook within the limits needs")
        expected = part.header_offset + 30 + name_length + extra_length + part.compress_size
        with_descriptor = bool(part.flag_bits & 0x8)
    gap = offset - expected
    if gap and not (with_descriptor and gap in DESCRIPTOR_SIZES):
        damaged(name, "bytes before its zip directory belong to no part")


def _zip64_field(extra: bytes) -> bool:
    """Whether extra fields hold a zip64 one (id 1): the zip crate takes its sizes and offset when it is 24 bytes or
    longer, Python only where the plain field is 0xFFFFFFFF, so the two would read different bytes (a review)."""
    place = 0
    while place + 4 <= len(extra):
        field, size = struct.unpack("<HH", extra[place : place + 4])
        if field == 0x0001:
            return True
        place += 4 + size
    return False


def _earlier_archive(content: bytes, end: int) -> bool:
    """Whether an end record before the last one could end an archive of its own (its directory just before it):
    the four bytes of its mark alone turn up by chance in compressed data, about once in 300 workbooks of 12 MB."""
    found = content.find(END_RECORD, 0, end)
    while found >= 0:
        record = content[found : found + 22]
        if len(record) == 22:
            size, offset = struct.unpack("<II", record[12:20])
            if offset + size <= found and content.startswith(b"PK\x01\x02", found - size):
                return True
        found = content.find(END_RECORD, found + 1, end)
    return False


def damaged(name: str, why: str) -> None:
    raise ReadError(Problem(name, "corrupt-workbook", f"the workbook is damaged ({why})"))


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
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as error:
        raise ReadError(
            Problem(name, "corrupt-workbook", f"the workbook is damaged ({part.filename}: {error})")
        ) from None
    return b"".join(chunks)


def check_sheet(name: str, part: str, data: bytes) -> None:
    """The grid the sheet's cells (and its declared dimension) imply stays within MAX_CELLS."""
    rows, columns = 0, 0
    if b'r="' in data:  # references of one letter and up to five digits reach at most PLAIN_ROWS x PLAIN_COLUMNS
        rows, columns = PLAIN_ROWS, PLAIN_COLUMNS
    large = LARGE_REFERENCE.findall(data)  # one scan; none in most lists
    if large:
        rows, columns = _large_references(name, part, large, rows, columns)
    if _unstated(name, part, data):
        walked_rows, walked_columns = walked_extent(name, part, data)
        rows, columns = max(rows, walked_rows), max(columns, walked_columns)
    declared = DIMENSION.search(data, 0, 4096)
    if declared is not None:
        rows = max(rows, int(declared.group(2)))
        columns = max(columns, column_number(declared.group(1).upper()))
    if rows * columns > MAX_CELLS:
        refuse(name, f"{part} spans {rows:,} rows by {columns:,} columns, more than {MAX_CELLS:,} cells")


def _unstated(name: str, part: str, data: bytes) -> bool:
    """Whether a cell or row tag may not say where it is. A sheet not in UTF-8 (no writer makes one, and calamine
    reads none) is refused: the scans could not see its tags."""
    declared = DECLARED_ENCODING.match(data[:512])
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:256]:
        refuse(name, f"{part} is not UTF-8 XML")
    if declared is not None and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        refuse(name, f"{part} is not UTF-8 XML (it declares {declared.group(1).decode('ascii', 'replace')})")
    return UNSTATED.search(data) is not None or PREFIXED.search(data) is not None


def _large_references(name: str, part: str, large: list[bytes], rows: int, columns: int) -> tuple[int, int]:
    """The grid reached by references beyond one letter or five digits (and at least rows x columns)."""
    import polars as pl

    refs = pl.Series(large, dtype=pl.Binary).cast(pl.String)
    refs = refs.str.to_uppercase().unique()
    if refs.str.len_chars().max() > len("XFD1048576"):  # type: ignore[operator]
        refuse(name, f"a cell reference in {part} is beyond Excel's last cell (XFD1048576)")
    letters = refs.str.extract(r"^([A-Z]+)").unique().to_list()
    columns = max(columns, *(column_number(text.encode()) for text in letters))
    rows = max(rows, int(refs.str.extract(r"(\d+)$").cast(pl.Int64).max()))  # type: ignore[arg-type]
    if columns > EXCEL_COLUMNS or rows > EXCEL_ROWS:
        refuse(name, f"a cell reference in {part} is beyond Excel's last cell (XFD1048576)")
    return rows, columns


def _place(reference: str | None) -> tuple[int, int]:
    """(column, row) of a reference, 0 where a part is missing; a row past Excel's when its digits are very long."""
    if not reference:
        return 0, 0
    letters, digits = REFERENCE_PART.match(reference).groups()  # type: ignore[union-attr]
    significant = digits.lstrip("0")
    row = int(significant or "0") if len(significant) <= 8 else EXCEL_ROWS + 1
    return (column_number(letters.upper().encode()) if letters else 0), row


def _let_go(element: Any) -> None:
    """A row read, and the rows before it, out of lxml's tree (a walk of a large sheet stays small)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def walked_extent(name: str, part: str, data: bytes) -> tuple[int, int]:
    """At least the last row and column the sheet's cells reach, its elements read by lxml and placed as calamine
    places them: a cell without a reference is the one after the cell before, a row without one the row after,
    and a row's end moves on a row (so `<row r="5"/>` is followed by row 6). Slow (about a second for 40 MiB of
    XML); only for sheets where some tag may not say where it is. A sheet lxml cannot parse is refused: calamine
    reads some XML that is not well-formed, and no guess is made about how."""
    from lxml import etree

    row = column = last_row = last_column = 0
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        encoding="utf-8",  # as calamine reads it, whatever the sheet declares
    )
    try:
        for event, element in events:
            tag = element.tag if isinstance(element.tag, str) else ""  # comments and instructions have none
            local = tag.rpartition("}")[2].rpartition(":")[2]  # an undeclared prefix stays in the name: x:c
            if local == "row":
                if event == "start":
                    stated = _place(element.get("r"))[1]
                    row = stated if stated else row + 1  # a bare <row> counts one as well: only caution
                else:
                    row += 1
                    _let_go(element)
                column = 0
            elif local == "c" and event == "start":
                stated_column, stated_row = _place(element.get("r"))
                column = stated_column or column + 1
                last_row, last_column = max(last_row, row, stated_row), max(last_column, column)
                if last_column > EXCEL_COLUMNS or last_row > EXCEL_ROWS:
                    refuse(name, f"a cell in {part} is beyond Excel's last cell (XFD1048576)")
    except etree.XMLSyntaxError as error:
        refuse(name, f"{part} has cells without references and is not well-formed XML (line {error.lineno})")
    return last_row, last_column


def refuse(name: str, why: str) -> None:
    raise ReadError(Problem(name, "workbook-too-large", f"the workbook was not read: {why}"))
