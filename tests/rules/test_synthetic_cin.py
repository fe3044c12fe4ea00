"""The clean synthetic CIN census raises no errors in any year; each injected error trips its rule."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from csctools.datasets.cin.read import read_cin
from csctools.io.result import ReturnData
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, generate
from csctools.synth.inject import MUTATIONS
from csctools.validate.run import validate_return
from csctools.years import CollectionYear


@pytest.fixture(scope="module")
def censuses(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cin")
    generate(
        SynthOptions(
            ["383", "201"],
            CollectionYear(2023),
            CollectionYear(2026),
            children=300,
            seed=12,
            formats=("csv",),
            annex_a=False,
        ),
        out,
    )
    return out


@pytest.mark.parametrize("end", [2023, 2024, 2025, 2026])
@pytest.mark.parametrize("la", ["383", "201"])
def test_clean_census_has_no_errors(censuses: Path, end: int, la: str) -> None:
    year = CollectionYear(end)
    data = read_cin(censuses / la / year.key / f"cin_census_{year.key}.xml")
    assert data.ok and data.year == year
    result = validate_return(data, year, find_authority(la))
    assert [o for o in result.outcomes if o.status in ("could not run", "not run", "not implemented")] == []
    errors = result.errors.filter(pl.col("severity") == "error")
    assert errors.is_empty(), errors.group_by("rule_code").len().rows()


def test_each_injected_error_trips_its_rule(tmp_path: Path) -> None:
    names = [m.name for m in MUTATIONS if m.dataset == "cin"]
    year = CollectionYear(2026)
    result = generate(
        SynthOptions(
            ["383"],
            year,
            year,
            children=200,
            seed=6,
            formats=("csv",),
            annex_a=False,
            inject=len(names),
            mutations=names,
        ),
        tmp_path,
    )
    data = read_cin(tmp_path / "383" / year.key / f"cin_census_{year.key}.xml")
    errors = validate_return(data, year).errors
    flagged = {(r, c) for r, c in errors.select("rule_code", "child_id").iter_rows()}
    cin_injections = [i for i in result.injections if i.dataset == "cin"]
    assert len(cin_injections) == len(names)
    for injection in cin_injections:
        assert (injection.rule, injection.child_id) in flagged, injection


def test_no_rule_crashes_on_an_empty_census() -> None:
    year = CollectionYear(2026)
    result = validate_return(ReturnData("cin", year, {}, []), year)
    assert [o.code for o in result.outcomes if o.status == "could not run"] == []
