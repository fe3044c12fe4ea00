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
