"""`csc rules list` and `csc rules explain CODE`: the rule registry and the DfE catalogue."""

from __future__ import annotations

from typing import Annotated

import typer

from csctools.cli.common import fail, parse_year
from csctools.validate.catalogue import catalogue
from csctools.validate.registry import REGISTRY
from csctools.validate.run import load_rules

app = typer.Typer(help="List and explain validation rules.", no_args_is_help=True)
RETURNS = {"903": "ssda903", "ssda903": "ssda903", "cin": "cin"}


def _dataset(name: str) -> str:
    dataset = RETURNS.get(name.lower())
    if dataset is None:
        fail(f"unknown return '{name}' (use 903 or cin)")
    load_rules(dataset)
    return dataset


@app.command("list")
def list_rules(
    return_kind: Annotated[str, typer.Option("--return", help="903 or cin")] = "903",
    year: Annotated[str | None, typer.Option(help="Only rules of this year, e.g. 2025/26")] = None,
) -> None:
    """Every DfE rule of a return (and year), marked implemented or not."""
    dataset = _dataset(return_kind)
    wanted = parse_year(year)
    for code, info in catalogue(dataset).items():
        if wanted is not None and wanted.end not in info.years:
            continue
        state = "implemented" if REGISTRY.get(dataset, code) else "not implemented"
        typer.echo(f"{code}\t{info.severity}\t{state}\t{info.message}")


@app.command("explain")
def explain(
    code: Annotated[str, typer.Argument(help="Rule code, e.g. 101 or 8500")],
    return_kind: Annotated[str, typer.Option("--return", help="903 or cin")] = "903",
) -> None:
    """What a rule checks, where, in which years, and what it needs."""
    dataset = _dataset(return_kind)
    info = catalogue(dataset).get(code)
    if info is None:
        fail(f"no rule {code} in the {return_kind} catalogue")
    implemented = REGISTRY.get(dataset, code)
    years = ", ".join(f"{y - 1}/{y % 100:02d}" for y in sorted(info.years))
    typer.echo(f"{code} ({info.severity}): {info.message}")
    typer.echo(f"tables: {', '.join(info.tables)}; fields: {', '.join(info.fields)}")
    typer.echo(f"years: {years}")
    typer.echo(f"needs: {', '.join(sorted(info.needs - {'collection_dates'})) or 'nothing beyond the return'}")
    if implemented is None:
        typer.echo("status: not implemented in csctools yet")
    else:
        doc = (implemented.check.__doc__ or "").strip()
        typer.echo(f"status: implemented ({implemented.check.__module__}){': ' + doc if doc else ''}")
