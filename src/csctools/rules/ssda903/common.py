"""Building blocks shared by the SSDA903 rules: ages, code lists by year, episode neighbours, children in care."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from csctools.datasets.ssda903.schema import (
    ADOPTED_REASONS,
    RESPITE_LEGAL_STATUSES,
    SSDA903,
    TEMPORARY_PLACEMENTS,
)
from csctools.model import RAW_SUFFIX
from csctools.validate.blanks import Completion, code_list, one_of
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import Failures, rule, table_rule
from csctools.validate.windows import position_in_group

COMPLETION = Completion(SSDA903.typed_columns())
filled, blank = COMPLETION.filled, COMPLETION.blank  # a value that did not parse is not a blank


DATASET = "ssda903"
TEMPORARY = TEMPORARY_PLACEMENTS
ADOPTED = ADOPTED_REASONS


def age(dob: pl.Expr, on: pl.Expr | date) -> pl.Expr:
    """Whole years between a date of birth and a day (the age on that day)."""
    day = pl.lit(on) if isinstance(on, date) else on
    before_birthday = (day.dt.month() < dob.dt.month()) | (
        (day.dt.month() == dob.dt.month()) & (day.dt.day() < dob.dt.day())
    )
    return day.dt.year() - dob.dt.year() - before_birthday.cast(pl.Int32)


def not_parsed(field: str) -> pl.Expr:
    """The cell held text that is not a valid value of the column's type."""
    return pl.col(field + RAW_SUFFIX).is_not_null()


def in_codes(ctx: Context, table: str, field: str) -> pl.Expr:
    codes = SSDA903.table(table).column(field).codes_for(ctx.year) or ()
    return pl.col(field).is_in(code_list(codes))


def code_rule(code: str, table: str, field: str, required: bool = False) -> None:
    """Fails where a value is not in the field's code list for the year (or, if required, is blank)."""

    def condition(ctx: Context) -> pl.Expr:
        bad = pl.col(field).is_not_null() & ~in_codes(ctx, table, field)
        return bad | pl.col(field).is_null() if required else bad

    table_rule(DATASET, code, table)(condition)


def date_rule(code: str, table: str, field: str, required: bool = False) -> None:
    """Fails where a date cell does not hold a valid date (or, if required, is blank)."""

    def condition(ctx: Context) -> pl.Expr:
        bad = not_parsed(field)
        return bad | pl.col(field).is_null() if required else bad

    table_rule(DATASET, code, table)(condition)


@per_return
def header_dob(ctx: Context) -> pl.DataFrame:
    header = ctx.table("Header")
    dob = [pl.col("DOB").alias("HEADER_DOB")] if "DOB" in header.columns else []  # a file may lack it (gaps.py)
    return header.select("CHILD", *dob).unique("CHILD", keep="first")


NEIGHBOUR_COLUMNS = ("DECOM", "DEC", "REC", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "PL_POST", "URN", "CIN")


@per_return
def episodes(ctx: Context) -> pl.DataFrame:
    """Episodes sorted by child and start, with the previous and next episode's fields alongside."""
    frame = ctx.lazy("Episodes").filter(pl.col("DECOM").is_not_null()).sort("CHILD", "DECOM")
    present = ctx.table("Episodes").columns  # a column the file lacks has no neighbours (validate/gaps.py)
    neighbour = [c for c in NEIGHBOUR_COLUMNS if c in present]
    # Sorted by child, so a plain shift is the neighbouring episode when it belongs to the same child.
    same_before = pl.col("CHILD").shift(1) == pl.col("CHILD")
    same_after = pl.col("CHILD").shift(-1) == pl.col("CHILD")
    frame = frame.with_columns(
        *(pl.when(same_before).then(pl.col(c).shift(1)).alias(f"PREV_{c}") for c in neighbour),
        *(pl.when(same_after).then(pl.col(c).shift(-1)).alias(f"NEXT_{c}") for c in neighbour),
        (position_in_group("CHILD") + 1).alias("EPISODE_NUMBER"),
        pl.len().over("CHILD").alias("EPISODES"),
    )
    return collect(frame.join(header_dob(ctx).lazy(), on="CHILD", how="left"))


@per_return
def looked_after_12_months(ctx: Context) -> pl.Series:
    """Children looked after continuously for at least 12 months at 31 March (the DfE's definition).

    In care at some point in the year, and no episode that starts a period of care after 1 April (RNE S), ends
    one before 31 March (REC other than X1) or is respite (V3, V4) during the year.
    """
    frame = ctx.table("Episodes")
    during = (pl.col("DECOM") <= ctx.end) & ((pl.col("DEC") >= ctx.start) | pl.col("DEC").is_null())
    enters = pl.col("RNE").eq_missing("S") & (pl.col("DECOM") > ctx.start) & (pl.col("DECOM") <= ctx.end)
    leaves = (pl.col("REC").fill_null("") != "X1") & (pl.col("DEC") >= ctx.start) & (pl.col("DEC") < ctx.end)
    respite = one_of("LS", RESPITE_LEGAL_STATUSES) & during
    return (
        frame.group_by("CHILD")
        .agg(
            during.fill_null(False).any().alias("in_care"),
            (enters | leaves | respite).fill_null(False).any().alias("broken"),
        )
        .filter(pl.col("in_care") & ~pl.col("broken"))
        .get_column("CHILD")
    )


@per_return
def with_cla12(ctx: Context, table: str) -> pl.DataFrame:
    """A table's rows with CLA12 (looked after continuously for 12 months) and the child's age columns."""
    cla = looked_after_12_months(ctx).implode()
    return ctx.table(table).with_columns(pl.col("CHILD").is_in(cla).alias("CLA12"))


def fail_rows(table: str, rows: pl.DataFrame, fields: Iterable[str] | None = None) -> Failures:
    return Failures(table, rows.lazy(), tuple(fields) if fields is not None else None)


__all__ = ["DATASET", "Context", "Failures", "age", "code_rule", "date_rule", "in_codes", "rule", "table_rule"]


@per_return
def first_episodes(ctx: Context) -> pl.DataFrame:
    """Each child's first episode this year (the earliest DECOM; of a tie, the first row)."""
    episodes = ctx.lazy("Episodes").filter(pl.col("DECOM").is_not_null())
    return collect(
        episodes.filter(pl.col("DECOM") == pl.col("DECOM").min().over("CHILD")).unique("CHILD", keep="first")
    )


@per_return
def open_at_end_of_last_year(ctx: Context) -> pl.DataFrame:
    """Each child's latest episode in last year's return (of a tie, the first row), where it was still open."""
    last = ctx.last_year_lazy("Episodes").filter(pl.col("DECOM").is_not_null())
    latest = last.filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD")).unique("CHILD", keep="first")
    return collect(latest.filter(blank("DEC")))
