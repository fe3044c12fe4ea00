"""A corpus of odd, damaged and hostile Annex A workbooks, one folder each, for comparing the reader before and after
a change (`python bench/compare_read_outputs.py --before OLD/src --read-each DIR --out OUT`).

Odd cells: dates as text, as date cells, as numbers (serial dates) in date columns and elsewhere, datetimes with a
time, floats with fractions, tiny and huge floats, whole floats, booleans, formulas with error values, title and
merged rows, headers further down, short and blank rows, leading empty columns, extra and duplicate sheets, a sheet
with no header. Damaged and hostile: not a zip, a truncated zip, a cell at XFD1048576, an edited reference past
Excel's last cell, lower-case references, a zip bomb, a part whose declared size lies, the old .xls format.

Usage: python bench/annex_a_corpus.py DIR
"""

from __future__ import annotations

import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

HEADER_1: list[object] = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Date of Contact",
    "Contact Source",
]
HEADER_8: list[object] = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "UASC",
    "Legal Status",
    "Date Started to be Looked After",
    "Placement Type",
    "Placement Provider",
    "Date of Latest Placement",
    "Placement Postcode",
    "Date of Latest Review",
    "Date of Last Visit",
    "Reason for ceasing",
    "Date Ceased",
    "Distance",
    "Number of Placements",
    "Social Worker",
    "Team",
    "Date Allocated",
    "Date of Health Assessment",
    "Date of Dental Check",
    "Disabled",
    "Date of Missing",
    "Duration Missing",
    "Date Last Seen",
    "Category of Need",
    "Episodes",
    "Number of Visits",
    "Permanence",
    "Extra one",
    "Extra two",
    "Extra three",
]


Rows = list[list[object]]


def write(path: Path, sheets: dict[str, Rows], merge: bool = False, first_column: int = 0) -> None:
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    moment = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        if merge:
            sheet.merge_range(0, first_column, 0, first_column + 4, "Annex A (merged title)")
        for r, row in enumerate(rows):
            for c, value in enumerate(row, start=first_column):
                if r == 0 and merge:
                    continue
                if isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, day if value.time() == datetime.min.time() else moment)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, str) and value.startswith("="):
                    sheet.write_formula(r, c, value, None, "#DIV/0!")
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()


ODD_ROWS: list[list[object]] = [
    ["A1", "a) Male", "a) WBRI", datetime(2015, 1, 2), 10, "03/02/2026", "5A"],
    ["A2", "b) Female", "a) WBRI", 42000, 11.0, datetime(2026, 2, 4), 1],
    ["A3", " b) Female ", "c) WOTH", "2014-05-06", 11.5, 46000.75, True],
    ["A4", "a) Male", None, datetime(2014, 5, 6, 13, 45), 1e-05, "=1/0", False],
    [],
    ["A5", "a) Male", "a) WBRI", date(1999, 12, 31), 2.5e-300, "45748", 123456789012.0],
    ["A6", "a) Male"],
    [None, None, None, None, None, None, None],
    ["A7", 7, 8.25, 45000.0, "ten", "31/13/2025", 1e20],
    ["A8", "a) Male", "a) WBRI", 1.0, -3.0, 0.5, "=A1"],
]


def odd_workbooks(root: Path) -> None:
    notes: Rows = [[f"note {n}"] for n in range(31)]
    cases: dict[str, tuple[dict[str, Rows], bool, int]] = {
        "odd-cells": ({"List 1 Contacts": [HEADER_1, *ODD_ROWS]}, False, 0),
        "title-rows": (
            {"L1 - Contacts": [["Ofsted Annex A - List 1"], [], ["Produced 1 March"], HEADER_1, *ODD_ROWS]},
            False,
            0,
        ),
        "merged-title-shifted": ({"List 1": [["title"], [], HEADER_1, *ODD_ROWS]}, True, 2),
        "header-far-down": ({"List 1": [*notes[:20], HEADER_1, *ODD_ROWS]}, False, 0),
        "header-too-far": ({"List 1": [*notes, HEADER_1, *ODD_ROWS]}, False, 0),
        "extra-sheets": (
            {
                "Notes": [["hello"]],
                "List 1": [HEADER_1, *ODD_ROWS],
                "List 1 (2)": [HEADER_1],
                "Children in care": [HEADER_8, ["C1", "a) Male", "a) WBRI", date(2010, 1, 1), 15]],
            },
            False,
            0,
        ),
        "no-header": ({"List 8": [["a", "b", "c"], [1, 2, 3]]}, False, 0),
        "header-only": ({"List 8": [HEADER_8]}, False, 0),
        "empty-sheet": ({"List 8": []}, False, 0),
        "wide": (
            {
                "List 8": [
                    HEADER_8,
                    *[
                        [
                            f"C{n}",
                            "a) Male",
                            "a) WBRI",
                            date(2010, 1, 1 + n % 28),
                            n % 18,
                            "No",
                            "C2",
                            45000 + n,
                            "U1",
                            "PR1",
                            n * 1.5,
                            "AB1 2CD",
                        ]
                        + [n] * 22
                        for n in range(300)
                    ],
                ]
            },
            False,
            0,
        ),
    }
    for name, (sheets, merge, first) in cases.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        write(folder / "annex_a.xlsx", sheets, merge, first)


def edited(source: Path, target: Path, change: bytes, into: bytes, declared: int | None = None) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for part in old.infolist():
            data = old.read(part.filename)
            new.writestr(part.filename, data.replace(change, into) if part.filename.endswith("sheet1.xml") else data)
    if declared is not None:  # the sheet's declared size, in its local and central headers, made to lie
        content = target.read_bytes()
        with zipfile.ZipFile(target) as book:
            size = book.getinfo("xl/worksheets/sheet1.xml").file_size
        target.write_bytes(content.replace(size.to_bytes(4, "little"), declared.to_bytes(4, "little")))


def hostile_workbooks(root: Path) -> None:
    good = root / "good.xlsx"
    write(good, {"List 1": [HEADER_1, ["A1", "a) Male", "a) WBRI", 45000, 9, datetime(2026, 1, 2), "x"]]})
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    cases = {
        "far-cell": (b"</sheetData>", far, None),
        "edited-reference": (b'r="B2"', b'r="B99999999999"', None),
        "lower-case-reference": (b'r="B2"', b'r="b2000000"', None),
        "wide-reference": (b'r="B2"', b'r="ZZ2"', None),
        "zip-bomb": (b"</sheetData>", b"</sheetData><!--" + b" " * (300 * 2**20) + b"-->", None),
        "size-lies": (b"</sheetData>", b"</sheetData><!--" + b" " * (300 * 2**20) + b"-->", 1000),
        "declared-dimension": (b'<dimension ref="A1:G2"/>', b'<dimension ref="A1:XFD1048576"/>', None),
    }
    for name, (change, into, declared) in cases.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        edited(good, folder / "annex_a.xlsx", change, into, declared)
    content = good.read_bytes()
    for name, data in {
        "not-a-zip": b"PK\x03\x04 this is not really a zip",
        "truncated": content[: len(content) // 2],
        "old-xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
    }.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "annex_a.xlsx").write_bytes(data)
    good.unlink()


def main() -> None:
    root = Path(sys.argv[1])
    odd_workbooks(root)
    hostile_workbooks(root)
    print(f"{sum(1 for p in root.iterdir() if p.is_dir())} folders in {root}")


if __name__ == "__main__":
    main()
