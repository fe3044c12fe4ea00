"""CIN episodes (CINdetails): referral and closure dates, reasons, the no-further-action flag, overlaps."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from csctools.datasets.cin.schema import PRIMARY_NEED_CODES, REASON_FOR_CLOSURE_CODES, REFERRAL_SOURCE_CODES
from csctools.reference.calendar import working_days_between
from csctools.rules.cin.common import CIN_KEY, DATASET, blank, details, filled, in_census, overlapping
from csctools.validate.blanks import one_of
from csctools.validate.context import Context, collect_all
from csctools.validate.registry import Failures, frame_rule, rule, table_rule


@table_rule(DATASET, "100", "Header")
def reference_date(ctx: Context) -> pl.Expr:
    expected = pl.date(pl.col("Year"), 3, 31)
    return blank("ReferenceDate") | (pl.col("ReferenceDate") != expected).fill_null(True)


@table_rule(DATASET, "8568", "CINdetails")
def nfa_flag(ctx: Context) -> pl.Expr:
    return pl.col("ReferralNFA").is_null()  # blank, or not true/false


@table_rule(DATASET, "8600", "CINdetails")
def referral_date(ctx: Context) -> pl.Expr:
    return blank("CINreferralDate") | (pl.col("CINreferralDate") > ctx.end)


@table_rule(DATASET, "8610", "CINdetails")
def primary_need_missing(ctx: Context) -> pl.Expr:
    return (pl.col("ReferralNFA").eq(False)) & pl.col("PrimaryNeedCode").is_null()


@table_rule(DATASET, "8620", "CINdetails")
def closure_outside_census(ctx: Context) -> pl.Expr:
    return filled("CINclosureDate") & ~in_census("CINclosureDate", ctx)


@table_rule(DATASET, "8630", "CINdetails")
def closed_before_referral(ctx: Context) -> pl.Expr:
    return pl.col("CINclosureDate") < pl.col("CINreferralDate")


@table_rule(DATASET, "8640", "CINdetails")
def closure_reason_code(ctx: Context) -> pl.Expr:
    return pl.col("ReasonForClosure").is_not_null() & ~pl.col("ReasonForClosure").is_in(
        list(REASON_FOR_CLOSURE_CODES.values)
    )


@table_rule(DATASET, "8650", "CINdetails")
def primary_need_code(ctx: Context) -> pl.Expr:
    return pl.col("PrimaryNeedCode").is_not_null() & ~pl.col("PrimaryNeedCode").is_in(list(PRIMARY_NEED_CODES.values))


@table_rule(DATASET, "8805", "CINdetails")
def closure_without_reason(ctx: Context) -> pl.Expr:
    return filled("CINclosureDate") & pl.col("ReasonForClosure").is_null()


@table_rule(DATASET, "8810", "CINdetails")
def reason_without_closure(ctx: Context) -> pl.Expr:
    return pl.col("ReasonForClosure").is_not_null() & blank("CINclosureDate")


SOURCE_RECORDED_FROM = date(2013, 4, 1)  # the DfE's rule: referrals on or after this date carry a valid source


@table_rule(DATASET, "8866", "CINdetails")
def referral_source(ctx: Context) -> pl.Expr:
    """Every referral from April 2013 on, not only this year's: an episode still open from an earlier year counts."""
    source_known = pl.col("ReferralSource").is_in(list(REFERRAL_SOURCE_CODES.values)).fill_null(False)
    return (pl.col("CINreferralDate") >= SOURCE_RECORDED_FROM).fill_null(False) & ~source_known


@rule(DATASET, "8825Q")
def closed_after_assessment_without_one(ctx: Context) -> Iterable[Failures]:
    """Closed with RC8 or RC9 (closed after assessment) but the episode has no assessment."""
    closed = ctx.lazy("CINdetails").filter(one_of("ReasonForClosure", ["RC8", "RC9"]))
    assessed = ctx.lazy("Assessments").select(CIN_KEY).unique()
    yield Failures("CINdetails", closed.join(assessed, on=CIN_KEY, how="anti"), ("ReasonForClosure",))


@table_rule(DATASET, "8815", "CINdetails")
def several_open_episodes(ctx: Context) -> pl.Expr:
    """More than one open episode that is not a referral with no further action (ReferralNFA false); every open
    episode of such a child is flagged."""
    open_episode = blank("CINclosureDate")
    open_acted = open_episode & pl.col("ReferralNFA").eq_missing(False)
    return open_episode & (open_acted.sum().over("LAchildID") > 1)


@table_rule(DATASET, "8816", "CINdetails")
def open_episode_not_latest(ctx: Context) -> pl.Expr:
    open_acted = blank("CINclosureDate") & (pl.col("ReferralNFA").eq(False))
    latest = pl.col("CINreferralDate") == pl.col("CINreferralDate").max().over("LAchildID")
    return open_acted & ~latest


@table_rule(DATASET, "8569Q", "CINdetails")
def old_referral_marked_nfa(ctx: Context) -> pl.Expr:
    before = working_days_between(pl.col("CINreferralDate"), ctx.start) > 1
    return before & (pl.col("ReferralNFA").eq(True))


