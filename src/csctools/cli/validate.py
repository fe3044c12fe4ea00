"""`csc validate 903|cin FILES...`: run every DfE rule of the year and write the reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn

from csctools.cli.common import console, expand_inputs, fail, parse_year, plural
from csctools.io.result import ReadError, ReturnData, rejected_rows
from csctools.read import read_files
from csctools.reference.authorities import Authority, find_authority
from csctools.reference.providers import read_providers
from csctools.validate.engine import COULD_NOT_RUN, NOT_IMPLEMENTED, NOT_RUN
from csctools.validate.export import FORMATS, write_report
from csctools.validate.run import authority_in_return, validate_return

RETURNS = {"903": "ssda903", "ssda903": "ssda903", "cin": "cin"}


def read_return(kind: str, files: list[Path], year_text: str | None, role: str) -> ReturnData:
    """Read the files of one return, stopping with exit 2 if they cannot be read or are of another return."""
    paths = expand_inputs(files)
    if not paths:
        fail(f"no {role} files found")
    returns, others = read_files(paths, parse_year(year_text))
    for report in others:
        for problem in report.problems:
            fail(problem.describe())
    matching = [r for r in returns if r.dataset == kind]
    wrong = [f.path for r in returns if r.dataset != kind for f in r.files]
    if wrong:
        fail(f"{wrong[0]} is not part of a {kind.upper()} return")
    if len(matching) != 1:
        fail(f"give the files of one {kind.upper()} return for {role} (found {len(matching)})")
    data = matching[0]
    for problem in data.problems:
        typer.echo(f"{problem.severity.value}: {problem.describe()}", err=True)
    show_rejected(data)
    if not data.ok:
        fail("the files could not be read (see above); nothing was validated")
    return data


REJECTED_SHOWN = 10


def show_rejected(data: ReturnData) -> None:
    """Say which rows the readers rejected and why: no rule checks them."""
    entries = rejected_rows(data.files)
    if not entries:
        return
    typer.echo(f"{plural(len(entries), 'row')} rejected when reading (not checked by any rule):", err=True)
    for entry in entries[:REJECTED_SHOWN]:
        where = "line" if entry.file.lower().endswith(".xml") else "row"
        typer.echo(f"  rejected: {entry.file}, {entry.table} {where} {entry.row}: {entry.reason}", err=True)
    if len(entries) > REJECTED_SHOWN:
        typer.echo(f"  ... and {len(entries) - REJECTED_SHOWN} more (listed in every report)", err=True)


def validate_command(
    return_kind: Annotated[str, typer.Argument(metavar="RETURN", help="903 or cin")],
    files: Annotated[list[Path], typer.Argument(help="This year's files or folder")],
    year: Annotated[str | None, typer.Option(help="Collection year, e.g. 2025/26 (default: from the files)")] = None,
    la: Annotated[str | None, typer.Option(help="The authority: 3-digit code, ONS code or name")] = None,
    previous: Annotated[list[Path] | None, typer.Option(help="Last year's files (repeatable)")] = None,
    output: Annotated[list[Path] | None, typer.Option("--output", "-o", help="Report: .xlsx .csv .json .html")] = None,
    providers: Annotated[Path | None, typer.Option(help="Ofsted social care providers list (XLSX or CSV)")] = None,
) -> None:
    """Validate a return against every DfE rule of its year. Exit 0: no errors; 1: errors found; 2: unreadable."""
    kind = RETURNS.get(return_kind.lower())
    if kind is None:
        fail(f"unknown return '{return_kind}' (use 903 or cin)")
    for path in output or []:
        if path.suffix.lower() not in FORMATS:
            fail(f"{path}: unknown report format (use .xlsx, .csv, .json or .html)")
    authority: Authority | None = None
    if la:
        try:
            authority = find_authority(la)
        except LookupError as error:
            fail(str(error))
    data = read_return(kind, files, year, "this year")
    if authority is None and (named := authority_in_return(data)) is not None:
        authority = named
        typer.echo(f"authority: {named.name} ({named.number}), from the census header")
    if data.year is None:
        fail("the collection year cannot be told from the files: give --year (e.g. --year 2025/26)")
    last = read_return(kind, previous, None, "last year") if previous else None
    provider_list = None
    if providers is not None:
        try:
            provider_list = read_providers(providers)
        except ReadError as error:
            fail(error.problem.describe())
    with Progress(
        TextColumn("validating"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} rules"),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("rules", total=None)
        result = validate_return(
            data,
            data.year,
            authority,
            last,
            provider_list,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    counts = result.counts()
    queries = result.errors.height - result.error_count
    children = result.errors["child_id"].drop_nulls().n_unique()
    typer.echo(
        f"{kind.upper()} {data.year}: {plural(result.error_count, 'error')} and {plural(queries, 'query', 'queries')}"
        f" in {plural(children, 'child', 'children')}; "
        + ", ".join(f"{plural(n, 'rule')} {status}" for status, n in sorted(counts.items()))
    )
    reasons: dict[str, list[str]] = {}
    for outcome in result.outcomes:
        if outcome.status in (NOT_RUN, COULD_NOT_RUN):
            reasons.setdefault(f"{outcome.status}: {outcome.reason}", []).append(outcome.code)
    for reason, codes in reasons.items():
        typer.echo(f"  {plural(len(codes), 'rule')} {reason}: {', '.join(codes)}")
    if counts.get(NOT_IMPLEMENTED):
        typer.echo(
            f"  {counts[NOT_IMPLEMENTED]} rules of {data.year} are not implemented yet "
            "(listed in the reports and by `csc rules list`)"
        )
    for path in output or []:
        write_report(result, data, path)
        typer.echo(f"report: {path}")
    raise typer.Exit(1 if result.error_count else 0)
