"""SWEpisodes (from 2023/24): the social worker episodes of each child."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import polars as pl

from csctools.datasets.ssda903.schema import RESPITE_LEGAL_STATUSES, SSDA903
from csctools.rules.ssda903.common import DATASET, blank, date_rule, filled
from csctools.validate.blanks import none_of
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import Failures, frame_rule, rule, table_rule
from csctools.validate.windows import next_in_group, position_in_group, previous_in_group

date_rule("SW04STG1", "SWEpisodes", "SW_DECOM")
date_rule("SW05STG1", "SWEpisodes", "SW_DEC")
APRIL_2023 = date(2023, 4, 1)


@per_return
def sorted_episodes(ctx: Context) -> pl.DataFrame:
    """Social worker episodes in order per child, with the previous episode's end, the next one's start, the
    episode's number and the child's count."""
    frame = ctx.table("SWEpisodes").sort("CHILD", "SW_DECOM", "SW_DEC", nulls_last=True)
    return frame.with_columns(
        previous_in_group("SW_DEC", "CHILD").alias("PREV_SW_DEC"),
        next_in_group("SW_DECOM", "CHILD").alias("NEXT_SW_DECOM"),
        pl.when(filled("SW_DECOM")).then(position_in_group("CHILD") + 1).alias("NUMBER"),
        pl.len().over("CHILD").alias("COUNT"),
    )


@table_rule(DATASET, "SW01aSTG1", "SWEpisodes")
def complete_before_2023(ctx: Context) -> pl.Expr:
    return ((pl.col("SW_DECOM") < APRIL_2023) & pl.col("SW_ID").is_null()) | blank("SW_DECOM")


@table_rule(DATASET, "SW01bSTG1", "SWEpisodes")
def complete_from_2023(ctx: Context) -> pl.Expr:
    missing = pl.col("SW_ID").is_null() | pl.col("SW_REASON").is_null()
    return ((pl.col("SW_DECOM") >= APRIL_2023) & missing) | blank("SW_DECOM")


@table_rule(DATASET, "SW13STG1", "SWEpisodes")
def change_reason(ctx: Context) -> pl.Expr:
    """The reason is not a valid code; blank is an error too: in 2023/24 ("not valid or has not been entered"),
    and from 2024/25 for episodes that began on or after 1 April 2023 (earlier episodes may have no reason)."""
    codes = SSDA903.table("SWEpisodes").column("SW_REASON").codes_for(ctx.year) or ()
    invalid = pl.col("SW_REASON").is_not_null() & none_of("SW_REASON", codes)
    missing = pl.col("SW_REASON").is_null()
    if ctx.year.end >= 2025:
        missing = missing & (pl.col("SW_DECOM") >= APRIL_2023).fill_null(False)
    return invalid | missing


@table_rule(DATASET, "SW02STG1", "SWEpisodes")
def id_prefix(ctx: Context) -> pl.Expr:
    """The ID does not begin SW or XX (from 2025/26, or is shorter than 4 characters)."""
    bad = ~pl.col("SW_ID").str.slice(0, 2).is_in(["SW", "XX"]).fill_null(False)
    if ctx.year.end >= 2026:
        bad = bad | (pl.col("SW_ID").str.len_chars() < 4).fill_null(False)
    return bad


@table_rule(DATASET, "SW03STG1", "SWEpisodes")
def complete(ctx: Context) -> pl.Expr:
    return pl.col("SW_ID").is_null() | blank("SW_DECOM") | pl.col("SW_REASON").is_null()


@table_rule(DATASET, "SW06STG2", "SWEpisodes")
def starts_after_year(ctx: Context) -> pl.Expr:
    return pl.col("SW_DECOM") > ctx.end


@table_rule(DATASET, "SW07STG2", "SWEpisodes")
def ends_outside_window(ctx: Context) -> pl.Expr:
    # 2023/24, the first year of the table: this year only; from 2024/25, since the start of the year before.
    earliest = ctx.start if ctx.year.end <= 2024 else date(ctx.start.year - 1, ctx.start.month, ctx.start.day)
    return (pl.col("SW_DEC") < earliest) | (pl.col("SW_DEC") > ctx.end)


@table_rule(DATASET, "SW09STG2", "SWEpisodes")
def under_a_day(ctx: Context) -> pl.Expr:
    return pl.col("SW_DEC") == pl.col("SW_DECOM")


@table_rule(DATASET, "SW18STG2", "SWEpisodes")
def ends_before_start(ctx: Context) -> pl.Expr:
    return pl.col("SW_DEC") < pl.col("SW_DECOM")


@table_rule(DATASET, "SW19STG2", "SWEpisodes")
def same_start(ctx: Context) -> pl.Expr:
    return pl.struct("CHILD", "SW_DECOM").is_duplicated() & filled("SW_DECOM")


def _after_the_first(ctx: Context) -> pl.Expr:
    return pl.col("NUMBER") > 1


@frame_rule(DATASET, "SW08STG2", "SWEpisodes", sorted_episodes, fields=("SW_DEC",))
def previous_not_ended(ctx: Context) -> pl.Expr:
    """A social worker episode that is not the child's latest has no end date."""
    return (pl.col("NUMBER") < pl.col("COUNT")) & blank("SW_DEC")


