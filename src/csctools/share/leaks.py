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


def _birth_texts(frame: pl.DataFrame, columns: list[str]) -> list[pl.Expr]:
    return [pl.col(c).dt.strftime(fmt).str.replace_all(r"\s+", "") for c in columns for fmt in BIRTH_FORMATS]


def find_leaks(data: ReturnData, shared: SharedReturn, policy: Policy) -> list[Leak]:
    identifiers = input_identifiers(data)
    long_ones = identifiers.filter(identifiers.str.len_chars() >= SUBSTRING_LENGTH).to_list()
    model = DATASETS[data.dataset]
    leaks: list[Leak] = []
    for name, out in shared.tables.items():
        table = model.table(name)
        source = data.tables[name]
        births = [c.name for c in table.columns if kind_of(c) is Kind.BIRTH and c.name in source.columns]
        for column in out.columns:
            text = out.select(normalise_identifier(pl.col(column)).alias("v"))["v"]
            equal = int(text.is_in(identifiers.implode()).sum())
            if equal:
                leaks.append(Leak(name, column, equal, "an identifier of the input"))
            treatment = policy.treatment(data.dataset, name, column).name
            pseudonymised = treatment == PSEUDONYM
            if long_ones and not pseudonymised:
                inside = int(text.str.contains_any(long_ones).sum())
                if inside:
                    leaks.append(Leak(name, column, inside, "an identifier of the input inside them"))
            if treatment == SHIFT:
                unmoved = int((out[column] == source[column]).fill_null(False).sum())
                if unmoved:
                    leaks.append(Leak(name, column, unmoved, "the input's date unmoved"))
            elif births and treatment != MONTH:
                both = pl.DataFrame([text.alias("_out"), *[source[c] for c in births]])
                exprs = _birth_texts(both, births)
                hits = both.select(pl.any_horizontal([pl.col("_out") == e for e in exprs]).fill_null(False).sum())
                count = int(hits.item())
                if count:
                    leaks.append(Leak(name, column, count, "the row's exact date of birth"))
    return leaks
