"""Episodes: codes, dates, how episodes chain, ages at placement and at leaving care, placement providers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from csctools.datasets.ssda903.schema import (
    ADOPTION_PLACEMENTS,
    FOSTER_PLACEMENTS,
    INDEPENDENT_LIVING,
    NO_PROVIDER_PLACEMENTS,
    WITH_CURRENT_FOSTER_CARER,
    in_year,
)
from csctools.rules.ssda903.common import (
    ADOPTED,
    DATASET,
    TEMPORARY,
    blank,
    code_rule,
    date_rule,
    episodes,
    filled,
)
from csctools.validate.blanks import none_of, one_of
from csctools.validate.context import Context
from csctools.validate.registry import Condition, frame_rule, table_rule
from csctools.validate.windows import previous_in_group

date_rule("141", "Episodes", "DECOM", required=True)
code_rule("143", "Episodes", "RNE", required=True)
code_rule("144", "Episodes", "LS", required=True)
code_rule("145", "Episodes", "CIN", required=True)
code_rule("146", "Episodes", "PLACE", required=True)
date_rule("147", "Episodes", "DEC")
code_rule("149", "Episodes", "REC")
code_rule("1009", "Episodes", "REASON_PLACE_CHANGE")

CONTINUING = ("P", "L", "T", "U", "B")
CEASED = (
    "E2",
    "E3",
    "E4A",
    "E4B",
    "E5",
    "E6",
    "E7",
    "E8",
    "E9",
    "E11",
    "E12",
    "E13",
    "E14",
    "E15",
    "E16",
    "E17",
    "E41",
    "E45",
    "E46",
    "E47",
    "E48",
)
PLACEMENT = ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")


def episode_rule(code: str, fields: tuple[str, ...] | None = None) -> Callable[[Condition], Condition]:
    """A rule over the sorted episodes (with PREV_ and NEXT_ neighbours and the Header DOB)."""
    return frame_rule(DATASET, code, "Episodes", episodes, fields)


def age_reached(years: int, on: str) -> pl.Expr:
    """The child had reached `years` of age on the date in column `on` (Header DOB)."""
    return pl.col("HEADER_DOB").dt.offset_by(f"{years}y") <= pl.col(on)


@table_rule(DATASET, "148", "Episodes")
def dec_and_rec_together(ctx: Context) -> pl.Expr:
    return blank("DEC") != pl.col("REC").is_null()


@table_rule(DATASET, "178", "Episodes")
def provider_code(ctx: Context) -> pl.Expr:
    valid = one_of("PLACE_PROVIDER", ["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"])
    needs_none = one_of("PLACE", in_year(NO_PROVIDER_PLACEMENTS, ctx.year))
    return ~((valid & ~needs_none) | pl.col("PLACE_PROVIDER").is_null())


@table_rule(DATASET, "213", "Episodes")
def provider_not_required(ctx: Context) -> pl.Expr:
    return one_of("PLACE", in_year(NO_PROVIDER_PLACEMENTS, ctx.year)) & pl.col("PLACE_PROVIDER").is_not_null()


@table_rule(DATASET, "526", "Episodes")
def provider_missing(ctx: Context) -> pl.Expr:
    return none_of("PLACE", in_year(NO_PROVIDER_PLACEMENTS, ctx.year)) & pl.col("PLACE_PROVIDER").is_null()


def provider_not_with(code: str, provider: str, places: tuple[str, ...]) -> None:
    table_rule(DATASET, code, "Episodes")(
        lambda ctx: one_of("PLACE", places) & pl.col("PLACE_PROVIDER").eq_missing(provider)
    )


provider_not_with("527", "PR1", ("P1", "R2", "R5"))
provider_not_with("528", "PR2", ("P1", "R2", "R5"))
provider_not_with("529", "PR3", (*ADOPTION_PLACEMENTS, "K1", "K2", "P1", *FOSTER_PLACEMENTS))
provider_not_with("530", "PR4", ("P1",))
provider_not_with("531", "PR5", ("P1",))


@table_rule(DATASET, "550", "Episodes")
def pr0_only_with_p1(ctx: Context) -> pl.Expr:
    return pl.col("PLACE").ne_missing("P1") & pl.col("PLACE_PROVIDER").eq_missing("PR0")


@table_rule(DATASET, "217", "Episodes")
def adoption_with_foster_carer(ctx: Context) -> pl.Expr:
    return (
        one_of("PLACE", WITH_CURRENT_FOSTER_CARER)
        & (pl.col("DECOM") >= date(2015, 4, 1))
        & none_of("RNE", ["S", "T", "U"])
    )


@table_rule(DATASET, "217t", "Episodes")
def p2_after_october_2023(ctx: Context) -> pl.Expr:
    return pl.col("PLACE").eq_missing(INDEPENDENT_LIVING) & ((pl.col("DEC") > date(2023, 10, 28)) | blank("DEC"))


@table_rule(DATASET, "233", "Episodes")
def change_reason_open_episode(ctx: Context) -> pl.Expr:
    return blank("DEC") & pl.col("REASON_PLACE_CHANGE").is_not_null()


@table_rule(DATASET, "353", "Episodes")
def before_1991(ctx: Context) -> pl.Expr:
    return pl.col("DECOM") < date(1991, 10, 14)


@table_rule(DATASET, "354", "Episodes")
def starts_after_year(ctx: Context) -> pl.Expr:
    return pl.col("DECOM") > ctx.end


@table_rule(DATASET, "385", "Episodes")
def ends_after_year(ctx: Context) -> pl.Expr:
    return pl.col("DEC") > ctx.end


@table_rule(DATASET, "355", "Episodes")
def under_a_day(ctx: Context) -> pl.Expr:
    return pl.col("DECOM") == pl.col("DEC")


@table_rule(DATASET, "356", "Episodes")
def ends_before_start(ctx: Context) -> pl.Expr:
    return pl.col("DEC") < pl.col("DECOM")


@table_rule(DATASET, "380", "Episodes")
def starts_temporary(ctx: Context) -> pl.Expr:
    return one_of("PLACE", TEMPORARY) & none_of("RNE", ["P", "B"])


@table_rule(DATASET, "381", "Episodes")
def ends_temporary(ctx: Context) -> pl.Expr:
    return one_of("PLACE", TEMPORARY) & pl.col("REC").ne_missing("X1") & pl.col("REC").is_not_null()


@table_rule(DATASET, "392d", "Episodes")
def home_is_placement(ctx: Context) -> pl.Expr:
    return pl.col("PLACE").ne_missing("P1") & (pl.col("HOME_POST") == pl.col("PL_POST"))


@table_rule(DATASET, "445", "Episodes")
def d1_after_2005(ctx: Context) -> pl.Expr:
    return pl.col("LS").eq_missing("D1") & (pl.col("DECOM") >= date(2005, 12, 30))


@table_rule(DATASET, "446", "Episodes")
def e1_before_2005(ctx: Context) -> pl.Expr:
    return pl.col("LS").eq_missing("E1") & (pl.col("DECOM") < date(2005, 12, 30))


@episode_rule("142", ("DEC", "REC"))
def previous_not_ended(ctx: Context) -> pl.Expr:
    """An episode that is not the child's last has no end date or no reason it ended."""
    return (pl.col("EPISODE_NUMBER") < pl.col("EPISODES")) & (blank("DEC") | pl.col("REC").is_null())


