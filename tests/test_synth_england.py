"""The synthetic returns are national-shaped: shares near LAIT's England figures (2024/25) the generator draws from,
sized from LAIT when no --children is given, and care leaver queries only where the files cannot show earlier care.

The England figures are LAIT's published values (src/csctools/indicators/data), not the generator's constants; the
tolerances are four binomial standard deviations of the sample, or wider where the share comes out of a model."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from csctools.datasets.cin.read import read_cin
from csctools.datasets.ssda903.read import read_903
from csctools.indicators import lait
from csctools.io.result import ReturnData
from csctools.packs.registry import build
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, authority_size, generate, simulate_care
from csctools.validate.run import validate_return
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)
CHILDREN = 1000
SEED = 3


def england(measure: str) -> float:
    """LAIT's England value for 2024/25, as a share."""
    table = lait.values().filter(pl.col("measure") == measure, pl.col("la_number") == lait.ENGLAND)
    return float(table.filter(pl.col("year") == 2025)["value"].item()) / 100


def near(numerator: int, denominator: int, expected: float, slack: float = 0.0) -> bool:
    """Within four binomial standard deviations of `expected` (plus `slack`)."""
    assert denominator > 100, "too few to compare"
    spread = 4 * math.sqrt(expected * (1 - expected) / denominator) + slack
    return abs(numerator / denominator - expected) <= spread


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("england")
    options = SynthOptions(
        ["383"], YEAR.previous(), YEAR, children=CHILDREN, seed=SEED, formats=("csv",), annex_a=False
    )
    generate(options, folder)
    return folder / "383"


@pytest.fixture(scope="module")
def return_903(out: Path) -> ReturnData:
    return read_903(sorted((out / YEAR.key / "ssda903").glob("*.csv")))


@pytest.fixture(scope="module")
def census(out: Path) -> ReturnData:
    return read_cin(out / YEAR.key / f"cin_census_{YEAR.key}.xml")


def test_referral_sources_and_assessments_as_england(census: ReturnData) -> None:
    start, end = YEAR.start_date, YEAR.end_date
    details = census.tables["CINdetails"].filter(pl.col("CINreferralDate").is_between(start, end))
    police = details.filter(pl.col("ReferralSource") == "6").height
    schools = details.filter(pl.col("ReferralSource") == "2A").height
    assert near(police, details.height, england("RefBySource_Police_%"))
    assert near(schools, details.height, england("RefBySource_Schl_%"))
    assessed = census.tables["Assessments"].filter(pl.col("AssessmentAuthorisationDate").is_between(start, end))
    weekdays = pl.business_day_count("AssessmentActualStartDate", "AssessmentAuthorisationDate")
    in_time = assessed.filter(weekdays <= 45).height  # the generator counts Monday to Friday
    assert near(in_time, assessed.height, england("Continue_Assess_Comp"))


def test_long_cin_episodes_open_at_31_march(census: ReturnData) -> None:
    details = census.tables["CINdetails"]
    open_at_end = details.filter(pl.col("CINclosureDate").is_null() | (pl.col("CINclosureDate") > YEAR.end_date))
    two_years = open_at_end.filter(pl.col("CINreferralDate") <= date(YEAR.end - 2, 3, 31)).height
    assert near(two_years, open_at_end.height, england("CINTime2more"), slack=0.08)  # a modelled share


def test_placements_at_31_march_as_england(return_903: ReturnData) -> None:
    episodes = return_903.tables["Episodes"]
    open_at_end = episodes.filter(pl.col("DEC").is_null() | (pl.col("DEC") > YEAR.end_date))
    looked_after = open_at_end.height
    supported = open_at_end.filter(pl.col("PLACE") == "K3").height
    fostered = open_at_end.filter(pl.col("PLACE").str.starts_with("U")).height
    assert near(supported, looked_after, england("LAC_Ind_SInd_Liv_Arr"), slack=0.03)
    assert near(fostered, looked_after, england("LAC_Foster_Placements"), slack=0.05)


def test_care_leavers_activity_as_england(return_903: ReturnData) -> None:
    oc3 = return_903.tables["OC3"].filter(pl.col("DOB") <= date(YEAR.end - 19, 3, 31))  # aged 19 to 21
    neet = oc3.filter(pl.col("ACTIV").is_in(["G4", "G5", "G6"])).height
    assert near(neet, oc3.height, england("CareLeaversNEET"))


def test_default_size_from_lait() -> None:
    """Rutland: LAIT counts 32 children looked after at 31 March 2025; a default-sized return holds about as many."""
    rutland = find_authority("857")
    size = authority_size(rutland)
    assert "32 looked after" in size.source
    children = simulate_care(rutland, YEAR, YEAR, size.care, seed=1)
    looked_after = sum(1 for c in children if c.first_start <= YEAR.end_date and c.last_end is None)
    assert 16 <= looked_after <= 48  # 32 and the Poisson spread of a small authority (about 4 standard deviations)


def test_care_leaver_queries_only_where_earlier_care_is_not_in_the_files(out: Path) -> None:
    """1001 and 1002 are queries the DfE says can be false positives (care before last year's return is not in the
    files); the generator writes care leaver information only for relevant children, so every child they flag first
    came into care before last year's collection began."""
    now = read_903(sorted((out / YEAR.key / "ssda903").glob("*.csv")))
    last = read_903(sorted((out / YEAR.previous().key / "ssda903").glob("*.csv")))
    registry = build("ssda903", only=["1001", "1002"])
    result = validate_return(now, YEAR, find_authority("383"), last, registry=registry)
    flagged = set(result.errors.filter(pl.col("rule_code").is_in(["1001", "1002"]))["child_id"].to_list())
    assert flagged, "no care leaver from earlier years to check"
    histories = {c.child_id: c for c in simulate_care(find_authority("383"), YEAR, YEAR.previous(), CHILDREN, SEED)}
    assert all(histories[child].first_start < YEAR.previous().start_date for child in flagged)


def test_weighted_draws_what_random_choices_draws() -> None:
    """The cached cumulative weights give the very draws of `random.choices` (so the files stay as they were)."""
    import random

    from csctools.synth.common import weighted

    weights = {"a": 1.0, "b": 2.5, "c": 0.0, "d": 3.0}
    ours, stdlib = random.Random(5), random.Random(5)
    drawn = [weighted(ours, weights) for _ in range(5000)]
    assert drawn == [stdlib.choices(list(weights), weights=list(weights.values()))[0] for _ in range(5000)]
    assert "c" not in drawn


def test_working_days_after_counts_monday_to_friday() -> None:
    """Whole weeks at once give the same day as counting one day at a time (worked by hand for three cases)."""
    from datetime import timedelta

    from csctools.synth.common import working_days_after

    assert working_days_after(date(2025, 3, 7), 1) == date(2025, 3, 10)  # Friday + 1: Monday
    assert working_days_after(date(2025, 3, 1), 5) == date(2025, 3, 7)  # Saturday + 5: Friday
    assert working_days_after(date(2025, 3, 3), 45) == date(2025, 5, 5)  # Monday + 45: nine weeks on, a Monday

    def one_by_one(day: date, days: int) -> date:
        while days > 0:
            day += timedelta(days=1)
            days -= day.weekday() < 5
        return day

    starts = [date(2025, 3, 1) + timedelta(days=n) for n in range(14)]
    assert all(working_days_after(d, n) == one_by_one(d, n) for d in starts for n in range(0, 100))
