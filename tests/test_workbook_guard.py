"""The workbook guard checks parts in two threads: the first part that fails, in the zip's order, names the refusal."""

from __future__ import annotations

import zipfile
from pathlib import Path

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
