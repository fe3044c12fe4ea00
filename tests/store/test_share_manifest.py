"""What `csc store add` tells from the files it is given. A folder `csc share pseudonymise` wrote holds no folder
name or header naming the authority of an SSDA903 return: the store takes it from the manifest, where pseudonymise
wrote it from the input's folders. An SSDA903 XML beside the return's CSV tables is the same return, kept once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

runner = CliRunner()


def _pseudonymised(tmp_path: Path) -> Path:
    options = SynthOptions(
        ["383"], CollectionYear(2025), CollectionYear(2026), children=40, seed=2, formats=("csv",), annex_a=False
    )
    generate(options, tmp_path / "in")
    key, out = tmp_path / "hub.key", tmp_path / "shared"
    assert runner.invoke(app, ["share", "keygen", "-o", str(key)]).exit_code == 0
    tables = sorted((tmp_path / "in" / "383" / "2025_26" / "ssda903").glob("*.csv"))
    args = ["share", "pseudonymise", *map(str, tables), "--policy", "regional", "--key-file", str(key), "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


def test_the_manifest_names_the_authority_and_the_store_takes_it(tmp_path: Path) -> None:
    out = _pseudonymised(tmp_path)
    entries = json.loads((out / "manifest.json").read_text())["returns"]
    assert [e["authority"] for e in entries] == [{"number": "383", "name": "Leeds"}]
    tables = sorted(out.glob("ssda903*/*.csv"))
    assert tables and all(str(p.relative_to(out)) in entries[0]["files"] for p in tables)
    added = runner.invoke(app, ["store", "add", str(tmp_path / "hub.duckdb"), *map(str, tables)])
    assert added.exit_code in (0, 1), added.output
    assert "383 Leeds ssda903 2025/26" in added.output and "from the share manifest" in added.output


def test_without_a_manifest_the_authority_must_be_given(tmp_path: Path) -> None:
    out = _pseudonymised(tmp_path)
    (out / "manifest.json").unlink()
    tables = sorted(out.glob("ssda903*/*.csv"))
    added = runner.invoke(app, ["store", "add", str(tmp_path / "hub.duckdb"), *map(str, tables)])
    assert "the authority cannot be told: give --la" in added.output


def test_a_manifest_that_is_not_json_is_no_authority(tmp_path: Path) -> None:
    out = _pseudonymised(tmp_path)
    (out / "manifest.json").write_text("{not json")
    tables = sorted(out.glob("ssda903*/*.csv"))
    added = runner.invoke(app, ["store", "add", str(tmp_path / "hub.duckdb"), *map(str, tables)])
    assert "the authority cannot be told: give --la" in added.output and "Traceback" not in added.output


def test_a_903_xml_beside_its_csv_tables_is_kept_once(tmp_path: Path) -> None:
    # csc synth writes YEAR/ssda903_YEAR.xml beside YEAR/ssda903/*.csv: one return, which the store keeps once
    options = SynthOptions(
        ["383"], CollectionYear(2026), CollectionYear(2026), children=30, seed=4, formats=("csv", "xml"), annex_a=False
    )
    generate(options, tmp_path / "in")
    year = tmp_path / "in" / "383" / "2025_26"
    added = runner.invoke(app, ["store", "add", str(tmp_path / "hub.duckdb"), str(year)])
    assert added.exit_code in (0, 1), added.output
    twin = year / "ssda903_2025_26.xml"
    assert f"skipped: {twin} (the same SSDA903 return as the CSV tables beside it" in added.output
    assert added.output.count("ssda903 2025/26: version") == 1 and "version 2" not in added.output
    alone = runner.invoke(app, ["store", "add", str(tmp_path / "xml.duckdb"), str(year / "ssda903_2025_26.xml")])
    assert "skipped" not in alone.output and "ssda903 2025/26: version 1" in alone.output  # alone, it is the return
    # beside a CSV that is no SSDA903 table, or beside another year's tables, the XML is a return of its own
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "providers.csv").write_text("URN,Name\n1,Home\n")
    shutil.copy(twin, stray / twin.name)
    other_year = tmp_path / "other-year"
    shutil.copytree(year / "ssda903", other_year)
    shutil.copy(twin, other_year / "ssda903_2024_25.xml")  # named as last year's return
    for folder in (stray, other_year):
        added = runner.invoke(
            app, ["store", "add", str(tmp_path / f"{folder.name}.duckdb"), str(folder), "--la", "383"]
        )
        assert "skipped" not in added.output, added.output


def test_a_folder_name_naming_another_authority_than_the_manifest_is_said(tmp_path: Path) -> None:
    out = _pseudonymised(tmp_path)
    moved = tmp_path / "384" / "shared"  # kept under Wakefield's folder: the folder wins, and says the manifest
    moved.parent.mkdir()
    shutil.move(str(out), str(moved))
    tables = sorted(moved.glob("ssda903*/*.csv"))
    added = runner.invoke(app, ["store", "add", str(tmp_path / "hub.duckdb"), *map(str, tables)])
    assert "384 Wakefield ssda903 2025/26" in added.output
    assert "(authority from the folder name, though the share manifest says Leeds (383))" in added.output
