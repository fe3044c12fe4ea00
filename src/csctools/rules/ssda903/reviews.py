"""Reviews: dates and participation codes against the child's age."""

from __future__ import annotations

import polars as pl

from csctools.rules.ssda903.common import DATASET, blank, filled
from csctools.validate.blanks import one_of
from csctools.validate.context import Context
from csctools.validate.registry import table_rule


@table_rule(DATASET, "166", "Reviews")
def review_date(ctx: Context) -> pl.Expr:
    return pl.col("REVIEW").is_null()  # blank, or not a valid date


@table_rule(DATASET, "167", "Reviews")
def participation_code(ctx: Context) -> pl.Expr:
    valid = one_of("REVIEW_CODE", [f"PN{n}" for n in range(8)])
    return ~((filled("REVIEW") & valid) | (blank("REVIEW") & pl.col("REVIEW_CODE").is_null()))


@table_rule(DATASET, "440", "Reviews")
def pn0_over_4(ctx: Context) -> pl.Expr:
    return pl.col("REVIEW_CODE").eq_missing("PN0") & (pl.col("REVIEW") > pl.col("DOB").dt.offset_by("4y"))


@table_rule(DATASET, "441", "Reviews")
def participation_under_4(ctx: Context) -> pl.Expr:
    spoke = one_of("REVIEW_CODE", [f"PN{n}" for n in range(1, 8)])
    return spoke & (pl.col("REVIEW") < pl.col("DOB").dt.offset_by("4y"))
