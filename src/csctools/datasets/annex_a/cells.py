"""A sheet's cells as text, as `read.cell_text` writes each kind of cell, from fastexcel's columns of text.

fastexcel loads a whole sheet as text in one step, but its text carries no cell type, and it writes a few kinds of
cell otherwise than `cell_text` did with python-calamine's cells: a date "2025-04-01 00:00:00", a time
"1899-12-31 13:30:00", TRUE "true", -0.0 "-0". Dates and times are rewritten from their text alone. Where the
type matters (a number in a date column is an Excel serial date, a text of digits is not; TRUE and the text
"true"; -0.0 and the text "-0"), the columns holding such text are loaded a second time as dates or as booleans,
which gives a value for a number (or boolean) cell and null for a text cell. Most lists have none, and pay
nothing for it.

Where fastexcel's text stays different, on purpose: a number is written to at most 9 decimal places, and without
an exponent (2.5e-300 reads "0", 1e-05 "0.00001", 12.0000000001 "12"). An Annex A list's numbers are ages,
counts and serial dates; nothing in one means anything past the ninth decimal place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal

import polars as pl

from csctools.io.typing import EXCEL_EPOCH, MAX_SERIAL

DATE_TIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$"  # how fastexcel writes a date or time cell
PLAIN_NUMBER = r"^-?\d+(\.\d+)?$"  # a number cell, or a text of digits
PAST_YEAR_9999 = r"^\+\d{5,}-\d\d-\d\d \d\d:\d\d:\d\d"  # a date cell past 9999: "+10000-01-01 ..."
NEGATIVE_ZERO = r"^-0$"  # -0.0 (which `cell_text` writes 0), or the text "-0"
BOOLEANS = ("true", "false")

TypedAs = Literal["date", "boolean"]
# The second load: column indexes and a fastexcel dtype -> those columns, typed
TypedLoad = Callable[[list[int], TypedAs], pl.DataFrame]


def as_cell_text(column: pl.Expr) -> pl.Expr:
    """A date cell as its ISO date, a date and time as ISO 8601 with T, a time (day 0) as its time; a fraction of a
    second in microseconds, as Python writes it."""
    fraction = column.str.extract(r"\.(\d+)$")
    stamp = (
        pl.when(fraction.is_null())
        .then(column)
        .otherwise(column.str.replace(r"\.\d+$", "") + "." + fraction.str.pad_end(6, "0"))
    )
    return (
        pl.when(~column.str.contains(DATE_TIME))
        .then(column)
        .when(column.str.starts_with("1899-12-31 "))
        .then(stamp.str.slice(11))
        .when(column.str.ends_with(" 00:00:00"))
        .then(column.str.slice(0, 10))
        .otherwise(stamp.str.replace(" ", "T", literal=True))
    )


def serial_number_text(stamp: str) -> str:
    """A date cell past the year 9999 as its Excel serial number (what `cell_text` wrote): no date can hold it."""
    day, time = stamp.lstrip("+").split(" ")
    year, month, days = (int(part) for part in day.split("-"))
    cycles, year_in_cycle = divmod(year - 2000, 400)  # the calendar repeats every 400 years, 146,097 days
    serial = (date(2000 + year_in_cycle, month, days) - EXCEL_EPOCH).days + cycles * 146_097
    hours, minutes, seconds = (float(part) for part in time.split(":"))
    fraction = (hours * 3600 + minutes * 60 + seconds) / 86_400
    return str(serial) if not fraction else str(serial + fraction)


def number_cell_text(text: str, serial_date: bool) -> str:
    """A number cell's text (fastexcel's): in a date column the date of its Excel serial number when there is one;
    -0 as 0; else as it is. (The text is rounded to 9 decimal places, so 45748.99999999999, a thousandth of a
    second before midnight, reads as the next day, 45749; calamine's own dates round the same way.)"""
    value = float(text)
    if serial_date and 1 <= value <= MAX_SERIAL:
        return (EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
    return "0" if value == 0 else text


def _number_pattern(index: int, dated: set[int]) -> str:
    return PLAIN_NUMBER if index in dated else NEGATIVE_ZERO


def _flags(frame: pl.DataFrame, dated: set[int]) -> tuple[list[int], list[int], list[int]]:
    """Columns needing a second load as dates (numbers in date columns, -0 elsewhere), as booleans (text "true" or
    "false"), and columns with dates past 9999, found in one query over the sheet."""
    checks = []
    for i, name in enumerate(frame.columns):
        column = pl.col(name)
        checks += [
            column.str.contains(_number_pattern(i, dated)).any().alias(f"n{i}"),
            column.is_in(BOOLEANS).any().alias(f"b{i}"),
            column.str.contains(PAST_YEAR_9999).any().alias(f"f{i}"),
        ]
    found = frame.select(checks).row(0, named=True) if checks else {}
    return tuple([i for i in range(frame.width) if found[f"{kind}{i}"]] for kind in "nbf")  # type: ignore[return-value]


def cell_texts(frame: pl.DataFrame, dated: set[int], typed_load: TypedLoad) -> pl.DataFrame:
    """Every column of a sheet (fastexcel's text, in sheet order) as `cell_text` gives its cells; `dated`: the
    indexes of the date columns."""
    frame = frame.select(as_cell_text(pl.col(name)).alias(name) for name in frame.columns)
    numbers, booleans, far = _flags(frame, dated)
    if not numbers and not booleans and not far:
        return frame
    columns = {name: frame[name] for name in frame.columns}
    for i in far:  # a date past 9999 becomes its serial number, which no later step takes for a date
        text = columns[frame.columns[i]]
        found = text.str.contains(PAST_YEAR_9999).fill_null(False)
        columns[frame.columns[i]] = _replaced(text, found, [serial_number_text(t) for t in text.filter(found)])
    if numbers:
        cells = typed_load(numbers, "date")  # a value for a number (or date) cell, null for text
        for i, typed in zip(numbers, cells.iter_columns(), strict=True):
            name = frame.columns[i]
            text = columns[name]
            redo = typed.is_not_null() & text.str.contains(_number_pattern(i, dated)).fill_null(False)
            fixed = [number_cell_text(t, i in dated) for t in text.filter(redo)]
            columns[name] = _replaced(text, redo, fixed)
    for i, typed in zip(booleans, typed_load(booleans, "boolean").iter_columns() if booleans else (), strict=True):
        name = frame.columns[i]
        text = columns[name]
        redo = typed.is_not_null() & text.is_in(BOOLEANS).fill_null(False)
        columns[name] = _replaced(text, redo, [t.capitalize() for t in text.filter(redo)])
    return pl.DataFrame(columns)


def _replaced(text: pl.Series, where: pl.Series, values: list[str]) -> pl.Series:
    """`text` with the values where `where` holds replaced, in order, by `values`."""
    return text.clone().scatter(where.arg_true(), values) if values else text
