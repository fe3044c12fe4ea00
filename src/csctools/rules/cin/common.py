"""Building blocks for the CIN census rules: joins between the linked tables, the census period, LA-level issues."""

from __future__ import annotations

import polars as pl

from csctools.datasets.cin.schema import CIN
from csctools.model import SOURCE_ROW
from csctools.validate.blanks import Completion
from csctools.validate.context import Context, collect, per_return
from csctools.validate.windows import previous_in_group

COMPLETION = Completion(CIN.typed_columns())
filled, blank = COMPLETION.filled, COMPLETION.blank  # a value that did not parse is not a blank


DATASET = "cin"
CIN_KEY = ["LAchildID", "CINdetailsID"]
TRUE_OR_FALSE = ("TRUE", "FALSE", "1", "0")


@per_return
def details(ctx: Context) -> pl.DataFrame:
    """CINdetails with the child's dates of birth and death (and other identifiers) alongside."""
    return with_child(ctx, "CINdetails")


@per_return
def with_episode(ctx: Context, table: str) -> pl.DataFrame:
    """Rows of a table under CINdetails, with their episode's referral, closure, NFA flag and reason alongside."""
    episode = (
        ctx.lazy("CINdetails")
        .select(
            *CIN_KEY,
            "CINreferralDate",
            "CINclosureDate",
            "ReasonForClosure",
            "ReferralNFA",
            pl.col("DateOfInitialCPC").alias("CIN_ICPC"),
            pl.col(SOURCE_ROW).alias("CIN_ROW"),
        )
        .unique(CIN_KEY, keep="first")
    )
    return collect(ctx.lazy(table).join(episode, on=CIN_KEY, how="left"))


@per_return
def with_child(ctx: Context, table: str) -> pl.DataFrame:
    child = (
        ctx.lazy("ChildIdentifiers")
        .select(
            "LAchildID",
            "PersonBirthDate",
            "ExpectedPersonBirthDate",
            "PersonDeathDate",
            "Sex",
            "GenderCurrent",
            "UPNunknown",
        )
        .unique("LAchildID", keep="first")
    )
    return collect(ctx.lazy(table).join(child, on="LAchildID", how="left"))


def la_level(field: str, value: str) -> pl.DataFrame:
    """A one-row frame for an issue about the whole return rather than one row."""
    return pl.DataFrame({field: [value], "LAchildID": [None]}, schema={field: pl.String, "LAchildID": pl.String})


def in_census(column: str, ctx: Context) -> pl.Expr:
    return pl.col(column).is_between(ctx.start, ctx.end)


def overlapping(
    frame: pl.DataFrame | pl.LazyFrame, start: str, end: str, key: str | list[str] = "LAchildID"
) -> pl.LazyFrame:
    """Rows that begin before the previous row of the same child (or `key`), by start date, has ended, or while it
    is open."""
    keys = [key] if isinstance(key, str) else key
    ordered = (
        frame.lazy()
        .sort(*keys, start)
        .with_columns(
            previous_in_group(end, key).alias("PREV_END"),
            previous_in_group(start, key).alias("PREV_START"),
        )
    )
    follows = pl.col("PREV_START").is_not_null()
    return ordered.filter(follows & (pl.col("PREV_END").is_null() | (pl.col(start) < pl.col("PREV_END"))))
