"""Rules comparing this year's return with last year's (need --previous)."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.datasets.ssda903.schema import RENAMED_PLACEMENTS
from csctools.rules.ssda903.common import DATASET, blank, filled, first_episodes, open_at_end_of_last_year
from csctools.validate.blanks import one_of
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import Failures, frame_rule, rule, table_rule

SEX_SINCE_2024 = {"1": "M", "2": "F"}  # 2022/23-2023/24 codes, mapped to those used from 2024/25


COMPARED = ("SEX", "DOB", "ETHNIC", "MOTHER", "UPN", "UASC")  # Header fields compared with last year's


@per_return
def _headers(ctx: Context) -> pl.DataFrame:
    """This year's Header rows of children also in last year's Header, with last year's values as <field>_LAST."""
    last = ctx.last_year("Header").select("CHILD", *(pl.col(f).alias(f"{f}_LAST") for f in COMPARED))
    return ctx.table("Header").join(last.unique("CHILD", keep="first"), on="CHILD", how="inner")


def _changed(code: str, field: str, normalise: dict[str, str] | None = None) -> None:
    def differs(ctx: Context) -> pl.Expr:
        now, before = pl.col(field), pl.col(f"{field}_LAST")
        if normalise:
            now, before = now.replace(normalise), before.replace(normalise)
        return now.ne_missing(before)

    differs.__doc__ = f"{field} differs from last year's return."
    frame_rule(DATASET, code, "Header", _headers, fields=(field,))(differs)


_changed("202", "SEX", SEX_SINCE_2024)
_changed("203", "DOB")
_changed("204", "ETHNIC")


@frame_rule(DATASET, "207", "Header", _headers, fields=("MOTHER",))
def no_longer_a_mother(ctx: Context) -> pl.Expr:
    """A child recorded as a mother last year is not recorded as one this year (children with episodes)."""
    with_episodes = pl.col("CHILD").is_in(ctx.table("Episodes")["CHILD"].implode())
    return with_episodes & pl.col("MOTHER_LAST").eq_missing("1") & pl.col("MOTHER").ne_missing(pl.col("MOTHER_LAST"))


@frame_rule(DATASET, "208", "Header", _headers, fields=("UPN",))
def upn_changed(ctx: Context) -> pl.Expr:
    """The UPN differs from last year's, other than an unknown code becoming known or UN1 becoming UN2-UN5."""
    unknown = ["UN1", "UN2", "UN3", "UN4", "UN5"]
    now, before = pl.col("UPN"), pl.col("UPN_LAST")
    different = now.ne_missing(before)
    un1_to_reason = (before.eq("UN1") | before.is_null()) & now.is_in(unknown[1:])
    null_to_un1 = before.is_null() & now.eq("UN1")
    became_known = (before.is_in(unknown) | before.is_null()) & ~(now.is_in(unknown) | now.is_null())
    allowed = un1_to_reason.fill_null(False) | null_to_un1.fill_null(False) | became_known.fill_null(False)
    return different & ~allowed


@frame_rule(DATASET, "205D", "Header", _headers, fields=("UASC",))
def newly_uasc(ctx: Context) -> pl.Expr:
    """A child recorded as UASC this year was in last year's return but not recorded as UASC there."""
    return pl.col("UASC").eq_missing("1") & (pl.col("UASC_LAST").fill_null("") != "1")


@per_return
def _first_and_open_last(ctx: Context) -> pl.DataFrame:
    """Each child's first episode this year beside their latest episode last year, when that one was still open."""
    fields = ["DECOM", "DEC", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "URN"]
    latest = open_at_end_of_last_year(ctx).lazy().select("CHILD", *(pl.col(f).alias(f"{f}_LAST") for f in fields))
    return collect(first_episodes(ctx).lazy().join(latest, on="CHILD", how="inner"))


def _renamed(field: str) -> pl.Expr:
    """This year's code is one that last year's code was renamed or split into (H5 -> K3, Z1 -> Z11-Z14)."""
    if field != "PLACE":
        return pl.lit(False)
    pairs = [pl.col("PLACE_LAST").eq_missing(old) & one_of("PLACE", new) for old, new in RENAMED_PLACEMENTS.items()]
    return pl.any_horizontal(pairs)


def _same_as_open_episode(code: str, field: str) -> None:
    def differs(ctx: Context) -> pl.Expr:
        return pl.col(field).ne_missing(pl.col(f"{field}_LAST")) & ~_renamed(field)

    differs.__doc__ = f"The first episode's {field} differs from the episode left open at the end of last year."
    frame_rule(DATASET, code, "Episodes", _first_and_open_last, fields=(field,))(differs)


for _code, _field in {
    "503A": "RNE",
    "503B": "LS",
    "503C": "CIN",
    "503D": "PLACE",
    "503E": "PLACE_PROVIDER",
    "503F": "URN",
}.items():
    _same_as_open_episode(_code, _field)


