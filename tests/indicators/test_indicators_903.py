"""Every SSDA903 indicator on a return of a few children whose right answers were worked out by hand.

Period 1 April 2025 to 31 March 2026; the child population is set to 10,000 so a rate is the count. Who counts,
child by child (dates d/m/y):

  A  born 2015, in care since 10/01/2024 (U4), open. OC2: health assessment, immunisations; SDQ 10.
  B  born 2010, starts 01/05/2025 (U4), moves P to K2, legal status only L, moves P to U5: 3 placements. UASC
     until 01/12/2025 (UASC when starting, not at 31 March).
  C  short breaks only (V3): in no figure. A missing period of C does not count.
  D  born 2008, in care since 2023 (K3), ceased 01/02/2026 E5. Missing from 01/01/2026, not back.
  E  born 2020, in care since 2024, placed for adoption (A4, P), adopted 15/01/2026 (E11).
  F  born 2013, starts 10/04/2025, home 10/05/2025 (E4A), starts again 01/10/2025 (K2): one starter, 2
     placements; ceased once (E4A). A missing period of F ended before the year.
  G  born 2009 (16), UASC, starts 01/11/2025 in K3 (supported accommodation).
  H  starts 01/06/2025 (U1), SGO on 31/03/2026 (E45): ceased on the last day, so not looked after at 31 March.
  I  born 2011, with parents (P1) since 01/01/2022: 2.5 years in care and 2 in the placement.
  J  born 2016, in care since 2020, placement since 01/01/2023 (a later L episode is not a move).
  K  born 2012, in care since 2021; U6 from 01/09/2024, P to U5 01/06/2025, T to A5 01/12/2025 (placed for adoption
     with the current carer: not a move): 2 placements, and the placement is less than 2 years old.

At 31 March: A B F G I J K (7). Starters: B F G H (4). Ceased: D E F H (4). Looked after in the year: A B D E F G
H I J K (10).
"""

from __future__ import annotations

from datetime import date

import pytest

from csctools.indicators.compute import Period, Result, compute
from csctools.indicators.records import load_indicators
from csctools.io.result import ReturnData
from tests.indicators.worked import assert_worked
from tests.rules.build903 import E, H
from tests.rules.harness import typed

PERIOD = Period(date(2025, 4, 1), date(2026, 3, 31))


def ep(
    child: str, decom: str, rne: str, place: str, dec: str | None = None, rec: str | None = None, ls: str = "C2"
) -> dict[str, str | None]:
    return E(
        CHILD=child,
        DECOM=decom,
        RNE=rne,
        PLACE=place,
        DEC=dec,
        REC=rec,
        LS=ls,
        PLACE_PROVIDER=None if place in ("P1", "A4", "A5") else "PR1",
    )


HEADERS = [
    H(CHILD=c, DOB=dob)
    for c, dob in [
        ("A", "01/01/2015"),
        ("B", "05/05/2010"),
        ("C", "01/03/2012"),
        ("D", "01/02/2008"),
        ("E", "01/06/2020"),
        ("F", "01/01/2013"),
        ("G", "09/09/2009"),
        ("H", "01/04/2014"),
        ("I", "01/01/2011"),
        ("J", "01/01/2016"),
        ("K", "01/06/2012"),
    ]
]

EPISODES = [
    ep("A", "10/01/2024", "S", "U4"),
    ep("B", "01/05/2025", "S", "U4", "01/06/2025", "X1"),
    ep("B", "01/06/2025", "P", "K2", "01/08/2025", "X1"),
    ep("B", "01/08/2025", "L", "K2", "01/09/2025", "X1"),
    ep("B", "01/09/2025", "P", "U5"),
    ep("C", "01/07/2025", "S", "U4", "05/07/2025", "E8", ls="V3"),
    ep("C", "01/03/2026", "S", "U4", ls="V3"),
    ep("D", "01/04/2023", "S", "K3", "01/02/2026", "E5"),
    ep("E", "01/10/2024", "S", "U3", "01/09/2025", "X1"),
    ep("E", "01/09/2025", "P", "A4", "15/01/2026", "E11"),
    ep("F", "10/04/2025", "S", "U4", "10/05/2025", "E4A"),
    ep("F", "01/10/2025", "S", "K2"),
    ep("G", "01/11/2025", "S", "K3", ls="V2"),
    ep("H", "01/06/2025", "S", "U1", "31/03/2026", "E45"),
    ep("I", "01/01/2022", "S", "P1"),
    ep("J", "01/01/2020", "S", "U4", "01/01/2023", "X1"),
    ep("J", "01/01/2023", "P", "U5", "01/06/2024", "X1"),
    ep("J", "01/06/2024", "L", "U5"),
    ep("K", "01/01/2021", "S", "U4", "01/09/2024", "X1"),
    ep("K", "01/09/2024", "P", "U6", "01/06/2025", "X1"),
    ep("K", "01/06/2025", "P", "U5", "01/12/2025", "X1"),
    ep("K", "01/12/2025", "T", "A5"),
]

