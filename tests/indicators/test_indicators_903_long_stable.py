"""LAC_LongStable% on a few children whose answers were worked out by hand, with and without last year's return.

Period 1 April 2025 to 31 March 2026: 2.5 years before its end is 30/09/2023, 2 years 31/03/2024 (dates d/m/y).
The DfE: children looked after at 31 March aged under 16, looked after continuously for at least 2.5 years; of
those, the ones in the same placement for at least 2 years, or placed for adoption with the adoptive placement and
the one before it lasting 2 years together.

  L  care from 01/06/2019 (S, last year's return only), moved 01/03/2023 (P), open: 2 years in the placement  num
  M  care from 01/01/2022 (S, last year's only), moved 01/10/2024 (P), open                             denom only
  N  both returns hold only 01/09/2023 (L, open): the stay began then or before; 2.58 years in care and in the
     placement (no episode before it in either return)                                                        num
  O  this year holds only 01/01/2024 (L, open): began then or before, assumed then: 2.25 years             out
  Q  U4 from 01/02/2023 (S, last year's), placed for adoption 01/06/2024 (A4, P): A4 with the U4 before it  num
  R  U4 from 01/01/2023 (S), holiday T2 01/08/2025 to 15/08/2025, back to U4 (P): a temporary placement does
     not end the usual one                                                                                   num
  S  in care 01/01/2020 to 01/05/2024 (home, E4A), again from 01/09/2024 (S): not continuous               out
  U  born 01/03/2010, 16 at 31 March, in care since 2020                                                     out
  V  U4 from 01/01/2022 (S), U5 from 01/12/2024 (P), A4 from 01/06/2025 (P): U5 and A4 together 1.33 years denom only
  X  S on 30/09/2023 and P on 31/03/2024 exactly: "at least" counts both days                                num
  -> with last year's return 5 of 7 (L N Q R X of L M N Q R V X).
  -> without it: M, Q and V's earliest episodes this year began on 01/10/2024, 01/06/2024 and 01/12/2024, so
     they look too recent and are missed: 4 of 4 (L N R X); O is missed either way.
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
    child: str, decom: str, rne: str, place: str, dec: str | None = None, rec: str | None = None
) -> dict[str, str | None]:
    return E(
        CHILD=child,
        DECOM=decom,
        RNE=rne,
        PLACE=place,
        DEC=dec,
        REC=rec,
        LS="C2",
        PLACE_PROVIDER=None if place in ("A4", "T2") else "PR1",
    )


HEADERS = [
    H(CHILD=c, DOB=dob)
    for c, dob in [
        ("L", "01/01/2014"),
        ("M", "01/01/2013"),
        ("N", "01/01/2012"),
        ("O", "01/01/2015"),
        ("Q", "01/01/2019"),
        ("R", "01/01/2013"),
        ("S", "01/01/2014"),
        ("U", "01/03/2010"),
        ("V", "01/01/2019"),
        ("X", "01/01/2014"),
    ]
]

THIS_YEAR = [
    ep("L", "01/03/2023", "P", "U4"),
    ep("M", "01/10/2024", "P", "U5"),
    ep("N", "01/09/2023", "L", "U4"),
    ep("O", "01/01/2024", "L", "U4"),
    ep("Q", "01/06/2024", "P", "A4"),
    ep("R", "01/01/2023", "S", "U4", "01/08/2025", "X1"),
    ep("R", "01/08/2025", "P", "T2", "15/08/2025", "X1"),
    ep("R", "15/08/2025", "P", "U4"),
    ep("S", "01/09/2024", "S", "U4"),
    ep("U", "01/01/2020", "S", "U4"),
    ep("V", "01/12/2024", "P", "U5", "01/06/2025", "X1"),
    ep("V", "01/06/2025", "P", "A4"),
    ep("X", "30/09/2023", "S", "U4", "31/03/2024", "X1"),
    ep("X", "31/03/2024", "P", "U5"),
]

LAST_YEAR = [  # the episodes open in 2024/25, as last year's return held them (open ones without an end)
    ep("L", "01/06/2019", "S", "U3", "01/03/2023", "X1"),
    ep("L", "01/03/2023", "P", "U4"),
    ep("M", "01/01/2022", "S", "U4", "01/10/2024", "X1"),
    ep("M", "01/10/2024", "P", "U5"),
    ep("N", "01/09/2023", "L", "U4"),
    ep("Q", "01/02/2023", "S", "U4", "01/06/2024", "X1"),
    ep("Q", "01/06/2024", "P", "A4"),
    ep("R", "01/01/2023", "S", "U4"),
    ep("S", "01/01/2020", "S", "U4", "01/05/2024", "E4A"),
    ep("S", "01/09/2024", "S", "U4"),
    ep("U", "01/01/2020", "S", "U4"),
    ep("V", "01/01/2022", "S", "U4", "01/12/2024", "X1"),
    ep("V", "01/12/2024", "P", "U5"),
    ep("X", "31/03/2024", "P", "U5"),
]


def long_stable(earlier: list[dict[str, str | None]] | None) -> Result:
    indicators = load_indicators()
    wanted = [i for i in indicators.indicators if i.id == "LAC_LongStable%"]
    this_year = ReturnData("ssda903", None, typed("ssda903", {"Header": HEADERS, "Episodes": THIS_YEAR}), [])
    tables = typed("ssda903", {"Header": HEADERS, "Episodes": earlier}) if earlier else None
    last = [ReturnData("ssda903", None, tables, [])] if tables else []
    (result,) = compute([this_year], wanted, PERIOD, "383", indicators.views, None, earlier=last)
    return result


@pytest.mark.parametrize(
    ("earlier", "expected", "numerator", "denominator"),
    [
        (LAST_YEAR, (5, 7, 500 / 7), "L N Q R X", "L M N Q R V X"),
        (None, (4, 4, 100), "L N R X", "L N R X"),
    ],
    ids=["with last year's return", "this year's only"],
)
def test_worked_by_hand(
    earlier: list[dict[str, str | None]] | None, expected: tuple[int, int, float], numerator: str, denominator: str
) -> None:
    result = long_stable(earlier)
    assert_worked(result, expected)
    assert sorted(result.numerator_children) == numerator.split()
    assert sorted(result.denominator_children) == denominator.split()
