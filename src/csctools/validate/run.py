"""Validating a return of a given dataset: picks the data model, the child key and the rule pack."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

import polars as pl

from csctools.datasets.cin import CIN
from csctools.datasets.ssda903 import SSDA903
from csctools.io.result import ReturnData
from csctools.model import Dataset
from csctools.reference.authorities import Authority, find_authority
from csctools.validate.engine import ValidationResult, validate
from csctools.validate.registry import Registry
from csctools.years import CollectionYear

DATASETS: dict[str, tuple[Dataset, str]] = {"ssda903": (SSDA903, "CHILD"), "cin": (CIN, "LAchildID")}


def load_rules(dataset: str) -> ModuleType:
    """Import a rule pack (registering its rules) and return it."""
    return importlib.import_module(f"csctools.rules.{dataset}")


def authority_in_return(data: ReturnData) -> Authority | None:
    """The authority a return names itself (the CIN census header's LEA); the SSDA903 does not name it."""
    header = data.tables.get("Header")
    if data.dataset != "cin" or header is None or "LEA" not in header.columns:
        return None
    codes = header["LEA"].drop_nulls().unique().to_list()
    if len(codes) != 1:
        return None
    try:
        return find_authority(str(codes[0]))
    except LookupError:
        return None


def validate_return(
    data: ReturnData,
    year: CollectionYear,
    authority: Authority | None = None,
    previous: ReturnData | None = None,
    providers: pl.DataFrame | None = None,
    progress: Callable[[int, int], None] | None = None,
    registry: Registry | None = None,
) -> ValidationResult:
    """Run every rule of the year: the built-in DfE pack, or `registry` (csctools.packs.registry.build: the
    built-in pack with local packs and settings)."""
    model, child_key = DATASETS[data.dataset]
    if registry is None:
        from csctools.packs.registry import build

        registry = build(data.dataset)
    pack = load_rules(data.dataset)
    prepare = getattr(pack, "prepare", None)
    derived: frozenset[str] = frozenset()
    if prepare is not None:
        data, previous, derived = prepare(data, authority, previous)
    derived_from = getattr(pack, "DERIVED_FROM", None)  # derived column -> the columns it is worked out from
    result = validate(
        data,
        model,
        year,
        child_key,
        authority,
        previous,
        providers,
        registry,
        progress=progress,
        derived=derived,
        derived_from=derived_from,
    )
    from csctools.validate.unread_children import unread_child_notes

    result.notes = [*result.notes, *unread_child_notes(result.errors, data.files, data.dataset)]
    return result
