"""Missing: periods missing from placement (M) or away without authorisation (A)."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.rules.ssda903.common import DATASET, code_rule, date_rule
from csctools.validate.context import Context
from csctools.validate.registry import Failures, rule, table_rule

code_rule("1006", "Missing", "MISSING")
date_rule("1004", "Missing", "MIS_START", required=True)
date_rule("1005", "Missing", "MIS_END")


@table_rule(DATASET, "564", "Missing")
def start_blank(ctx: Context) -> pl.Expr:
    return pl.col("MISSING").is_in(["M", "A"]) & pl.col("MIS_START").is_null() & pl.col("MIS_START_raw").is_null()


@table_rule(DATASET, "565", "Missing")
def type_blank_with_start(ctx: Context) -> pl.Expr:
    return pl.col("MIS_START").is_not_null() & pl.col("MISSING").is_null()


@table_rule(DATASET, "566", "Missing")
def type_blank_with_end(ctx: Context) -> pl.Expr:
    return pl.col("MISSING").is_null() & pl.col("MIS_END").is_not_null()


@table_rule(DATASET, "567", "Missing")
def ends_before_start(ctx: Context) -> pl.Expr:
    return pl.col("MIS_START") > pl.col("MIS_END")


@table_rule(DATASET, "570", "Missing")
def starts_after_year(ctx: Context) -> pl.Expr:
    return pl.col("MIS_START") > ctx.end


@table_rule(DATASET, "571", "Missing")
def ends_outside_year(ctx: Context) -> pl.Expr:
    return (pl.col("MIS_END") < ctx.start) | (pl.col("MIS_END") > ctx.end)


@table_rule(DATASET, "586", "Missing")
def before_birth(ctx: Context) -> pl.Expr:
    return pl.col("MIS_START").is_not_null() & (pl.col("MIS_START") <= pl.col("DOB"))


@rule(DATASET, "574")
def overlapping_periods(ctx: Context) -> Iterable[Failures]:
    """A missing period starts while the previous one is still open (or before it ended)."""
    frame = ctx.table("Missing").with_columns(pl.coalesce("MIS_END", "MIS_START").alias("END_FILL"))
    frame = frame.sort("CHILD", "END_FILL", "MIS_START").with_columns(
        pl.col("MIS_END").shift(1).over("CHILD").alias("PREV_END"),
        pl.col("CHILD").shift(1).over("CHILD").alias("PREV_CHILD"),
    )
    follows = pl.col("PREV_CHILD").is_not_null()
    yield Failures(
        "Missing",
        frame.filter(follows & (pl.col("PREV_END").is_null() | (pl.col("MIS_START") < pl.col("PREV_END")))),
        ("MIS_START",),
    )


@rule(DATASET, "575")
def open_after_placement_ended(ctx: Context) -> Iterable[Failures]:
    """The placement the child went missing from ended, but the missing period has no end date."""
    pairs = ctx.table("Missing").join(ctx.table("Episodes").select("CHILD", "DECOM", "DEC"), on="CHILD")
    bad = pairs.filter(
        (pl.col("MIS_START") >= pl.col("DECOM"))
        & (pl.col("MIS_START") <= pl.col("DEC"))
        & pl.col("MIS_END").is_null()
        & pl.col("DEC").is_not_null()
    )
    yield Failures("Missing", bad.unique("_row"), ("MIS_END",))


@rule(DATASET, "581")
def missing_outside_care(ctx: Context) -> Iterable[Failures]:
    """The missing period did not start during any of the child's episodes of care."""
    missing = ctx.table("Missing").filter(pl.col("MIS_START").is_not_null())
    pairs = missing.select("_row", "CHILD", "MIS_START").join(
        ctx.table("Episodes").select("CHILD", "DECOM", "DEC"), on="CHILD", how="left"
    )
    within = (pl.col("MIS_START") >= pl.col("DECOM")) & (
        (pl.col("MIS_START") <= pl.col("DEC")) | pl.col("DEC").is_null()
    )
    ok_rows = pairs.filter(within.fill_null(False))["_row"].implode()
    yield Failures("Missing", missing.filter(~pl.col("_row").is_in(ok_rows)), ("MIS_START",))
