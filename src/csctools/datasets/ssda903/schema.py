"""SSDA903 tables, columns, types and code lists for collection years 2022/23 to 2026/27.

Source: ../shared/reference/903-schema.md (the DfE specification as the sector's validator implements it).
"""

from __future__ import annotations

from csctools.model import ALL_YEARS, CodeList, Column, ColumnType, Dataset, Table, Years, codes
from csctools.reference.authorities import la_numbers
from csctools.years import CollectionYear

DATE = ColumnType.DATE
CODE = ColumnType.CODE
INT = ColumnType.INTEGER

SEX_CODES = (codes("1 2", Years(2023, 2024)), codes("M F U", Years(2025)))
ETHNIC_CODES = codes(
    "WBRI WIRI WOTH WIRT WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH CHNE OOTH REFU NOBT"
)
YES_NO = codes("0 1")
RNE_CODES = codes("S P L T U B")
LS_CODES = codes("C1 C2 D1 E1 V2 V3 V4 J1 J2 J3 L1 L2 L3")
CIN_CODES = codes("N1 N2 N3 N4 N5 N6 N7 N8")
# Placement types by collection year (the reference validator's rule 146 of each year): H5 (semi-independent
# living), P2 (independent living) and Z1 (other placement) until 2024/25; K3 (supported accommodation) from
# 2024/25; Z1 split into Z11-Z14 from 2025/26. K3 is also accepted before 2024/25, where the DfE list has no K3, until
# the synthetic generator writes H5 for those years (docs/differences.md, "Rule versions by collection year").
_PLACE_COMMON = "A3 A4 A5 A6 K1 K2 P1 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6"
PLACE_CODES = (
    codes(f"{_PLACE_COMMON} H5 K3 P2 Z1", Years(2023, 2025)),
    codes(f"{_PLACE_COMMON} K3 Z11 Z12 Z13 Z14", Years(2026)),
)
PLACE_PROVIDER_CODES = codes("PR0 PR1 PR2 PR3 PR4 PR5")
REC_CODES = codes("E11 E12 E2 E3 E4A E4B E13 E41 E45 E46 E47 E48 E5 E6 E7 E8 E9 E14 E15 E16 E17 X1")
REASON_PLACE_CHANGE_CODES = codes("CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE CUSTOD OTHER")
REVIEW_CODES = codes("PN0 PN1 PN2 PN3 PN4 PN5 PN6 PN7")
SDQ_REASON_CODES = codes("SDQ1 SDQ2 SDQ3 SDQ4 SDQ5")
IN_TOUCH_CODES = codes("YES NO DIED REFU NREQ RHOM")
ACTIV_CODES = codes("F1 P1 F2 P2 F4 P4 F5 P5 G4 G5 G6 0")
ACCOM_CODES = codes("B1 B2 C1 C2 D1 D2 E1 E2 G1 G2 H1 H2 K1 K2 R1 R2 S2 T1 T2 U1 U2 V1 V2 W1 W2 X2 Y1 Y2 Z1 Z2 0")
NB_ADOPTR_CODES = codes("1 2")
SEX_ADOPTR_CODES = codes("M1 F1 MM FF MF")
LS_ADOPTR_CODES = codes("L0 L11 L12 L2 L3 L4")
REASON_PLACED_CEASED_CODES = codes("RD1 RD2 RD3 RD4")
PREV_PERM_CODES = codes("P1 P2 P3 P4 Z1")
LA_PERM_CODES = codes((*la_numbers(), "WAL", "SCO", "NUK", "NIR"))
MISSING_CODES = codes("M A")
SW_REASON_CODES = codes("MANAGE FCONTA LEFTRL ORGRST TSPROC ABSENC CHCHAN PCCHAN SWDIED OTHERS")
UPN_UNKNOWN_CODES = codes("UN1 UN2 UN3 UN4 UN5")

