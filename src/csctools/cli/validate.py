"""`csc validate 903|cin FILES...`: run every DfE rule of the year and write the reports."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from csctools.cli.common import err_console, expand_inputs, fail, parse_year, plural
from csctools.io.gc_pause import collector_paused

if TYPE_CHECKING:  # the readers, rules and reports load inside the command: `csc validate --help` stays fast
    from csctools.inputs import Chosen
    from csctools.io.result import ReturnData
    from csctools.reference.authorities import Authority
    from csctools.validate.engine import ValidationResult
    from csctools.years import CollectionYear

if TYPE_CHECKING:
    import polars as pl

RETURNS = {"903": "ssda903", "ssda903": "ssda903", "cin": "cin"}
# At most this many bytes of SSDA903 input (both years' files, the provider list) and polars runs on one thread:
# an authority's return of up to ~6,000 children (3 MB for two years at 5,000) makes a few hundred queries of a
# few thousand rows, and handing each to a second thread costs more CPU than it saves in time. Measured (session
# 11, CPU and wall, median of 7-10 runs): 5,000 children 0.53 s CPU on one thread against 0.60 s, wall 0.53 against
# 0.55; 10,000 (6 MB) 0.50 against 0.55 CPU but wall 0.49 against 0.46; 20,000 wall 0.75 against 0.65.
ONE_THREAD_BYTES = 4 << 20
ESSENTIAL_TABLES = {"ssda903": ("Header", "Episodes")}  # a return without them cannot be sent


def one_thread_for_small_inputs(paths: list[Path]) -> None:
    """Run polars on one thread when the inputs are small, unless the user set POLARS_MAX_THREADS. It must be set
    before polars is imported (its thread pool is made then); `csc validate` runs alone in its process."""
    if "POLARS_MAX_THREADS" in os.environ or "polars" in sys.modules:
        return
    total = 0
    for path in expand_inputs(paths):
        try:
            total += path.stat().st_size
        except OSError:
            return  # the reader reports the file
        if total > ONE_THREAD_BYTES:
            return
    os.environ["POLARS_MAX_THREADS"] = "1"


def read_inputs(kind: str, files: list[Path], previous: list[Path], year: CollectionYear | None) -> Chosen:
    """This year's return and last year's, sorted by the years the files show; exit 2 if they cannot be used."""
    from csctools.inputs import InputError, choose_returns, describe_files, files_of
    from csctools.read import read_files

    this_year, last_year = expand_inputs(files), expand_inputs(previous)
    if not this_year:
        fail(f"no files found for this year's return in {', '.join(str(f) for f in files)}")
    if previous and not last_year:
        fail(f"no files found for --previous in {', '.join(str(f) for f in previous)}")
    both = [p for p in last_year if p in this_year]
    if both:
        fail(
            f"--previous names files that are also this year's ({describe_files(str(p) for p in both)}): "
            "give last year's return with --previous"
        )
    named = {str(p) for p in [*files, *previous] if not p.is_dir()}
    paths = list(dict.fromkeys([*this_year, *last_year]))
    returns, others = read_files(paths, None if previous else year)
    try:
        chosen = choose_returns(
            kind,
            returns,
            others,
            previous_paths=[str(p) for p in last_year if p not in this_year],
            from_folders={str(p) for p in paths} - named,
            year=year if previous else None,
        )
    except InputError as error:
        fail(str(error))
    if year is not None:
        from csctools.validate.identity import year_given_warning

        differs = year_given_warning(chosen.current, year)
        if differs is not None:
            typer.echo(f"warning: {differs}", err=True)
    if chosen.current.year is None and year is not None:  # undated files: the year the user gave
        again, _ = read_files([Path(p) for p in files_of(chosen.current)], year)
        chosen = chosen._replace(current=again[0])
    for note in chosen.notes:
        typer.echo(note, err=True)
    for data, role in ((chosen.current, "this year's"), (chosen.previous, "last year's")):
        if data is None:
            continue
        said: set[str] = set()
        for problem in data.problems:
            if problem.kind == "duplicate-table" and problem.message in said:
                continue  # the same problem is attached to both files: say it once
            said.add(problem.message)
            typer.echo(f"{problem.severity.value}: {problem.describe()}", err=True)
        show_rejected(data)
        if not data.can_be_validated:
            fail(f"{role} files could not be read (see above); nothing was validated")
        gaps = data.missing_columns()
        if gaps:
            shown = "; ".join(f"{table}: {', '.join(columns)}" for table, columns in gaps.items())
            typer.echo(f"warning: {role} files lack columns ({shown}): the rules that need them are not run", err=True)
    return chosen


def say_whose_return(data: ReturnData, authority: Authority | None) -> None:
    """Warnings for files of two returns put together, or a --la that the children's UPNs contradict."""
    from csctools.validate.identity import whose_return_warnings

    for warning in whose_return_warnings(data, authority):
        typer.echo(warning, err=True)


