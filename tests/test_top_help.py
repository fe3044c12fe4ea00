"""`csc --help` is printed from cli/top_help.py without typer (issue 17): it must be typer's page, at every width."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer.main
from typer import _click as click
from typer.core import TyperGroup

from csctools.cli.main import app
from csctools.cli.top_help import COMMANDS, DESCRIPTION, page_width, shortened, top_help, wrapped

RUN_CSC = "import sys; sys.argv = ['csc', *sys.argv[1:]]; from csctools.cli.launch import run; run()"
TYPER_HELP = "from csctools.cli.main import app; app(['--help'], prog_name='csc')"


def typer_page(width: int) -> str:
    """typer's `csc --help` laid out `width` columns wide, as it prints it (with the final line end)."""
    group = typer.main.get_command(app)
    return group.get_help(click.Context(group, info_name="csc", terminal_width=width)) + "\n"


def test_the_commands_are_typers_in_its_order() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    names = [n for n in group.list_commands(click.Context(group)) if not group.commands[n].hidden]  # not `web`
    assert [name for name, _ in COMMANDS] == names, "a command was added or renamed: update cli/top_help.py"
    for name, text in COMMANDS:
        assert (group.commands[name].help or "").startswith(text), f"update the help of {name} in cli/top_help.py"
    assert group.help == DESCRIPTION


@pytest.mark.parametrize("width", range(50, 79))  # every width the page is laid out in (page_width)
def test_the_page_is_typers_at_every_width(width: int) -> None:
    assert top_help(width) == typer_page(width)


def test_page_width_follows_the_terminal() -> None:
    assert [page_width(c) for c in (20, 52, 53, 60, 80, 81, 200)] == [50, 50, 51, 58, 78, 78, 78]


def test_shortened_and_wrapped_by_hand() -> None:
    assert shortened("One two. Three four.", 30) == "One two."
    assert shortened("One two three four", 30) == "One two three four"
    assert shortened("One two three four five", 13) == "One two..."  # "One two three" fits, not with "..."
    assert shortened("Alpha beta gamma", 16) == "Alpha beta gamma"
    assert wrapped("aa bb cc dd", 7, "  ") == ["  aa bb", "  cc dd"]
    assert wrapped("aa bb cc", 6, "  ") == ["  aa", "  bb", "  cc"]


@pytest.mark.parametrize("columns", ["", "60", "120"])
def test_csc_help_prints_typers_page_without_typer(columns: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | ({"COLUMNS": columns} if columns else {})
    ours = subprocess.run([sys.executable, "-X", "importtime", "-c", RUN_CSC, "--help"], env=env, capture_output=True)
    theirs = subprocess.run([sys.executable, "-c", TYPER_HELP], env=env, capture_output=True)
    assert ours.returncode == theirs.returncode == 0, ours.stderr[-2000:]
    assert ours.stdout == theirs.stdout
    lines = ours.stderr.splitlines()
    imported = {line.rsplit(b"|", 1)[1].strip() for line in lines if line.startswith(b"import time:")}
    assert b"csctools.cli.top_help" in imported and b"typer" not in imported
