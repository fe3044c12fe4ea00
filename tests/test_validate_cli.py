"""`csc validate` and `csc rules`: exit codes, reports, rule outcomes."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

runner = CliRunner()
YEAR = CollectionYear(2026)


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("validate")
    generate(
        SynthOptions(["383"], YEAR.previous(), YEAR, children=120, seed=4, formats=("csv",), annex_a=False, cin=False),
        out / "clean",
    )
    generate(
        SynthOptions(["383"], YEAR, YEAR, children=120, seed=4, formats=("csv",), annex_a=False, cin=False, inject=12),
        out / "errors",
    )
    return out


def test_clean_return_exits_0(returns: Path, tmp_path: Path) -> None:
    folder = returns / "clean" / "383"
    result = runner.invoke(
        app,
        [
            "validate",
            "903",
            str(folder / "2025_26" / "ssda903"),
            "--previous",
            str(folder / "2024_25" / "ssda903"),
            "--la",
            "383",
            "-o",
            str(tmp_path / "r.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "no errors" in result.output
    with (tmp_path / "r.csv").open() as handle:
        assert all(row["severity"] == "query" for row in csv.DictReader(handle))


def test_errors_exit_1_with_every_report(returns: Path, tmp_path: Path) -> None:
    folder = returns / "errors" / "383" / "2025_26" / "ssda903"
    outputs = [tmp_path / f"report.{ext}" for ext in ("csv", "json", "xlsx", "html")]
    args = ["validate", "903", str(folder), "--la", "383"] + [a for p in outputs for a in ("-o", str(p))]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    injected = list(csv.DictReader((returns / "errors" / "injections.csv").open()))
    with outputs[0].open() as handle:
        rows = list(csv.DictReader(handle))
    assert set(rows[0]) >= {"rule_code", "severity", "table", "row_number", "child_id", "field", "value", "message"}
    flagged = {(r["rule_code"], r["table"], r["row_number"]) for r in rows}
    for item in injected:
        assert (item["rule"], item["table"], item["row_number"]) in flagged, item
    document = json.loads(outputs[1].read_text())
    assert document["errors"] and {r["status"] for r in document["rules"]} >= {"passed", "failed", "not run"}
    book = CalamineWorkbook.from_path(str(outputs[2]))
    assert book.sheet_names[0] == "Summary" and "Episodes" in book.sheet_names
    summary = book.get_sheet_by_name("Summary").to_python()
    assert any(row[1] == "not implemented" for row in summary[3:])
    html = re.sub(r' xmlns(:xlink)?="http://www.w3.org/[0-9/a-z]+"', "", outputs[3].read_text())  # SVG names
    assert "<script" not in html and "http://" not in html and "https://" not in html  # opens offline, no script
    assert injected[0]["child_id"] in html


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "episodes.csv"
    bad.write_text("CHILD;DECOM\n1;01/01/2025\n")
    result = runner.invoke(app, ["validate", "903", str(bad), "--year", "2025/26"])
    assert result.exit_code == 2
    assert "nothing was validated" in result.output or "semicolons" in result.output
    assert "Traceback" not in result.output


def test_wrong_return_and_bad_output(returns: Path, tmp_path: Path) -> None:
    folder = returns / "clean" / "383" / "2025_26" / "ssda903"
    result = runner.invoke(app, ["validate", "cin", str(folder)])
    assert result.exit_code == 2 and "no CIN census return among the files given" in result.output
    result = runner.invoke(app, ["validate", "903", str(folder), "-o", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2 and "unknown report format" in result.output


def test_rules_list_and_explain() -> None:
    listed = runner.invoke(app, ["rules", "list", "--year", "2025/26"])
    assert listed.exit_code == 0
    header, *lines = [line.split("\t") for line in listed.output.strip().splitlines()]
    assert header == ["code", "severity", "state", "years", "message", "pack"]
    assert {line[2] for line in lines} == {"implemented", "not implemented"}
    assert len(lines) == 316
    explained = runner.invoke(app, ["rules", "explain", "142"])
    assert explained.exit_code == 0 and "previous episode has not ended" in explained.output
    assert "implemented" in explained.output
    missing = runner.invoke(app, ["rules", "explain", "99999"])
    assert missing.exit_code == 2


def test_cin_census_with_errors_names_the_authority_from_its_header(tmp_path: Path) -> None:
    generate(SynthOptions(["201"], YEAR, YEAR, children=80, seed=6, annex_a=False, inject=8), tmp_path / "cin")
    census = tmp_path / "cin" / "201" / "2025_26" / "cin_census_2025_26.xml"
    report = tmp_path / "cin-errors.csv"
    result = runner.invoke(app, ["validate", "cin", str(census), "-o", str(report)])
    assert result.exit_code == 1, result.output
    assert "authority: City of London (201), from the census header" in result.output
    with report.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["authority"] == "201" and r["year"] == "2025/26" for r in rows)
    assert all(int(r["row_number"]) > 1 for r in rows if r["child_id"])


def test_failed_rules_line_up_when_a_packs_codes_are_long(capsys: pytest.CaptureFixture[str]) -> None:
    import polars as pl

    from csctools.cli.validate import echo_failed_rules
    from csctools.validate.engine import FAILED, QUERIED, Outcome, ValidationResult
    from csctools.years import CollectionYear

    outcomes = [
        Outcome("101", FAILED, 2, message="sex not valid"),
        Outcome("PC-K2REVIEW", QUERIED, 12, message="no review", severity="query", pack="placement-checks"),
    ]
    echo_failed_rules(ValidationResult("ssda903", CollectionYear(2026), None, pl.DataFrame(), outcomes))
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["  101" + " " * 13 + "2 errors  sex not valid", "  PC-K2REVIEW   12 queries  no review"]