UASC = [
    {"CHILD": "B", "SEX": "M", "DOB": "05/05/2010", "DUC": "01/12/2025"},
    {"CHILD": "G", "SEX": "M", "DOB": "09/09/2009", "DUC": "09/09/2027"},
]

MISSING = [
    {"CHILD": "A", "DOB": "01/01/2015", "MISSING": "M", "MIS_START": "20/03/2025", "MIS_END": "02/04/2025"},
    {"CHILD": "B", "DOB": "05/05/2010", "MISSING": "A", "MIS_START": "01/07/2025", "MIS_END": "02/07/2025"},
    {"CHILD": "C", "DOB": "01/03/2012", "MISSING": "M", "MIS_START": "02/07/2025", "MIS_END": "03/07/2025"},
    {"CHILD": "F", "DOB": "01/01/2013", "MISSING": "M", "MIS_START": "01/01/2025", "MIS_END": "01/02/2025"},
    {"CHILD": "D", "DOB": "01/02/2008", "MISSING": "M", "MIS_START": "01/01/2026", "MIS_END": None},
]

SW = [
    {"CHILD": c, "DOB": "01/01/2015", "SW_ID": sw, "SW_DECOM": start, "SW_DEC": end, "SW_REASON": None}
    for c, sw, start, end in [
        ("A", "SW1", "01/01/2025", "01/06/2025"),
        ("A", "SW2", "01/06/2025", "01/09/2025"),
        ("A", "SW1", "01/09/2025", None),  # back to the first: 2 social workers
        ("B", "SW3", "01/05/2025", "01/06/2025"),
        ("B", "SW4", "01/06/2025", "01/08/2025"),
        ("B", "SW5", "01/08/2025", None),
        ("F", "SW6", "01/01/2024", "31/03/2025"),  # ended before the year
        ("F", "SW7", "10/04/2025", "10/05/2025"),
        ("F", "SW8", "01/10/2025", None),
    ]
]


def oc2(
    child: str,
    dob: str,
    assessed: str,
    immunised: str,
    teeth: str,
    substance: str,
    convicted: str | None,
    sdq: str | None,
) -> dict[str, str | None]:
    return {
        "CHILD": child,
        "DOB": dob,
        "SDQ_SCORE": sdq,
        "SDQ_REASON": None if sdq else "SDQ1",
        "CONVICTED": convicted,
        "HEALTH_CHECK": None,
        "IMMUNISATIONS": immunised,
        "TEETH_CHECK": teeth,
        "HEALTH_ASSESSMENT": assessed,
        "SUBSTANCE_MISUSE": substance,
        "INTERVENTION_RECEIVED": None,
        "INTERVENTION_OFFERED": None,
    }


OC2 = [
    oc2("A", "01/01/2015", "1", "1", "0", "0", "0", "10"),
    oc2("I", "01/01/2011", "1", "0", "1", "1", "1", "20"),
    oc2("J", "01/01/2016", "0", "1", "1", "0", "0", None),
    oc2("L", "01/01/2023", "1", "1", "1", "0", None, None),  # aged 3: not in convictions
    oc2("M", "01/06/2008", "1", "1", "0", "0", "1", "30"),  # aged 17: convictions, not the SDQ (4 to 16)
]

OC3 = [
    {"CHILD": c, "DOB": dob, "IN_TOUCH": touch, "ACTIV": activity, "ACCOM": accommodation}
    for c, dob, touch, activity, accommodation in [
        ("P1", "01/05/2006", "YES", "F2", "C1"),  # 19, EET, suitable
        ("P2", "01/01/2005", "YES", "G5", "S2"),  # 21, NEET, not suitable
        ("P3", "01/06/2004", "NO", "0", "0"),  # 21, not in touch: in every denominator
        ("P4", "01/01/2007", "DIED", "0", "0"),  # excluded
        ("P5", "01/01/2008", "YES", "F2", "C1"),  # 18: not in the 19-21 cohort
        ("P6", "01/01/2006", "REFU", "P4", "G1"),  # 20, EET; gone abroad: not in the accommodation figure
        ("P7", "01/07/2005", "RHOM", "F2", "B1"),  # returned home: excluded
    ]
]


def computed(children: bool) -> dict[str, Result]:
    tables = typed(
        "ssda903",
        {
            "Header": HEADERS,
            "Episodes": EPISODES,
            "UASC": UASC,
            "Missing": MISSING,
            "SWEpisodes": SW,
            "OC2": OC2,
            "OC3": OC3,
        },
    )
    data = ReturnData("ssda903", None, tables, [])
    indicators = load_indicators()
    found = compute(
        [data],
        [i for i in indicators.indicators if i.returns == ("ssda903",)],
        PERIOD,
        "383",
        indicators.views,
        10_000.0,
        children=children,
    )
    return {r.indicator.id: r for r in found}


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    return computed(children=True)


@pytest.fixture(scope="module")
def counted() -> dict[str, Result]:
    """The same return without the drill-down lists (csc indicators without an XLSX): counted inside DuckDB."""
    return computed(children=False)


