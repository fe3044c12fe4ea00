"""Placements: minimum ages, temporary placements, respite, placements with parents, care past 18."""

from __future__ import annotations

import polars as pl

from csctools.datasets.ssda903.schema import (
    INDEPENDENT_LIVING,
    LONG_TERM_FOSTERING,
    RESPITE_LEGAL_STATUSES,
    SEMI_INDEPENDENT_LIVING,
    SUPPORTED_ACCOMMODATION,
)
from csctools.rules.ssda903.common import DATASET, TEMPORARY, blank, episodes, filled
from csctools.validate.blanks import one_of
from csctools.validate.context import Context
from csctools.validate.registry import frame_rule, table_rule


def _minimum_age(code: str, versions: dict[int, tuple[str, int]]) -> None:
    """An episode in this placement type began before the child reached the minimum age (closed episodes).
    `versions` gives the placement type and age from a collection year (by end year) on."""

    def condition(ctx: Context) -> pl.Expr:
        place, years = versions[max(first for first in versions if first <= ctx.year.end)]
        return (
            (pl.col("PLACE") == place)
            & filled("DEC")
            & (pl.col("DECOM") < pl.col("HEADER_DOB").dt.offset_by(f"{years}y"))
        )

    latest_place, latest_age = versions[max(versions)]
    condition.__doc__ = f"A {latest_place} placement began before the child was {latest_age}."
    frame_rule(DATASET, code, "Episodes", episodes, ("DECOM", "PLACE"))(condition)


def _maximum_days(code: str, place: str, days: int) -> None:
    def condition(ctx: Context) -> pl.Expr:
        return (
            (pl.col("PLACE") == place)
            & pl.col("HEADER_DOB").is_not_null()
            & (pl.col("DEC") > pl.col("DECOM").dt.offset_by(f"{days}d"))
        )

    condition.__doc__ = f"A {place} placement lasted more than {days} days."
    frame_rule(DATASET, code, "Episodes", episodes, ("DECOM", "DEC"))(condition)


# 370 and 371 changed over the years (the reference validator's versions of each year): independent living (P2)
# from 15 in 2022/23 and 16 in 2023/24; semi-independent living (H5) from 14, then 16 in 2023/24, then supported
# accommodation (K3) from 2024/25.
_minimum_age("370", {2023: (INDEPENDENT_LIVING, 15), 2024: (INDEPENDENT_LIVING, 16)})
_minimum_age(
    "371",
    {2023: (SEMI_INDEPENDENT_LIVING, 14), 2024: (SEMI_INDEPENDENT_LIVING, 16), 2025: (SUPPORTED_ACCOMMODATION, 16)},
)
_minimum_age("372", {2023: ("R5", 10)})
_minimum_age("373", {2023: ("S1", 4)})
_minimum_age("374", {2023: ("P3", 14)})
_maximum_days("375", "T1", 42)
_maximum_days("376", "T3", 21)
_maximum_days("379", "T4", 7)


@table_rule(DATASET, "377", "Episodes")
def holiday_placements(ctx: Context) -> pl.Expr:
    holidays = ctx.table("Episodes").filter(pl.col("PLACE").eq_missing("T3"))["CHILD"].value_counts()
    frequent = holidays.filter(pl.col("count") > 2)["CHILD"].implode()
    return pl.col("PLACE").eq_missing("T3") & pl.col("CHILD").is_in(frequent, nulls_equal=True)


@table_rule(DATASET, "378", "Episodes")
def parents_under_section_20(ctx: Context) -> pl.Expr:
    return pl.col("PLACE").eq_missing("P1") & pl.col("LS").eq_missing("V2")


@table_rule(DATASET, "382", "Episodes")
def respite_temporary(ctx: Context) -> pl.Expr:
    return one_of("LS", RESPITE_LEGAL_STATUSES) & one_of("PLACE", TEMPORARY)


@table_rule(DATASET, "384", "Episodes")
def respite_long_term_foster(ctx: Context) -> pl.Expr:
    return one_of("LS", RESPITE_LEGAL_STATUSES) & one_of("PLACE", LONG_TERM_FOSTERING)


@frame_rule(DATASET, "383", "Episodes", episodes, ("PLACE", "RNE", "PL_POST"))
def back_from_temporary(ctx: Context) -> pl.Expr:
    """After a temporary placement the child returns to the placement before it (RNE P, same type, and from 2025/26
    the same postcode)."""
    same_child = pl.col("CHILD").shift(2) == pl.col("CHILD")  # episodes are sorted by child and start
    before_place = pl.when(same_child).then(pl.col("PLACE").shift(2))
    before_post = pl.when(same_child).then(pl.col("PL_POST").shift(2))
    after_temporary = one_of("PREV_PLACE", TEMPORARY) & before_place.is_not_null()
    differs = pl.col("RNE").ne_missing("P") | pl.col("PLACE").ne_missing(before_place)
    if ctx.year.end >= 2026:  # 2025/26 on: the same placement postcode too
        differs = differs | pl.col("PL_POST").ne_missing(before_post)
    return after_temporary & differs


@frame_rule(DATASET, "359", "Episodes", episodes, ("DEC", "LS", "PLACE"))
def looked_after_past_18(ctx: Context) -> pl.Expr:
    """A young person still looked after past their 18th birthday must be accommodated under s20 (V2) in K2."""
    over_18 = pl.col("HEADER_DOB").dt.offset_by("18y") < ctx.end
    return over_18 & blank("DEC") & ~(pl.col("LS").eq_missing("V2") & pl.col("PLACE").eq_missing("K2"))