@frame_rule(DATASET, "502", "Episodes", _first_and_open_last, fields=("DECOM",))
def open_episode_start_differs(ctx: Context) -> pl.Expr:
    """Last year ended with an open episode whose start date differs from this year's first episode's."""
    return pl.col("DECOM") != pl.col("DECOM_LAST")


@rule(DATASET, "562")
def continuing_episode_missing_last_year(ctx: Context) -> Iterable[Failures]:
    """The first episode began before this year but is not the latest episode of last year's return."""
    episodes = ctx.lazy("Episodes").filter(pl.col("DECOM") < ctx.start)
    first = episodes.filter(pl.col("DECOM") == pl.col("DECOM").min().over("CHILD"))
    last = ctx.last_year_lazy("Episodes").filter(pl.col("DECOM").is_not_null())
    latest = last.filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD")).select("CHILD", "DECOM").unique()
    yield Failures("Episodes", first.join(latest, on=["CHILD", "DECOM"], how="anti"), ("DECOM",))


@rule(DATASET, "NoE")
def no_episodes_last_year(ctx: Context) -> Iterable[Failures]:
    """An episode began before this year, but the child has no episodes in last year's return."""
    episodes = ctx.table("Episodes").filter(pl.col("DECOM") < ctx.start)
    known = ctx.last_year("Episodes")["CHILD"].implode()
    yield Failures("Episodes", episodes.lazy().filter(~pl.col("CHILD").is_in(known)), ("DECOM",))


@per_return
def _placed_pairs(ctx: Context) -> pl.DataFrame:
    last = ctx.last_year("PlacedAdoption").select(
        "CHILD", *(pl.col(f).alias(f"{f}_LAST") for f in ("DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"))
    )
    return ctx.table("PlacedAdoption").join(last, on="CHILD", how="inner")


@table_rule(DATASET, "559", "PlacedAdoption", fields=("DATE_PLACED",))
def decision_missing_last_year(ctx: Context) -> pl.Expr:
    """A decision to place for adoption dated before this year is not in last year's return."""
    last = ctx.last_year("PlacedAdoption").filter(filled("DATE_PLACED"))["CHILD"].implode()
    return (pl.col("DATE_PLACED") < ctx.start) & ~pl.col("CHILD").is_in(last)


@rule(DATASET, "560")
def decision_date_changed(ctx: Context) -> Iterable[Failures]:
    """The decision date differs from last year's, though last year's decision was not reversed."""
    frame = _placed_pairs(ctx)
    bad = (
        pl.col("DATE_PLACED_LAST").is_not_null()
        & pl.col("DATE_PLACED_CEASED_LAST").is_null()
        & pl.col("DATE_PLACED").ne_missing(pl.col("DATE_PLACED_LAST"))
    )
    yield Failures("PlacedAdoption", frame.lazy().filter(bad), ("DATE_PLACED",))


@rule(DATASET, "561")
def reversed_decision_repeated(ctx: Context) -> Iterable[Failures]:
    """The decision date is last year's, but last year that decision was reversed."""
    frame = _placed_pairs(ctx)
    reversed_ = pl.col("REASON_PLACED_CEASED_LAST").is_not_null() | pl.col("DATE_PLACED_CEASED_LAST").is_not_null()
    yield Failures(
        "PlacedAdoption",
        frame.lazy().filter((pl.col("DATE_PLACED") == pl.col("DATE_PLACED_LAST")) & reversed_),
        ("DATE_PLACED",),
    )


@rule(DATASET, "584")
def new_decision_not_later(ctx: Context) -> Iterable[Failures]:
    """After a reversal last year, this year's decision is not later than last year's (or is blank)."""
    frame = _placed_pairs(ctx).filter(
        pl.col("DATE_PLACED_CEASED_LAST").is_not_null() | pl.col("REASON_PLACED_CEASED_LAST").is_not_null()
    )
    bad = (pl.col("DATE_PLACED") <= pl.col("DATE_PLACED_LAST")) | blank("DATE_PLACED")
    yield Failures("PlacedAdoption", frame.lazy().filter(bad), ("DATE_PLACED",))


@rule(DATASET, "576", reads=("Missing",))
def open_missing_not_carried(ctx: Context) -> Iterable[Failures]:
    """A missing period open at the end of last year is not this year's first missing period for the child."""
    missing = ctx.lazy("Missing").select("CHILD", "_row", pl.col("MIS_START").fill_null(pl.lit(ctx.end)))
    first = missing.filter(pl.col("MIS_START") == pl.col("MIS_START").min().over("CHILD")).unique("CHILD")
    open_last = (
        ctx.last_year_lazy("Missing").filter(blank("MIS_END")).select("CHILD", pl.col("MIS_START").alias("START_LAST"))
    )
    merged = first.join(open_last, on="CHILD", how="inner")
    bad_rows = collect(merged.filter(pl.col("MIS_START") != pl.col("START_LAST")).select("_row"))["_row"].implode()
    yield Failures("Missing", ctx.lazy("Missing").filter(pl.col("_row").is_in(bad_rows)), ("MIS_START",))
