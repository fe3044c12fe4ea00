"""Annex A lists 1-11: canonical column names, types and the header variants authorities use.

Source: ../shared/reference/annex-a-schema.md. Headers are matched after normalising (lower case, runs of
non-alphanumerics to one space); `aliases` are regular expressions over that normalised text.
"""

from __future__ import annotations

import re

from csctools.model import Column, ColumnType, Dataset, Table

DATE = ColumnType.DATE
INT = ColumnType.INTEGER
TEXT = ColumnType.TEXT


def col(name: str, kind: ColumnType = TEXT, *aliases: str) -> Column:
    return Column(name, kind, aliases=aliases)


CHILD_ID = col("Child Unique ID", TEXT, r"child.*(id|identifier)", r"^id$", r"^child id$")
GENDER = col("Gender", TEXT, r"^(gender|sex)$")
ETHNICITY = col("Ethnicity", TEXT, r"^ethnic")
DOB = col("Date of Birth", DATE, r"(date of birth|^dob$|birth date)")
AGE = col("Age of Child (Years)", INT, r"^age")
DISABILITY = col("Does the Child have a Disability", TEXT, r"disab")
TEAM = col("Allocated Team", TEXT, r"team")
WORKER = col("Allocated Worker", TEXT, r"(allocated )?worker$", r"social worker")

COMMON = (CHILD_ID, GENDER, ETHNICITY, DOB, AGE)
COMMON_D = (*COMMON, DISABILITY)


def annex_list(number: int, name: str, description: str, *columns: Column) -> Table:
    return Table(f"List{number}", columns, f"List {number}: {name}. {description}", aliases=(name,))


