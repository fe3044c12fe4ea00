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


def _parse_dates(text: pl.Series) -> pl.Series:
    """Parse the dominant format over every value, then the other formats only where that failed."""
    sample = text.drop_nulls().head(1).to_list()
    iso = bool(sample) and len(sample[0]) >= 10 and sample[0][4:5] == "-"
    typed = text.str.strptime(pl.Date, "%Y-%m-%d" if iso else "%d/%m/%Y", strict=False)
    failed = (typed.is_null() & text.is_not_null()).arg_true()
    if len(failed):
        retry = pl.select(parse_date(pl.lit(text.gather(failed)))).to_series()
        typed = typed.scatter(failed, retry)
    return typed


def _typed_series(column: Column, text: pl.Series) -> pl.Series:
    if column.type is ColumnType.DATE:
        return _parse_dates(text)
    parser = parse_integer if column.type is ColumnType.INTEGER else parse_boolean
    return pl.select(parser(pl.lit(text))).to_series()


NULL_TYPES = {
    ColumnType.DATE: pl.Date,
    ColumnType.INTEGER: pl.Int64,
    ColumnType.BOOLEAN: pl.Boolean,
    ColumnType.TEXT: pl.String,
    ColumnType.CODE: pl.String,
}


def type_frame(frame: pl.DataFrame, columns: tuple[Column, ...], keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Type every declared column of a frame of text; columns absent from the frame come out null.

    Each non-text column gets a `<column>_raw` companion holding the text of values that did not parse.
    """
    present = [c for c in columns if c.name in frame.columns]
    cleaned = frame.select(
        *(pl.col(name) for name in keep),
        *(
            (clean_text(pl.col(c.name)).str.to_uppercase() if c.type is ColumnType.CODE else clean_text(pl.col(c.name)))
            for c in present
        ),
    )
    series: list[pl.Series] = [cleaned[name] for name in keep]
    height = frame.height
    for column in columns:
        if column.name not in frame.columns:
            series.append(pl.Series(column.name, [None] * height, dtype=NULL_TYPES[column.type]))
            if column.type not in (ColumnType.TEXT, ColumnType.CODE):
                series.append(pl.Series(column.name + RAW_SUFFIX, [None] * height, dtype=pl.String))
            continue
        text = cleaned[column.name]
        if column.type in (ColumnType.TEXT, ColumnType.CODE):
            series.append(text)
            continue
        typed = _typed_series(column, text).alias(column.name)
        raw = pl.select(
            pl.when(pl.lit(typed).is_null() & pl.lit(text).is_not_null()).then(pl.lit(text)).otherwise(None)
        ).to_series()
        series.extend([typed, raw.alias(column.name + RAW_SUFFIX)])
    return pl.DataFrame(series)


def unparsed_counts(frame: pl.DataFrame) -> dict[str, int]:
    """How many values of each typed column could only be kept as raw text."""
    counts = {}
    for name in frame.columns:
        if name.endswith(RAW_SUFFIX):
            missing = frame[name].count()
            if missing:
                counts[name.removesuffix(RAW_SUFFIX)] = missing
    return counts
