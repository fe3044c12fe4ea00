"""The synthetic generator: internally consistent, valid codes, children carried across years, injections."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from csctools.datasets.annex_a.read import read_annex_a
from csctools.datasets.cin import CIN
from csctools.datasets.cin.read import read_cin
from csctools.datasets.ssda903 import SSDA903
from csctools.datasets.ssda903.read import read_903
from csctools.io.result import ReturnData
from csctools.model import ColumnType
from csctools.reference.authorities import find_authority, postcodes_in
from csctools.synth.generate import SynthOptions, generate
from csctools.synth.inject import MUTATIONS
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)


@pytest.fixture(scope="module")
def return_903(year_folder: Path) -> ReturnData:
    return read_903(sorted((year_folder / "ssda903").glob("*.csv")))


@pytest.fixture(scope="module")
def census(year_folder: Path) -> ReturnData:
    return read_cin(year_folder / "cin_census_2025_26.xml")


def test_every_903_table_present(return_903: ReturnData, synthetic: tuple[Path, object]) -> None:
    assert set(return_903.tables) == {t.name for t in SSDA903.tables_for(YEAR)}
    last_year = read_903(sorted((synthetic[0] / "383" / "2024_25" / "ssda903").glob("*.csv")))
    for name, frame in return_903.tables.items():  # small authorities may have no adoption in one year
        assert frame.height + last_year.tables[name].height > 0, name


def test_codes_valid_and_no_unparsed_values(return_903: ReturnData, census: ReturnData) -> None:
    for data, dataset in ((return_903, SSDA903), (census, CIN)):
        for name, frame in data.tables.items():
            for column in dataset.table(name).columns_for(YEAR):
                valid = column.codes_for(YEAR)
                if valid:
                    bad = set(frame[column.name].drop_nulls()) - set(valid)
                    assert not bad, (name, column.name, bad)
                if column.type is not ColumnType.TEXT and column.type is not ColumnType.CODE:
                    assert frame[column.name + "_raw"].null_count() == frame.height, (name, column.name)


def test_children_and_keys(return_903: ReturnData) -> None:
    header = return_903.tables["Header"]
    assert header["CHILD"].is_unique().all()
    for name, frame in return_903.tables.items():
        assert set(frame["CHILD"]) <= set(header["CHILD"]), name


def test_episodes_chain_without_overlaps(return_903: ReturnData) -> None:
    episodes = return_903.tables["Episodes"].sort("CHILD", "DECOM")
    checks = episodes.with_columns(
        next_start=pl.col("DECOM").shift(-1).over("CHILD"),
    )
    assert checks.filter(pl.col("DEC") < pl.col("DECOM")).height == 0
    assert checks.filter(pl.col("next_start") < pl.col("DEC")).height == 0
    assert checks.filter(pl.col("DEC").is_null() & pl.col("next_start").is_not_null()).height == 0
    continuing = checks.filter(pl.col("REC") == "X1")
    assert continuing.filter(pl.col("next_start") != pl.col("DEC")).height == 0
    assert checks.filter(pl.col("DEC").is_null() != pl.col("REC").is_null()).height == 0
    assert episodes.filter(pl.col("DECOM") > YEAR.end_date).height == 0
    assert episodes.filter(pl.col("DEC") < YEAR.start_date).height == 0


def test_plausible_ages(return_903: ReturnData) -> None:
    episodes = return_903.tables["Episodes"].join(return_903.tables["Header"].select("CHILD", "DOB"), on="CHILD")
    ages = episodes.select(((pl.col("DECOM") - pl.col("DOB")).dt.total_days() / 365.25).alias("age"))["age"]
    assert ages.min() >= 0 and ages.max() < 18  # type: ignore[operator]


def test_real_postcodes_of_the_authority(return_903: ReturnData) -> None:
    home = {p.postcode for p in postcodes_in(find_authority("383"))}
    episodes = return_903.tables["Episodes"]
    assert set(episodes["HOME_POST"].drop_nulls()) <= home  # UASC have no home postcode
    assert episodes["PL_POST"].null_count() == 0
    in_area = episodes["PL_POST"].is_in(list(home)).mean()
    assert 0.4 < in_area < 0.95  # type: ignore[operator]


def test_children_carried_from_year_to_year(synthetic: tuple[Path, object]) -> None:
    folder = synthetic[0] / "383"
    this = read_903(sorted((folder / "2025_26" / "ssda903").glob("*.csv"))).tables["Episodes"]
    last = read_903(sorted((folder / "2024_25" / "ssda903").glob("*.csv"))).tables["Episodes"]
    carried = this.filter(pl.col("DECOM") < YEAR.start_date)
    assert carried.height > 0
    open_last_year = last.filter(pl.col("DEC").is_null())
    assert set(carried["CHILD"]) == set(open_last_year["CHILD"])


def test_cin_dates_in_order(census: ReturnData) -> None:
    t = census.tables
    details = t["CINdetails"]
    assert details.filter(pl.col("CINclosureDate") < pl.col("CINreferralDate")).height == 0
    keyed = t["Assessments"].join(details, on=["LAchildID", "CINdetailsID"])
    assert keyed.filter(pl.col("AssessmentActualStartDate") < pl.col("CINreferralDate")).height == 0
    assert keyed.filter(pl.col("AssessmentAuthorisationDate") < pl.col("AssessmentActualStartDate")).height == 0
    plans = t["ChildProtectionPlans"].join(t["Reviews"], on=["LAchildID", "CINdetailsID", "CPPID"])
    assert plans.filter(pl.col("CPPreviewDate") <= pl.col("CPPstartDate")).height == 0
    s47 = t["Section47"]
    assert s47.filter(pl.col("DateOfInitialCPC").dt.weekday() > 5).height == 0
    assert t["Header"]["ReferenceDate"].to_list() == [date(2026, 3, 31)]


def test_annex_a_consistent_with_both_returns(
    synthetic: tuple[Path, object], return_903: ReturnData, census: ReturnData
) -> None:
    lists = read_annex_a(synthetic[0] / "383" / "annex_a_2025_26.xlsx").tables
    assert set(lists["List8"]["Child Unique ID"]) <= set(return_903.tables["Header"]["CHILD"])
    assert set(lists["List3"]["Child Unique ID"]) <= set(census.tables["ChildIdentifiers"]["LAchildID"])
    assert set(lists["List7"]["Child Unique ID"]) <= set(census.tables["ChildProtectionPlans"]["LAchildID"])


def test_injections_land_where_recorded(tmp_path: Path) -> None:
    options = SynthOptions(["383"], YEAR, YEAR, children=120, seed=3, inject=len(MUTATIONS), annex_a=False)
    result = generate(options, tmp_path)
    assert {i.mutation for i in result.injections} == {m.name for m in MUTATIONS}
    with (tmp_path / "injections.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == len(result.injections)
    folder = tmp_path / "383" / "2025_26"
    csv_return = read_903(sorted((folder / "ssda903").glob("*.csv")))
    census = read_cin(folder / "cin_census_2025_26.xml")
    for injection in result.injections:
        if injection.dataset == "ssda903":
            frame = csv_return.tables[injection.table].filter(pl.col("_row") == injection.row_number)
            assert frame["CHILD"].to_list() == [injection.child_id]
        else:
            frame = census.tables[injection.table].filter(pl.col("LAchildID") == injection.child_id)
        column = injection.field
        raw = f"{column}_raw"
        values = set(frame[column].cast(pl.String)) | (set(frame[raw]) if raw in frame.columns else set())
        assert injection.value in values, injection


def test_placement_orders_do_not_drain_away_in_later_years(tmp_path: Path) -> None:
    """Children on the adoption route still in care when the simulation stops are on a placement order (E1): the
    number open at 31 March stays steady rather than falling to none in the last year."""
    options = SynthOptions(["383"], CollectionYear(2023), CollectionYear(2026), children=1000, seed=1, formats=("csv",))
    generate(SynthOptions(**{**options.__dict__, "annex_a": False, "cin": False}), tmp_path)
    on_order = []
    for year in ("2022_23", "2025_26"):
        episodes = read_903(sorted((tmp_path / "383" / year / "ssda903").glob("*.csv"))).tables["Episodes"]
        on_order.append(episodes.filter(pl.col("DEC").is_null() & (pl.col("LS") == "E1")).height)
    first, last = on_order
    assert first > 10
    assert last >= first / 2, on_order