@frame_rule(DATASET, "SW14STG2", "SWEpisodes", sorted_episodes, fields=("SW_DEC",))
def end_date_blank(ctx: Context) -> pl.Expr:
    """Only the latest social worker episode of a child may have no end date."""
    return (pl.col("NUMBER") < pl.col("COUNT")) & blank("SW_DEC")


def _gap_between_workers(ctx: Context) -> pl.Expr:
    gap = (pl.col("SW_DECOM") - pl.col("PREV_SW_DEC")).dt.total_days().abs()
    bad = (gap > 7) | pl.col("PREV_SW_DEC").is_null()
    if ctx.year.end >= 2025:  # 2024/25 on: a first contact (FCONTA) may start at any time
        bad = bad & pl.col("SW_REASON").ne_missing("FCONTA")
    return _after_the_first(ctx) & bad


_gap_between_workers.__doc__ = (
    "A new social worker (from 2024/25, other than first contact) starts more than 7 days from the end of the "
    "previous one."
)
frame_rule(DATASET, "SW10STG2", "SWEpisodes", sorted_episodes, fields=("SW_DECOM",))(_gap_between_workers)


@rule(DATASET, "SW17STG2", reads=("Episodes",))
def none_open(ctx: Context) -> Iterable[Failures]:
    """A child looked after on 31 March whose latest social worker episode has ended.

    The reference validator checks every child in SWEpisodes, so it also flags children who left care during the
    year; csctools checks the children the message is about: those still looked after on 31 March.
    """
    looked_after = ctx.table("Episodes").filter(blank("DEC"))["CHILD"].implode()
    frame = sorted_episodes(ctx).lazy().filter(pl.col("CHILD").is_in(looked_after))
    latest = pl.col("SW_DECOM") == pl.col("SW_DECOM").max().over("CHILD")
    ended = frame.filter(latest & filled("SW_DEC")).unique("CHILD")
    yield Failures("SWEpisodes", ended, ("SW_DEC",))


@rule(DATASET, "SW01STG1")
def looked_after_without_worker(ctx: Context) -> Iterable[Failures]:
    """A child looked after on 31 March (not respite) has no complete social worker episode."""
    open_children = ctx.table("Episodes").filter(blank("DEC") & none_of("LS", RESPITE_LEGAL_STATUSES))
    sw = ctx.table("SWEpisodes")
    merged = open_children.select("CHILD", "_row").join(sw.drop("_row"), on="CHILD", how="left")
    bad = merged.filter(pl.col("SW_ID").is_null() | blank("SW_DECOM") | pl.col("SW_REASON").is_null())
    yield Failures("Episodes", ctx.lazy("Episodes").filter(pl.col("_row").is_in(bad["_row"].implode())), ("DEC",))


