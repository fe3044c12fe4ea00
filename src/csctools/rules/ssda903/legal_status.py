"""Legal statuses: how long emergency and short-term statuses may last, and what respite care may record."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.datasets.ssda903.schema import RESPITE_LEGAL_STATUSES
from csctools.rules.ssda903.common import DATASET, blank, episodes, filled
from csctools.validate.blanks import one_of
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import Failures, frame_rule, rule, table_rule
from csctools.validate.windows import cumulative_sum_in_group, previous_in_group

RESPITE = RESPITE_LEGAL_STATUSES


SHORT_STATUSES = ("L1", "L2", "L3", "J2")


@per_return
def _runs(ctx: Context) -> pl.DataFrame:
    """Episodes of the short legal statuses, grouped into unbroken runs of one status (each starting when the
    previous one ended); open episodes end at 31 March. RUN_DAYS is a run's length, RUN_SUM the sum of its
    episodes' lengths."""
    key = ["LS", "CHILD"]
    frame = ctx.lazy("Episodes").filter(one_of("LS", SHORT_STATUSES) & pl.col("DECOM").is_not_null())
    frame = frame.with_columns(pl.coalesce("DEC", pl.lit(ctx.end)).alias("END")).sort(*key, "DECOM")
    previous_end = previous_in_group("END", key)
    new_run = previous_end.is_null() | (pl.col("DECOM") != previous_end)
    frame = frame.with_columns(cumulative_sum_in_group(new_run.cast(pl.Int32), key).alias("RUN"))
    days = (pl.col("END") - pl.col("DECOM")).dt.total_days()
    runs = frame.group_by(*key, "RUN").agg(
        (pl.col("END").max() - pl.col("DECOM").min()).dt.total_days().alias("RUN_DAYS"), days.sum().alias("RUN_SUM")
    )
    return collect(frame.join(runs, on=[*key, "RUN"], how="left", nulls_equal=True))


def _longest(code: str, status: str, limit: int, measure: str, doc: str) -> None:
    def longer(ctx: Context) -> pl.Expr:
        return (pl.col("LS") == status) & (pl.col(measure) > limit)

    longer.__doc__ = doc
    frame_rule(DATASET, code, "Episodes", _runs, fields=("LS", "DECOM", "DEC"))(longer)


_longest("361", "L1", 3, "RUN_DAYS", "Police protection (L1) lasted more than 72 hours.")
_longest("362", "L2", 21, "RUN_DAYS", "An emergency protection order (L2) lasted more than 21 days.")
_longest("363", "L3", 7, "RUN_SUM", "A child assessment order (L3) lasted more than 7 days.")
_longest("364", "J2", 21, "RUN_SUM", "Detention under PACE (J2) lasted more than 21 days.")


@table_rule(DATASET, "365", "Episodes")
def respite_over_17_days(ctx: Context) -> pl.Expr:
    return pl.col("LS").eq_missing("V3") & (pl.col("DEC") > pl.col("DECOM").dt.offset_by("17d"))


@table_rule(DATASET, "366", "Episodes")
def respite_placement_change(ctx: Context) -> pl.Expr:
    return pl.col("LS").eq_missing("V3") & pl.col("RNE").ne_missing("S")


@table_rule(DATASET, "398", "Episodes")
def respite_with_postcodes(ctx: Context) -> pl.Expr:
    return one_of("LS", RESPITE) & (pl.col("HOME_POST").is_not_null() | pl.col("PL_POST").is_not_null())


@rule(DATASET, "367")
def respite_over_75_days(ctx: Context) -> Iterable[Failures]:
    """Short-term breaks (V3) in the year add up to more than 75 days."""
    frame = ctx.lazy("Episodes").filter(pl.col("LS").eq_missing("V3") & pl.col("DECOM").is_not_null())
    end = pl.when(blank("DEC") | (pl.col("DEC") > ctx.end)).then(pl.lit(ctx.end)).otherwise(pl.col("DEC"))
    start = pl.when(pl.col("DECOM") < ctx.start).then(pl.lit(ctx.start)).otherwise(pl.col("DECOM"))
    frame = frame.with_columns((end - start).dt.total_days().alias("DAYS")).filter(pl.col("DAYS") > 0)
    long = frame.filter(pl.col("DAYS").sum().over("CHILD") > 75).drop("DAYS")
    yield Failures("Episodes", long, ("LS", "DECOM", "DEC"))


@table_rule(DATASET, "426", "Episodes", fields=("LS",))
def both_respite_statuses(ctx: Context) -> pl.Expr:
    """A child has both V3 and V4 episodes in the year."""
    both = (
        ctx.table("Episodes")
        .group_by("CHILD")
        .agg(pl.col("LS").eq_missing("V3").any().alias("V3"), pl.col("LS").eq_missing("V4").any().alias("V4"))
    )
    children = both.filter(pl.col("V3") & pl.col("V4"))["CHILD"].implode()
    return pl.col("CHILD").is_in(children) & one_of("LS", RESPITE)


@rule(DATASET, "399")
def respite_with_other_data(ctx: Context) -> Iterable[Failures]:
    """A child looked after only under V3/V4 has a mother field, or reviews."""
    frame = ctx.table("Episodes")
    only = frame.group_by("CHILD").agg(one_of("LS", RESPITE).all().alias("ONLY"))
    children = only.filter(pl.col("ONLY"))["CHILD"].implode()
    header = ctx.table("Header").filter(pl.col("CHILD").is_in(children) & pl.col("MOTHER").is_not_null())
    reviews = ctx.table("Reviews").filter(
        pl.col("CHILD").is_in(children) & (filled("REVIEW") | pl.col("REVIEW_CODE").is_not_null())
    )
    flagged = pl.concat([header["CHILD"], reviews["CHILD"]]).implode()
    yield Failures("Episodes", frame.lazy().filter(pl.col("CHILD").is_in(flagged)), ("LS",))
    yield Failures("Header", header.lazy(), ("MOTHER",))
    yield Failures("Reviews", reviews.lazy(), ("REVIEW", "REVIEW_CODE"))


@frame_rule(DATASET, "460", "Episodes", episodes, ("REC", "DEC"))
def staying_put_under_18(ctx: Context) -> pl.Expr:
    """Care ended with the young person staying with their carers at 18 (E17), but before their 18th birthday."""
    return pl.col("REC").eq_missing("E17") & (pl.col("HEADER_DOB").dt.offset_by("18y") > pl.col("DEC"))
