"""One year's CIN census tables, cut from simulated children in need as of the reference date."""

from __future__ import annotations

from datetime import date

from csctools.synth.cin import CinChild, CinEpisode
from csctools.synth.common import fmt_iso
from csctools.years import CollectionYear

Row = dict[str, str | None]
GENDER = {"M": "1", "F": "2", "U": "0"}


def _known(day: date | None, year: CollectionYear) -> str | None:
    return None if day is None or day > year.end_date else fmt_iso(day)


def _in_year(episode: CinEpisode, year: CollectionYear) -> bool:
    return episode.referral <= year.end_date and (episode.closure is None or episode.closure >= year.start_date)


def census_header(year: CollectionYear, la_number: str) -> Row:
    return {
        "Collection": "CIN",
        "Year": str(year.end),
        "ReferenceDate": fmt_iso(year.end_date),
        "SourceLevel": "L",
        "LEA": la_number,
        "SoftwareCode": "csctools synthetic",
        "Release": "1",
        "SerialNo": "1",
        "DateTime": f"{year.end}-04-15T09:00:00",
    }


def census_tables(children: list[CinChild], year: CollectionYear, la_number: str) -> dict[str, list[Row]]:
    names = (
        "Header",
        "ChildIdentifiers",
        "ChildCharacteristics",
        "Disabilities",
        "CINdetails",
        "Assessments",
        "AssessmentFactors",
        "CINplanDates",
        "Section47",
        "ChildProtectionPlans",
        "Reviews",
        "PreProceedings",
    )
    tables: dict[str, list[Row]] = {name: [] for name in names}
    tables["Header"].append(census_header(year, la_number))
    for kid in children:
        episodes = [e for e in kid.episodes if _in_year(e, year)]
        if episodes:
            _child_rows(kid, episodes, year, tables)
    if year.end < 2026:
        tables["PreProceedings"] = []
    return tables


def _upn_reason(kid: CinChild, year: CollectionYear) -> str | None:
    """Why a child has no UPN: UN1 (not yet of school age) until school age, then another reason."""
    if kid.upn is not None:
        return None
    school_age = kid.dob is not None and kid.dob <= date(year.end - 6, 9, 1)
    if not school_age:
        return "UN1"
    return kid.upn_unknown if kid.upn_unknown not in (None, "UN1") else "UN2"


def _child_rows(kid: CinChild, episodes: list[CinEpisode], year: CollectionYear, tables: dict[str, list[Row]]) -> None:
    cid = kid.child_id
    born = kid.dob is not None and kid.dob <= year.end_date
    sex = kid.sex if born else "U"
    tables["ChildIdentifiers"].append(
        {
            "LAchildID": cid,
            "UPN": kid.upn,
            "FormerUPN": None,
            "UPNunknown": _upn_reason(kid, year),
            "PersonBirthDate": fmt_iso(kid.dob) if born else None,
            "ExpectedPersonBirthDate": None if born else fmt_iso(kid.expected_dob or kid.dob),
            "GenderCurrent": GENDER[sex] if year.end <= 2024 else None,
            "Sex": sex if year.end >= 2025 else None,
            "PersonDeathDate": None,
        }
    )
    tables["ChildCharacteristics"].append({"LAchildID": cid, "Ethnicity": kid.ethnic})
    for code in kid.disabilities:
        tables["Disabilities"].append({"LAchildID": cid, "Disability": code})
    for number, episode in enumerate(episodes, start=1):
        _episode_rows(cid, str(number), episode, year, tables)


def _episode_rows(
    cid: str, ep_id: str, episode: CinEpisode, year: CollectionYear, tables: dict[str, list[Row]]
) -> None:
    key = {"LAchildID": cid, "CINdetailsID": ep_id}
    closed = _known(episode.closure, year)
    tables["CINdetails"].append(
        {
            **key,
            "CINreferralDate": fmt_iso(episode.referral),
            "ReferralSource": episode.source,
            "PrimaryNeedCode": episode.need,
            "CINclosureDate": closed,
            "ReasonForClosure": episode.reason if closed else None,
            "DateOfInitialCPC": None,
            "ReferralNFA": "true" if episode.nfa else "false",
        }
    )
    end = year.end_date
    start = year.start_date
    current = [a for a in episode.assessments if a.start <= end and (a.authorised is None or a.authorised >= start)]
    for number, assessment in enumerate(current, start=1):  # assessments open or completed in the year
        authorised = _known(assessment.authorised, year)
        tables["Assessments"].append(
            {
                **key,
                "AssessmentID": str(number),
                "AssessmentActualStartDate": fmt_iso(assessment.start),
                "AssessmentInternalReviewDate": None,
                "AssessmentAuthorisationDate": authorised,
            }
        )
        for factor in assessment.factors if authorised else []:
            tables["AssessmentFactors"].append({**key, "AssessmentID": str(number), "AssessmentFactors": factor})
    for begin, finish in episode.plans:
        if begin <= end and (finish is None or finish >= start):
            tables["CINplanDates"].append(
                {**key, "CINPlanStartDate": fmt_iso(begin), "CINPlanEndDate": _known(finish, year)}
            )
    for enquiry in episode.enquiries:  # enquiries still awaiting a conference, or concluded in the year
        concluded = enquiry.start if enquiry.not_required else enquiry.icpc
        if enquiry.start <= end and (concluded is None or concluded >= start):
            icpc = _known(enquiry.icpc, year)
            tables["Section47"].append(
                {
                    **key,
                    "S47ActualStartDate": fmt_iso(enquiry.start),
                    "InitialCPCtarget": fmt_iso(enquiry.target),
                    "DateOfInitialCPC": icpc,
                    "ICPCnotRequired": "true" if enquiry.not_required else "false",
                }
            )
    plans = [p for p in episode.protection if p.start <= end and (p.end is None or p.end >= start)]
    for number, plan in enumerate(plans, start=1):
        tables["ChildProtectionPlans"].append(
            {
                **key,
                "CPPID": str(number),
                "CPPstartDate": fmt_iso(plan.start),
                "CPPendDate": _known(plan.end, year),
                "InitialCategoryOfAbuse": plan.initial,
                "LatestCategoryOfAbuse": plan.latest,
                "NumberOfPreviousCPP": str(plan.previous),
            }
        )
        for review in plan.reviews:
            if review <= end:
                tables["Reviews"].append({**key, "CPPID": str(number), "CPPreviewDate": fmt_iso(review)})
    for pre in episode.pre_proceedings:
        if pre.start <= end:
            decided = _known(pre.decision, year)
            tables["PreProceedings"].append(
                {
                    **key,
                    "PPStartDate": fmt_iso(pre.start),
                    "LBPSentDate": fmt_iso(pre.letter),
                    "InitialPPMeetingDate": _known(pre.meeting, year),
                    "StepDecisionDate": decided,
                    "CourtAppDate": None,
                    "LetterInitCPDate": None,
                    "FGDMMeetingOffer": pre.fgdm_offered,
                    "FGDMMeetingFac": pre.fgdm_held,
                    "ReviewMeetingsCount": str(pre.reviews),
                    "PPOutcome": pre.outcome if decided else None,
                }
            )
