"""Header: sex, date of birth, ethnicity, UPN, motherhood."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from csctools.datasets.ssda903.schema import RESPITE_LEGAL_STATUSES
from csctools.rules.ssda903.common import DATASET, blank, code_rule, date_rule, episodes, filled
from csctools.validate.blanks import none_of, one_of
from csctools.validate.context import Context
from csctools.validate.registry import Failures, rule, table_rule

code_rule("101", "Header", "SEX", required=True)
date_rule("102", "Header", "DOB", required=True)
code_rule("103", "Header", "ETHNIC", required=True)
date_rule("171", "Header", "MC_DOB")

UPN_PATTERN = r"^(([A-HJ-NP-RT-Z][0-9]{12})|([A-HJ-NP-RT-Z][0-9]{11}[A-Z])|(UN[1-5]))$"


@table_rule(DATASET, "105", "Header")
def uasc_flag(ctx: Context) -> pl.Expr:
    return none_of("UASC", ["0", "1"]) | pl.col("UASC").is_null()


@table_rule(DATASET, "168", "Header")
def upn_format(ctx: Context) -> pl.Expr:
    return pl.col("UPN").is_not_null() & ~pl.col("UPN").str.contains(UPN_PATTERN)


@table_rule(DATASET, "174", "Header")
def male_mother(ctx: Context) -> pl.Expr:
    return one_of("SEX", ["M", "1"]) & filled("MC_DOB")


@table_rule(DATASET, "232", "Header")
def sex_unknown(ctx: Context) -> pl.Expr:
    return pl.col("SEX").eq_missing("U")


@table_rule(DATASET, "301", "Header")
def born_after_year(ctx: Context) -> pl.Expr:
    return pl.col("DOB") > ctx.end


@table_rule(DATASET, "351", "Header")
def over_25(ctx: Context) -> pl.Expr:
    return pl.col("DOB").dt.offset_by("25y") < ctx.start


@table_rule(DATASET, "611", "Header")
def mother_without_child_dob(ctx: Context) -> pl.Expr:
    return pl.col("MOTHER").eq_missing("1") & blank("MC_DOB")


@table_rule(DATASET, "612", "Header")
def child_dob_not_mother(ctx: Context) -> pl.Expr:
    female = one_of("SEX", ["F", "2"])
    return female & (pl.col("MOTHER").eq_missing("0") | pl.col("MOTHER").is_null()) & filled("MC_DOB")


@table_rule(DATASET, "620", "Header")
def mother_under_11(ctx: Context) -> pl.Expr:
    return pl.col("MOTHER").eq_missing("1") & (pl.col("DOB").dt.offset_by("11y") > ctx.start)


@table_rule(DATASET, "621", "Header")
def mother_younger_than_child(ctx: Context) -> pl.Expr:
    return pl.col("MC_DOB") <= pl.col("DOB")


@table_rule(DATASET, "209", "Header")
def school_age_un1(ctx: Context) -> pl.Expr:
    reference = date(ctx.start.year - 1, 8, 31)
    return pl.col("UPN").eq_missing("UN1") & (pl.col("DOB").dt.offset_by("4y") <= reference)


@rule(DATASET, "302")
def first_episode_before_birth(ctx: Context) -> Iterable[Failures]:
    bad = episodes(ctx).filter((pl.col("EPISODE_NUMBER") == 1) & (pl.col("DECOM") < pl.col("HEADER_DOB")))
    yield Failures("Episodes", bad.lazy(), ("DECOM",))
    yield Failures("Header", ctx.lazy("Header").filter(pl.col("CHILD").is_in(bad["CHILD"].implode())), ("DOB",))


@table_rule(DATASET, "444", "Header")
def duplicate_upn(ctx: Context) -> pl.Expr:
    known = pl.col("UPN").is_not_null() & ~pl.col("UPN").str.starts_with("UN")
    return known & pl.col("UPN").is_duplicated()


@table_rule(DATASET, "442", "Header", fields=("UPN",))
def upn_missing(ctx: Context) -> pl.Expr:
    """No UPN for a child with an episode other than a short break (children only ever in respite are exempt)."""
    not_respite = episodes(ctx).filter(none_of("LS", RESPITE_LEGAL_STATUSES))
    return pl.col("CHILD").is_in(not_respite["CHILD"].unique().implode()) & pl.col("UPN").is_null()
