"""Placement location: postcodes, the LA of placement, in or out of area, distance (derived from the ONS
Postcode Directory before the rules run), and Ofsted URNs for placements that need one."""

from __future__ import annotations

from datetime import date

import polars as pl

from csctools.datasets.ssda903.schema import (
    ADOPTION_PLACEMENTS,
    FOSTER_PLACEMENTS,
    NO_URN_PLACEMENTS,
    RESPITE_LEGAL_STATUSES,
    SEMI_INDEPENDENT_LIVING,
    SUPPORTED_ACCOMMODATION,
    in_year,
)
from csctools.rules.ssda903.common import DATASET, blank, first_episodes, open_at_end_of_last_year
from csctools.validate.blanks import none_of, one_of
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import frame_rule, table_rule

RESPITE = RESPITE_LEGAL_STATUSES
OUTSIDE_ENGLAND = ("CON", "NIR", "SCO", "WAL", "NUK")
POSTCODE = ("postcode_derived",)
K3_EXEMPT_FROM = 2026  # 2025/26 on: supported accommodation (K3) is exempt from 1015 and 229


@per_return
def uasc_children(ctx: Context) -> pl.Series:
    """Children who are or were UASC this year or last (their postcodes and distance are not recorded)."""
    frames = [ctx.table("UASC")["CHILD"], ctx.table("Header").filter(pl.col("UASC").eq_missing("1"))["CHILD"]]
    if ctx.previous is not None:
        frames += [ctx.last_year("UASC")["CHILD"]]
    return pl.concat(frames).unique()


@per_return
def not_uasc(ctx: Context) -> pl.DataFrame:
    return ctx.table("Episodes").filter(~pl.col("CHILD").is_in(uasc_children(ctx).implode()))


@table_rule(DATASET, "169", "Episodes", needs=POSTCODE)
def placement_la_missing(ctx: Context) -> pl.Expr:
    return none_of("LS", RESPITE) & pl.col("PL_LA").is_null()


@table_rule(DATASET, "179", "Episodes", needs=(*POSTCODE, "la_code"))
def placement_location_missing(ctx: Context) -> pl.Expr:
    return none_of("LS", RESPITE) & pl.col("PL_LOCATION").is_null()


@table_rule(DATASET, "420", "Episodes", needs=POSTCODE)
def placement_la_for_respite(ctx: Context) -> pl.Expr:
    return one_of("LS", RESPITE) & pl.col("PL_LA").is_not_null()


@table_rule(DATASET, "454", "Episodes", needs=POSTCODE)
def over_350_miles(ctx: Context) -> pl.Expr:
    return (pl.col("PL_DISTANCE") > 350) & (pl.col("PL_DISTANCE") != 999.9)


@table_rule(DATASET, "1015", "Episodes", needs=(*POSTCODE, "la_code"))
def own_provision_out_of_area(ctx: Context) -> pl.Expr:
    own = ctx.authority.ons_code if ctx.authority else ""
    k3 = (SUPPORTED_ACCOMMODATION,) if ctx.year.end >= K3_EXEMPT_FROM else ()
    exempt = [*ADOPTION_PLACEMENTS, *FOSTER_PLACEMENTS, *k3]
    fostering = one_of("PLACE", exempt)
    checked = ~fostering & none_of("LS", RESPITE) & pl.col("PLACE_PROVIDER").eq_missing("PR1")
    return checked & pl.col("LS").is_not_null() & pl.col("PLACE").is_not_null() & (pl.col("PL_LA") != own)


@table_rule(DATASET, "222", "Episodes")
def urn_not_for_placement(ctx: Context) -> pl.Expr:
    no_urn = in_year(NO_URN_PLACEMENTS, ctx.year)
    return one_of("PLACE", no_urn) & pl.col("URN").is_not_null() & pl.col("URN").ne_missing("XXXXXXX")


@table_rule(DATASET, "218", "Episodes", needs=POSTCODE)
def urn_required(ctx: Context) -> pl.Expr:
    open_in_year = (pl.col("DEC") >= ctx.start) | blank("DEC")
    in_england = none_of("PL_LA", OUTSIDE_ENGLAND).fill_null(False)
    exempt = in_year(NO_URN_PLACEMENTS, ctx.year)
    if ctx.year.end == 2024:  # 2023/24: an H5 placement needs a URN only from 28 October 2023, which 230 checks
        exempt = (*exempt, SEMI_INDEPENDENT_LIVING)
    return open_in_year & pl.col("URN").is_null() & none_of("PLACE", exempt) & in_england


@table_rule(DATASET, "230", "Episodes", needs=POSTCODE)
def semi_independent_without_urn(ctx: Context) -> pl.Expr:
    """An H5 (semi-independent living) placement in England still open after 27 October 2023 has no URN."""
    after_registration = blank("DEC") | (pl.col("DEC") > date(2023, 10, 28))
    in_england = none_of("PL_LA", OUTSIDE_ENGLAND).fill_null(False)
    no_urn = pl.col("URN").is_null() | pl.col("URN").eq_missing("XXXXXXX")
    return pl.col("PLACE").eq_missing(SEMI_INDEPENDENT_LIVING) & after_registration & in_england & no_urn


@table_rule(DATASET, "243", "Episodes", needs=POSTCODE)
def urn_outside_england(ctx: Context) -> pl.Expr:
    """Providers outside England are not registered with Ofsted, so a placement there has no URN (XXXXXXX, the
    code for 'no URN', is accepted)."""
    return one_of("PL_LA", OUTSIDE_ENGLAND) & pl.col("URN").is_not_null() & pl.col("URN").ne_missing("XXXXXXX")


@frame_rule(DATASET, "392a", "Episodes", not_uasc, ("HOME_POST", "PL_POST"), POSTCODE, reads=("UASC",))
def distance_missing(ctx: Context) -> pl.Expr:
    """A child looked after (not UASC, not respite) has no distance: a postcode is missing or unknown."""
    return none_of("LS", RESPITE) & pl.col("PL_DISTANCE").is_null()


@frame_rule(DATASET, "392b", "Episodes", not_uasc, ("HOME_POST", "PL_POST"), ("prev_year",), reads=("UASC",))
def postcodes_missing(ctx: Context) -> pl.Expr:
    """A child looked after (not UASC, not respite) has no home or placement postcode."""
    return none_of("LS", RESPITE) & (pl.col("HOME_POST").is_null() | pl.col("PL_POST").is_null())


@table_rule(DATASET, "406", "Episodes", needs=POSTCODE, fields=("HOME_POST", "PL_POST"), reads=("UASC",))
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
    if "PL_LA" not in ctx.last_year("Episodes").columns:  # last year's episodes could not be located
        return ctx.table("Episodes").head(0)
    fields = ("DEC", "RNE", "PL_LA", "PL_LOCATION", "PL_DISTANCE")
    latest = open_at_end_of_last_year(ctx).lazy().select("CHILD", *(pl.col(f).alias(f"{f}_LAST") for f in fields))
    return collect(first_episodes(ctx).lazy().join(latest, on="CHILD", how="inner"))


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
    return pl.col("URN").eq_missing("XXXXXXX") & none_of("PLACE", ADOPTION_PLACEMENTS)
