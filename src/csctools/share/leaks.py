"""The leak check: no identifier of the input appears in what is shared, in any form (case, spaces).

Identifiers are the values of the input's identifier, postcode and free-text columns (and their raw text). An
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
            if kind_of(column) not in IDENTIFYING:
                continue
            for source in (column.name, f"{column.name}{RAW_SUFFIX}"):
                if source in frame.columns:
                    parts.append(frame.select(normalise_identifier(pl.col(source)).alias("v"))["v"])
    if not parts:
        return pl.Series("v", [], dtype=pl.String)
    values = pl.concat(parts).drop_nulls().unique()
    return values.filter(values.str.len_chars() > 0).filter(~values.is_in(list(NOT_IDENTIFIERS)))


def _normalised(out: pl.DataFrame) -> pl.DataFrame:
    """Every column of a shared table as compared (text, upper case, no spaces), worked out once per table.

    Dates and whole numbers written as text hold no letter or space ("2025-04-01", "-12"), so casting them is
    their normal form already; every other column goes through `normalise_identifier`."""
    plain = (pl.Date, pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
    return out.select(
        pl.col(c).cast(pl.String) if dtype in plain else normalise_identifier(pl.col(c))
        for c, dtype in out.schema.items()
    )


def _long_text(out: pl.DataFrame, normal: pl.DataFrame, policy: Policy, dataset: str, table: str) -> pl.DataFrame:
    """Text values (not pseudonyms) long enough to hold a long identifier inside them: (column, v)."""
    columns = [
        c
        for c, dtype in out.schema.items()
        if dtype == pl.String and policy.treatment(dataset, table, c).name != PSEUDONYM
    ]
    parts = [
        normal.select(pl.lit(c).alias("column"), pl.col(c).alias("v")).filter(
            pl.col("v").str.len_chars() > SUBSTRING_LENGTH  # holding a longer one inside; one as long is equal
        )
        for c in columns
    ]
    return pl.concat(parts) if parts else pl.DataFrame(schema={"column": pl.String, "v": pl.String})


def _all_values(normal: pl.DataFrame) -> pl.DataFrame:
    """Every value of the table, normalised, as (column, v)."""
    return pl.concat(
        [normal.select(pl.lit(c).alias("column"), pl.col(c).alias("v")) for c in normal.columns]
    ).drop_nulls("v")


def _birth_leaks(
    name: str, normal: pl.DataFrame, source: pl.DataFrame, births: list[str], policy: Policy, dataset: str
) -> list[Leak]:
    """Rows holding their own exact birth date, in the columns not moved by a shift or cut to the month."""
    leaks: list[Leak] = []
    columns = [c for c in normal.columns if policy.treatment(dataset, name, c).name not in (SHIFT, MONTH)]
    if not columns:
        return leaks
    formats = [(c, f) for c in births for f in BIRTH_FORMATS]
    texts = source.select(pl.col(c).dt.strftime(f).alias(f"_birth{n}") for n, (c, f) in enumerate(formats))
    frame = normal.select(columns).hstack(texts)
    births_texts = [pl.col(c) for c in texts.columns]
    counts = frame.select(
        pl.any_horizontal([pl.col(c) == b for b in births_texts]).fill_null(False).sum().alias(c) for c in columns
    ).row(0, named=True)
    return [Leak(name, c, int(n), "the row's exact date of birth") for c, n in counts.items() if n]


def find_leaks(data: ReturnData, shared: SharedReturn, policy: Policy) -> list[Leak]:
    """Every leak found, by table and column (an empty list when the shared return holds nothing of the input)."""
    identifiers = input_identifiers(data)
    known = identifiers.to_frame("v")
    long_ones = identifiers.filter(identifiers.str.len_chars() >= SUBSTRING_LENGTH).to_list()
    model = DATASETS[data.dataset]
    leaks: list[Leak] = []
    long_text: list[pl.DataFrame] = []
    for name, out in shared.tables.items():
        table = model.table(name)
        source = data.tables[name]
        if out.width == 0:
            continue
        # equal to an identifier: one join over every value of the table
        normal = _normalised(out)
        equal = _all_values(normal).join(known, on="v", how="semi").group_by("column", maintain_order=True).len()
        leaks += [Leak(name, c, n, "an identifier of the input") for c, n in equal.iter_rows()]
        long_text.append(_long_text(out, normal, policy, data.dataset, name).with_columns(pl.lit(name).alias("table")))
        for column in out.columns:
            if policy.treatment(data.dataset, name, column).name == SHIFT:
                unmoved = int((out[column] == source[column]).fill_null(False).sum())
                if unmoved:
                    leaks.append(Leak(name, column, unmoved, "the input's date unmoved"))
        births = [c.name for c in table.columns if kind_of(c) is Kind.BIRTH and c.name in source.columns]
        if births:
            leaks += _birth_leaks(name, normal, source, births, policy, data.dataset)
    # a long identifier inside a longer text value: one search over every table's long text values
    text = pl.concat(long_text) if long_text else pl.DataFrame()
    if long_ones and text.height:
        inside = text.filter(pl.col("v").str.contains_any(long_ones)).group_by("table", "column", maintain_order=True)
        leaks += [Leak(t, c, n, "an identifier of the input inside them") for t, c, n in inside.len().iter_rows()]
    return leaks
