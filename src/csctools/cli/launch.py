"""The `csc` entry point: the command's modules load with Python's cyclic garbage collector paused.

Loading typer, polars and csctools makes some 70,000 objects and no garbage; the collector's passes over them cost
~0.04 s of every run (a tenth of validating a 1,000-child return, issue 17). It runs again once they are loaded.
"""

from __future__ import annotations

from csctools.io.gc_pause import collector_paused


def run() -> None:
    with collector_paused():
        from csctools.cli.main import run as dispatch
    dispatch()
