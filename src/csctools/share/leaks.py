"""The leak check: no identifier of the input appears in what is shared, in any form (case, spaces).

Identifiers are the values of the input's identifier, full postcode and free-text columns (and their raw text; a
postcode already cut to its district or sector, as in a pseudonymised return, is not one: 'E1' is also a code). An
output value leaks when, normalised (upper case, no spaces), it equals one of them, or, for values a policy
did not pseudonymise, holds a long one (8 characters or more) inside it. Birth dates are checked row by row: a
shared row never holds its own input row's exact date of birth, as a date or as text in any usual format. A date
moved by the child's secret offset is the exception: it may land on the birth date by chance (a baby who came into
care 10 days after birth, moved 10 days earlier), which tells nothing without the offset; for those columns the
check is that no value stayed where it was. Likewise a date cut to the first of its month equals the birth date of
a child born on the 1st who came into care that month, and says only the month.
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from csctools.io.result import ReturnData
from csctools.model import RAW_SUFFIX
from csctools.share.columns import DATASETS, Kind, kind_of
from csctools.share.policy import MONTH, PSEUDONYM, SHIFT, Policy
from csctools.share.pseudonymise import SharedReturn
from csctools.share.treat import normalise_identifier

IDENTIFYING = (Kind.CHILD_ID, Kind.UPN, Kind.PERSON_ID, Kind.POSTCODE, Kind.FREE_TEXT)
NOT_IDENTIFIERS = {f"UN{n}" for n in range(1, 11)}  # UPN-unknown reasons
SUBSTRING_LENGTH = 8
FULL_POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"  # normalised: outward code then inward (digit, 2 letters)
BIRTH_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d%m%Y", "%Y%m%d", "%d-%m-%Y", "%d.%m.%Y")


class Leak(NamedTuple):
    table: str
    column: str
    rows: int
    what: str

    def describe(self) -> str:
        return f"{self.table}.{self.column}: {self.rows:,} value(s) hold {self.what}"


def input_identifiers(data: ReturnData) -> pl.Series:
    """Every identifying value of the return, normalised, distinct."""
    model = DATASETS[data.dataset]
    parts = []
    for name, frame in data.tables.items():
        try:
            table = model.table(name)
        except KeyError:
            continue
        for column in table.columns:
            kind = kind_of(column)
            if kind not in IDENTIFYING:
                continue
            for source in (column.name, f"{column.name}{RAW_SUFFIX}"):
                if source in frame.columns:
                    value = normalise_identifier(pl.col(source)).alias("v")
                    if kind is Kind.POSTCODE:  # a district or sector ('E1', already coarsened) identifies no one
                        value = pl.when(value.str.contains(FULL_POSTCODE)).then(value)
                    parts.append(frame.select(value.alias("v"))["v"])
    if not parts:
        return pl.Series("v", [], dtype=pl.String)
    values = pl.concat(parts).drop_nulls().unique()
    return values.filter(values.str.len_chars() > 0).filter(~values.is_in(list(NOT_IDENTIFIERS)))


PLAIN = (pl.Date, pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # a date cast to text (years 1000-9999)
WHOLE_NUMBER = r"^-?[0-9]+$"  # a whole number cast to text


def _plain_forms(identifiers: pl.Series) -> tuple[bool, bool]:
    """Whether some identifier is written as a date cast to text, and whether as a whole number."""
    return bool(identifiers.str.contains(ISO_DATE).any()), bool(identifiers.str.contains(WHOLE_NUMBER).any())


def _normalised(out: pl.DataFrame, policy: Policy, dataset: str, table: str, forms: tuple[bool, bool]) -> pl.DataFrame:
    """The columns of a shared table that can equal an identifier, as compared (text, upper case, no spaces),
    worked out once per table.

    Dates and whole numbers written as text hold no letter or space ("2025-04-01", "-12"), so casting them is
    their normal form already; they are cast only when some identifier has that form (else none of their values
    can equal one). Pseudonyms are upper-case hex digits, their normal form; every other column goes through
    `normalise_identifier`. `forms`: whether some identifier is written as a date, as a whole number
    (`_plain_forms`)."""
    dated, numbered = forms
    exprs = []
    for c, dtype in out.schema.items():
        if dtype == pl.Date:
            if dated:
                exprs.append(pl.col(c).cast(pl.String))
        elif dtype in PLAIN:
            if numbered:
                exprs.append(pl.col(c).cast(pl.String))
        elif dtype == pl.String and policy.treatment(dataset, table, c).name == PSEUDONYM:
            exprs.append(pl.col(c))
        else:
            exprs.append(normalise_identifier(pl.col(c)))
    return out.select(exprs)


def _long_text(out: pl.DataFrame, normal: pl.DataFrame, policy: Policy, dataset: str, table: str) -> pl.DataFrame:
    """Text values (not pseudonyms) long enough to hold a long identifier inside them: (column, v)."""
    parts = [
        normal.select(pl.lit(c).alias("column"), pl.col(c).alias("v")).filter(
            pl.col("v").str.len_chars() > SUBSTRING_LENGTH  # holding a longer one inside; one as long is equal
        )
        for c in _long_text_columns(out, policy, dataset, table)
    ]
    return pl.concat(parts) if parts else pl.DataFrame(schema={"column": pl.String, "v": pl.String})


def _all_values(normal: pl.DataFrame) -> pl.DataFrame:
    """Every value of the table, normalised, as (column, v)."""
    return pl.concat(
        [normal.select(pl.lit(c).alias("column"), pl.col(c).alias("v")) for c in normal.columns]
    ).drop_nulls("v")


def _distinct_normal(
    out: pl.DataFrame, policy: Policy, dataset: str, table: str, forms: tuple[bool, bool]
) -> pl.DataFrame:
    """Each column's distinct values, normalised, as (column, v): a few codes for most columns, so asking of them
    whether a value equals or holds an identifier is much cheaper than normalising every row."""
    parts = []
    for column in out.columns:
        distinct = _normalised(out.select(pl.col(column).unique()), policy, dataset, table, forms)
        if distinct.width:
            parts.append(distinct.select(pl.lit(column).alias("column"), pl.col(column).alias("v")).drop_nulls("v"))
    return pl.concat(parts) if parts else pl.DataFrame(schema={"column": pl.String, "v": pl.String})


def _long_text_columns(out: pl.DataFrame, policy: Policy, dataset: str, table: str) -> list[str]:
    """The text columns (not pseudonyms) searched for a long identifier inside their values."""
    return [
        c
        for c, dtype in out.schema.items()
        if dtype == pl.String and policy.treatment(dataset, table, c).name != PSEUDONYM
    ]


def _birth_columns(name: str, out: pl.DataFrame, policy: Policy, dataset: str) -> list[str]:
    """The shared columns checked for birth dates: all but those moved by a shift or cut to the month."""
    return [c for c in out.columns if policy.treatment(dataset, name, c).name not in (SHIFT, MONTH)]


def _birth_leaks_by_text(name: str, out: pl.DataFrame, source: pl.DataFrame, births: list[str]) -> list[Leak]:
    """Rows holding their own exact birth date: every column, as text, against the birth dates in every format."""
    normal = out.select(
        pl.col(c).cast(pl.String) if dtype in PLAIN else normalise_identifier(pl.col(c))
        for c, dtype in out.schema.items()
    )
    formats = [(c, f) for c in births for f in BIRTH_FORMATS]
    texts = source.select(pl.col(c).dt.strftime(f).alias(f"_birth{n}") for n, (c, f) in enumerate(formats))
    frame = normal.hstack(texts)
    births_texts = [pl.col(c) for c in texts.columns]
    counts = frame.select(
        pl.any_horizontal([pl.col(c) == b for b in births_texts]).fill_null(False).sum().alias(c) for c in out.columns
    ).row(0, named=True)
    return [Leak(name, c, int(n), "the row's exact date of birth") for c, n in counts.items() if n]


def _four_digit_years(frame: pl.DataFrame, columns: list[str]) -> bool:
    """Every date of the columns in the years 1000-9999 (or none given): written in BIRTH_FORMATS, 8 or 10 bytes."""
    if not columns:
        return True
    years = frame.select(
        pl.min_horizontal(pl.col(c).dt.year().min() for c in columns).alias("low"),
        pl.max_horizontal(pl.col(c).dt.year().max() for c in columns).alias("high"),
    ).row(0)
    return years[0] is None or (years[0] >= 1000 and years[1] <= 9999)


def _birth_leaks(
    name: str, out: pl.DataFrame, source: pl.DataFrame, births: list[str], policy: Policy, dataset: str
) -> list[Leak]:
    """Rows holding their own exact birth date, in the columns not moved by a shift or cut to the month.

    The same count as comparing every value as text with the row's birth dates in every format
    (`_birth_leaks_by_text`), without writing them all: with years of four digits, a date column's text equals one
    of them only as the same date (the ISO form; the other forms have other lengths or separators), and any other
    value only when 8 or 10 bytes long, so only those rows are compared as text."""
    columns = _birth_columns(name, out, policy, dataset)
    if not columns:
        return []
    dates = [c for c in columns if out.schema[c] == pl.Date]
    if not (_four_digit_years(source, births) and _four_digit_years(out, dates)):
        return _birth_leaks_by_text(name, out.select(columns), source, births)
    born = source.select(pl.col(b).alias(f"_birth{n}") for n, b in enumerate(births))
    counts: dict[str, int] = {}
    for c in columns:
        if c in dates:
            same = pl.any_horizontal([pl.col(c) == pl.col(b) for b in born.columns]).fill_null(False).sum()
            counts[c] = int(out.select(c).hstack(born).select(same).item())
            continue
        text = pl.col(c).cast(pl.String) if out.schema[c] in PLAIN else normalise_identifier(pl.col(c))
        candidates = out.select(text.alias(c)).hstack(born).filter(pl.col(c).str.len_bytes().is_in([8, 10]))
        if not candidates.height:
            counts[c] = 0
            continue
        written = [pl.col(b).dt.strftime(f) for b in born.columns for f in BIRTH_FORMATS]
        hits = pl.any_horizontal([pl.col(c) == w for w in written]).fill_null(False).sum()
        counts[c] = int(candidates.select(hits).item())
    return [Leak(name, c, n, "the row's exact date of birth") for c, n in counts.items() if n]


def find_leaks(data: ReturnData, shared: SharedReturn, policy: Policy) -> list[Leak]:
    """Every leak found, by table and column (an empty list when the shared return holds nothing of the input).

    Whether a value equals or holds an identifier is asked first of each column's distinct values; only a table
    where one does is normalised row by row, to count the rows (the same leaks as asking every row)."""
    identifiers = input_identifiers(data)
    known = identifiers.to_frame("v")
    forms = _plain_forms(identifiers)
    long_ones = identifiers.filter(identifiers.str.len_chars() >= SUBSTRING_LENGTH).to_list()
    model = DATASETS[data.dataset]
    leaks: list[Leak] = []
    long_distinct: list[pl.DataFrame] = []
    for name, out in shared.tables.items():
        table = model.table(name)
        source = data.tables[name]
        if out.width == 0:
            continue
        distinct = _distinct_normal(out, policy, data.dataset, name, forms)
        if distinct.join(known, on="v", how="semi").height:  # equal to an identifier: rows counted by column
            normal = _normalised(out, policy, data.dataset, name, forms)
            equal = _all_values(normal).join(known, on="v", how="semi").group_by("column", maintain_order=True).len()
            leaks += [Leak(name, c, n, "an identifier of the input") for c, n in equal.iter_rows()]
        texts = _long_text_columns(out, policy, data.dataset, name)
        long_distinct.append(
            distinct.filter(pl.col("column").is_in(texts) & (pl.col("v").str.len_chars() > SUBSTRING_LENGTH))
            .select("column", "v", pl.lit(name).alias("table"))
        )  # fmt: skip
        for column in out.columns:
            if policy.treatment(data.dataset, name, column).name == SHIFT:
                unmoved = int((out[column] == source[column]).fill_null(False).sum())
                if unmoved:
                    leaks.append(Leak(name, column, unmoved, "the input's date unmoved"))
        births = [c.name for c in table.columns if kind_of(c) is Kind.BIRTH and c.name in source.columns]
        if births:
            leaks += _birth_leaks(name, out, source, births, policy, data.dataset)
    # a long identifier inside a longer text value: one search over every table's distinct long text values, then
    # the rows of the tables holding one (the automaton of many identifiers costs, built once per search)
    text = pl.concat(long_distinct) if long_distinct else pl.DataFrame()
    if long_ones and text.height:
        holding = text.filter(pl.col("v").str.contains_any(long_ones))["table"].unique(maintain_order=True).to_list()
        if holding:
            rows = [
                _long_text(out, _normalised(out, policy, data.dataset, name, forms), policy, data.dataset, name)
                .with_columns(pl.lit(name).alias("table"))
                for name, out in shared.tables.items()
                if name in holding
            ]  # fmt: skip
            inside = pl.concat(rows).filter(pl.col("v").str.contains_any(long_ones))
            by_column = inside.group_by("table", "column", maintain_order=True).len()
            leaks += [Leak(t, c, n, "an identifier of the input inside them") for t, c, n in by_column.iter_rows()]
    return leaks
