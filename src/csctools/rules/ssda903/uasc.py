"""UASC: unaccompanied asylum-seeking children and the date that status ceased."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.rules.ssda903.common import DATASET, filled
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import Failures, frame_rule, rule, table_rule


@table_rule(DATASET, "104", "UASC")
def duc_date(ctx: Context) -> pl.Expr:
    return pl.col("DUC_raw").is_not_null() | (pl.col("DUC") < ctx.start)


@table_rule(DATASET, "304", "UASC")
def duc_after_18(ctx: Context) -> pl.Expr:
    return pl.col("DUC") > pl.col("DOB").dt.offset_by("18y")


@rule(DATASET, "303")
def duc_without_uasc(ctx: Context) -> Iterable[Failures]:
    """A date UASC status ceased is given, but the child is not recorded as UASC (Header.UASC 1)."""
    uasc = ctx.table("UASC").filter(filled("DUC"))
    header = ctx.table("Header")
    not_flagged = header.filter(pl.col("UASC").fill_null("") != "1")["CHILD"].implode()
    bad = uasc.filter(pl.col("CHILD").is_in(not_flagged))
    yield Failures("UASC", bad.lazy(), ("DUC",))
    yield Failures("Header", header.lazy().filter(pl.col("CHILD").is_in(bad["CHILD"].implode())), ("UASC",))


@per_return
def _uasc_years(ctx: Context) -> pl.DataFrame:
    """This year's UASC rows with the child's Header flag, and last year's DUC, flag and 18th birthday."""
    now = ctx.lazy("UASC").join(ctx.lazy("Header").select("CHILD", "UASC").unique("CHILD"), on="CHILD", how="left")
    last = ctx.last_year_lazy("UASC").select(
        "CHILD", pl.col("DUC").alias("DUC_LAST"), pl.col("DOB").dt.offset_by("18y").alias("DOB18_LAST")
    )
    last = last.join(
        ctx.last_year_lazy("Header").select("CHILD", pl.col("UASC").alias("UASC_LAST")).unique("CHILD"),
        on="CHILD",
        how="left",
    )
    return collect(now.join(last, on="CHILD", how="left"))


@frame_rule(DATASET, "205A", "UASC", _uasc_years, fields=("DUC",))
def no_longer_uasc(ctx: Context) -> pl.Expr:
    """UASC last year but not this year, yet a DUC is given this year or last year's DUC was not in last year."""
    last_start, last_end = ctx.year.previous().start_date, ctx.year.previous().end_date
    only_last = (pl.col("UASC").fill_null("") != "1") & pl.col("UASC_LAST").eq_missing("1")
    bad = only_last & (filled("DUC") | ~pl.col("DUC_LAST").is_between(last_start, last_end).fill_null(False))
    return bad


@frame_rule(DATASET, "205B", "UASC", _uasc_years, fields=("DUC",))
def still_uasc(ctx: Context) -> pl.Expr:
    """UASC both years, but the DUC is neither in this year nor last year's, or last year's DUC was not the 18th
    birthday."""
    both = pl.col("UASC").eq_missing("1") & pl.col("UASC_LAST").eq_missing("1")
    in_year = pl.col("DUC").is_between(ctx.start, ctx.end).fill_null(False)
    same = (pl.col("DUC") == pl.col("DUC_LAST")).fill_null(False)
    eighteenth = (pl.col("DUC_LAST") == pl.col("DOB18_LAST")).fill_null(False)
    return both & ((~in_year & ~same) | ~eighteenth)


@frame_rule(DATASET, "205C", "UASC", _uasc_years, fields=("DUC",))
def never_uasc_with_duc(ctx: Context) -> pl.Expr:
    """A DUC is given though the child was not UASC this year or last."""
    never = (pl.col("UASC").fill_null("0") == "0") & (pl.col("UASC_LAST").fill_null("0") == "0")
    return never & (filled("DUC") | pl.col("DUC_LAST").is_not_null())
