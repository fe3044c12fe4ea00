"""`python -m csctools.cli`: the same as the `csc` command."""

from csctools.cli.main import run

run()
