"""Synthetic returns for one or many authorities over consecutive years, written as authorities write them."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date
from operator import attrgetter
from pathlib import Path

from csctools.datasets.annex_a.write import write_annex_a
from csctools.datasets.cin.write import write_cin_xml
from csctools.datasets.ssda903.write import csv_name, write_csv_tables, write_xml
from csctools.reference.authorities import Authority, find_authority
from csctools.synth import england
from csctools.synth.annex_a import annex_a_lists
from csctools.synth.care import CareChild, CareSimulator
from csctools.synth.cin import CinChild, CinSimulator
from csctools.synth.cin_census import census_tables
from csctools.synth.common import Area, add_days
from csctools.synth.inject import Injection, Tables, inject, inject_dense
from csctools.synth.providers import ProviderPool, write_provider_list
from csctools.synth.ssda903 import year_tables
from csctools.years import CollectionYear, year_range

# Entries per year, as a share of the children wanted in a year's return (measured on generated data).
CARE_ENTRY_RATE = 0.2
CIN_REFERRAL_RATE = 0.39  # with re-referrals and long episodes, the census holds about as many children as before
CARE_HISTORY_YEARS = 18  # children who entered care this long ago can still be looked after
CIN_HISTORY_YEARS = 3
# Measured on generated returns (Leeds, seed 1, 3,000 children, 2025/26): children looked after at 31 March and CIN
# referrals in the year, per child asked for. Without --children an authority is sized by them from LAIT.
LOOKED_AFTER_PER_CHILD = 0.529
REFERRALS_PER_CHILD = 0.701
DEFAULT_CHILDREN = 1000  # for an authority LAIT has no figures for

Progress = Callable[[str], None]


@dataclass
class SynthOptions:
    authorities: list[str]
    first_year: CollectionYear
    last_year: CollectionYear
    children: int | None = 1000  # None: each authority's own size, from LAIT (`authority_size`)
    seed: int = 1
    formats: tuple[str, ...] = ("csv", "xml")
    inject: int = 0
    mutations: list[str] | None = None
    annex_a: bool = True
    cin: bool = True
    dense: float = 0.0  # instead of `inject`: break every cell the mutations can in this share of each table's rows


@dataclass
class SynthResult:
    folders: dict[str, Path] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    injections: list[Injection] = field(default_factory=list)
    sizes: dict[str, Size] = field(default_factory=dict)  # the children simulated for each authority's returns


@dataclass(frozen=True)
class Size:
    """How many children an authority's 903 and CIN returns are drawn for, and where the numbers come from."""

    care: int
    cin: int
    source: str  # e.g. "LAIT 2024/25: 1,498 looked after at 31 March, 10,304 referrals"; "" when given


def authority_size(authority: Authority) -> Size:
    """The children to simulate so that the returns hold about as many children as the authority's own: LAIT's
    latest count of children looked after at 31 March (LACnum) and of referrals in the year (CPP_Total_NumRef)."""
    import polars as pl

    from csctools.indicators import lait

    latest = (
        lait.values()
        .filter(pl.col("la_number") == int(authority.number), pl.col("measure").is_in(["LACnum", "CPP_Total_NumRef"]))
        .sort("year")
        .group_by("measure")
        .last()
    )
    found = {row["measure"]: (row["year"], row["value"]) for row in latest.iter_rows(named=True)}
    if "LACnum" not in found:
        return Size(DEFAULT_CHILDREN, DEFAULT_CHILDREN, f"LAIT has no figures for {authority.name}: the default")
    year, looked_after = found["LACnum"]
    care = max(1, round(looked_after / LOOKED_AFTER_PER_CHILD))
    label = f"LAIT {year - 1}/{year % 100:02d}: {looked_after:,.0f} looked after at 31 March"
    if "CPP_Total_NumRef" not in found:  # the CIN census as many children as the 903
        return Size(care, care, f"{label} (no referrals figure: CIN as many children)")
    referrals = found["CPP_Total_NumRef"][1]
    cin = max(1, round(referrals / REFERRALS_PER_CHILD))
    return Size(care, cin, f"{label}, {referrals:,.0f} referrals")


def simulate_care(
    authority: Authority,
    last: CollectionYear,
    first: CollectionYear,
    children: int,
    seed: int,
    providers: ProviderPool | None = None,
) -> list[CareChild]:
    """Care histories of one authority, placed with the providers of the list (`ProviderPool(seed)` if none)."""
    rng = random.Random(f"{seed}:{authority.number}:care")
    chooser = random.Random(f"{seed}:{authority.number}:providers")
    pool = providers or ProviderPool(seed)
    simulator = CareSimulator(rng, Area.of(authority), last.end_date, pool, chooser)
    start = date(first.end - CARE_HISTORY_YEARS, 4, 1)
    span = (last.end_date - start).days
    count = int(children * CARE_ENTRY_RATE * span / 365.25)
    entries = sorted(add_days(start, rng.randrange(span)) for _ in range(count))
    return [simulator.child(f"{authority.number}{n:07d}", day) for n, day in enumerate(entries, start=1)]


