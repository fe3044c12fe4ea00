"""UASC: unaccompanied asylum-seeking children and the date that status ceased."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.rules.ssda903.common import DATASET
from csctools.validate.context import Context
from csctools.validate.registry import Failures, rule, table_rule


@table_rule(DATASET, "104", "UASC")
def duc_date(ctx: Context) -> pl.Expr:
    return pl.col("DUC_raw").is_not_null() | (pl.col("DUC") < ctx.start)


@table_rule(DATASET, "304", "UASC")
def duc_after_18(ctx: Context) -> pl.Expr:
    return pl.col("DUC") > pl.col("DOB").dt.offset_by("18y")


@rule(DATASET, "303")
def duc_without_uasc(ctx: Context) -> Iterable[Failures]:
    """A date UASC status ceased is given, but the child is not recorded as UASC (Header.UASC 1)."""
    uasc = ctx.table("UASC").filter(pl.col("DUC").is_not_null())
    header = ctx.table("Header")
    not_flagged = header.filter(pl.col("UASC").fill_null("") != "1")["CHILD"].implode()
    bad = uasc.filter(pl.col("CHILD").is_in(not_flagged))
    yield Failures("UASC", bad, ("DUC",))
    yield Failures("Header", header.filter(pl.col("CHILD").is_in(bad["CHILD"].implode())), ("UASC",))
