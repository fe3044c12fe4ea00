"""DoLo (2026/27): Deprivation of Liberty orders."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.rules.ssda903.common import DATASET, blank, date_rule, filled
from csctools.validate.blanks import none_of, one_of
from csctools.validate.context import Context, collect
from csctools.validate.registry import Failures, rule, table_rule
from csctools.validate.windows import previous_in_group

date_rule("700", "DoLo", "DOLO_START", required=True)
date_rule("701", "DoLo", "DOLO_END")
ALLOWED_PLACEMENTS = ("K2", "Z12", "Z13")
FORBIDDEN_PLACEMENTS = ("K1", "P1", "R5", "K3")


@table_rule(DATASET, "702", "DoLo")
def ends_before_start(ctx: Context) -> pl.Expr:
    return pl.col("DOLO_END") <= pl.col("DOLO_START")


@table_rule(DATASET, "703", "DoLo")
def starts_after_year(ctx: Context) -> pl.Expr:
    return pl.col("DOLO_START") > ctx.end


@table_rule(DATASET, "704", "DoLo")
def ends_outside_year(ctx: Context) -> pl.Expr:
    return (pl.col("DOLO_END") > ctx.end) | (pl.col("DOLO_END") < ctx.start)


@table_rule(DATASET, "708", "DoLo")
def before_birth(ctx: Context) -> pl.Expr:
    return pl.col("DOLO_START") <= pl.col("DOB")


@rule(DATASET, "705")
def overlapping_orders(ctx: Context) -> Iterable[Failures]:
    """A DoLO starts while the previous one is still open or before it ended."""
    frame = ctx.lazy("DoLo").with_columns(pl.coalesce("DOLO_END", "DOLO_START").alias("END_FILL"))
    frame = frame.sort("CHILD", "END_FILL", "DOLO_START").with_columns(
        previous_in_group("DOLO_END", "CHILD").alias("PREV_END"),
        previous_in_group("CHILD", "CHILD").alias("PREV_CHILD"),
    )
    bad = pl.col("PREV_CHILD").is_not_null() & (
        pl.col("PREV_END").is_null() | (pl.col("DOLO_START") < pl.col("PREV_END"))
    )
    yield Failures("DoLo", frame.lazy().filter(bad), ("DOLO_START",))


def _overlaps(ctx: Context) -> pl.DataFrame:
    dolo = ctx.table("DoLo").filter(filled("DOLO_START") & filled("DOLO_END"))
    episodes = ctx.table("Episodes").select("CHILD", "DECOM", "DEC", "PLACE", pl.col("_row").alias("EP_ROW"))
    return dolo.join(episodes, on="CHILD").filter(
        ((pl.col("DOLO_START") <= pl.col("DEC")) | pl.col("DEC").is_null()) & (pl.col("DOLO_END") >= pl.col("DECOM"))
    )


def _placement_rule(code: str, bad: pl.Expr, doc: str) -> None:
    def check(ctx: Context) -> Iterable[Failures]:
        hits = _overlaps(ctx).filter(bad)
        yield Failures("DoLo", hits.unique("_row").lazy(), ("DOLO_START",))
        yield Failures(
            "Episodes", ctx.table("Episodes").filter(pl.col("_row").is_in(hits["EP_ROW"].implode())).lazy(), ("PLACE",)
        )

    check.__doc__ = doc
    rule(DATASET, code)(check)


_placement_rule(
    "709",
    none_of("PLACE", ALLOWED_PLACEMENTS),
    "A DoLO overlaps a placement other than K2, Z12 or Z13 (the reference reads a PLACEMENT column "
    "that does not exist; csctools uses PLACE).",
)
_placement_rule(
    "710",
    one_of("PLACE", FORBIDDEN_PLACEMENTS),
    "A DoLO overlaps a placement in a secure home, with parents, a young offender institution or "
    "supported accommodation (K1, P1, R5, K3).",
)


@rule(DATASET, "706", needs=("prev_year",))
def open_order_not_carried_over(ctx: Context) -> Iterable[Failures]:
    """A DoLO open at the end of last year is not in this year's DoLo table with the same start date (flagged on
    the child's Header row, as the missing DoLO has no row of its own)."""
    still_open = ctx.last_year_lazy("DoLo").filter(blank("DOLO_END") & filled("DOLO_START"))
    carried = ctx.lazy("DoLo").select("CHILD", "DOLO_START").unique()
    missing = still_open.select("CHILD", "DOLO_START").join(carried, on=["CHILD", "DOLO_START"], how="anti")
    header = ctx.table("Header").filter(pl.col("CHILD").is_in(collect(missing)["CHILD"].implode()))
    yield Failures("Header", header.lazy(), ("CHILD",))


@rule(DATASET, "707", reads=("Episodes",))
def open_order_after_care_ended(ctx: Context) -> Iterable[Failures]:
    """The child's latest episode has ended (not a placement change) but a DoLO has no end date."""
    episodes = ctx.table("Episodes").sort("CHILD", "DECOM", nulls_last=True)
    latest = episodes.group_by("CHILD", maintain_order=True).last()
    left_care = latest.filter(filled("DEC") & pl.col("REC").ne_missing("X1"))["CHILD"].implode()
    open_orders = ctx.table("DoLo").filter(blank("DOLO_END") & pl.col("CHILD").is_in(left_care))
    yield Failures("DoLo", open_orders.lazy(), ("DOLO_END",))
