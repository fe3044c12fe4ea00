"""The `csc` entry point: the command's modules load with Python's cyclic garbage collector paused.

Loading typer, polars and csctools makes some 70,000 objects and no garbage; the collector's passes over them cost
~0.04 s of every run (a tenth of validating a 1,000-child return, issue 17). It runs again once they are loaded,
with them frozen (`gc.freeze`): otherwise its first pass after the pause walks all of them anyway.

`csc validate` loads only its own command module (not cli/main.py, which imports every command's), runs with
the collector off from start to end (its objects are freed by reference counting; the
command itself pauses it while it works) and leaves without Python's tidying at exit: once its reports are
written and closed, freeing every frame and module one by one and the collector's last full passes over them cost
~0.03-0.06 s of CPU (a tenth of a 1,000-child run) for nothing the user sees. Its output is flushed first and its
exit code kept. `csc inspect` is entered and left in the same way (its collector paused while the readers load
and read, by the command itself): the tables it read are not freed one by one at exit.

`csc --help` alone prints the top-level page from cli/top_help.py without importing typer (~0.11 s of its ~0.18 s);
a test requires that page to be identical to typer's at every width.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from contextlib import suppress
from typing import NoReturn

from csctools.io.gc_pause import collector_paused


def exit_status(done: SystemExit) -> int:
    """The process's exit status for a SystemExit, as Python itself gives it (a message: printed, status 1)."""
    if done.code is None:
        return 0
    if isinstance(done.code, int):
        return done.code
    print(done.code, file=sys.stderr)
    return 1


def leave(status: int) -> NoReturn:
    """End the process now with `status`, after flushing what it printed (a closed pipe is not an error here)."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a reader that went away, or a stream already closed
            stream.flush()
    os._exit(status)


def run_alone(name: str, function: Callable[..., None]) -> NoReturn:
    """Run one command loaded alone (not through cli/main.py) and end the process with its exit status."""
    with collector_paused():
        from csctools.cli.guard import guarded, one_command

    command = one_command(name, function)
    try:
        guarded(lambda: command(args=sys.argv[2:], prog_name=f"csc {name}"))
    except SystemExit as done:
        leave(exit_status(done))
    leave(0)


def run() -> None:
    if sys.argv[1:] == ["--help"]:  # the top-level page, without typer (cli/top_help.py; tests keep it typer's)
        from csctools.cli.top_help import print_top_help

        print_top_help()
        return
    if sys.argv[1:2] == ["validate"]:  # it holds no open file, connection or worker when it ends
        gc.disable()  # the process ends with the command: the collector would only walk objects about to go
        from csctools.cli.validate import validate_command  # not cli/main.py: the other commands' modules

        run_alone("validate", validate_command)
    if sys.argv[1:2] == ["inspect"]:  # reads and prints, writes no file: as validate, it loads and leaves alone
        with collector_paused():
            from csctools.cli.inspect import inspect_command

        run_alone("inspect", inspect_command)
    with collector_paused():
        from csctools.cli.main import run as dispatch

        gc.freeze()  # the modules just loaded live as long as the process: no later pass walks them again
    dispatch()