frame_rule(DATASET, "SW10aSTG2", "SWEpisodes", sorted_episodes, fields=("SW_DECOM",))(_gap_between_workers)


@frame_rule(DATASET, "SW10bSTG2", "SWEpisodes", sorted_episodes, fields=("SW_DECOM", "SW_REASON"))
def first_contact_overlaps(ctx: Context) -> pl.Expr:
    """A social worker episode with reason first contact (FCONTA) starts before the previous episode ended."""
    bad = pl.col("SW_REASON").eq_missing("FCONTA") & (
        pl.col("PREV_SW_DEC").is_null() | (pl.col("PREV_SW_DEC") > pl.col("SW_DECOM"))
    )
    return _after_the_first(ctx) & bad


@frame_rule(DATASET, "SW11aSTG2", "SWEpisodes", sorted_episodes, fields=("SW_DEC",))
def ended_without_successor(ctx: Context) -> pl.Expr:
    """A social worker episode ended more than five days before 31 March and the child's next episode does not
    begin within five days of that end (or there is none)."""
    ended = filled("SW_DEC") & (pl.col("SW_DEC") <= ctx.end - timedelta(days=5))
    gap = (pl.col("NEXT_SW_DECOM") - pl.col("SW_DEC")).dt.total_days().abs()
    return ended & (gap.is_null() | (gap > 5))


@frame_rule(DATASET, "SW11bSTG2", "SWEpisodes", sorted_episodes, fields=("SW_DEC",))
def ended_just_before_year_end(ctx: Context) -> pl.Expr:
    """The child's latest social worker episode ended in the last five days of the year, with none after it."""
    window = pl.col("SW_DEC").is_between(ctx.end - timedelta(days=5), ctx.end)
    return (pl.col("NUMBER") == pl.col("COUNT")) & window


@rule(DATASET, "SW12STG2")
def no_worker_between_periods_of_care(ctx: Context) -> Iterable[Failures]:
    """A child looked after on 31 March left care during the year and came back, and no social worker episode
    covers the time out of care (flagged on the episode that began the return to care).

    csctools checks the gaps between periods of care, when the child was known to have a social worker; the time
    before a child's first period of care is not checked, as a child new to children's services had none.
    """
    looked_after = ctx.table("Episodes").filter(blank("DEC"))["CHILD"].implode()
    episodes = ctx.lazy("Episodes").sort("CHILD", "DECOM", nulls_last=True)
    episodes = episodes.filter(pl.col("CHILD").is_in(looked_after)).with_columns(
        previous_in_group("DEC", "CHILD").alias("LEFT_ON"),
        previous_in_group("REC", "CHILD").alias("LEFT_REC"),
    )
    back = (
        pl.col("LEFT_ON").is_not_null()
        & pl.col("LEFT_REC").ne_missing("X1")
        & (pl.col("LEFT_ON") >= ctx.start)
        & (pl.col("DECOM") > pl.col("LEFT_ON"))
    )
    returns = collect(episodes.filter(back).with_row_index("RETURN"))
    if returns.is_empty():
        return
    workers = ctx.lazy("SWEpisodes").select("CHILD", "SW_DECOM", "SW_DEC")
    during_gap = (pl.col("SW_DECOM") < pl.col("DECOM")) & (
        pl.col("SW_DEC").is_null() | (pl.col("SW_DEC") > pl.col("LEFT_ON"))
    )
    pairs = returns.lazy().select("CHILD", "LEFT_ON", "DECOM", "RETURN").join(workers, on="CHILD", how="inner")
    covered = collect(pairs.filter(during_gap).select("RETURN"))["RETURN"]
    uncovered = returns.filter(~pl.col("RETURN").is_in(covered.implode())).drop("LEFT_ON", "LEFT_REC", "RETURN")
    yield Failures("Episodes", uncovered.lazy(), ("DECOM",))
