"""Which return a file holds, from its content (the file name is only a hint)."""

from __future__ import annotations

import io
from pathlib import Path

from csctools.datasets.ssda903.detect import match_table
from csctools.io.text import decode, first_line, sniff_delimiter

SSDA903, CIN, ANNEX_A, PROVIDERS = "ssda903", "cin", "annex_a", "ofsted_providers"
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


def _is_provider_list(content: bytes) -> bool:
    """A workbook with no Annex A sheet whose first sheet has a URN column: an Ofsted provider list."""
    from csctools.datasets.annex_a.read import sheet_table
    from csctools.io.workbook_guard import check_workbook

    try:
        check_workbook("", content)  # an oversized workbook: the Annex A reader reports it
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        if any(sheet_table(name) for name in book.sheet_names):
            return False
        rows = book.get_sheet_by_name(book.sheet_names[0]).to_python(nrows=20)
    except BaseException as error:  # damaged, oversized or a native panic: the Annex A reader reports it
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        return False
    return any("urn" in {str(cell).strip().lower() for cell in row} for row in rows)


def detect(path: Path, content: bytes) -> str | None:
    """'ssda903', 'cin', 'annex_a', or None when the file is none of them."""

    if content.startswith(b"PK") and _is_provider_list(content):
        return PROVIDERS
    if content.startswith((b"PK", OLE_MAGIC)):
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
