"""Typing raw text columns: dates in the formats found in the wild, integers, booleans, codes.

A value that does not parse stays beside the typed column as `<column>_raw` (null where parsing worked), so
nothing is silently turned into null.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from csctools.model import RAW_SUFFIX, Column, ColumnType

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
EXCEL_EPOCH = date(1899, 12, 30)
TRUE_TEXT = ("TRUE", "1", "Y", "YES")
FALSE_TEXT = ("FALSE", "0", "N", "NO")


def parse_date(text: pl.Expr) -> pl.Expr:
    """Dates as dd/mm/yyyy, ISO (with or without a time), dd-mm-yyyy, dd.mm.yyyy or an Excel serial number."""
    day_part = text.str.extract(r"^\s*([^\sT]+)")
    by_format = [day_part.str.strptime(pl.Date, fmt, strict=False) for fmt in DATE_FORMATS]
    serial = day_part.str.extract(r"^(\d{4,5})(?:\.0+)?$").cast(pl.Int64, strict=False)
    from_serial = (
        pl.when(serial.is_between(1, 2958465)).then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)).otherwise(None)
    )
    return pl.coalesce(*by_format, from_serial.cast(pl.Date))


def parse_integer(text: pl.Expr) -> pl.Expr:
    return text.str.strip_chars().str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)


def parse_boolean(text: pl.Expr) -> pl.Expr:
    upper = text.str.strip_chars().str.to_uppercase()
    return pl.when(upper.is_in(TRUE_TEXT)).then(True).when(upper.is_in(FALSE_TEXT)).then(False).otherwise(None)


def clean_text(text: pl.Expr) -> pl.Expr:
    """Trim; empty becomes null (an empty cell carries no value)."""
    stripped = text.str.strip_chars()
    return pl.when(stripped.str.len_chars() > 0).then(stripped).otherwise(None)


def typed_expressions(column: Column, source: str | None = None) -> list[pl.Expr]:
    """Expressions producing the typed column (and its raw companion) from a text column."""
    raw = clean_text(pl.col(source or column.name))
    if column.type is ColumnType.TEXT:
        return [raw.alias(column.name)]
    if column.type is ColumnType.CODE:
        return [raw.str.to_uppercase().alias(column.name)]
    parser = {
        ColumnType.DATE: parse_date,
        ColumnType.INTEGER: parse_integer,
        ColumnType.BOOLEAN: parse_boolean,
    }
    typed = parser[column.type](raw)
    kept = pl.when(typed.is_null() & raw.is_not_null()).then(raw).otherwise(None)
    return [typed.alias(column.name), kept.alias(column.name + RAW_SUFFIX)]


def type_frame(frame: pl.DataFrame, columns: tuple[Column, ...], keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Type every declared column of a frame of text; columns absent from the frame come out null."""
    expressions: list[pl.Expr] = [pl.col(name) for name in keep]
    for column in columns:
        if column.name in frame.columns:
            expressions.extend(typed_expressions(column))
        else:
            dtype = {
                ColumnType.DATE: pl.Date,
                ColumnType.INTEGER: pl.Int64,
                ColumnType.BOOLEAN: pl.Boolean,
            }.get(column.type, pl.String)
            expressions.append(pl.lit(None, dtype=dtype).alias(column.name))
            if column.type not in (ColumnType.TEXT, ColumnType.CODE):
                expressions.append(pl.lit(None, dtype=pl.String).alias(column.name + RAW_SUFFIX))
    return frame.select(expressions)


def unparsed_counts(frame: pl.DataFrame) -> dict[str, int]:
    """How many values of each typed column could only be kept as raw text."""
    counts = {}
    for name in frame.columns:
        if name.endswith(RAW_SUFFIX):
            missing = frame[name].count()
            if missing:
                counts[name.removesuffix(RAW_SUFFIX)] = missing
    return counts
