"""A failing and a passing example for every CIN census rule (census 2025/26, reference date 2026-03-31)."""

from __future__ import annotations

from tests.rules.cases_903 import Case

Row = dict[str, str | None]
Tables = dict[str, list[Row]]
K = {"LAchildID": "A1", "CINdetailsID": "1"}


def HDR(**kw: str | None) -> Row:
    return {"Collection": "CIN", "Year": "2026", "ReferenceDate": "2026-03-31", "SourceLevel": "L", "LEA": "383", **kw}


def CI(**kw: str | None) -> Row:
    return {"LAchildID": "A1", "UPN": "B383123456789", "PersonBirthDate": "2015-01-02", "Sex": "F", **kw}


def CC(**kw: str | None) -> Row:
    return {"LAchildID": "A1", "Ethnicity": "WBRI", **kw}


def DIS(**kw: str | None) -> Row:
    return {"LAchildID": "A1", "Disability": "NONE", **kw}


def CD(**kw: str | None) -> Row:
    return {
        **K,
        "CINreferralDate": "2025-05-01",
        "ReferralSource": "3A",
        "PrimaryNeedCode": "N1",
        "ReferralNFA": "false",
        **kw,
    }


def AS(**kw: str | None) -> Row:
    return {
        **K,
        "AssessmentID": "1",
        "AssessmentActualStartDate": "2025-05-02",
        "AssessmentAuthorisationDate": "2025-05-20",
        **kw,
    }


def AF(**kw: str | None) -> Row:
    return {**K, "AssessmentID": "1", "AssessmentFactors": "2A", **kw}


def PLAN(**kw: str | None) -> Row:
    return {**K, "CINPlanStartDate": "2025-06-01", **kw}


def S47(**kw: str | None) -> Row:
    return {
        **K,
        "S47ActualStartDate": "2025-05-02",
        "InitialCPCtarget": "2025-05-22",
        "DateOfInitialCPC": "2025-05-20",
        "ICPCnotRequired": "false",
        **kw,
    }


def CPP(**kw: str | None) -> Row:
    return {
        **K,
        "CPPID": "1",
        "CPPstartDate": "2025-05-20",
        "InitialCategoryOfAbuse": "NEG",
        "LatestCategoryOfAbuse": "NEG",
        "NumberOfPreviousCPP": "0",
        **kw,
    }


def REV(**kw: str | None) -> Row:
    return {**K, "CPPID": "1", "CPPreviewDate": "2025-08-01", **kw}


def census(**tables: list[Row]) -> Tables:
    """A whole census for one child with one open episode, a completed assessment and a CIN plan."""
    base: Tables = {
        "Header": [HDR()],
        "ChildIdentifiers": [CI()],
        "ChildCharacteristics": [CC()],
        "Disabilities": [DIS()],
        "CINdetails": [CD()],
        "Assessments": [AS()],
        "AssessmentFactors": [AF()],
        "CINplanDates": [PLAN()],
    }
    return {**base, **tables}


PROTECTED = {"CINplanDates": [], "Section47": [S47()], "ChildProtectionPlans": [CPP()], "Reviews": [REV()]}


def case(
    table: str,
    bad: dict[str, list[Row]],
    good: dict[str, list[Row]] | None = None,
    rows: set[int] | None = None,
    la_level: bool = False,
) -> Case:
    flagged = {(table, None)} if la_level else {(table, r) for r in (rows or {2})}
    return Case(census(**bad), flagged, census(**(good or {})))  # type: ignore[arg-type]


