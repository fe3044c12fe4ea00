"""CIN census XML structure (2022/23 to 2025/26) and the linked tables it flattens into.

Source: ../shared/reference/cin-schema.md. Each repeating group becomes a table keyed by LAchildID plus ordinal
ids per parent (CINdetailsID, AssessmentID, CPPID), counted from 1 in document order.
"""

from __future__ import annotations

from typing import NamedTuple

from csctools.model import Column, ColumnType, Dataset, Table, Years, codes

DATE = ColumnType.DATE
CODE = ColumnType.CODE
INT = ColumnType.INTEGER
BOOL = ColumnType.BOOLEAN
CIN_YEARS = Years(2023, 2026)

ETHNICITY_CODES = codes(
    "ABAN AIND AOTH APKN BAFR BCRB BOTH CHNE MOTH MWAS MWBA MWBC NOBT OOTH REFU WBRI WIRI WIRT WOTH WROM"
)
DISABILITY_CODES = codes("NONE MOB HAND PC INC COMM LD HEAR VIS BEH CON AUT DDA")
REFERRAL_SOURCE_CODES = codes("1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 5D 6 7 8 9 10")
PRIMARY_NEED_CODES = codes("N0 N1 N2 N3 N4 N5 N6 N7 N8 N9")
REASON_FOR_CLOSURE_CODES = codes("RC1 RC2 RC3 RC4 RC5 RC6 RC7 RC8 RC9")
ASSESSMENT_FACTOR_CODES = codes(
    "1A 1B 1C 2A 2B 2C 3A 3B 3C 4A 4B 4C 5A 5B 5C 6A 6B 6C 7A 8B 8C 8D 8E 8F 9A 10A 11A 12A 13A 14A 15A "
    "16A 17A 18A 18B 18C 19A 19B 19C 20 21 22A 23A 24A"
)
ABUSE_CODES = codes("NEG PHY SAB EMO MUL")
SEX_CODES = codes("M F U", Years(2025, 2026))
GENDER_CODES = codes("0 1 2 9", Years(2023, 2024))
UPN_UNKNOWN_CODES = codes("UN1 UN2 UN3 UN4 UN5 UN6 UN7 UN8 UN9 UN10")


def _table(name: str, description: str, key: tuple[str, ...], *columns: Column, years: Years = CIN_YEARS) -> Table:
    key_columns = tuple(Column(k, INT if k.endswith("ID") and k != "LAchildID" else ColumnType.TEXT) for k in key)
    return Table(name, key_columns + columns, description, years, key)


CHILD_KEY = ("LAchildID",)
CIN_KEY = ("LAchildID", "CINdetailsID")

HEADER = Table(
    "Header",
    (
        Column("Collection", CODE),
        Column("Year", INT),
        Column("ReferenceDate", DATE),
        Column("SourceLevel", CODE),
        Column("LEA", CODE),
        Column("SoftwareCode"),
        Column("Release"),
        Column("SerialNo"),
        Column("DateTime"),
    ),
    "The census header: collection, year, reference date and the submitting LA",
    CIN_YEARS,
)
CHILD_IDENTIFIERS = _table(
    "ChildIdentifiers",
    "One row per child",
    (),
    Column("LAchildID", description="The LA's identifier for the child"),
    Column("UPN", CODE, "Unique pupil number"),
    Column("FormerUPN", CODE, "Former unique pupil number"),
    Column("UPNunknown", CODE, "Reason the UPN is not known", (UPN_UNKNOWN_CODES,)),
    Column("PersonBirthDate", DATE),
    Column("ExpectedPersonBirthDate", DATE, "For unborn children"),
    Column("GenderCurrent", CODE, "Gender (to 2023/24)", (GENDER_CODES,), years=Years(2023, 2024)),
    Column("Sex", CODE, "Sex (from 2024/25)", (SEX_CODES,), years=Years(2025, 2026)),
    Column("PersonDeathDate", DATE),
)
CHILD_CHARACTERISTICS = _table(
    "ChildCharacteristics",
    "Ethnicity of each child",
    CHILD_KEY,
    Column("Ethnicity", CODE, codes=(ETHNICITY_CODES,)),
)
DISABILITIES = _table(
    "Disabilities",
    "One row per disability code of a child",
    CHILD_KEY,
    Column("Disability", CODE, codes=(DISABILITY_CODES,)),
)
CIN_DETAILS = _table(
    "CINdetails",
    "One row per CIN episode (referral to closure)",
    CIN_KEY,
    Column("CINreferralDate", DATE),
    Column("ReferralSource", CODE, codes=(REFERRAL_SOURCE_CODES,)),
    Column("PrimaryNeedCode", CODE, codes=(PRIMARY_NEED_CODES,)),
    Column("CINclosureDate", DATE),
    Column("ReasonForClosure", CODE, codes=(REASON_FOR_CLOSURE_CODES,)),
    Column("DateOfInitialCPC", DATE),
    Column("ReferralNFA", BOOL, "Referral resulted in no further action"),
)
ASSESSMENTS = _table(
    "Assessments",
    "One row per assessment",
    (*CIN_KEY, "AssessmentID"),
    Column("AssessmentActualStartDate", DATE),
    Column("AssessmentInternalReviewDate", DATE),
    Column("AssessmentAuthorisationDate", DATE),
)
ASSESSMENT_FACTORS = _table(
    "AssessmentFactors",
    "One row per factor identified at an assessment",
    (*CIN_KEY, "AssessmentID"),
    Column("AssessmentFactors", CODE, codes=(ASSESSMENT_FACTOR_CODES,)),
)
CIN_PLAN_DATES = _table(
    "CINplanDates",
    "One row per CIN plan",
    CIN_KEY,
    Column("CINPlanStartDate", DATE),
    Column("CINPlanEndDate", DATE),
)
SECTION47 = _table(
    "Section47",
    "One row per section 47 enquiry",
    CIN_KEY,
    Column("S47ActualStartDate", DATE),
    Column("InitialCPCtarget", DATE),
    Column("DateOfInitialCPC", DATE),
    Column("ICPCnotRequired", BOOL),
)
CHILD_PROTECTION_PLANS = _table(
    "ChildProtectionPlans",
    "One row per child protection plan",
    (*CIN_KEY, "CPPID"),
    Column("CPPstartDate", DATE),
    Column("CPPendDate", DATE),
    Column("InitialCategoryOfAbuse", CODE, codes=(ABUSE_CODES,)),
    Column("LatestCategoryOfAbuse", CODE, codes=(ABUSE_CODES,)),
    Column("NumberOfPreviousCPP", INT),
)
REVIEWS = _table(
    "Reviews", "One row per child protection plan review", (*CIN_KEY, "CPPID"), Column("CPPreviewDate", DATE)
)
PRE_PROCEEDINGS = _table(
    "PreProceedings",
    "Pre-proceedings and family group decision-making (from 2025/26)",
    CIN_KEY,
    Column("PPStartDate", DATE),
    Column("LBPSentDate", DATE, "Letter before proceedings sent"),
    Column("InitialPPMeetingDate", DATE),
    Column("StepDecisionDate", DATE),
    Column("CourtAppDate", DATE),
    Column("LetterInitCPDate", DATE),
    Column("FGDMMeetingOffer", CODE, codes=(codes("0 1"),)),
    Column("FGDMMeetingFac", CODE, codes=(codes("0 1"),)),
    Column("ReviewMeetingsCount", INT),
    Column("PPOutcome", CODE),
    years=Years(2026, 2026),
)

