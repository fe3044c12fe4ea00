"""A 903 CSV without a column: a structural problem said first, the rules that read the column "not run: needs
column X", every other rule run; `csc inspect` exits 2 on it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.datasets.ssda903.read import read_903
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, generate
from csctools.validate.catalogue import catalogue
from csctools.validate.engine import COULD_NOT_RUN, FAILED, NOT_RUN, ValidationResult
from csctools.validate.run import validate_return
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)
runner = CliRunner()


@pytest.fixture(scope="module")
def years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gaps")
    generate(
        SynthOptions(["383"], YEAR.previous(), YEAR, children=80, seed=11, formats=("csv",), cin=False, annex_a=False),
        out,
    )
    return out / "383"


def _copy(folder: Path, to: Path) -> Path:
    shutil.copytree(folder, to)
    return to


def _edit_header(folder: Path, drop: str | None, sex: str | None = None, ethnic: str | None = None) -> str:
    """Drop a Header column; give the first child a sex code and the second an ethnicity that are not valid."""
    path = next(folder.glob("*header*.csv"))
    header = pl.read_csv(path, infer_schema=False)
    if sex is not None:
        first = pl.int_range(pl.len()) == 0
        header = header.with_columns(pl.when(first).then(pl.lit(sex)).otherwise("SEX").alias("SEX"))
    if ethnic is not None:
        header = header.with_columns(
            pl.when(pl.int_range(pl.len()) == 1).then(pl.lit(ethnic)).otherwise("ETHNIC").alias("ETHNIC")
        )
    (header.drop(drop) if drop else header).write_csv(path)
    return str(header["CHILD"][0])


def _validate(folder: Path, previous: Path | None = None) -> ValidationResult:
    data = read_903(sorted(folder.glob("*.csv")))
    last = read_903(sorted(previous.glob("*.csv"))) if previous else None
    assert data.year == YEAR
    return validate_return(data, YEAR, find_authority("383"), last)


def test_a_missing_column_leaves_out_only_the_rules_that_read_it(years: Path, tmp_path: Path) -> None:
    whole = _copy(years / "2025_26" / "ssda903", tmp_path / "whole")
    gap = _copy(years / "2025_26" / "ssda903", tmp_path / "gap")
    first = _edit_header(whole, None, sex="9", ethnic="XXXX")
    assert _edit_header(gap, "DOB", sex="9", ethnic="XXXX") == first
    full, holed = _validate(whole), _validate(gap)
    by_code = {o.code: o for o in holed.outcomes}
    reason = "needs column DOB (missing from this year's Header file)"
    # worked out by hand: 102 (DOB not a date), 301 (born after the year), 351 (over 25) read the Header's DOB
    for code in ("102", "301", "351"):
        assert (by_code[code].status, by_code[code].reason) == (NOT_RUN, reason)
    # the two values made wrong by hand are still found, with the child's id
    for code in ("101", "103"):
        assert by_code[code].status == FAILED
        assert by_code[code].failures == 1
    flagged = holed.errors.filter(pl.col("rule_code") == "101")
    assert flagged["child_id"].to_list() == [first] and flagged["field"].to_list() == ["SEX"]
    # every rule whose catalogue entry names Header.DOB is left out; no rule is broken by the gap
    dob_rules = {c for c, i in catalogue("ssda903").items() if i.tables == ("Header",) and "DOB" in i.fields}
    assert all(by_code[c].status == NOT_RUN for c in dob_rules if c in by_code)
    assert not [o for o in holed.outcomes if o.status == COULD_NOT_RUN]
    # the other rules run as they do on the whole file: same outcomes, same failures
    ran = {o.code for o in holed.outcomes if o.reason != reason}
    assert len(ran) > 200
    assert {o.code: (o.status, o.failures) for o in full.outcomes if o.code in ran} == {
        o.code: (o.status, o.failures) for o in holed.outcomes if o.code in ran
    }
    same = pl.col("rule_code").is_in(sorted(ran))
    assert holed.errors.filter(same).drop("source_file").equals(full.errors.filter(same).drop("source_file"))


def test_a_column_missing_from_last_years_file(years: Path, tmp_path: Path) -> None:
    this = years / "2025_26" / "ssda903"
    last = _copy(years / "2024_25" / "ssda903", tmp_path / "last")
    _edit_header(last, "DOB")
    by_code = {o.code: o for o in _validate(this, last).outcomes}
    assert by_code["203"].status == NOT_RUN  # date of birth disagrees with last year's
    assert by_code["203"].reason == "needs column DOB (missing from last year's Header file)"
    assert by_code["102"].status != NOT_RUN  # this year's DOB is there


def test_csc_validate_says_the_gap_first_and_exits_1(years: Path, tmp_path: Path) -> None:
    gap = _copy(years / "2025_26" / "ssda903", tmp_path / "gap")
    _edit_header(gap, "DOB")
    report, book = tmp_path / "r.json", tmp_path / "r.xlsx"
    result = runner.invoke(app, ["validate", "903", str(gap), "--la", "383", "-o", str(report), "-o", str(book)])
    assert result.exit_code == 1, result.output  # the return cannot be sent as it is, though no rule failed
    lines = result.output.splitlines()
    assert lines[0].startswith("error: ") and lines[0].endswith("column DOB: the Header table has no DOB column")
    assert "the rules that need them are not run" in lines[1]
    said = [line for line in lines if "not run: needs column DOB (missing from this year's Header file): " in line]
    assert len(said) == 1 and "102" in said[0].split(": ")[-1].split(", ")
    document = json.loads(report.read_text())
    assert [p["kind"] for p in document["structural_problems"]] == ["missing-column"]
    assert {r["code"]: r["status"] for r in document["rules"]}["102"] == NOT_RUN
    summary = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Summary").to_python()
    facts = {row[0]: row[1] for row in summary if row and row[0]}
    assert str(facts["problems reading the files"]).endswith("column DOB: the Header table has no DOB column")


def test_csc_inspect_exits_2_on_a_structural_problem_and_0_otherwise(years: Path, tmp_path: Path) -> None:
    clean = years / "2025_26" / "ssda903"
    assert runner.invoke(app, ["inspect", str(clean)]).exit_code == 0
    gap = _copy(clean, tmp_path / "gap")
    _edit_header(gap, "DOB")
    for extra in ([], ["--json"]):
        result = runner.invoke(app, ["inspect", str(gap), *extra])
        assert result.exit_code == 2, result.output
        assert "the Header table has no DOB column" in result.output
    unreadable = tmp_path / "episodes.csv"
    unreadable.write_bytes(b"CHILD;DECOM\n1;01/01/2025\n")
    assert runner.invoke(app, ["inspect", str(unreadable)]).exit_code == 2
    rejected = _copy(clean, tmp_path / "rejected")  # a rejected row: the file was read, the row is listed
    header = next(rejected.glob("*header*.csv"))
    header.write_text(header.read_text() + '"1234,1\n')
    result = runner.invoke(app, ["inspect", str(rejected)])
    assert result.exit_code == 0, result.output
    assert "rejected: Header row" in result.output
