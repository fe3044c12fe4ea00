"""Annex A reader: sheet name variants, headers below title rows, column variants, bad workbooks."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import msoffcrypto
import polars as pl
import pytest
import xlsxwriter

from csctools.datasets.annex_a.read import read_annex_a


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, book.add_format({"num_format": "dd/mm/yyyy"}))
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return path


def test_title_rows_and_header_variants(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Ofsted Annex A - List 1 Contacts"],
        [],
        ["Produced 1 March"],
        ["Child ID", "gender", "Ethnicity", "DOB", "Age", "Contact date", "Source of contact", "Notes"],
        ["X1", "a) Male", "a) WBRI", datetime(2015, 1, 2), 10, "03/02/2026", "5A", "n/a"],
        [None] * 8,
        ["X2", "b) Female", "a) WBRI", 42000, 11.0, datetime(2026, 2, 4), "1A", None],
    ]
    data = read_annex_a(workbook(tmp_path / "a.xlsx", {"L1 - Contacts": rows}))
    contacts = data.tables["List1"]
    assert contacts["Child Unique ID"].to_list() == ["X1", "X2"]
    assert contacts["Date of Birth"].to_list() == [date(2015, 1, 2), date(2014, 12, 27)]
    assert contacts["Date of Contact"].to_list() == [date(2026, 2, 3), date(2026, 2, 4)]
    assert contacts["Age of Child (Years)"].to_list() == [10, 11]
    assert contacts["_row"].to_list() == [5, 7]
    read = data.files[0].tables[0]
    assert (read.rows_in, read.rows_read, [r.row for r in read.rejected]) == (3, 2, [6])
    assert [p.kind for p in data.problems] == ["unknown-column"]


@pytest.mark.parametrize("sheet", ["List 8", "List_8 Children in care", "Annex A List 8", "children in care"])
def test_sheet_name_variants(tmp_path: Path, sheet: str) -> None:
    header = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Placement Type"]
    data = read_annex_a(workbook(tmp_path / "a.xlsx", {sheet: [header, ["C1", "a) Male", "a) WBRI", None, "U4"]]}))
    assert data.tables["List8"]["Placement Type"].to_list() == ["U4"]


def test_unknown_sheet_is_reported(tmp_path: Path) -> None:
    data = read_annex_a(workbook(tmp_path / "a.xlsx", {"Notes": [["hello"]]}))
    assert [p.kind for p in data.problems] == ["unknown-sheet", "no-lists"]
    assert not data.ok


def test_password_protected(tmp_path: Path) -> None:
    plain = workbook(tmp_path / "plain.xlsx", {"List 1": [["Child Unique ID", "Gender", "Ethnicity"]]})
    encrypted = io.BytesIO()
    office = msoffcrypto.OfficeFile(io.BytesIO(plain.read_bytes()))
    office.encrypt("secret", encrypted)
    path = tmp_path / "locked.xlsx"
    path.write_bytes(encrypted.getvalue())
    data = read_annex_a(path)
    assert [p.kind for p in data.problems] == ["password-protected"]


@pytest.mark.parametrize(
    ("content", "kind"),
    [(b"PK\x03\x04 this is not really a zip", "corrupt-workbook"), (b"Child,Gender\n", "not-a-workbook")],
)
def test_corrupt_or_wrong_file(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    data = read_annex_a(path)
    assert [p.kind for p in data.problems] == [kind]
    assert "bad.xlsx" in data.problems[0].describe()


def test_reads_the_synthetic_workbook(synthetic: tuple[Path, object]) -> None:
    data = read_annex_a(synthetic[0] / "383" / "annex_a_2025_26.xlsx")
    assert data.ok and data.problems == []
    assert set(data.tables) == {f"List{n}" for n in range(1, 12)}
    assert data.tables["List8"].height > 0


def one_column(cells: list[object]) -> bytes:
    """A workbook of one sheet "S" with `cells` down column A (dates and datetimes formatted as Excel does)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("S")
    formats = {
        date: book.add_format({"num_format": "dd/mm/yyyy"}),
        datetime: book.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
    }
    for row, value in enumerate(cells):
        if isinstance(value, date):
            sheet.write_datetime(row, 0, value, formats[type(value)])
        elif value is not None:
            sheet.write(row, 0, value)
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("cells", "dates", "expected"),
    [
        # text with whole-number floats (ages, counts): whole numbers without ".0", trimmed, empty as null, -0 as 0
        (
            ["  a ", 5.0, "", -0.0, "-0", 1e15, None, 7],
            False,
            ["a", "5", None, "0", "-0", "1000000000000000", None, "7"],
        ),
        # a number that is not whole keeps its decimals (to 9 places, with no exponent); past 2**53 every digit
        (["x", 2.5, 1e20, 1e-05, 12.0000000001], False, ["x", "2.5", "100000000000000000000", "0.00001", "12"]),
        # text with dates: ISO 8601; a datetime at midnight is its date, otherwise date and time
        (
            ["01/04/2025", date(2025, 4, 1), datetime(2025, 4, 2), datetime(2025, 4, 2, 13, 30)],
            False,
            ["01/04/2025", "2025-04-01", "2025-04-02", "2025-04-02T13:30:00"],
        ),
        # in a date column a number is an Excel serial date (45748 is 1 April 2025), out of Excel's dates it stays a
        # number; text stays as written, digits or not
        (
            [45748.0, "45748", date(2025, 4, 1), 0.5, -3, "x"],
            True,
            ["2025-04-01", "45748", "2025-04-01", "0.5", "-3", "x"],
        ),
        # a fraction of a second as Python writes it; a text that only starts like a date and time stays as written
        (
            [datetime(2025, 4, 2, 13, 30, 5, 500000), "2025-04-01 10:00:00 x", "12.5"],
            False,
            ["2025-04-02T13:30:05.500000", "2025-04-01 10:00:00 x", "12.5"],
        ),
        # TRUE is "True" (as Python writes it), the text "true" stays as written
        ([True, 3.0, "y", "true", False], False, ["True", "3", "y", "true", "False"]),
    ],
)
def test_cells_as_text(cells: list[object], dates: bool, expected: list[str | None]) -> None:
    import fastexcel

    from csctools.datasets.annex_a.cells import cell_texts
    from csctools.datasets.annex_a.read import load_text, load_typed
    from csctools.io.typing import clean_text

    book = fastexcel.read_excel(one_column(cells))
    texts = cell_texts(load_text(book, "S"), {0} if dates else set(), lambda c, dtype: load_typed(book, "S", c, dtype))
    assert texts.select(clean_text(pl.first())).to_series().to_list() == expected


