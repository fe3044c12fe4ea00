"""The `csc` entry point and `csc validate` pause Python's cyclic garbage collector while they load and work (issue
17: its passes over the objects the imports make cost ~0.04 s of a run) and always switch it on again."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from csctools import __version__
from csctools.cli.main import app

# counts the collector's passes while csctools.cli.main is being imported (its `run`, defined last, not there yet)
WATCH = """
import atexit, gc, sys
passes = []
def loading() -> bool:
    return "csctools.cli.main" in sys.modules and not hasattr(sys.modules["csctools.cli.main"], "run")
gc.callbacks.append(lambda phase, info: passes.append(loading()) if phase == "start" else None)
atexit.register(lambda: print(f"on={gc.isenabled()} passes={sum(passes)}"))
sys.argv = ["csc", "version"]
"""
LAUNCHED = WATCH + "from csctools.cli.launch import run\nrun()\n"
PLAIN = WATCH + "from csctools.cli.main import run\nrun()\n"


@pytest.fixture
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_entry_point_loads_without_collecting_then_collects_again() -> None:
    launched = subprocess.run([sys.executable, "-c", LAUNCHED], capture_output=True, text=True, check=True)
    assert launched.stdout.split() == [__version__, "on=True", "passes=0"]
    # the control: the same command entered without the launcher does collect while loading
    plain = subprocess.run([sys.executable, "-c", PLAIN], capture_output=True, text=True, check=True)
    version, on, passes = plain.stdout.split()
    assert (version, on) == (__version__, "on=True") and int(passes.removeprefix("passes=")) > 0


def test_the_entry_point_runs_the_command_named() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys; sys.argv = ['csc', 'version']; from csctools.cli.launch import run; run()"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == __version__


def test_validate_works_with_the_collector_paused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collector_on: None
) -> None:
    seen: list[bool] = []

    def reading(*args: object) -> None:
        seen.append(gc.isenabled())
        raise typer.Exit(2)

    monkeypatch.setattr("csctools.cli.validate.read_inputs", reading)
    result = CliRunner().invoke(app, ["validate", "903", str(tmp_path)])
    assert result.exit_code == 2 and seen == [False]
    assert gc.isenabled()


def test_validate_switches_the_collector_on_again(tmp_path: Path, collector_on: None) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["validate", "903", str(tmp_path / "nothing-here")])
    assert missing.exit_code == 2  # a bad input ends the command early
    assert gc.isenabled()
    unknown = runner.invoke(app, ["validate", "999", str(tmp_path)])
    assert unknown.exit_code == 2 and "unknown return" in unknown.output
    assert gc.isenabled()


def test_validate_leaves_the_collector_off_when_it_was_off(tmp_path: Path, collector_on: None) -> None:
    gc.disable()
    CliRunner().invoke(app, ["validate", "903", str(tmp_path / "nothing-here")])
    assert not gc.isenabled()


# `csc validate` through the entry point, with an atexit handler that says whether Python's exit tidying ran
VALIDATE = """
import atexit, sys
atexit.register(lambda: print("tidied at exit"))
sys.argv = ["csc", "validate", *sys.argv[1:]]
from csctools.cli.launch import run
run()
"""


def test_validate_leaves_at_once_with_its_output_and_exit_status(tmp_path: Path) -> None:
    """A bad input: exit status 2 and the one-line message arrive, though Python's exit tidying is skipped."""
    done = subprocess.run(
        [sys.executable, "-c", VALIDATE, "903", str(tmp_path / "nothing-here")], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "nothing-here: cannot open the file" in done.stderr and "Traceback" not in done.stderr
    assert "tidied at exit" not in done.stdout
    # the control: another command ends the ordinary way, so the handler runs
    other = subprocess.run([sys.executable, "-c", VALIDATE.replace('"validate", ', ""), "version"], capture_output=True)
    assert other.returncode == 0 and b"tidied at exit" in other.stdout


def test_validate_runs_with_the_collector_off_and_the_others_with_it_on() -> None:
    code = """
import gc, sys
sys.argv = ["csc", sys.argv[1], "--help"]
import csctools.cli.launch as launch
launch.leave = lambda status: sys.exit(status)  # stays in Python, to look at the collector afterwards
try:
    launch.run()
except SystemExit as done:
    print("on" if gc.isenabled() else "off", done.code)
"""
    validate = subprocess.run([sys.executable, "-c", code, "validate"], capture_output=True, text=True, check=True)
    assert validate.stdout.splitlines()[-1] == "off 0"
    version = subprocess.run([sys.executable, "-c", code, "version"], capture_output=True, text=True, check=True)
    assert version.stdout.splitlines()[-1] == "on 0"


def test_exit_status_is_pythons(capsys: pytest.CaptureFixture[str]) -> None:
    from csctools.cli.launch import exit_status

    assert exit_status(SystemExit()) == 0
    assert exit_status(SystemExit(3)) == 3
    assert exit_status(SystemExit("csc: broken")) == 1
    assert capsys.readouterr().err == "csc: broken\n"


def test_validate_alone_is_the_command_main_registers() -> None:
    """The entry point builds `csc validate` without cli/main.py: its help is the one the full app gives."""
    alone = subprocess.run(
        [sys.executable, "-c", VALIDATE, "--help"], capture_output=True, text=True, check=True
    ).stdout
    full = CliRunner().invoke(app, ["validate", "--help"], prog_name="csc", terminal_width=80)
    assert alone.startswith("Usage: csc validate [OPTIONS]") and "--previous" in alone
    assert alone.split() == full.output.split()
