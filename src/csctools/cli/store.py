"""`csc store add|list|history|errors|publish`: the regional store of submissions (one DuckDB file)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from csctools.cli.common import expand_inputs, fail, plural

if TYPE_CHECKING:
    from csctools.store.intake import Submission

app = typer.Typer(
    help="Keep every authority's submissions (append-only) and publish merged datasets.", no_args_is_help=True
)
StoreArg = Annotated[Path, typer.Argument(metavar="STORE", help="The store file (DuckDB), e.g. hub.duckdb")]
LaOption = Annotated[str, typer.Option("--la", help="The authority: 3-digit code, ONS code or name")]


def find_la(code: str | None):  # type: ignore[no-untyped-def]  # csctools.reference.authorities.Authority | None
    from csctools.reference.authorities import find_authority

    if code is None:
        return None
    try:
        return find_authority(code)
    except LookupError as error:
        fail(str(error))


def _intake_all(groups: list[list[Path]], la_code: str | None, jobs: int) -> Iterator[Submission]:
    """Each return read and validated (in `jobs` processes), in order, as they are done; provider lists skipped."""
    from csctools.store.intake import intake

    authority = find_la(la_code)
    if jobs <= 1 or len(groups) < 3:
        results: Iterator[Submission | None] = (intake(group, authority) for group in groups)
        yield from _announced(groups, results)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from _announced(groups, pool.map(intake, groups, [authority] * len(groups)))


def _announced(groups: list[list[Path]], results: Iterable[Submission | None]) -> Iterator[Submission]:
    for group, submission in zip(groups, results, strict=True):
        if submission is None:
            typer.echo(f"{group[0]}: an Ofsted provider list, not a return; skipped")
        else:
            yield submission


@app.command("add")
def add_command(
    store: StoreArg,
    files: Annotated[list[Path], typer.Argument(help="Returns' files or folders (903 CSV or XML, CIN XML)")],
    la: Annotated[
        str | None, typer.Option("--la", help="The authority (else the census header or folder name)")
    ] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait while another process writes to the store")] = 60.0,
    jobs: Annotated[int, typer.Option(help="Processes reading and validating (default: the machine's cores)")] = 0,
) -> None:
    """Validate each return at the door and keep it as a new version, in one transaction. Exit 1 if any was rejected."""
    from csctools.store.db import StoreError, add_submissions, open_store
    from csctools.store.intake import group_returns
    from csctools.years import CollectionYear

    paths = expand_inputs(files)
    if not paths:
        fail("no input files found")
    groups = group_returns(paths)
    find_la(la)  # a wrong --la stops before the store is opened
    try:
        with open_store(store, wait=wait) as connection:
            kept = add_submissions(connection, _intake_all(groups, la, jobs or min(os.cpu_count() or 1, 4)))
    except StoreError as error:
        fail(str(error))
    rejected = 0
    for submission, submission_id, version in kept:
        authority = submission.authority
        who = f"{authority.number} {authority.name}" if authority else "unknown authority"
        if submission.rejected:
            rejected += 1
            typer.echo(f"#{submission_id} {who}: rejected, {submission.rejected}")
            continue
        year = CollectionYear(submission.year or 0).label
        queries = plural(submission.summary["queries"], "query", "queries")
        counts = f"{plural(submission.summary['errors'], 'error')}, {queries}"
        how = f" (authority {submission.note})" if submission.note not in ("", "given") else ""
        typer.echo(f"#{submission_id} {who} {submission.dataset} {year}: version {version}, {counts}{how}")
    if not kept:
        fail("no return among the files; nothing was added")
    typer.echo(f"{plural(len(kept), 'submission')} kept in {store} ({rejected} rejected)")
    raise typer.Exit(1 if rejected else 0)


@app.command("list")
def list_command(store: StoreArg) -> None:
    """Every authority, return and year in the store, with its latest version."""
    from csctools.store.db import StoreError, open_store
    from csctools.store.queries import listing
    from csctools.years import CollectionYear

    try:
        with open_store(store, read_only=True) as connection:
            rows = listing(connection)
    except StoreError as error:
        fail(str(error))
    if rows.is_empty():
        typer.echo("the store holds no accepted submission")
    for row in rows.iter_rows(named=True):
        typer.echo(
            f"{row['la_number']} {row['la_name']}  {row['dataset']} {CollectionYear(row['year']).label}  "
            f"version {row['version']} received {row['received_at']:%Y-%m-%d %H:%M}  {row['rows']:,} rows  "
            f"{row['errors']:,} errors  {row['queries']:,} queries"
            + (f"  ({row['rejected']} rejected)" if row["rejected"] else "")
        )


@app.command("history")
def history_command(store: StoreArg, la: LaOption) -> None:
    """Every submission of an authority, oldest first, and what changed in the counts between versions."""
    from csctools.store.db import StoreError, open_store
    from csctools.store.queries import count_changes, history
    from csctools.years import CollectionYear

    authority = find_la(la)
    try:
        with open_store(store, read_only=True) as connection:
            rows = history(connection, authority.number)
    except StoreError as error:
        fail(str(error))
    if rows.is_empty():
        fail(f"the store holds nothing from {authority.name} ({authority.number})", 1)
    previous: dict[tuple[str, int], dict[str, int]] = {}
    for row in rows.iter_rows(named=True):
        when = f"{row['received_at']:%Y-%m-%d %H:%M:%S}"
        if row["status"] == "rejected":
            typer.echo(f"#{row['submission_id']} {when} rejected: {row['reason']}")
            continue
        key = (row["dataset"], row["year"])
        counts = json.loads(row["rows_by_table"])
        change = count_changes(previous[key], counts) if key in previous else "first version"
        previous[key] = counts
        typer.echo(
            f"#{row['submission_id']} {when} {row['dataset']} {CollectionYear(row['year']).label} "
            f"version {row['version']}: {sum(counts.values()):,} rows, {row['errors']:,} errors; {change}; "
            f"sha256 {row['content_hash'][:12]}"
        )


@app.command("errors")
def errors_command(
    store: StoreArg,
    la: LaOption,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write every error row to a CSV file")] = None,
) -> None:
    """The authority's error log (latest version of each return and year), to send back to it."""
    import polars as pl

    from csctools.store.db import StoreError, open_store
    from csctools.store.queries import error_log
    from csctools.years import CollectionYear

    authority = find_la(la)
    try:
        with open_store(store, read_only=True) as connection:
            log = error_log(connection, authority.number)
    except StoreError as error:
        fail(str(error))
    typer.echo(f"{authority.name} ({authority.number}): {plural(log.height, 'error row')}")
    by_rule = log.group_by("dataset", "year", "rule_code", "severity").agg(pl.len().alias("rows"), pl.first("message"))
    for row in by_rule.sort("dataset", "year", "rule_code").iter_rows(named=True):
        typer.echo(
            f"  {row['dataset']} {CollectionYear(row['year']).label} {row['rule_code']} ({row['severity']}): "
            f"{row['rows']:,} - {row['message']}"
        )
    if output is not None:
        log.write_csv(output)
        typer.echo(f"written to {output}")


