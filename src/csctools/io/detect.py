"""Which return a file holds, from its content (the file name is only a hint)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from csctools.datasets.ssda903.detect import match_table
from csctools.io.text import decode, first_line, sniff_delimiter

SSDA903, CIN, ANNEX_A, PROVIDERS = "ssda903", "cin", "annex_a", "ofsted_providers"
SSDA903_WORKBOOK = "ssda903_workbook"  # SSDA903 tables saved as XLSX from Excel: the return is read from CSV
SSDA903_HEADER_SCORE = 0.6  # a sheet's first row matching a 903 table this well is that table
MAX_SHEETS_LOOKED_AT = 30
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old-style workbook (.xls); not imported from the XLSX reader


def _xml_root(content: bytes) -> str | None:
    """The local name of the root element, or None if the start of the file is not XML."""
    from lxml import etree  # only for XML files: a CSV return needs no XML parser

    try:
        for _, element in etree.iterparse(io.BytesIO(content), events=("start",)):
            return str(element.tag).rpartition("}")[2]
    except etree.XMLSyntaxError:
        return None
    return None


def _workbook_kind(content: bytes) -> str:
    """A workbook's kind: Annex A when a sheet is named as an Annex A list; SSDA903 tables saved from Excel when a
    sheet's first row holds a 903 table's columns; an Ofsted provider list when its first sheet has a URN column;
    else Annex A (whose reader says what is wrong with it)."""
    from csctools.datasets.annex_a.read import sheet_table
    from csctools.io.workbook_guard import check_workbook

    try:
        check_workbook("", content)  # an oversized workbook: the Annex A reader reports it
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        if any(sheet_table(name) for name in book.sheet_names):
            return ANNEX_A
        firsts = [book.get_sheet_by_name(name).to_python(nrows=20) for name in book.sheet_names[:MAX_SHEETS_LOOKED_AT]]
    except BaseException as error:  # damaged, oversized or a native panic: the Annex A reader reports it
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        return ANNEX_A
    if _sheets_of_903(book.sheet_names, [rows[0] if rows else [] for rows in firsts]):
        return SSDA903_WORKBOOK
    if firsts and any("urn" in {str(cell).strip().lower() for cell in row} for row in firsts[0]):
        return PROVIDERS
    return ANNEX_A


def _sheets_of_903(names: list[str], header_rows: Sequence[Sequence[object]]) -> list[tuple[str, str]]:
    """(sheet, SSDA903 table) for each sheet whose first row holds that 903 table's columns."""
    found = []
    for name, row in zip(names, header_rows, strict=False):
        table, score = match_table([str(cell) for cell in row])
        if table is not None and score >= SSDA903_HEADER_SCORE:
            found.append((name, table.name))
    return found


def workbook_903_tables(content: bytes) -> list[tuple[str, str]]:
    """(sheet, SSDA903 table) for each sheet of a workbook whose first row holds a 903 table's columns."""
    import python_calamine

    try:  # told from this workbook already (`detect`); a native failure now still names no sheet rather than crash
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = book.sheet_names[:MAX_SHEETS_LOOKED_AT]
        rows = [book.get_sheet_by_name(name).to_python(nrows=1) for name in names]
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        return []
    return _sheets_of_903(names, [first[0] if first else [] for first in rows])


def detect(path: Path, content: bytes) -> str | None:
    """'ssda903', 'cin', 'annex_a', 'ofsted_providers', 'ssda903_workbook', or None when the file is none of them."""

    if content.startswith(b"PK"):
        return _workbook_kind(content)
    if content.startswith(OLE_MAGIC):
        return ANNEX_A
    stripped = content.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith(b"<"):
        root = _xml_root(content)
        head = content[:20000]
        if root == "Message" or b"<CINdetails" in head or b"<Children" in head:
            return CIN
        if root in ("EXPSSDA903", "CHILD") or b"<CHILD" in head or b"<EPISODE" in head:
            return SSDA903
        if root is None:  # not well-formed: trust the name so the reader reports the XML error with its line
            name = path.name.lower()
            return CIN if "cin" in name else SSDA903 if "903" in name else None
        return None
    text, _ = decode(content[:4096], strict=False)
    header = first_line(text)
    fields = header.split(sniff_delimiter(header))
    table, _score = match_table(fields)
    if table is not None:
        return SSDA903
    if path.suffix.lower() == ".csv" and "903" in path.name:
        return SSDA903
    return None