REJECTED_SHOWN = 10


def show_rejected(data: ReturnData) -> None:
    """Say which rows the readers rejected and why: no rule checks them."""
    from csctools.io.result import rejected_rows

    entries = rejected_rows(data.files)
    if not entries:
        return
    typer.echo(f"{plural(len(entries), 'row')} rejected when reading (not checked by any rule):", err=True)
    for entry in entries[:REJECTED_SHOWN]:
        where = "line" if entry.file.lower().endswith(".xml") else "row"
        typer.echo(f"  rejected: {entry.file}, {entry.table} {where} {entry.row}: {entry.reason}", err=True)
    if len(entries) > REJECTED_SHOWN:
        typer.echo(f"  ... and {len(entries) - REJECTED_SHOWN} more (listed in every report)", err=True)


FAILED_RULES_SHOWN = 20
SINCE_SHOWN = 10  # new and fixed failures listed under "since the last run" (every report lists them all)


def echo_failed_rules(result: ValidationResult) -> None:
    """The rules that failed or raised queries, in code order: code, errors or queries, message."""
    from csctools.validate.catalogue import ERROR
    from csctools.validate.worklist import code_order

    active = sorted((o for o in result.outcomes if o.failures), key=lambda o: code_order(o.code))
    shown = active[:FAILED_RULES_SHOWN]
    width = max([8, *(len(o.code) for o in shown)])  # a pack's codes (PC-K2REVIEW) are longer than the DfE's
    for outcome in shown:
        what = plural(outcome.failures, *(("error",) if outcome.severity == ERROR else ("query", "queries")))
        message = outcome.message if len(outcome.message) <= 100 else outcome.message[:99] + "…"
        typer.echo(f"  {outcome.code:<{width}} {what:>12}  {message}")
    if len(active) > FAILED_RULES_SHOWN:
        typer.echo(f"  ... and {len(active) - FAILED_RULES_SHOWN} more rules (listed in every report)")


def read_earlier(path: Path) -> pl.DataFrame:
    """The failures of an earlier run's JSON report; exit 2 with one line if it cannot be used."""
    from csctools.validate.since import SinceError, earlier_failures

    try:
        return earlier_failures(path)
    except SinceError as error:
        fail(f"--since {error}")


