"""`csc share policies|check|keygen|pseudonymise`: sharing returns under a policy with a hub's key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from csctools.cli.common import expand_inputs, fail, parse_year, plural

app = typer.Typer(help="Pseudonymise returns under a sharing policy, with the hub's key.", no_args_is_help=True)


def load_policy(spec: str):  # type: ignore[no-untyped-def]  # returns csctools.share.policy.Policy
    from csctools.packs.files import PackError
    from csctools.share.policy import find_policy

    try:
        return find_policy(spec)
    except PackError as error:
        fail(str(error))
    except OSError as error:
        fail(f"{spec}: cannot read the policy ({error.strerror or error})")


def load_key(path: Path) -> bytes:
    from csctools.share.key import KeyError_, loose_permissions, read_key

    try:
        key = read_key(path)
    except KeyError_ as error:
        fail(str(error))
    if loose_permissions(path):
        typer.echo(f"warning: {path} can be read by other users; chmod 600 {path}", err=True)
    return key


@app.command("policies")
def policies_command() -> None:
    """List the policies shipped with csctools."""
    from csctools.share.policy import shipped_policies

    for policy in shipped_policies():
        returns = ", ".join(policy.returns()) or "no record-level data"
        typer.echo(f"{policy.name}: {policy.title}")
        typer.echo(f"  records: {returns}; aggregates: {', '.join(policy.aggregates) or 'none'}")
        typer.echo(f"  {policy.description}")


@app.command("check")
def check_command(
    policy_spec: Annotated[str, typer.Argument(metavar="POLICY", help="A shipped name, a policy file or a pack")],
) -> None:
    """Check a policy, show how it shares identifying columns, and list every column of the data model it leaves out."""
    from csctools.share.policy import identifiers, left_out

    policy = load_policy(spec=policy_spec)
    typer.echo(f"policy {policy.label}: {policy.title}")
    shared = identifiers(policy)
    if shared:
        typer.echo("identifying columns shared, and how:")
        for dataset, table, column, treatment in shared:
            typer.echo(f"  {dataset} {table}.{column}: {treatment}")
    out = left_out(policy)
    typer.echo(f"{plural(len(out), 'column')} of the data model left out:")
    for dataset, table, column, why in out:
        typer.echo(f"  {dataset} {table}.{column}: {why}")


@app.command("keygen")
def keygen_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="The key file to create (mode 0600)")],
) -> None:
    """Create the hub's secret key: the same key gives the same pseudonyms; without it, none can be made."""
    from csctools.share.key import KeyError_, write_key

    try:
        write_key(output)
    except KeyError_ as error:
        fail(str(error))
    typer.echo(f"key written to {output} (readable by you only); it is never written into any output")


@app.command("pseudonymise")
def pseudonymise_command(
    files: Annotated[list[Path], typer.Argument(help="Returns' files or folders (903 CSV/XML, CIN XML, Annex A)")],
    policy_spec: Annotated[str, typer.Option("--policy", help="A shipped name, a policy file or a pack")],
    key_file: Annotated[Path, typer.Option("--key-file", help="The hub's key (csc share keygen)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="A new or empty folder for the shared files")],
    year: Annotated[str | None, typer.Option(help="Collection year, when the files do not tell it")] = None,
) -> None:
    """Write each return under the policy, in the format it was read and as Parquet, after a leak check."""
    from csctools.share.run import ShareError, share_files

    policy = load_policy(policy_spec)
    key = load_key(key_file)
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        fail(f"{output} is not an empty folder: give a new one (shared files are never mixed with others)")
    paths = expand_inputs(files)
    if not paths:
        fail("no input files found")
    try:
        summary = share_files(paths, policy, key, output, parse_year(year))
    except ShareError as error:
        fail(str(error), error.code)
    for line in summary:
        typer.echo(line)
