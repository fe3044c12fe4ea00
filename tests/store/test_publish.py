"""`csc store publish`: merged Parquet (Hive partitions) and CSV under a policy, open aggregates, --as-of."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.synth.generate import SynthResult
from tests.share.conftest import POLICIES
from tests.share.test_leaks import identifiers, input_returns, normal, output_cells

runner = CliRunner()
END = date(2026, 3, 31)


@pytest.fixture(scope="module")
def store(hub_returns: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "hub.duckdb"
    for la in ("383", "384"):
        folder = hub_returns / la / "2025_26"
        args = ["store", "add", str(path), str(folder / "ssda903"), str(folder / "cin_census_2025_26.xml")]
        result = runner.invoke(app, [*args, "--jobs", "1"])
        assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "hub.key"
    assert runner.invoke(app, ["share", "keygen", "-o", str(path)]).exit_code == 0
    return path


def publish(store: Path, key: Path, out: Path, policy: str, *extra: str) -> str:
    args = ["store", "publish", str(store), "--policy", policy, "--key-file", str(key), "-o", str(out), *extra]
    result = runner.invoke(app, args if "--jobs" in extra else [*args, "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return result.output


def test_merged_parquet_reads_with_duckdb_and_polars(store: Path, key: Path, tmp_path: Path, hub_returns: Path) -> None:
    out = tmp_path / "out"
    publish(store, key, out, "regional")
    episodes = out / "parquet" / "ssda903" / "Episodes"
    by_duckdb = duckdb.sql(
        f"SELECT authority, year, organisation_label, count(*) FROM read_parquet('{episodes}/**/*.parquet', "
        "hive_partitioning = true) GROUP BY ALL ORDER BY 1"
    ).fetchall()
    expected = [
        len(pl.read_csv(hub_returns / la / "2025_26" / "ssda903" / "ssda903_2025_26_episodes.csv", infer_schema=False))
        for la in ("383", "384")
    ]
    assert by_duckdb == [
        ("E08000035", "2025_26", "Leeds", expected[0]),
        ("E08000036", "2025_26", "Wakefield", expected[1]),
    ]
    by_polars = pl.scan_parquet(episodes / "**" / "*.parquet", hive_partitioning=True).collect()
    assert by_polars.height == sum(expected)
    assert {"organisation_code", "collection_year", "extract_date", "authority", "year"} <= set(by_polars.columns)
    merged_csv = pl.read_csv(out / "csv" / "ssda903_Episodes.csv", infer_schema=False)
    assert merged_csv.height == sum(expected)


def test_nothing_identifying_is_published(store: Path, key: Path, tmp_path: Path, hub_returns: Path) -> None:
    out = tmp_path / "out"
    publish(store, key, out, "regional")
    with duckdb.connect(str(store), read_only=True) as connection:
        ids = pl.DataFrame(
            connection.sql(
                "SELECT CHILD AS v FROM ssda903__Header UNION SELECT UPN FROM ssda903__Header "
                "UNION SELECT HOME_POST FROM ssda903__Episodes UNION SELECT PL_POST FROM ssda903__Episodes "
                "UNION SELECT LAchildID FROM cin__ChildIdentifiers UNION SELECT UPN FROM cin__ChildIdentifiers"
            )
        )["v"]
    identifiers = normal(ids).drop_nulls().unique()
    identifiers = identifiers.filter(identifiers.str.len_chars() >= 5).to_list()
    assert len(identifiers) > 300
    cells = output_cells(out)
    assert cells.len() > 10000
    assert int(cells.str.contains_any(identifiers).sum()) == 0


def looked_after_by_placement(episodes_csv: Path) -> dict[str, int]:
    """Children looked after on 31 March by placement type, counted from the CSV with the standard library."""
    latest: dict[str, tuple[date, str]] = {}
    with episodes_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            start = datetime.strptime(row["DECOM"], "%d/%m/%Y").date()
            end = datetime.strptime(row["DEC"], "%d/%m/%Y").date() if row["DEC"] else None
            if (
                start <= END
                and (end is None or end > END)
                and (row["CHILD"] not in latest or start > latest[row["CHILD"]][0])
            ):
                latest[row["CHILD"]] = (start, row["PLACE"])
    totals: dict[str, int] = {}
    for _, place in latest.values():
        totals[place] = totals.get(place, 0) + 1
    return totals


def test_open_aggregates_match_a_count_by_hand_and_hide_small_numbers(
    store: Path, key: Path, tmp_path: Path, hub_returns: Path
) -> None:
    out = tmp_path / "open"
    publish(store, key, out, "open")
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == [
        "aggregates.csv",
        "aggregates.parquet",
        "manifest.json",
    ]
    table = pl.read_parquet(out / "open" / "aggregates.parquet")
    assert table.columns[:4] == ["organisation_label", "organisation_code", "organisation_uri", "measure"]
    leeds = table.filter((pl.col("organisation_code") == "E08000035") & (pl.col("measure") == "cla_by_placement"))
    by_hand = looked_after_by_placement(hub_returns / "383" / "2025_26" / "ssda903" / "ssda903_2025_26_episodes.csv")
    for row in leeds.iter_rows(named=True):
        true = sum(by_hand.values()) if row["category"] == "Total" else by_hand.get(row["category"], 0)
        if row["status"]:
            assert row["value"] is None
        else:
            assert row["value"] == true and not 1 <= true <= 4
    assert leeds.filter(pl.col("status") != "").height >= 2  # 50 children over 29 placement types: some are small
    # every authority has the same rows
    rows = table.group_by("organisation_code").agg(pl.struct("measure", "category").sort().alias("cells"))
    assert rows["cells"][0].to_list() == rows["cells"][1].to_list()


def test_as_of_publishes_the_version_standing_then(store: Path, key: Path, tmp_path: Path, hub_returns: Path) -> None:
    with duckdb.connect(str(store), read_only=True) as connection:
        first = connection.execute("SELECT max(received_at) FROM submissions").fetchone()[0]  # type: ignore[index]
    result = runner.invoke(
        app, ["store", "add", str(store), str(hub_returns / "383" / "2025_26" / "ssda903"), "--jobs", "1"]
    )
    assert result.exit_code == 0 and "version 2" in result.output
    publish(store, key, tmp_path / "then", "open", "--as-of", first.isoformat())
    publish(store, key, tmp_path / "now", "open")
    versions = {
        name: sorted(s["version"] for s in json.loads((tmp_path / name / "manifest.json").read_text())["submissions"])
        for name in ("then", "now")
    }
    assert versions == {"then": [1, 1, 1, 1], "now": [1, 1, 1, 2]}
    args = ["store", "publish", str(store), "--policy", "open", "--key-file", str(key), "-o", str(tmp_path / "x")]
    result = runner.invoke(app, [*args, "--as-of", "2001-01-01"])
    assert result.exit_code == 2
    assert (
        result.output.strip() == "csc: the store held no accepted submission at 2001-01-01 23:59:59: nothing to publish"
    )
    # a day to come: the store cannot say how it will stand then, and nothing is written
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    for later in (tomorrow, "2999-01-01T00:00:00", "2999-01-01T00:00:00+05:00"):
        result = runner.invoke(app, [*args, "--as-of", later])
        assert result.exit_code == 2 and result.output.strip().startswith(f"csc: --as-of {later} is in the future")
        assert not (tmp_path / "x").exists()
    today = datetime.now(UTC).date().isoformat()
    assert runner.invoke(app, [*args, "--as-of", today]).exit_code == 0


def test_star_schema_placements_by_hand() -> None:
    from csctools.store.star import star_tables

    episodes = pl.DataFrame(
        {
            "CHILD": ["b", "a", "a", "a", "b"],
            "DECOM": [date(2025, 5, 1), date(2025, 4, 1), date(2025, 6, 1), date(2025, 9, 1), date(2025, 7, 1)],
            "RNE": ["S", "S", "L", "P", "L"],
            "PLACE": ["K2", "U1", "U1", "U4", "K2"],
            "DEC": [date(2025, 7, 1), date(2025, 6, 1), date(2025, 9, 1), None, None],
        }
    )
    header = pl.DataFrame({"CHILD": ["a", "b"], "SEX": ["F", "M"]})
    labels = [
        pl.lit("Somewhere").alias("organisation_label"),
        pl.lit("E1").alias("organisation_code"),
        pl.lit("2025/26").alias("collection_year"),
        pl.lit(date(2026, 6, 1)).alias("extract_date"),
    ]
    star = star_tables({"Header": header.with_columns(labels), "Episodes": episodes.with_columns(labels)})
    assert star["child"]["child_key"].to_list() == ["E1|2025/26|a", "E1|2025/26|b"]
    # a: S then L (same placement), then P (a new one); b: S then L (one placement)
    placements = star["placement"].select("child_key", "placement_start", "placement_end", "PLACE", "episodes")
    assert placements.rows() == [
        ("E1|2025/26|a", date(2025, 4, 1), date(2025, 9, 1), "U1", 2),
        ("E1|2025/26|a", date(2025, 9, 1), None, "U4", 1),
        ("E1|2025/26|b", date(2025, 5, 1), None, "K2", 2),
    ]
    assert star["episode"]["placement_key"].n_unique() == 3 and star["episode"].height == 5


@pytest.fixture(scope="module")
def every_return_store(synthetic: tuple[Path, SynthResult], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LA 383's two years of every return (903 CSV and XML, CIN XML) and its Annex A workbook, in one store."""
    path = tmp_path_factory.mktemp("every") / "hub.duckdb"
    result = runner.invoke(app, ["store", "add", str(path), str(synthetic[0] / "383"), "--la", "383", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "383 Leeds annex_a 2025/26: version 1" in result.output
    return path


@pytest.mark.parametrize("policy", POLICIES)
def test_no_identifier_of_any_return_is_published(
    policy: str, every_return_store: Path, synthetic: tuple[Path, SynthResult], key: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    publish(every_return_store, key, out, policy)
    ids = identifiers(input_returns(synthetic[0] / "383"))
    assert len(ids) > 1000
    cells = output_cells(out)
    assert cells.len() > (0 if policy == "open" else 5000)
    assert int(cells.str.contains_any(ids).sum()) == 0
    annex = sorted(p.name for p in (out / "csv").glob("annex_a_*.csv")) if (out / "csv").exists() else []
    # regional shares the identity columns of every list, sufficiency list 8 only, open no record (deny by default)
    assert len(annex) == {"regional": 11, "sufficiency": 1, "open": 0}[policy]
    if policy == "sufficiency":
        shared = pl.read_csv(out / "csv" / "annex_a_List8.csv", infer_schema=False)
        assert "Date of Last Health Assessment" not in shared.columns and "Date of Birth" in shared.columns
        assert set(shared["Date of Birth"]) <= {"under 1", "1-4", "5-9", "10-15", "16 and over"}


def test_publishing_in_worker_processes_writes_the_same_files(
    every_return_store: Path, key: Path, tmp_path: Path
) -> None:
    publish(every_return_store, key, tmp_path / "one", "regional", "--jobs", "1")
    publish(every_return_store, key, tmp_path / "two", "regional", "--jobs", "2")
    files = {
        name: {p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*") if p.is_file()}
        for name in ("one", "two")
    }
    assert files["one"].keys() == files["two"].keys() and len(files["one"]) > 50
    different = [path for path, content in files["one"].items() if files["two"][path] != content]
    assert different in ([], [Path("manifest.json")])  # its publication time only (the same within one second)
    manifests = [json.loads(files[name][Path("manifest.json")]) for name in ("one", "two")]
    assert [{k: v for k, v in m.items() if k != "published_at"} for m in manifests] == [
        {k: v for k, v in manifests[0].items() if k != "published_at"}
    ] * 2


def test_a_failed_leak_check_leaves_no_half_release(
    store: Path, key: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csctools.share.leaks import Leak
    from csctools.store import publish as publishing

    calls: list[str] = []

    def leaking(data: object, shared: object, policy: object) -> list[Leak]:
        calls.append("checked")  # the second batch leaks, after the first was written
        return [Leak("Episodes", "LS", 1, "an identifier of the input")] if len(calls) > 1 else []

    monkeypatch.setattr(publishing, "find_leaks", leaking)
    out = tmp_path / "release"
    args = ["store", "publish", str(store), "--policy", "regional", "--key-file", str(key), "-o", str(out)]
    result = runner.invoke(app, [*args, "--jobs", "1"])
    assert result.exit_code == 2 and "leak check failed" in result.output, result.output
    assert len(calls) > 1 and not out.exists() and list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    publish(store, key, out, "regional")  # a publish that passes is moved into place whole
    assert (out / "manifest.json").exists() and not any(p.name.startswith(".release") for p in tmp_path.iterdir())
