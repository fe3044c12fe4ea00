"""The drill-down ids added as sheet XML read back exactly as xlsxwriter's own cells of the same ids."""

from __future__ import annotations

import io

import python_calamine as calamine
import xlsxwriter

from csctools.indicators.drill_sheet import add_rows, column_letters

AWKWARD = ["A1", " lead", "trail ", "a&b", "<x>", "tab\there", "cr\rlf\n", "bell\x07", "_x0041_", "é€😀", "1234"]


def _book(columns: list[list[str]], ids_by_xlsxwriter: bool) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("First").write(0, 0, "before")
    sheet = book.add_worksheet("Ids")
    sheet.write(0, 0, "title")
    for column, ids in enumerate(columns):
        sheet.write(2, column, f"list {column}")
        if ids_by_xlsxwriter:
            sheet.write_column(3, column, ids)
    book.add_worksheet("Last").write(0, 0, "after")
    book.close()
    content = buffer.getvalue()
    return content if ids_by_xlsxwriter else add_rows(content, 2, columns, first_row=4)


def _cells(content: bytes) -> dict[str, list[list[object]]]:
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_added_ids_read_back_as_xlsxwriter_cells() -> None:
    columns = [AWKWARD, [], ["only", "two"], [f"C{i}" for i in range(30)]]
    ours, theirs = _cells(_book(columns, False)), _cells(_book(columns, True))
    assert ours == theirs
    ids = ours["Ids"]
    assert [row[0] for row in ids[3 : 3 + len(AWKWARD)]] == AWKWARD  # each awkward id as it was given
    assert len(ids) == 3 + 30 and ids[3 + 29][3] == "C29" and ids[5][1] == ""
    assert ours["First"] == [["before"]] and ours["Last"] == [["after"]]


def test_no_ids_leaves_the_sheet_as_it_was() -> None:
    assert _cells(_book([[], []], False)) == _cells(_book([[], []], True))


def test_column_letters() -> None:  # worked out by hand from Excel's column headings
    assert [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
