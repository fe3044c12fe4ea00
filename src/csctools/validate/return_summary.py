"""A short summary of the return in the validation reports: what the return holds, counted as the DfE counts it
(children, not rows), with last year's return beside it when given.

SSDA903: children looked after at 31 March (an episode open that day), children who started (an episode with
RNE S starting in the year) and who ceased (an episode ending in the year other than with REC X1, which only begins
a new episode); those at 31 March by the open episode's placement type, legal status and category of need. Children
on an agreed series of short breaks (legal status V3 or V4) are left out, as in the DfE's figures.

CIN census: children in need at 31 March (a CIN episode open that day), referrals, assessments started, section 47
enquiries started and child protection plans started in the year, and plans open at 31 March.

Rows whose dates could not be read count nowhere (they are in the error table instead).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import polars as pl

from csctools.io.result import ReturnData
from csctools.years import CollectionYear

SHORT_BREAKS = ("V3", "V4")
BREAKDOWNS = (("PLACE", "placement type"), ("LS", "legal status"), ("CIN", "category of need"))


NOTES = {
    "ssda903": "Counted from the typed tables as the DfE counts them: children, not episodes; children on an agreed "
    "series of short breaks (legal status V3, V4) left out; the breakdowns are of the episode open on 31 March. "
    "Rows whose dates could not be read count nowhere.",
    "cin": "Counted from the typed tables: children in need are children; referrals, assessments, section 47 "
    "enquiries and plans are records dated in the year (1 April to 31 March). Rows whose dates could not be read "
    "count nowhere.",
}


class Figure(NamedTuple):
    """One line of the summary: a group ('' for a headline), its label, this year's and last year's count."""

    group: str
    label: str
    this_year: int | None
    last_year: int | None = None


def _counts(data: ReturnData, year: CollectionYear) -> dict[tuple[str, str], int]:
    """(group, label) -> count for one return of `year`."""
    if data.dataset == "ssda903":
        return _counts_903(data.tables, year.start_date, year.end_date)
    if data.dataset == "cin":
        return _counts_cin(data.tables, year.start_date, year.end_date)
    return {}


def _within(column: str, start: date, end: date) -> pl.Expr:
    return pl.col(column).is_between(start, end).fill_null(False)


def _open_on(starts: str, ends: str, day: date) -> pl.Expr:
    """Open on `day`: started by then and not ended before it (a day ending on it is not open at its end)."""
    return (pl.col(starts) <= day).fill_null(False) & (pl.col(ends).is_null() | (pl.col(ends) > day))


def _children(frame: pl.DataFrame, key: str) -> int:
    return int(frame[key].drop_nulls().n_unique()) if key in frame.columns else 0


def _counts_903(tables: dict[str, pl.DataFrame], start: date, end: date) -> dict[tuple[str, str], int]:
    episodes = tables.get("Episodes")
    wanted = {"CHILD", "DECOM", "DEC", "RNE", "REC", "LS", "PLACE", "CIN"}
    if episodes is None or not wanted <= set(episodes.columns):
        return {}
    care = episodes.filter(~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False))
    at_end = care.filter(_open_on("DECOM", "DEC", end))
    counts = {
        ("", "children looked after at 31 March"): _children(at_end, "CHILD"),
        ("", "children who started to be looked after"): _children(
            care.filter(_within("DECOM", start, end) & (pl.col("RNE") == "S").fill_null(False)), "CHILD"
        ),
        ("", "children who ceased to be looked after"): _children(
            care.filter(
                _within("DEC", start, end)
                & (pl.col("DECOM") <= end).fill_null(False)  # an unreadable start counts nowhere
                & (pl.col("REC") != "X1").fill_null(False)
            ),
            "CHILD",
        ),
    }
    last_open = at_end.sort("DECOM").unique("CHILD", keep="last")  # one episode per child
    for column, words in BREAKDOWNS:
        by = last_open.group_by(pl.col(column).cast(pl.String).fill_null("(blank)")).len()
        counts.update({(f"looked after at 31 March by {words}", str(code)): int(n) for code, n in by.iter_rows()})
    return counts


def _counts_cin(tables: dict[str, pl.DataFrame], start: date, end: date) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}

    def count(table: str, columns: tuple[str, ...], label: str, where: pl.Expr) -> None:
        frame = tables.get(table)
        if frame is not None and set(columns) <= set(frame.columns):
            counts[("", label)] = frame.filter(where).height

    details = ("CINreferralDate", "CINclosureDate")
    if (frame := tables.get("CINdetails")) is not None and {*details, "LAchildID"} <= set(frame.columns):
        counts[("", "children in need at 31 March")] = _children(frame.filter(_open_on(*details, end)), "LAchildID")
    count("CINdetails", details[:1], "referrals", _within("CINreferralDate", start, end))
    started = "AssessmentActualStartDate"
    count("Assessments", (started,), "assessments started", _within(started, start, end))
    count("Section47", ("S47ActualStartDate",), "section 47 enquiries", _within("S47ActualStartDate", start, end))
    plans = ("CPPstartDate", "CPPendDate")
    count("ChildProtectionPlans", plans[:1], "child protection plans started", _within("CPPstartDate", start, end))
    count("ChildProtectionPlans", plans, "child protection plans open at 31 March", _open_on(*plans, end))
    return counts


def return_summary(data: ReturnData, year: CollectionYear, previous: ReturnData | None = None) -> list[Figure]:
    """The summary's lines in order: headlines first, then each breakdown most first; last year's count beside each
    when `previous` is given (0 where last year had none of a code this year has, and last year's codes too)."""
    now = _counts(data, year)
    before = _counts(previous, previous.year or year.previous()) if previous is not None else None
    keys = list(now) + [k for k in (before or {}) if k not in now and k[0]]
    headlines = [k for k in keys if not k[0]]
    groups = list(dict.fromkeys(k[0] for k in keys if k[0]))
    ordered = headlines + [
        k
        for g in groups
        for k in sorted(
            (k for k in keys if k[0] == g),
            key=lambda k: (-now.get(k, 0), -(before or {}).get(k, 0), k[1]),
        )
    ]
    return [
        Figure(group, label, now.get((group, label), 0), None if before is None else before.get((group, label), 0))
        for group, label in ordered
    ]


def breakdowns(figures: list[Figure]) -> dict[str, list[Figure]]:
    """The summary's breakdowns (every group but the headlines), each in order."""
    grouped: dict[str, list[Figure]] = {}
    for figure in figures:
        if figure.group:
            grouped.setdefault(figure.group, []).append(figure)
    return grouped
