"""The `csc` command: exit codes, one-line messages for user mistakes, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csctools.cli.main import app

runner = CliRunner()


def test_synth_then_inspect(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "synth",
            "--out",
            str(out),
            "--children",
            "60",
            "--from",
            "2025/26",
            "--to",
            "2025/26",
            "--inject",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Leeds (383)" in result.output and (out / "injections.csv").exists()
    inspected = runner.invoke(app, ["inspect", str(out / "383"), "--json"])
    assert inspected.exit_code == 0, inspected.output
    reports = json.loads(inspected.output)
    assert {r["dataset"] for r in reports} == {"ssda903", "cin", "annex_a", "ofsted_providers"}
    assert all(r["problems"] == [] for r in reports)


def test_inspect_reports_structural_problems_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "episodes.csv"
    bad.write_text("CHILD;DECOM;RNE\n1;01/01/2025;S\n")
    result = runner.invoke(app, ["inspect", str(bad)])
    assert result.exit_code == 2
    assert "separated by semicolons" in result.output
    assert "Traceback" not in result.output


def test_inspect_unrecognised_file(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    result = runner.invoke(app, ["inspect", str(other)])
    assert result.exit_code == 2 and "not an SSDA903 table" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["synth", "--la", "999999"], "not an English local authority"),
        (["synth", "--la", "909"], "no longer exists"),
        (["synth", "--from", "2025/27"], "not a collection year"),
        (["synth", "--from", "2026/27", "--to", "2024/25"], "is after"),
        (["synth", "--format", "json"], "unknown --format"),
        (["synth", "--mutation", "nonsense"], "unknown --mutation"),
        (["inspect", "/no/such/folder/file.csv"], "cannot open the file"),
    ],
)
def test_user_mistakes_give_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, *(["--out", str(tmp_path)] if args[0] == "synth" else [])])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)


def test_synth_with_children_says_how_rates_compare_with_the_authoritys_own(tmp_path: Path) -> None:
    from csctools.reference.authorities import find_authority
    from csctools.synth.generate import authority_size

    own = authority_size(find_authority("383")).care  # Leeds, sized from LAIT's children looked after
    args = ["synth", "--la", "383", "--from", "2025/26", "--to", "2025/26", "--no-cin", "--no-annex-a"]
    small = runner.invoke(app, [*args, "--children", "50", "-o", str(tmp_path / "small")])
    assert small.exit_code == 0, small.output
    assert f"Leeds's own returns hold about {own:,}" in small.output
    assert f"about {50 / own:.2g} times its real ones" in small.output
    sized = runner.invoke(app, [*args, "--children", str(own), "-o", str(tmp_path / "sized")])
    assert sized.exit_code == 0 and "times its real ones" not in sized.output  # the authority's own size: no note


def test_the_scale_of_synthetic_rates_is_never_in_exponent_form() -> None:
    from csctools.cli.synth import _times

    shown = [_times(r) for r in (0.071, 0.18, 1.5, 12.4, 200.0, 1234.0)]
    assert shown == ["0.071", "0.18", "1.5", "12", "200", "1,234"]
