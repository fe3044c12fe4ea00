"""The workbook guard checks parts in two threads: the first part that fails, in the zip's order, names the refusal."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from csctools.datasets.annex_a.read import read_annex_a

FAR_ROW = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'


def two_sheets(path: Path, first: tuple[bytes, bytes], second: tuple[bytes, bytes]) -> Path:
    plain = path.with_name("plain.xlsx")
    book = xlsxwriter.Workbook(str(plain))
    for name in ("List 1", "List 8"):
        book.add_worksheet(name).write_row(0, 0, ["Child Unique ID", "Gender", "Ethnicity"])
    book.close()
    edits = {"xl/worksheets/sheet1.xml": first, "xl/worksheets/sheet2.xml": second}
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for part in old.infolist():
            data = old.read(part.filename)
            if part.filename in edits:
                data = data.replace(*edits[part.filename])
            new.writestr(part.filename, data)
    return path


def refusal(path: Path) -> str:
    data = read_annex_a(path)
    assert [p.kind for p in data.problems] == ["workbook-too-large"] and not data.tables
    return data.problems[0].message


def test_the_first_failing_sheet_in_the_zip_names_the_refusal(tmp_path: Path) -> None:
    beyond = (b'r="A1"', b'r="A2000000"')  # a row past Excel's last
    far = (b"</sheetData>", FAR_ROW)  # a grid of 1,048,576 x 16,384 cells
    first = refusal(two_sheets(tmp_path / "a.xlsx", far, beyond))
    assert first.endswith("xl/worksheets/sheet1.xml spans 1,048,576 rows by 16,384 columns, more than 20,000,000 cells")
    second = refusal(two_sheets(tmp_path / "b.xlsx", beyond, far))
    assert second.endswith("a cell reference in xl/worksheets/sheet1.xml is beyond Excel's last cell (XFD1048576)")


def test_a_workbook_of_sheets_that_pass_is_read(tmp_path: Path) -> None:
    data = read_annex_a(two_sheets(tmp_path / "a.xlsx", (b"", b""), (b"", b"")))
    assert data.ok and set(data.tables) == {"List1", "List8"}


def unreferenced(cells: int) -> bytes:
    """Cells that do not say where they are: calamine places each after the one before."""
    return b"<c><v>1</v></c>" * cells


def test_cells_and_rows_without_references_are_counted_as_calamine_places_them(tmp_path: Path) -> None:
    # a 6 KB workbook whose last row, 1,000,000, has 16,000 cells without references: 16 billion cells to calamine
    tall_and_wide = (b"</sheetData>", b'<row r="1000000">' + unreferenced(16_000) + b"</row></sheetData>")
    message = refusal(two_sheets(tmp_path / "a.xlsx", tall_and_wide, (b"", b"")))
    assert message.endswith("sheet1.xml spans 1,000,000 rows by 16,000 columns, more than 20,000,000 cells")
    # rows without references count on from the row before: 100 rows after row 400,000, each 60 cells wide (a bare
    # row start and a row end each counting one, for caution)
    counted = b'<row r="400000"/>' + b"".join(b"<row>" + unreferenced(60) + b"</row>" for _ in range(100))
    message = refusal(two_sheets(tmp_path / "b.xlsx", (b"</sheetData>", counted + b"</sheetData>"), (b"", b"")))
    assert message.endswith("spans 400,200 rows by 60 columns, more than 20,000,000 cells")
    # a cell after one with a reference counts on from it
    past_excel = (b"</sheetData>", b'<row r="2"><c r="XFD2"><v>1</v></c><c><v>2</v></c></row></sheetData>')
    message = refusal(two_sheets(tmp_path / "c.xlsx", past_excel, (b"", b"")))
    assert message.endswith("a cell in xl/worksheets/sheet1.xml is beyond Excel's last cell (XFD1048576)")


def test_a_small_sheet_without_references_is_read_with_its_cells_in_place(tmp_path: Path) -> None:
    row = b'<row><c t="inlineStr"><is><t>C1</t></is></c><c t="inlineStr"><is><t>b) Female</t></is></c></row>'
    data = read_annex_a(two_sheets(tmp_path / "a.xlsx", (b"</sheetData>", row + b"</sheetData>"), (b"", b"")))
    assert data.ok
    assert data.tables["List1"].select("Child Unique ID", "Gender").rows() == [("C1", "b) Female")]


def test_columns_past_az_or_rows_past_99999_are_looked_at_closely(tmp_path: Path) -> None:
    from csctools.io.workbook_guard import MAX_CELLS

    # 99,999 rows (a plain reference) by column BA is 5.3 million cells; one cell at row 400 of column ZZ is not
    far = (b'r="C1"', b'r="ZZ400"')
    message = refusal(two_sheets(tmp_path / "a.xlsx", far, (b"", b"")))
    assert message.endswith(f"spans 99,999 rows by 702 columns, more than {MAX_CELLS:,} cells")
    data = read_annex_a(two_sheets(tmp_path / "b.xlsx", (b'r="C1"', b'r="BA1"'), (b"", b"")))
    assert [p.kind for p in data.problems if p.kind == "workbook-too-large"] == []


FAR_CELL = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


@pytest.mark.parametrize(
    "far",
    [
        b'<row r="1048576"><x:c r="XFD1048576"><v>1</v></x:c></row>',  # a prefixed cell in a sheet without prefixes
        b'<row r="1048576"><c r="A1" r="XFD1048576"><v>1</v></c></row>',  # a second r (calamine keeps the last)
        b'<row r="1048576"><c foo=\' r="A1"\' r="XFD1048576"><v>1</v></c></row>',  # an r inside another value
        b'<row r="1048576"><c foo=">" r="XFD1048576"><v>1</v></c></row>',  # a > inside a value
        b'<row r="1048576"><c s="0"r="XFD1048576"><v>1</v></c></row>',  # no space before r
        # a second r written otherwise (a third review): calamine reads either quote and spaces around =
        b'<row r="3"><c r="A3" r=\'XFD1048576\'><v>1</v></c></row>',
        b'<row r="3"><c r="A3" r ="XFD1048576"><v>1</v></c></row>',
        b'<row r="3"><c r="A3" r= "XFD1048576"><v>1</v></c></row>',
        b'<row r="3"><c r="A3" r\t="XFD1048576"><v>1</v></c></row>',
        b'<row r="3"><c r="A3"\x0cr=\'XFD1048576\'><v>1</v></c></row>',
        b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",  # single quotes
        b'<row r = "1048576"><c r = "XFD1048576"><v>1</v></c></row>',  # spaces around =
        b'<row><c r="XFD2"><v>1</v></c></row><row r="A1048576"><c><v>1</v></c></row>',  # a row reference with a letter
        b'<row><c r="XFD2"><v>1</v></c></row><row foo=">" r="1048576"><c><v>1</v></c></row>',
        b'<x:row r="1048576">' + b"<x:c><v>1</v></x:c>" * 16_384 + b"</x:row>",  # prefixed, without references
        # row end tags closing other elements: calamine counts a row for each
        b'<row><c r="XFD2"><v>1</v></c></row><row r="3">' + b"<a>" * 1_048_570 + b"</row>" * 1_048_570 + b"<c/></row>",
    ],
)
def test_no_way_of_writing_a_far_cell_gets_past_the_guard(tmp_path: Path, far: bytes) -> None:
    message = refusal(two_sheets(tmp_path / "a.xlsx", (b"</sheetData>", far + b"</sheetData>"), (b"", b"")))
    assert any(
        why in message for why in ("beyond Excel's last cell", "more than 20,000,000 cells", "not well-formed XML")
    )


UNREFERENCED = b'<c t="inlineStr"><is><t>x</t></is></c>'


@pytest.mark.parametrize(
    "far",
    [
        # row end tags calamine counts that a walk by regular expressions would not see (a second review)
        b"<a></x@:row>" * 1_000 + b"<row>" + b"<x@:c/>" * 100 + UNREFERENCED + b"</row>",  # a name of other characters
        "<a></é:row>".encode() * 1_000 + b'<row><c r="Y1"/>' + UNREFERENCED + b"</row>",
        b"<a><!--<a b='--></row><!--'>-->" * 1_000 + b'<row><c r="Y1"/>' + UNREFERENCED + b"</row>",  # a comment
        b"<a><![CDATA[<a b=']]></row><![CDATA['>]]>" * 1_000 + b'<row><c r="Y1"/>' + UNREFERENCED + b"</row>",
        b"<a><?p <a b='?></row><?p '>?>" * 1_000 + b'<row><c r="Y1"/>' + UNREFERENCED + b"</row>",
    ],
)
def test_a_sheet_lxml_cannot_parse_is_refused_where_cells_lack_references(tmp_path: Path, far: bytes) -> None:
    # calamine reads end tags that close nothing and names XML does not allow; lxml does not, and no guess is made
    message = refusal(two_sheets(tmp_path / "a.xlsx", (b"</sheetData>", far + b"</sheetData>"), (b"", b"")))
    assert message.endswith("has cells without references and is not well-formed XML (line 2)")


def test_comments_among_cells_without_references_are_read_past(tmp_path: Path) -> None:
    # the tags inside a comment or an instruction are not the sheet's: calamine does not read them, nor does the walk
    row = b'<row r="2"><!-- </row><c/><c/> --><c t="inlineStr"><is><t>C1</t></is></c><?p <c/>?></row>'
    data = read_annex_a(two_sheets(tmp_path / "a.xlsx", (b"</sheetData>", row + b"</sheetData>"), (b"", b"")))
    assert data.ok and data.tables["List1"]["Child Unique ID"].to_list() == ["C1"]


@pytest.mark.parametrize(
    ("far", "why"),
    [
        # every digit of a reference counts, leading zeros too
        (b'<row r="000000001048576"><c r="GQ1"/>' + UNREFERENCED + b"</row>", "spans 1,048,576 rows by 200 columns"),
        (b"<row r='5'><c r='GR00000001048576'><v>1</v></c></row>", "beyond Excel's last cell"),
        # <row r="N"/> is a start and an end: the next cell without a reference is in row N + 1 (20,000,006 cells)
        (b'<row r="769230"/><c r="Y1"/>' + UNREFERENCED, "spans 769,231 rows by 26 columns"),
    ],
)
def test_a_walk_reads_references_as_calamine_does(tmp_path: Path, far: bytes, why: str) -> None:
    message = refusal(two_sheets(tmp_path / "a.xlsx", (b"</sheetData>", far + b"</sheetData>"), (b"", b"")))
    assert why in message


def test_a_sheet_kept_outside_the_worksheets_folder_is_checked(tmp_path: Path) -> None:
    edited = two_sheets(tmp_path / "edited.xlsx", (b"</sheetData>", FAR_CELL + b"</sheetData>"), (b"", b""))
    moved = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(edited) as old, zipfile.ZipFile(moved, "w", zipfile.ZIP_DEFLATED) as new:
        for part in old.infolist():
            data = old.read(part.filename).replace(b"worksheets/sheet1.xml", b"data/sheet1.xml")
            new.writestr(part.filename.replace("worksheets/sheet1.xml", "data/sheet1.xml"), data)
    assert refusal(moved).endswith(
        "xl/data/sheet1.xml spans 1,048,576 rows by 16,384 columns, more than 20,000,000 cells"
    )


def test_a_sheet_not_in_utf8_is_refused_since_its_tags_cannot_be_scanned(tmp_path: Path) -> None:
    edited = two_sheets(tmp_path / "edited.xlsx", (b"", b""), (b"", b""))
    utf16 = tmp_path / "utf16.xlsx"
    with zipfile.ZipFile(edited) as old, zipfile.ZipFile(utf16, "w", zipfile.ZIP_DEFLATED) as new:
        for part in old.infolist():
            data = old.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = b"\xff\xfe" + data.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode(
                    "utf-16-le"
                )
            new.writestr(part.filename, data)
    assert refusal(utf16).endswith("xl/worksheets/sheet1.xml is not UTF-8 XML")


def test_a_sheet_declaring_another_encoding_is_refused(tmp_path: Path) -> None:
    # lxml would honour it (ISO-2022-JP turns byte pairs into text) while calamine reads the bytes as they are
    declared = (b'encoding="UTF-8"', b'encoding="ISO-2022-JP"')
    assert refusal(two_sheets(tmp_path / "a.xlsx", declared, (b"", b""))).endswith(
        "xl/worksheets/sheet1.xml is not UTF-8 XML (it declares ISO-2022-JP)"
    )


class Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in, so it writes a data descriptor after each part (as some writers do)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        self.data += chunk
        return len(chunk)


def test_a_zip_with_data_descriptors_passes(tmp_path: Path) -> None:
    edited = two_sheets(tmp_path / "edited.xlsx", (b"", b""), (b"", b""))
    stream = Unseekable()
    with zipfile.ZipFile(edited) as old, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as new:
        for part in old.infolist():
            new.writestr(part.filename, old.read(part.filename))
    rewritten = tmp_path / "descriptors.xlsx"
    rewritten.write_bytes(bytes(stream.data))
    with zipfile.ZipFile(rewritten) as check:
        assert all(part.flag_bits & 0x8 for part in check.infolist())
    data = read_annex_a(rewritten)
    assert data.ok and set(data.tables) == {"List1", "List8"}


def _end(content: bytes) -> int:
    return content.rfind(b"PK\x05\x06")


@pytest.mark.parametrize("flaw", ["disk", "comment"])
def test_two_zips_glued_together_are_refused(tmp_path: Path, flaw: str) -> None:
    # Python reads the last archive; calamine's zip crate, finding a flaw in its end record, the one before (a review)
    far = two_sheets(tmp_path / "far.xlsx", (b"</sheetData>", FAR_CELL + b"</sheetData>"), (b"", b"")).read_bytes()
    clean = bytearray(two_sheets(tmp_path / "clean.xlsx", (b"", b""), (b"", b"")).read_bytes())
    end = _end(bytes(clean))
    place = end + 4 if flaw == "disk" else end + 20
    clean[place : place + 2] = struct.pack("<H", 1)
    (tmp_path / "glued.xlsx").write_bytes(far + bytes(clean))
    data = read_annex_a(tmp_path / "glued.xlsx")
    assert [p.kind for p in data.problems] == ["corrupt-workbook"] and not data.tables


def test_a_part_the_directory_does_not_list_is_refused(tmp_path: Path) -> None:
    content = two_sheets(tmp_path / "a.xlsx", (b"", b""), (b"", b"")).read_bytes()
    _, _, _, _, _, _, offset, _ = struct.unpack("<IHHHHIIH", content[_end(content) : _end(content) + 22])
    hidden = b"PK\x03\x04" + bytes(40)  # bytes between the parts and the directory
    end = _end(content)
    record = bytearray(content[end:])
    record[16:20] = struct.pack("<I", offset + len(hidden))
    (tmp_path / "b.xlsx").write_bytes(content[:offset] + hidden + content[offset:end] + bytes(record))
    message = read_annex_a(tmp_path / "b.xlsx").problems[0].message
    assert message == "the workbook is damaged (bytes before its zip directory belong to no part)"


def test_a_part_flagged_as_encrypted_is_one_line(tmp_path: Path) -> None:
    content = bytearray(two_sheets(tmp_path / "a.xlsx", (b"", b""), (b"", b"")).read_bytes())
    directory = content.find(b"PK\x01\x02")
    content[directory + 8] |= 0x1  # the first part's flags, in the central directory
    (tmp_path / "b.xlsx").write_bytes(bytes(content))
    data = read_annex_a(tmp_path / "b.xlsx")
    assert [p.kind for p in data.problems] == ["password-protected"]


def test_the_end_mark_by_chance_inside_a_part_is_not_a_second_archive(tmp_path: Path) -> None:
    edited = two_sheets(tmp_path / "edited.xlsx", (b"", b""), (b"", b""))
    marked = tmp_path / "marked.xlsx"
    with zipfile.ZipFile(edited) as old, zipfile.ZipFile(marked, "w", zipfile.ZIP_DEFLATED) as new:
        for part in old.infolist():
            new.writestr(part.filename, old.read(part.filename))
        new.writestr("docProps/extra.bin", b"PK\x05\x06" + bytes(18), compress_type=zipfile.ZIP_STORED)
    data = read_annex_a(marked)
    assert data.ok and set(data.tables) == {"List1", "List8"}


def test_zip64_records_and_other_compression_are_refused(tmp_path: Path) -> None:
    # Python reads a zip64 end record whenever one is there, calamine's zip crate only when the plain one says so
    content = two_sheets(tmp_path / "a.xlsx", (b"", b""), (b"", b"")).read_bytes()
    end = _end(content)
    _, _, _, here, entries, size, offset, _ = struct.unpack("<IHHHHIIH", content[end : end + 22])
    record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, here, entries, size, offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, end, 1)
    (tmp_path / "z64.xlsx").write_bytes(content[:end] + record + locator + content[end:])
    assert [p.kind for p in read_annex_a(tmp_path / "z64.xlsx").problems] == ["corrupt-workbook"]
    with zipfile.ZipFile(tmp_path / "a.xlsx") as old, zipfile.ZipFile(tmp_path / "lzma.xlsx", "w") as new:
        for part in old.infolist():
            new.writestr(part.filename, old.read(part.filename), compress_type=zipfile.ZIP_LZMA)
    message = read_annex_a(tmp_path / "lzma.xlsx").problems[0].message
    assert message.startswith("the workbook is damaged (") and message.endswith(
        "is compressed in a way Excel never writes)"
    )


@pytest.mark.parametrize("cells", [b'<row><c r="B"/></row>', b'<row r="3"><c r="A0"/></row><row/>'])
def test_a_reference_without_a_row_is_no_traceback(tmp_path: Path, cells: bytes) -> None:
    data = read_annex_a(two_sheets(tmp_path / "a.xlsx", (b"</sheetData>", cells + b"</sheetData>"), (b"", b"")))
    assert all(p.kind in ("unreadable-sheet", "corrupt-workbook") for p in data.problems if p.severity == "error")


def test_a_part_listed_twice_is_refused(tmp_path: Path) -> None:
    content = two_sheets(tmp_path / "a.xlsx", (b"", b""), (b"", b"")).read_bytes()
    end = _end(content)
    _, _, _, here, entries, _, offset, comment = struct.unpack("<IHHHHIIH", content[end : end + 22])
    name_length, extra_length, comment_length = struct.unpack("<HHH", content[offset + 28 : offset + 34])
    first = content[offset : offset + 46 + name_length + extra_length + comment_length]  # its directory entry
    directory = content[offset:end] + first
    record = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, here + 1, entries + 1, len(directory), offset, comment)
    (tmp_path / "twice.xlsx").write_bytes(content[:offset] + directory + record)
    assert [p.kind for p in read_annex_a(tmp_path / "twice.xlsx").problems] == ["corrupt-workbook"]


def test_a_part_with_zip64_sizes_is_refused(tmp_path: Path) -> None:
    # the zip crate takes a zip64 field's sizes and offset whenever it is long enough, Python only where the plain
    # ones are 0xFFFFFFFF: the two could read different bytes for one part (a sixth review)
    edited = two_sheets(tmp_path / "edited.xlsx", (b"", b""), (b"", b""))
    wide = tmp_path / "zip64.xlsx"
    with zipfile.ZipFile(edited) as old, zipfile.ZipFile(wide, "w", zipfile.ZIP_DEFLATED) as new:
        for part in old.infolist():
            with new.open(part.filename, "w", force_zip64=part.filename.endswith("sheet1.xml")) as stream:
                stream.write(old.read(part.filename))
    message = read_annex_a(wide).problems[0].message
    assert message == (
        "the workbook is damaged (xl/worksheets/sheet1.xml has zip64 sizes, which no workbook within the limits needs)"
    )
