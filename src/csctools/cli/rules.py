"""`csc rules list` and `csc rules explain CODE`: the DfE catalogue, the rules implemented, and the local rules of
packs given with --pack (or every installed pack with --installed), each with its pack's name and version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from csctools.cli.common import fail, parse_year
from csctools.validate.catalogue import catalogue
from csctools.years import CollectionYear

if TYPE_CHECKING:
    from csctools.packs.listing import Listed

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


PackOption = Annotated[
    list[str] | None,
    typer.Option("--pack", help="A pack: folder, .zip, installed name or installed Python pack (repeatable)"),
]
InstalledOption = Annotated[bool, typer.Option("--installed", help="Also every installed pack (zips and Python)")]


def _local(packs: list[str] | None, installed: bool) -> list[Listed]:
    """The local rules of the packs asked for; exit 2 with one line on a malformed pack."""
    if not packs and not installed:
        return []
    from csctools.packs.files import PackError
    from csctools.packs.listing import asked_packs, local_rules

    try:
        return local_rules(asked_packs(packs or [], installed))
    except PackError as error:
        fail(f"pack {error}")


@app.command("list")
def list_rules(
    return_kind: Annotated[str, typer.Option("--return", help="903 or cin")] = "903",
    year: Annotated[str | None, typer.Option(help="Only rules of this year, e.g. 2025/26")] = None,
    pack: PackOption = None,
    installed: InstalledOption = False,
) -> None:
    """Every DfE rule of a return (and year), marked implemented or not, then the local rules of the packs given,
    as tab-separated lines with a header; the last column names the pack and its version."""
    dataset = _dataset(return_kind)
    wanted = parse_year(year)
    years = supported_years(dataset)
    if wanted is not None and wanted not in years:
        fail(
            f"{wanted.label} is not supported for the {NAMES[dataset]} return "
            f"(its rules cover {years[0].label} to {years[-1].label})"
        )
    local = _local(pack, installed)
    from csctools.packs.registry import builtin_pack
    from csctools.validate.registry import REGISTRY

    dfe = builtin_pack(dataset)
    typer.echo("code\tseverity\tstate\tyears\tmessage\tpack")
    for code, info in catalogue(dataset).items():
        if wanted is not None and wanted.end not in info.years:
            continue
        state = "implemented" if REGISTRY.get(dataset, code) else "not implemented"
        typer.echo(f"{code}\t{info.severity}\t{state}\t{_years(info.years)}\t{info.message}\t{dfe.name} {dfe.version}")
    for rule in local:
        if rule.dataset != dataset or (wanted is not None and wanted.end not in rule.info.years):
            continue
        info = rule.info
        state = f"local ({rule.kind})"
        typer.echo(f"{info.code}\t{info.severity}\t{state}\t{_years(info.years)}\t{info.message}\t{rule.pack}")


def _years(ends: frozenset[int]) -> str:
    return ", ".join(CollectionYear(y).label for y in sorted(ends))


@app.command("explain")
def explain(
    code: Annotated[str, typer.Argument(help="Rule code, e.g. 101 or 8500")],
    return_kind: Annotated[str | None, typer.Option("--return", help="903 or cin (only if both have it)")] = None,
    pack: PackOption = None,
    installed: InstalledOption = False,
) -> None:
    """What a rule checks, where, in which years, and what it needs (the code is looked up in both returns, and in
    the packs given with --pack or, with --installed, every installed pack)."""
    local = [r for r in _local(pack, installed) if r.info.code.upper() == code.upper()]
    if local and (return_kind is None or RETURNS.get(return_kind.lower()) == local[0].dataset):
        _explain_local(local[0])
        return
    if return_kind is not None:
        dataset = _dataset(return_kind)
    else:
        holding = [d for d in RETURNS.values() if code in catalogue(d)]
        holding = list(dict.fromkeys(holding))
        if not holding:
            where = " or in the packs given" if pack or installed else " (a local rule: add --pack PACK)"
            fail(f"no rule {code} in the 903 or CIN catalogue{where}")
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


def _explain_local(rule: Listed) -> None:
    """A local rule: its pack, what it checks, where and when, its guidance, its condition or query, its examples."""
    info = rule.info
    typer.echo(f"{info.code} ({NAMES[rule.dataset]}, {info.severity}, pack {rule.pack}): {info.message}")
    typer.echo(f"tables: {', '.join(info.tables)}; fields: {', '.join(info.fields) or '(the child)'}")
    typer.echo(f"years: {_years(info.years)}")
    typer.echo(f"needs: {', '.join(sorted(info.needs - {'collection_dates'})) or 'nothing beyond the return'}")
    typer.echo(f"status: local rule ({rule.kind}) from {rule.source}")
    if rule.sql:
        typer.echo(f"{'condition' if rule.kind == 'SQL condition' else 'query'}: {rule.sql}")
    typer.echo("guidance:")
    typer.echo(f"  {' '.join(rule.guidance.split()) or 'none written in the pack'}")
    for title, examples in (("must fail", rule.fails), ("must pass", rule.passes)):
        typer.echo(f"examples that {title}:" + ("" if examples else " none"))
        for line in examples:
            typer.echo(f"  {line}")


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
