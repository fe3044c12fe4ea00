"""Placement location: postcodes, the LA of placement, in or out of area, distance (derived from the ONS
Postcode Directory before the rules run), and Ofsted URNs for placements that need one."""

from __future__ import annotations

from datetime import date

import polars as pl

from csctools.rules.ssda903.common import DATASET
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import frame_rule, table_rule

RESPITE = ("V3", "V4")
NO_URN = ("P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14")
OUTSIDE_ENGLAND = ("CON", "NIR", "SCO", "WAL", "NUK")
POSTCODE = ("postcode_derived",)


@per_return
def uasc_children(ctx: Context) -> pl.Series:
    """Children who are or were UASC this year or last (their postcodes and distance are not recorded)."""
    frames = [ctx.table("UASC")["CHILD"], ctx.table("Header").filter(pl.col("UASC") == "1")["CHILD"]]
    if ctx.previous is not None:
        frames += [ctx.last_year("UASC")["CHILD"]]
    return pl.concat(frames).unique()


@per_return
def not_uasc(ctx: Context) -> pl.DataFrame:
    return ctx.table("Episodes").filter(~pl.col("CHILD").is_in(uasc_children(ctx).implode()))


@table_rule(DATASET, "169", "Episodes", needs=POSTCODE)
def placement_la_missing(ctx: Context) -> pl.Expr:
    return ~pl.col("LS").is_in(RESPITE) & pl.col("PL_LA").is_null()


@table_rule(DATASET, "179", "Episodes", needs=(*POSTCODE, "la_code"))
def placement_location_missing(ctx: Context) -> pl.Expr:
    return ~pl.col("LS").is_in(RESPITE) & pl.col("PL_LOCATION").is_null()


@table_rule(DATASET, "420", "Episodes", needs=POSTCODE)
def placement_la_for_respite(ctx: Context) -> pl.Expr:
    return pl.col("LS").is_in(RESPITE) & pl.col("PL_LA").is_not_null()


@table_rule(DATASET, "454", "Episodes", needs=POSTCODE)
def over_350_miles(ctx: Context) -> pl.Expr:
    return (pl.col("PL_DISTANCE") > 350) & (pl.col("PL_DISTANCE") != 999.9)


@table_rule(DATASET, "1015", "Episodes", needs=(*POSTCODE, "la_code"))
def own_provision_out_of_area(ctx: Context) -> pl.Expr:
    own = ctx.authority.ons_code if ctx.authority else ""
    fostering = pl.col("PLACE").is_in(["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"])
    checked = ~fostering & ~pl.col("LS").is_in(RESPITE) & (pl.col("PLACE_PROVIDER") == "PR1")
    return checked & pl.col("LS").is_not_null() & pl.col("PLACE").is_not_null() & (pl.col("PL_LA") != own)


@table_rule(DATASET, "222", "Episodes")
def urn_not_for_placement(ctx: Context) -> pl.Expr:
    return pl.col("PLACE").is_in(NO_URN) & pl.col("URN").is_not_null() & (pl.col("URN") != "XXXXXXX")


@table_rule(DATASET, "218", "Episodes", needs=POSTCODE)
def urn_required(ctx: Context) -> pl.Expr:
    open_in_year = (pl.col("DEC") >= ctx.start) | pl.col("DEC").is_null()
    in_england = ~pl.col("PL_LA").is_in(OUTSIDE_ENGLAND).fill_null(False)
    return open_in_year & pl.col("URN").is_null() & ~pl.col("PLACE").is_in(NO_URN) & in_england


@table_rule(DATASET, "230", "Episodes", needs=POSTCODE)
def semi_independent_without_urn(ctx: Context) -> pl.Expr:
    """An H5 (semi-independent living) placement in England still open after 27 October 2023 has no URN."""
    after_registration = pl.col("DEC").is_null() | (pl.col("DEC") > date(2023, 10, 28))
    in_england = ~pl.col("PL_LA").is_in(OUTSIDE_ENGLAND).fill_null(False)
    no_urn = pl.col("URN").is_null() | (pl.col("URN") == "XXXXXXX")
    return (pl.col("PLACE") == "H5") & after_registration & in_england & no_urn


@table_rule(DATASET, "243", "Episodes", needs=POSTCODE)
def urn_outside_england(ctx: Context) -> pl.Expr:
    """Providers outside England are not registered with Ofsted, so a placement there has no URN (XXXXXXX, the
    code for 'no URN', is accepted)."""
    return pl.col("PL_LA").is_in(OUTSIDE_ENGLAND) & pl.col("URN").is_not_null() & (pl.col("URN") != "XXXXXXX")


@frame_rule(DATASET, "392a", "Episodes", not_uasc, fields=("HOME_POST", "PL_POST"), needs=POSTCODE)
def distance_missing(ctx: Context) -> pl.Expr:
    """A child looked after (not UASC, not respite) has no distance: a postcode is missing or unknown."""
    return ~pl.col("LS").is_in(RESPITE) & pl.col("PL_DISTANCE").is_null()