EXPECTED: dict[str, tuple[float, float | None, float]] = {  # numerator, denominator, value
    "LACnum": (7, None, 7),
    "LAC": (7, 10_000, 7),
    "LACnum_Start": (4, None, 4),
    "LAC_Start_Rate": (4, 10_000, 4),
    "LACceased": (4, None, 4),
    "LAC_Cease_Rate": (4, 10_000, 4),
    "Unacc_Asylmn_Seek_Childn": (1, None, 1),  # G (B's status ceased before 31 March)
    "Unacc_Asylmn_Seek_Childn%": (1, 7, 100 / 7),
    "UASC_%_Starting": (2, 4, 50),  # B and G
    "LAC_ceased_SGO": (1, None, 1),  # H
    "LAC_ceased_SGO%": (1, 4, 25),
    "No_of LAC Adopted": (1, None, 1),  # E
    "%_of LAC Adopted": (1, 4, 25),
    "LAC_Foster_Placements": (3, 7, 300 / 7),  # A B J (K is now in A5)
    "LAC_SecHome_And_ChildHome": (1, 7, 100 / 7),  # F
    "LAC_Ind_SInd_Liv_Arr": (1, 7, 100 / 7),  # G
    "LAC_Parents_OR_Others": (1, 7, 100 / 7),  # I
    "LACStableNum_2016on": (1, None, 1),  # B; K would be 3 if A5 counted
    "LACStable_2016on": (1, 7, 100 / 7),
    "LAC_LongStable%": (2, 3, 200 / 3),  # I J of I J K (A started in 2024; G is 16)
    "Stability_SocialWorker": (1, 7, 100 / 7),  # B
    "LACHealth%": (4, 5, 80),
    "LACVaccinations%": (4, 5, 80),
    "LACDental%": (3, 5, 60),
    "LACSubstance": (1, 5, 20),
    "LAC_Convictions": (2, 4, 50),  # I M of A I J M
    "Emotional_LAC": (2, None, 15),  # (10 + 20) / 2
    "Children_missing": (2, 10, 20),  # A (carried over) and D (still missing)
    "Children_Away": (1, 10, 10),  # B
    "NoCareLeavers": (4, None, 4),  # P1 P2 P3 P6
    "CareLeaverEET": (2, 4, 50),  # P1 P6
    "CareLeaversNEET": (1, 4, 25),  # P2
    "CareLeaverAcc": (1, 3, 100 / 3),  # P1 of P1 P2 P3
    "CareLeavers_LA_NotInTouch": (1, 4, 25),  # P3
}


@pytest.mark.parametrize("indicator", sorted(EXPECTED))
def test_worked_by_hand(results: dict[str, Result], indicator: str) -> None:
    assert_worked(results[indicator], EXPECTED[indicator])


@pytest.mark.parametrize("indicator", sorted(EXPECTED))
def test_worked_by_hand_without_the_lists_of_children(counted: dict[str, Result], indicator: str) -> None:
    assert_worked(counted[indicator], EXPECTED[indicator])
    if EXPECTED[indicator][0] and counted[indicator].indicator.unit not in ("days", "average"):
        assert counted[indicator].numerator_children == ()


def test_counting_checks_the_child_column_as_listing_does() -> None:
    indicators = load_indicators()
    lacnum = next(i for i in indicators.indicators if i.id == "LACnum")
    wrong = lacnum._replace(numerator="SELECT CHILD AS id FROM cla_at_end")
    data = ReturnData("ssda903", None, typed("ssda903", {"Header": HEADERS, "Episodes": EPISODES}), [])
    statuses = {
        compute([data], [wrong], PERIOD, "383", indicators.views, None, children=c)[0].status for c in (True, False)
    }
    assert statuses == {"could not run: the numerator must return a column named child (found id)"}


def test_every_903_indicator_has_a_worked_example(results: dict[str, Result]) -> None:
    assert set(results) == set(EXPECTED) | {"StayingPut", "LACDistance"}  # test_indicators_903_distance_staying_put


def test_drill_down_names_the_children(results: dict[str, Result]) -> None:
    assert sorted(results["LACnum"].numerator_children) == ["A", "B", "F", "G", "I", "J", "K"]
    assert sorted(results["LACceased"].numerator_children) == ["D", "E", "F", "H"]
    assert sorted(results["LAC_LongStable%"].denominator_children) == ["I", "J", "K"]


def test_absent_tables_are_named() -> None:
    tables = typed("ssda903", {"Header": HEADERS, "Episodes": EPISODES})
    indicators = load_indicators()
    found = {
        r.indicator.id: r
        for r in compute(
            [ReturnData("ssda903", None, tables, [])], indicators.indicators, PERIOD, "383", indicators.views, None
        )
    }
    assert found["LACHealth%"].status == "not computed: needs ssda903.OC2"
    assert found["LAC"].status.startswith("not computed: needs the child population")
    assert found["CPP_Num"].status == "not computed: needs the CIN census return"
    assert found["LACnum"].value == 7
