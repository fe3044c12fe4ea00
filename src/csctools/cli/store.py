"""`csc store add|list|history|errors|publish`: the regional store of submissions (one DuckDB file)."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from csctools.cli.common import expand_inputs, fail, plural

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


def _skipped(group: list[Path]) -> None:
    typer.echo(f"{group[0]}: an Ofsted provider list, not a return; skipped")


@app.command("add")
def add_command(
    store: StoreArg,
    files: Annotated[
        list[Path], typer.Argument(help="Returns' files or folders (903 CSV or XML, CIN XML, Annex A XLSX)")
    ],
    la: Annotated[
        str | None, typer.Option("--la", help="The authority (else the census header or folder name)")
    ] = None,
    packs: Annotated[
        list[str] | None,
        typer.Option("--pack", help="A local rule pack (folder, zip or installed name), as csc validate; repeatable"),
    ] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait while another process writes to the store")] = 60.0,
    jobs: Annotated[int, typer.Option(help="Processes reading and validating (default: the machine's cores)")] = 0,
) -> None:
    """Validate each return at the door (with last year's return when the store holds it, and any packs) and keep
    it as a new version, all in one transaction. Exit 1 if any was rejected."""
    from csctools.store.db import Adding, StoreError, open_store
    from csctools.store.intake import group_returns, without_xml_twins
    from csctools.store.pipeline import submissions
    from csctools.years import CollectionYear

    paths = expand_inputs(files)
    if not paths:
        fail("no input files found")
    # in path order: in a hub's layout (.../383/2024_25/...) or with files named by year, last year's return of
    # this add comes before this year's, and is kept first so that this year's is validated with it
    groups, twins = without_xml_twins(sorted(group_returns(paths), key=lambda group: str(group[0])))
    for twin in twins:
        typer.echo(f"skipped: {twin} (the same SSDA903 return as the CSV tables beside it: kept once, as CSV)")
    authority = find_la(la)  # a wrong --la stops before the store is opened
    pack_paths = tuple(packs or [])
    _check_packs(pack_paths)  # a bad pack stops before the store is opened, as in csc validate
    workers = jobs or min(os.cpu_count() or 1, 4)
    try:
        with open_store(store, wait=wait) as connection, Adding(connection) as adding:
            for submission in submissions(groups, authority, pack_paths, adding.last_year, _skipped, workers):
                adding.keep(submission)
        kept = adding.kept
    except StoreError as error:
        fail(str(error))
    rejected = 0
    for submission, submission_id, version, identical_to in kept:
        authority = submission.authority
        who = f"{authority.number} {authority.name}" if authority else "unknown authority"
        if submission.rejected:
            rejected += 1
            named = ", ".join(Path(seen.name).name for seen in submission.files[:3])
            more = f" and {len(submission.files) - 3} more" if len(submission.files) > 3 else ""
            typer.echo(f"#{submission_id} {who} ({named}{more}): rejected, {submission.rejected}")
            continue
        year = CollectionYear(submission.year or 0).label
        queries = plural(submission.summary["queries"], "query", "queries")
        counts = f"{plural(submission.summary['errors'], 'error')}, {queries}"
        how = f" (authority {submission.note})" if submission.note not in ("", "given") else ""
        last = f", with last year's #{submission.previous}" if submission.previous is not None else ""
        same = (
            f" (files identical to version {identical_to.version}, #{identical_to.submission_id})"
            if identical_to is not None
            else ""
        )
        typer.echo(f"#{submission_id} {who} {submission.dataset} {year}: version {version}{same}, {counts}{last}{how}")
        broken = submission.summary.get("could not run", 0)
        if broken:  # a rule that failed to run: the return is not fully checked
            typer.echo(f"  {plural(broken, 'rule')} could not run: `csc validate` of the same files says why")
        for warning in submission.warnings:
            typer.echo(f"  {warning}")
    if not kept:
        fail("no return among the files; nothing was added")
    accepted = len(kept) - rejected
    typer.echo(f"{plural(len(kept), 'submission')} recorded in {store}: {accepted} accepted, {rejected} rejected")
    raise typer.Exit(1 if rejected else 0)


def _check_packs(paths: tuple[str, ...]) -> None:
    """Each pack read and its SQL checked against every year its rules apply to; exit 2 on a problem."""
    if not paths:
        return
    from csctools.cli.pack_options import load_packs
    from csctools.packs.files import PackError
    from csctools.packs.registry import check_packs

    try:
        check_packs(load_packs(list(paths)))
    except PackError as error:
        fail(f"pack {error}")


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
    from csctools.packs.rules import dfe_codes
    from csctools.store.db import StoreError, open_store
    from csctools.store.queries import count_changes, history, rule_changes, rule_counts
    from csctools.years import CollectionYear

    authority = find_la(la)
    try:
        with open_store(store, read_only=True) as connection:
            rows = history(connection, authority.number)
            by_rule = rule_counts(connection, authority.number)
    except StoreError as error:
        fail(str(error))
    if rows.is_empty():
        fail(f"the store holds nothing from {authority.name} ({authority.number})", 1)
    previous: dict[tuple[str, int], dict[str, int]] = {}
    errors_before: dict[tuple[str, int], int] = {}
    rules_before: dict[tuple[str, int], dict[str, int]] = {}
    ran_before: dict[tuple[str, int], tuple[str, bool]] = {}
    for row in rows.iter_rows(named=True):
        when = f"{row['received_at']:%Y-%m-%d %H:%M:%S}"
        if row["status"] == "rejected":
            typer.echo(f"#{row['submission_id']} {when} rejected: {row['reason']}")
            continue
        key = (row["dataset"], row["year"])
        counts = json.loads(row["rows_by_table"])
        change = count_changes(previous[key], counts) if key in previous else "first version"
        if key in errors_before and errors_before[key] != row["errors"]:
            change += f"; errors {errors_before[key]:,} -> {row['errors']:,}"
        rules = by_rule.get(int(row["submission_id"]), {})
        ran = (row["packs"], row.get("previous_submission") is not None)  # what the rules of a version were
        changed_rules = ""
        if key in rules_before:
            before, after, scope = rules_before[key], rules, ""
            if ran[0] != ran_before[key][0]:  # other packs: only the DfE rules ran in both
                dfe = set(dfe_codes())
                before, after = ({c: n for c, n in d.items() if c in dfe} for d in (before, after))
                scope = " (DfE rules only: the versions were validated with different packs)"
            if ran[1] != ran_before[key][1]:
                scope += " (one version was validated without last year's return)"
            changed = rule_changes(before, after)
            changed_rules = changed + scope if changed else ""
        previous[key], errors_before[key], rules_before[key], ran_before[key] = counts, row["errors"], rules, ran
        typer.echo(
            f"#{row['submission_id']} {when} {row['dataset']} {CollectionYear(row['year']).label} "
            f"version {row['version']}: {sum(counts.values()):,} rows, {row['errors']:,} errors; {change}; "
            f"sha256 {row['content_hash'][:12]}"
            + (f"; files identical to #{row['identical_to']}" if row.get("identical_to") is not None else "")
        )
        if changed_rules:
            typer.echo(f"    by rule (errors and queries): {changed_rules}")


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
    queries = int((log["severity"] == "query").sum()) if log.height else 0
    typer.echo(
        f"{authority.name} ({authority.number}): {plural(log.height, 'row')} of the error log "
        f"({plural(log.height - queries, 'error')}, {plural(queries, 'query', 'queries')})"
    )
    by_rule = log.group_by("dataset", "year", "rule_code", "severity").agg(pl.len().alias("rows"), pl.first("message"))
    for row in by_rule.sort("dataset", "year", "rule_code").iter_rows(named=True):
        typer.echo(
            f"  {row['dataset']} {CollectionYear(row['year']).label} {row['rule_code']} ({row['severity']}): "
            f"{row['rows']:,} - {row['message']}"
        )
    if output is not None:
        end = pl.col("year")  # the collection year as every other output writes it (2024/25), not its end (2025)
        label = pl.format("{}/{}", end - 1, (end % 100).cast(pl.String).str.zfill(2)).alias("year")
        (log.with_columns(label) if log.height else log).write_csv(output)
        typer.echo(f"written to {output}")


def _not_in_future(given: str, moment: datetime) -> None:
    """Exit 2 for an --as-of after today (or after now, for a time): the store cannot say how it will stand then,
    and publishing today's store under a future date would mislabel it. Times are UTC, as the store records them."""
    from datetime import UTC

    now = datetime.now(UTC).replace(tzinfo=None)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    later = moment.date() > now.date() if moment.time() == time.max else moment > now
    if later:
        fail(f"--as-of {given} is in the future (today is {now:%Y-%m-%d}, UTC): give a date or time already passed")


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
    jobs: Annotated[int, typer.Option(help="Processes pseudonymising and writing (default: the machine's cores)")] = 0,
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
        _not_in_future(as_of, day)
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        fail(f"{output} is not an empty folder: give a new one")
    try:
        with open_store(store, read_only=True) as connection:
            workers = jobs or min(os.cpu_count() or 1, 4)
            lines = publish(connection, policy, key, output, day, store, workers)
    except StoreError as error:
        fail(str(error))
    for line in lines:
        typer.echo(line)
