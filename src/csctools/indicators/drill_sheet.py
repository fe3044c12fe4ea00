"""The drill-down sheet's child ids written as one block of sheet XML, built with polars.

xlsxwriter spends about 13 microseconds of Python on each cell, and a 50,000-child return has over half a million
ids to list (7 s). So the workbook is written by xlsxwriter with that sheet's title and header rows only, and the
columns of ids are then added to the sheet's XML part in one step: inline-string cells, escaped as xlsxwriter
escapes text (`&`, `<`, `>`; characters XML cannot hold as `_xHHHH_`; a literal `_xHHHH_` kept by `_x005F`; space
kept at either end; at most Excel's 32,767 characters a cell).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

import polars as pl

EXCEL_CELL_CHARS = 32_767
SHEET_DATA_END = b"</sheetData>"
DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
# control characters, as xlsxwriter escapes them (all but tab and newline)
NOT_XML = [chr(c) for c in range(32) if c not in (9, 10)]
NOT_XML_PATTERN = "[" + "".join(f"\\x{ord(c):02x}" for c in NOT_XML) + "]"


def column_letters(index: int) -> str:
    """Excel's letters of a 0-based column: 0 A, 25 Z, 26 AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def escaped(ids: pl.Series) -> pl.Series:
    """Ids as the content of an XML element, escaped the way xlsxwriter escapes a string cell (each pass only when
    some id needs it: most lists need none)."""
    longest = ids.str.len_chars().max()
    if isinstance(longest, int) and longest > EXCEL_CELL_CHARS:
        ids = ids.str.slice(0, EXCEL_CELL_CHARS)
    if ids.str.contains(r"_x[0-9a-fA-F]{4}_").any():
        ids = ids.str.replace_all(r"(_x[0-9a-fA-F]{4}_)", "_x005F$1")
    if ids.str.contains(NOT_XML_PATTERN).any():
        for character in NOT_XML:
            ids = ids.str.replace_all(character, f"_x{ord(character):04X}_", literal=True)
    for character, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if ids.str.contains(character, literal=True).any():
            ids = ids.str.replace_all(character, entity, literal=True)
    return ids


def rows_xml(columns: Sequence[Sequence[str]], first_row: int) -> tuple[bytes, int]:
    """`<row>` elements holding column i's ids from sheet row `first_row` (1-based) down, and the last row used."""
    frames = [
        pl.DataFrame(
            {
                "row": pl.int_range(first_row, first_row + len(ids), eager=True),
                "id": escaped(pl.Series(ids, dtype=pl.String)),
            }
        ).with_columns(letters=pl.lit(column_letters(i)), column=pl.lit(i))
        for i, ids in enumerate(columns)
        if ids
    ]
    if not frames:
        return b"", first_row - 1
    cells = pl.concat(frames).sort("row", "column")
    space = pl.when(pl.col("id").str.contains(r"^\s|\s$")).then(pl.lit(' xml:space="preserve"')).otherwise(pl.lit(""))
    cell = pl.format('<c r="{}{}" t="inlineStr"><is><t{}>{}</t></is></c>', "letters", "row", space, "id")
    lines = (
        cells.select("row", cell.alias("cell"))
        .group_by("row", maintain_order=True)
        .agg(pl.col("cell").str.join(""))
        .select(pl.format('<row r="{}">{}</row>', "row", "cell"))
        .to_series()
    )
    return "".join(lines.to_list()).encode("utf-8"), int(cells["row"].max())  # type: ignore[arg-type]


def add_rows(workbook: bytes, sheet_number: int, columns: Sequence[Sequence[str]], first_row: int) -> bytes:
    """The workbook with the ids added to worksheet `sheet_number` (1-based, as xlsxwriter names its parts) below
    the rows it already has, and its dimension widened to them."""
    part = f"xl/worksheets/sheet{sheet_number}.xml"
    block, last_row = rows_xml(columns, first_row)
    width = max((i + 1 for i, ids in enumerate(columns) if ids), default=1)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                if SHEET_DATA_END not in data:
                    raise ValueError(f"{part} has no sheetData to add the ids to")
                data = data.replace(SHEET_DATA_END, block + SHEET_DATA_END, 1)
                data = DIMENSION.sub(f'<dimension ref="A1:{column_letters(width - 1)}{last_row}"/>'.encode(), data, 1)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data, compresslevel=1 if info.filename == part else 6)  # level 1: a third the time
    return out.getvalue()