@app.command("publish")
def publish_command(
    store: StoreArg,
    policy_spec: Annotated[str, typer.Option("--policy", help="A shipped name, a policy file or a pack")],
    key_file: Annotated[Path, typer.Option("--key-file", help="The hub's key (csc share keygen)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="A new or empty folder")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Publish the store as it stood at the end of a day (YYYY-MM-DD) or at a time"),
    ] = None,
) -> None:
    """Merged datasets per table (Hive-partitioned Parquet, CSV) and open aggregates with small numbers suppressed."""
    from csctools.cli.share import load_key, load_policy
    from csctools.store.db import StoreError, open_store
    from csctools.store.publish import publish

    policy = load_policy(policy_spec)
    key = load_key(key_file)
    day = None
    if as_of is not None:
        try:
            day = (
                datetime.fromisoformat(as_of)
                if "T" in as_of or " " in as_of
                else datetime.combine(date.fromisoformat(as_of), time.max)
            )
        except ValueError:
            fail(f"--as-of {as_of}: not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM:SS)")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        fail(f"{output} is not an empty folder: give a new one")
    try:
        with open_store(store, read_only=True) as connection:
            lines = publish(connection, policy, key, output, day)
    except StoreError as error:
        fail(str(error))
    for line in lines:
        typer.echo(line)