CIN = Dataset(
    "cin",
    "CIN census (children in need)",
    (
        HEADER,
        CHILD_IDENTIFIERS,
        CHILD_CHARACTERISTICS,
        DISABILITIES,
        CIN_DETAILS,
        ASSESSMENTS,
        ASSESSMENT_FACTORS,
        CIN_PLAN_DATES,
        SECTION47,
        CHILD_PROTECTION_PLANS,
        REVIEWS,
        PRE_PROCEEDINGS,
    ),
)


class Node(NamedTuple):
    """An XML element: its leaf fields (stored in `table`), nested groups, and whether it repeats.

    `table` names the table a row of this element's leaves goes to; `id_column` is the ordinal id this element
    gets among its siblings (e.g. CINdetailsID). A `leaf_list` node holds repeated leaves, one row per leaf.
    """

    tag: str
    table: str | None = None
    fields: tuple[str, ...] = ()
    children: tuple[Node, ...] = ()
    repeats: bool = False
    id_column: str | None = None
    leaf_list: str | None = None


CHILD_NODE = Node(
    "Child",
    repeats=True,
    children=(
        Node("ChildIdentifiers", "ChildIdentifiers", CHILD_IDENTIFIERS.column_names()),
        Node(
            "ChildCharacteristics",
            "ChildCharacteristics",
            ("Ethnicity",),
            children=(Node("Disabilities", "Disabilities", leaf_list="Disability"),),
        ),
        Node(
            "CINdetails",
            "CINdetails",
            CIN_DETAILS.column_names()[2:],
            repeats=True,
            id_column="CINdetailsID",
            children=(
                Node(
                    "Assessments",
                    "Assessments",
                    ASSESSMENTS.column_names()[3:],
                    repeats=True,
                    id_column="AssessmentID",
                    children=(
                        Node(
                            "FactorsIdentifiedAtAssessment",
                            "AssessmentFactors",
                            leaf_list="AssessmentFactors",
                        ),
                    ),
                ),
                Node("CINPlanDates", "CINplanDates", CIN_PLAN_DATES.column_names()[2:], repeats=True),
                Node("Section47", "Section47", SECTION47.column_names()[2:], repeats=True),
                Node(
                    "ChildProtectionPlans",
                    "ChildProtectionPlans",
                    CHILD_PROTECTION_PLANS.column_names()[3:],
                    repeats=True,
                    id_column="CPPID",
                    children=(Node("Reviews", "Reviews", repeats=True, leaf_list="CPPreviewDate"),),
                ),
                Node(
                    "PreProceedingsandFGDM",
                    "PreProceedings",
                    PRE_PROCEEDINGS.column_names()[2:],
                    repeats=True,
                ),
            ),
        ),
    ),
)
HEADER_NODE = Node(
    "Header",
    "Header",
    children=(
        Node("CollectionDetails", "Header", ("Collection", "Year", "ReferenceDate")),
        Node("Source", "Header", ("SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime")),
    ),
)
CIN_TREE = Node("Message", children=(HEADER_NODE, Node("Children", children=(CHILD_NODE,))))

# Elements the census requires in each group (a missing one is a structural problem, reported with its line).
REQUIRED_ELEMENTS: dict[str, tuple[str, ...]] = {
    "CollectionDetails": ("Collection", "Year", "ReferenceDate"),
    "Source": ("SourceLevel", "LEA"),
    "ChildIdentifiers": ("LAchildID",),
    "ChildCharacteristics": ("Ethnicity",),
    "CINdetails": ("CINreferralDate", "ReferralNFA"),
    "Assessments": ("AssessmentActualStartDate",),
    "CINPlanDates": ("CINPlanStartDate",),
    "Section47": ("S47ActualStartDate",),
    "ChildProtectionPlans": ("CPPstartDate", "NumberOfPreviousCPP"),
}
