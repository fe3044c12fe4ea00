"""Motherhood: whether a girl looked after is a mother, and when that is recorded."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.rules.ssda903.common import DATASET
from csctools.validate.context import Context
from csctools.validate.registry import Failures, rule

FEMALE = ("F", "2")


@rule(DATASET, "393")
def mother_not_completed(ctx: Context) -> Iterable[Failures]:
    """A girl looked after (not only on respite) has no MOTHER value."""
    in_care = ctx.table("Episodes").filter(~pl.col("LS").is_in(["V3", "V4"]))["CHILD"].implode()
    header = ctx.table("Header")
    yield Failures(
        "Header",
        header.filter(pl.col("SEX").is_in(FEMALE) & pl.col("CHILD").is_in(in_care) & pl.col("MOTHER").is_null()),
        ("MOTHER",),
    )


@rule(DATASET, "607")
def mother_missing_on_leaving(ctx: Context) -> Iterable[Failures]:
    """A girl who ceased to be looked after in the year has no MOTHER value."""
    left = (
        ctx.table("Episodes")
        .filter(
            pl.col("DEC").is_between(ctx.start, ctx.end)
            & pl.col("REC").is_not_null()
            & (pl.col("REC") != "X1")
            & ~pl.col("LS").is_in(["V3", "V4"])
        )["CHILD"]
        .implode()
    )
    header = ctx.table("Header")
    yield Failures(
        "Header",
        header.filter(pl.col("SEX").is_in(FEMALE) & pl.col("CHILD").is_in(left) & pl.col("MOTHER").is_null()),
        ("MOTHER",),
    )


@rule(DATASET, "628")
def mother_for_care_leaver(ctx: Context) -> Iterable[Failures]:
    """Motherhood is recorded for a care leaver who was not looked after during the year."""
    episodes = ctx.table("Episodes")["CHILD"].implode()
    leavers = ctx.table("OC3").filter(
        pl.any_horizontal([pl.col(f).is_not_null() for f in ("IN_TOUCH", "ACTIV", "ACCOM")])
    )
    header = ctx.table("Header")
    yield Failures(
        "Header",
        header.filter(
            ~pl.col("CHILD").is_in(episodes)
            & pl.col("CHILD").is_in(leavers["CHILD"].implode())
            & pl.col("MOTHER").is_not_null()
        ),
        ("MOTHER",),
    )


MALE = ("M", "1")


@rule(DATASET, "165", needs=())
def mother_status(ctx: Context) -> Iterable[Failures]:
    """MOTHER is not 0 or 1; is given for a boy; is blank for a girl looked after in the year; or is given for a
    girl who was not looked after in the year but has care leaver data. (The reference compares sex with the
    2022/23 codes 1 and 2 only.)"""
    header = ctx.table("Header")
    episodes = ctx.table("Episodes").filter(~pl.col("LS").is_in(["V3", "V4"]))
    ends = pl.coalesce("DEC", pl.lit(ctx.end))
    in_year = episodes.filter((ends >= ctx.start) & (pl.col("DECOM") <= ctx.end))["CHILD"].implode()
    leavers = (
        ctx.table("OC3")
        .filter(pl.any_horizontal([pl.col(f).is_not_null() for f in ("IN_TOUCH", "ACTIV", "ACCOM")]))["CHILD"]
        .implode()
    )
    with_episodes = episodes["CHILD"].implode()
    has_mother = pl.col("MOTHER").is_not_null()
    female = pl.col("SEX").is_in(FEMALE)
    bad = (
        (has_mother & ~pl.col("MOTHER").is_in(["0", "1"]))
        | (has_mother & pl.col("SEX").is_in(MALE))
        | (~has_mother & female & pl.col("CHILD").is_in(in_year))
        | (
            has_mother
            & female
            & pl.col("CHILD").is_in(with_episodes)
            & ~pl.col("CHILD").is_in(in_year)
            & pl.col("CHILD").is_in(leavers)
        )
    )
    yield Failures("Header", header.filter(bad), ("MOTHER",))


@rule(DATASET, "624")
def child_dob_changed(ctx: Context) -> Iterable[Failures]:
    """The date of birth of the mother's first child differs from last year's (both recorded)."""
    last = ctx.last_year("Header").select("CHILD", pl.col("MC_DOB").alias("LAST")).unique("CHILD")
    frame = ctx.table("Header").join(last, on="CHILD")
    yield Failures(
        "Header", frame.filter(pl.col("LAST").is_not_null() & (pl.col("MC_DOB") != pl.col("LAST"))), ("MC_DOB",)
    )


@rule(DATASET, "625", needs=())
def child_born_after_care(ctx: Context) -> Iterable[Failures]:
    """The first child's date of birth is after the year, or after the mother's latest episode ended."""
    episodes = ctx.table("Episodes").filter(pl.col("DEC").is_not_null())
    latest = episodes.filter(pl.col("DEC") == pl.col("DEC").max().over("CHILD")).unique("CHILD")
    pairs = (
        latest.select("CHILD", "DEC", pl.col("_row").alias("EP_ROW"))
        .join(ctx.table("Header").select("CHILD", "MC_DOB", pl.col("_row").alias("HEADER_ROW")), on="CHILD")
        .filter((pl.col("MC_DOB") > ctx.end) | (pl.col("MC_DOB") > pl.col("DEC")))
    )
    yield Failures(
        "Header", ctx.table("Header").filter(pl.col("_row").is_in(pairs["HEADER_ROW"].implode())), ("MC_DOB",)
    )
    yield Failures("Episodes", ctx.table("Episodes").filter(pl.col("_row").is_in(pairs["EP_ROW"].implode())), ("DEC",))


@rule(DATASET, "626")
def became_mother_earlier(ctx: Context) -> Iterable[Failures]:
    """Recorded as a mother this year but not last year, though her child was born before this year began."""
    last = ctx.last_year("Header").select("CHILD", pl.col("MOTHER").alias("LAST")).unique("CHILD")
    frame = ctx.table("Header").filter(pl.col("MC_DOB").is_not_null()).join(last, on="CHILD")
    bad = (pl.col("MOTHER") == "1") & (pl.col("LAST") == "0") & (pl.col("MC_DOB") < ctx.start)
    yield Failures("Header", frame.filter(bad), ("MOTHER", "MC_DOB"))