@frame_rule(DATASET, "8606", "CINdetails", details)
def referral_long_before_birth(ctx: Context) -> pl.Expr:
    birth = pl.coalesce("PersonBirthDate", "ExpectedPersonBirthDate")
    return pl.col("CINreferralDate") < birth.dt.offset_by("-280d")


@frame_rule(DATASET, "8555Q", "CINdetails", details)
def referred_after_death(ctx: Context) -> pl.Expr:
    return pl.col("CINreferralDate") > pl.col("PersonDeathDate")


@frame_rule(DATASET, "8585Q", "CINdetails", details)
def died_without_death_date(ctx: Context) -> pl.Expr:
    return pl.col("ReasonForClosure").eq_missing("RC2") & pl.col("PersonDeathDate").is_null()


@rule(DATASET, "8820")
def overlapping_episodes(ctx: Context) -> Iterable[Failures]:
    """A child's CIN episodes overlap (an episode starts before the previous one closed)."""
    frame = overlapping(ctx.table("CINdetails"), "CINreferralDate", "CINclosureDate")
    yield Failures("CINdetails", frame, ("CINreferralDate", "CINclosureDate"))


def _activity(ctx: Context) -> dict[str, pl.DataFrame]:
    return {
        "Assessments": ctx.table("Assessments"),
        "Section47": ctx.table("Section47"),
        "CINplanDates": ctx.table("CINplanDates"),
        "ChildProtectionPlans": ctx.table("ChildProtectionPlans"),
    }


@rule(DATASET, "8831")
def activity_on_nfa(ctx: Context) -> Iterable[Failures]:
    """Assessments, S47 enquiries or conferences are recorded on a referral with no further action."""
    nfa = ctx.lazy("CINdetails").filter(pl.col("ReferralNFA").eq(True)).select(CIN_KEY)
    busy = pl.concat([ctx.lazy("Assessments").select(CIN_KEY), ctx.lazy("Section47").select(CIN_KEY)]).unique()
    flagged = nfa.join(busy, on=CIN_KEY)
    icpc = ctx.lazy("CINdetails").filter((pl.col("ReferralNFA").eq(True)) & filled("DateOfInitialCPC"))
    episodes = ctx.lazy("CINdetails").join(pl.concat([flagged, icpc.select(CIN_KEY)]).unique(), on=CIN_KEY, how="semi")
    yield Failures("CINdetails", episodes, ("ReferralNFA",))


@rule(DATASET, "2990")
def activity_after_rc8(ctx: Context) -> Iterable[Failures]:
    """Plans, S47 enquiries, conferences or CP plans on an episode closed with RC8 or RC9 (no further action or
    early help after assessment)."""
    closed = ctx.lazy("CINdetails").filter(one_of("ReasonForClosure", ["RC8", "RC9"]))
    busy = pl.concat(
        [ctx.lazy(t).select(CIN_KEY) for t in ("Section47", "CINplanDates", "ChildProtectionPlans")]
    ).unique()
    bad = closed.join(busy, on=CIN_KEY, how="semi")
    bad = pl.concat([bad, closed.filter(filled("DateOfInitialCPC"))]).unique("_row")
    yield Failures("CINdetails", bad, ("ReasonForClosure",))


@rule(DATASET, "2991Q")
def s47_without_assessment(ctx: Context) -> Iterable[Failures]:
    """A section 47 enquiry is recorded but the episode has no assessment."""
    assessed = ctx.lazy("Assessments").select(CIN_KEY).unique()
    unassessed = ctx.lazy("Section47").join(assessed, on=CIN_KEY, how="anti")
    yield Failures("Section47", unassessed, ("S47ActualStartDate",))


@rule(DATASET, "8565")
def activity_after_closure(ctx: Context) -> Iterable[Failures]:
    """Activity (assessment, S47, conference, plan) is dated after the episode was closed."""
    closures = ctx.lazy("CINdetails").filter(filled("CINclosureDate")).select(*CIN_KEY, "CINclosureDate")
    checks = {
        "Assessments": ("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
        "Section47": ("S47ActualStartDate", "DateOfInitialCPC"),
        "CINplanDates": ("CINPlanStartDate", "CINPlanEndDate"),
        "ChildProtectionPlans": ("CPPstartDate", "CPPendDate"),
    }
    plans = []
    for table, fields in checks.items():
        late = pl.any_horizontal([pl.col(f) > pl.col("CINclosureDate") for f in fields])
        plans.append(ctx.lazy(table).join(closures, on=CIN_KEY).filter(late.fill_null(False)))
    plans.append(ctx.lazy("CINdetails").filter(pl.col("DateOfInitialCPC") > pl.col("CINclosureDate")))
    found = collect_all(plans)
    for (table, fields), rows in zip(checks.items(), found, strict=False):
        yield Failures(table, rows.lazy(), fields)
    yield Failures("CINdetails", found[-1].lazy(), ("DateOfInitialCPC",))
