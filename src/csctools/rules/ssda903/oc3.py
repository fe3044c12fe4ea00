"""OC3: care leavers around their 17th to 21st birthdays."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.rules.ssda903.common import DATASET, code_rule, header_dob
from csctools.validate.context import Context
from csctools.validate.registry import Failures, rule, table_rule

code_rule("131", "OC3", "IN_TOUCH", required=True)
code_rule("132", "OC3", "ACTIV", required=True)
code_rule("133", "OC3", "ACCOM", required=True)
LEAVER = ("IN_TOUCH", "ACTIV", "ACCOM")
ADOPTION = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")


@table_rule(DATASET, "153", "OC3")
def all_or_nothing(ctx: Context) -> pl.Expr:
    filled = [pl.col(f).is_not_null() for f in LEAVER]
    return ~pl.all_horizontal(filled) & pl.any_horizontal(filled)


@table_rule(DATASET, "344", "OC3")
def died_or_home_with_activity(ctx: Context) -> pl.Expr:
    return pl.col("IN_TOUCH").is_in(["DIED", "RHOM"]) & ((pl.col("ACTIV") != "0") | (pl.col("ACCOM") != "0"))


@table_rule(DATASET, "345", "OC3")
def in_touch_without_activity(ctx: Context) -> pl.Expr:
    return (pl.col("IN_TOUCH") == "YES") & ((pl.col("ACTIV") == "0") | (pl.col("ACCOM") == "0"))


@table_rule(DATASET, "391", "OC3")
def too_young_for_oc3(ctx: Context) -> pl.Expr:
    return (pl.col("DOB").dt.offset_by("17y") > ctx.end) & pl.any_horizontal([pl.col(f).is_not_null() for f in LEAVER])


@rule(DATASET, "3001")
def foster_accommodation_at_17(ctx: Context) -> Iterable[Failures]:
    """Care leavers turning 17 this year cannot be recorded as living with former foster carers (Z1, Z2)."""
    oc3 = ctx.table("OC3").join(header_dob(ctx), on="CHILD", how="left")
    turns_17 = pl.col("HEADER_DOB").dt.offset_by("17y").is_between(ctx.start, ctx.end)
    yield Failures("OC3", oc3.filter(pl.col("ACCOM").is_in(["Z1", "Z2"]) & turns_17))


@rule(DATASET, "134")
def adoption_and_leaver(ctx: Context) -> Iterable[Failures]:
    """A child cannot have both adoption (AD1) and care leaver (OC3) data."""
    oc3 = ctx.table("OC3").filter(pl.any_horizontal([pl.col(f).is_not_null() for f in LEAVER]))
    ad1 = ctx.table("AD1").filter(pl.any_horizontal([pl.col(f).is_not_null() for f in ADOPTION]))
    yield Failures("AD1", ad1.filter(pl.col("CHILD").is_in(oc3["CHILD"].implode())))