# Groups of codes and fields the rules and the generator name, declared once (each code is checked against its
# column's code list by tests/rules/test_code_literals.py).
TEMPORARY_PLACEMENTS = ("T0", "T1", "T2", "T3", "T4")
SEMI_INDEPENDENT_LIVING = "H5"  # until 2024/25 (replaced by K3)
INDEPENDENT_LIVING = "P2"  # until 2024/25 (not valid from 28 October 2023, rule 217t)
SUPPORTED_ACCOMMODATION = "K3"  # from 2024/25
# PLACE_PROVIDER must be blank for these (903 specification, rule 178 of each year); T4 is among them until
# 2024/25. The same list serves 213 and 526 (one definition of "a placement with no provider").
NO_PROVIDER_PLACEMENTS = (
    codes("T0 T1 T2 T3 T4 Z1", Years(2023, 2025)),
    codes("T0 T1 T2 T3 Z11 Z12 Z13 Z14", Years(2026)),
)
# Placements that take no Ofsted URN (rule 222 of each year): H5 until 2022/23, P2 until 2023/24.
_NO_URN_COMMON = "P1 P3 R1 R2 R5 T0 T1 T2 T3 T4"
NO_URN_PLACEMENTS = (
    codes(f"H5 P2 {_NO_URN_COMMON} Z1", Years(2023, 2023)),
    codes(f"P2 {_NO_URN_COMMON} Z1", Years(2024, 2024)),
    codes(f"{_NO_URN_COMMON} Z1", Years(2025, 2025)),
    codes(f"{_NO_URN_COMMON} Z11 Z12 Z13 Z14", Years(2026)),
)
# Placements whose postcode must be the provider's setting postcode (rule 221 of each year).
SETTING_POSTCODE_PLACEMENTS = (
    codes("K1 K2 R3 S1", Years(2023, 2023)),
    codes("H5 K1 K2 R3 S1", Years(2024, 2024)),
    codes("K1 K2 K3 R3 S1", Years(2025)),
)
ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
WITH_CURRENT_FOSTER_CARER = ("A3", "A5")  # placed for adoption with the current foster carer
FOSTER_PLACEMENTS = ("U1", "U2", "U3", "U4", "U5", "U6")
LONG_TERM_FOSTERING = ("U1", "U4")
RESPITE_LEGAL_STATUSES = ("V3", "V4")  # short breaks
ADOPTED_REASONS = ("E11", "E12")  # REC: adopted
FEMALE_SEX = ("F", "2")  # 2024/25 on, and before
MALE_SEX = ("M", "1")
# Codes of earlier years that later years split or renamed: last year's code and this year's are the same kind of
# placement (rule 503D).
RENAMED_PLACEMENTS = {"H5": ("K3", "Z13", "Z14"), "Z1": ("Z11", "Z12", "Z13", "Z14")}


def in_year(groups: tuple[CodeList, ...], year: CollectionYear) -> tuple[str, ...]:
    """The codes of a group that varies by collection year (empty in a year it does not cover)."""
    return next((group.values for group in groups if year in group.years), ())


OC2_HEALTH_FIELDS = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")
OC2_FLAG_FIELDS = ("CONVICTED", "HEALTH_CHECK", *OC2_HEALTH_FIELDS, "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")
AD1_FIELDS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
CARE_LEAVER_FIELDS = ("IN_TOUCH", "ACTIV", "ACCOM")

CHILD = Column("CHILD", description="The LA's identifier for the child", aliases=("CHILDID", "CHILD_ID"))
DOB = Column("DOB", DATE, "Date of birth")


def _table(name: str, description: str, *columns: Column, years: Years = ALL_YEARS, key: tuple[str, ...] = ()) -> Table:
    return Table(name, columns, description, years, key or ("CHILD",))


HEADER = _table(
    "Header",
    "One row per child looked after during the year",
    CHILD,
    Column("SEX", CODE, "Sex", SEX_CODES),
    DOB,
    Column("ETHNIC", CODE, "Ethnic origin", (ETHNIC_CODES,)),
    Column("UPN", CODE, "Unique pupil number, or UN1-UN5 when not known"),
    Column("MOTHER", CODE, "Is the child a mother? (girls only)", (YES_NO,)),
    Column("MC_DOB", DATE, "Date of birth of the child's first child"),
)
# Header.UASC is derived (1 when the child is in the UASC table) for CSV, written out in XML.
HEADER_UASC = Column("UASC", CODE, "Unaccompanied asylum-seeking child (derived from the UASC table)", (YES_NO,))

EPISODES = _table(
    "Episodes",
    "One row per episode of care (a period with unchanged legal status, placement and carer)",
    CHILD,
    Column("DECOM", DATE, "Date episode commenced"),
    Column("RNE", CODE, "Reason for new episode", (RNE_CODES,)),
    Column("LS", CODE, "Legal status", (LS_CODES,)),
    Column("CIN", CODE, "Category of need", (CIN_CODES,)),
    Column("PLACE", CODE, "Placement type", PLACE_CODES, aliases=("PL",)),
    Column("PLACE_PROVIDER", CODE, "Placement provider", (PLACE_PROVIDER_CODES,)),
    Column("DEC", DATE, "Date episode ceased"),
    Column("REC", CODE, "Reason episode ceased", (REC_CODES,)),
    Column("REASON_PLACE_CHANGE", CODE, "Reason for placement change", (REASON_PLACE_CHANGE_CODES,)),
    Column("HOME_POST", CODE, "Postcode of the child's home"),
    Column("PL_POST", CODE, "Postcode of the placement"),
    Column("URN", CODE, "Ofsted unique reference number of the placement"),
)

