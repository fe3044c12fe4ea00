"""A malformed pack stops `csc validate` with one line naming pack file, line and rule (exit 2) before any
validation runs; SQL that tries to reach files is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.packs.files import PackError
from csctools.packs.registry import load
from tests.packs.packs_helpers import write_pack

runner = CliRunner()

GOOD = """\
- code: T-OK01
  message: fine
  tables: Episodes
  condition: PLACE IS NULL
"""


def rule(extra: str, condition: str = "condition: PLACE IS NULL", code: str = "T-BAD01") -> str:
    return GOOD + f"- code: {code}\n  message: bad\n  tables: Episodes\n  {condition}\n" + extra


MALFORMED = {
    "yaml error": (GOOD + "- code: T-BAD01\n  message: [unclosed\n", "rules/rules.yaml line 7: not valid YAML"),
    "unknown key": (rule("  severty: query\n"), 'rules/rules.yaml line 5: unknown key "severty" in rule T-BAD01'),
    "sql syntax error": (
        rule("", "condition: PLACE IS NULL AND AND"),
        "rules/rules.yaml line 8: rule T-BAD01: in 2022/23: Parser Error: syntax error",
    ),
    "unknown column": (
        rule("", "condition: PLACEMENT = 'U1'"),
        'rules/rules.yaml line 8: rule T-BAD01: in 2022/23: Binder Error: Referenced column "PLACEMENT" not found',
    ),
    "unknown table": (
        rule("", "query: SELECT _row FROM Placements"),
        'rules/rules.yaml line 5: rule T-BAD01: the SQL reads "Placements", which is not a table',
    ),
    "unknown field": (
        rule("  fields: [PLACE, POSTCODE]\n"),
        'rules/rules.yaml line 5: rule T-BAD01: unknown field "POSTCODE" in Episodes',
    ),
    "condition not true/false": (
        rule("", "condition: PLACE"),
        "rules/rules.yaml line 8: rule T-BAD01: in 2022/23: the condition gives VARCHAR, not true/false",
    ),
    "query without _row": (
        rule("", "query: SELECT CHILD FROM Episodes"),
        "rules/rules.yaml line 8: rule T-BAD01: in 2022/23: the query must return _row",
    ),
    "DfE code": (
        rule("", code='"101"'),
        "rules/rules.yaml line 5: rule 101: the code clashes with DfE ssda903 rule 101",
    ),
    "code not namespaced": (rule("", code="MYRULE"), "rules/rules.yaml line 5: rule MYRULE: a local code is a prefix"),
    "code twice in a pack": (rule("", code="T-OK01"), "rules/rules.yaml line 5: rule T-OK01: the code is used twice"),
    "a column a year lacks": (
        rule("  years: [2022/23]\n", "condition: SW_REASON IS NULL"),
        'rules/rules.yaml line 8: rule T-BAD01: in 2022/23: Binder Error: Referenced column "SW_REASON"',
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_pack_is_one_line_naming_file_line_and_rule(tmp_path: Path, case: str) -> None:
    rules, expected = MALFORMED[case]
    pack = write_pack(tmp_path / "pack", rules)
    with pytest.raises(PackError) as raised:
        load([pack])
    assert str(raised.value).startswith(f"{pack}: {expected}"), str(raised.value)
    assert "\n" not in str(raised.value)


def test_cli_stops_with_exit_2_before_reading_any_file(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack", rule("", "query: SELECT _row FROM Placements"))
    # the return does not exist: the pack is read first, so its message is the one given
    result = runner.invoke(app, ["validate", "903", str(tmp_path / "absent"), "--pack", str(pack)])
    assert result.exit_code == 2
    expected = f'csc: pack {pack}: rules/rules.yaml line 5: rule T-BAD01: the SQL reads "Placements"'
    assert result.output.startswith(expected), result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1


def test_cli_checks_the_sql_against_the_year_before_any_rule_runs(tmp_path: Path, year_folder: Path) -> None:
    pack = write_pack(tmp_path / "pack", rule("", "condition: PLACEMENT = 'U1'"))
    result = runner.invoke(app, ["validate", "903", str(year_folder / "ssda903"), "--pack", str(pack)])
    assert result.exit_code == 2
    expected = f"csc: pack {pack}: rules/rules.yaml line 8: rule T-BAD01: in 2025/26: Binder Error"
    assert result.output.startswith(expected), result.output
    assert "packs:" not in result.output  # stopped before the validation


def test_codes_clashing_between_packs_are_refused(tmp_path: Path) -> None:
    first = write_pack(tmp_path / "a", GOOD, name="pack-a")
    second = write_pack(tmp_path / "b", GOOD, name="pack-b")
    with pytest.raises(PackError, match="rule T-OK01: the code clashes with a rule of the pack pack-a"):
        load([first, second])


@pytest.mark.parametrize(
    "sql",
    [
        "condition: CHILD IN (SELECT * FROM read_csv('{secret}'))",
        "query: SELECT _row FROM read_csv('{secret}')",
        "query: SELECT * FROM '{secret}'",
        "query: SELECT _row FROM read_text('{secret}')",
        "query: COPY (SELECT * FROM Episodes) TO '{out}'",
        "condition: true; COPY (SELECT * FROM Episodes) TO '{out}'",
        "query: ATTACH '{out}' AS other",
        "query: INSTALL httpfs",
    ],
)
def test_sql_reaching_files_is_refused(tmp_path: Path, sql: str) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("_row\n1\n")
    out = tmp_path / "out.csv"
    pack = write_pack(tmp_path / "pack", rule("", sql.format(secret=secret, out=out)))
    with pytest.raises(PackError, match="rule T-BAD01"):
        load([pack])
    assert not out.exists()


def test_example_that_does_not_behave_is_reported(tmp_path: Path) -> None:
    rules = """\
- code: T-EX01
  message: blank placement
  tables: Episodes
  condition: PLACE IS NULL
  examples:
    fail: [{CHILD: "1", PLACE: U1}]
"""
    pack = write_pack(tmp_path / "pack", rules)
    result = runner.invoke(app, ["packs", "check", str(pack)])
    assert result.exit_code == 2
    line = f"csc: pack {pack}: rules/rules.yaml line 1: rule T-EX01: example fail #1 should fail but the rule passed it"
    assert result.output.strip().splitlines() == [line]  # one line, naming the pack as every other problem does
