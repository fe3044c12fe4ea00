"""`csc share keygen|pseudonymise`: outputs read again, pseudonyms stable under a key and linked, errors in one line."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.read import read_files
from csctools.share.policy import find_policy
from csctools.synth.generate import SynthResult

runner = CliRunner()


def rows_by_table(paths: list[Path]) -> dict[str, int]:
    returns, others = read_files(paths)
    assert not others and len(returns) == 1 and returns[0].ok, [p.describe() for r in returns for p in r.problems]
    return {name: frame.height for name, frame in returns[0].tables.items()}


def test_outputs_read_again_with_every_row(shared: dict[str, Path], synthetic: tuple[Path, SynthResult]) -> None:
    source, out = synthetic[0] / "383", shared["regional"]
    for year in ("2024_25", "2025_26"):
        original = rows_by_table(sorted((source / year / "ssda903").glob("*.csv")))
        assert rows_by_table(sorted((out / f"ssda903_{year}").glob("*.csv"))) == original
        assert not (out / f"ssda903_{year}.xml").exists()  # the same return as the CSV tables: shared once
        (shifted,), _ = read_files(sorted((out / f"ssda903_{year}").glob("*.csv")))
        assert shifted.year is not None and shifted.year.key == year  # shifted earlier: read back as its own year
        cin = rows_by_table([out / f"cin_census_{year}.xml"])
        assert cin == rows_by_table([source / year / f"cin_census_{year}.xml"])
    assert rows_by_table([out / "annex_a_2025_26.xlsx"]) == rows_by_table([source / "annex_a_2025_26.xlsx"])
    assert sorted(p.name for p in (out / "parquet" / "ssda903" / "2025_26").iterdir()) == sorted(
        f"{name}.parquet" for name in original
    )  # one file per table: a hub reading the folder counts each child once
    # Parquet holds only the columns the policy shares, typed
    policy = find_policy("regional")
    episodes = pl.read_parquet(out / "parquet" / "ssda903" / "2025_26" / "Episodes.parquet")
    assert episodes.columns == [c for c, t in policy.columns[("ssda903", "Episodes")].items() if t.name != "drop"]
    assert episodes.schema["DECOM"] == pl.Date
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["policy"] == "regional" and len(manifest["key_id"]) == 12


def test_pseudonyms_link_years_and_change_with_the_key(
    shared: dict[str, Path], synthetic: tuple[Path, SynthResult], hub_key: Path, tmp_path: Path
) -> None:
    source, out = synthetic[0] / "383", shared["regional"]

    def children(folder: Path, year: str) -> set[str]:
        return set(pl.read_csv(folder / f"ssda903_{year}" / f"ssda903_{year}_header.csv", infer_schema=False)["CHILD"])

    def input_children(year: str) -> set[str]:
        return set(pl.read_csv(source / year / "ssda903" / f"ssda903_{year}_header.csv", infer_schema=False)["CHILD"])

    both_years = input_children("2024_25") & input_children("2025_26")
    assert len(both_years) > 50
    assert len(children(out, "2024_25") & children(out, "2025_26")) == len(both_years)
    # run again with the same key: the same bytes; with another key: no pseudonym in common
    again, other_key = tmp_path / "again", tmp_path / "other.key"
    assert runner.invoke(app, ["share", "keygen", "-o", str(other_key)]).exit_code == 0
    folder = str(source / "2025_26" / "ssda903")
    for key, target in ((hub_key, again), (other_key, tmp_path / "other")):
        args = ["share", "pseudonymise", folder, "--policy", "regional", "--key-file", str(key), "-o", str(target)]
        assert runner.invoke(app, args).exit_code == 0
    name = "ssda903_2025_26/ssda903_2025_26_episodes.csv"
    assert (again / name).read_bytes() == (out / name).read_bytes()
    assert not children(tmp_path / "other", "2025_26") & children(out, "2025_26")


def test_a_upn_links_a_child_across_returns(synthetic: tuple[Path, SynthResult], hub_key: Path, tmp_path: Path) -> None:
    """The same UPN in the 903 of one authority and the CIN census of another gives the same pseudonym."""
    source = synthetic[0] / "383" / "2025_26"
    upn = pl.read_csv(source / "ssda903" / "ssda903_2025_26_header.csv", infer_schema=False)["UPN"].drop_nulls()[0]
    cin = (source / "cin_census_2025_26.xml").read_text(encoding="utf-8")
    first = cin.index("<UPN>")
    moved = tmp_path / "cin_census_2025_26.xml"
    moved.write_text(cin[:first] + f"<UPN>{upn.lower()}</UPN>" + cin[cin.index("</UPN>", first) + 6 :], "utf-8")
    out = tmp_path / "out"
    args = [str(source / "ssda903"), str(moved), "--policy", "regional", "--key-file", str(hub_key), "-o", str(out)]
    assert runner.invoke(app, ["share", "pseudonymise", *args]).exit_code == 0
    header = pl.read_parquet(out / "parquet" / "ssda903" / "2025_26" / "Header.parquet")
    identifiers = pl.read_parquet(out / "parquet" / "cin" / "2025_26" / "ChildIdentifiers.parquet")
    assert len(set(header["UPN"]) & set(identifiers["UPN"].drop_nulls())) == 1


def test_keygen_makes_a_private_key_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "hub.key"
    assert runner.invoke(app, ["share", "keygen", "-o", str(path)]).exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(path.read_text().strip())) == 32
    before = path.read_bytes()
    result = runner.invoke(app, ["share", "keygen", "-o", str(path)])
    assert result.exit_code == 2 and "already exists" in result.output and path.read_bytes() == before


def test_bad_inputs_stop_with_one_line(synthetic: tuple[Path, SynthResult], hub_key: Path, tmp_path: Path) -> None:
    folder = str(synthetic[0] / "383" / "2025_26" / "ssda903")
    bad_key = tmp_path / "bad.key"
    bad_key.write_text("not a key\n")
    cases = {
        "not a csctools key": [folder, "--key-file", str(bad_key), "-o", str(tmp_path / "a")],
        "is not an empty folder": [folder, "--key-file", str(hub_key), "-o", str(synthetic[0])],
        "not-a-file.csv: cannot open the file": [str(tmp_path / "not-a-file.csv"), "--key-file", str(hub_key)],
    }
    for expected, args in cases.items():
        if "-o" not in args:
            args = [*args, "-o", str(tmp_path / "b")]
        result = runner.invoke(app, ["share", "pseudonymise", *args, "--policy", "regional"])
        assert result.exit_code == 2, result.output
        assert len(result.output.strip().splitlines()) == 1 and expected in result.output


def test_open_policy_shares_no_record(shared: dict[str, Path]) -> None:
    written = sorted(p.name for p in shared["open"].rglob("*") if p.is_file())
    assert written == ["manifest.json"]
