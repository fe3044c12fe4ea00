"""Typing raw text columns: dates in the formats found in the wild, integers, booleans, codes.

A value that does not parse stays beside the typed column as `<column>_raw` (null where parsing worked), so
nothing is silently turned into null.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

import polars as pl

from csctools.model import RAW_SUFFIX, Column, ColumnType

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
EXCEL_EPOCH = date(1899, 12, 30)
MAX_SERIAL = 2958465  # 31/12/9999
FIRST_FOUR_DIGIT_DAY = date(1000, 1, 1)  # a date needs a four-digit year
TRUE_TEXT = ("TRUE", "1", "Y", "YES")
FALSE_TEXT = ("FALSE", "0", "N", "NO")


def four_digit_year(parsed: pl.Expr) -> pl.Expr:
    """A parsed date only when its year has four digits: `01/01/19` parses as the year 19, which is no date."""
    return pl.when(parsed >= FIRST_FOUR_DIGIT_DAY).then(parsed)  # comparing days: quicker than taking the year


def parse_date(text: pl.Expr) -> pl.Expr:
    """Dates as dd/mm/yyyy, ISO (with or without a time), dd-mm-yyyy or dd.mm.yyyy, with a four-digit year.

    Text is never an Excel serial number (`2010` is not 1905): a workbook reader turns the cells Excel itself
    holds as numbers into dates before typing (`excel_serial_date`)."""
    day_part = text.str.extract(r"^\s*([^\sT]+)")
    return pl.coalesce(*(four_digit_year(day_part.str.strptime(pl.Date, fmt, strict=False)) for fmt in DATE_FORMATS))


def excel_serial_date(serial: float) -> date | None:
    """The date of an Excel serial number (a workbook cell typed as a number in a date column), or None."""
    if not 1 <= serial <= MAX_SERIAL:
        return None
    return EXCEL_EPOCH + timedelta(days=int(serial))


def parse_integer(text: pl.Expr) -> pl.Expr:
    return text.str.strip_chars().str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)


def parse_boolean(text: pl.Expr) -> pl.Expr:
    upper = text.str.strip_chars().str.to_uppercase()
    return pl.when(upper.is_in(TRUE_TEXT)).then(True).when(upper.is_in(FALSE_TEXT)).then(False).otherwise(None)


def clean_text(text: pl.Expr) -> pl.Expr:
    """Trim; empty becomes null (an empty cell carries no value)."""
    stripped = text.str.strip_chars()
    return pl.when(stripped.str.len_chars() > 0).then(stripped).otherwise(None)


class Tidy(NamedTuple):
    """What a reader found of its text: `trimmed`, no value has spaces around it and no value is empty (blank cells
    are already null); `upper_case`, no value has a lower-case letter."""

    trimmed: bool = False
    upper_case: bool = False


UNKNOWN_TIDY = Tidy()  # nothing known: trim and upper-case as usual


NULL_TYPES = {
    ColumnType.DATE: pl.Date,
    ColumnType.INTEGER: pl.Int64,
    ColumnType.BOOLEAN: pl.Boolean,
    ColumnType.TEXT: pl.String,
    ColumnType.CODE: pl.String,
}


# Types a reader may already give a column, every value of it parsed (nothing to keep as raw text)
READ_TYPES = {ColumnType.INTEGER: pl.Int64(), ColumnType.DATE: pl.Date()}


def _dominant_date_format(values: pl.Series) -> str:
    """ISO when the first value looks like it, else dd/mm/yyyy; values in other formats are retried later."""
    sample = values.slice(0, 64).to_list()
    first = next((v for v in sample if v is not None and v.strip()), None)
    if first is None and len(values) > len(sample):
        rest = values.drop_nulls().str.strip_chars()
        first = next(iter(rest.filter(rest != "")), None)
    return "%Y-%m-%d" if first is not None and first.strip()[4:5] == "-" else "%d/%m/%Y"


def _typed(kind: ColumnType, text: pl.Expr) -> pl.Expr:
    return parse_integer(text) if kind is ColumnType.INTEGER else parse_boolean(text)


@lru_cache(maxsize=4096)
def _column_exprs(
    name: str, kind: ColumnType, present: bool, date_format: str, tidy: Tidy = UNKNOWN_TIDY
) -> tuple[pl.Expr, ...]:
    """The typed column and, for non-text types, its `_raw` companion (the text where parsing failed). Built once
    per kind of column: polars expressions can be reused."""
    if not present:
        nulls = [pl.lit(None, dtype=NULL_TYPES[kind]).alias(name)]
        if kind not in (ColumnType.TEXT, ColumnType.CODE):
            nulls.append(pl.lit(None, dtype=pl.String).alias(name + RAW_SUFFIX))
        return tuple(nulls)
    text = pl.col(name) if tidy.trimmed else clean_text(pl.col(name))
    if kind is ColumnType.CODE:
        return ((text if tidy.upper_case else text.str.to_uppercase()).alias(name),)
    if kind is ColumnType.TEXT:
        return (text.alias(name),)
    if kind is ColumnType.DATE:
        # Parsed once, in the column's dominant format (no cache of distinct texts: a return's date columns hold
        # thousands of distinct days, parsed quicker directly). The raw text is kept by `_finish_dates`, only in a
        # column where some value did not parse; in the others it would be null throughout.
        parsed = text.str.strptime(pl.Date, date_format, strict=False, cache=False)
        return parsed.alias(name), pl.lit(None, dtype=pl.String).alias(name + RAW_SUFFIX)
    typed = _typed(kind, text)
    return typed.alias(name), pl.when(typed.is_null()).then(text).alias(name + RAW_SUFFIX)


TypingJob = tuple[pl.DataFrame, tuple[Column, ...], tuple[str, ...], Tidy]  # frame, columns, keep, tidy


def type_frame(
    frame: pl.DataFrame, columns: tuple[Column, ...], keep: tuple[str, ...] = (), tidy: Tidy = UNKNOWN_TIDY
) -> pl.DataFrame:
    """Type every declared column of a frame of text; columns absent from the frame come out null. `tidy` says
    what the reader already knows of the text (then the trimming or upper-casing is skipped); an integer column the
    reader already gave as Int64, or a date column as Date, is kept as it is.

    Each non-text column gets a `<column>_raw` companion holding the text of values that did not parse. One query
    types the whole table; dates not in a column's dominant format are parsed afterwards, only where it failed.
    """
    return type_frames({"": (frame, columns, keep, tidy)})[""]


def type_frames(jobs: Mapping[str, TypingJob]) -> dict[str, pl.DataFrame]:
    """`type_frame` for several tables at once: their typing queries run in one call."""
    plans = {name: _typing_plan(*job) for name, job in jobs.items()}
    typed = dict(zip(plans, pl.collect_all(list(plans.values()), engine="in-memory"), strict=True))
    for name, (frame, columns, _, tidy) in jobs.items():
        typed[name] = _retry_dates(_finish_dates(typed[name], frame, columns, tidy), frame, columns)
    return typed


def _typing_plan(frame: pl.DataFrame, columns: tuple[Column, ...], keep: tuple[str, ...], tidy: Tidy) -> pl.LazyFrame:
    exprs = [pl.col(name) for name in keep]
    schema = frame.schema
    for column in columns:
        present = column.name in frame.columns
        if present and READ_TYPES.get(column.type) == schema[column.name]:
            exprs += [pl.col(column.name), pl.lit(None, dtype=pl.String).alias(column.name + RAW_SUFFIX)]
            continue  # already typed by the reader: whole numbers (the CIN reader's ordinal ids), dates (903 CSV)
        dated = present and column.type is ColumnType.DATE
        date_format = _dominant_date_format(frame[column.name]) if dated else ""
        exprs.extend(_column_exprs(column.name, column.type, present, date_format, tidy))
    if keep or any(c.name in frame.columns for c in columns):
        return frame.lazy().select(exprs)  # literals are broadcast to the height of the read columns
    return frame.lazy().with_columns(exprs).select(e.meta.output_name() for e in exprs)


def _text_dates(frame: pl.DataFrame, columns: tuple[Column, ...]) -> list[str]:
    """The date columns the frame holds as text (the ones typing parses)."""
    schema = frame.schema
    return [c.name for c in columns if c.type is ColumnType.DATE and schema.get(c.name) == pl.String]


def _all_parsed(parsed: pl.Series, text: pl.Series, tidy: Tidy) -> bool:
    """Whether every value of a date column parsed with a four-digit year: as many nulls as the text has (it is
    trimmed, so a null is an empty cell) and no day before the year 1000. Unknown for text not yet trimmed."""
    if not tidy.trimmed or parsed.null_count() != text.null_count():
        return False
    earliest = parsed.min()
    return not isinstance(earliest, date) or earliest >= FIRST_FOUR_DIGIT_DAY  # None: no value at all


def _finish_dates(typed: pl.DataFrame, frame: pl.DataFrame, columns: tuple[Column, ...], tidy: Tidy) -> pl.DataFrame:
    """Dates parsed in the dominant format with their raw text: a day without a four-digit year is no date, and
    the text of every value that is not a date is kept in `<column>_raw` (null where a date was read). Only a
    column where some value failed is looked at again; in the others the parse stands and `_raw` stays null."""
    suspect = [name for name in _text_dates(frame, columns) if not _all_parsed(typed[name], frame[name], tidy)]
    if not suspect:
        return typed
    texts = {name: f"{name}\x00text" for name in suspect}  # the raw text beside the parsed day, for a moment
    exprs = []
    for name, temporary in texts.items():
        text = pl.col(temporary) if tidy.trimmed else clean_text(pl.col(temporary))
        day = four_digit_year(pl.col(name))
        exprs += [day.alias(name), pl.when(day.is_null()).then(text).alias(name + RAW_SUFFIX)]
    with_text = typed.with_columns(frame[name].alias(temporary) for name, temporary in texts.items())
    return with_text.lazy().with_columns(exprs).drop(list(texts.values())).collect()


def _retry_dates(typed: pl.DataFrame, frame: pl.DataFrame, columns: tuple[Column, ...]) -> pl.DataFrame:
    """Dates that did not parse in their column's dominant format, tried in every other format."""
    dates = [c.name for c in columns if c.type is ColumnType.DATE and c.name in frame.columns]
    unparsed = [name for name in dates if typed[name + RAW_SUFFIX].null_count() < typed.height]
    if not unparsed:
        return typed
    retried = [parse_date(pl.col(name + RAW_SUFFIX)) for name in unparsed]
    return typed.with_columns(
        *(pl.coalesce(pl.col(name), again).alias(name) for name, again in zip(unparsed, retried, strict=True)),
        *(
            pl.when(again.is_null()).then(pl.col(name + RAW_SUFFIX)).alias(name + RAW_SUFFIX)
            for name, again in zip(unparsed, retried, strict=True)
        ),
    )


def unparsed_counts(frame: pl.DataFrame) -> dict[str, int]:
    """How many values of each typed column could only be kept as raw text."""
    counts = {}
    for name in frame.columns:
        if name.endswith(RAW_SUFFIX):
            missing = frame[name].count()
            if missing:
                counts[name.removesuffix(RAW_SUFFIX)] = missing
    return counts
