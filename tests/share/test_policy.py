"""Policies: deny by default, treatments allowed by the kind of column, errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.packs.files import PackError
from csctools.share.columns import model_columns
from csctools.share.policy import find_policy, left_out, shipped_policies

runner = CliRunner()


def write_policy(folder: Path, text: str) -> Path:
    path = folder / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_policies_load_and_name_the_three_uses() -> None:
    names = {p.name for p in shipped_policies()}
    assert names == {"regional", "sufficiency", "open"}
    assert find_policy("open").returns() == ()


def test_deny_by_default_lists_every_other_column(tmp_path: Path) -> None:
    policy = find_policy(str(write_policy(tmp_path, "name: tiny\nreturns:\n  ssda903:\n    Header: {SEX: keep}\n")))
    every = sum(len(model_columns(d)) for d in ("ssda903", "cin", "annex_a"))
    out = left_out(policy)
    assert len(out) == every - 1
    assert ("ssda903", "Header", "SEX", "not named (dropped by default)") not in out
    assert ("ssda903", "Header", "UPN", "not named (dropped by default)") in out
    assert ("cin", "ChildIdentifiers", "UPN", "not named (dropped by default)") in out


def test_star_applies_to_the_tables_named_and_no_other(tmp_path: Path) -> None:
    # a table shared with only the child's pseudonym would still tell who has (say) an OC2 record
    text = "name: t\nreturns:\n  ssda903:\n    '*': {CHILD: pseudonym}\n    Episodes: {PLACE: keep}\n    Missing: {}\n"
    policy = find_policy(str(write_policy(tmp_path, text)))
    assert policy.treatment("ssda903", "Episodes", "CHILD").name == "pseudonym"
    assert policy.treatment("ssda903", "Missing", "CHILD").name == "pseudonym"  # named for its "*" columns alone
    assert policy.treatment("ssda903", "OC2", "CHILD").name == "drop"  # not named: not shared at all
    assert ("ssda903", "OC2") not in policy.columns
    assert policy.treatment("ssda903", "Episodes", "PLACE").name == "keep"
    assert policy.treatment("ssda903", "Episodes", "DECOM").name == "drop"


def test_shipped_sufficiency_shares_no_health_table() -> None:
    shared = {table for dataset, table in find_policy("sufficiency").columns if dataset == "ssda903"}
    assert shared == {"Header", "Episodes", "UASC", "Missing"}  # no OC2 (health), OC3, reviews or adoption tables


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    Header: {UPN: keep}", "line 5: ssda903 Header.UPN is a pupil number: it can only be pseudonym or drop"),
        ("    Header: {DOB: month}", "Header.DOB is a birth date: it can only be shift or year_of_birth or age_band"),
        ("    Episodes: {HOME_POST: keep}", "Episodes.HOME_POST is a postcode: it can only be sector or district"),
        ("    Header: {SEXX: keep}", "ssda903 table Header has no column SEXX"),
        ("    Heder: {SEX: keep}", "ssda903 has no table Heder"),
        ("    Header: {SEX: hash}", 'unknown treatment "hash"'),
        ("    Header: {SEX: {treatment: group, groups: {a: [Q]}}}", '"Q" is not a code of SEX'),
        ("    Header: {SEX: {treatment: keep, groups: {a: [M]}}}", "groups and other belong to the group treatment"),
    ],
)
def test_refused_treatments_name_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    path = write_policy(tmp_path, f"name: bad\nreturns:\n\n  ssda903:\n{body}\n")
    with pytest.raises(PackError) as error:
        find_policy(str(path))
    assert str(error.value).startswith("policy.yaml line ")
    assert message in str(error.value)


def test_free_text_is_never_kept(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "name: bad\nreturns:\n  annex_a:\n    List3: {'Allocated Worker': keep}\n")
    with pytest.raises(PackError, match="is a free text or a name: it can only be drop"):
        find_policy(str(path))


def test_cli_check_lists_left_out_columns_and_bad_policy_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["share", "check", "sufficiency"])
    assert result.exit_code == 0, result.output
    assert "ssda903 OC2.HEALTH_CHECK: not named (dropped by default)" in result.output
    assert "ssda903 Header.UPN: pseudonym" in result.output
    bad = write_policy(tmp_path, "name: bad\nreturns:\n  ssda903:\n    Header: {CHILD: keep}\n")
    result = runner.invoke(app, ["share", "check", str(bad)])
    assert result.exit_code == 2
    message = "policy.yaml line 4: ssda903 Header.CHILD is a child identifier: it can only be pseudonym or drop"
    assert result.output.strip().splitlines() == [f"csc: {message}, not keep"]
    result = runner.invoke(app, ["share", "check", "nonesuch"])
    assert result.exit_code == 2 and "shipped: open, regional, sufficiency" in result.output


def test_policy_from_a_pack_by_name(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    (pack / "policies").mkdir(parents=True)
    (pack / "pack.yaml").write_text("name: hub\nversion: '2'\n", encoding="utf-8")
    (pack / "policies" / "a.yaml").write_text("- name: one\n- name: two\n", encoding="utf-8")
    assert find_policy(f"{pack}#two").name == "two"
    assert "hub 2" in find_policy(f"{pack}#one").source
    with pytest.raises(PackError, match="holds policies one, two"):
        find_policy(str(pack))