REVIEWS = _table(
    "Reviews",
    "One row per statutory review",
    CHILD,
    DOB,
    Column("REVIEW", DATE, "Date of review"),
    Column("REVIEW_CODE", CODE, "Participation in review", (REVIEW_CODES,)),
)

UASC = _table(
    "UASC",
    "One row per child who is or was an unaccompanied asylum-seeking child",
    CHILD,
    Column("SEX", CODE, "Sex", SEX_CODES),
    DOB,
    Column("DUC", DATE, "Date UASC status ceased"),
)

_OC2_FLAGS = (
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
)
OC2 = _table(
    "OC2",
    "Outcomes for children looked after continuously for 12 months at 31 March",
    CHILD,
    DOB,
    Column("SDQ_SCORE", INT, "Strengths and Difficulties Questionnaire score (0-40)"),
    Column("SDQ_REASON", CODE, "Reason SDQ not completed", (SDQ_REASON_CODES,)),
    *(Column(flag, CODE, flag.replace("_", " ").capitalize(), (YES_NO,)) for flag in _OC2_FLAGS),
)

OC3 = _table(
    "OC3",
    "Care leavers: outcomes around the 17th to 21st birthdays",
    CHILD,
    DOB,
    Column("IN_TOUCH", CODE, "LA in touch", (IN_TOUCH_CODES,)),
    Column("ACTIV", CODE, "Main activity", (ACTIV_CODES,)),
    Column("ACCOM", CODE, "Accommodation", (ACCOM_CODES,)),
)

AD1 = _table(
    "AD1",
    "One row per child adopted during the year",
    CHILD,
    DOB,
    Column("DATE_INT", DATE, "Date of decision that the child should be placed for adoption"),
    Column("DATE_MATCH", DATE, "Date the child was matched with adopter(s)"),
    Column("FOSTER_CARE", CODE, "Adopted by former foster carer(s)", (YES_NO,)),
    Column("NB_ADOPTR", CODE, "Number of adopters", (NB_ADOPTR_CODES,)),
    Column("SEX_ADOPTR", CODE, "Sex of adopter(s)", (SEX_ADOPTR_CODES,)),
    Column("LS_ADOPTR", CODE, "Legal status of adopter(s)", (LS_ADOPTR_CODES,)),
)

PLACED_ADOPTION = _table(
    "PlacedAdoption",
    "Decisions that a child should be placed for adoption, and their reversal",
    CHILD,
    DOB,
    Column("DATE_PLACED", DATE, "Date of decision to place for adoption"),
    Column("DATE_PLACED_CEASED", DATE, "Date of decision that the child should no longer be placed"),
    Column("REASON_PLACED_CEASED", CODE, "Reason the decision was reversed", (REASON_PLACED_CEASED_CODES,)),
)

PREV_PERM = _table(
    "PrevPerm",
    "Previous permanence arrangement of children starting to be looked after",
    CHILD,
    DOB,
    Column("PREV_PERM", CODE, "Previous permanence option", (PREV_PERM_CODES,)),
    Column("LA_PERM", CODE, "LA that granted the previous permanence order", (LA_PERM_CODES,)),
    Column("DATE_PERM", DATE, "Date of the previous permanence order"),
)

MISSING = _table(
    "Missing",
    "One row per period missing from or away without authorisation from placement",
    CHILD,
    DOB,
    Column("MISSING", CODE, "Missing (M) or away without authorisation (A)", (MISSING_CODES,)),
    Column("MIS_START", DATE, "Start of the missing period"),
    Column("MIS_END", DATE, "End of the missing period"),
)

SW_EPISODES = _table(
    "SWEpisodes",
    "One row per social worker episode",
    CHILD,
    DOB,
    Column("SW_ID", CODE, "Social worker identifier (starts SW or XX)"),
    Column("SW_DECOM", DATE, "Date the social worker episode began"),
    Column("SW_DEC", DATE, "Date the social worker episode ended"),
    Column("SW_REASON", CODE, "Reason for change of social worker", (SW_REASON_CODES,)),
    years=Years(2024),
)

DOLO = _table(
    "DoLo",
    "One row per Deprivation of Liberty order",
    CHILD,
    DOB,
    Column("DOLO_START", DATE, "Start of the Deprivation of Liberty order"),
    Column("DOLO_END", DATE, "End of the Deprivation of Liberty order"),
    years=Years(2027),
)

# Optional columns a reader adds when a file lacks them (derived, not part of the CSV layout).
DERIVED_COLUMNS: dict[str, tuple[Column, ...]] = {"Header": (HEADER_UASC,)}

SSDA903 = Dataset(
    "ssda903",
    "SSDA903 (children looked after)",
    (HEADER, EPISODES, REVIEWS, UASC, OC2, OC3, AD1, PLACED_ADOPTION, PREV_PERM, MISSING, SW_EPISODES, DOLO),
    DERIVED_COLUMNS,
)
