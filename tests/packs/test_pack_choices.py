"""Findings of a new-user trial of packs: which pack `--pack NAME` means, installing an older version, settings that
name no rule, and the starter pack's settings (each test fails on the code before the fix)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.cli.packs import is_older
from csctools.packs.files import parse_yaml, without_lines
from csctools.validate.catalogue import catalogue

runner = CliRunner()
RULE = "- code: SH-01\n  message: blank placement\n  tables: Episodes\n  condition: PLACE IS NULL\n"


@pytest.fixture(autouse=True)
def own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings and installed packs in the test's own folders, and the test's folder as the current one."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


def write(folder: Path, version: str, settings: str | None = None, years: str = "") -> Path:
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    manifest = f'name: shared-checks\nversion: "{version}"\nreturns: [ssda903]\n' + (
        f"years: {years}\n" if years else ""
    )
    (folder / "pack.yaml").write_text(manifest, encoding="utf-8")
    (folder / "rules" / "r.yaml").write_text(RULE, encoding="utf-8")
    if settings is not None:
        (folder / "settings.yaml").write_text(settings, encoding="utf-8")
    return folder


def test_a_bare_name_that_is_a_folder_here_and_an_installed_pack_is_refused_with_how_to_pick(tmp_path: Path) -> None:
    assert runner.invoke(app, ["packs", "install", str(write(tmp_path / "v1", "1.0"))]).exit_code == 0
    write(tmp_path / "shared-checks", "2.0-dev")  # the analyst's working copy, in the current folder
    installed = tmp_path / "data" / "csctools" / "packs" / "shared-checks.zip"
    both = (
        "csc: pack shared-checks: is both a folder here and an installed pack: say ./shared-checks for the one "
        f"here, or {installed} for the installed one"
    )
    for command in (["packs", "check", "shared-checks"], ["validate", "903", "x", "--pack", "shared-checks"]):
        refused = runner.invoke(app, command)
        assert refused.exit_code == 2 and refused.output.strip() == both, refused.output
    here = runner.invoke(app, ["packs", "check", "./shared-checks"])
    assert here.exit_code == 0 and "shared-checks 2.0-dev" in here.output, here.output
    there = runner.invoke(app, ["packs", "check", str(installed)])
    assert there.exit_code == 0 and "shared-checks 1.0" in there.output, there.output
    missing = runner.invoke(app, ["packs", "check", "./nothing-here"])
    assert missing.exit_code == 2 and "csc: pack ./nothing-here: no such pack folder or zip" in missing.output
    # installing and exporting take a path: the folder here, whatever is installed
    replaced = runner.invoke(app, ["packs", "install", "shared-checks", "--replace"])
    assert replaced.exit_code == 0 and "replaced shared-checks 1.0 with 2.0-dev" in replaced.output, replaced.output


def test_a_bare_name_is_the_installed_pack_when_no_folder_here_has_it(tmp_path: Path) -> None:
    assert runner.invoke(app, ["packs", "install", str(write(tmp_path / "v1", "1.0"))]).exit_code == 0
    by_name = runner.invoke(app, ["packs", "check", "shared-checks"])
    assert by_name.exit_code == 0 and "shared-checks 1.0" in by_name.output, by_name.output


def test_replacing_with_an_older_version_needs_downgrade_and_says_so(tmp_path: Path) -> None:
    assert runner.invoke(app, ["packs", "install", str(write(tmp_path / "new", "1.2.0"))]).exit_code == 0
    older = str(write(tmp_path / "old", "1.1.0"))
    refused = runner.invoke(app, ["packs", "install", older, "--replace"])
    assert refused.exit_code == 2, refused.output
    assert "shared-checks 1.1.0 is older than the installed shared-checks 1.2.0" in refused.output
    assert "--replace --downgrade" in refused.output
    assert "shared-checks\t1.2.0\tinstalled" in runner.invoke(app, ["packs", "list"]).output
    done = runner.invoke(app, ["packs", "install", older, "--replace", "--downgrade"])
    assert done.exit_code == 0 and "replaced shared-checks 1.2.0 with the older 1.1.0" in done.output, done.output
    assert "shared-checks\t1.1.0\tinstalled" in runner.invoke(app, ["packs", "list"]).output


def test_versions_compare_as_numbers() -> None:
    assert is_older("1.9", "1.10") and is_older("1.1.0", "1.2") and is_older("0.9", "v1")
    assert not is_older("1.10", "1.9") and not is_older("1.2", "1.2.0") and not is_older("1.2.0", "1.2")
    assert not is_older("2026-spring", "1.0") and not is_older("1.0", "draft")  # cannot be told: not refused


@pytest.mark.parametrize(
    ("settings", "years", "message"),
    [
        ('off:\n  - "1008"\n  - "2885"\n', "", 'settings.yaml line 3: "off" names rule 2885, which is neither'),
        ("off:\n  - rule: SH-O1\n    reason: typo\n", "", 'settings.yaml line 2: "off" names rule SH-O1'),
        ('severity:\n  SH-01: query\n  "1004x": query\n', "", 'settings.yaml line 3: "severity" names rule 1004x'),
        (
            "accepted:\n  - {rule: SH-1, child: '1', reason: ok}\n",
            "",
            'settings.yaml line 2: "accepted" names rule SH-1',
        ),
        # a DfE rule of the return, but not of any year the pack applies to (230 is a rule of 2023/24 only)
        ('off:\n  - "230"\n', "[2025/26]", "a DfE SSDA903 rule of 2025/26 (a mistyped code changes nothing)"),
    ],
)
def test_settings_naming_no_rule_are_refused_with_file_and_line(
    tmp_path: Path, settings: str, years: str, message: str
) -> None:
    pack = str(write(tmp_path / "p", "1.0", settings, years))
    for command in (["packs", "check", pack], ["validate", "903", "x", "--pack", pack]):
        refused = runner.invoke(app, command)
        assert refused.exit_code == 2, refused.output
        assert refused.output.startswith(f"csc: pack {pack}: ") and message in refused.output, refused.output


def test_settings_naming_the_packs_rules_and_dfe_rules_of_its_years_pass(tmp_path: Path) -> None:
    settings = 'off:\n  - "230"\n  - SH-01\nseverity:\n  "1004": query\n'
    settings += 'accepted:\n  - {rule: "1004", child: "1", reason: ok}\n'
    checked = runner.invoke(app, ["packs", "check", str(write(tmp_path / "p", "1.0", settings, "[2023/24, 2025/26]"))])
    assert checked.exit_code == 0, checked.output
    assert "settings: 2 rules off, 1 severity changed, 1 accepted query" in checked.output


def test_the_starters_settings_name_rules_of_the_return_it_targets(tmp_path: Path) -> None:
    """Uncommented, the starter's example settings are valid for its return (SSDA903) and pass the check."""
    made = runner.invoke(app, ["packs", "new", "leeds-checks"])
    assert made.exit_code == 0 and "then run: csc packs check ./leeds-checks" in made.output, made.output
    assert "Check with: csc packs check ./leeds-checks" in Path("leeds-checks/rules/placements.yaml").read_text()
    settings = Path("leeds-checks/settings.yaml")
    lines = settings.read_text(encoding="utf-8").splitlines()
    examples = [re.sub(r"^# ", "", line) for line in lines if re.match(r"^# ( |off|severity|accepted)", line)]
    data = without_lines(parse_yaml("\n".join(examples), "settings.yaml"))  # "off" is a key, not false
    codes = [str(e["rule"] if isinstance(e, dict) else e) for e in data["off"]]
    codes += [str(code) for code in data["severity"]] + [str(e["rule"]) for e in data["accepted"]]
    assert codes and all(code in catalogue("ssda903") for code in codes), codes
    settings.write_text("\n".join(examples) + "\n", encoding="utf-8")
    checked = runner.invoke(app, ["packs", "check", "./leeds-checks"])
    assert checked.exit_code == 0 and "settings: 1 rule off, 1 severity changed, 1 accepted query" in checked.output
