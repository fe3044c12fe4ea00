"""Every Annex A indicator on a few rows of each list, worked out by hand (period 1/4/2025 to 31/3/2026)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from csctools.datasets.annex_a.schema import ANNEX_A
from csctools.indicators.compute import Period, Result, compute
from csctools.indicators.records import load_indicators
from csctools.io.result import ReturnData
from csctools.io.typing import type_frame
from csctools.model import SOURCE_FILE, SOURCE_ROW
from tests.indicators.worked import assert_worked

PERIOD = Period(date(2025, 4, 1), date(2026, 3, 31))
Rows = list[dict[str, str | None]]


def typed(tables: dict[str, Rows]) -> dict[str, pl.DataFrame]:
    out = {}
    for name, rows in tables.items():
        columns = ANNEX_A.table(name).columns
        text = pl.DataFrame(
            {c.name: [row.get(c.name) for row in rows] for c in columns}
            | {SOURCE_FILE: ["annex.xlsx"] * len(rows), SOURCE_ROW: list(range(2, len(rows) + 2))},
            schema={**{c.name: pl.String for c in columns}, SOURCE_FILE: pl.String, SOURCE_ROW: pl.Int64},
        )
        out[name] = type_frame(text, columns, keep=(SOURCE_FILE, SOURCE_ROW))
    return out


ID = "Child Unique ID"
N12 = "Number of Referrals in Last 12 Months"
AUTH = "Continuous Assessment Date of Authorisation"
TABLES: dict[str, Rows] = {
    "List1": [
        {ID: "a", "Date of Contact": "01/05/2025"},
        {ID: "a", "Date of Contact": "02/05/2025"},
        {ID: "b", "Date of Contact": "01/02/2025"},
    ],  # before the period
    "List3": [
        {ID: "a", "Date of referral": "03/05/2025", "Referral NFA?": "No", N12: "1"},
        {ID: "b", "Date of referral": "04/06/2025", "Referral NFA?": "Yes", N12: "2"},
        {ID: "c", "Date of referral": "05/07/2025", "Referral NFA?": "N", N12: "3"},
        {ID: "d", "Date of referral": "06/08/2025", "Referral NFA?": "Y", N12: "1"},
    ],
    "List4": [  # working days as in the CIN test: 45 in time, 46 late, 45 over the August bank holiday
        {
            ID: "a",
            "Continuous Assessment Start Date": "02/06/2025",
            "Continuous Assessment Date of Authorisation": "04/08/2025",
        },
        {
            ID: "b",
            "Continuous Assessment Start Date": "02/06/2025",
            "Continuous Assessment Date of Authorisation": "05/08/2025",
        },
        {
            ID: "c",
            "Continuous Assessment Start Date": "04/08/2025",
            "Continuous Assessment Date of Authorisation": "07/10/2025",
        },
        {ID: "d", "Continuous Assessment Start Date": "01/03/2026", AUTH: None},
    ],
    "List5": [
        {
            ID: "a",
            "Strategy discussion initiating Section 47 Enquiry Start Date": "02/06/2025",
            "Date of Initial Child Protection Conference": "23/06/2025",
        },  # 15 working days
        {
            ID: "b",
            "Strategy discussion initiating Section 47 Enquiry Start Date": "02/06/2025",
            "Date of Initial Child Protection Conference": "24/06/2025",
        },  # 16
    ],
    "List7": [  # 31/03/2026 is a Tuesday: 10 working days before it is Tuesday 17/03/2026
        {
            ID: "a",
            "Child Protection Plan Start Date": "01/01/2026",
            "Latest Category of Abuse": "NEG",
            "Date of the Last Statutory Visit": "17/03/2026",
            "Child Protection Plan End Date": None,
        },
        {
            ID: "b",
            "Child Protection Plan Start Date": "01/01/2026",
            "Latest Category of Abuse": "EMO",
            "Date of the Last Statutory Visit": "16/03/2026",
            "Child Protection Plan End Date": None,
        },
        {
            ID: "c",
            "Child Protection Plan Start Date": "01/01/2025",
            "Latest Category of Abuse": "NEG",
            "Date of the Last Statutory Visit": "01/03/2026",
            "Child Protection Plan End Date": "31/03/2026",
        },
    ],
    "List8": [
        {
            ID: "a",
            "Date Started to be Looked After": "01/01/2024",
            "Date of Last Social Work Visit": "17/02/2026",
            "Date Ceased to be Looked After": None,
        },  # 42 days before 31 March: in time
        {
            ID: "b",
            "Date Started to be Looked After": "01/01/2024",
            "Date of Last Social Work Visit": "16/02/2026",
            "Date Ceased to be Looked After": None,
        },  # 43 days
        {
            ID: "c",
            "Date Started to be Looked After": "01/01/2024",
            "Date of Last Social Work Visit": "01/03/2026",
            "Date Ceased to be Looked After": "01/03/2026",
        },  # left care
    ],
    "List9": [
        {ID: "a", "LA in Touch": "Yes", "Suitability of Accommodation": "Suitable"},
        {ID: "b", "LA in Touch": "No", "Suitability of Accommodation": "Unsuitable"},
        {ID: "c", "LA in Touch": "Y", "Suitability of Accommodation": "Not known"},
    ],
    "List10": [
        {
            ID: "a",
            "Date the Child Entered Care": "01/01/2025",
            "Date Placed for Adoption": "01/06/2025",
            "Date of Placement Order": "01/03/2025",
            "Date of Matching Child and Prospective Adopters": "01/05/2025",
        },
        {
            ID: "b",
            "Date the Child Entered Care": "01/01/2024",
            "Date Placed for Adoption": "01/07/2025",
            "Date of Placement Order": "01/01/2025",
            "Date of Matching Child and Prospective Adopters": "01/01/2026",
        },
        {
            ID: "c",
            "Date the Child Entered Care": "01/01/2023",
            "Date Placed for Adoption": "01/01/2025",
            "Date of Placement Order": None,
            "Date of Matching Child and Prospective Adopters": None,
        },  # last year
    ],
}

EXPECTED: dict[str, tuple[float, float | None, float]] = {
    "AA_Contacts": (2, None, 2),
    "AA_Referrals": (4, None, 4),
    "AA_Referrals_NFA": (2, 4, 50),  # b (Yes), d (Y)
    "AA_ReReferrals": (2, 4, 50),  # b, c
    "AA_Assessments_45WD": (2, 3, 200 / 3),
    "AA_ICPC_15WD": (1, 2, 50),
    "AA_CPP_Open": (2, None, 2),  # c's plan ended on 31 March
    "AA_CPP_Neglect": (1, 2, 50),
    "AA_CPP_Visits_10WD": (1, 2, 50),  # a
    "AA_CLA": (2, None, 2),
    "AA_CLA_Visits_6Weeks": (1, 2, 50),  # a
    "AA_CareLeavers_InTouch": (2, 3, 200 / 3),
    "AA_CareLeavers_Suitable": (1, 3, 100 / 3),
    # 01/01/2025 -> 01/06/2025 is 151 days; 01/01/2024 -> 01/07/2025 is 547 (2024 is a leap year): mean 349
    "AA_Adoption_Care_To_Placed": (2, None, 349),
    # 01/03/2025 -> 01/05/2025 is 61 days; 01/01/2025 -> 01/01/2026 is 365: mean 213
    "AA_Adoption_Order_To_Match": (2, None, 213),
}


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    indicators = load_indicators()
    found = compute(
        [ReturnData("annex_a", None, typed(TABLES), [])],
        [i for i in indicators.indicators if i.returns == ("annex_a",)],
        PERIOD,
        "383",
        indicators.views,
        None,
    )
    return {r.indicator.id: r for r in found}


@pytest.mark.parametrize("indicator", sorted(EXPECTED))
def test_worked_by_hand(results: dict[str, Result], indicator: str) -> None:
    assert_worked(results[indicator], EXPECTED[indicator])


def test_every_annex_a_indicator_has_a_worked_example(results: dict[str, Result]) -> None:
    assert set(results) == set(EXPECTED)
