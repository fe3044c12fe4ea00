"""Python rule packs: an installed package's entry point (faked with a dist-info folder on sys.path), loaded only
when asked for by name, its rules run by the same engine and listed and explained by `csc rules`."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.io.result import ReturnData
from csctools.packs.files import PackError
from csctools.packs.python import installed
from csctools.packs.registry import build, load_all
from csctools.validate.engine import validate
from csctools.validate.run import DATASETS
from csctools.years import CollectionYear
from tests.rules.harness import typed

YEAR = CollectionYear(2026)
runner = CliRunner()

PACK = '''
import polars as pl
from csctools.packs.python import Example, PythonPack
from csctools.validate.registry import Failures

pack = PythonPack("acme-checks", "1.2", description="Acme's own checks")


@pack.condition(
    "ssda903", "ACME-01", "Episodes", "Placement postcode left blank", fields=("PL_POST",), severity="query",
    guidance="Every placement needs a postcode for the sufficiency report.",
    examples=[Example({"Episodes": [{"CHILD": "1", "PL_POST": None}]}, fails=True),
              Example({"Episodes": [{"CHILD": "1", "PL_POST": "LS1 1AA"}]}, fails=False)],
)
def no_postcode(ctx):
    return pl.col("PL_POST").is_null()


@pack.check("ssda903", "ACME-02", ("Header", "Episodes"), "A child in Header with no episode this year")
def header_without_episodes(ctx):
    """Header rows of children with no episode."""
    yield Failures("Header", ctx.lazy("Header").join(ctx.lazy("Episodes"), on="CHILD", how="anti"), ("CHILD",))
'''


def _install(folder: Path, monkeypatch: pytest.MonkeyPatch, module: str, code: str, name: str) -> None:
    """A package as pip would leave it: the module, and a dist-info folder declaring the entry point."""
    (folder / f"{module}.py").write_text(textwrap.dedent(code))
    info = folder / f"{module}-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.2\n")
    (info / "entry_points.txt").write_text(f"[csctools.rule_packs]\n{name} = {module}:pack\n")
    monkeypatch.syspath_prepend(str(folder))


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    _install(tmp_path, monkeypatch, "acme_checks", PACK, "acme-checks")
    yield "acme-checks"
    sys.modules.pop("acme_checks", None)


def _tables() -> dict[str, pl.DataFrame]:
    return typed(
        "ssda903",
        {
            "Header": [{"CHILD": "1"}, {"CHILD": "2"}, {"CHILD": "3"}],
            "Episodes": [
                {"CHILD": "1", "DECOM": "01/05/2025", "PL_POST": "LS1 1AA"},
                {"CHILD": "1", "DECOM": "01/06/2025"},  # no postcode: ACME-01
                {"CHILD": "3", "DECOM": "01/05/2025", "PL_POST": "LS2 2BB"},
            ],
        },
    )


def test_installed_packs_are_listed_without_importing_them(acme: str) -> None:
    assert acme in installed()
    build("ssda903")  # a validation that does not ask for the pack
    assert "acme_checks" not in sys.modules


def test_csc_packs_list_names_installed_python_packs_without_importing_them(acme: str) -> None:
    result = runner.invoke(app, ["packs", "list"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("acme-checks\t"))
    assert line.split("\t")[:3] == ["acme-checks", "1.2", "Python package acme_checks 1.2"]
    assert "--pack acme-checks" in line and "acme_checks" not in sys.modules


def test_a_python_pack_asked_for_runs_through_the_same_registry_and_engine(acme: str) -> None:
    registry = build("ssda903", load_all([acme]))
    assert "acme_checks" in sys.modules
    model, key = DATASETS["ssda903"]
    result = validate(ReturnData("ssda903", YEAR, _tables(), []), model, YEAR, key, registry=registry)
    mine = result.errors.filter(pl.col("rule_code").str.starts_with("ACME"))
    # worked by hand: the second Episodes row (file row 3) has no postcode; child 2 has a Header row, no episode
    assert mine.select("rule_code", "severity", "table", "row_number", "child_id", "field").rows() == [
        ("ACME-01", "query", "Episodes", 3, "1", "PL_POST"),
        ("ACME-02", "error", "Header", 3, "2", "CHILD"),
    ]
    outcomes = {o.code: (o.status, o.failures, o.pack) for o in result.outcomes if o.code.startswith("ACME")}
    assert outcomes == {"ACME-01": ("raised queries", 1, acme), "ACME-02": ("failed", 1, acme)}
    guidance = {o.code: o.pack_guidance for o in result.outcomes if o.code.startswith("ACME")}  # shown in the reports
    assert guidance == {
        "ACME-01": "Every placement needs a postcode for the sufficiency report.",  # given as guidance=
        "ACME-02": "Header rows of children with no episode.",  # the function's docstring
    }
    used = [p for p in result.packs if p.name == acme]
    assert [(p.version, p.source, len(p.content_hash)) for p in used] == [("1.2", "Python package acme_checks", 64)]


def test_csc_rules_lists_and_explains_python_pack_rules(acme: str) -> None:
    listed = runner.invoke(app, ["rules", "list", "--pack", acme])
    assert listed.exit_code == 0, listed.output
    rows = [line.split("\t") for line in listed.output.splitlines()]
    local = [r for r in rows if r[0].startswith("ACME")]
    assert [(r[0], r[1], r[2], r[5]) for r in local] == [
        ("ACME-01", "query", "local (Python)", "acme-checks 1.2"),
        ("ACME-02", "error", "local (Python)", "acme-checks 1.2"),
    ]
    explained = runner.invoke(app, ["rules", "explain", "ACME-01", "--pack", acme])
    assert explained.exit_code == 0, explained.output
    assert explained.output.startswith("ACME-01 (903, query, pack acme-checks 1.2): Placement postcode left blank")
    assert "Every placement needs a postcode" in explained.output
    assert "examples that must fail:\n  Episodes: CHILD=1, PL_POST=(blank)\n" in explained.output
    assert "examples that must pass:\n  Episodes: CHILD=1, PL_POST=LS1 1AA\n" in explained.output
    with_docstring = runner.invoke(app, ["rules", "explain", "ACME-02", "--installed"])
    assert "Header rows of children with no episode." in with_docstring.output


def test_a_python_pack_with_a_dfe_code_or_a_broken_import_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clash = PACK.replace('"ACME-01"', '"101"').replace("acme-checks", "clash-checks")
    _install(tmp_path, monkeypatch, "clash_checks", clash, "clash-checks")
    broken = tmp_path / "broken"
    broken.mkdir()
    _install(broken, monkeypatch, "broken_checks", "import no_such_module\n", "broken-checks")
    try:
        with pytest.raises(PackError, match="rule 101: the code clashes with DfE ssda903 rule 101"):
            load_all(["clash-checks"])
        result = runner.invoke(app, ["validate", "903", str(tmp_path), "--pack", "broken-checks"])
        assert result.exit_code == 2
        assert result.output.strip().splitlines() == [
            "csc: pack broken-checks: broken_checks:pack (package broken_checks) could not be imported: "
            "ModuleNotFoundError: No module named 'no_such_module'"
        ]
    finally:
        for module in ("clash_checks", "broken_checks"):
            sys.modules.pop(module, None)


def test_csc_packs_check_runs_a_python_packs_examples(
    acme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["packs", "check", acme])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("acme-checks 1.2 (Python package acme_checks, sha256 ")
    assert lines[0].endswith("2 rules in Python")
    assert lines[1:] == [
        "  ACME-01: examples behave (fail #1, pass #1)",
        "  ACME-02: no examples",
        "ok (the Python code itself is checked by the package's own tests)",
    ]
    # an example that does not behave: the pass example has no postcode, so the rule flags it
    wrong = PACK.replace('"PL_POST": "LS1 1AA"', '"PL_POST": None').replace("acme-checks", "wrong-checks")
    (tmp_path / "wrong").mkdir()
    _install(tmp_path / "wrong", monkeypatch, "wrong_checks", wrong, "wrong-checks")
    try:
        result = runner.invoke(app, ["packs", "check", "wrong-checks"])
        assert result.exit_code == 2
        assert result.output.strip() == (
            "csc: pack wrong-checks: rule ACME-01: example pass #1 should pass but the rule flagged 1 cell(s)"
        )
        typo = PACK.replace('"PL_POST": None}', '"PL_POSTCODE": None}').replace("acme-checks", "typo-checks")
        (tmp_path / "typo").mkdir()
        _install(tmp_path / "typo", monkeypatch, "typo_checks", typo, "typo-checks")
        result = runner.invoke(app, ["packs", "check", "typo-checks"])
        assert result.exit_code == 2
        assert 'rule ACME-01: example fail #1: Episodes has no column "PL_POSTCODE"' in result.output
    finally:
        for module in ("wrong_checks", "typo_checks"):
            sys.modules.pop(module, None)


def test_a_bare_name_that_is_a_folder_here_and_an_installed_python_pack_is_refused(
    acme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for an installed zip: never the folder here silently in place of the Python pack of that name."""
    here = tmp_path / "here"
    (here / acme).mkdir(parents=True)
    (here / acme / "pack.yaml").write_text(f'name: {acme}\nversion: "0.1"\n', encoding="utf-8")
    monkeypatch.chdir(here)
    both = f"csc: pack {acme}: is both a folder here and an installed Python pack: say ./{acme} for the one here"
    for command in (["packs", "check", acme], ["validate", "903", "x", "--pack", acme]):
        refused = runner.invoke(app, command)
        assert refused.exit_code == 2 and refused.output.startswith(both), refused.output
    assert runner.invoke(app, ["packs", "check", f"./{acme}"]).exit_code == 0
    assert "acme_checks" not in sys.modules  # refusing it imported nothing