@episode_rule("501", ("DECOM",))
def overlaps_previous(ctx: Context) -> pl.Expr:
    return pl.col("DECOM") < pl.col("PREV_DEC")


@episode_rule("388", ("REC",))
def continuation_missing(ctx: Context) -> pl.Expr:
    """X1 but the next episode does not start that day; or ceased but the next starts that day; or X1 and last."""
    has_next = pl.col("NEXT_DECOM").is_not_null()
    x1 = pl.col("REC").eq_missing("X1")
    ended = filled("DEC")
    return (
        (x1 & ended & has_next & (pl.col("DEC") != pl.col("NEXT_DECOM")))
        | (~x1 & pl.col("REC").is_not_null() & ended & has_next & (pl.col("DEC") == pl.col("NEXT_DECOM")))
        | (x1 & ended & ~has_next)
    )


@episode_rule("431", ("RNE", "DECOM"))
def started_again_same_day(ctx: Context) -> pl.Expr:
    return pl.col("RNE").eq_missing("S") & (pl.col("DECOM") <= pl.col("PREV_DEC"))


@episode_rule("432", ("RNE",))
def new_period_not_s(ctx: Context) -> pl.Expr:
    return one_of("PREV_REC", CEASED) & pl.col("RNE").ne_missing("S")


@episode_rule("433", ("RNE", "DECOM"))
def continuation_not_same_day(ctx: Context) -> pl.Expr:
    ongoing = one_of("RNE", CONTINUING) & (pl.col("EPISODE_NUMBER") > 1)
    return ongoing & ((pl.col("PREV_DEC") != pl.col("DECOM")) | pl.col("PREV_DEC").is_null())