@frame_rule(DATASET, "392b", "Episodes", not_uasc, fields=("HOME_POST", "PL_POST"), needs=("prev_year",))
def postcodes_missing(ctx: Context) -> pl.Expr:
    """A child looked after (not UASC, not respite) has no home or placement postcode."""
    return ~pl.col("LS").is_in(RESPITE) & (pl.col("HOME_POST").is_null() | pl.col("PL_POST").is_null())


@table_rule(DATASET, "406", "Episodes", needs=POSTCODE, fields=("HOME_POST", "PL_POST"))
def distance_for_uasc(ctx: Context) -> pl.Expr:
    """A child who is or was UASC has a distance recorded (their postcodes should be left blank)."""
    return pl.col("CHILD").is_in(uasc_children(ctx).implode()) & pl.col("PL_DISTANCE").is_not_null()


@table_rule(DATASET, "392c", "Episodes", needs=POSTCODE)
def unknown_postcodes(ctx: Context) -> pl.Expr:
    """A home or placement postcode is not in the ONS Postcode Directory."""
    home_unknown = pl.col("HOME_POST").is_not_null() & ~pl.col("HOME_POST_FOUND")
    placement_unknown = pl.col("PL_POST").is_not_null() & ~pl.col("PL_POST_FOUND")
    return home_unknown | placement_unknown


@per_return
def _first_and_open_last(ctx: Context) -> pl.DataFrame:
    episodes = ctx.lazy("Episodes").filter(pl.col("DECOM").is_not_null())
    first = episodes.filter(pl.col("DECOM") == pl.col("DECOM").min().over("CHILD")).unique("CHILD", keep="first")
    last = ctx.last_year("Episodes")
    if "PL_LA" not in last.columns:  # last year's episodes could not be located
        return ctx.table("Episodes").head(0)
    latest = (
        last.lazy()
        .filter(pl.col("DECOM").is_not_null())
        .filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD"))
        .unique("CHILD", keep="first")
        .filter(pl.col("DEC").is_null())
    )
    latest = latest.select(
        "CHILD", *(pl.col(f).alias(f"{f}_LAST") for f in ("DEC", "RNE", "PL_LA", "PL_LOCATION", "PL_DISTANCE"))
    )
    return collect(first.join(latest, on="CHILD", how="inner"))


def _distance_changed() -> pl.Expr:
    return ((pl.col("PL_DISTANCE") - pl.col("PL_DISTANCE_LAST")).abs() >= 0.2) | (
        pl.col("PL_DISTANCE_LAST").is_null() & pl.col("PL_DISTANCE").is_not_null()
    )


LOCATED_LAST = ("prev_year", "postcode_derived")


@frame_rule(DATASET, "452", "Episodes", _first_and_open_last, fields=("PL_POST",), needs=LOCATED_LAST)
def placement_la_changed(ctx: Context) -> pl.Expr:
    """The first episode's LA of placement differs from last year's open episode (same reason for new episode)."""
    return (pl.col("RNE") == pl.col("RNE_LAST")) & pl.col("PL_LA").ne_missing(pl.col("PL_LA_LAST"))


@frame_rule(DATASET, "453", "Episodes", _first_and_open_last, fields=("HOME_POST", "PL_POST"), needs=LOCATED_LAST)
def distance_changed_same_episode(ctx: Context) -> pl.Expr:
    """The first episode's distance differs from last year's open episode (same reason for new episode)."""
    return (pl.col("RNE") == pl.col("RNE_LAST")) & _distance_changed()


@frame_rule(DATASET, "503G", "Episodes", _first_and_open_last, fields=("HOME_POST", "PL_POST"), needs=LOCATED_LAST)
def distance_changed(ctx: Context) -> pl.Expr:
    """The first episode's distance differs from the episode left open at the end of last year."""
    return _distance_changed()


@frame_rule(DATASET, "503H", "Episodes", _first_and_open_last, fields=("PL_POST",), needs=LOCATED_LAST)
def placement_la_differs(ctx: Context) -> pl.Expr:
    """The first episode's LA of placement differs from the episode left open at the end of last year."""
    return pl.col("PL_LA").ne_missing(pl.col("PL_LA_LAST"))


@frame_rule(DATASET, "503J", "Episodes", _first_and_open_last, fields=("PL_POST",), needs=(*LOCATED_LAST, "la_code"))
def placement_location_differs(ctx: Context) -> pl.Expr:
    """The first episode's placement location (in or out of area) differs from last year's open episode."""
    return pl.col("PL_LOCATION").ne_missing(pl.col("PL_LOCATION_LAST"))


@table_rule(DATASET, "242", "Episodes")
def xxxxxxx_outside_adoption(ctx: Context) -> pl.Expr:
    """URN XXXXXXX (regional adoption agency) on a placement that is not an adoption placement (A3-A6)."""
    return (pl.col("URN") == "XXXXXXX") & ~pl.col("PLACE").is_in(["A3", "A4", "A5", "A6"])
