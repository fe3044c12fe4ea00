"""Internal checks: every child in a table is in Header, dates of birth and sex agree, one row per child."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl

from csctools.rules.ssda903.common import DATASET
from csctools.validate.context import Context
from csctools.validate.registry import Failures, rule

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


def _in_header(table: str) -> Callable[[Context], Iterable[Failures]]:
    def check(ctx: Context) -> Iterable[Failures]:
        children = ctx.table("Header")["CHILD"].implode()
        yield Failures(table, ctx.table(table).filter(~pl.col("CHILD").is_in(children)), ("CHILD",))

    check.__doc__ = f"Every child in {table} is in Header."
    return check


def _same(table: str, field: str) -> Callable[[Context], Iterable[Failures]]:
    def check(ctx: Context) -> Iterable[Failures]:
        header = ctx.table("Header").select("CHILD", pl.col(field).alias("HEADER_VALUE")).unique("CHILD")
        joined = ctx.table(table).join(header, on="CHILD", how="inner")
        yield Failures(table, joined.filter(pl.col(field).ne_missing(pl.col("HEADER_VALUE"))), (field,))

    check.__doc__ = f"{field} in {table} agrees with Header."
    return check


def _once(table: str) -> Callable[[Context], Iterable[Failures]]:
    def check(ctx: Context) -> Iterable[Failures]:
        frame = ctx.table(table)
        yield Failures(table, frame.filter(pl.col("CHILD").is_duplicated()), ("CHILD",))

    check.__doc__ = f"A child appears at most once in {table}."
    return check


for code, table in IN_HEADER.items():
    rule(DATASET, code)(_in_header(table))
for code, table in SAME_DOB.items():
    rule(DATASET, code)(_same(table, "DOB"))
for code, table in ONCE.items():
    rule(DATASET, code)(_once(table))
rule(DATASET, "INT21")(_same("UASC", "SEX"))


@rule(DATASET, "EPI")
def header_without_episodes(ctx: Context) -> Iterable[Failures]:
    """A child in Header has no episodes and no care leaver (OC3) record."""
    known = pl.concat([ctx.table("Episodes")["CHILD"], ctx.table("OC3")["CHILD"]]).implode()
    yield Failures("Header", ctx.table("Header").filter(~pl.col("CHILD").is_in(known)), ("CHILD",))
