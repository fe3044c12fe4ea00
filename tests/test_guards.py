"""Guarded inputs: files sorted by the year their content shows, last year's return checked, absent tables,
folders holding a whole year, `csc rules` lookups and the generator's injection record."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.read import read_files
from csctools.reference.authorities import Postcode, find_authority
from csctools.synth.common import Area
from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

runner = CliRunner()
YEAR = CollectionYear(2026)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Leeds folder with 2024/25 and 2025/26: 903 CSV tables and XML, CIN census, Annex A."""
    out = tmp_path_factory.mktemp("guards")
    generate(SynthOptions(["383"], YEAR.previous(), YEAR, children=80, seed=11, inject=2), out)
    shutil.copy(out / "383" / "annex_a_2025_26.xlsx", out / "383" / "2025_26")  # a whole year in one folder
    return out


def tables(two_years: Path, year: CollectionYear) -> Path:
    return two_years / "383" / year.key / "ssda903"


def validate(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", *args])
    return result.exit_code, result.output


def test_both_years_given_together_are_sorted_by_their_dates(two_years: Path) -> None:
    this, last = tables(two_years, YEAR), tables(two_years, YEAR.previous())
    for args in (
        [str(last), str(this)],  # both as this year's files, last year's first
        [*map(str, sorted(this.glob("*.csv"))), "--previous", *map(str, sorted(last.glob("*.csv")))],  # a glob
    ):
        code, output = validate("903", *args, "--la", "383")
        assert code in (0, 1), output
        assert f"this year 2025/26: {this}/ (11 files); last year 2024/25: {last}/ (11 files)" in output, output
        assert "needs last year's return" not in output  # last year's return was used, not combined with this one


def test_one_folder_holding_both_years_is_sorted_too(two_years: Path, tmp_path: Path) -> None:
    for year in (YEAR, YEAR.previous()):
        for path in tables(two_years, year).glob("*.csv"):
            shutil.copy(path, tmp_path / path.name)
    code, output = validate("903", str(tmp_path), "--la", "383")
    assert code in (0, 1) and "this year 2025/26" in output and "last year 2024/25" in output, output


def test_a_table_whose_year_cannot_be_told_is_an_error_not_a_guess(two_years: Path, tmp_path: Path) -> None:
    """Without year names or folders, OC2 (children looked after 12 months, in both years' episodes) cannot be told
    apart: it is reported, never combined into one year or guessed."""
    for year, prefix in ((YEAR, "this"), (YEAR.previous(), "last")):
        for path in tables(two_years, year).glob("*.csv"):
            shutil.copy(path, tmp_path / f"{prefix}_{path.name.split('_')[-1]}")
    code, output = validate("903", str(tmp_path), "--la", "383")
    assert code == 2 and "SSDA903 2025/26:" not in output, output
    assert f"{tmp_path / 'this_oc2.csv'}: cannot tell whether this file is of 2025/26 or 2024/25" in output, output
    assert "this_header.csv: cannot tell" not in output  # Header is placed by its children


@pytest.mark.parametrize(
    ("this_year", "previous", "words"),
    [
        (YEAR.previous(), YEAR, "a later year than this year's files (2024/25)"),
        (YEAR, YEAR, "the same year as this year's"),
    ],
)
def test_previous_must_hold_the_year_before(
    two_years: Path, tmp_path: Path, this_year: CollectionYear, previous: CollectionYear, words: str
) -> None:
    given = tmp_path / "given"
    shutil.copytree(tables(two_years, previous), given)
    code, output = validate("903", str(tables(two_years, this_year)), "--previous", str(given))
    assert code == 2 and words in output and str(given) in output and "Traceback" not in output, output


def test_previous_mixing_two_years_is_an_error(two_years: Path) -> None:
    this, last = tables(two_years, YEAR), tables(two_years, YEAR.previous())
    code, output = validate(
        "903", str(this), "--previous", str(last / "ssda903_2024_25_episodes.csv"),
        "--previous", str(two_years / "383" / "2025_26" / "ssda903_2025_26.xml"),
    )  # fmt: skip
    assert code == 2 and "--previous must hold one year, last year's, but holds files of two (2025/26: " in output
    assert "ssda903_2025_26.xml; 2024/25: " in output and "ssda903_2024_25_episodes.csv)" in output, output


def test_a_table_given_twice_is_an_error_naming_both_files(two_years: Path, tmp_path: Path) -> None:
    this = tables(two_years, YEAR)
    copy = tmp_path / "header copy.csv"
    shutil.copy(this / "ssda903_2025_26_header.csv", copy)
    code, output = validate("903", str(this), str(copy))
    assert code == 2, output
    assert f"the Header table is given twice for one year, by {copy} and {this}" in output or (
        f"by {this / 'ssda903_2025_26_header.csv'} and {copy}" in output
    ), output


def test_absent_tables_are_named_and_their_rules_not_run(two_years: Path, tmp_path: Path) -> None:
    this = tables(two_years, YEAR)
    for name in ("header", "episodes"):
        shutil.copy(this / f"ssda903_2025_26_{name}.csv", tmp_path)
    report = tmp_path / "report.csv"
    code, output = validate("903", str(tmp_path), "--la", "383", "-o", str(report))
    assert code in (0, 1), output
    assert "this return has no Reviews, UASC, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing, SWEpisodes tables" in (
        output
    )
    assert output.index("this return has no") < output.index("SSDA903 2025/26:")  # before the errors
    assert "not run: needs the OC2 table" in output
    with report.open() as handle:
        assert not [row for row in csv.DictReader(handle) if row["table"] not in ("Header", "Episodes")]


def test_a_folder_holding_a_whole_year_gives_the_return_asked_for(two_years: Path) -> None:
    folder = two_years / "383" / "2025_26"
    code, output = validate("cin", str(folder), "--la", "383")
    assert code in (0, 1) and "CIN 2025/26:" in output, output
    assert "skipped what is not CIN census: SSDA903 2025/26 (" in output and "Annex A (" in output, output
    code, output = validate("903", str(folder), "--la", "383")
    assert code in (0, 1) and "SSDA903 2025/26:" in output, output
    assert "read its CSV tables, skipped" in output and "ssda903_2025_26.xml" in output
    assert "CIN census 2025/26 (" in output and "annex_a_2025_26.xlsx" in output


def test_a_named_file_of_another_return_is_still_an_error(two_years: Path) -> None:
    census = two_years / "383" / "2025_26" / "cin_census_2025_26.xml"
    code, output = validate("903", str(tables(two_years, YEAR)), str(census))
    assert code == 2 and "is a file of CIN census 2025/26, not part of the SSDA903 return" in output, output


def test_the_web_page_check_refuses_last_year_of_the_same_year(two_years: Path) -> None:
    from csctools.inputs import InputError, check_previous

    this, _ = read_files(sorted(tables(two_years, YEAR).glob("*.csv")))
    last, _ = read_files([two_years / "383" / "2025_26" / "ssda903_2025_26.xml"])
    with pytest.raises(InputError, match="the same year"):
        check_previous(this[0], last[0])
    earlier, _ = read_files(sorted(tables(two_years, YEAR.previous()).glob("*.csv")))
    check_previous(this[0], earlier[0])


def test_rules_explain_finds_either_return_and_list_rejects_unsupported_years() -> None:
    cin = runner.invoke(app, ["rules", "explain", "8500"])
    assert cin.exit_code == 0 and cin.output.startswith("8500 (cin, error): LA Child ID missing"), cin.output
    old = runner.invoke(app, ["rules", "list", "--year", "2021/22"])
    assert old.exit_code == 2 and "2021/22 is not supported for the 903 return" in old.output
    listed = runner.invoke(app, ["rules", "list", "--return", "cin", "--year", "2025/26"])
    assert listed.output.splitlines()[0] == "code\tseverity\tstate\tyears\tmessage\tpack"


def test_injections_name_the_authority_year_and_file(two_years: Path) -> None:
    with (two_years / "injections.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["la"], r["year"]) for r in rows} == {("383", "2024/25"), ("383", "2025/26")}
    for row in rows:
        assert (two_years / row["file"]).is_file(), row
        if row["dataset"] == "ssda903":
            assert row["file"].endswith(f"_{row['table'].lower()}.csv") and row["xml_file"].endswith(".xml")
        else:
            assert row["file"].endswith(".xml")


def test_own_provision_placement_postcodes_stay_in_the_authority() -> None:
    """Drawing the child's home postcode again used to switch to the neighbours' postcodes: an own-provision
    placement out of area (rule 1015 on large clean returns)."""
    leeds = find_authority("383")
    home = (Postcode("LS1 1AA", 0, 0), Postcode("LS2 2BB", 0, 0))
    nearby = (Postcode("BD1 1AA", 0, 0),)
    area = Area(leeds, home, nearby)
    rng = random.Random(1)
    assert {area.placement_postcode(rng, "LS1 1AA", out_of_area=0.0) for _ in range(200)} == {"LS2 2BB"}


def test_the_web_page_refuses_last_year_of_the_same_year(two_years: Path) -> None:
    from csctools.web.workspace import UserError, Workspace

    space = Workspace()
    try:
        for path in sorted(tables(two_years, YEAR).glob("*.csv")):
            space.add_file("current", path.name, path.read_bytes())
        same = two_years / "383" / "2025_26" / "ssda903_2025_26.xml"
        space.add_file("previous", same.name, same.read_bytes())
        with pytest.raises(UserError, match=r"last year's files must hold last year's return \(2024/25\)"):
            space.start(None, "383")
    finally:
        space.close()
