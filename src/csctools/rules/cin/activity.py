"""Assessments, CIN plans, section 47 enquiries, conferences and child protection plans."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl

from csctools.datasets.cin.schema import ABUSE_CODES, ASSESSMENT_FACTOR_CODES
from csctools.reference.calendar import working_days_between
from csctools.rules.cin.common import (
    CIN_KEY,
    DATASET,
    blank,
    filled,
    in_census,
    la_level,
    overlapping,
    with_child,
    with_episode,
)
from csctools.validate.blanks import none_of
from csctools.validate.context import Context, collect, per_return
from csctools.validate.registry import Condition, Failures, frame_rule, rule, table_rule

CPP_KEY = [*CIN_KEY, "CPPID"]


def episode_rule(code: str, table: str, fields: tuple[str, ...] | None = None) -> Callable[[Condition], Condition]:
    """A rule over a table's rows with their CIN episode's referral, closure and NFA flag alongside."""
    return frame_rule(DATASET, code, table, lambda ctx: with_episode(ctx, table), fields, source=("episode", table))


def child_rule(code: str, table: str, fields: tuple[str, ...] | None = None) -> Callable[[Condition], Condition]:
    """A rule over a table's rows with the child's dates of birth and death alongside."""
    return frame_rule(DATASET, code, table, lambda ctx: with_child(ctx, table), fields, source=("child", table))


# --- assessments -------------------------------------------------------------------------------------------------


@episode_rule("1103", "Assessments", ("AssessmentActualStartDate",))
def assessment_before_referral(ctx: Context) -> pl.Expr:
    return pl.col("AssessmentActualStartDate") < pl.col("CINreferralDate")


@table_rule(DATASET, "8608", "Assessments")
def assessment_ends_before_start(ctx: Context) -> pl.Expr:
    return pl.col("AssessmentActualStartDate") > pl.col("AssessmentAuthorisationDate")


@table_rule(DATASET, "8696", "Assessments")
def assessment_end_outside_census(ctx: Context) -> pl.Expr:
    return filled("AssessmentAuthorisationDate") & ~in_census("AssessmentAuthorisationDate", ctx)


@table_rule(DATASET, "8736", "Assessments")
def open_assessment_start(ctx: Context) -> pl.Expr:
    return blank("AssessmentAuthorisationDate") & ~in_census("AssessmentActualStartDate", ctx).fill_null(False)


@table_rule(DATASET, "8670Q", "Assessments")
def assessment_over_45_days(ctx: Context) -> pl.Expr:
    open_assessment = blank("AssessmentAuthorisationDate")
    return open_assessment & (working_days_between(pl.col("AssessmentActualStartDate"), ctx.end) > 45)


@table_rule(DATASET, "8896", "Assessments")
def several_open_assessments(ctx: Context) -> pl.Expr:
    open_assessment = blank("AssessmentAuthorisationDate")
    return open_assessment & (open_assessment.sum().over(CIN_KEY) > 1)


@rule(DATASET, "8863Q")
def assessment_while_another_open(ctx: Context) -> Iterable[Failures]:
    """An assessment starts while another assessment of the same episode is still open."""
    frame = overlapping(
        ctx.table("Assessments"), "AssessmentActualStartDate", "AssessmentAuthorisationDate", key=CIN_KEY
    )
    yield Failures("Assessments", frame, ("AssessmentActualStartDate",))


@per_return
def _factors(ctx: Context) -> pl.DataFrame:
    """Assessment factors with their assessment's authorisation date."""
    key = [*CIN_KEY, "AssessmentID"]
    assessments = ctx.table("Assessments").select(*key, "AssessmentAuthorisationDate")
    return ctx.table("AssessmentFactors").join(assessments, on=key, how="left")


@table_rule(DATASET, "8869", "AssessmentFactors")
def factor_21_alone(ctx: Context) -> pl.Expr:
    key = [*CIN_KEY, "AssessmentID"]
    return pl.col("AssessmentFactors").eq_missing("21").any().over(key) & (pl.len().over(key) > 1)


@table_rule(DATASET, "8898", "AssessmentFactors")
def factor_repeated(ctx: Context) -> pl.Expr:
    return pl.struct(*CIN_KEY, "AssessmentID", "AssessmentFactors").is_duplicated()


@table_rule(DATASET, "8945Q", "AssessmentFactors")
def factor_18a(ctx: Context) -> pl.Expr:
    return pl.col("AssessmentFactors").eq_missing("18A")


