"""LAIT's published figures (DfE Local Authority Interactive Tool, Open Government Licence v3.0), shipped in
`data/` by scripts/build_benchmarks.py: England, the regions and every authority, for every year LAIT has, plus the
statistical neighbour groups (2025). A LAIT year is the year in which it ends: 2025 is 2024/25.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from typing import NamedTuple

import polars as pl

from csctools.package_data import PACKAGE_DIR, read_text

DATA = PACKAGE_DIR / "indicators" / "data"
ENGLAND = 970
FIRST_REGION = 970  # England is 970, the regions 980-990: any number from 970 up is an area, not an authority
REGION_OF = {  # the region name of authorities.csv -> LAIT's area number
    "North East": 980,
    "North West": 981,
    "Yorkshire and The Humber": 982,
    "East Midlands": 983,
    "West Midlands": 984,
    "East of England": 985,
    "Inner London": 987,
    "Outer London": 988,
    "South East": 989,
    "South West": 990,
}
# Count and rate-per-10,000 pairs over the same population (children aged under 18), with the half-width of the
# rate's rounding as published (LAC rates are whole numbers, the CIN census rates have one decimal). Authorities'
# counts are exact; England's and the regions' are rounded to the nearest 10.
POPULATION_PAIRS = (
    ("LACnum", "LAC", 0.5),
    ("LACnum_Start", "LAC_Start_Rate", 0.5),
    ("LACceased", "LAC_Cease_Rate", 0.5),
    ("CPP_Num", "CPP_rate", 0.05),
    ("CPP_Total_NumRef", "CPP_Total_Rateper10,000", 0.05),
    ("CPP_Abuse", "CPP_Abuse_Rate", 0.05),
)
AREA_COUNT_ROUNDING = 5.0


class Measure(NamedTuple):
    measure: str
    title: str
    topic: str
    polarity: str  # as LAIT writes it: High, Low, - or NA
    year_type: str


class Population(NamedTuple):
    """Children aged under 18 in an area and year, derived from LAIT's count and rate pairs."""

    value: float  # the middle of the interval every pair allows
    low: float
    high: float
    year: int  # the LAIT year it comes from
    pairs: int  # how many count and rate pairs it rests on

    @property
    def relative_error(self) -> float:
        return (self.high - self.low) / 2 / self.value


@lru_cache(maxsize=1)
def values() -> pl.DataFrame:
    """measure, year (Int32), la_number (Int32), value (Float64): every published value."""
    return pl.read_parquet(DATA / "lait_values.parquet")


@lru_cache(maxsize=1)
def measures() -> dict[str, Measure]:
    rows = csv.DictReader(read_text("indicators", "data", "lait_measures.csv").splitlines())
    return {r["measure"]: Measure(r["measure"], r["title"], r["topic"], r["polarity"], r["year_type"]) for r in rows}


@lru_cache(maxsize=1)
def neighbours() -> dict[str, tuple[str, ...]]:
    """Each authority's 10 statistical neighbours (2025), by LA number."""
    rows = csv.DictReader(read_text("indicators", "data", "statistical_neighbours.csv").splitlines())
    return {r["la_number"]: tuple(r[f"sn{i}"] for i in range(1, 11) if r[f"sn{i}"]) for r in rows}


def region_of(la: str) -> int | None:
    from csctools.reference.authorities import authorities

    for authority in authorities():
        if authority.number == la:
            return REGION_OF.get(authority.region)
    return None


@lru_cache(maxsize=1)
def _by_measure() -> dict[str, pl.DataFrame]:
    frames = values().partition_by("measure", as_dict=True, include_key=False)
    return {str(key[0]): frame for key, frame in frames.items()}


def series(measure: str) -> pl.DataFrame:
    """Every published value of one measure: year, la_number, value (empty when LAIT has no such measure)."""
    found = _by_measure().get(measure)
    return (
        found
        if found is not None
        else pl.DataFrame(schema={"year": pl.Int32, "la_number": pl.Int32, "value": pl.Float64})
    )


@lru_cache(maxsize=256)
def by_year(measure: str) -> dict[int, dict[int, float]]:
    """One measure's values as {year: {area number: value}}."""
    table: dict[int, dict[int, float]] = {}
    frame = series(measure)
    for year, area, value in zip(
        frame["year"].to_list(), frame["la_number"].to_list(), frame["value"].to_list(), strict=True
    ):
        table.setdefault(year, {})[area] = value
    return table


def _interval(count: float, rate: float, half: float, count_half: float) -> tuple[float, float] | None:
    if rate - half <= 0 or count <= 0:
        return None
    return (count - count_half) * 10_000 / (rate + half), (count + count_half) * 10_000 / (rate - half)


def population(area: int, year: int) -> Population | None:
    """The under-18 population of an authority (or area) in a LAIT year: the interval every pair allows.

    Each count c and rate r (rounded to within h) gives c x 10,000 / (r + h) <= population <= c x 10,000 / (r - h);
    the estimate is the middle of the intersection of those intervals. When pairs disagree (a revised count) the
    pair with the largest count, whose rounding matters least, is used alone.
    """
    table = values().filter(pl.col("la_number") == area, pl.col("year") == year)
    published = dict(zip(table["measure"].to_list(), table["value"].to_list(), strict=True))
    count_half = AREA_COUNT_ROUNDING if area >= FIRST_REGION else 0.0
    intervals = []
    for count_measure, rate_measure, half in POPULATION_PAIRS:
        if count_measure in published and rate_measure in published:
            bounds = _interval(published[count_measure], published[rate_measure], half, count_half)
            if bounds is not None:
                intervals.append((published[count_measure], bounds))
    if not intervals:
        return None
    low = max(b[0] for _, b in intervals)
    high = min(b[1] for _, b in intervals)
    if low > high:
        _, (low, high) = max(intervals, key=lambda item: item[0])
    return Population((low + high) / 2, low, high, year, len(intervals))


def latest_population(area: int, year: int) -> Population | None:
    """The population of the latest LAIT year up to `year` that gives one."""
    for candidate in range(year, 2015, -1):
        found = population(area, candidate)
        if found is not None:
            return found
    return None
