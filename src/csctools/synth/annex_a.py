"""Annex A lists at an inspection date, derived from the same simulated children as the 903 and CIN census."""

from __future__ import annotations

import random
from datetime import date

from csctools.datasets.ssda903.schema import ETHNIC_CODES
from csctools.reference.authorities import authority_of_postcode
from csctools.synth.care import CareChild, Period
from csctools.synth.cin import CinChild
from csctools.synth.common import add_days, age_on

Cell = str | int | date | None
Rows = list[dict[str, Cell]]
GENDER = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
ETHNICITY = {code: f"{chr(ord('a') + i)}) {code}" for i, code in enumerate(ETHNIC_CODES.values)}
YES_NO = {True: "Yes", False: "No"}


def _common(child_id: str, sex: str, ethnic: str, dob: date | None, on: date) -> dict[str, Cell]:
    return {
        "Child Unique ID": child_id,
        "Gender": GENDER[sex],
        "Ethnicity": ETHNICITY[ethnic],
        "Date of Birth": dob,
        "Age of Child (Years)": age_on(dob, on) if dob else None,
    }


def _staff(rng: random.Random) -> dict[str, Cell]:
    return {
        "Allocated Team": f"Team {rng.randint(1, 6)}",
        "Allocated Worker": f"Worker {rng.randint(1, 80):03d}",
    }


def annex_a_lists(care: list[CareChild], cin: list[CinChild], on: date, seed: int) -> dict[str, Rows]:
    """All eleven lists as of the inspection date `on` (six-month lookback; twelve for adoption)."""
    rng = random.Random(f"{seed}:annex-a")
    six, twelve = add_days(on, -182), add_days(on, -365)
    lists: dict[str, Rows] = {f"List{n}": [] for n in range(1, 12)}
    _cin_lists(cin, on, six, rng, lists)
    _care_lists(care, on, six, twelve, rng, lists)
    return lists