@table_rule(DATASET, "8950Q", "AssessmentFactors")
def factor_19a(ctx: Context) -> pl.Expr:
    return pl.col("AssessmentFactors").eq_missing("19A")


@rule(DATASET, "8614")
def factors_on_open_assessment(ctx: Context) -> Iterable[Failures]:
    """Assessment factors are recorded for an assessment that is not completed, or are not valid codes."""
    frame = _factors(ctx)
    invalid = ~pl.col("AssessmentFactors").is_in(list(ASSESSMENT_FACTOR_CODES.values)).fill_null(False)
    yield Failures("AssessmentFactors", frame.lazy().filter(pl.col("AssessmentAuthorisationDate").is_null() | invalid))


@rule(DATASET, "8897Q")
def completed_without_factors(ctx: Context) -> Iterable[Failures]:
    """A completed assessment has no parental or child factors."""
    key = [*CIN_KEY, "AssessmentID"]
    done = ctx.lazy("Assessments").filter(filled("AssessmentAuthorisationDate"))
    yield Failures(
        "Assessments",
        done.join(ctx.lazy("AssessmentFactors").select(key).unique(), on=key, how="anti"),
        ("AssessmentAuthorisationDate",),
    )


@rule(DATASET, "8873Q")
def no_factors_but_not_closed(ctx: Context) -> Iterable[Failures]:
    """The episode's only assessment found no factors (21), but the episode was not closed with RC8 or RC9."""
    key = [*CIN_KEY, "AssessmentID"]
    single = ctx.lazy("Assessments").filter(pl.len().over(CIN_KEY) == 1)
    none_found = ctx.lazy("AssessmentFactors").filter(pl.col("AssessmentFactors").eq_missing("21")).select(key).unique()
    frame = (
        with_episode(ctx, "Assessments")
        .lazy()
        .join(single.select(key), on=key, how="semi")
        .join(none_found, on=key, how="semi")
    )
    yield Failures(
        "Assessments",
        frame.filter(none_of("ReasonForClosure", ["RC8", "RC9"]).fill_null(False)),
        ("AssessmentAuthorisationDate",),
    )


@rule(DATASET, "8867")
def closed_with_open_assessment(ctx: Context) -> Iterable[Failures]:
    """The episode is closed but an assessment is not completed."""
    frame = with_episode(ctx, "Assessments")
    open_ = frame.filter(pl.col("CINclosureDate").is_not_null() & blank("AssessmentAuthorisationDate"))
    yield Failures("Assessments", open_.lazy(), ("AssessmentAuthorisationDate",))
    yield Failures(
        "CINdetails",
        ctx.table("CINdetails").filter(pl.col("_row").is_in(open_["CIN_ROW"].implode())).lazy(),
        ("CINclosureDate",),
    )


# --- CIN plans ---------------------------------------------------------------------------------------------------


@episode_rule("4000", "CINplanDates", ("CINPlanStartDate",))
def plan_on_nfa(ctx: Context) -> pl.Expr:
    return pl.col("ReferralNFA").eq(True)


@episode_rule("4015", "CINplanDates", ("CINPlanStartDate",))
def plan_before_referral(ctx: Context) -> pl.Expr:
    return pl.col("CINPlanStartDate") < pl.col("CINreferralDate")


@table_rule(DATASET, "4010", "CINplanDates")
def plan_start(ctx: Context) -> pl.Expr:
    return pl.col("CINPlanStartDate").is_null() | (pl.col("CINPlanStartDate") > ctx.end)  # missing: no valid date


@table_rule(DATASET, "4011", "CINplanDates")
def plan_ends_before_start(ctx: Context) -> pl.Expr:
    return pl.col("CINPlanEndDate") < pl.col("CINPlanStartDate")


@table_rule(DATASET, "4012Q", "CINplanDates")
def plan_one_day(ctx: Context) -> pl.Expr:
    return pl.col("CINPlanEndDate") == pl.col("CINPlanStartDate")


@table_rule(DATASET, "4013", "CINplanDates")
def plan_end_outside_census(ctx: Context) -> pl.Expr:
    return filled("CINPlanEndDate") & ~in_census("CINPlanEndDate", ctx)


@table_rule(DATASET, "4004", "CINplanDates")
def several_open_plans(ctx: Context) -> pl.Expr:
    open_plan = blank("CINPlanEndDate")
    return open_plan & (open_plan.sum().over("LAchildID") > 1)


@rule(DATASET, "4014")
def overlapping_plans(ctx: Context) -> Iterable[Failures]:
    """A child's CIN plans overlap."""
    frame = overlapping(ctx.table("CINplanDates"), "CINPlanStartDate", "CINPlanEndDate")
    yield Failures("CINplanDates", frame, ("CINPlanStartDate",))


