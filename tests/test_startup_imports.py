"""Start-up (issue 17): a `csc` command imports only what it uses, seen through `python -X importtime`.

Each check runs the command a user types (or, for every help page at once, the `csc` app) in a fresh interpreter
and reads the modules it imported from the importtime lines on stderr; the XLSX run is the control showing that the
check sees a heavy import when one happens.
No timings are asserted here: bench/bench_startup.py measures them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

RUN_CSC = "import sys; sys.argv = ['csc', *sys.argv[1:]]; from csctools.cli.launch import run; run()"
# what `csc validate` must not load for a CSV report: the generator, the web page, the HTML and XLSX writers, SQL,
# and without packs the pack reader and YAML
NOT_FOR_VALIDATE = (
    *("csctools.synth", "csctools.web", "jinja2", "xlsxwriter", "duckdb", "numpy", "matplotlib"),
    *("csctools.packs.files", "yaml"),
)
# what no help page needs: the data engine and everything above, rich (typer's rich help is not used) and pydantic
# (typer 0.29 imports it to parse any command's options: pyproject keeps typer below 0.29)
NOT_FOR_HELP = (
    *NOT_FOR_VALIDATE,
    *("polars", "rich", "pydantic", "csctools.read", "csctools.validate.run", "csctools.rules"),
)
# every help page in one interpreter, found by walking the command tree (so a command added later is covered)
EVERY_HELP_PAGE = """
import typer.main
from csctools.cli.main import app

def walk(command, prefix):
    yield prefix
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, [*prefix, name])

pages = list(walk(typer.main.get_command(app), []))
for page in pages:
    try:
        app([*page, "--help"], prog_name="csc")
    except SystemExit as done:
        assert done.code in (0, None), (page, done.code)
print("pages:", "|".join(" ".join(page) for page in pages))
"""


def run_csc(args: list[str], cwd: Path, code: str = RUN_CSC) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `csc ARGS` (or other code) under -X importtime; the finished process and every module it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "XDG_CONFIG_HOME": str(cwd / "config")},  # no settings file of the developer's own
    )
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    modules.discard("imported package")  # the header line
    return done, modules


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    """The given packages (or any of their submodules) that were imported."""
    return sorted(p for p in packages if any(m == p or m.startswith(p + ".") for m in modules))


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("startup")
    year = CollectionYear(2026)
    generate(
        SynthOptions(["383"], year.previous(), year, children=60, seed=3, formats=("csv",), annex_a=False, cin=False),
        out,
    )
    return out / "383"


@pytest.mark.parametrize("command", [[], ["validate"]], ids=["csc", "validate"])
def test_help_imports_no_data_engine(command: list[str], tmp_path: Path) -> None:
    done, modules = run_csc([*command, "--help"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(f"Usage: csc {' '.join(command)}".rstrip()), done.stdout[:200]
    if command:
        assert "typer" in modules and "csctools.cli.validate" in modules  # the importtime lines were read
    else:  # the top-level page comes from cli/top_help.py (tests/test_top_help.py: identical to typer's)
        assert "csctools.cli.top_help" in modules and loaded(modules, ("typer", "csctools.cli.main")) == []
    assert loaded(modules, NOT_FOR_HELP) == []


def test_every_help_page_imports_no_data_engine(tmp_path: Path) -> None:
    done, modules = run_csc([], tmp_path, EVERY_HELP_PAGE)
    assert done.returncode == 0, done.stderr[-2000:]
    pages = done.stdout.strip().splitlines()[-1].removeprefix("pages: ").split("|")
    assert {"validate", "synth", "serve", "rules explain", "packs new", "share pseudonymise", "store add"} <= set(pages)
    assert done.stdout.count("Usage: csc") == len(pages)
    assert loaded(modules, NOT_FOR_HELP) == []


def test_validate_to_csv_imports_only_what_it_uses(returns: Path, tmp_path: Path) -> None:
    report = tmp_path / "x.csv"
    args = ["validate", "903", str(returns / "2025_26" / "ssda903"), "--previous", str(returns / "2024_25" / "ssda903")]
    done, modules = run_csc([*args, "--la", "383", "-o", str(report)], tmp_path)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert report.read_text(encoding="utf-8").startswith("rule_code,")
    assert {"polars", "csctools.read", "csctools.validate.run", "csctools.validate.export"} <= modules
    assert loaded(modules, NOT_FOR_VALIDATE) == []
    other_commands = ("csctools.cli.main", "csctools.cli.synth", "csctools.cli.serve", "csctools.cli.store")
    assert loaded(modules, other_commands) == []  # cli/launch.py loads the validate command alone


def test_validate_to_xlsx_does_import_the_xlsx_writer(returns: Path, tmp_path: Path) -> None:
    """The control: the same check sees xlsxwriter when an XLSX report is asked for."""
    report = tmp_path / "x.xlsx"
    done, modules = run_csc(["validate", "903", str(returns / "2025_26" / "ssda903"), "-o", str(report)], tmp_path)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert report.stat().st_size > 0
    assert loaded(modules, NOT_FOR_VALIDATE) == ["xlsxwriter"]
