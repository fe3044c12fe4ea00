"""Internal checks: every child in a table is in Header, dates of birth and sex agree, one row per child."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl

from csctools.rules.ssda903.common import DATASET
from csctools.validate.context import Context
from csctools.validate.registry import Condition, Failures, rule, table_rule

IN_HEADER = {
    "INT01": "AD1",
    "INT02": "PlacedAdoption",
    "INT03": "Episodes",
    "INT04": "Missing",
    "INT05": "OC2",
    "INT06": "OC3",
    "INT07": "PrevPerm",
    "INT08": "Reviews",
    "INT09": "UASC",
}
SAME_DOB = {
    "INT11": "AD1",
    "INT12": "PlacedAdoption",
    "INT13": "Missing",
    "INT14": "OC2",
    "INT15": "OC3",
    "INT16": "PrevPerm",
    "INT17": "Reviews",
    "INT18": "UASC",
}
ONCE = {"INT31": "AD1", "INT32": "Header", "INT33": "OC2", "INT34": "OC3", "INT35": "PrevPerm", "INT36": "UASC"}


def _in_header(table: str) -> Condition:
    def missing_from_header(ctx: Context) -> pl.Expr:
        return ~pl.col("CHILD").is_in(ctx.table("Header")["CHILD"].implode())

    missing_from_header.__doc__ = f"Every child in {table} is in Header."
    return missing_from_header


def _same(table: str, field: str) -> Callable[[Context], Iterable[Failures]]:
    def check(ctx: Context) -> Iterable[Failures]:
        header = ctx.lazy("Header").select("CHILD", pl.col(field).alias("HEADER_VALUE")).unique("CHILD")
        joined = ctx.lazy(table).join(header, on="CHILD", how="inner")
        yield Failures(table, joined.filter(pl.col(field).ne_missing(pl.col("HEADER_VALUE"))), (field,))

    check.__doc__ = f"{field} in {table} agrees with Header."
    return check


def _once(table: str) -> Condition:
    def repeated(ctx: Context) -> pl.Expr:
        return pl.col("CHILD").is_duplicated()

    repeated.__doc__ = f"A child appears at most once in {table}."
    return repeated


for code, table in IN_HEADER.items():
    table_rule(DATASET, code, table)(_in_header(table))
for code, table in SAME_DOB.items():
    rule(DATASET, code)(_same(table, "DOB"))
for code, table in ONCE.items():
    table_rule(DATASET, code, table)(_once(table))
rule(DATASET, "INT21")(_same("UASC", "SEX"))


@rule(DATASET, "EPI", reads=("Episodes", "OC3"))
def header_without_episodes(ctx: Context) -> Iterable[Failures]:
    """A child in Header has no episodes and no care leaver (OC3) record."""
    known = pl.concat([ctx.table("Episodes")["CHILD"], ctx.table("OC3")["CHILD"]]).implode()
    yield Failures("Header", ctx.lazy("Header").filter(~pl.col("CHILD").is_in(known)), ("CHILD",))
