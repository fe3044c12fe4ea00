"""How a `csc` command is run: one command as an app of its own, and the endings every command shares (an
interrupt, an output that cannot be written: one line and an exit status, never a traceback)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import typer

DEBUG = "CSC_DEBUG"  # set, a fault in csctools shows its traceback


def one_command(name: str, callback: Callable[..., Any]) -> typer.Typer:
    """`csc NAME` as an app of its own: building only it saves making every command's options from their
    signatures (~0.05 s of every run)."""
    one = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    one.command(name)(callback)
    return one


def guarded(run: Callable[[], object]) -> None:
    """Run a command; an interrupt, an output that cannot be written or a fault in csctools ends it with one line
    and an exit status (3 for a fault; its traceback with CSC_DEBUG=1)."""
    try:
        run()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as error:  # an output that cannot be written (a folder that is a file, a report open in Excel)
        where = f": {error.filename}" if error.filename else ""
        typer.echo(
            f"csc: cannot write or read{where}: {error.strerror or error} (is it open in another program?)", err=True
        )
        sys.exit(2)
    except Exception as error:
        if type(error).__name__ == "FileCreateError":  # xlsxwriter's, for a workbook it cannot create
            typer.echo(f"csc: cannot write the workbook: {error} (is it open in Excel?)", err=True)
            sys.exit(2)
        if os.environ.get(DEBUG):
            raise
        said = " ".join(str(error).split())[:300]
        typer.echo(
            f"csc: an unexpected error, a fault in csctools: {type(error).__name__}: {said} (run again with "
            f"{DEBUG}=1 to see where it happened, and report it)",
            err=True,
        )
        sys.exit(3)
