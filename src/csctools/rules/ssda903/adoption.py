"""AD1 and PlacedAdoption: adoption details, decisions to place for adoption and their reversal."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.datasets.ssda903.schema import (
    AD1_FIELDS,
    ADOPTION_PLACEMENTS,
    FOSTER_PLACEMENTS,
    WITH_CURRENT_FOSTER_CARER,
)
from csctools.model import SOURCE_FILE, SOURCE_ROW
from csctools.rules.ssda903.common import ADOPTED, DATASET, blank, code_rule, date_rule, episodes, filled
from csctools.validate.blanks import none_of, one_of
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import Failures, frame_rule, rule, table_rule
from csctools.validate.windows import previous_in_group

date_rule("112", "AD1", "DATE_INT")
date_rule("113", "AD1", "DATE_MATCH")
code_rule("114", "AD1", "FOSTER_CARE")
date_rule("115", "PlacedAdoption", "DATE_PLACED")
date_rule("116", "PlacedAdoption", "DATE_PLACED_CEASED")
code_rule("120", "PlacedAdoption", "REASON_PLACED_CEASED")
code_rule("175", "AD1", "NB_ADOPTR")
code_rule("176", "AD1", "SEX_ADOPTR")
code_rule("177", "AD1", "LS_ADOPTR")


def sexes_for_status(code: str, status: str, allowed: tuple[str, ...]) -> None:
    table_rule(DATASET, code, "AD1")(
        lambda ctx: pl.col("LS_ADOPTR").eq_missing(status) & none_of("SEX_ADOPTR", allowed)
    )


sexes_for_status("514", "L0", ("M1", "F1"))
sexes_for_status("517", "L3", ("MF",))
sexes_for_status("518", "L4", ("MM", "FF"))
sexes_for_status("519", "L2", ("MM", "FF", "MF"))
sexes_for_status("520", "L11", ("MF",))
sexes_for_status("524", "L12", ("MM", "FF"))


@table_rule(DATASET, "511", "AD1")
def two_adopters_one_sex(ctx: Context) -> pl.Expr:
    return pl.col("NB_ADOPTR").eq_missing("2") & one_of("SEX_ADOPTR", ["M1", "F1"])


@table_rule(DATASET, "119", "PlacedAdoption")
def reversal_date_and_reason(ctx: Context) -> pl.Expr:
    return blank("DATE_PLACED_CEASED") != pl.col("REASON_PLACED_CEASED").is_null()


@table_rule(DATASET, "151", "AD1")
def adoption_all_or_nothing(ctx: Context) -> pl.Expr:
    filled = [pl.col(f).is_not_null() for f in AD1_FIELDS]
    return pl.any_horizontal(filled) & ~pl.all_horizontal(filled)


@table_rule(DATASET, "333", "AD1")
def decision_before_match(ctx: Context) -> pl.Expr:
    matched = filled("DATE_MATCH")
    return matched & (blank("DATE_INT") | (pl.col("DATE_INT") > pl.col("DATE_MATCH")))


@table_rule(DATASET, "522", "PlacedAdoption")
def reversed_before_decided(ctx: Context) -> pl.Expr:
    return pl.col("DATE_PLACED_CEASED") < pl.col("DATE_PLACED")


@table_rule(DATASET, "563", "PlacedAdoption")
def reversal_without_decision(ctx: Context) -> pl.Expr:
    return pl.col("REASON_PLACED_CEASED").is_not_null() & filled("DATE_PLACED_CEASED") & blank("DATE_PLACED")


@table_rule(DATASET, "390", "Episodes")
def adopted_without_adoption_placement(ctx: Context) -> pl.Expr:
    return one_of("REC", ADOPTED) & none_of("PLACE", ADOPTION_PLACEMENTS)


@table_rule(DATASET, "408", "Episodes")
def consent_placement_without_order(ctx: Context) -> pl.Expr:
    return one_of("PLACE", ["A5", "A6"]) & pl.col("LS").ne_missing("E1")


@rule(DATASET, "184")
def decision_before_birth(ctx: Context) -> Iterable[Failures]:
    """The decision to place for adoption is before the child's date of birth (Header)."""
    placed = ctx.lazy("PlacedAdoption").join(
        ctx.lazy("Header").select("CHILD", pl.col("DOB").alias("HEADER_DOB")).unique("CHILD"), on="CHILD", how="left"
    )
    early = placed.filter(pl.col("DATE_PLACED") < pl.col("HEADER_DOB")).drop("HEADER_DOB")
    yield Failures("PlacedAdoption", early, ("DATE_PLACED",))


