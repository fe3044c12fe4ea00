"""`csc store add` validates at the door with last year's return from the store and with local packs, as
`csc validate --previous ... --pack ...` does from the files, and records which were used."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear
from tests.packs.packs_helpers import write_pack

runner = CliRunner()
KEY = ["rule_code", "table", "row_number", "child_id", "field"]
BOTH_YEARS = """\
- code: T-BOTH01
  message: the child is in last year's header too
  tables: [Header, prev_Header]
  fields: [CHILD]
  query: |
    SELECT h._row, h.CHILD FROM Header h JOIN prev_Header p USING (CHILD)
"""


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("door")
    options = SynthOptions(
        ["383"], CollectionYear(2025), CollectionYear(2026), children=60, seed=5, formats=("csv",), annex_a=False
    )
    generate(options, out)
    return out / "383"


def submissions(store: Path) -> pl.DataFrame:
    with duckdb.connect(str(store), read_only=True) as connection:
        return pl.DataFrame(
            connection.sql(
                "SELECT submission_id, dataset, year, version, previous_submission, packs, outcomes FROM submissions "
                "ORDER BY submission_id"
            )
        )


def store_errors(store: Path, submission_id: int) -> pl.DataFrame:
    with duckdb.connect(str(store), read_only=True) as connection:
        rows = pl.DataFrame(connection.sql(f"SELECT * FROM errors WHERE submission_id = {submission_id}"))
    return rows.rename({"table_name": "table"}).select(KEY).sort(KEY)


def validated_from_files(args: list[str], report: Path) -> pl.DataFrame:
    result = runner.invoke(app, ["validate", "903", *args, "--la", "383", "-o", str(report)])
    assert result.exit_code in (0, 1), result.output
    return pl.read_csv(report, infer_schema=False).select(KEY).cast({"row_number": pl.Int64}).sort(KEY)


def test_one_add_of_two_years_validates_the_second_with_the_first(two_years: Path, tmp_path: Path) -> None:
    store = tmp_path / "hub.duckdb"
    # this year given first: the add takes the returns in path order, so last year's is kept before this year's
    result = runner.invoke(app, ["store", "add", str(store), str(two_years / "2025_26"), str(two_years / "2024_25")])
    assert result.exit_code == 0, result.output
    rows = submissions(store)
    by_year = {(r["dataset"], r["year"]): r for r in rows.iter_rows(named=True)}
    last, this = by_year[("ssda903", 2025)], by_year[("ssda903", 2026)]
    assert last["previous_submission"] is None and this["previous_submission"] == last["submission_id"]
    assert by_year[("cin", 2026)]["previous_submission"] == by_year[("cin", 2025)]["submission_id"]
    assert f"with last year's #{last['submission_id']}" in result.output
    # the same error rows as csc validate given both years' files
    files = validated_from_files(
        [str(two_years / "2025_26" / "ssda903"), "--previous", str(two_years / "2024_25" / "ssda903")],
        tmp_path / "with.csv",
    )
    alone = validated_from_files([str(two_years / "2025_26" / "ssda903")], tmp_path / "alone.csv")
    kept = store_errors(store, this["submission_id"])
    assert kept.equals(files)
    assert not files.equals(alone)  # last year's return changes the result, so the check above means something
    assert json.loads(this["outcomes"]).get("not run", 0) < json.loads(last["outcomes"]).get("not run", 0)


def test_later_add_and_packs_are_recorded(two_years: Path, tmp_path: Path) -> None:
    store = tmp_path / "hub.duckdb"
    pack = write_pack(tmp_path / "pack", BOTH_YEARS, name="hub-checks")
    assert runner.invoke(app, ["store", "add", str(store), str(two_years / "2024_25" / "ssda903")]).exit_code == 0
    result = runner.invoke(
        app, ["store", "add", str(store), str(two_years / "2025_26" / "ssda903"), "--pack", str(pack), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    first, second = submissions(store).iter_rows(named=True)
    assert second["previous_submission"] == first["submission_id"]
    assert [p.split(" ")[0] for p in json.loads(first["packs"])] == ["dfe-ssda903"]
    assert [p.split(" ")[0] for p in json.loads(second["packs"])] == ["dfe-ssda903", "hub-checks"]
    # the pack's rule ran against last year's header: one row per child in both years' headers, worked out here
    headers = [
        set(pl.read_csv(two_years / year / "ssda903" / f"ssda903_{year}_header.csv", infer_schema=False)["CHILD"])
        for year in ("2024_25", "2025_26")
    ]
    kept = store_errors(store, second["submission_id"])
    flagged = kept.filter(pl.col("rule_code") == "T-BOTH01")
    assert set(flagged["child_id"]) == headers[0] & headers[1] and flagged.height == len(headers[0] & headers[1]) > 0
    # last year's return read back from the store gives the DfE rules the same result as its files do
    files = validated_from_files(
        [str(two_years / "2025_26" / "ssda903"), "--previous", str(two_years / "2024_25" / "ssda903")],
        tmp_path / "with.csv",
    )
    assert kept.filter(pl.col("rule_code") != "T-BOTH01").equals(files)


def test_a_bad_pack_stops_before_the_store_is_opened(two_years: Path, tmp_path: Path) -> None:
    store = tmp_path / "hub.duckdb"
    pack = write_pack(tmp_path / "pack", "- code: T-X\n  message: m\n  tables: Header\n  condition: NOPE(\n")
    result = runner.invoke(app, ["store", "add", str(store), str(two_years / "2025_26"), "--pack", str(pack)])
    assert result.exit_code == 2 and result.output.startswith("csc: pack ") and result.output.count("\n") == 1
    assert not store.exists()


def test_last_year_kept_by_the_worker_validates_as_sent_to_it(
    two_years: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Last year's return of the same add, validated a few checks before by the same worker, is not sent to it
    again (it keeps the tables): the store holds the same error rows and links as when the tables are sent."""
    import csctools.store.pipeline as pipeline
    from csctools.store.intake import HeldLastYear, LastYear

    given: list[type] = []
    check_held = pipeline.check_held

    def spied(token: int, previous: LastYear | HeldLastYear | None, packs: tuple[str, ...]):  # type: ignore[no-untyped-def]
        given.append(type(previous))
        return check_held(token, previous, packs)

    monkeypatch.setattr(pipeline, "check_held", spied)
    stores = {}
    default = pipeline.KEPT_IN_WORKER
    for kept in (default, 0):  # 0: the worker keeps nothing, last year's tables are sent
        monkeypatch.setattr(pipeline, "KEPT_IN_WORKER", kept)
        stores[kept] = tmp_path / f"kept-{kept}.duckdb"
        result = runner.invoke(app, ["store", "add", str(stores[kept]), str(two_years), "--jobs", "1"])
        assert result.exit_code == 0, result.output
    assert given.count(HeldLastYear) == 2 and given.count(LastYear) == 2  # 903 and CIN, each way
    held, sent = (submissions(stores[k]) for k in (default, 0))
    assert held.equals(sent) and held["previous_submission"].drop_nulls().len() == 2
    for submission_id in held["submission_id"]:
        assert store_errors(stores[default], submission_id).equals(store_errors(stores[0], submission_id))
