"""The clean synthetic 903 return raises no errors in any year; each injected error trips its rule."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from csctools.datasets.ssda903.read import read_903
from csctools.reference.authorities import find_authority
from csctools.reference.providers import read_providers
from csctools.synth.generate import SynthOptions, generate
from csctools.synth.inject import MUTATIONS
from csctools.validate.registry import REGISTRY
from csctools.validate.run import load_rules, validate_return
from csctools.years import CollectionYear


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean903")
    generate(
        SynthOptions(
            ["383", "201"],
            CollectionYear(2023),
            CollectionYear(2027),
            children=250,
            seed=11,
            formats=("csv",),
            annex_a=False,
            cin=False,
        ),
        out,
    )
    return out


@pytest.mark.parametrize("end", [2023, 2024, 2025, 2026, 2027])
@pytest.mark.parametrize("la", ["383", "201"])
def test_clean_return_has_no_errors(returns: Path, end: int, la: str) -> None:
    year = CollectionYear(end)
    folder = returns / la / year.key / "ssda903"
    data = read_903(sorted(folder.glob("*.csv")))
    previous_folder = returns / la / year.previous().key / "ssda903"
    previous = read_903(sorted(previous_folder.glob("*.csv"))) if previous_folder.exists() else None
    providers = read_providers(returns / la / "ofsted_providers.xlsx")
    result = validate_return(data, year, find_authority(la), previous, providers)
    unexpected = [
        o
        for o in result.outcomes
        if o.status == "could not run"
        or (o.status == "not run" and (previous is not None or "last year" not in o.reason))
    ]
    assert unexpected == []
    errors = result.errors.filter(pl.col("severity") == "error")
    summary = errors.group_by("rule_code").len().sort("rule_code").rows()
    assert errors.is_empty(), summary


def test_each_injected_error_trips_its_rule(tmp_path: Path) -> None:
    load_rules("ssda903")
    names = [m.name for m in MUTATIONS if m.dataset == "ssda903" and REGISTRY.get("ssda903", m.rule)]
    year = CollectionYear(2026)
    result = generate(
        SynthOptions(
            ["383"],
            year,
            year,
            children=200,
            seed=5,
            formats=("csv",),
            annex_a=False,
            cin=False,
            inject=len(names),
            mutations=names,
        ),
        tmp_path,
    )
    data = read_903(sorted((tmp_path / "383" / year.key / "ssda903").glob("*.csv")))
    errors = validate_return(data, year).errors
    flagged = {(r, t, n) for r, t, n in errors.select("rule_code", "table", "row_number").iter_rows()}
    assert len(result.injections) == len(names)
    for injection in result.injections:
        assert (injection.rule, injection.table, injection.row_number) in flagged, injection


def test_no_rule_crashes_on_odd_data(tmp_path: Path) -> None:
    """Every rule runs (passes or fails) on empty tables, on injected errors and on 29 February birthdays."""
    from csctools.io.result import ReturnData
    from tests.rules.build903 import O3, E, H
    from tests.rules.harness import typed

    year = CollectionYear(2026)
    odd = typed(
        "ssda903",
        {
            "Header": [H(DOB="29/02/2008")],
            "Episodes": [E(DECOM="29/02/2024", DEC="31/03/2025", REC="E5")],
            "OC3": [O3(DOB="29/02/2008")],
        },
    )
    empty = ReturnData("ssda903", year, {}, [])
    generate(
        SynthOptions(["383"], year, year, children=150, seed=8, formats=("csv",), annex_a=False, cin=False, inject=60),
        tmp_path,
    )
    injected = read_903(sorted((tmp_path / "383" / year.key / "ssda903").glob("*.csv")))
    for data in (ReturnData("ssda903", year, odd, []), empty, injected):
        result = validate_return(data, year, find_authority("383"), data)
        crashed = [(o.code, o.reason) for o in result.outcomes if o.status == "could not run"]
        assert crashed == []
