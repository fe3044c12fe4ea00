"""Rules across tables: adoption decisions against care, care leaver data against episodes, and other
combinations that no single table shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from csctools.datasets.ssda903.schema import CARE_LEAVER_FIELDS, RESPITE_LEGAL_STATUSES
from csctools.rules.ssda903.common import ADOPTED, DATASET, age, blank, filled, looked_after_12_months
from csctools.validate.blanks import none_of, one_of
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import Failures, rule, table_rule
from csctools.validate.windows import cumulative_sum_in_group

LEAVER = CARE_LEAVER_FIELDS
OC2_FIELDS = (
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
)
AD1_FIELDS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")


def any_filled(fields: Iterable[str]) -> pl.Expr:
    return pl.any_horizontal([pl.col(f).is_not_null() for f in fields])


@per_return
def leavers(ctx: Context) -> pl.DataFrame:
    return ctx.table("OC3").filter(any_filled(LEAVER))


@table_rule(DATASET, "214", "Episodes")
def location_for_respite(ctx: Context) -> pl.Expr:
    return one_of("LS", RESPITE_LEGAL_STATUSES) & (pl.col("PL_POST").is_not_null() | pl.col("URN").is_not_null())


@table_rule(DATASET, "231", "Header")
def young_uasc(ctx: Context) -> pl.Expr:
    """A UASC child is under 11 at the end of the year (the reference reads a UASC_STATUS column that does not
    exist and crashes; csctools uses Header.UASC)."""
    return pl.col("UASC").eq_missing("1") & (pl.col("DOB").dt.offset_by("11y") > ctx.end)


@table_rule(DATASET, "347", "OC3")
def foyer_under_18(ctx: Context) -> pl.Expr:
    """A care leaver under 18 at the start of the year is recorded in a foyer (ACCOM T1 or T2)."""
    return pl.col("ACCOM").str.starts_with("T") & (pl.col("DOB").dt.offset_by("18y") > ctx.start)


@rule(DATASET, "210")
def un4_after_a_week(ctx: Context) -> Iterable[Failures]:
    """A child looked after for more than a week at 31 March (an open episode that began before 24 March) has UPN
    code UN4. The reference flags the opposite: episodes that began on or after 24 March."""
    reference = date(ctx.end.year, 3, 24)
    upn4 = ctx.table("Header").filter(pl.col("UPN").eq_missing("UN4"))
    episodes = ctx.table("Episodes").filter(
        pl.col("CHILD").is_in(upn4["CHILD"].implode()) & (pl.col("DECOM") < reference) & blank("DEC")
    )
    yield Failures("Episodes", episodes.lazy(), ("DECOM",))
    yield Failures("Header", upn4.filter(pl.col("CHILD").is_in(episodes["CHILD"].implode())).lazy(), ("UPN",))


@rule(DATASET, "117")
def decision_after_care_or_year(ctx: Context) -> Iterable[Failures]:
    """A decision to place (or no longer place) for adoption is after the year or after the child left care."""
    episodes = ctx.lazy("Episodes").filter(pl.col("DECOM").is_not_null() & (pl.col("REC").fill_null("") != "X1"))
    latest = episodes.filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD")).unique("CHILD")
    placed = ctx.table("PlacedAdoption")
    pairs = latest.select("CHILD", "DEC", pl.col("_row").alias("EP_ROW")).join(
        placed.lazy().select("CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", pl.col("_row").alias("PA_ROW")), on="CHILD"
    )
    bad = collect(
        pairs.filter(
            (pl.col("DATE_PLACED") > ctx.end)
            | (pl.col("DATE_PLACED") > pl.col("DEC"))
            | (pl.col("DATE_PLACED_CEASED") > ctx.end)
            | (pl.col("DATE_PLACED_CEASED") > pl.col("DEC"))
        ).select("EP_ROW", "PA_ROW")
    )
    if bad.is_empty():
        return
    yield Failures("Episodes", ctx.lazy("Episodes").filter(pl.col("_row").is_in(bad["EP_ROW"].implode())), ("DEC",))
    yield Failures(
        "PlacedAdoption",
        placed.lazy().filter(pl.col("_row").is_in(bad["PA_ROW"].implode())),
        ("DATE_PLACED", "DATE_PLACED_CEASED"),
    )


@rule(DATASET, "118")
def reversal_before_care_or_year(ctx: Context) -> Iterable[Failures]:
    """The decision that a child should no longer be placed for adoption is before the year or before care began."""
    episodes = ctx.lazy("Episodes").filter(none_of("LS", RESPITE_LEGAL_STATUSES) & pl.col("DECOM").is_not_null())
    earliest = episodes.filter(pl.col("DECOM") == pl.col("DECOM").min().over("CHILD")).unique("CHILD")
    placed = ctx.table("PlacedAdoption").filter(filled("DATE_PLACED_CEASED"))
    pairs = earliest.select("CHILD", "DECOM", pl.col("_row").alias("EP_ROW")).join(
        placed.lazy().select("CHILD", "DATE_PLACED_CEASED", pl.col("_row").alias("PA_ROW")), on="CHILD"
    )
    late = (pl.col("DATE_PLACED_CEASED") < pl.col("DECOM")) | (pl.col("DATE_PLACED_CEASED") < ctx.start)
    bad = collect(pairs.filter(late).select("EP_ROW", "PA_ROW"))
    if bad.is_empty():
        return
    yield Failures("Episodes", ctx.lazy("Episodes").filter(pl.col("_row").is_in(bad["EP_ROW"].implode())), ("DECOM",))
    yield Failures(
        "PlacedAdoption", placed.lazy().filter(pl.col("_row").is_in(bad["PA_ROW"].implode())), ("DATE_PLACED_CEASED",)
    )


@rule(DATASET, "187")
def leaver_or_adoption_for_cla12(ctx: Context) -> Iterable[Failures]:
    """A child looked after continuously for 12 months has care leaver (OC3) or adoption (AD1) data."""
    cla = looked_after_12_months(ctx).implode()
    yield Failures("AD1", ctx.lazy("AD1").filter(pl.col("CHILD").is_in(cla) & any_filled(AD1_FIELDS)))
    yield Failures("OC3", ctx.lazy("OC3").filter(pl.col("CHILD").is_in(cla) & any_filled(LEAVER)))


@rule(DATASET, "199", needs=())
def adopted_before(ctx: Context) -> Iterable[Failures]:
    """Episodes after the child was adopted (this year or last): a child adopted from care is in care again."""
    fields = ("CHILD", "DECOM", "REC")
    both = pl.concat(
        [
            ctx.lazy("Episodes").select(*fields, pl.col("_row").alias("NOW_ROW")),
            ctx.last_year_lazy("Episodes").select(*fields, pl.lit(None, pl.Int64).alias("NOW_ROW")),
        ]
    )
    adoption = one_of("REC", ADOPTED).fill_null(False)
    ordered = (
        both.filter(pl.col("DECOM").is_not_null())
        .sort("CHILD", "DECOM", maintain_order=True)
        .with_columns(cumulative_sum_in_group(adoption.cast(pl.Int32), "CHILD").alias("ADOPTIONS"))
    )
    bad = collect(ordered.filter((pl.col("ADOPTIONS") > 0) & ~((pl.col("ADOPTIONS") == 1) & adoption)))["NOW_ROW"]
    now = ctx.table("Episodes")
    yield Failures("Episodes", now.lazy().filter(pl.col("_row").is_in(bad.drop_nulls().implode())), ("CHILD",))


@rule(DATASET, "215")
def leaver_with_outcomes(ctx: Context) -> Iterable[Failures]:
    """A care leaver (OC3 data) also has outcome data for children looked after for 12 months (OC2)."""
    oc2 = ctx.table("OC2").filter(any_filled(OC2_FIELDS))
    leaving = leavers(ctx)
    in_both = pl.col("CHILD").is_in(oc2["CHILD"].implode()) & pl.col("CHILD").is_in(leaving["CHILD"].implode())
    yield Failures("OC3", leaving.lazy().filter(in_both))
    yield Failures("OC2", oc2.lazy().filter(in_both))


@table_rule(DATASET, "1000", "OC3", needs=())
def leaver_who_died(ctx: Context) -> pl.Expr:
    """Care leaver data for a child recorded as having died in care (REC E2) this year or last."""
    died = [
        frame.filter(pl.col("REC").eq_missing("E2"))["CHILD"]
        for frame in (ctx.table("Episodes"), ctx.last_year("Episodes"))
    ]
    return pl.col("CHILD").is_in(pl.concat(died).implode())


@rule(DATASET, "1007")
def leaver_still_in_care(ctx: Context) -> Iterable[Failures]:
    """Care leaver data for a 17- or 18-year-old who was still looked after on their birthday this year."""
    oc3 = ctx.table("OC3").filter(
        (pl.col("DOB").dt.offset_by("17y") <= ctx.end)
        & (pl.col("DOB").dt.offset_by("19y") > ctx.end)
        & any_filled(LEAVER)
    )
    years = age(pl.col("DOB"), ctx.end)  # the latest birthday on or before 31 March (29 February -> 28th)
    birthday = pl.col("DOB").dt.offset_by(pl.format("{}y", years))
    pairs = (
        ctx.lazy("Episodes").select("CHILD", "DECOM", "DEC").join(oc3.lazy().select("CHILD", "DOB", "_row"), on="CHILD")
    )
    in_care = pairs.with_columns(birthday.alias("BIRTHDAY")).filter(
        (pl.col("DECOM") <= pl.col("BIRTHDAY")) & (pl.col("DEC") > pl.col("BIRTHDAY"))
    )
    yield Failures("OC3", oc3.filter(pl.col("_row").is_in(collect(in_care.select("_row"))["_row"].implode())).lazy())


@rule(DATASET, "1010", needs=("prev_year",))
def leaver_with_open_episode_last_year(ctx: Context) -> Iterable[Failures]:
    """Care leaver data for a child with no episodes this year whose last episode last year was still open."""
    last = ctx.last_year_lazy("Episodes").filter(pl.col("DECOM").is_not_null())
    latest = last.filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD"))
    open_last = latest.filter(blank("DEC")).select("CHILD")
    plan = ctx.lazy("OC3").join(ctx.lazy("Episodes").select("CHILD"), on="CHILD", how="anti")
    yield Failures("OC3", plan.join(open_last, on="CHILD", how="semi"))


@rule(DATASET, "1011", needs=())
def leaver_transferred(ctx: Context) -> Iterable[Failures]:
    """Care leaver data for a child whose final episode ended with care transferred to another LA (E3)."""
    episodes = ctx.lazy("Episodes").filter(pl.col("DECOM").is_not_null())
    last = episodes.filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD"))
    transferred = last.filter(pl.col("REC").eq_missing("E3")).select("CHILD")
    yield Failures("OC3", leavers(ctx).lazy().join(transferred, on="CHILD", how="semi"))


@rule(DATASET, "1012")
def data_without_episodes(ctx: Context) -> Iterable[Failures]:
    """A child with no episodes this year has data in tables that need episodes."""
    current = ctx.table("Episodes")["CHILD"].implode()
    for table in ("PlacedAdoption", "Missing", "Reviews", "AD1", "PrevPerm", "OC2"):
        yield Failures(table, ctx.lazy(table).filter(~pl.col("CHILD").is_in(current)), ("CHILD",))


@rule(DATASET, "1014")
def uasc_for_leaver(ctx: Context) -> Iterable[Failures]:
    """UASC information for a care leaver who was not looked after during the year."""
    episodes = ctx.table("Episodes")
    in_year = episodes.filter((pl.col("DECOM") <= ctx.end) & ((pl.col("DEC") >= ctx.start) | blank("DEC")))[
        "CHILD"
    ].implode()
    with_episodes = episodes["CHILD"].implode()
    leaving = leavers(ctx)["CHILD"].implode()
    uasc = ctx.table("UASC").filter(
        pl.col("CHILD").is_in(with_episodes) & ~pl.col("CHILD").is_in(in_year) & pl.col("CHILD").is_in(leaving)
    )
    yield Failures("UASC", uasc.lazy(), ("DUC",))


@rule(DATASET, "348", needs=("prev_year",))
def died_then_alive(ctx: Context) -> Iterable[Failures]:
    """A care leaver reported last year as having died is not reported as died this year."""
    last = ctx.last_year("OC3").select("CHILD", pl.col("IN_TOUCH").alias("LAST"))
    frame = ctx.table("OC3").join(last, on="CHILD", how="inner")
    yield Failures(
        "OC3", frame.lazy().filter(pl.col("LAST").eq_missing("DIED") & (pl.col("IN_TOUCH").fill_null("") != "DIED"))
    )
