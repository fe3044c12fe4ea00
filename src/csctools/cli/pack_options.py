"""What `csc validate` does with --pack, --only, --skip and --settings, and how it reports packs and settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import typer

from csctools.cli.common import fail, plural
from csctools.packs.registry import LoadedPack
from csctools.reference.authorities import Authority
from csctools.validate.engine import ACCEPTED, SWITCHED_OFF, ValidationResult
from csctools.validate.registry import Registry
from csctools.years import CollectionYear

if TYPE_CHECKING:
    from csctools.packs.python import PythonPack

SHOWN_CODES = 12


def words(values: list[str]) -> list[str]:
    """--only A,B --only C -> [A, B, C]."""
    return [w.strip() for value in values for w in value.split(",") if w.strip()]


def load_packs(paths: list[str]) -> list[LoadedPack | PythonPack]:
    """The packs given with --pack: folders, zips, installed zips, and installed Python packs by name."""
    if not paths:
        return []
    from csctools.packs.files import PackError
    from csctools.packs.registry import load_all

    try:
        return load_all(paths, bind=False)  # each rule's SQL is checked once the year is known (registry_for)
    except PackError as error:
        fail(f"pack {error}")


def registry_for(
    dataset: str,
    packs: list[LoadedPack | PythonPack],
    settings: Path | None,
    authority: Authority | None,
    only: list[str],
    skip: list[str],
    year: CollectionYear,
) -> Registry:
    """The registry of this validation: the packs' SQL checked against the year's data model, the settings file
    (given, or the authority's default if it exists) and --only/--skip. Exit 2 on a problem."""
    from csctools.packs.locations import default_settings
    from csctools.packs.registry import build, check_packs

    path = settings if settings is not None else default_settings(authority.number if authority else None)
    if settings is not None and not settings.exists():
        fail(f"{settings}: no such settings file")
    from csctools.packs.errors import PackError

    if not packs and not path.exists():  # the usual case: neither YAML nor DuckDB is imported
        try:
            return _some_rule_of_the_year(build(dataset, (), None, words(only), words(skip)), dataset, only, year)
        except PackError as error:  # an --only or --skip naming nothing
            fail(str(error))
    from csctools.packs import settings as rule_settings

    try:
        check_packs(packs, year)
    except PackError as error:
        fail(f"pack {error}")
    try:
        chosen = rule_settings.load_file(path)
        registry = build(dataset, packs, chosen, words(only), words(skip))
    except PackError as error:
        fail(str(error))
    if path.exists():
        typer.echo(f"settings: {path}")
    return _some_rule_of_the_year(registry, dataset, only, year)


def _some_rule_of_the_year(registry: Registry, dataset: str, only: list[str], year: CollectionYear) -> Registry:
    """With --only, at least one rule chosen must apply to the year: else the return would be reported clean."""
    if only and not registry.rules(dataset, year):
        fail(f"--only {','.join(words(only))}: none of the rules it chooses applies to {year.label}")
    return registry


def echo_packs(result: ValidationResult) -> None:
    labels = []
    for used in result.packs:
        where = "built in" if used.source == "built in" else used.source
        labels.append(f"{used.name} {used.version} ({where}, sha256 {used.content_hash[:12]})")
    typer.echo("packs: " + "; ".join(labels))


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:SHOWN_CODES])
    return shown + (f" and {len(codes) - SHOWN_CODES} more" if len(codes) > SHOWN_CODES else "")


def echo_settings_outcomes(result: ValidationResult) -> None:
    """Rules switched off (grouped by why) and accepted queries, apart from the outstanding failures."""
    reasons: dict[str, list[str]] = {}
    for outcome in result.outcomes:
        if outcome.status == SWITCHED_OFF:
            reasons.setdefault(outcome.reason, []).append(outcome.code)
    for reason, codes in reasons.items():
        typer.echo(f"  {plural(len(codes), 'rule')} {reason}: {_codes(codes)}")
    accepted = result.accepted if result.accepted is not None else pl.DataFrame()
    if not accepted.is_empty():
        children = accepted["child_id"].n_unique()
        rules = sorted(o.code for o in result.outcomes if o.accepted)
        fully = sum(1 for o in result.outcomes if o.status == ACCEPTED)
        typer.echo(
            f"  accepted (not counted above, listed apart in the reports): {plural(accepted.height, 'cell')} in "
            f"{plural(children, 'child', 'children')} for {_codes(rules)}"
            + (f"; {plural(fully, 'rule')} with only accepted failures" if fully else "")
        )
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