@per_return
def _ad1_by_child(ctx: Context) -> pl.DataFrame:
    return ctx.table("AD1").select(
        "CHILD", *(pl.col(f).alias(f"AD1_{f}") for f in AD1_FIELDS), pl.col("_row").alias("AD1_ROW")
    )


def _both(ctx: Context, plan: pl.LazyFrame, fields: tuple[str, ...], ad1_fields: tuple[str, ...]) -> Iterable[Failures]:
    """Episodes (joined with AD1 as in `_ad1_by_child`) that fail, and the AD1 rows they were paired with."""
    episode_rows = collect(plan)
    if episode_rows.is_empty():
        return
    yield Failures("Episodes", episode_rows.lazy(), fields)
    ad1 = ctx.table("AD1")
    yield Failures("AD1", ad1.filter(pl.col("_row").is_in(episode_rows["AD1_ROW"].implode())).lazy(), ad1_fields)


@rule(DATASET, "331")
def matched_after_placement(ctx: Context) -> Iterable[Failures]:
    """Date matched with adopters is after the start of the episode that ended in adoption."""
    frame = episodes(ctx).lazy().filter(one_of("REC", ADOPTED)).join(_ad1_by_child(ctx).lazy(), on="CHILD")
    yield from _both(ctx, frame.filter(pl.col("AD1_DATE_MATCH") > pl.col("DECOM")), ("DECOM",), ("DATE_MATCH",))


@rule(DATASET, "334")
def decision_before_care(ctx: Context) -> Iterable[Failures]:
    """The decision to place for adoption is before the latest period of care began."""
    starts = episodes(ctx).lazy().filter(pl.col("RNE").eq_missing("S"))
    latest = starts.filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD"))
    latest = latest.join(_ad1_by_child(ctx).lazy(), on="CHILD")
    yield from _both(ctx, latest.filter(pl.col("AD1_DATE_INT") < pl.col("DECOM")), ("DECOM",), ("DATE_INT",))


@rule(DATASET, "335")
def foster_carer_flag_and_placement(ctx: Context) -> Iterable[Failures]:
    """Adopted by the current foster carer (A3, A5) needs FOSTER_CARE 1; other adoption placements (A4, A6) need 0.

    The DfE message also names A1 and A2, placement codes of earlier years that are in no current code list."""
    frame = episodes(ctx).lazy().filter(one_of("REC", ADOPTED))
    frame = frame.join(_ad1_by_child(ctx).lazy(), on="CHILD")
    not_current_carer = [code for code in ADOPTION_PLACEMENTS if code not in WITH_CURRENT_FOSTER_CARER]
    bad = (one_of("PLACE", WITH_CURRENT_FOSTER_CARER) & pl.col("AD1_FOSTER_CARE").eq_missing("0")) | (
        one_of("PLACE", not_current_carer) & pl.col("AD1_FOSTER_CARE").eq_missing("1")
    )
    yield from _both(ctx, frame.filter(bad), ("PLACE",), ("FOSTER_CARE",))


@rule(DATASET, "521")
def decision_after_placement(ctx: Context) -> Iterable[Failures]:
    """The decision that adoption is in the child's interests is after the child was placed for adoption."""
    frame = episodes(ctx).lazy().filter(one_of("PLACE", ADOPTION_PLACEMENTS))
    frame = frame.join(_ad1_by_child(ctx).lazy(), on="CHILD")
    yield from _both(ctx, frame.filter(pl.col("AD1_DATE_INT") > pl.col("DECOM")), ("DECOM",), ("DATE_INT",))


@frame_rule(DATASET, "336", "Episodes", episodes, ("PLACE",))
def adoption_not_from_foster_care(ctx: Context) -> pl.Expr:
    """A3/A4 adoption placements must follow a foster or adoption placement (not be a child's first episode)."""
    previous_ok = one_of("PREV_PLACE", [*ADOPTION_PLACEMENTS, *FOSTER_PLACEMENTS])
    return one_of("PLACE", ["A3", "A4"]) & (pl.col("EPISODE_NUMBER") > 1) & ~previous_ok


