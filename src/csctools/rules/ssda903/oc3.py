"""OC3: care leavers around their 17th to 21st birthdays."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.datasets.ssda903.schema import AD1_FIELDS, ADOPTED_REASONS, CARE_LEAVER_FIELDS, RESPITE_LEGAL_STATUSES
from csctools.rules.ssda903.common import DATASET, blank, code_rule, filled, header_dob
from csctools.validate.blanks import none_of, one_of
from csctools.validate.catalogue import QUERY
from csctools.validate.context import Context, collect
from csctools.validate.registry import Failures, rule, table_rule

code_rule("131", "OC3", "IN_TOUCH", required=True)
code_rule("132", "OC3", "ACTIV", required=True)
code_rule("133", "OC3", "ACCOM", required=True)
LEAVER = CARE_LEAVER_FIELDS
ADOPTION = AD1_FIELDS


@table_rule(DATASET, "153", "OC3")
def all_or_nothing(ctx: Context) -> pl.Expr:
    filled = [pl.col(f).is_not_null() for f in LEAVER]
    return ~pl.all_horizontal(filled) & pl.any_horizontal(filled)


@table_rule(DATASET, "344", "OC3")
def died_or_home_with_activity(ctx: Context) -> pl.Expr:
    completed = [filled(f) & pl.col(f).ne_missing("0") for f in ("ACTIV", "ACCOM")]  # blank is not completed
    return one_of("IN_TOUCH", ["DIED", "RHOM"]) & pl.any_horizontal(completed)


@table_rule(DATASET, "345", "OC3")
def in_touch_without_activity(ctx: Context) -> pl.Expr:
    return pl.col("IN_TOUCH").eq_missing("YES") & (pl.col("ACTIV").eq_missing("0") | pl.col("ACCOM").eq_missing("0"))


@table_rule(DATASET, "391", "OC3")
def too_young_for_oc3(ctx: Context) -> pl.Expr:
    return (pl.col("DOB").dt.offset_by("17y") > ctx.end) & pl.any_horizontal([pl.col(f).is_not_null() for f in LEAVER])


@rule(DATASET, "3001")
def foster_accommodation_at_17(ctx: Context) -> Iterable[Failures]:
    """Care leavers turning 17 this year cannot be recorded as living with former foster carers (Z1, Z2)."""
    oc3 = ctx.lazy("OC3").join(header_dob(ctx).lazy(), on="CHILD", how="left")
    turns_17 = pl.col("HEADER_DOB").dt.offset_by("17y").is_between(ctx.start, ctx.end)
    yield Failures("OC3", oc3.filter(one_of("ACCOM", ["Z1", "Z2"]) & turns_17))


@table_rule(DATASET, "134", "AD1")
def adoption_and_leaver(ctx: Context) -> pl.Expr:
    """A child cannot have both adoption (AD1) and care leaver (OC3) data."""
    oc3 = ctx.table("OC3").filter(pl.any_horizontal([pl.col(f).is_not_null() for f in LEAVER]))
    adoption = pl.any_horizontal([pl.col(f).is_not_null() for f in ADOPTION])
    return adoption & pl.col("CHILD").is_in(oc3["CHILD"].implode())


@table_rule(DATASET, "1002", "OC3", fields=("CHILD",), severity=QUERY)
def leaver_without_episodes(ctx: Context) -> pl.Expr:
    """A care leaver with no episodes this year or last (a query: earlier care is not in the files)."""
    known = pl.concat([ctx.table("Episodes")["CHILD"], ctx.last_year("Episodes")["CHILD"]]).implode()
    return ~pl.col("CHILD").is_in(known)


@rule(DATASET, "1001", severity=QUERY)
def not_a_relevant_child(ctx: Context) -> Iterable[Failures]:
    """Care leaver information for a young person whose episodes (this year and last) do not make them a relevant
    or former relevant child: 13 weeks in care after their 14th birthday, some after their 16th; or who was
    adopted. A query: earlier care is not in the files."""
    leavers = ctx.table("OC3")["CHILD"].implode()  # only their episodes matter
    both = pl.concat([ctx.lazy("Episodes"), ctx.last_year_lazy("Episodes")], how="diagonal_relaxed")
    episodes = both.filter(pl.col("DECOM").is_not_null() & pl.col("CHILD").is_in(leavers))
    episodes = episodes.unique(["CHILD", "DECOM"], keep="first")
    latest = episodes.filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD"))
    adopted = latest.filter(one_of("REC", ADOPTED_REASONS)).select("CHILD").unique()
    ends = (
        pl.when(blank("DEC") & (pl.col("DECOM") == pl.col("DECOM").max().over("CHILD")))
        .then(pl.lit(ctx.end))
        .otherwise(pl.col("DEC"))
    )
    dob = ctx.lazy("Header").filter(pl.col("DOB").dt.offset_by("20y") > ctx.end).select("CHILD", "DOB").unique("CHILD")
    spans = episodes.filter(none_of("LS", RESPITE_LEGAL_STATUSES)).with_columns(ends.alias("END")).join(dob, on="CHILD")

    def days_after(years: int) -> pl.Expr:
        since = pl.max_horizontal(pl.col("DECOM"), pl.col("DOB").dt.offset_by(f"{years}y"))
        return (pl.col("END") - since).dt.total_days().clip(lower_bound=0).sum()

    totals = spans.group_by("CHILD").agg(days_after(14).alias("AFTER_14"), days_after(16).alias("AFTER_16"))
    flagged = adopted.with_columns(pl.lit(True).alias("ADOPTED"))
    oc3 = ctx.lazy("OC3").join(totals, on="CHILD", how="left").join(flagged, on="CHILD", how="left")
    relevant = (pl.col("AFTER_14") >= 91) & (pl.col("AFTER_16") >= 1)
    bad = pl.col("ADOPTED").fill_null(False) | ~relevant.fill_null(False)
    yield Failures("OC3", oc3.filter(bad).drop("AFTER_14", "AFTER_16", "ADOPTED"), ("CHILD",))


@rule(DATASET, "1016")
def leaver_left_after_birthday(ctx: Context) -> Iterable[Failures]:
    """Care leaver data for a 17-year-old whose care ended on or after their 17th birthday (or an 18-year-old
    after their 18th)."""
    oc3 = ctx.table("OC3").filter(pl.any_horizontal([pl.col(f).is_not_null() for f in LEAVER]))
    pairs = oc3.lazy().select("_row", "CHILD", "DOB").join(ctx.lazy("Episodes").select("CHILD", "DEC"), on="CHILD")
    aged_17 = (pl.col("DOB").dt.offset_by("17y") <= ctx.end) & (pl.col("DOB").dt.offset_by("18y") > ctx.end)
    aged_18 = (pl.col("DOB").dt.offset_by("18y") <= ctx.end) & (pl.col("DOB").dt.offset_by("19y") > ctx.end)
    bad = (aged_17 & (pl.col("DEC") >= pl.col("DOB").dt.offset_by("17y"))) | (
        aged_18 & (pl.col("DEC") >= pl.col("DOB").dt.offset_by("18y"))
    )
    late = collect(pairs.filter(bad).select("_row"))["_row"]
    yield Failures("OC3", oc3.filter(pl.col("_row").is_in(late.implode())).lazy())
