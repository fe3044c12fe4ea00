"""Every CIN census indicator on a census of a few children, worked out by hand (period 1/4/2025 to 31/3/2026,
child population 10,000 so a rate is the count).

Referrals (CIN episodes, d/m/y):
  c1 #1 10/04/2025 police, closed 10/06/2025 (2 months)     c1 #2 01/09/2025 school, open: re-referral
  c2 #1 15/01/2024 GP, open (over 2 years at 31 March)       c3 #1 01/12/2025 A&E, no further action
  c4 #1 01/03/2024, closed 05/04/2025 (13 months)            c5 #1 01/04/2025 (the first day) police, open
  c6 #1 01/05/2024, closed 01/12/2024                        c6 #2 01/05/2025, open: exactly 12 months after #1,
                                                             a re-referral
Referrals in the year: c1#1 c1#2 c3#1 c5#1 c6#2 (5). Open at 31 March (NFA excluded): c1#2 c2#1 c5#1 c6#2.
Closed in the year (NFA excluded): c1#1 (under 3 months), c4#1 (1 to 2 years).

Assessments (working days after the start, up to and including the authorisation):
  Mon 02/06/2025 -> Mon 04/08/2025: 45 (in time)    Mon 02/06/2025 -> Tue 05/08/2025: 46 (late)
  Mon 04/08/2025 -> Tue 07/10/2025: 45, as the bank holiday of 25/08/2025 is not a working day (in time)
  authorised 30/03/2025, before the year (not counted); one still open (not counted)
Section 47 enquiries: 02/06 -> ICPC 23/06/2025 (15 working days, in time); 02/06 -> 24/06 (16, late); 20/05 with no
  conference; 20/03/2025 -> 03/04/2025 (10: started last year, conference this year, counted).
Child protection plans: p1 c1 from 23/06/2025 open; p2 c2 01/01/2023 to 01/10/2025 (1,005 days); p3 c5 from
  01/04/2024 open (730 days at 31 March, counting both ends: over 729); p4 c6 from 02/04/2024 open (729: not over);
  p5 c4 01/05/2025 to 01/11/2025, a third plan.
"""

from __future__ import annotations

from datetime import date

import pytest

from csctools.indicators.compute import Period, Result, compute
from csctools.indicators.records import load_indicators
from csctools.io.result import ReturnData
from tests.indicators.worked import assert_worked
from tests.rules.harness import typed

PERIOD = Period(date(2025, 4, 1), date(2026, 3, 31))


def referral(
    child: str, number: int, when: str, source: str, closed: str | None = None, nfa: str = "false"
) -> dict[str, str | None]:
    return {
        "LAchildID": child,
        "CINdetailsID": str(number),
        "CINreferralDate": when,
        "ReferralSource": source,
        "PrimaryNeedCode": "N1",
        "CINclosureDate": closed,
        "ReasonForClosure": "RC8" if closed else None,
        "DateOfInitialCPC": None,
        "ReferralNFA": nfa,
    }


DETAILS = [
    referral("c1", 1, "10/04/2025", "6", "10/06/2025"),
    referral("c1", 2, "01/09/2025", "2A"),
    referral("c2", 1, "15/01/2024", "3A"),
    referral("c3", 1, "01/12/2025", "3E", "02/12/2025", nfa="true"),
    referral("c4", 1, "01/03/2024", "8", "05/04/2025"),
    referral("c5", 1, "01/04/2025", "6"),
    referral("c6", 1, "01/05/2024", "1A", "01/12/2024"),
    referral("c6", 2, "01/05/2025", "1A"),
]

ASSESSMENTS = [
    {
        "LAchildID": c,
        "CINdetailsID": "1",
        "AssessmentID": str(i),
        "AssessmentActualStartDate": start,
        "AssessmentInternalReviewDate": None,
        "AssessmentAuthorisationDate": end,
    }
    for i, (c, start, end) in enumerate(
        [
            ("c1", "02/06/2025", "04/08/2025"),
            ("c2", "02/06/2025", "05/08/2025"),
            ("c5", "04/08/2025", "07/10/2025"),
            ("c4", "01/02/2025", "30/03/2025"),
            ("c6", "01/03/2026", None),
        ],
        start=1,
    )
]