@rule(DATASET, "523")
def two_decision_dates(ctx: Context) -> Iterable[Failures]:
    """The decision date in PlacedAdoption and DATE_INT in AD1 should be the same."""
    placed = ctx.table("PlacedAdoption").filter(filled("DATE_PLACED"))
    ad1 = ctx.table("AD1").filter(filled("DATE_INT"))
    pairs = collect(
        placed.lazy()
        .select("CHILD", "DATE_PLACED", pl.col("_row").alias("PA_ROW"))
        .join(ad1.lazy().select("CHILD", "DATE_INT", pl.col("_row").alias("AD_ROW")), on="CHILD")
        .filter(pl.col("DATE_INT") != pl.col("DATE_PLACED"))
    )
    if pairs.is_empty():
        return
    yield Failures(
        "PlacedAdoption", placed.lazy().filter(pl.col("_row").is_in(pairs["PA_ROW"].implode())), ("DATE_PLACED",)
    )
    yield Failures("AD1", ad1.filter(pl.col("_row").is_in(pairs["AD_ROW"].implode())).lazy(), ("DATE_INT",))


@rule(DATASET, "525")
def adopted_after_reversal(ctx: Context) -> Iterable[Failures]:
    """A child whose decision to place was reversed cannot be adopted in the year."""
    reversed_ = ctx.table("PlacedAdoption").filter(filled("DATE_PLACED_CEASED"))
    ad1 = ctx.table("AD1").filter(pl.any_horizontal([pl.col(f).is_not_null() for f in AD1_FIELDS]))
    in_both = pl.col("CHILD").is_in(reversed_["CHILD"].implode()) & pl.col("CHILD").is_in(ad1["CHILD"].implode())
    yield Failures("PlacedAdoption", reversed_.lazy().filter(in_both), ("DATE_PLACED_CEASED",))
    yield Failures("AD1", ad1.lazy().filter(in_both))


def _decided(ctx: Context) -> pl.Series:
    """Children with a date of decision to place for adoption."""
    return ctx.table("PlacedAdoption").filter(filled("DATE_PLACED"))["CHILD"].implode()


@table_rule(DATASET, "551", "Episodes", fields=("PLACE",))
def placed_without_decision(ctx: Context) -> pl.Expr:
    """Placed for adoption (A3-A6) but no date of the decision to place for adoption."""
    return one_of("PLACE", ADOPTION_PLACEMENTS) & ~pl.col("CHILD").is_in(_decided(ctx))


@rule(DATASET, "552")
def decided_after_placed(ctx: Context) -> Iterable[Failures]:
    """The latest decision to place for adoption is after the first adoption placement began."""
    placed = ctx.table("PlacedAdoption").filter(filled("DATE_PLACED"))
    last = placed.lazy().filter(pl.col("DATE_PLACED") == pl.col("DATE_PLACED").max().over("CHILD"))
    first = collect(
        episodes(ctx)
        .lazy()
        .filter(one_of("PLACE", ADOPTION_PLACEMENTS))
        .filter(pl.col("DECOM") == pl.col("DECOM").min().over("CHILD"))
        .join(last.select("CHILD", "DATE_PLACED", pl.col("_row").alias("PA_ROW")), on="CHILD")
        .filter(pl.col("DECOM") < pl.col("DATE_PLACED"))
    )
    if first.is_empty():
        return
    yield Failures("Episodes", first.lazy(), ("DECOM",))
    yield Failures(
        "PlacedAdoption", placed.lazy().filter(pl.col("_row").is_in(first["PA_ROW"].implode())), ("DATE_PLACED",)
    )


