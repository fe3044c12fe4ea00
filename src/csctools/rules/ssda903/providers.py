"""Ofsted URNs checked against the Ofsted provider list given with --providers."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.datasets.ssda903.schema import (
    NO_URN_PLACEMENTS,
    RESPITE_LEGAL_STATUSES,
    SETTING_POSTCODE_PLACEMENTS,
    SUPPORTED_ACCOMMODATION,
    in_year,
)
from csctools.rules.ssda903.common import DATASET, blank, filled
from csctools.rules.ssda903.placement_postcodes import K3_EXEMPT_FROM
from csctools.validate.blanks import none_of, one_of
from csctools.validate.context import Context, per_return
from csctools.validate.registry import Failures, rule

LIST = ("ofsted_provider_lists",)


@per_return
def with_provider(ctx: Context) -> pl.DataFrame:
    """Episodes with a real URN (not XXXXXXX), with the provider's row from the list (null when not on it)."""
    providers = ctx.providers if ctx.providers is not None else pl.DataFrame(schema={"URN": pl.String})
    episodes = ctx.table("Episodes").filter(pl.col("URN").is_not_null() & pl.col("URN").ne_missing("XXXXXXX"))
    return episodes.join(providers.with_columns(pl.lit(True).alias("LISTED")), on="URN", how="left")


@rule(DATASET, "1008", needs=LIST)
def urn_not_listed(ctx: Context) -> Iterable[Failures]:
    """The URN is not on the Ofsted provider list."""
    yield Failures("Episodes", with_provider(ctx).filter(pl.col("LISTED").is_null()).lazy(), ("URN",))


@rule(DATASET, "219", needs=LIST)
def urn_placement_type(ctx: Context) -> Iterable[Failures]:
    """The provider with this URN does not offer this placement type."""
    frame = with_provider(ctx)
    offered = pl.col("PLACE_CODES").list.contains(pl.col("PLACE")).fill_null(False)
    yield Failures("Episodes", frame.lazy().filter(~offered), ("URN", "PLACE"))


@rule(DATASET, "224", needs=LIST)
def urn_provider_type(ctx: Context) -> Iterable[Failures]:
    """The provider with this URN is not of this placement provider type."""
    frame = with_provider(ctx)
    offered = pl.col("PROVIDER_CODES").list.contains(pl.col("PLACE_PROVIDER")).fill_null(False)
    yield Failures("Episodes", frame.lazy().filter(~offered), ("URN", "PLACE_PROVIDER"))


@rule(DATASET, "221", needs=LIST)
def urn_postcode(ctx: Context) -> Iterable[Failures]:
    """A children's home or school placement's postcode is not the provider's setting postcode."""
    frame = with_provider(ctx).filter(
        none_of("LS", RESPITE_LEGAL_STATUSES)
        & one_of("PLACE", in_year(SETTING_POSTCODE_PLACEMENTS, ctx.year))
        & pl.col("PL_POST").is_not_null()
    )
    differs = pl.col("PL_POST").str.to_uppercase().str.replace_all(r"\s+", "") != pl.col("POSTCODE")
    yield Failures("Episodes", frame.lazy().filter(differs.fill_null(True)), ("URN", "PL_POST"))


@rule(DATASET, "227", needs=LIST)
def urn_closed_before_start(ctx: Context) -> Iterable[Failures]:
    """The provider was deregistered on or before the episode began."""
    frame = with_provider(ctx)
    yield Failures(
        "Episodes",
        frame.lazy().filter(pl.col("REG_END").is_not_null() & (pl.col("DECOM") >= pl.col("REG_END"))),
        ("URN", "DECOM"),
    )


@rule(DATASET, "228", needs=LIST)
def urn_closed_before_end(ctx: Context) -> Iterable[Failures]:
    """The provider was deregistered before the episode ended (or before 31 March for an open episode)."""
    frame = with_provider(ctx).filter(pl.col("REG_END").is_not_null())
    bad = (filled("DEC") & (pl.col("DEC") > pl.col("REG_END"))) | (blank("DEC") & (pl.lit(ctx.end) > pl.col("REG_END")))
    yield Failures("Episodes", frame.lazy().filter(bad), ("URN", "DEC"))


@rule(DATASET, "229", needs=(*LIST, "la_code"))
def own_or_other_la(ctx: Context) -> Iterable[Failures]:
    """Own provision (PR1) with a provider in another LA, or another LA's provision (PR2) in this LA (the
    provider's LA is inferred from its postcode)."""
    own = ctx.authority.ons_code if ctx.authority else ""
    frame = with_provider(ctx)
    if ctx.year.end >= K3_EXEMPT_FROM:  # 2025/26 on: supported accommodation and placements with no URN are exempt
        frame = frame.filter(none_of("PLACE", [SUPPORTED_ACCOMMODATION, *in_year(NO_URN_PLACEMENTS, ctx.year)]))
    bad = (pl.col("PLACE_PROVIDER").eq_missing("PR1") & (pl.col("LA_CODE_INFERRED") != own)) | (
        pl.col("PLACE_PROVIDER").eq_missing("PR2") & (pl.col("LA_CODE_INFERRED") == own)
    )
    yield Failures("Episodes", frame.lazy().filter(bad), ("URN", "PLACE_PROVIDER"))


@rule(DATASET, "241", needs=(*LIST, "postcode_derived"))
def placed_where_provider_has_no_premises(ctx: Context) -> Iterable[Failures]:
    """A supported accommodation placement (K3) with a URN is in an LA where, by the provider list, the provider
    has no premises (a provider may have premises in several LAs)."""
    providers = ctx.providers if ctx.providers is not None else pl.DataFrame(schema={"URN": pl.String})
    if "LA_CODE_INFERRED" not in providers.columns:
        return
    premises = (
        providers.filter(pl.col("LA_CODE_INFERRED").is_not_null())
        .group_by("URN")
        .agg(pl.col("LA_CODE_INFERRED").unique().alias("PREMISES_LAS"))
    )
    episodes = ctx.table("Episodes").filter(
        pl.col("PLACE").eq_missing(SUPPORTED_ACCOMMODATION)
        & pl.col("URN").is_not_null()
        & pl.col("URN").ne_missing("XXXXXXX")
    )
    frame = episodes.join(premises, on="URN", how="inner").filter(
        pl.col("PL_LA").is_not_null() & ~pl.col("PREMISES_LAS").list.contains(pl.col("PL_LA"))
    )
    yield Failures("Episodes", frame.lazy(), ("URN",))
