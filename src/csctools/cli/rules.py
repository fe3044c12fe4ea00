"""`csc rules list` and `csc rules explain CODE`: the rule registry and the DfE catalogue."""

from __future__ import annotations

from typing import Annotated

import typer

from csctools.cli.common import fail, parse_year
from csctools.validate.catalogue import catalogue
from csctools.years import CollectionYear

app = typer.Typer(help="List and explain validation rules.", no_args_is_help=True)
RETURNS = {"903": "ssda903", "ssda903": "ssda903", "cin": "cin"}


def _dataset(name: str) -> str:
    dataset = RETURNS.get(name.lower())
    if dataset is None:
        fail(f"unknown return '{name}' (use 903 or cin)")
    from csctools.validate.run import load_rules

    load_rules(dataset)
    return dataset


NAMES = {"ssda903": "903", "cin": "cin"}


def supported_years(dataset: str) -> list[CollectionYear]:
    """The collection years the catalogue has rules for."""
    return [CollectionYear(end) for end in sorted({y for info in catalogue(dataset).values() for y in info.years})]


@app.command("list")
def list_rules(
    return_kind: Annotated[str, typer.Option("--return", help="903 or cin")] = "903",
    year: Annotated[str | None, typer.Option(help="Only rules of this year, e.g. 2025/26")] = None,
) -> None:
    """Every DfE rule of a return (and year), marked implemented or not, as tab-separated lines with a header."""
    dataset = _dataset(return_kind)
    wanted = parse_year(year)
    years = supported_years(dataset)
    if wanted is not None and wanted not in years:
        fail(
            f"{wanted.label} is not supported for the {NAMES[dataset]} return "
            f"(its rules cover {years[0].label} to {years[-1].label})"
        )
    from csctools.validate.registry import REGISTRY

    typer.echo("code\tseverity\tstate\tyears\tmessage")
    for code, info in catalogue(dataset).items():
        if wanted is not None and wanted.end not in info.years:
            continue
        state = "implemented" if REGISTRY.get(dataset, code) else "not implemented"
        typer.echo(f"{code}\t{info.severity}\t{state}\t{_years(info.years)}\t{info.message}")


def _years(ends: frozenset[int]) -> str:
    return ", ".join(CollectionYear(y).label for y in sorted(ends))


@app.command("explain")
def explain(
    code: Annotated[str, typer.Argument(help="Rule code, e.g. 101 or 8500")],
    return_kind: Annotated[str | None, typer.Option("--return", help="903 or cin (only if both have it)")] = None,
) -> None:
    """What a rule checks, where, in which years, and what it needs (the code is looked up in both returns)."""
    if return_kind is not None:
        dataset = _dataset(return_kind)
    else:
        holding = [d for d in RETURNS.values() if code in catalogue(d)]
        holding = list(dict.fromkeys(holding))
        if not holding:
            fail(f"no rule {code} in the 903 or CIN catalogue")
        if len(holding) > 1:
            fail(f"rule {code} exists in both the 903 and the CIN catalogue: add --return 903 or --return cin")
        dataset = _dataset(holding[0])
    info = catalogue(dataset).get(code)
    if info is None:
        fail(f"no rule {code} in the {NAMES[dataset]} catalogue")
    from csctools.validate.registry import REGISTRY

    implemented = REGISTRY.get(dataset, code)
    typer.echo(f"{code} ({NAMES[dataset]}, {info.severity}): {info.message}")
    typer.echo(f"tables: {', '.join(info.tables)}; fields: {', '.join(info.fields)}")
    typer.echo(f"years: {_years(info.years)}")
    typer.echo(f"needs: {', '.join(sorted(info.needs - {'collection_dates'})) or 'nothing beyond the return'}")
    if implemented is None:
        typer.echo("status: not implemented in csctools yet")
    else:
        doc = (implemented.check.__doc__ or "").strip()
        typer.echo(f"status: implemented ({implemented.check.__module__}){': ' + doc if doc else ''}")
    _echo_guidance(dataset, code)


def _echo_guidance(dataset: str, code: str) -> None:
    """The rule's plain-English guidance, saying when it was built from the DfE message rather than hand-written."""
    from csctools.validate.guidance import guidance

    found = guidance(dataset, code)
    if found is None:
        return
    typer.echo("guidance:" if found.written else "guidance (from the DfE message):")
    typer.echo(f"  meaning: {found.meaning}")
    typer.echo(f"  common causes: {found.causes or 'none recorded'}")
    typer.echo(f"  what to check: {found.check}")
