"""PrevPerm: previous permanence arrangements of children starting to be looked after."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.rules.ssda903.common import DATASET, code_rule, episodes
from csctools.validate.context import Context
from csctools.validate.registry import Failures, rule, table_rule

code_rule("631", "PrevPerm", "PREV_PERM")
code_rule("633", "PrevPerm", "LA_PERM")


@table_rule(DATASET, "635", "PrevPerm")
def details_without_option(ctx: Context) -> pl.Expr:
    return (pl.col("LA_PERM").is_not_null() | pl.col("DATE_PERM").is_not_null()) & pl.col("PREV_PERM").is_null()


@rule(DATASET, "630")
def previous_permanence_missing(ctx: Context) -> Iterable[Failures]:
    """A child who started to be looked after this year needs previous permanence information."""
    starts = ctx.lazy("Episodes").filter((pl.col("RNE") == "S") & (pl.col("DECOM") >= ctx.start))
    prev = ctx.table("PrevPerm")
    fields = prev.lazy().select("CHILD", "PREV_PERM", "LA_PERM", "DATE_PERM")
    merged = starts.join(fields, on="CHILD", how="left")
    known = pl.col("CHILD").is_in(prev["CHILD"].implode())
    incomplete = (pl.col("PREV_PERM") != "Z1") & (pl.col("LA_PERM").is_null() | pl.col("DATE_PERM").is_null())
    missing = merged.filter(~known | incomplete | (known & pl.col("PREV_PERM").is_null()))
    yield Failures("Episodes", missing, ("RNE",))


@rule(DATASET, "632")
def permanence_after_care(ctx: Context) -> Iterable[Failures]:
    """The previous permanence order is dated on or after the child's first episode, or is not a valid date."""
    first = episodes(ctx).lazy().filter(pl.col("EPISODE_NUMBER") == 1).select("CHILD", "DECOM")
    prev = ctx.lazy("PrevPerm").join(first, on="CHILD", how="left")
    late = prev.filter((pl.col("DATE_PERM") >= pl.col("DECOM")) | pl.col("DATE_PERM_raw").is_not_null())
    yield Failures("PrevPerm", late, ("DATE_PERM",))


@rule(DATASET, "634")
def permanence_for_older_periods(ctx: Context) -> Iterable[Failures]:
    """Previous permanence information given, but the child has not started to be looked after this year."""
    latest = ctx.lazy("Episodes").group_by("CHILD").agg(pl.col("DECOM").max().alias("LAST_DECOM"))
    prev = ctx.lazy("PrevPerm").join(latest, on="CHILD", how="left")
    filled = pl.any_horizontal([pl.col(f).is_not_null() for f in ("PREV_PERM", "DATE_PERM", "LA_PERM")])
    yield Failures("PrevPerm", prev.filter(filled & (pl.col("LAST_DECOM") < ctx.start)))