def simulate_cin(
    authority: Authority, last: CollectionYear, first: CollectionYear, children: int, seed: int
) -> list[CinChild]:
    rng = random.Random(f"{seed}:{authority.number}:cin")
    simulator = CinSimulator(rng, authority.number, last.end_date)
    start = date(first.end - CIN_HISTORY_YEARS, 4, 1)
    span = (last.end_date - start).days
    count = int(children * CIN_REFERRAL_RATE * span / 365.25)
    referrals = [(add_days(start, rng.randrange(span)), False) for _ in range(count)]
    # Before that, only the referrals whose episode lasts years matter (the others closed long before): drawn at
    # their own rate, so the episodes open for years at 31 March are there without simulating every short one.
    earliest = date(first.end - england.LONG_EPISODE_HISTORY_YEARS, 4, 1)
    backlog_span = (start - earliest).days
    backlog = int(children * CIN_REFERRAL_RATE * england.LONG_EPISODE * backlog_span / 365.25)
    referrals += [(add_days(earliest, rng.randrange(backlog_span)), True) for _ in range(backlog)]
    referrals.sort()
    return [
        simulator.child(f"C{authority.number}{n:07d}", day, long_only=long_only)
        for n, (day, long_only) in enumerate(referrals, start=1)
    ]


def generate(options: SynthOptions, out: Path, progress: Progress | None = None) -> SynthResult:
    """Simulate, cut each collection year, inject errors if asked, and write every file."""
    note = progress or (lambda message: None)
    result = SynthResult()
    years = year_range(options.first_year, options.last_year)
    providers = ProviderPool(options.seed)  # one national list, as Ofsted's, for every authority
    for code in options.authorities:
        authority = find_authority(code)
        folder = out / authority.number
        result.folders[authority.number] = folder
        given = options.children
        size = authority_size(authority) if given is None else Size(given, given, "")
        result.sizes[authority.number] = size
        note(f"{authority.name}: simulating care histories")
        care = simulate_care(authority, options.last_year, options.first_year, size.care, options.seed, providers)
        cin = (
            simulate_cin(authority, options.last_year, options.first_year, size.cin, options.seed)
            if options.cin or options.annex_a
            else []
        )
        result.files.append(write_provider_list(providers, folder / "ofsted_providers.xlsx"))
        for year in years:
            note(f"{authority.name} {year}: writing returns")
            rng = random.Random(f"{options.seed}:{authority.number}:{year.end}:inject")
            tables = year_tables(care, year, options.seed)
            injected = break_cells(tables, "ssda903", options, rng)
            target = folder / year.key
            xml_path = target / f"ssda903_{year.key}.xml"
            if "csv" in options.formats:
                result.files += write_csv_tables(tables, target / "ssda903", year)
            if "xml" in options.formats:
                result.files.append(write_xml(tables, xml_path))
            as_csv, as_xml = "csv" in options.formats, "xml" in options.formats
            xml_file = _relative(xml_path, out) if as_csv and as_xml else ""
            files = {  # each table's file, worked out once (a dense injection changes a million cells)
                table: _relative(target / "ssda903" / csv_name(table, year) if as_csv else xml_path, out)
                for table in {i.table for i in injected}
            }
            result.injections += [
                replace(i, la=authority.number, year=year.label, file=files[i.table], xml_file=xml_file)
                for i in injected
            ]
            if options.cin and year.end <= 2026:
                census = census_tables(cin, year, authority.number)
                census_path = target / f"cin_census_{year.key}.xml"
                injected = break_cells(census, "cin", options, rng)
                census_file = _relative(census_path, out)
                la = authority.number
                result.injections += [replace(i, la=la, year=year.label, file=census_file) for i in injected]
                result.files.append(write_cin_xml(census, census_path))
        if options.annex_a:
            note(f"{authority.name}: writing Annex A")
            lists = annex_a_lists(care, cin, options.last_year.end_date, options.seed)
            result.files.append(write_annex_a(lists, folder / f"annex_a_{options.last_year.key}.xlsx"))
    if result.injections:
        result.files.append(write_injections(result.injections, out / "injections.csv"))
    return result


def break_cells(tables: Tables, dataset: str, options: SynthOptions, rng: random.Random) -> list[Injection]:
    """The errors asked for: `inject` cells in all, or every cell the mutations can break in a share of rows."""
    if options.dense:
        return inject_dense(tables, dataset, options.dense, rng, options.mutations)
    return inject(tables, dataset, options.inject, rng, options.mutations)


def _relative(path: Path, out: Path) -> str:
    return path.relative_to(out).as_posix()


WHERE = ("la", "year", "file")  # the first columns of injections.csv: which authority, year and file


def write_injections(injections: list[Injection], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        names = [f.name for f in fields(Injection)]
        columns = [*WHERE, *(n for n in names if n not in WHERE)]
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(map(attrgetter(*columns), injections))  # plain values: asdict's deep copy is 10x slower
    return path