@contextmanager
def rules_progress() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar of the rules on a terminal; nothing (and rich not imported, 0.1 s) when stderr is a file or
    a pipe, where the bar, drawn and then removed, would never be seen."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn

    columns = (TextColumn("validating"), BarColumn(), TextColumn("{task.completed}/{task.total} rules"))
    with Progress(*columns, console=err_console(), transient=True) as bar:
        task = bar.add_task("rules", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@collector_paused()  # the imports (polars, the rules) make ~70,000 objects: 80 collector passes, ~0.03 s of a run
def validate_command(
    return_kind: Annotated[str, typer.Argument(metavar="RETURN", help="903 or cin")],
    files: Annotated[list[Path], typer.Argument(help="This year's files or folder")],
    year: Annotated[str | None, typer.Option(help="Collection year, e.g. 2025/26 (default: from the files)")] = None,
    la: Annotated[str | None, typer.Option(help="The authority: 3-digit code, ONS code or name")] = None,
    previous: Annotated[list[Path] | None, typer.Option(help="Last year's files (repeatable)")] = None,
    output: Annotated[list[Path] | None, typer.Option("--output", "-o", help="Report: .xlsx .csv .json .html")] = None,
    providers: Annotated[Path | None, typer.Option(help="Ofsted social care providers list (XLSX or CSV)")] = None,
    pack: Annotated[list[str] | None, typer.Option(help="A pack: folder, .zip or installed name (repeatable)")] = None,
    only: Annotated[list[str] | None, typer.Option(help="Only these rule codes, packs, tables or tags")] = None,
    skip: Annotated[list[str] | None, typer.Option(help="Not these rule codes, packs, tables or tags")] = None,
    settings: Annotated[
        Path | None, typer.Option(help="Settings file (default: settings-<LA>.yaml in the config folder)")
    ] = None,
    since: Annotated[
        Path | None, typer.Option(help="A JSON report of an earlier run: say what was fixed, what is new")
    ] = None,
) -> None:
    """Validate a return against every DfE rule of its year and any packs. Exit 0: no errors; 1: errors found, a
    row of this year's files that could not be read, or a column or the Header or Episodes table missing; 2:
    unreadable input or a malformed pack."""
    kind = RETURNS.get(return_kind.lower())
    if kind is None:
        fail(f"unknown return '{return_kind}' (use 903 or cin)")
    if kind == "ssda903":  # the CIN census's time is its XML reader's, in Python: no gain measured there
        one_thread_for_small_inputs([*files, *(previous or []), *([providers] if providers else [])])
    from csctools.cli.pack_options import load_packs
    from csctools.io.result import ReadError
    from csctools.reference.authorities import find_authority
    from csctools.validate.engine import COULD_NOT_RUN, NOT_IMPLEMENTED, NOT_RUN
    from csctools.validate.export import FORMATS, write_report
    from csctools.validate.run import authority_in_return, validate_return

    packs = load_packs(pack or [])  # a malformed pack stops here, before any file is read
    for path in output or []:
        if path.suffix.lower() not in FORMATS:
            fail(f"{path}: unknown report format (use .xlsx, .csv, .json or .html)")
    earlier = read_earlier(since) if since is not None else None  # a bad report stops here, before the work
    authority: Authority | None = None
    if la:
        try:
            authority = find_authority(la)
        except LookupError as error:
            fail(str(error))
    chosen = read_inputs(kind, files, previous or [], parse_year(year))
    data, last = chosen.current, chosen.previous
    if data.absent_tables:
        typer.echo(
            f"warning: this return has no {', '.join(data.absent_tables)} "
            f"{'table' if len(data.absent_tables) == 1 else 'tables'}: the rules that need them are not run",
            err=True,
        )
    named = authority_in_return(data)
    if authority is None and named is not None:
        authority = named
        typer.echo(f"authority: {named.name} ({named.number}), from the census header")
    elif authority is not None and named is not None and named.number != authority.number:
        typer.echo(
            f"warning: --la {authority.number} ({authority.name}) but the census header names {named.number} "
            f"({named.name}): the reports are labelled {authority.name}; check --la",
            err=True,
        )
    say_whose_return(data, authority)
    if data.year is None:
        fail("the collection year cannot be told from the files: give --year (e.g. --year 2025/26)")
    provider_list = None
    if providers is not None:
        from csctools.reference.providers import read_providers

        try:
            provider_list = read_providers(providers)
        except ReadError as error:
            fail(error.problem.describe())
    from csctools.cli.pack_options import registry_for

    if since is not None and data.year is not None:  # before the work: a report of another return or year
        from csctools.validate.since import SinceError, check_same_return

        try:
            check_same_return(since, kind, data.year.label)
        except SinceError as error:
            fail(f"--since {error}")
    registry = registry_for(kind, packs, settings, authority, only or [], skip or [], data.year)
    with rules_progress() as progress:
        result = validate_return(data, data.year, authority, last, provider_list, progress, registry=registry)
    from csctools.cli.pack_options import echo_packs

    echo_packs(result)
    counts = result.counts()
    from csctools.io.result import unread_note

    unread = unread_note(data.files)  # rows no rule checked: not "no errors"
    typer.echo(
        f"{kind.upper()} {data.year}: {unread}{result.headline()}; "
        + ", ".join(f"{plural(n, 'rule')} {status}" for status, n in sorted(counts.items()))
    )
    echo_failed_rules(result)
    incomplete = [t for t in ESSENTIAL_TABLES.get(kind, ()) if t in data.absent_tables]
    if incomplete:
        typer.echo(
            f"  incomplete: no {' or '.join(incomplete)} table, which every return has; most rules were not run "
            "(give the return's every table)"
        )
    empty = [t for t in ESSENTIAL_TABLES.get(kind, ()) if t in data.tables and data.tables[t].is_empty()]
    for table in empty:  # a file of its header row only (an export cut short): the counts above mean little
        holding = [r.path for r in data.files if any(read.name == table for read in r.tables)]
        where = f" ({', '.join(holding)} holds only its header row)" if holding else ""
        typer.echo(f"  incomplete: the {table} table has no rows{where}, which every return has; check the export")
    incomplete = [*incomplete, *empty]
    compared = None  # with --since: what changed since that run
    if earlier is not None:
        from csctools.validate.since import compare

        compared = compare(earlier, result.errors)
        typer.echo("\n".join(compared.lines(SINCE_SHOWN)))
    reasons: dict[str, list[str]] = {}
    for outcome in result.outcomes:
        if outcome.status in (NOT_RUN, COULD_NOT_RUN):
            reasons.setdefault(f"{outcome.status}: {outcome.reason}", []).append(outcome.code)
    for reason, codes in reasons.items():
        typer.echo(f"  {plural(len(codes), 'rule')} {reason}: {', '.join(codes)}")
    from csctools.cli.pack_options import echo_settings_outcomes

    echo_settings_outcomes(result)
    if counts.get(NOT_IMPLEMENTED):
        typer.echo(
            f"  {counts[NOT_IMPLEMENTED]} rules of {data.year} are not implemented yet "
            "(listed in the reports and by `csc rules list`)"
        )
    for path in output or []:
        write_report(result, data, path, provider_list, last, compared)
        typer.echo(f"report: {path}")
    # queries alone do not fail the return; a missing column or table, or a row that could not be read, does,
    # though the rules that ran found no error
    raise typer.Exit(1 if result.error_count or data.missing_columns() or incomplete or unread else 0)
