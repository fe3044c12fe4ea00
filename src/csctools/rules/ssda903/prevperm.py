"""PrevPerm: previous permanence arrangements of children starting to be looked after."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.rules.ssda903.common import DATASET, blank, code_rule, episodes, filled
from csctools.validate.context import Context
from csctools.validate.registry import Failures, rule, table_rule

code_rule("631", "PrevPerm", "PREV_PERM")
code_rule("633", "PrevPerm", "LA_PERM")


@table_rule(DATASET, "635", "PrevPerm")
def details_without_option(ctx: Context) -> pl.Expr:
    return (pl.col("LA_PERM").is_not_null() | filled("DATE_PERM")) & pl.col("PREV_PERM").is_null()


@rule(DATASET, "630")
def previous_permanence_missing(ctx: Context) -> Iterable[Failures]:
    """A child who started to be looked after this year needs previous permanence information."""
    starts = ctx.lazy("Episodes").filter(pl.col("RNE").eq_missing("S") & (pl.col("DECOM") >= ctx.start))
    prev = ctx.table("PrevPerm")
    fields = prev.lazy().select("CHILD", "PREV_PERM", "LA_PERM", "DATE_PERM", "DATE_PERM_raw")
    merged = starts.join(fields, on="CHILD", how="left")
    known = pl.col("CHILD").is_in(prev["CHILD"].implode())
    incomplete = pl.col("PREV_PERM").ne_missing("Z1") & (pl.col("LA_PERM").is_null() | blank("DATE_PERM"))
    missing = merged.filter(~known | incomplete | (known & pl.col("PREV_PERM").is_null()))
    yield Failures("Episodes", missing, ("RNE",))


def latest_permanence_date() -> pl.Expr:
    """DATE_PERM as the latest day it can mean: `ZZ` stands for an unknown day or month (ZZ/05/2015 is taken as
    31/05/2015, ZZ/ZZ/2015 as 31/12/2015), so that an unknown part never makes the order look too late."""
    parts = pl.col("DATE_PERM_raw").str.extract_groups(r"^\s*(\d{2}|ZZ)/(\d{2}|ZZ)/(\d{4})\s*$")
    day, month, year = (parts.struct.field(name) for name in ("1", "2", "3"))
    month_text = pl.when(month == "ZZ").then(pl.lit("12")).otherwise(month)

    def as_date(day_text: pl.Expr) -> pl.Expr:
        text = pl.concat_str([day_text, pl.lit("/"), month_text, pl.lit("/"), year])
        return text.str.strptime(pl.Date, "%d/%m/%Y", strict=False)

    latest = pl.when(day == "ZZ").then(as_date(pl.lit("01")).dt.month_end()).otherwise(as_date(day))
    with_zz = pl.when(month.eq_missing("ZZ") | day.eq_missing("ZZ")).then(latest)
    return pl.coalesce(pl.col("DATE_PERM"), with_zz).alias("DATE_PERM_LATEST")


@rule(DATASET, "632")
def permanence_after_care(ctx: Context) -> Iterable[Failures]:
    """The previous permanence order is dated on or after the child's first episode, or is not a valid date."""
    first = episodes(ctx).lazy().filter(pl.col("EPISODE_NUMBER") == 1).select("CHILD", "DECOM")
    prev = ctx.lazy("PrevPerm").join(first, on="CHILD", how="left").with_columns(latest_permanence_date())
    invalid = pl.col("DATE_PERM_raw").is_not_null() & pl.col("DATE_PERM_LATEST").is_null()
    late = prev.filter((pl.col("DATE_PERM_LATEST") >= pl.col("DECOM")) | invalid).drop("DATE_PERM_LATEST")
    yield Failures("PrevPerm", late, ("DATE_PERM",))


@rule(DATASET, "634")
def permanence_for_older_periods(ctx: Context) -> Iterable[Failures]:
    """Previous permanence information given, but the child has not started to be looked after this year."""
    latest = ctx.lazy("Episodes").group_by("CHILD").agg(pl.col("DECOM").max().alias("LAST_DECOM"))
    prev = ctx.lazy("PrevPerm").join(latest, on="CHILD", how="left")
    filled = pl.any_horizontal([pl.col(f).is_not_null() for f in ("PREV_PERM", "DATE_PERM", "LA_PERM")])
    yield Failures("PrevPerm", prev.filter(filled & (pl.col("LAST_DECOM") < ctx.start)))