def _cin_lists(cin: list[CinChild], on: date, six: date, rng: random.Random, lists: dict[str, Rows]) -> None:
    contacts = 0
    for kid in cin:
        common = _common(kid.child_id, kid.sex, kid.ethnic, kid.dob, on)
        disability = {"Does the Child have a Disability": YES_NO[kid.disabilities != ["NONE"]]}
        for ep in kid.episodes:
            if ep.referral > on:
                continue
            if six <= ep.referral:
                contacts += 1
                lists["List1"].append(
                    {
                        **common,
                        "Date of Contact": add_days(ep.referral, -rng.randint(0, 2)),
                        "Contact Source": ep.source,
                    }
                )
                recent = sum(1 for e in kid.episodes if add_days(on, -365) <= e.referral <= on)
                lists["List3"].append(
                    {
                        **common,
                        "Date of referral": ep.referral,
                        "Referral Source": ep.source,
                        "Referral NFA?": YES_NO[ep.nfa],
                        "Number of Referrals in Last 12 Months": recent,
                        **_staff(rng),
                    }
                )
            for a in ep.assessments:
                if six <= a.start <= on:
                    done = a.authorised if a.authorised and a.authorised <= on else None
                    lists["List4"].append(
                        {
                            **common,
                            **disability,
                            "Continuous Assessment Start Date": a.start,
                            "Child Seen During Continuous Assessment": "Yes",
                            "Continuous Assessment Date of Authorisation": done,
                            "Was the child assessed as requiring LA children's social care support?": (
                                YES_NO[bool(ep.plans or ep.protection)] if done else None
                            ),
                            **_staff(rng),
                        }
                    )
            for s in ep.enquiries:
                if six <= s.start <= on:
                    icpc = s.icpc if s.icpc and s.icpc <= on else None
                    lists["List5"].append(
                        {
                            **common,
                            **disability,
                            "Strategy discussion initiating Section 47 Enquiry Start Date": s.start,
                            "Was an Initial Child Protection Conference deemed unnecessary?": YES_NO[s.not_required],
                            "Date of Initial Child Protection Conference": icpc,
                            "Did the Initial Child Protection Conference Result in a Child Protection Plan": (
                                YES_NO[bool(ep.protection)] if icpc else None
                            ),
                            "Number of Section 47 Enquiries in the last 12 months": len(ep.enquiries),
                            "Number of ICPCs in the last 12 months": sum(1 for e in ep.enquiries if e.icpc),
                            **_staff(rng),
                        }
                    )
            closed = ep.closure if ep.closure and ep.closure <= on else None
            if not ep.nfa and (closed is None or closed >= six):
                status = (
                    "Child Protection plan"
                    if ep.protection
                    else "Child in need plan"
                    if ep.plans
                    else ("Open Assessment" if closed is None else "Closed episode")
                )
                lists["List6"].append(
                    {
                        **common,
                        **disability,
                        "CIN Start Date": ep.referral,
                        "Primary Need Code": ep.need,
                        "Date Child Was Last Seen": add_days(on, -rng.randint(1, 40)) if closed is None else closed,
                        "CIN Closure Date": closed,
                        "Reason for Closure": ep.reason if closed else None,
                        "Case Status": status,
                        **_staff(rng),
                    }
                )
            for plan in ep.protection:
                ended = plan.end if plan.end and plan.end <= on else None
                if plan.start <= on and (ended is None or ended >= six):
                    reviews = [r for r in plan.reviews if r <= on]
                    lists["List7"].append(
                        {
                            **common,
                            **disability,
                            "Child Protection Plan Start Date": plan.start,
                            "Initial Category of Abuse": plan.initial,
                            "Latest Category of Abuse": plan.latest,
                            "Date of the Last Statutory Visit": add_days(on, -rng.randint(1, 20)),
                            "Was the Child Seen Alone?": YES_NO[rng.random() < 0.7],
                            "Date of latest review conference": reviews[-1] if reviews else None,
                            "Child Protection Plan End Date": ended,
                            "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months "
                            "(Y/N)": "N",
                            "Number of Previous Child Protection Plans": plan.previous,
                            **_staff(rng),
                        }
                    )
    for number in range(contacts // 2):
        sex = rng.choice("MF")
        dob = add_days(on, -rng.randint(200, 6000))
        base = _common(f"CT{number:06d}", sex, "WBRI", dob, on)
        lists["List1"].append({**base, "Date of Contact": add_days(on, -rng.randint(1, 180)), "Contact Source": "5A"})
        if number % 3 == 0:
            start = add_days(on, -rng.randint(30, 180))
            lists["List2"].append(
                {
                    **base,
                    "Assessment start date": start,
                    "Assessment completion date": add_days(start, rng.randint(10, 25)),
                    "Organisation completing assessment": rng.choice(("School", "Health visitor", "Family hub")),
                }
            )


def _care_lists(
    care: list[CareChild], on: date, six: date, twelve: date, rng: random.Random, lists: dict[str, Rows]
) -> None:
    for kid in care:
        common = _common(kid.child_id, kid.sex, kid.ethnic, kid.dob, on)
        disability: dict[str, Cell] = {"Does the Child have a Disability": "No"}
        period = next((p for p in reversed(kid.periods) if p.start <= on), None)
        if period is None:
            continue
        ended = period.end if period.end and period.end <= on else None
        if ended is None or ended >= six:
            _cla_row(kid, period, on, ended, common, disability, rng, lists)
        if (
            ended
            and period.reason_end not in ("E11", "E12")
            and age_on(kid.dob, ended) >= 16
            and 18 <= age_on(kid.dob, on) <= 21
        ):
            lists["List9"].append(
                {
                    **common,
                    "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)": "Y"
                    if kid.uasc
                    else "N",
                    **disability,
                    **_staff(rng),
                    "Allocated Personal Advisor": f"Advisor {rng.randint(1, 20):02d}",
                    "Eligibility Category": "Former relevant",
                    "Latest Pathway Plan Review Date": add_days(on, -90),
                    "LA in Touch": "Yes",
                    "Latest Date of Contact": add_days(on, -rng.randint(1, 60)),
                    "Type of Accommodation": "Independent living",
                    "Suitability of Accommodation": "Suitable",
                    "Activity Status": "Education, employment or training",
                }
            )
        adoption = period.adoption
        if adoption and (twelve <= adoption.decision <= on or (ended and ended >= twelve)):
            order = ended if period.reason_end in ("E11", "E12") else None
            family = f"FAM{kid.child_id}"
            lists["List10"].append(
                {
                    **common,
                    "Family identifier": family,
                    **disability,
                    "Date the Child Entered Care": period.start,
                    "Date of Decision that Child Should be Placed for Adoption": adoption.decision,
                    "Date of Placement Order": add_days(adoption.decision, 1),
                    "Date of Matching Child and Prospective Adopters": adoption.match
                    if adoption.match and adoption.match <= on
                    else None,
                    "Date Placed for Adoption": add_days(adoption.match, 14)
                    if adoption.match and add_days(adoption.match, 14) <= on
                    else None,
                    "Date of Adoption Order": order,
                }
            )
            if order:
                lists["List11"].append(
                    {
                        "Individual adopter identifier": f"AD{kid.child_id}",
                        "Family identifier": family,
                        "Gender": GENDER[rng.choice("MF")],
                        "Ethnicity": ETHNICITY["WBRI"],
                        "Disability": "No",
                        "Is the (prospective) adopter fostering for adoption?": YES_NO[adoption.foster_carer],
                        "Date enquiry received": add_days(adoption.decision, -200),
                        "Date Stage 1 started": add_days(adoption.decision, -180),
                        "Date Stage 1 ended": add_days(adoption.decision, -120),
                        "Date Stage 2 started": add_days(adoption.decision, -119),
                        "Date Stage 2 ended": add_days(adoption.decision, -30),
                        "Date application submitted": add_days(adoption.decision, -29),
                        "Date application approved": add_days(adoption.decision, -10),
                        "Date adopter matched with child(ren)": adoption.match,
                        "Date child/children placed with adopter(s)": add_days(adoption.match, 14)
                        if adoption.match
                        else None,
                        "No. of children placed": 1,
                        "Date of Adoption Order": order,
                    }
                )


def _cla_row(
    kid: CareChild,
    period: Period,
    on: date,
    ended: date | None,
    common: dict[str, Cell],
    disability: dict[str, Cell],
    rng: random.Random,
    lists: dict[str, Rows],
) -> None:
    current = [e for e in period.episodes if e.start <= on][-1]
    legal_start = current.start
    for ep in reversed(period.episodes):
        if ep.start <= on and ep.ls == current.ls:
            legal_start = ep.start
        elif ep.start <= on:
            break
    placed_in = authority_of_postcode(current.pl_post or "")
    home_la = authority_of_postcode(current.home_post) if current.home_post else placed_in
    year_ago = add_days(on, -365)
    moves = sum(1 for e in period.episodes if year_ago <= e.start <= on and e.rne in ("P", "B", "T", "S"))
    missing = [m for m in kid.missing if year_ago <= m[1] <= on]
    earlier = [p for p in kid.periods if p is not period and p.end and p.end >= year_ago]
    lists["List8"].append(
        {
            **common,
            "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)": "Y" if kid.uasc else "N",
            **disability,
            "Date Started to be Looked After": period.start,
            "Child's Category of Need": current.cin,
            "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)": "Y"
            if earlier
            else "N",
            "Start date of current legal status": legal_start,
            "Child's Legal Status": current.ls,
            "Date of Latest Statutory Review": add_days(on, -rng.randint(1, 150)),
            "Date of Last Social Work Visit": add_days(on, -rng.randint(1, 40)),
            "What is the permanence plan for this child?": "Adoption" if period.adoption else "Long-term fostering",
            "Date of Last IRO Visit / Contact to the Child": add_days(on, -rng.randint(1, 120)),
            "Date of Last Health Assessment": add_days(on, -rng.randint(1, 300)),
            "Date of Last Dental Check": add_days(on, -rng.randint(1, 300)),
            "Number of Placements in the Last 12 months": moves,
            "Date Ceased to be Looked After": ended,
            "Reason Ceased to be Looked After": period.reason_end if ended else None,
            "Start Date of Most Recent Placement": current.start,
            "Placement Type": current.place,
            "Placement Provider": current.provider,
            "Placement postcode": current.pl_post,
            "URN of Placement": current.urn,
            "Placement Location": "In LA" if placed_in == home_la else "Out of LA",
            "LA of Placement": placed_in.name if placed_in else None,
            "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months": sum(
                1 for m in missing if m[0] == "M"
            ),
            "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months": sum(
                1 for m in missing if m[0] == "A"
            ),
            "Was the child offered a Return Interview after their last missing episode (Y/N)?": "Y"
            if missing
            else None,
            "Did the child accept a Return Interview after their last missing episode (Y/N)?": (
                "Y" if rng.random() < 0.6 else "N"
            )
            if missing
            else None,
            **_staff(rng),
        }
    )
