"""`csc accept RULE CHILD --reason "..."`: accept a query in the authority's settings file (who, when and why)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from csctools.cli.common import fail


def accept_command(
    rule: Annotated[str, typer.Argument(help="The rule code, e.g. 1004 or LEEDS-PL01")],
    child: Annotated[str, typer.Argument(help="The child's id as in the return (CHILD or LAchildID)")],
    reason: Annotated[str, typer.Option(help="Why the failure is accepted (kept with who and when)")],
    row: Annotated[int | None, typer.Option(help="Only this source row (default: every row of the child)")] = None,
    la: Annotated[str | None, typer.Option(help="The authority (its settings-<LA>.yaml)")] = None,
    settings: Annotated[Path | None, typer.Option(help="Settings file to write (default: the config folder)")] = None,
    who: Annotated[str | None, typer.Option(help="Who accepts it (default: your user name)")] = None,
) -> None:
    """Accept a query: its failures are listed apart from outstanding ones in every report, never hidden."""
    from csctools.packs import settings as rule_settings
    from csctools.packs.files import PackError
    from csctools.packs.locations import default_settings
    from csctools.reference.authorities import find_authority

    if not reason.strip():
        fail("give the reason the failure is accepted (--reason)")
    severity = _dfe_severity(rule)
    if severity is None and "-" not in rule:
        fail(
            f"no rule {rule} in the SSDA903 or CIN census rules "
            "(a local rule's code has its pack's prefix, e.g. LEEDS-PL01)"
        )
    if severity == "error":
        typer.echo(
            f"note: {rule} is an error, not a query: accepted here, but the DfE will still reject the return with it"
        )
    number = None
    if la:
        try:
            number = find_authority(la).number
        except LookupError as error:
            fail(str(error))
    path = settings if settings is not None else default_settings(number)
    try:
        entry = rule_settings.accept(path, rule, child, reason.strip(), who or getpass.getuser(), row)
    except PackError as error:
        fail(str(error))
    where = f" row {row}" if row is not None else ""
    typer.echo(f"accepted {rule} for child {child}{where} ({entry['who']}, {entry['when']}) in {path}")


def _dfe_severity(code: str) -> str | None:
    """The severity of a DfE rule of either return ("error" or "query"), None when no DfE rule has that code."""
    from csctools.validate.registry import BUILTIN
    from csctools.validate.run import DATASETS, load_rules

    for dataset in DATASETS:
        load_rules(dataset)
        found = BUILTIN.get(dataset, code)
        if found is not None:
            return found.info.severity
    return None
