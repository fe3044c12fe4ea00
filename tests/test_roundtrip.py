"""Round trips: generate -> write -> read gives back exactly the generated data (CSV, 903 XML, CIN XML)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from csctools.datasets.cin.read import read_cin
from csctools.datasets.cin.write import write_cin_xml
from csctools.datasets.ssda903.read import read_903
from csctools.datasets.ssda903.write import write_csv_tables, write_xml
from csctools.model import SOURCE_FILE, SOURCE_ROW
from csctools.reference.authorities import find_authority
from csctools.synth.cin_census import census_tables
from csctools.synth.generate import simulate_care, simulate_cin
from csctools.synth.ssda903 import year_tables
from csctools.years import CollectionYear

Rows = list[dict[str, str | None]]


def as_text(frame: pl.DataFrame, date_format: str) -> set[tuple[tuple[str, str | None], ...]]:
    """The frame's rows as text, in the format the writer used (raw companions and sources dropped)."""
    columns = [c for c in frame.columns if not c.endswith("_raw") and c not in (SOURCE_FILE, SOURCE_ROW)]
    rows = set()
    for row in frame.select(columns).iter_rows(named=True):
        out = []
        for key, value in row.items():
            if isinstance(value, date):
                value = value.strftime(date_format)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            out.append((key, None if value is None else str(value)))
        rows.add(tuple(out))
    return rows


def expected(rows: Rows, columns: list[str]) -> set[tuple[tuple[str, str | None], ...]]:
    return {tuple((c, row.get(c) or None) for c in columns) for row in rows}


years = st.sampled_from([CollectionYear(2023), CollectionYear(2025), CollectionYear(2026), CollectionYear(2027)])
authorities = st.sampled_from(["383", "201", "940", "942"])


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000), year=years, la=authorities)
def test_903_csv_and_xml_round_trip(seed: int, year: CollectionYear, la: str) -> None:
    care = simulate_care(find_authority(la), year, year, 60, seed)
    tables = year_tables(care, year, seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_return = read_903(write_csv_tables(tables, folder / "csv", year))
        xml_return = read_903([write_xml(tables, folder / "return.xml")], year)
    assert csv_return.year == year and csv_return.ok and xml_return.ok
    for name, rows in tables.items():
        if not rows:
            continue
        for read in (csv_return, xml_return):
            frame = read.tables[name]
            columns = [c for c in frame.columns if not c.endswith("_raw") and not c.startswith("_") and c != "UASC"]
            assert as_text(frame.select(columns), "%d/%m/%Y") == expected(rows, columns), name


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10_000), year=st.sampled_from([CollectionYear(2023), CollectionYear(2026)]))
def test_cin_xml_round_trip(seed: int, year: CollectionYear) -> None:
    children = simulate_cin(find_authority("383"), year, year, 60, seed)
    tables = census_tables(children, year, "383")
    with tempfile.TemporaryDirectory() as tmp:
        data = read_cin(write_cin_xml(tables, Path(tmp) / "cin.xml"))
    assert data.ok and data.year == year
    for name, rows in tables.items():
        if not rows:
            assert name not in data.tables or data.tables[name].height == 0
            continue
        frame = data.tables[name]
        columns = [c for c in frame.columns if not c.endswith("_raw") and not c.startswith("_")]
        assert as_text(frame, "%Y-%m-%d") == expected(rows, columns), name


def test_same_seed_same_data() -> None:
    year = CollectionYear(2026)
    first = year_tables(simulate_care(find_authority("383"), year, year, 80, 5), year, 5)
    second = year_tables(simulate_care(find_authority("383"), year, year, 80, 5), year, 5)
    other = year_tables(simulate_care(find_authority("383"), year, year, 80, 6), year, 6)
    assert first == second
    assert first != other


def test_defunct_authority_is_a_clear_error() -> None:
    import pytest

    with pytest.raises(LookupError, match="no longer exists"):
        simulate_care(find_authority("909"), CollectionYear(2026), CollectionYear(2026), 10, 1)
