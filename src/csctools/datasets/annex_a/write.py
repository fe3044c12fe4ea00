"""Writing Annex A workbooks the way authorities lay them out: a title row, then headers, one sheet per list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import xlsxwriter

from csctools.datasets.annex_a.schema import ANNEX_A
from csctools.model import ColumnType

Cell = str | int | date | None
TITLE_ROWS = 2  # a title, then a blank row, then the header (row 3)


def write_annex_a(lists: dict[str, list[dict[str, Cell]]], path: Path) -> Path:
    """Write every list (by table name, e.g. "List1") as its own sheet, dates as real Excel dates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for number, table in enumerate(ANNEX_A.tables, start=1):
        sheet = workbook.add_worksheet(f"List {number} {table.aliases[0]}"[:31])
        sheet.write(0, 0, f"Annex A List {number}: {table.aliases[0]}", bold)
        for col, column in enumerate(table.columns):
            sheet.write(TITLE_ROWS, col, column.name, bold)
        for offset, row in enumerate(lists.get(table.name, []), start=TITLE_ROWS + 1):
            for col, column in enumerate(table.columns):
                value = row.get(column.name)
                if value is None or value == "":
                    continue
                if column.type is ColumnType.DATE and isinstance(value, date):
                    sheet.write_datetime(offset, col, value, date_format)
                elif isinstance(value, int):
                    sheet.write_number(offset, col, value)
                else:
                    sheet.write_string(offset, col, str(value))
    workbook.close()
    return path