def test_a_second_load_only_for_columns_whose_cells_need_their_type() -> None:
    import fastexcel

    from csctools.datasets.annex_a.cells import cell_texts
    from csctools.datasets.annex_a.read import load_text, load_typed

    book = fastexcel.read_excel(one_column(["a", 45748.0, date(2025, 4, 1)]))
    asked: list[tuple[list[int], str]] = []

    def typed(columns: list[int], dtype: str) -> pl.DataFrame:
        asked.append((columns, dtype))
        return load_typed(book, "S", columns, dtype)  # type: ignore[arg-type]

    cell_texts(load_text(book, "S"), set(), typed)  # not a date column: 45748 is a number, no type needed
    assert asked == []
    cell_texts(load_text(book, "S"), {0}, typed)
    assert asked == [([0], "date")]


def test_sheets_loaded_largest_first_are_reported_in_the_workbook_order(tmp_path: Path) -> None:
    small = [["Child Unique ID", "Gender", "Ethnicity", "Extra 1"], ["S1", "a) Male", "a) WBRI", "x"]]
    large = [["Child Unique ID", "Gender", "Ethnicity", "Extra 8"]]
    large += [[f"L{n}", "b) Female", "a) WBRI", "y"] for n in range(3000)]  # loaded first: the largest sheet
    data = read_annex_a(workbook(tmp_path / "a.xlsx", {"List 1": small, "Notes": [["n"]], "List 8": large}))
    assert [p.kind for p in data.problems][:1] == ["unknown-sheet"]  # found while choosing the sheets
    unknown = [p.message for p in data.problems if p.kind == "unknown-column"]
    assert unknown == [
        "sheet 'List 1': column 'Extra 1' is not part of Contacts and was ignored",
        "sheet 'List 8': column 'Extra 8' is not part of Children in care and was ignored",
    ]
    assert list(data.tables) == ["List1", "List8"]
    assert [(t.name, t.rows_in) for t in data.files[0].tables] == [("List1", 1), ("List8", 3000)]
    assert data.tables["List8"]["_row"].to_list()[-1] == 3001


def test_serial_dates_are_found_in_a_list_that_starts_past_column_a(tmp_path: Path) -> None:
    # fastexcel's columns start at the sheet's first column with a cell (B here); the second, typed load must
    # take the same columns, or a serial date would be read from the column beside it
    rows: list[list[object]] = [
        [None, "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)", "Date of Contact"],
        [None, "C1", "a) Male", "a) WBRI", 42000, 11, "45748"],
    ]
    data = read_annex_a(workbook(tmp_path / "a.xlsx", {"List 1": rows}))
    row = data.tables["List1"].row(0, named=True)
    assert row["Date of Birth"] == date(2014, 12, 27) and row["Age of Child (Years)"] == 11
    assert row["Date of Contact"] is None and row["Date of Contact_raw"] == "45748"  # text digits: not a date


def test_a_date_cell_past_the_year_9999_is_its_serial_number_not_a_date(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "a.xlsx"))
    sheet = book.add_worksheet("List 1")
    sheet.write_row(0, 0, ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"])
    sheet.write_row(1, 0, ["C1", "a) Male", "a) WBRI"])
    sheet.write_number(1, 3, 2958466, book.add_format({"num_format": "dd/mm/yyyy"}))  # 1 January 10000
    book.close()
    row = read_annex_a(tmp_path / "a.xlsx").tables["List1"].row(0, named=True)
    assert row["Date of Birth"] is None and row["Date of Birth_raw"] == "2958466"


def test_a_damaged_sheet_is_reported_in_one_line(tmp_path: Path) -> None:
    import zipfile

    rows = [["Child Unique ID", "Gender", "Ethnicity"], ["C1", "a) Male", "a) WBRI"]]
    whole = workbook(tmp_path / "whole.xlsx", {"List 1": rows, "List 8": rows})
    cut = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(whole) as old, zipfile.ZipFile(cut, "w") as new:
        for part in old.infolist():
            data = old.read(part.filename)
            new.writestr(part.filename, data[: len(data) // 2] if part.filename.endswith("sheet1.xml") else data)
    data = read_annex_a(cut)
    problems = [p for p in data.problems if p.kind == "unreadable-sheet"]
    assert len(problems) == 1 and "\n" not in problems[0].message
    assert problems[0].message.startswith("sheet 'List 1' cannot be read (") and set(data.tables) == {"List8"}