@child_rule("4008", "CINplanDates", ("CINPlanStartDate",))
def plan_after_death(ctx: Context) -> pl.Expr:
    return pl.col("CINPlanStartDate") > pl.col("PersonDeathDate")


@child_rule("4009Q", "CINplanDates", ("CINPlanEndDate",))
def plan_ends_after_death(ctx: Context) -> pl.Expr:
    return pl.col("CINPlanEndDate") > pl.col("PersonDeathDate")


@per_return
def _plans_with_cpps(ctx: Context) -> pl.DataFrame:
    cpps = ctx.lazy("ChildProtectionPlans").select(
        "LAchildID", "CPPstartDate", "CPPendDate", pl.col("_row").alias("CPP_ROW")
    )
    return collect(ctx.lazy("CINplanDates").join(cpps, on="LAchildID"))


@rule(DATASET, "4001")
def plan_during_cpp(ctx: Context) -> Iterable[Failures]:
    """A CIN plan runs at the same time as a child protection plan."""
    pairs = _plans_with_cpps(ctx)
    plan_end = pl.coalesce("CINPlanEndDate", pl.lit(ctx.end))
    cpp_end = pl.coalesce("CPPendDate", pl.lit(ctx.end))
    overlap = (pl.col("CINPlanStartDate") < cpp_end) & (pl.col("CPPstartDate") < plan_end)
    yield Failures("CINplanDates", pairs.lazy().filter(overlap).unique("_row"), ("CINPlanStartDate", "CINPlanEndDate"))


@rule(DATASET, "4016")
def plan_starts_during_cpp(ctx: Context) -> Iterable[Failures]:
    """A CIN plan starts while a child protection plan is open."""
    pairs = _plans_with_cpps(ctx)
    during = (pl.col("CINPlanStartDate") >= pl.col("CPPstartDate")) & (
        pl.col("CPPendDate").is_null() | (pl.col("CINPlanStartDate") < pl.col("CPPendDate"))
    )
    yield Failures("CINplanDates", pairs.lazy().filter(during).unique("_row"), ("CINPlanStartDate",))


@rule(DATASET, "4017")
def cpp_starts_during_plan(ctx: Context) -> Iterable[Failures]:
    """A child protection plan starts while a CIN plan is open."""
    pairs = _plans_with_cpps(ctx)
    during = (pl.col("CPPstartDate") > pl.col("CINPlanStartDate")) & (
        blank("CINPlanEndDate") | (pl.col("CPPstartDate") < pl.col("CINPlanEndDate"))
    )
    yield Failures("CINplanDates", pairs.lazy().filter(during).unique("_row"), ("CINPlanStartDate", "CINPlanEndDate"))


@rule(DATASET, "4003")
def review_during_plan(ctx: Context) -> Iterable[Failures]:
    """A CP plan review is dated while a CIN plan is open."""
    plans = ctx.lazy("CINplanDates").select("LAchildID", "CINPlanStartDate", "CINPlanEndDate")
    pairs = ctx.lazy("Reviews").join(plans, on="LAchildID")
    during = (pl.col("CPPreviewDate") >= pl.col("CINPlanStartDate")) & (
        pl.col("CINPlanEndDate").is_null() | (pl.col("CPPreviewDate") <= pl.col("CINPlanEndDate"))
    )
    yield Failures("Reviews", pairs.filter(during).unique("_row"), ("CPPreviewDate",))


# --- section 47 enquiries and conferences --------------------------------------------------------------------------


@episode_rule("2889", "Section47", ("S47ActualStartDate",))
def s47_before_referral(ctx: Context) -> pl.Expr:
    return pl.col("S47ActualStartDate") < pl.col("CINreferralDate")


@episode_rule("1104", "Section47", ("DateOfInitialCPC",))
def icpc_before_referral(ctx: Context) -> pl.Expr:
    return pl.col("DateOfInitialCPC") < pl.col("CINreferralDate")


@episode_rule("2884", "Section47", ("DateOfInitialCPC",))
def icpc_in_both_places(ctx: Context) -> pl.Expr:
    return filled("DateOfInitialCPC") & pl.col("CIN_ICPC").is_not_null()


@table_rule(DATASET, "8615", "Section47")
def s47_start(ctx: Context) -> pl.Expr:
    return blank("S47ActualStartDate") | (pl.col("S47ActualStartDate") > pl.col("DateOfInitialCPC"))