CASES: dict[str, Case] = {
    "100": case("Header", {"Header": [HDR(ReferenceDate="2026-03-30")]}),
    "1103": case("Assessments", {"Assessments": [AS(AssessmentActualStartDate="2025-04-20")]}),
    "1104": case(
        "Section47",
        {**PROTECTED, "Section47": [S47(DateOfInitialCPC="2025-04-30")], "ChildProtectionPlans": []},
        PROTECTED,
    ),
    "1105": case(
        "ChildProtectionPlans",
        {**PROTECTED, "ChildProtectionPlans": [CPP(CPPstartDate="2025-04-30")], "Reviews": []},
        PROTECTED,
    ),
    "1510": case("ChildIdentifiers", {"ChildIdentifiers": [CI(UPN="A383123456789")]}),
    "1520": case("ChildIdentifiers", {"ChildIdentifiers": [CI(), CI(LAchildID="A2")]}, rows={2, 3}),
    "1530": case("ChildIdentifiers", {"ChildIdentifiers": [CI(UPN="A999123456789")]}),
    "1540": case("ChildIdentifiers", {"ChildIdentifiers": [CI(UPN="B3831234X6789")]}),
    "1550": case("ChildIdentifiers", {"ChildIdentifiers": [CI(UPN="B38312345678I")]}),
    "1560Q": case("ChildIdentifiers", {"ChildIdentifiers": [CI(FormerUPN="A12")]}),
    "1570": case("ChildIdentifiers", {"ChildIdentifiers": [CI(LAchildID="A" * 21)]}),
    "1580": case("ChildIdentifiers", {"ChildIdentifiers": [CI(LAchildID="A-1")]}),
    "2883": case(
        "ChildProtectionPlans", {**PROTECTED, "Section47": [S47(DateOfInitialCPC=None)]}, PROTECTED, la_level=True
    ),
    "2884": case("Section47", {**PROTECTED, "CINdetails": [CD(DateOfInitialCPC="2025-05-20")]}, PROTECTED),
    "2885": case(
        "ChildProtectionPlans",
        {**PROTECTED, "ChildProtectionPlans": [CPP(CPPstartDate="2025-05-21")], "Reviews": []},
        PROTECTED,
    ),
    "2886Q": case("ChildIdentifiers", {"ChildIdentifiers": [CI(Sex=None)]}, la_level=True),
    "2887Q": case(
        "Disabilities",
        {"Disabilities": [DIS(Disability="HEAR")]},
        {"Disabilities": [DIS(Disability=c) for c in ("MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS")]},
        la_level=True,
    ),
    "2888Q": case(
        "Disabilities",
        {"Disabilities": [DIS(Disability="HEAR")]},
        {"Disabilities": [DIS(Disability="HEAR"), DIS(Disability="VIS")]},
        la_level=True,
    ),
    "2889": case("Section47", {**PROTECTED, "Section47": [S47(S47ActualStartDate="2025-04-20")]}, PROTECTED),
    "2990": case(
        "CINdetails",
        {"CINdetails": [CD(CINclosureDate="2026-01-01", ReasonForClosure="RC8")]},
        {"CINdetails": [CD(CINclosureDate="2026-01-01", ReasonForClosure="RC8")], "CINplanDates": []},
    ),
    "2991Q": case(
        "CINdetails", {"CINplanDates": [], "Section47": [S47(DateOfInitialCPC=None, ICPCnotRequired="true")]}, PROTECTED
    ),
    "4000": case("CINplanDates", {"CINdetails": [CD(ReferralNFA="true")]}),
    "4001": case("CINplanDates", {**PROTECTED, "CINplanDates": [PLAN()]}, PROTECTED),
    "4003": case("Reviews", {**PROTECTED, "CINplanDates": [PLAN(CINPlanStartDate="2025-07-01")]}, PROTECTED),
    "4004": case("CINplanDates", {"CINplanDates": [PLAN(), PLAN(CINPlanStartDate="2025-09-01")]}, rows={2, 3}),
    "4008": case("CINplanDates", {"ChildIdentifiers": [CI(PersonDeathDate="2025-05-30")]}),
    "4009Q": case(
        "CINplanDates",
        {"ChildIdentifiers": [CI(PersonDeathDate="2025-07-01")], "CINplanDates": [PLAN(CINPlanEndDate="2025-08-01")]},
    ),
    "4010": case("CINplanDates", {"CINplanDates": [PLAN(CINPlanStartDate=None)]}),
    "4011": case("CINplanDates", {"CINplanDates": [PLAN(CINPlanEndDate="2025-05-30")]}),
    "4012Q": case("CINplanDates", {"CINplanDates": [PLAN(CINPlanEndDate="2025-06-01")]}),
    "4013": case("CINplanDates", {"CINplanDates": [PLAN(CINPlanEndDate="2026-04-02")]}),
    "4014": case(
        "CINplanDates",
        {"CINplanDates": [PLAN(CINPlanEndDate="2025-09-01"), PLAN(CINPlanStartDate="2025-08-01")]},
        rows={3},
    ),
    "4015": case("CINplanDates", {"CINplanDates": [PLAN(CINPlanStartDate="2025-04-20")]}),
    "4016": case("CINplanDates", {**PROTECTED, "CINplanDates": [PLAN(CINPlanStartDate="2025-07-01")]}, PROTECTED),
    "4017": case("CINplanDates", {**PROTECTED, "CINplanDates": [PLAN(CINPlanStartDate="2025-05-10")]}, PROTECTED),
    "4180": case("ChildIdentifiers", {"ChildIdentifiers": [CI(Sex="X")]}),
    "4220": case("ChildCharacteristics", {"ChildCharacteristics": [CC(Ethnicity="XXXX")]}),
    "8500": case("ChildIdentifiers", {"ChildIdentifiers": [CI(), CI(LAchildID=None, UPN=None)]}, rows={3}),
    "8510": case("ChildIdentifiers", {"ChildIdentifiers": [CI(), CI(UPN=None)]}, rows={2, 3}),
    "8520": case("ChildIdentifiers", {"ChildIdentifiers": [CI(PersonBirthDate="2026-04-02")]}),
    "8525Q": case("ChildIdentifiers", {"ChildIdentifiers": [CI(ExpectedPersonBirthDate="2026-05-01")]}),
    "8530Q": case(
        "ChildIdentifiers",
        {"ChildIdentifiers": [CI(PersonBirthDate=None, Sex="U", ExpectedPersonBirthDate="2027-01-01")]},
        {"ChildIdentifiers": [CI(PersonBirthDate=None, Sex="U", ExpectedPersonBirthDate="2026-06-01")]},
    ),
    "8535Q": case("ChildIdentifiers", {"ChildIdentifiers": [CI(PersonDeathDate="2014-01-01")]}),
    "8540": case("Disabilities", {"Disabilities": [DIS(Disability="XYZ")]}),
    "8545Q": case("ChildIdentifiers", {"ChildIdentifiers": [CI(PersonDeathDate="2025-03-01")]}),
    "8555Q": case("CINdetails", {"ChildIdentifiers": [CI(PersonDeathDate="2025-04-20")]}),
    "8565": case(
        "Assessments",
        {"CINdetails": [CD(CINclosureDate="2025-05-10", ReasonForClosure="RC7")], "CINplanDates": []},
        {"CINdetails": [CD(CINclosureDate="2025-06-10", ReasonForClosure="RC7")], "CINplanDates": []},
    ),
    "8568": case("CINdetails", {"CINdetails": [CD(ReferralNFA="maybe")]}),
    "8569Q": case(
        "CINdetails",
        {
            "CINdetails": [CD(CINreferralDate="2025-03-20", ReferralNFA="true")],
            "Assessments": [],
            "AssessmentFactors": [],
            "CINplanDates": [],
        },
        {
            "CINdetails": [CD(CINreferralDate="2025-04-20", ReferralNFA="true")],
            "Assessments": [],
            "AssessmentFactors": [],
            "CINplanDates": [],
        },
    ),
    "8585Q": case(
        "CINdetails", {"CINdetails": [CD(CINclosureDate="2026-01-01", ReasonForClosure="RC2")], "CINplanDates": []}
    ),
    "8590": case(
        "ChildIdentifiers", {"CINdetails": [], "Assessments": [], "AssessmentFactors": [], "CINplanDates": []}
    ),
    "8600": case("CINdetails", {"CINdetails": [CD(CINreferralDate="2026-04-01")]}),
    "8606": case("CINdetails", {"ChildIdentifiers": [CI(PersonBirthDate="2026-03-01")]}),
    "8608": case("Assessments", {"Assessments": [AS(AssessmentAuthorisationDate="2025-05-01")]}),
    "8610": case("CINdetails", {"CINdetails": [CD(PrimaryNeedCode=None)]}),
    "8614": case(
        "AssessmentFactors",
        {"Assessments": [AS(AssessmentAuthorisationDate=None)]},
        {"Assessments": [AS(AssessmentAuthorisationDate=None)], "AssessmentFactors": []},
    ),
    "8615": case("Section47", {**PROTECTED, "Section47": [S47(S47ActualStartDate="2025-05-21")]}, PROTECTED),
    "8620": case("CINdetails", {"CINdetails": [CD(CINclosureDate="2026-04-10", ReasonForClosure="RC7")]}),
    "8630": case(
        "CINdetails",
        {
            "CINdetails": [CD(CINclosureDate="2025-04-20", ReasonForClosure="RC7")],
            "Assessments": [],
            "AssessmentFactors": [],
            "CINplanDates": [],
        },
    ),
    "8640": case(
        "CINdetails",
        {
            "CINdetails": [CD(CINclosureDate="2026-01-01", ReasonForClosure="RC0")],
            "CINplanDates": [PLAN(CINPlanEndDate="2025-12-01")],
        },
    ),
    "8650": case("CINdetails", {"CINdetails": [CD(PrimaryNeedCode="N11")]}),
    "8670Q": case(
        "Assessments",
        {
            "Assessments": [AS(AssessmentActualStartDate="2025-12-01", AssessmentAuthorisationDate=None)],
            "AssessmentFactors": [],
        },
        {
            "Assessments": [AS(AssessmentActualStartDate="2026-03-01", AssessmentAuthorisationDate=None)],
            "AssessmentFactors": [],
        },
    ),
    "8675Q": case(
        "Section47",
        {
            **PROTECTED,
            "Section47": [S47(S47ActualStartDate="2026-01-05", DateOfInitialCPC=None, InitialCPCtarget="2026-01-26")],
            "ChildProtectionPlans": [],
            "Reviews": [],
        },
        {
            **PROTECTED,
            "Section47": [S47(S47ActualStartDate="2026-03-20", DateOfInitialCPC=None, InitialCPCtarget="2026-04-10")],
            "ChildProtectionPlans": [],
            "Reviews": [],
        },
    ),
    "8696": case(
        "Assessments",
        {
            "CINdetails": [CD(CINreferralDate="2025-01-01")],
            "Assessments": [AS(AssessmentActualStartDate="2025-01-02", AssessmentAuthorisationDate="2025-03-01")],
        },
    ),
    "8715": case(
        "Section47",
        {
            **PROTECTED,
            "CINdetails": [CD(CINreferralDate="2025-01-01")],
            "Section47": [
                S47(S47ActualStartDate="2025-01-02", DateOfInitialCPC="2025-03-03", InitialCPCtarget="2025-01-23")
            ],
            "ChildProtectionPlans": [CPP(CPPstartDate="2025-03-03")],
            "Reviews": [],
        },
        PROTECTED,
    ),
    "8720": case(
        "ChildProtectionPlans",
        {**PROTECTED, "ChildProtectionPlans": [CPP(CPPstartDate=None)], "Reviews": []},
        PROTECTED,
    ),
    "8730": case(
        "ChildProtectionPlans", {**PROTECTED, "ChildProtectionPlans": [CPP(NumberOfPreviousCPP=None)]}, PROTECTED
    ),
    "8736": case(
        "Assessments",
        {
            "CINdetails": [CD(CINreferralDate="2025-01-01")],
            "Assessments": [AS(AssessmentActualStartDate="2025-03-01", AssessmentAuthorisationDate=None)],
            "AssessmentFactors": [],
        },
    ),
    "8740": case(
        "Section47",
        {
            **PROTECTED,
            "CINdetails": [CD(CINreferralDate="2025-01-01")],
            "Section47": [S47(S47ActualStartDate="2025-03-01", DateOfInitialCPC=None)],
            "ChildProtectionPlans": [],
            "Reviews": [],
        },
        PROTECTED,
    ),
    "8750": case(
        "ChildIdentifiers",
        {"ChildIdentifiers": [CI(PersonBirthDate=None, ExpectedPersonBirthDate="2026-06-01")]},
        {"ChildIdentifiers": [CI(PersonBirthDate=None, ExpectedPersonBirthDate="2026-06-01", Sex="U")]},
    ),
    "8770Q": case(
        "ChildIdentifiers", {"ChildIdentifiers": [CI(UPN=None)]}, {"ChildIdentifiers": [CI(UPN=None, UPNunknown="UN3")]}
    ),
    "8772": case("ChildIdentifiers", {"ChildIdentifiers": [CI(UPN=None, UPNunknown="UN7")]}),
    "8775Q": case("ChildIdentifiers", {"ChildIdentifiers": [CI(PersonBirthDate="2000-01-01")]}),
    "8790": case("Disabilities", {"Disabilities": [DIS(), DIS(Disability="VIS")]}, rows={2, 3}),
    "8794": case("Disabilities", {"Disabilities": [DIS(Disability="VIS"), DIS(Disability="VIS")]}, rows={2, 3}),
    "8805": case(
        "CINdetails",
        {"CINdetails": [CD(CINclosureDate="2026-01-01")], "CINplanDates": [PLAN(CINPlanEndDate="2025-12-01")]},
    ),
    "8810": case("CINdetails", {"CINdetails": [CD(ReasonForClosure="RC7")]}),
    "8815": case("CINdetails", {"CINdetails": [CD(), CD(CINdetailsID="2", CINreferralDate="2025-09-01")]}, rows={2, 3}),
    "8816": case(
        "CINdetails",
        {
            "CINdetails": [
                CD(),
                CD(CINdetailsID="2", CINreferralDate="2025-09-01", CINclosureDate="2025-10-01", ReasonForClosure="RC8"),
            ]
        },
        rows={2},
    ),
    "8820": case(
        "CINdetails",
        {
            "CINdetails": [
                CD(CINclosureDate="2025-12-01", ReasonForClosure="RC7"),
                CD(CINdetailsID="2", CINreferralDate="2025-09-01"),
            ]
        },
        rows={3},
    ),
    "8825Q": case(
        "CINdetails",
        {
            "CINdetails": [CD(CINclosureDate="2026-01-01", ReasonForClosure="RC8")],
            "CINplanDates": [PLAN(CINPlanEndDate="2025-12-01")],
        },
        {"CINdetails": [CD(CINclosureDate="2026-01-01", ReasonForClosure="RC8")], "CINplanDates": []},
    ),
    "8831": case(
        "CINdetails",
        {"CINdetails": [CD(ReferralNFA="true")], "CINplanDates": []},
        {"CINdetails": [CD(ReferralNFA="true")], "Assessments": [], "AssessmentFactors": [], "CINplanDates": []},
    ),
    "8832": case("ChildProtectionPlans", {**PROTECTED, "CINdetails": [CD(ReferralNFA="true")]}, PROTECTED),
    "8839": case(
        "Section47",
        {
            **PROTECTED,
            "Section47": [S47(DateOfInitialCPC=None), S47(S47ActualStartDate="2025-05-05", DateOfInitialCPC=None)],
            "ChildProtectionPlans": [],
            "Reviews": [],
        },
        PROTECTED,
        rows={2, 3},
    ),
    "8840": case(
        "ChildProtectionPlans",
        {**PROTECTED, "ChildProtectionPlans": [CPP(CPPendDate="2025-05-20")], "Reviews": []},
        PROTECTED,
    ),
    "8841": case("Reviews", {**PROTECTED, "Reviews": [REV(CPPreviewDate="2025-05-20")]}, PROTECTED),
    "8842Q": case("Reviews", {**PROTECTED, "Reviews": [REV(CPPreviewDate=None)]}, PROTECTED),
    "8863Q": case(
        "Assessments",
        {
            "Assessments": [
                AS(AssessmentAuthorisationDate=None),
                AS(AssessmentID="2", AssessmentActualStartDate="2025-05-10"),
            ],
            "AssessmentFactors": [],
        },
        rows={3},
    ),
    "8866": case(  # a referral of an earlier year counts (the DfE: on or after 1 April 2013), one before does not
        "CINdetails",
        {
            "CINdetails": [
                CD(ReferralSource="99"),
                CD(CINdetailsID="2", CINreferralDate="2024-11-12", ReferralSource="99"),
                CD(CINdetailsID="3", CINreferralDate="2013-03-31", ReferralSource="99", CINclosureDate="2014-01-01"),
            ]
        },
        rows={2, 3},
    ),
    "8867": case(
        "Assessments",
        {
            "CINdetails": [CD(CINclosureDate="2026-01-01", ReasonForClosure="RC7")],
            "Assessments": [AS(AssessmentAuthorisationDate=None)],
            "AssessmentFactors": [],
            "CINplanDates": [PLAN(CINPlanEndDate="2025-12-01")],
        },
    ),
    "8868": case(
        "Section47",
        {
            **PROTECTED,
            "CINdetails": [CD(CINclosureDate="2026-01-01", ReasonForClosure="RC7")],
            "Section47": [S47(DateOfInitialCPC=None)],
            "ChildProtectionPlans": [],
            "Reviews": [],
        },
        PROTECTED,
    ),
    "8869": case("AssessmentFactors", {"AssessmentFactors": [AF(AssessmentFactors="21"), AF()]}, rows={2, 3}),
    "8870Q": case("Section47", {**PROTECTED, "Section47": [S47(InitialCPCtarget="2025-05-24")]}, PROTECTED),
    "8873Q": case(
        "Assessments",
        {"AssessmentFactors": [AF(AssessmentFactors="21")]},
        {
            "CINdetails": [CD(CINclosureDate="2025-06-01", ReasonForClosure="RC8")],
            "AssessmentFactors": [AF(AssessmentFactors="21")],
            "CINplanDates": [],
        },
    ),
    "8875": case(
        "Section47",
        {
            **PROTECTED,
            "Section47": [S47(DateOfInitialCPC="2025-05-24")],
            "ChildProtectionPlans": [CPP(CPPstartDate="2025-05-24")],
        },
        PROTECTED,
    ),
    "8890": case(
        "Section47",
        {
            **PROTECTED,
            "Section47": [
                S47(DateOfInitialCPC=None),
                S47(CINdetailsID="1", S47ActualStartDate="2025-05-05", DateOfInitialCPC="2025-05-20"),
            ],
            "ChildProtectionPlans": [],
            "Reviews": [],
        },
        PROTECTED,
        rows={3},
    ),
    "8896": case(
        "Assessments",
        {
            "Assessments": [
                AS(AssessmentAuthorisationDate=None),
                AS(AssessmentID="2", AssessmentAuthorisationDate=None),
            ],
            "AssessmentFactors": [],
        },
        rows={2, 3},
    ),
    "8897Q": case("Assessments", {"AssessmentFactors": []}),
    "8898": case("AssessmentFactors", {"AssessmentFactors": [AF(), AF()]}, rows={2, 3}),
    "8905": case(
        "ChildProtectionPlans", {**PROTECTED, "ChildProtectionPlans": [CPP(InitialCategoryOfAbuse="XYZ")]}, PROTECTED
    ),
    "8910": case(
        "ChildProtectionPlans", {**PROTECTED, "ChildProtectionPlans": [CPP(LatestCategoryOfAbuse=None)]}, PROTECTED
    ),
    "8915": case(
        "ChildProtectionPlans", {**PROTECTED, "ChildIdentifiers": [CI(PersonDeathDate="2025-05-10")]}, PROTECTED
    ),
    "8920": case(
        "ChildProtectionPlans",
        {
            **PROTECTED,
            "ChildIdentifiers": [CI(PersonDeathDate="2025-06-01")],
            "ChildProtectionPlans": [CPP(CPPendDate="2025-07-01")],
            "Reviews": [],
        },
        {
            **PROTECTED,
            "ChildIdentifiers": [CI(PersonDeathDate="2025-07-02")],
            "ChildProtectionPlans": [CPP(CPPendDate="2025-07-01")],
            "Reviews": [],
        },
    ),
    "8925": case(
        "ChildProtectionPlans",
        {**PROTECTED, "ChildProtectionPlans": [CPP(CPPendDate="2025-05-10")], "Reviews": []},
        PROTECTED,
    ),
    "8930": case(
        "ChildProtectionPlans", {**PROTECTED, "ChildProtectionPlans": [CPP(CPPendDate="2026-04-10")]}, PROTECTED
    ),
    "8935": case(
        "ChildProtectionPlans",
        {**PROTECTED, "ChildProtectionPlans": [CPP(), CPP(CPPID="2")], "Reviews": []},
        PROTECTED,
        rows={2, 3},
    ),
    "8940": case(
        "ChildProtectionPlans",
        {
            **PROTECTED,
            "ChildProtectionPlans": [CPP(CPPendDate="2025-10-01"), CPP(CPPID="2", CPPstartDate="2025-09-01")],
            "Reviews": [],
        },
        PROTECTED,
        rows={3},
    ),
    "8945Q": case("AssessmentFactors", {"AssessmentFactors": [AF(AssessmentFactors="18A")]}),
    "8950Q": case("AssessmentFactors", {"AssessmentFactors": [AF(AssessmentFactors="19A")]}),
}
CASES["8867"].flagged = {("Assessments", 2), ("CINdetails", 2)}

CASES["2991Q"] = case("Section47", {**PROTECTED, "Assessments": [], "AssessmentFactors": []}, PROTECTED)
CASES["8825Q"] = case(
    "CINdetails",
    {
        "CINdetails": [CD(CINclosureDate="2026-01-01", ReasonForClosure="RC8")],
        "Assessments": [],
        "AssessmentFactors": [],
        "CINplanDates": [],
    },
    {"CINdetails": [CD(CINclosureDate="2026-01-01", ReasonForClosure="RC8")], "CINplanDates": []},
)