SECTION_47 = [
    {
        "LAchildID": c,
        "CINdetailsID": "1",
        "S47ActualStartDate": start,
        "InitialCPCtarget": None,
        "DateOfInitialCPC": icpc,
        "ICPCnotRequired": "false" if icpc else "true",
    }
    for c, start, icpc in [
        ("c1", "02/06/2025", "23/06/2025"),
        ("c2", "02/06/2025", "24/06/2025"),
        ("c5", "20/05/2025", None),
        ("c6", "20/03/2025", "03/04/2025"),
    ]
]

PLANS = [
    {
        "LAchildID": c,
        "CINdetailsID": "1",
        "CPPID": str(i),
        "CPPstartDate": start,
        "CPPendDate": end,
        "InitialCategoryOfAbuse": "NEG",
        "LatestCategoryOfAbuse": "NEG",
        "NumberOfPreviousCPP": previous,
    }
    for i, (c, start, end, previous) in enumerate(
        [
            ("c1", "23/06/2025", None, "0"),
            ("c2", "01/01/2023", "01/10/2025", "0"),
            ("c5", "01/04/2024", None, "0"),
            ("c6", "02/04/2024", None, "1"),
            ("c4", "01/05/2025", "01/11/2025", "2"),
        ],
        start=1,
    )
]


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    tables = typed(
        "cin",
        {"CINdetails": DETAILS, "Assessments": ASSESSMENTS, "Section47": SECTION_47, "ChildProtectionPlans": PLANS},
    )
    indicators = load_indicators()
    found = compute(
        [ReturnData("cin", None, tables, [])],
        [i for i in indicators.indicators if i.returns == ("cin",)],
        PERIOD,
        "383",
        indicators.views,
        10_000.0,
    )
    return {r.indicator.id: r for r in found}


EXPECTED: dict[str, tuple[float, float | None, float]] = {
    "CPP_Total_NumRef": (5, None, 5),
    "CPP_Total_Rateper10,000": (5, 10_000, 5),
    "ReReferral": (2, 5, 40),  # c1#2, c6#2
    "CIN_Refferals_NFA": (1, 5, 20),  # c3
    "RefBySource_Police_%": (2, 5, 40),
    "RefBySource_Schl_%": (1, 5, 20),
    "RefBySource_HealthServ_%": (1, 5, 20),  # c3 (A&E); c2's GP referral was in 2024
    "Continue_Assess_Comp": (2, 3, 200 / 3),
    "Section_47": (3, 10_000, 3),
    "CP_conf_15days": (2, 3, 200 / 3),
    "CPP_Num": (3, None, 3),  # c1 c5 c6
    "CPP_rate": (3, 10_000, 3),
    "CPP_Abuse": (2, None, 2),  # p1 p5
    "CPP_Abuse_Rate": (2, 10_000, 2),
    "PrevRegCPR": (1, 2, 50),  # p5
    "DeRegCPR": (2, 10_000, 2),  # p2 p5
    "CPPlans2yrs": (1, 2, 50),  # p2
    "CPPlans2yrsActive": (1, 3, 100 / 3),  # p3 (730 days), not p4 (729)
    "CIN": (4, 10_000, 4),
    "CINTime3months": (0, 4, 0),
    "CINTime3-6": (0, 4, 0),
    "CINTime6-1": (3, 4, 75),  # c1#2 c5#1 c6#2
    "CINTime1-2": (0, 4, 0),
    "CINTime2more": (1, 4, 25),  # c2#1
    "CINCease3months": (1, 2, 50),  # c1#1
    "CINCease3-6": (0, 2, 0),
    "CINCease6-1": (0, 2, 0),
    "CINCease1-2": (1, 2, 50),  # c4#1
    "CINCease2more": (0, 2, 0),
}


@pytest.mark.parametrize("indicator", sorted(EXPECTED))
def test_worked_by_hand(results: dict[str, Result], indicator: str) -> None:
    assert_worked(results[indicator], EXPECTED[indicator])


def test_every_cin_indicator_has_a_worked_example(results: dict[str, Result]) -> None:
    assert set(results) == set(EXPECTED)
