"""Missing: periods missing from placement (M) or away without authorisation (A)."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.rules.ssda903.common import DATASET, blank, code_rule, date_rule, filled
from csctools.validate.blanks import one_of
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import Failures, rule, table_rule
from csctools.validate.windows import cumulative_sum_in_group, previous_in_group

code_rule("1006", "Missing", "MISSING")
date_rule("1004", "Missing", "MIS_START", required=True)
date_rule("1005", "Missing", "MIS_END")


@table_rule(DATASET, "564", "Missing")
def start_blank(ctx: Context) -> pl.Expr:
    return one_of("MISSING", ["M", "A"]) & blank("MIS_START") & pl.col("MIS_START_raw").is_null()


@table_rule(DATASET, "565", "Missing")
def type_blank_with_start(ctx: Context) -> pl.Expr:
    return filled("MIS_START") & pl.col("MISSING").is_null()


@table_rule(DATASET, "566", "Missing")
def type_blank_with_end(ctx: Context) -> pl.Expr:
    return pl.col("MISSING").is_null() & filled("MIS_END")


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
    return filled("MIS_START") & (pl.col("MIS_START") <= pl.col("DOB"))


@rule(DATASET, "574")
def overlapping_periods(ctx: Context) -> Iterable[Failures]:
    """A missing period starts while the previous one is still open (or before it ended)."""
    frame = ctx.lazy("Missing").with_columns(pl.coalesce("MIS_END", "MIS_START").alias("END_FILL"))
    frame = frame.sort("CHILD", "END_FILL", "MIS_START").with_columns(
        previous_in_group("MIS_END", "CHILD").alias("PREV_END"),
        previous_in_group("CHILD", "CHILD").alias("PREV_CHILD"),
    )
    follows = pl.col("PREV_CHILD").is_not_null()
    yield Failures(
        "Missing",
        frame.lazy().filter(follows & (pl.col("PREV_END").is_null() | (pl.col("MIS_START") < pl.col("PREV_END")))),
        ("MIS_START",),
    )


@rule(DATASET, "575")
def open_after_placement_ended(ctx: Context) -> Iterable[Failures]:
    """The placement the child went missing from ended, but the missing period has no end date."""
    pairs = ctx.lazy("Missing").join(ctx.lazy("Episodes").select("CHILD", "DECOM", "DEC"), on="CHILD")
    bad = pairs.filter(
        (pl.col("MIS_START") >= pl.col("DECOM"))
        & (pl.col("MIS_START") <= pl.col("DEC"))
        & blank("MIS_END")
        & pl.col("DEC").is_not_null()
    )
    yield Failures("Missing", bad.unique("_row"), ("MIS_END",))


@rule(DATASET, "581")
def missing_outside_care(ctx: Context) -> Iterable[Failures]:
    """The missing period did not start during any of the child's episodes of care."""
    missing = ctx.table("Missing").filter(filled("MIS_START"))
    pairs = (
        missing.lazy()
        .select("_row", "CHILD", "MIS_START")
        .join(ctx.lazy("Episodes").select("CHILD", "DECOM", "DEC"), on="CHILD", how="left")
    )
    within = (pl.col("MIS_START") >= pl.col("DECOM")) & (
        (pl.col("MIS_START") <= pl.col("DEC")) | pl.col("DEC").is_null()
    )
    ok_rows = collect(pairs.filter(within.fill_null(False)).select("_row"))["_row"].implode()
    yield Failures("Missing", missing.lazy().filter(~pl.col("_row").is_in(ok_rows)), ("MIS_START",))


@per_return
def periods_of_care(ctx: Context) -> pl.DataFrame:
    """One row per period of care in the return (episodes chained day to day): CHILD, POC_START, POC_END."""
    frame = ctx.lazy("Episodes").select("CHILD", "DECOM", "DEC").filter(pl.col("DECOM").is_not_null())
    frame = frame.sort("CHILD", "DECOM")
    previous_end = previous_in_group("DEC", "CHILD")
    frame = frame.with_columns(
        cumulative_sum_in_group(
            (previous_end.is_null() | (pl.col("DECOM") > previous_end)).cast(pl.Int32), "CHILD"
        ).alias("POC")
    )
    return collect(
        frame.group_by("CHILD", "POC").agg(
            pl.col("DECOM").min().alias("POC_START"), pl.col("DEC").last().alias("POC_END")
        )
    )


def _outside_every_period(ctx: Context, outside: pl.Expr) -> pl.DataFrame:
    """Missing rows for which `outside` holds against every period of care of the child."""
    missing = ctx.table("Missing").filter(filled("MIS_START"))
    pairs = missing.lazy().select("_row", "CHILD", "MIS_START", "MIS_END").join(periods_of_care(ctx).lazy(), on="CHILD")
    flagged = collect(pairs.group_by("_row").agg(outside.fill_null(False).all().alias("OUT")).filter(pl.col("OUT")))
    return missing.filter(pl.col("_row").is_in(flagged["_row"].implode()))


@rule(DATASET, "577")
def missing_beyond_care(ctx: Context) -> Iterable[Failures]:
    """A missing period does not fit in any period of care (open after care ended, or outside its dates)."""
    outside = (
        (pl.col("MIS_END").is_null() & pl.col("POC_END").is_not_null())
        | (pl.col("MIS_END").is_null() & (pl.col("MIS_START") < pl.col("POC_START")))
        | (pl.col("MIS_END") > pl.col("POC_END"))
        | (pl.col("MIS_END") < pl.col("POC_START"))
    )
    yield Failures("Missing", _outside_every_period(ctx, outside).lazy(), ("MIS_END",))


@rule(DATASET, "578")
def missing_after_care(ctx: Context) -> Iterable[Failures]:
    """A missing period started outside every period of care (before it began, or after it ended)."""
    outside = (pl.col("MIS_START") < pl.col("POC_START")) | (
        (pl.col("MIS_START") > pl.col("POC_END")) & pl.col("POC_END").is_not_null()
    )
    yield Failures("Missing", _outside_every_period(ctx, outside).lazy(), ("MIS_START",))


@rule(DATASET, "580", reads=("Missing",))
def missing_at_18_not_e8(ctx: Context) -> Iterable[Failures]:
    """A child missing on their 18th birthday, when care ended, must have REC E8."""
    missing = ctx.lazy("Missing").select("CHILD", "DOB", "MIS_END")
    pairs = (
        ctx.lazy("Episodes")
        .join(missing, on="CHILD")
        .filter(
            (pl.col("DOB").dt.offset_by("18y") == pl.col("MIS_END"))
            & (pl.col("MIS_END") == pl.col("DEC"))
            & pl.col("REC").ne_missing("E8")
        )
    )
    yield Failures("Episodes", pairs.unique("_row"), ("REC",))
