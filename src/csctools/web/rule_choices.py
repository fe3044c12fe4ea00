"""Packs added on the page and the authority's settings file: loaded and checked as `csc validate --pack` and
`--settings` do (csctools.packs), and written as `csc accept` writes (packs/settings.py).

YAML and DuckDB are imported only when a pack is added or a settings file exists."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csctools.packs.locations import default_settings
from csctools.validate.registry import Registry
from csctools.years import CollectionYear

if TYPE_CHECKING:
    from csctools.packs.registry import LoadedPack


class ChoiceError(ValueError):
    """A pack or settings file that cannot be used: one line naming the file, line and rule."""


def settings_file(given: Path | None, la_number: str | None) -> Path:
    """The settings file the CLI would use: --settings if given, else the authority's in the config folder."""
    return given if given is not None else default_settings(la_number)


def load_packs(paths: list[Path], year: CollectionYear | None = None) -> list[LoadedPack]:
    """Packs as `--pack` loads them (form, clashes and, with a year, each rule's SQL against its data model)."""
    from csctools.packs.files import PackError
    from csctools.packs.registry import check_packs, load

    try:
        packs = load(paths, bind=False)
        if year is not None:
            check_packs(packs, year)
    except PackError as error:
        raise ChoiceError(f"pack {error}") from None
    return packs


def describe_pack(loaded: LoadedPack, name: str) -> dict[str, Any]:
    info = loaded.pack.info
    return {
        "file": name,
        "name": info.name,
        "version": info.version,
        "author": info.author,
        "description": info.description,
        "rules": [{"code": r.info.code, "severity": r.info.severity, "message": r.info.message} for r in loaded.rules],
    }


def registry_for(dataset: str, packs: list[Path], settings: Path, year: CollectionYear) -> Registry | None:
    """The validation's registry with the packs and the settings file; None (the built-in rules) without either."""
    if not packs and not settings.exists():
        return None
    from csctools.packs import settings as rule_settings
    from csctools.packs.files import PackError
    from csctools.packs.registry import build

    loaded = load_packs(packs, year)
    try:
        return build(dataset, loaded, rule_settings.load_file(settings))
    except PackError as error:
        raise ChoiceError(str(error)) from None


def switch_off(settings: Path, rule: str, reason: str) -> dict[str, Any]:
    from csctools.packs import settings as rule_settings
    from csctools.packs.files import PackError

    try:
        return rule_settings.switch_off(settings, rule, reason, getpass.getuser())
    except PackError as error:
        raise ChoiceError(str(error)) from None


def accept(settings: Path, rule: str, child: str, reason: str, row: int | None) -> dict[str, Any]:
    from csctools.packs import settings as rule_settings
    from csctools.packs.files import PackError

    try:
        return rule_settings.accept(settings, rule, child, reason, getpass.getuser(), row)
    except PackError as error:
        raise ChoiceError(str(error)) from None
