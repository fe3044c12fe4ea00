"""OC2: outcomes for children looked after continuously for 12 months (SDQ, convictions, health, substances)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl

from csctools.datasets.ssda903.schema import OC2_FLAG_FIELDS, OC2_HEALTH_FIELDS
from csctools.rules.ssda903.common import (
    DATASET,
    blank,
    code_rule,
    episodes,
    filled,
    looked_after_12_months,
    with_cla12,
)
from csctools.validate.context import Context
from csctools.validate.registry import Condition, Failures, frame_rule, rule, table_rule

HEALTH = OC2_HEALTH_FIELDS
ALL_FLAGS = OC2_FLAG_FIELDS

code_rule("196", "OC2", "SDQ_REASON")


def _oc2_with_cla12(ctx: Context) -> pl.DataFrame:
    return with_cla12(ctx, "OC2")


def oc2_rule(code: str, fields: tuple[str, ...] | None = None) -> Callable[[Condition], Condition]:
    """A rule over OC2 rows with a CLA12 column (looked after continuously for 12 months, from the Episodes)."""
    return frame_rule(DATASET, code, "OC2", _oc2_with_cla12, fields, source=("cla12", "OC2"), reads=("Episodes",))


def all_blank(*fields: str) -> pl.Expr:
    return pl.all_horizontal([blank(f) for f in fields])


def any_filled(*fields: str) -> pl.Expr:
    return pl.any_horizontal([filled(f) for f in fields])


def birthday(years: int) -> pl.Expr:
    return pl.col("DOB").dt.offset_by(f"{years}y")


@table_rule(DATASET, "180", "OC2")
def sdq_score(ctx: Context) -> pl.Expr:
    return pl.col("SDQ_SCORE_raw").is_not_null() | ~pl.col("SDQ_SCORE").is_between(0, 40)


@table_rule(DATASET, "181", "OC2")
def zero_or_one(ctx: Context) -> pl.Expr:
    return pl.any_horizontal([pl.col(f).is_not_null() & ~pl.col(f).is_in(["0", "1"]) for f in ALL_FLAGS])


@table_rule(DATASET, "182", "OC2")
def health_or_nothing(ctx: Context) -> pl.Expr:
    return ~pl.all_horizontal([filled(f) for f in HEALTH]) & any_filled(
        "CONVICTED", "HEALTH_CHECK", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"
    )


@table_rule(DATASET, "158", "OC2")
def offered_after_received(ctx: Context) -> pl.Expr:
    return pl.col("INTERVENTION_RECEIVED").eq_missing("1") & pl.col("INTERVENTION_OFFERED").is_not_null()


@table_rule(DATASET, "159", "OC2")
def offered_missing(ctx: Context) -> pl.Expr:
    return (
        pl.col("SUBSTANCE_MISUSE").eq_missing("1")
        & pl.col("INTERVENTION_RECEIVED").eq_missing("0")
        & pl.col("INTERVENTION_OFFERED").is_null()
    )


@table_rule(DATASET, "192", "OC2")
def received_missing(ctx: Context) -> pl.Expr:
    return pl.col("SUBSTANCE_MISUSE").eq_missing("1") & pl.col("INTERVENTION_RECEIVED").is_null()


@table_rule(DATASET, "193", "OC2")
def intervention_without_misuse(ctx: Context) -> pl.Expr:
    no_misuse = pl.col("SUBSTANCE_MISUSE").is_null() | pl.col("SUBSTANCE_MISUSE").eq_missing("0")
    return no_misuse & any_filled("INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")


@table_rule(DATASET, "197a", "OC2")
def score_and_reason(ctx: Context) -> pl.Expr:
    return filled("SDQ_SCORE") & pl.col("SDQ_REASON").is_not_null()


@table_rule(DATASET, "188", "OC2")
def sdq_under_4(ctx: Context) -> pl.Expr:
    return (birthday(4) > ctx.end) & any_filled("SDQ_SCORE", "SDQ_REASON")


@table_rule(DATASET, "189", "OC2")
def sdq_over_17(ctx: Context) -> pl.Expr:
    return (birthday(17) < ctx.start) & any_filled("SDQ_SCORE", "SDQ_REASON")


@table_rule(DATASET, "544", "OC2")
def convicted_needs_health(ctx: Context) -> pl.Expr:
    return pl.col("CONVICTED").eq_missing("1") & ~pl.all_horizontal([filled(f) for f in HEALTH])


@table_rule(DATASET, "547", "OC2")
def health_check_needs_health(ctx: Context) -> pl.Expr:
    return pl.col("HEALTH_CHECK").eq_missing("1") & ~pl.all_horizontal([filled(f) for f in HEALTH])


@table_rule(DATASET, "542", "OC2", reads=("OC2",))
def convicted_under_10(ctx: Context) -> pl.Expr:
    return (birthday(10) > ctx.end) & pl.col("CONVICTED").is_not_null()


@oc2_rule("157", ("SDQ_REASON",))
def sdq1_in_age_range(ctx: Context) -> pl.Expr:
    return (
        pl.col("CLA12")
        & (birthday(4) <= ctx.start)
        & (birthday(16) >= ctx.end)
        & blank("SDQ_SCORE")
        & pl.col("SDQ_REASON").eq_missing("SDQ1")
    )


@oc2_rule("185", ("SDQ_SCORE",))
def score_not_cla12(ctx: Context) -> pl.Expr:
    return filled("SDQ_SCORE") & ~pl.col("CLA12")


@oc2_rule("186", ("SDQ_SCORE", "SDQ_REASON"))
def sdq_missing(ctx: Context) -> pl.Expr:
    return (
        pl.col("CLA12") & (birthday(4) <= ctx.start) & (birthday(17) > ctx.end) & all_blank("SDQ_SCORE", "SDQ_REASON")
    )


@oc2_rule("190")
def outcomes_not_cla12(ctx: Context) -> pl.Expr:
    return ~pl.col("CLA12") & any_filled(*ALL_FLAGS)


@oc2_rule("197B", ("SDQ_SCORE", "SDQ_REASON"))
def sdq_at_4_or_17(ctx: Context) -> pl.Expr:
    turns = birthday(4).is_between(ctx.start, ctx.end) | birthday(17).is_between(ctx.start, ctx.end)
    return turns & pl.col("CLA12") & all_blank("SDQ_SCORE", "SDQ_REASON")


@oc2_rule("198", ("SDQ_REASON",))
def reason_not_cla12(ctx: Context) -> pl.Expr:
    return pl.col("SDQ_REASON").is_not_null() & ~pl.col("CLA12")


@oc2_rule("543", ("CONVICTED",))
def conviction_missing(ctx: Context) -> pl.Expr:
    return (birthday(10) < ctx.end) & pl.col("CLA12") & pl.col("CONVICTED").is_null()


@oc2_rule("545", ("HEALTH_CHECK",))
def health_check_missing(ctx: Context) -> pl.Expr:
    return (birthday(5) > ctx.end) & pl.col("CLA12") & pl.col("HEALTH_CHECK").is_null()


@oc2_rule("546", ("HEALTH_CHECK",))
def health_check_over_5(ctx: Context) -> pl.Expr:
    return (birthday(5) <= ctx.end) & pl.col("CLA12") & pl.col("HEALTH_CHECK").is_not_null()


@rule(DATASET, "191")
def health_missing_for_cla12(ctx: Context) -> Iterable[Failures]:
    """CLA12 children need OC2 health fields: blank fields, or no OC2 row at all (flagged on the first episode)."""
    oc2 = with_cla12(ctx, "OC2")
    yield Failures("OC2", oc2.filter(pl.col("CLA12") & ~pl.all_horizontal([filled(f) for f in HEALTH])).lazy())
    cla = looked_after_12_months(ctx)
    first = episodes(ctx).filter(pl.col("EPISODE_NUMBER") == 1)
    missing = first.filter(pl.col("CHILD").is_in(cla.implode()) & ~pl.col("CHILD").is_in(oc2["CHILD"].implode()))
    yield Failures("Episodes", missing.lazy(), ("CHILD",))
