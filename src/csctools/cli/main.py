"""The `csc` command: thin commands over the library."""

from __future__ import annotations

import sys

import typer

from csctools import __version__
from csctools.cli.accept import accept_command
from csctools.cli.forecast import forecast_command
from csctools.cli.guard import guarded, one_command
from csctools.cli.indicators import indicators_command
from csctools.cli.inspect import inspect_command
from csctools.cli.packs import app as packs_app
from csctools.cli.rules import app as rules_app
from csctools.cli.serve import serve_command
from csctools.cli.share import app as share_app
from csctools.cli.store import app as store_app
from csctools.cli.synth import synth_command
from csctools.cli.tools import tools_command
from csctools.cli.validate import validate_command

app = typer.Typer(
    name="csc",
    help="csctools: data tools for children's services in England (SSDA903, CIN census, Annex A).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: typer's rich help formatter alone costs ~0.07 s to import (issue 17)
)
app.command("synth")(synth_command)
app.command("inspect")(inspect_command)
app.command("validate")(validate_command)
app.command("serve")(serve_command)
app.command("web", hidden=True)(serve_command)  # the name people guess for serve
app.command("forecast")(forecast_command)
app.command("indicators")(indicators_command)
app.add_typer(rules_app, name="rules")
app.add_typer(packs_app, name="packs")  # packs: local SQL rules and settings (issue 12)
app.command("accept")(accept_command)
app.command("tools")(tools_command)
app.add_typer(share_app, name="share")
app.add_typer(store_app, name="store")


@app.command("version")
def version_command() -> None:
    """Print the csctools version."""
    typer.echo(__version__)


def _alone(argv: list[str]) -> typer.Typer | None:
    """The command `csc NAME ...` names, as an app of its own (cli/guard.py). None for the groups (rules, packs,
    ...) and for help."""
    if len(argv) < 2:
        return None
    for info in app.registered_commands:
        if info.name == argv[1] and info.callback is not None:
            return one_command(info.name, info.callback)
    return None


def run() -> None:
    alone = _alone(sys.argv)
    if alone is not None:
        guarded(lambda: alone(args=sys.argv[2:], prog_name=f"csc {sys.argv[1]}"))
    else:
        guarded(app)
