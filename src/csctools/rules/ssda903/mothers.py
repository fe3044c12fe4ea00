"""Motherhood: whether a girl looked after is a mother, and when that is recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl

from csctools.datasets.ssda903.schema import CARE_LEAVER_FIELDS, FEMALE_SEX, MALE_SEX, RESPITE_LEGAL_STATUSES
from csctools.rules.ssda903.common import DATASET
from csctools.validate.blanks import none_of, one_of
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import Condition, Failures, frame_rule, rule

FEMALE = FEMALE_SEX


RESPITE = RESPITE_LEGAL_STATUSES
LEAVER_FIELDS = CARE_LEAVER_FIELDS


@per_return
def _header_with_care(ctx: Context) -> pl.DataFrame:
    """Header rows with what each child's episodes and care leaver data show, one true/false column each (null when
    CHILD is blank): EPISODES (any episode), CARED (an episode not respite), IN_YEAR (such an episode during the
    year), LEFT (care not respite ended in the year, other than X1), LEAVER (care leaver data), MC_DOB_LAST and
    MOTHER_LAST (last year's Header, null when the child was not in it)."""
    not_respite = none_of("LS", RESPITE)
    during = (pl.coalesce("DEC", pl.lit(ctx.end)) >= ctx.start) & (pl.col("DECOM") <= ctx.end)
    left = pl.col("DEC").is_between(ctx.start, ctx.end) & pl.col("REC").is_not_null() & pl.col("REC").ne_missing("X1")
    care = (
        ctx.lazy("Episodes")
        .group_by("CHILD")
        .agg(
            pl.lit(True).alias("EPISODES"),
            not_respite.fill_null(False).any().alias("CARED"),
            (not_respite & during).fill_null(False).any().alias("IN_YEAR"),
            (not_respite & left).fill_null(False).any().alias("LEFT"),
        )
    )
    leavers = ctx.lazy("OC3").filter(pl.any_horizontal([pl.col(f).is_not_null() for f in LEAVER_FIELDS]))
    last = ctx.last_year_lazy("Header").select(
        "CHILD", pl.col("MC_DOB").alias("MC_DOB_LAST"), pl.col("MOTHER").alias("MOTHER_LAST")
    )
    known = pl.col("CHILD").is_not_null()  # as `is_in`: a blank CHILD is in no set
    frame = (
        ctx.lazy("Header")
        .join(care.filter(pl.col("CHILD").is_not_null()), on="CHILD", how="left")
        .join(leavers.select("CHILD").unique().with_columns(pl.lit(True).alias("LEAVER")), on="CHILD", how="left")
        .join(last.unique("CHILD"), on="CHILD", how="left")
        .with_columns(
            pl.when(known).then(pl.col(c).fill_null(False)).alias(c)
            for c in ("EPISODES", "CARED", "IN_YEAR", "LEFT", "LEAVER")
        )
    )
    return collect(frame)


def _header_rule(code: str, fields: tuple[str, ...]) -> Callable[[Condition], Condition]:
    return frame_rule(DATASET, code, "Header", _header_with_care, fields=fields, reads=("Episodes", "OC3"))


@_header_rule("393", ("MOTHER",))
def mother_not_completed(ctx: Context) -> pl.Expr:
    """A girl looked after (not only on respite) has no MOTHER value."""
    return one_of("SEX", FEMALE) & pl.col("CARED") & pl.col("MOTHER").is_null()


@_header_rule("607", ("MOTHER",))
def mother_missing_on_leaving(ctx: Context) -> pl.Expr:
    """A girl who ceased to be looked after in the year has no MOTHER value."""
    return one_of("SEX", FEMALE) & pl.col("LEFT") & pl.col("MOTHER").is_null()


@_header_rule("628", ("MOTHER",))
def mother_for_care_leaver(ctx: Context) -> pl.Expr:
    """Motherhood is recorded for a care leaver who was not looked after during the year."""
    return ~pl.col("EPISODES") & pl.col("LEAVER") & pl.col("MOTHER").is_not_null()


MALE = MALE_SEX


@frame_rule(DATASET, "165", "Header", _header_with_care, fields=("MOTHER",), needs=())
def mother_status(ctx: Context) -> pl.Expr:
    """MOTHER is not 0 or 1; is given for a boy; is blank for a girl looked after in the year; or is given for a
    girl who was not looked after in the year but has care leaver data. (The reference compares sex with the
    2022/23 codes 1 and 2 only.)"""
    has_mother = pl.col("MOTHER").is_not_null()
    female = one_of("SEX", FEMALE)
    return (
        (has_mother & none_of("MOTHER", ["0", "1"]))
        | (has_mother & one_of("SEX", MALE))
        | (~has_mother & female & pl.col("IN_YEAR"))
        | (has_mother & female & pl.col("CARED") & ~pl.col("IN_YEAR") & pl.col("LEAVER"))
    )


@_header_rule("624", ("MC_DOB",))
def child_dob_changed(ctx: Context) -> pl.Expr:
    """The date of birth of the mother's first child differs from last year's (both recorded)."""
    return pl.col("MC_DOB_LAST").is_not_null() & (pl.col("MC_DOB") != pl.col("MC_DOB_LAST"))


@rule(DATASET, "625", needs=())
def child_born_after_care(ctx: Context) -> Iterable[Failures]:
    """The first child's date of birth is after the year, or after the mother's latest episode (by start date)
    ended; while that episode is open she is still looked after."""
    episodes = ctx.lazy("Episodes").filter(pl.col("DECOM").is_not_null())
    latest = episodes.filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD")).unique("CHILD")
    pairs = collect(
        latest.select("CHILD", "DEC", pl.col("_row").alias("EP_ROW"))
        .join(ctx.lazy("Header").select("CHILD", "MC_DOB", pl.col("_row").alias("HEADER_ROW")), on="CHILD")
        .filter((pl.col("MC_DOB") > ctx.end) | (pl.col("MC_DOB") > pl.col("DEC")))
    )
    if pairs.is_empty():
        return
    yield Failures(
        "Header", ctx.table("Header").filter(pl.col("_row").is_in(pairs["HEADER_ROW"].implode())).lazy(), ("MC_DOB",)
    )
    yield Failures("Episodes", ctx.lazy("Episodes").filter(pl.col("_row").is_in(pairs["EP_ROW"].implode())), ("DEC",))


@_header_rule("626", ("MOTHER", "MC_DOB"))
def became_mother_earlier(ctx: Context) -> pl.Expr:
    """Recorded as a mother this year but not last year, though her child was born before this year began."""
    return pl.col("MOTHER").eq_missing("1") & pl.col("MOTHER_LAST").eq_missing("0") & (pl.col("MC_DOB") < ctx.start)
