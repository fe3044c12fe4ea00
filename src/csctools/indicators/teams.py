"""Annex A counts by allocated team and social worker: the caseloads and the work of the period, where the lists
hold `Allocated Team` and `Allocated Worker` (lists 3 to 9).

- Work of the period (lists 3, 4, 5): the rows dated in the period (referral, assessment start, strategy
  discussion), as the Annex A indicators count them.
- Caseloads at its end (lists 6, 7, 8, 9): the rows still open on the last day (no closure, plan end or ceased
  date, or one after it); care leavers (list 9) have no end date, so every row.
A blank team or worker is counted as "(not recorded)": nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import polars as pl

from csctools.indicators.compute import Period
from csctools.io.result import ReturnData

TEAM, WORKER = "Allocated Team", "Allocated Worker"
NOT_RECORDED = "(not recorded)"


class Count(NamedTuple):
    list_name: str
    label: str
    dated: str | None  # the date a row of the period's work is dated by
    ends: str | None  # the date a caseload row ends (None: every row is open)


COUNTS = (
    Count("List3", "Referrals", "Date of referral", None),
    Count("List4", "Assessments", "Continuous Assessment Start Date", None),
    Count("List5", "S47 enquiries", "Strategy discussion initiating Section 47 Enquiry Start Date", None),
    Count("List6", "Children in need", None, "CIN Closure Date"),
    Count("List7", "CP plans", None, "Child Protection Plan End Date"),
    Count("List8", "Looked after", None, "Date Ceased to be Looked After"),
    Count("List9", "Care leavers", None, None),
)


class TeamCounts(NamedTuple):
    columns: list[str]  # the counts' labels, in COUNTS order, for the lists that hold team and worker
    by_team: pl.DataFrame  # team, one column per label, Total
    by_worker: pl.DataFrame  # team, worker, one column per label, Total

    @property
    def empty(self) -> bool:
        return not self.columns


def _rows(frame: pl.DataFrame, count: Count, period: Period) -> pl.DataFrame | None:
    if TEAM not in frame.columns or WORKER not in frame.columns:
        return None
    if count.dated is not None:
        if count.dated not in frame.columns:
            return None
        frame = frame.filter(pl.col(count.dated).is_between(period.start, period.end))
    elif count.ends is not None and count.ends in frame.columns:
        frame = frame.filter(pl.col(count.ends).is_null() | (pl.col(count.ends) > period.end))
    blank = pl.lit(NOT_RECORDED)
    return frame.select(
        pl.col(TEAM).cast(pl.String).str.strip_chars().replace("", None).fill_null(blank).alias("team"),
        pl.col(WORKER).cast(pl.String).str.strip_chars().replace("", None).fill_null(blank).alias("worker"),
        pl.lit(count.label).alias("count"),
    )


def team_counts(returns: Sequence[ReturnData], period: Period) -> TeamCounts:
    """The counts of every list that holds team and worker (an empty result when no Annex A is given)."""
    tables = next((data.tables for data in returns if data.dataset == "annex_a"), {})
    parts = [
        (count.label, rows)
        for count in COUNTS
        if count.list_name in tables
        for rows in [_rows(tables[count.list_name], count, period)]
        if rows is not None
    ]
    columns = [label for label, _ in parts]
    if not parts:
        return TeamCounts([], pl.DataFrame({"team": []}), pl.DataFrame({"team": [], "worker": []}))
    rows = pl.concat([r for _, r in parts])

    def table(keys: list[str]) -> pl.DataFrame:
        counted = rows.group_by([*keys, "count"]).len()
        wide = counted.pivot(on="count", index=keys, values="len").fill_null(0)
        for label in columns:
            if label not in wide.columns:
                wide = wide.with_columns(pl.lit(0, pl.UInt32).alias(label))
        wide = wide.select(*keys, *columns).with_columns(pl.sum_horizontal(columns).alias("Total"))
        return wide.sort([pl.col(k) == NOT_RECORDED for k in keys] + [pl.col(k) for k in keys])

    return TeamCounts(columns, table(["team"]), table(["team", "worker"]))