@table_rule(DATASET, "8715", "Section47")
def icpc_outside_census(ctx: Context) -> pl.Expr:
    return filled("DateOfInitialCPC") & ~in_census("DateOfInitialCPC", ctx)


@table_rule(DATASET, "8875", "Section47")
def icpc_at_weekend(ctx: Context) -> pl.Expr:
    return pl.col("DateOfInitialCPC").dt.weekday() >= 6


@table_rule(DATASET, "8870Q", "Section47")
def target_at_weekend(ctx: Context) -> pl.Expr:
    return pl.col("InitialCPCtarget").dt.weekday() >= 6


@table_rule(DATASET, "8740", "Section47")
def open_s47_start(ctx: Context) -> pl.Expr:
    waiting = blank("DateOfInitialCPC") & (pl.col("ICPCnotRequired").eq(False))
    return waiting & ~in_census("S47ActualStartDate", ctx).fill_null(False)


@table_rule(DATASET, "8675Q", "Section47")
def s47_over_15_days(ctx: Context) -> pl.Expr:
    waiting = blank("DateOfInitialCPC") & (pl.col("ICPCnotRequired").eq(False))
    return waiting & (working_days_between(pl.col("S47ActualStartDate"), ctx.end) > 15)


@table_rule(DATASET, "8839", "Section47")
def several_open_s47(ctx: Context) -> pl.Expr:
    # open: no conference yet and not marked as not needing one (ICPCnotRequired is often absent: blank is not true)
    open_s47 = blank("DateOfInitialCPC") & pl.col("ICPCnotRequired").ne_missing(True)
    return open_s47 & (open_s47.sum().over(CIN_KEY) > 1)


@rule(DATASET, "8890")
def s47_while_another_open(ctx: Context) -> Iterable[Failures]:
    """An S47 enquiry starts while another one of the child is still open. An enquiry is open until its initial
    conference (even when ICPCnotRequired is true); with no conference date, one marked as not needing a conference
    ends when it starts, any other is open."""
    not_required = pl.when(pl.col("ICPCnotRequired").eq_missing(True)).then(pl.col("S47ActualStartDate"))
    ended = pl.coalesce(pl.col("DateOfInitialCPC"), not_required)
    frame = ctx.lazy("Section47").with_columns(ended.alias("S47_END"))
    yield Failures("Section47", overlapping(frame, "S47ActualStartDate", "S47_END"), ("S47ActualStartDate",))


@rule(DATASET, "8868")
def closed_with_open_s47(ctx: Context) -> Iterable[Failures]:
    """The episode is closed but an S47 enquiry neither held its conference nor was marked as not needing one; or a
    conference is recorded for an enquiry marked as not needing one."""
    frame = with_episode(ctx, "Section47").lazy().filter(pl.col("CINclosureDate").is_not_null())
    not_required = pl.col("ICPCnotRequired").eq(True)
    bad = (blank("DateOfInitialCPC") & ~not_required.fill_null(False)) | (
        filled("DateOfInitialCPC") & not_required.fill_null(False)
    )
    yield Failures("Section47", frame.filter(bad), ("DateOfInitialCPC", "ICPCnotRequired"))


# --- child protection plans ------------------------------------------------------------------------------------------


@episode_rule("1105", "ChildProtectionPlans", ("CPPstartDate",))
def cpp_before_referral(ctx: Context) -> pl.Expr:
    return pl.col("CPPstartDate") < pl.col("CINreferralDate")


@episode_rule("8832", "ChildProtectionPlans", ("CPPstartDate",))
def cpp_on_nfa(ctx: Context) -> pl.Expr:
    return pl.col("ReferralNFA").eq(True)


@table_rule(DATASET, "8720", "ChildProtectionPlans")
def cpp_start(ctx: Context) -> pl.Expr:
    return blank("CPPstartDate") | (pl.col("CPPstartDate") > ctx.end)


@table_rule(DATASET, "8730", "ChildProtectionPlans")
def previous_plans_missing(ctx: Context) -> pl.Expr:
    return blank("NumberOfPreviousCPP")


@table_rule(DATASET, "8840", "ChildProtectionPlans")
def cpp_one_day(ctx: Context) -> pl.Expr:
    return pl.col("CPPstartDate") == pl.col("CPPendDate")


@table_rule(DATASET, "8905", "ChildProtectionPlans")
def initial_category(ctx: Context) -> pl.Expr:
    return ~pl.col("InitialCategoryOfAbuse").is_in(list(ABUSE_CODES.values)).fill_null(False)


