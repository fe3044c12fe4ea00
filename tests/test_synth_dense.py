"""`csc synth --dense SHARE`: every cell the mutations can break, in a share of each table's rows."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.datasets.ssda903.read import read_903
from csctools.synth.generate import SynthOptions, SynthResult, generate
from csctools.synth.inject import MUTATIONS, inject_dense
from csctools.validate.run import validate_return
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)
runner = CliRunner()


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthResult]:
    out = tmp_path_factory.mktemp("dense")
    options = SynthOptions(["383"], YEAR, YEAR, children=150, seed=9, formats=("csv",), annex_a=False, dense=0.5)
    return out, generate(options, out)


def test_a_small_table_by_hand() -> None:
    """Two Header rows and one Episodes row, every row chosen: each breakable cell of them broken once."""
    tables: dict[str, list[dict[str, str | None]]] = {
        "Header": [
            {"CHILD": "1", "SEX": "1", "DOB": "01/01/2010", "ETHNIC": "WBRI"},
            {"CHILD": "2", "SEX": "2", "DOB": "02/02/2012", "ETHNIC": "WBRI"},
        ],
        "Episodes": [
            {"CHILD": "1", "DECOM": "01/04/2025", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U1", "REC": None}
        ],
    }
    done = inject_dense(tables, "ssda903", 1.0, random.Random(1))
    assert tables["Header"][1] == {"CHILD": "2", "SEX": "X", "DOB": "31/02/2012", "ETHNIC": "ZZZZ"}
    assert tables["Episodes"][0] == {
        "CHILD": "1",
        "DECOM": "2024/13/45",
        "RNE": "Q",
        "LS": "X9",
        "CIN": "N9",
        "PLACE": "ZZ",
        "REC": None,  # no DEC, no REC: neither REC mutation is eligible; no REASON_PLACE_CHANGE to break
    }
    assert [(i.table, i.row_number, i.field) for i in done if i.child_id == "1" and i.table == "Header"] == [
        ("Header", 2, "SEX"),
        ("Header", 2, "DOB"),
        ("Header", 2, "ETHNIC"),
    ]
    assert len(done) == 6 + 5 and {i.original for i in done if i.field == "DOB"} == {"01/01/2010", "02/02/2012"}


def test_share_of_rows_with_every_eligible_cell(dense: tuple[Path, SynthResult]) -> None:
    out, result = dense
    data = read_903(sorted((out / "383" / YEAR.key / "ssda903").glob("*.csv")))
    mine = [i for i in result.injections if i.dataset == "ssda903"]
    header = data.tables["Header"]
    broken = {i.row_number for i in mine if i.table == "Header"}
    assert 0.35 < len(broken) / header.height < 0.65  # half of about 100 rows, drawn at random
    fields = {(i.row_number, i.field) for i in mine if i.table == "Header"}
    assert fields == {(row, f) for row in broken for f in ("SEX", "DOB", "ETHNIC")}  # always eligible: all three
    untouched = header.filter(~pl.col("_row").is_in(list(broken)))
    assert untouched.filter((pl.col("SEX") == "X") | pl.col("DOB_raw").is_not_null()).is_empty()
    assert header.filter(pl.col("_row").is_in(list(broken)))["SEX"].unique().to_list() == ["X"]
    assert {i.mutation for i in result.injections} == {m.name for m in MUTATIONS}


def test_injections_land_where_recorded_and_trip_their_rules(dense: tuple[Path, SynthResult]) -> None:
    out, result = dense
    folder = out / "383" / YEAR.key / "ssda903"
    data = read_903(sorted(folder.glob("*.csv")))
    with (out / "injections.csv").open() as handle:
        recorded = list(csv.DictReader(handle))
    assert len(recorded) == len(result.injections)
    assert recorded[0]["file"] == f"383/{YEAR.key}/ssda903/ssda903_{YEAR.key}_{recorded[0]['table'].lower()}.csv"
    errors = validate_return(data, YEAR).errors
    flagged = set(errors.select("rule_code", "table", "row_number").iter_rows())
    rows = {name: {r["_row"]: r for r in frame.to_dicts()} for name, frame in data.tables.items()}
    for injection in (i for i in result.injections if i.dataset == "ssda903"):
        row = rows[injection.table][injection.row_number]
        written = row.get(f"{injection.field}_raw") or row[injection.field]  # the text, where it did not parse
        assert row["CHILD"] == injection.child_id and injection.value in (written, str(written)), injection
        assert (injection.rule, injection.table, injection.row_number) in flagged, injection


def test_cli_refuses_a_share_out_of_range_or_both_ways(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--dense", "1.5", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "from 0 to 1" in result.output
    result = runner.invoke(app, ["synth", "--dense", "0.5", "--inject", "3", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "not both" in result.output
    assert not any(tmp_path.iterdir())