LIST_1 = annex_list(
    1,
    "Contacts",
    "All contacts in the last six months",
    *COMMON,
    col("Date of Contact", DATE, r"date.*contact|contact.*date"),
    col("Contact Source", TEXT, r"contact source|source"),
)
LIST_2 = annex_list(
    2,
    "Early help",
    "Early help assessments in the last six months",
    *COMMON,
    col("Assessment start date", DATE, r"start date"),
    col("Assessment completion date", DATE, r"complet"),
    col("Organisation completing assessment", TEXT, r"organisation"),
)
LIST_3 = annex_list(
    3,
    "Referrals",
    "Referrals in the last six months",
    *COMMON,
    col("Date of referral", DATE, r"date.*referral"),
    col("Referral Source", TEXT, r"source"),
    col("Referral NFA?", TEXT, r"nfa|no further action"),
    col("Number of Referrals in Last 12 Months", INT, r"number of referrals"),
    TEAM,
    WORKER,
)
LIST_4 = annex_list(
    4,
    "Assessments",
    "Assessments in the last six months",
    *COMMON_D,
    col("Continuous Assessment Start Date", DATE, r"assessment start"),
    col("Child Seen During Continuous Assessment", TEXT, r"child seen"),
    col("Continuous Assessment Date of Authorisation", DATE, r"authoris"),
    col("Was the child assessed as requiring LA children's social care support?", TEXT, r"requiring"),
    TEAM,
    WORKER,
)
LIST_5 = annex_list(
    5,
    "Section 47",
    "Section 47 enquiries in the last six months",
    *COMMON_D,
    col("Strategy discussion initiating Section 47 Enquiry Start Date", DATE, r"strategy discussion|s47 start"),
    col("Was an Initial Child Protection Conference deemed unnecessary?", TEXT, r"unnecessary"),
    col("Date of Initial Child Protection Conference", DATE, r"date of initial child protection"),
    col("Did the Initial Child Protection Conference Result in a Child Protection Plan", TEXT, r"result in"),
    col("Number of Section 47 Enquiries in the last 12 months", INT, r"number of s(ection )?47"),
    col("Number of ICPCs in the last 12 months", INT, r"number of icpc"),
    TEAM,
    WORKER,
)
LIST_6 = annex_list(
    6,
    "Children in need",
    "Children receiving CIN services",
    *COMMON_D,
    col("CIN Start Date", DATE, r"cin start"),
    col("Primary Need Code", TEXT, r"primary need"),
    col("Date Child Was Last Seen", DATE, r"last seen"),
    col("CIN Closure Date", DATE, r"closure date"),
    col("Reason for Closure", TEXT, r"reason.*closure"),
    col("Case Status", TEXT, r"case status"),
    TEAM,
    WORKER,
)
LIST_7 = annex_list(
    7,
    "Child protection",
    "Children on a child protection plan, or whose plan ended in the last six months",
    *COMMON_D,
    col("Child Protection Plan Start Date", DATE, r"plan start"),
    col("Initial Category of Abuse", TEXT, r"initial category"),
    col("Latest Category of Abuse", TEXT, r"latest category"),
    col("Date of the Last Statutory Visit", DATE, r"statutory visit"),
    col("Was the Child Seen Alone?", TEXT, r"seen alone"),
    col("Date of latest review conference", DATE, r"review conference"),
    col("Child Protection Plan End Date", DATE, r"plan end"),
    col(
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        TEXT,
        r"emergency protection",
    ),
    col("Number of Previous Child Protection Plans", INT, r"previous child protection"),
    TEAM,
    WORKER,
)
LIST_8 = annex_list(
    8,
    "Children in care",
    "Children in care, or who left care in the last six months",
    *COMMON,
    col("Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", TEXT, r"uasc"),
    DISABILITY,
    col("Date Started to be Looked After", DATE, r"started to be looked after"),
    col("Child's Category of Need", TEXT, r"category of need"),
    col(
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
        TEXT,
        r"second or subsequent",
    ),
    col("Start date of current legal status", DATE, r"start date of current legal"),
    col("Child's Legal Status", TEXT, r"^child s legal status$|^legal status$"),
    col("Date of Latest Statutory Review", DATE, r"statutory review"),
    col("Date of Last Social Work Visit", DATE, r"social work visit"),
    col("What is the permanence plan for this child?", TEXT, r"permanence plan"),
    col("Date of Last IRO Visit / Contact to the Child", DATE, r"iro"),
    col("Date of Last Health Assessment", DATE, r"health assessment"),
    col("Date of Last Dental Check", DATE, r"dental"),
    col("Number of Placements in the Last 12 months", INT, r"number of placements"),
    col("Date Ceased to be Looked After", DATE, r"ceased to be looked after"),
    col("Reason Ceased to be Looked After", TEXT, r"reason ceased"),
    col("Start Date of Most Recent Placement", DATE, r"most recent placement"),
    col("Placement Type", TEXT, r"^placement type$"),
    col("Placement Provider", TEXT, r"^placement provider$"),
    col("Placement postcode", TEXT, r"postcode"),
    col("URN of Placement", TEXT, r"urn"),
    col("Placement Location", TEXT, r"placement location|in or out"),
    col("LA of Placement", TEXT, r"la of placement"),
    col(
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
        INT,
        r"missing from",
    ),
    col(
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
        INT,
        r"absent from",
    ),
    col(
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        TEXT,
        r"offered a return",
    ),
    col(
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        TEXT,
        r"accept a return",
    ),
    TEAM,
    WORKER,
)
LIST_9 = annex_list(
    9,
    "Care leavers",
    "Care leavers the authority has duties to",
    *COMMON,
    col("Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)", TEXT, r"uasc"),
    DISABILITY,
    TEAM,
    WORKER,
    col("Allocated Personal Advisor", TEXT, r"personal advis"),
    col("Eligibility Category", TEXT, r"eligibility"),
    col("Latest Pathway Plan Review Date", DATE, r"pathway plan"),
    col("LA in Touch", TEXT, r"in touch"),
    col("Latest Date of Contact", DATE, r"date of contact"),
    col("Type of Accommodation", TEXT, r"type of accommodation"),
    col("Suitability of Accommodation", TEXT, r"suitab"),
    col("Activity Status", TEXT, r"activity"),
)
LIST_10 = annex_list(
    10,
    "Adoption",
    "Children with an adoption decision in the last 12 months",
    CHILD_ID,
    col("Family identifier", TEXT, r"family"),
    GENDER,
    ETHNICITY,
    DOB,
    AGE,
    DISABILITY,
    col("Date the Child Entered Care", DATE, r"entered care"),
    col("Date of Decision that Child Should be Placed for Adoption", DATE, r"should be placed"),
    col("Date of Placement Order", DATE, r"placement order"),
    col("Date of Matching Child and Prospective Adopters", DATE, r"matching"),
    col("Date Placed for Adoption", DATE, r"^date placed"),
    col("Date of Adoption Order", DATE, r"adoption order"),
    col("Date of Decision that Child Should No Longer be Placed for Adoption", DATE, r"no longer be placed"),
    col("Reason Why Child No Longer Placed for Adoption", TEXT, r"reason why"),
    col(
        "Date the child was placed for fostering in FFA or concurrent planning placement",
        DATE,
        r"ffa|concurrent",
    ),
)
LIST_11 = annex_list(
    11,
    "Adopters",
    "Adopters in contact with the adoption agency in the last 12 months",
    col("Individual adopter identifier", TEXT, r"adopter identifier|adopter id"),
    col("Family identifier", TEXT, r"family"),
    GENDER,
    ETHNICITY,
    col("Disability", TEXT, r"disab"),
    col("Is the (prospective) adopter fostering for adoption?", TEXT, r"fostering for adoption"),
    col("Date enquiry received", DATE, r"enquiry"),
    col("Date Stage 1 started", DATE, r"stage 1 start"),
    col("Date Stage 1 ended", DATE, r"stage 1 end"),
    col("Date Stage 2 started", DATE, r"stage 2 start"),
    col("Date Stage 2 ended", DATE, r"stage 2 end"),
    col("Date application submitted", DATE, r"submitted"),
    col("Date application approved", DATE, r"approved"),
    col("Date adopter matched with child(ren)", DATE, r"matched"),
    col("Date child/children placed with adopter(s)", DATE, r"placed with"),
    col("No. of children placed", INT, r"no of children|number of children"),
    col("Date of Adoption Order", DATE, r"adoption order"),
    col("Date of leaving adoption process", DATE, r"date of leaving"),
    col("Reason for leaving adoption process", TEXT, r"reason for leaving"),
)

ANNEX_A = Dataset(
    "annex_a",
    "Ofsted Annex A",
    (LIST_1, LIST_2, LIST_3, LIST_4, LIST_5, LIST_6, LIST_7, LIST_8, LIST_9, LIST_10, LIST_11),
)

# Sheet names seen in the wild: "List 1", "List_1 Contacts", "L1 - Contacts", "Contacts", "Annex A List 8".
SHEET_PATTERNS: dict[str, re.Pattern[str]] = {
    table.name: re.compile(
        rf"^(annex a )?(list|l)\s*{number}(?!\d)|^{re.escape(table.aliases[0].lower())}$", re.IGNORECASE
    )
    for number, table in enumerate(ANNEX_A.tables, start=1)
}