@rule(DATASET, "553")
def placement_order_without_decision(ctx: Context) -> Iterable[Failures]:
    """A placement order (E1) needs a decision to place for adoption; an open E1 cannot have a reversed decision."""
    placed = ctx.table("PlacedAdoption")
    frame = ctx.table("Episodes")
    yield Failures(
        "Episodes",
        frame.lazy().filter(pl.col("LS").eq_missing("E1") & ~pl.col("CHILD").is_in(placed["CHILD"].implode())),
        ("LS",),
    )
    open_e1 = frame.filter(pl.col("LS").eq_missing("E1") & blank("DEC"))["CHILD"].implode()
    reversed_ = filled("DATE_PLACED_CEASED") | pl.col("REASON_PLACED_CEASED").is_not_null()
    yield Failures(
        "PlacedAdoption",
        placed.lazy().filter(pl.col("CHILD").is_in(open_e1) & reversed_),
        ("DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    )


@rule(DATASET, "554")
def decision_after_order(ctx: Context) -> Iterable[Failures]:
    """The decision to place for adoption is after the first placement order (E1) episode began."""
    first_e1 = episodes(ctx).lazy().filter(pl.col("LS").eq_missing("E1"))
    first_e1 = first_e1.filter(pl.col("DECOM") == pl.col("DECOM").min().over("CHILD"))
    placed = ctx.table("PlacedAdoption")
    decided = placed.lazy().select("CHILD", "DATE_PLACED", pl.col("_row").alias("PA_ROW"))
    pairs = collect(first_e1.join(decided, on="CHILD").filter(pl.col("DATE_PLACED") > pl.col("DECOM")))
    if pairs.is_empty():
        return
    yield Failures("Episodes", pairs.lazy(), ("DECOM",))
    yield Failures(
        "PlacedAdoption", placed.lazy().filter(pl.col("_row").is_in(pairs["PA_ROW"].implode())), ("DATE_PLACED",)
    )


@rule(DATASET, "1003")
def decision_before_care_started(ctx: Context) -> Iterable[Failures]:
    """The decision to place for adoption is before the child's first period of care in the return began."""
    starts = episodes(ctx).lazy().filter(pl.col("RNE").eq_missing("S"))
    first = starts.filter(pl.col("DECOM") == pl.col("DECOM").min().over("CHILD"))
    placed = ctx.table("PlacedAdoption")
    decided = placed.lazy().select("CHILD", "DATE_PLACED", pl.col("_row").alias("PA_ROW"))
    pairs = collect(first.join(decided, on="CHILD").filter(pl.col("DATE_PLACED") < pl.col("DECOM")))
    if pairs.is_empty():
        return
    yield Failures("Episodes", pairs.lazy(), ("DECOM",))
    yield Failures(
        "PlacedAdoption", placed.lazy().filter(pl.col("_row").is_in(pairs["PA_ROW"].implode())), ("DATE_PLACED",)
    )


@table_rule(DATASET, "583", "PlacedAdoption")
def earlier_decision_open(ctx: Context) -> pl.Expr:
    """More than one decision to place, but an earlier one was not reversed."""
    latest = pl.col("DATE_PLACED") == pl.col("DATE_PLACED").max().over("CHILD")
    return ~latest & blank("DATE_PLACED_CEASED")


@table_rule(DATASET, "516", "Episodes")
def sgo_not_from_foster_care(ctx: Context) -> pl.Expr:
    return one_of("REC", ["E45", "E46"]) & none_of("PLACE", FOSTER_PLACEMENTS)


@rule(DATASET, "557")
def left_without_reversal(ctx: Context) -> Iterable[Failures]:
    """A child placed for adoption or under a placement order left care without being adopted, but the decision
    to place was not recorded as reversed (date and reason)."""
    episodes_table = ctx.table("Episodes")
    # A placement order (E1); until 2023/24 also a freeing order (D1), which the rule of those years counted.
    orders = ["E1"] if ctx.year.end >= 2025 else ["D1", "E1"]
    left = episodes_table.filter(
        (one_of("PLACE", ADOPTION_PLACEMENTS) | one_of("LS", orders))
        & none_of("REC", ADOPTED).fill_null(False)
        & pl.col("REC").is_not_null()
        & pl.col("REC").ne_missing("X1")
    )
    placed = ctx.table("PlacedAdoption")
    incomplete = placed.filter(blank("DATE_PLACED_CEASED") | pl.col("REASON_PLACED_CEASED").is_null())
    no_decision = ~pl.col("CHILD").is_in(placed["CHILD"].implode())
    bad = left.filter(no_decision | pl.col("CHILD").is_in(incomplete["CHILD"].implode()))
    yield Failures("Episodes", bad.lazy(), ("REC",))
    yield Failures(
        "PlacedAdoption",
        incomplete.lazy().filter(pl.col("CHILD").is_in(bad["CHILD"].implode())),
        ("DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    )


@table_rule(DATASET, "558", "Episodes", fields=("REC",))
def adopted_after_reversals(ctx: Context) -> pl.Expr:
    """An adopted child whose decisions to place were all reversed, more than once."""
    placed = ctx.table("PlacedAdoption")
    summary = placed.group_by("CHILD").agg(
        blank("DATE_PLACED_CEASED").any().alias("OPEN"), pl.col("DATE_PLACED_CEASED").count().alias("N")
    )
    children = summary.filter(~pl.col("OPEN") & (pl.col("N") > 1))["CHILD"].implode()
    return one_of("REC", ADOPTED) & pl.col("CHILD").is_in(children)


@rule(DATASET, "582")
def adopted_on_match_day(ctx: Context) -> Iterable[Failures]:
    """The child ceased to be looked after through adoption on the day they were matched with adopters."""
    pairs = (
        ctx.lazy("Episodes")
        .filter(one_of("REC", ADOPTED))
        .join(ctx.lazy("AD1").select("CHILD", "DATE_MATCH"), on="CHILD")
    )
    yield Failures("Episodes", pairs.filter(pl.col("DEC") == pl.col("DATE_MATCH")).unique("_row"), ("DEC",))


@rule(DATASET, "601")
def adoption_details_missing(ctx: Context) -> Iterable[Failures]:
    """The child was adopted in the year but some AD1 fields are blank."""
    adopted_eps = ctx.table("Episodes").filter(pl.col("DEC").is_between(ctx.start, ctx.end) & one_of("REC", ADOPTED))
    ad1 = ctx.table("AD1").filter(pl.col("CHILD").is_in(adopted_eps["CHILD"].implode()))
    incomplete = ad1.filter(pl.any_horizontal([pl.col(f).is_null() for f in AD1_FIELDS]))
    yield Failures("AD1", incomplete.lazy())
    yield Failures(
        "Episodes", adopted_eps.lazy().filter(pl.col("CHILD").is_in(incomplete["CHILD"].implode())), ("REC",)
    )


@table_rule(DATASET, "602", "AD1", fields=("CHILD",))
def adoption_details_without_adoption(ctx: Context) -> pl.Expr:
    """AD1 details for a child whose episodes do not show an adoption during the year."""
    adopted = ctx.table("Episodes").filter(pl.col("DEC").is_between(ctx.start, ctx.end) & one_of("REC", ADOPTED))
    filled = pl.any_horizontal([pl.col(f).is_not_null() for f in AD1_FIELDS])
    return filled & ~pl.col("CHILD").is_in(adopted["CHILD"].implode())


@rule(DATASET, "579")
def decision_while_previous_open(ctx: Context) -> Iterable[Failures]:
    """A new decision to place for adoption starts while the previous decision is still open (or before it ended)."""
    frame = (
        ctx.lazy("PlacedAdoption")
        .sort("CHILD", "DATE_PLACED")
        .with_columns(
            previous_in_group("DATE_PLACED_CEASED", "CHILD").alias("PREV_CEASED"),
            previous_in_group("CHILD", "CHILD").alias("PREV_CHILD"),
        )
    )
    bad = pl.col("PREV_CHILD").is_not_null() & (
        pl.col("PREV_CEASED").is_null() | (pl.col("DATE_PLACED") < pl.col("PREV_CEASED"))
    )
    yield Failures("PlacedAdoption", frame.filter(bad), ("DATE_PLACED",))


FREED = pl.col("LS").eq_missing("D1")  # freeing order granted (no new orders since 30 December 2005)


@table_rule(DATASET, "451", "Episodes")
def still_freed_for_adoption(ctx: Context) -> pl.Expr:
    return FREED & blank("DEC") & pl.col("REC").is_null()


@table_rule(DATASET, "555", "Episodes", fields=("LS",))
def freed_without_decision(ctx: Context) -> pl.Expr:
    """A D1 (freed for adoption) episode for a child with no date of decision to place for adoption."""
    return FREED & ~pl.col("CHILD").is_in(_decided(ctx))


@rule(DATASET, "556")
def decision_after_freeing(ctx: Context) -> Iterable[Failures]:
    """The decision to place for adoption is dated after a D1 (freeing order) episode began."""
    freed = ctx.table("Episodes").filter(FREED).select("CHILD", pl.col("DECOM").alias("FREED_ON"))
    decisions = ctx.table("PlacedAdoption").join(freed, on="CHILD", how="inner")
    late = decisions.filter(pl.col("DATE_PLACED") > pl.col("FREED_ON"))
    episodes = ctx.table("Episodes").filter(FREED & pl.col("CHILD").is_in(late["CHILD"].implode()))
    yield Failures("Episodes", episodes.lazy(), ("DECOM",))
    yield Failures(
        "PlacedAdoption", late.unique([SOURCE_FILE, SOURCE_ROW], maintain_order=True).lazy(), ("DATE_PLACED",)
    )