def _placement_changed() -> pl.Expr:
    return pl.any_horizontal([pl.col(c).fill_null("") != pl.col(f"PREV_{c}").fill_null("") for c in PLACEMENT])


@episode_rule("434", ("RNE", "LS", "PLACE"))
def legal_change_only(ctx: Context) -> pl.Expr:
    follows = pl.col("EPISODE_NUMBER") > 1
    return follows & pl.col("RNE").eq_missing("L") & ((pl.col("LS") == pl.col("PREV_LS")) | _placement_changed())


@episode_rule("435", ("RNE", "LS", "PLACE"))
def placement_change_only(ctx: Context) -> pl.Expr:
    follows = pl.col("EPISODE_NUMBER") > 1
    return follows & pl.col("RNE").eq_missing("P") & ((pl.col("LS") != pl.col("PREV_LS")) | ~_placement_changed())


@episode_rule("436", ("RNE", "LS", "PLACE"))
def both_changed(ctx: Context) -> pl.Expr:
    follows = pl.col("EPISODE_NUMBER") > 1
    return follows & pl.col("RNE").eq_missing("B") & ((pl.col("LS") == pl.col("PREV_LS")) | ~_placement_changed())


@episode_rule("437", ("REC",))
def died_or_adult_then_more(ctx: Context) -> pl.Expr:
    return one_of("REC", ["E2", "E15"]) & pl.col("NEXT_DECOM").is_not_null()


@episode_rule("504", ("CIN",))
def need_changed_within_period(ctx: Context) -> pl.Expr:
    continues = pl.col("PREV_REC").eq_missing("X1") & (pl.col("PREV_DEC") == pl.col("DECOM"))
    return continues & (pl.col("CIN") != pl.col("PREV_CIN"))


@episode_rule("225", ("REASON_PLACE_CHANGE",))
def change_reason_missing(ctx: Context) -> pl.Expr:
    return (
        pl.col("REC").eq_missing("X1")
        & pl.col("REASON_PLACE_CHANGE").is_null()
        & none_of("PLACE", TEMPORARY)
        & one_of("NEXT_RNE", ["P", "B", "T", "U"])
        & none_of("NEXT_PLACE", TEMPORARY)
    )


@episode_rule("226", ("REASON_PLACE_CHANGE", "PLACE"))
def change_reason_temporary(ctx: Context) -> pl.Expr:
    previous_reason = previous_in_group("REASON_PLACE_CHANGE", "CHILD")  # episodes are sorted by child
    return one_of("PLACE", TEMPORARY) & (pl.col("REASON_PLACE_CHANGE").is_not_null() | previous_reason.is_not_null())


@episode_rule("352", ("DECOM", "RNE"))
def started_at_18(ctx: Context) -> pl.Expr:
    return pl.col("RNE").eq_missing("S") & age_reached(18, "DECOM")


@episode_rule("358", ("LS", "DECOM"))
def youth_justice_under_10(ctx: Context) -> pl.Expr:
    return one_of("LS", ["J1", "J2", "J3"]) & (pl.col("HEADER_DOB").dt.offset_by("10y") >= pl.col("DECOM"))


@episode_rule("386", ("REC",))
def adopted_at_18(ctx: Context) -> pl.Expr:
    return one_of("REC", ADOPTED) & age_reached(18, "DEC")


@episode_rule("387", ("REC",))
def independent_under_14(ctx: Context) -> pl.Expr:
    return one_of("REC", ["E5", "E6"]) & filled("DEC") & ~age_reached(14, "DEC")


@episode_rule("389", ("REC",))
def adult_services_under_16(ctx: Context) -> pl.Expr:
    return pl.col("REC").eq_missing("E7") & ~age_reached(16, "DEC")


@episode_rule("407", ("REC", "DEC"))
def sgo_after_18(ctx: Context) -> pl.Expr:
    return one_of("REC", ["E45", "E46", "E47", "E48"]) & (pl.col("HEADER_DOB").dt.offset_by("18y") < pl.col("DEC"))


@episode_rule("234", ("REASON_PLACE_CHANGE",))
def custody_under_10(ctx: Context) -> pl.Expr:
    return pl.col("REASON_PLACE_CHANGE").eq_missing("CUSTOD") & (
        pl.col("HEADER_DOB").dt.offset_by("10y") > pl.col("DECOM")
    )


@episode_rule("357", ("RNE",))
def first_episode_not_s(ctx: Context) -> pl.Expr:
    return (pl.col("EPISODE_NUMBER") == 1) & (pl.col("DECOM") >= ctx.start) & pl.col("RNE").ne_missing("S")
