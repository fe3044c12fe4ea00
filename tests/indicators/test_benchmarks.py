"""Benchmark logic: intervals against an independent implementation, ranks and bands worked by hand, and LAIT's own
published figures recomputed from the authorities' figures."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from csctools.indicators import lait
from csctools.indicators.benchmark import (
    comparators,
    direction,
    lait_year_of,
    quartile_band,
    quartile_cuts,
    rank_of,
)
from csctools.indicators.stats import poisson_exact, significance, wilson

SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "benchmarks"
SHARED = SHARED if SHARED.exists() else Path("/work/shared/reference/benchmarks")

# Computed with scipy 1.17.1 (chi2.ppf(0.025, 2x) / 2, chi2.ppf(0.975, 2x + 2) / 2) and statsmodels 0.15.0
# (proportion_confint(method="wilson")) in a separate virtual environment.
POISSON = {
    0: (0.0, 3.6888794541139354),
    1: (0.025317807984289876, 5.571643390938898),
    2: (0.24220927854396496, 7.22468766772396),
    5: (1.6234863901184207, 11.66833207932267),
    17: (9.903126469607294, 27.218646815906613),
    100: (81.36399125092314, 121.62679379242638),
    1546: (1469.8872531509294, 1625.0318857719828),
    50000: (49562.686650323674, 50440.212035431294),
}
WILSON = {
    (0, 10): (0.0, 0.27753279986288926),
    (1, 10): (0.017876213095072924, 0.40415002679523854),
    (5, 12): (0.1932603136587565, 0.6804886874504502),
    (46, 548): (0.06352112783407714, 0.11015458516057698),
    (300, 301): (0.9814244165498065, 0.9994132987554136),
    (13, 17): (0.5273820188043501, 0.9044495567791988),
}


@pytest.mark.parametrize("count", sorted(POISSON))
def test_exact_poisson_matches_scipy(count: int) -> None:
    assert poisson_exact(count) == pytest.approx(POISSON[count], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("case", sorted(WILSON))
def test_wilson_matches_statsmodels(case: tuple[int, int]) -> None:
    assert wilson(*case) == pytest.approx(WILSON[case], rel=1e-12, abs=1e-15)


def test_significance_against_england() -> None:
    assert significance(10.0, 20.0, 25.0) == "significantly below England"
    assert significance(10.0, 20.0, 5.0) == "significantly above England"
    assert significance(10.0, 20.0, 20.0) == "not significantly different from England"
    assert significance(None, None, 20.0) == ""


def test_rank_by_polarity_with_ties() -> None:
    others = [10.0, 20.0, 20.0, 30.0]
    assert rank_of(20.0, others, "high") == 2  # only 30 is better; ties share the better rank
    assert rank_of(20.0, others, "low") == 2  # only 10 is better
    assert rank_of(5.0, others, "low") == 1
    assert rank_of(5.0, others, "high") == 5


def test_quartiles_are_excel_quartile_inc() -> None:
    # =QUARTILE.INC({1,...,10}, 1..3) gives 3.25, 5.5, 7.75
    assert quartile_cuts([float(v) for v in range(10, 0, -1)]) == (3.25, 5.5, 7.75)


def test_bands_by_polarity() -> None:
    values = [float(v) for v in range(1, 11)]
    assert [quartile_band(v, values, "high") for v in (8.0, 7.75, 7.0, 5.5, 4.0, 3.0)] == ["A", "A", "B", "B", "C", "D"]
    assert [quartile_band(v, values, "low") for v in (3.0, 3.25, 4.0, 5.5, 6.0, 8.0)] == ["A", "A", "B", "B", "C", "D"]
    assert quartile_band(1.0, values, "neutral") == ""


def test_direction_of_travel() -> None:
    assert direction(2.0, "high") == "improving"
    assert direction(2.0, "low") == "worsening"
    assert direction(-2.0, "neutral") == "down"
    assert direction(0.0, "high") == "no change"
    assert direction(None, "high") == ""


def test_lait_year_of_a_period() -> None:
    assert lait_year_of(date(2026, 3, 31)) == 2026
    assert lait_year_of(date(2025, 9, 30)) == 2026


EXACT_COUNTS = ("LACnum", "LACnum_Start", "LACceased", "CPP_Num", "CPP_Total_NumRef", "NoCareLeavers")


def _gaps(values: pl.DataFrame, year: int) -> set[int]:
    """Authorities with no figure this year that have one before and after it (LAIT counts them in England's total:
    Hackney's CIN census of 2020/21 and 2021/22, Hampshire's and Herefordshire's of 2023/24)."""
    authorities = values.filter(pl.col("la_number") < lait.FIRST_REGION)
    before = set(authorities.filter(pl.col("year") < year)["la_number"].to_list())
    after = set(authorities.filter(pl.col("year") > year)["la_number"].to_list())
    return (before & after) - set(authorities.filter(pl.col("year") == year)["la_number"].to_list())


@pytest.mark.parametrize("measure", EXACT_COUNTS)
def test_england_is_the_sum_of_the_authorities(measure: str) -> None:
    """England is rounded to 10 and small authorities' figures may be suppressed: the sum of the authorities'
    counts is within 0.1% of it (at least 10), in every year no authority is missing from LAIT's rows."""
    values = lait.series(measure)
    compared = 0
    for year in sorted(set(values["year"].to_list())):
        if _gaps(values, year):
            continue
        that = values.filter(pl.col("year") == year)
        total = that.filter(pl.col("la_number") < lait.FIRST_REGION)["value"].sum()
        england = that.filter(pl.col("la_number") == lait.ENGLAND)["value"][0]
        assert abs(total - england) <= max(10, england / 1000), (measure, year, total, england)
        compared += 1
    assert compared >= 5


def test_england_percentage_from_the_authorities_counts() -> None:
    """LACStable_2016on (a whole-number %) recomputed from the authorities' LACStableNum_2016on and LACnum."""
    stable, looked_after = lait.series("LACStableNum_2016on"), lait.series("LACnum")
    percent = lait.series("LACStable_2016on")
    for year in range(2016, 2026):
        both = stable.filter(pl.col("year") == year, pl.col("la_number") < lait.FIRST_REGION).join(
            looked_after.filter(pl.col("year") == year), on=["year", "la_number"]
        )
        recomputed = 100 * both["value"].sum() / both["value_right"].sum()
        published = percent.filter(pl.col("year") == year, pl.col("la_number") == lait.ENGLAND)["value"][0]
        assert abs(recomputed - published) <= 0.5, (year, recomputed, published)


def test_england_rate_from_derived_populations() -> None:
    """England's LAC rate from the authorities' counts over their derived populations. LAIT divides by England's
    own population (which holds the authorities it suppresses), so agreement is within 1 per 10,000."""
    counts = lait.series("LACnum")
    published = lait.series("LAC")
    for year in range(2016, 2026):
        total = population = 0.0
        for la, count in (
            counts.filter(pl.col("year") == year, pl.col("la_number") < lait.FIRST_REGION)
            .select("la_number", "value")
            .iter_rows()
        ):
            derived = lait.population(la, year)
            if derived is not None:
                total, population = total + count, population + derived.value
        england = published.filter(pl.col("year") == year, pl.col("la_number") == lait.ENGLAND)["value"][0]
        assert abs(total / population * 10_000 - england) < 1.0, year


def test_derived_population_reproduces_every_published_rate() -> None:
    """The method's own check: for nearly every authority, count / population rounds back to each published rate."""
    year, checked, agree = 2025, 0, 0
    table = lait.values().filter(pl.col("year") == year, pl.col("la_number") < lait.FIRST_REGION)
    for la in sorted(set(table["la_number"].to_list())):
        derived = lait.population(la, year)
        if derived is None:
            continue
        published = dict(table.filter(pl.col("la_number") == la).select("measure", "value").iter_rows())
        for count, rate, half in lait.POPULATION_PAIRS:
            if count in published and rate in published and published[count] > 0:
                checked += 1
                agree += abs(published[count] / derived.value * 10_000 - published[rate]) <= half + 1e-9
    assert checked > 700
    assert agree / checked > 0.99, (agree, checked)


def test_population_of_an_authority_is_tight() -> None:
    leeds = lait.population(383, 2025)
    assert leeds is not None and leeds.pairs == 6
    assert 150_000 < leeds.value < 200_000
    assert leeds.relative_error < 0.001


@pytest.mark.skipif(not SHARED.exists(), reason="the shared reference files are not here")
def test_neighbour_average_from_the_published_files() -> None:
    """The SN average of Leeds's LACnum in 2025, from the original CSV and parquet (not the packaged copies)."""
    with (SHARED / "statistical_neighbours_2025.csv").open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["la_number"] == "383")
    neighbours = [row[f"sn{i}"] for i in range(1, 11)]
    raw = pl.read_parquet(SHARED / "lait_csc_measures.parquet").filter(
        pl.col("measure") == "LACnum", pl.col("year") == "2025", pl.col("value") != "-"
    )
    by_la = {str(int(float(n))): float(v) for n, v in raw.select("la_number", "value").iter_rows()}
    expected = sum(by_la[n] for n in neighbours if n in by_la) / sum(1 for n in neighbours if n in by_la)
    found = comparators("LACnum", 2025, 383, lait.region_of("383"), [int(n) for n in neighbours])
    assert found.sn_average == pytest.approx(expected)
    assert found.england == by_la["970"]
    assert found.region == by_la["982"]  # Yorkshire and the Humber


def test_rank_one_is_the_best_authority_in_lait() -> None:
    values = lait.series("LACStable_2016on").filter(pl.col("year") == 2025, pl.col("la_number") < lait.FIRST_REGION)
    authorities = values["value"].to_list()
    best = min(authorities)
    assert rank_of(best, [v for v in authorities if v != best], "low") == 1
    bands = [quartile_band(v, authorities, "low") for v in authorities]
    for band in "ABCD":  # each band holds about a quarter (ties at the cuts move a few)
        assert 0.15 < bands.count(band) / len(bands) < 0.40, band


def test_funnel_limits() -> None:
    from csctools.indicators.charts import funnel_limits

    # p = 10%, n = 100: standard error 3 points; 1.96 of them is 5.88
    assert funnel_limits(10.0, 100, 1.96) == pytest.approx((4.12, 15.88))
    assert funnel_limits(1.0, 4, 3.09)[0] == 0.0  # clipped at 0