@table_rule(DATASET, "8910", "ChildProtectionPlans")
def latest_category(ctx: Context) -> pl.Expr:
    return ~pl.col("LatestCategoryOfAbuse").is_in(list(ABUSE_CODES.values)).fill_null(False)


@table_rule(DATASET, "8925", "ChildProtectionPlans")
def cpp_ends_before_start(ctx: Context) -> pl.Expr:
    return pl.col("CPPendDate") < pl.col("CPPstartDate")


@table_rule(DATASET, "8930", "ChildProtectionPlans")
def cpp_end_outside_census(ctx: Context) -> pl.Expr:
    return filled("CPPendDate") & ~in_census("CPPendDate", ctx)


@table_rule(DATASET, "8935", "ChildProtectionPlans")
def several_open_cpps(ctx: Context) -> pl.Expr:
    open_plan = blank("CPPendDate")
    return open_plan & (open_plan.sum().over("LAchildID") > 1)


@child_rule("8915", "ChildProtectionPlans", ("CPPstartDate",))
def cpp_after_death(ctx: Context) -> pl.Expr:
    return pl.col("CPPstartDate") > pl.col("PersonDeathDate")


@child_rule("8920", "ChildProtectionPlans", ("CPPendDate",))
def cpp_ends_after_death(ctx: Context) -> pl.Expr:
    return pl.col("CPPendDate") > pl.col("PersonDeathDate")


@rule(DATASET, "8940")
def overlapping_cpps(ctx: Context) -> Iterable[Failures]:
    """A child's child protection plans overlap."""
    frame = overlapping(ctx.table("ChildProtectionPlans"), "CPPstartDate", "CPPendDate")
    yield Failures("ChildProtectionPlans", frame, ("CPPstartDate",))


@rule(DATASET, "8841")
def review_not_after_start(ctx: Context) -> Iterable[Failures]:
    """A review is on or before the day its child protection plan started."""
    plans = ctx.lazy("ChildProtectionPlans").select(*CPP_KEY, "CPPstartDate")
    frame = ctx.lazy("Reviews").join(plans, on=CPP_KEY, how="left")
    early = frame.filter(pl.col("CPPreviewDate") <= pl.col("CPPstartDate"))
    yield Failures("Reviews", early, ("CPPreviewDate",))


@table_rule(DATASET, "8842Q", "Reviews")
def review_without_date(ctx: Context) -> pl.Expr:
    return blank("CPPreviewDate")


@per_return
def _conferences(ctx: Context) -> pl.DataFrame:
    """Every initial conference date (S47 level and CIN level) by episode."""
    s47 = (
        ctx.lazy("Section47")
        .filter(pl.col("ICPCnotRequired").ne(True))
        .select(*CIN_KEY, pl.col("DateOfInitialCPC").alias("ICPC"))
    )
    cin = ctx.lazy("CINdetails").select(*CIN_KEY, pl.col("DateOfInitialCPC").alias("ICPC"))
    return collect(pl.concat([s47, cin]).filter(pl.col("ICPC").is_not_null()))


@rule(DATASET, "2885")
def cpp_not_on_conference_day(ctx: Context) -> Iterable[Failures]:
    """A child protection plan starting in the year does not start on the day of an initial conference."""
    plans = ctx.lazy("ChildProtectionPlans").filter(in_census("CPPstartDate", ctx).fill_null(False))
    conferences = _conferences(ctx).lazy()
    matched = plans.join(conferences, left_on=[*CIN_KEY, "CPPstartDate"], right_on=[*CIN_KEY, "ICPC"], how="semi")
    has_conference = plans.join(conferences.select(CIN_KEY).unique(), on=CIN_KEY, how="semi")
    unmatched = has_conference.join(matched.select("_row"), on="_row", how="anti")
    yield Failures("ChildProtectionPlans", unmatched, ("CPPstartDate",))


@rule(DATASET, "2883")
def more_plans_than_conferences(ctx: Context) -> Iterable[Failures]:
    """More child protection plans start in the year than initial conferences are held (for the whole return)."""
    plans = ctx.table("ChildProtectionPlans").filter(in_census("CPPstartDate", ctx).fill_null(False))
    conferences = _conferences(ctx).filter(pl.col("ICPC").is_between(ctx.start, ctx.end))
    if plans.height > conferences.height:
        yield Failures(
            "ChildProtectionPlans",
            la_level("CPPstartDate", f"{plans.height} plans, {conferences.height} conferences").lazy(),
            ("CPPstartDate",),
        )
