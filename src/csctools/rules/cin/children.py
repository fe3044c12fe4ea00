"""Child identifiers and characteristics: UPNs, ids, dates of birth and death, sex, ethnicity, disabilities."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from csctools.datasets.cin.schema import DISABILITY_CODES, ETHNICITY_CODES, SEX_CODES
from csctools.reference.authorities import la_numbers
from csctools.rules.cin.common import DATASET, blank, filled, la_level
from csctools.validate.blanks import none_of
from csctools.validate.context import Context
from csctools.validate.registry import Failures, rule, table_rule

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
PSEUDO_LA = [f"00{n}" for n in range(1, 6)]


def _upn13() -> pl.Expr:
    return pl.col("UPN").is_not_null() & (pl.col("UPN").str.len_chars() == 13)


def _check_letter(upn: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal([upn.str.slice(i, 1).cast(pl.Int64, strict=False) * (i + 1) for i in range(1, 13)])
    return pl.lit(list(CHECK_LETTERS)).list.get(total % 23, null_on_oob=True)


@table_rule(DATASET, "1510", "ChildIdentifiers")
def upn_check_letter(ctx: Context) -> pl.Expr:
    digits = pl.col("UPN").str.slice(1, 12).str.contains(r"^\d{12}$")
    return _upn13() & digits & (pl.col("UPN").str.slice(0, 1) != _check_letter(pl.col("UPN")))


@table_rule(DATASET, "1530", "ChildIdentifiers")
def upn_la_code(ctx: Context) -> pl.Expr:
    return _upn13() & ~pl.col("UPN").str.slice(1, 3).is_in([*la_numbers(), *PSEUDO_LA])


@table_rule(DATASET, "1540", "ChildIdentifiers")
def upn_digits(ctx: Context) -> pl.Expr:
    return _upn13() & ~pl.col("UPN").str.slice(4, 8).str.contains(r"^\d{8}$")


@table_rule(DATASET, "1550", "ChildIdentifiers")
def upn_last_character(ctx: Context) -> pl.Expr:
    return _upn13() & ~pl.col("UPN").str.slice(12, 1).str.contains(r"^[A-HJ-NP-RT-Z0-9]$")


@table_rule(DATASET, "1560Q", "ChildIdentifiers")
def former_upn_format(ctx: Context) -> pl.Expr:
    return pl.col("FormerUPN").is_not_null() & ~pl.col("FormerUPN").str.contains(r"^[A-Z]\d{11}[A-Z0-9]$")


@table_rule(DATASET, "1520", "ChildIdentifiers")
def upn_duplicated(ctx: Context) -> pl.Expr:
    return pl.col("UPN").is_not_null() & pl.col("UPN").is_duplicated()


@table_rule(DATASET, "1570", "ChildIdentifiers")
def child_id_too_long(ctx: Context) -> pl.Expr:
    return pl.col("LAchildID").str.len_chars() > 20


@table_rule(DATASET, "1580", "ChildIdentifiers")
def child_id_characters(ctx: Context) -> pl.Expr:
    return ~pl.col("LAchildID").str.contains(r"^[A-Za-z0-9]*$")


@table_rule(DATASET, "8500", "ChildIdentifiers")
def child_id_missing(ctx: Context) -> pl.Expr:
    return pl.col("LAchildID").is_null()


@table_rule(DATASET, "8510", "ChildIdentifiers")
def child_id_duplicated(ctx: Context) -> pl.Expr:
    return pl.col("LAchildID").is_not_null() & pl.col("LAchildID").is_duplicated()


@table_rule(DATASET, "4180", "ChildIdentifiers")
def sex_code(ctx: Context) -> pl.Expr:
    """Sex must be M, F or U (from 2024/25; GenderCurrent 0, 1, 2 or 9 before)."""
    if ctx.year.end >= 2025:
        return ~pl.col("Sex").is_in(list(SEX_CODES.values)).fill_null(False)
    return none_of("GenderCurrent", ["0", "1", "2", "9"]).fill_null(False)


@table_rule(DATASET, "8750", "ChildIdentifiers")
def unborn_sex(ctx: Context) -> pl.Expr:
    unborn = blank("PersonBirthDate") & filled("ExpectedPersonBirthDate")
    if ctx.year.end >= 2025:
        return unborn & (pl.col("Sex").fill_null("") != "U")
    return unborn & (pl.col("GenderCurrent").fill_null("") != "0")


@table_rule(DATASET, "8520", "ChildIdentifiers")
def born_after_census(ctx: Context) -> pl.Expr:
    return pl.col("PersonBirthDate") > ctx.end


@table_rule(DATASET, "8525Q", "ChildIdentifiers")
def one_birth_date(ctx: Context) -> pl.Expr:
    return blank("PersonBirthDate") == blank("ExpectedPersonBirthDate")


@table_rule(DATASET, "8530Q", "ChildIdentifiers")
def expected_birth_window(ctx: Context) -> pl.Expr:
    earliest = date.fromordinal(ctx.end.toordinal() - 30)
    latest = pl.lit(ctx.end).dt.offset_by("9mo")
    expected = pl.col("ExpectedPersonBirthDate")
    return (expected >= latest) | (expected <= earliest)


@table_rule(DATASET, "8535Q", "ChildIdentifiers")
def died_before_birth(ctx: Context) -> pl.Expr:
    return pl.col("PersonDeathDate") < pl.col("PersonBirthDate")


@table_rule(DATASET, "8545Q", "ChildIdentifiers")
def death_outside_census(ctx: Context) -> pl.Expr:
    return filled("PersonDeathDate") & ~pl.col("PersonDeathDate").is_between(ctx.start, ctx.end)


@table_rule(DATASET, "4220", "ChildCharacteristics")
def ethnicity(ctx: Context) -> pl.Expr:
    return ~pl.col("Ethnicity").is_in(list(ETHNICITY_CODES.values)).fill_null(False)


@table_rule(DATASET, "8790", "Disabilities")
def none_and_others(ctx: Context) -> pl.Expr:
    has_none = pl.col("Disability").eq_missing("NONE").any().over("LAchildID")
    has_other = (pl.col("Disability") != "NONE").any().over("LAchildID")
    return has_none & has_other


@table_rule(DATASET, "8794", "Disabilities")
def disability_repeated(ctx: Context) -> pl.Expr:
    return pl.struct("LAchildID", "Disability").is_duplicated() & pl.col("Disability").is_not_null()


@rule(DATASET, "8540")
def disability_code(ctx: Context) -> Iterable[Failures]:
    """A disability code is not in the code set, or a child with a referral that led to action has no disability
    recorded (NONE where there is none)."""
    disabilities = ctx.table("Disabilities")
    yield Failures(
        "Disabilities",
        disabilities.lazy().filter(~pl.col("Disability").is_in(list(DISABILITY_CODES.values)).fill_null(False)),
    )
    acted = ctx.table("CINdetails").filter(pl.col("ReferralNFA").eq(False))["LAchildID"].implode()
    children = ctx.table("ChildIdentifiers").filter(
        filled("PersonBirthDate")
        & pl.col("LAchildID").is_in(acted)
        & ~pl.col("LAchildID").is_in(disabilities["LAchildID"].implode())
    )
    yield Failures("ChildIdentifiers", children.lazy(), ("LAchildID",))


@rule(DATASET, "2887Q")
def few_disability_codes(ctx: Context) -> Iterable[Failures]:
    """Fewer than 8 different disability codes are used in the return (a query about the whole return; the
    reference counts NONE codes instead)."""
    used = ctx.table("Disabilities").filter(pl.col("Disability") != "NONE")["Disability"].n_unique()
    if used < 8:
        yield Failures("Disabilities", la_level("Disability", f"{used} codes used").lazy(), ("Disability",))


@rule(DATASET, "2888Q")
def one_disability_each(ctx: Context) -> Iterable[Failures]:
    """No child has more than one disability code (a query about the whole return)."""
    codes = ctx.table("Disabilities").filter(pl.col("Disability") != "NONE")
    most = int(codes.group_by("LAchildID").len()["len"].max() or 0) if codes.height else 0  # type: ignore[arg-type]
    if codes.height and most <= 1:
        yield Failures("Disabilities", la_level("Disability", "at most one code per child").lazy(), ("Disability",))


@rule(DATASET, "2886Q")
def sex_not_recorded(ctx: Context) -> Iterable[Failures]:
    """More than 2% of born children have no sex recorded (or U) (a query about the whole return)."""
    children = ctx.table("ChildIdentifiers")
    if children.is_empty():
        return
    field = "Sex" if ctx.year.end >= 2025 else "GenderCurrent"
    unknown = "U" if field == "Sex" else "0"
    missing = children.filter(
        (pl.col(field).is_null() | (pl.col(field) == unknown)) & blank("ExpectedPersonBirthDate")
    ).height
    if missing / children.height > 0.02:
        yield Failures(
            "ChildIdentifiers", la_level(field, f"{missing / children.height:.1%} not recorded").lazy(), (field,)
        )


@rule(DATASET, "8775Q")
def over_25(ctx: Context) -> Iterable[Failures]:
    """A child is over 25 years old (at the reference date)."""
    children = ctx.table("ChildIdentifiers")
    yield Failures(
        "ChildIdentifiers",
        children.lazy().filter(pl.col("PersonBirthDate").dt.offset_by("25y") < ctx.end),
        ("PersonBirthDate",),
    )


@rule(DATASET, "8590")
def no_cin_episode(ctx: Context) -> Iterable[Failures]:
    """A child has no CINdetails episode."""
    with_episodes = ctx.table("CINdetails")["LAchildID"].implode()
    yield Failures(
        "ChildIdentifiers",
        ctx.table("ChildIdentifiers").filter(~pl.col("LAchildID").is_in(with_episodes)).lazy(),
        ("LAchildID",),
    )


@rule(DATASET, "8772")
def un7_with_action(ctx: Context) -> Iterable[Failures]:
    """UPN unknown reason UN7 (referral with no further action), but an episode is not an NFA referral."""
    # a referral not marked as no further action (true) went on to action: a blank flag is not "no further action"
    acted = ctx.table("CINdetails").filter(pl.col("ReferralNFA").ne_missing(True))["LAchildID"].implode()
    children = ctx.table("ChildIdentifiers").filter(
        pl.col("UPNunknown").eq_missing("UN7") & pl.col("LAchildID").is_in(acted)
    )
    yield Failures("ChildIdentifiers", children.lazy(), ("UPNunknown",))


@rule(DATASET, "8770Q")
def school_age_without_upn(ctx: Context) -> Iterable[Failures]:
    """A child of school age, with a referral that led to action, has no UPN and no valid reason (UN2-UN7).

    From 2024/25 school age counts from the start of the school year after the census (reference date plus 4 months
    and 31 days, less 6 years); until 2023/24 the child was born at least 6 years before the reference date."""
    reference = pl.lit(ctx.end)
    school_start = reference.dt.offset_by("4mo").dt.offset_by("31d") if ctx.year.end >= 2025 else reference
    school_start = school_start.dt.offset_by("-6y")
    acted = ctx.table("CINdetails").filter(pl.col("ReferralNFA").eq(False))["LAchildID"].implode()
    children = ctx.table("ChildIdentifiers").filter(
        (pl.col("PersonBirthDate") <= school_start)
        & pl.col("LAchildID").is_in(acted)
        & pl.col("UPN").is_null()
        & none_of("UPNunknown", ["UN2", "UN3", "UN4", "UN5", "UN6", "UN7"]).fill_null(False)
    )
    yield Failures("ChildIdentifiers", children.lazy(), ("UPN", "UPNunknown"))
