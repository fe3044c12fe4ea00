"""Running one rule over tiny hand-made tables: the failing and passing examples of every rule."""

from __future__ import annotations

import polars as pl

from csctools.io.result import ReturnData
from csctools.io.typing import type_frame
from csctools.model import SOURCE_FILE, SOURCE_ROW
from csctools.validate.engine import validate
from csctools.validate.registry import REGISTRY, Registry
from csctools.validate.run import DATASETS, load_rules
from csctools.years import CollectionYear

Tables = dict[str, list[dict[str, str | None]]]


def typed(dataset: str, tables: Tables) -> dict[str, pl.DataFrame]:
    from csctools.datasets.ssda903.schema import DERIVED_COLUMNS

    model, _ = DATASETS[dataset]
    out = {}
    for name, rows in tables.items():
        derived = DERIVED_COLUMNS.get(name, ()) if dataset == "ssda903" else ()
        columns = (*model.table(name).columns, *derived)
        text = pl.DataFrame(
            {c.name: [row.get(c.name) for row in rows] for c in columns}
            | {SOURCE_FILE: [f"{name}.csv"] * len(rows), SOURCE_ROW: list(range(2, len(rows) + 2))},
            schema={**{c.name: pl.String for c in columns}, SOURCE_FILE: pl.String, SOURCE_ROW: pl.Int64},
        )
        out[name] = type_frame(text, columns, keep=(SOURCE_FILE, SOURCE_ROW))
    return out


def registry_of(dataset: str, codes: list[str]) -> Registry:
    """A registry holding only the built-in rules `codes` of `dataset`."""
    load_rules(dataset)
    only = Registry()
    for code in codes:
        found = REGISTRY.get(dataset, code)
        assert found is not None, f"rule {code} is not implemented"
        only.add(found)
    return only


def provider_frame(rows: list[dict[str, str]]) -> pl.DataFrame:
    """An Ofsted provider list read through the real reader, from rows keyed by Ofsted's column names."""
    import csv
    import tempfile
    from pathlib import Path

    from csctools.reference.providers import read_providers

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "providers.csv"
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return read_providers(path)


def failing_rows(
    dataset: str,
    code: str,
    tables: Tables,
    year: int = 2026,
    previous: Tables | None = None,
    la: str | None = None,
    providers: list[dict[str, str]] | None = None,
) -> set[tuple[str, int]]:
    """(table, row number) of every cell the rule flags; raises if the rule could not run."""
    from csctools.reference.authorities import find_authority

    load_rules(dataset)
    model, child_key = DATASETS[dataset]
    only = Registry()
    found = REGISTRY.get(dataset, code)
    assert found is not None, f"rule {code} is not implemented"
    only.add(found)
    data = ReturnData(dataset, CollectionYear(year), typed(dataset, tables), [])
    last = ReturnData(dataset, CollectionYear(year - 1), typed(dataset, previous), []) if previous is not None else None
    authority = find_authority(la) if la else None
    pack = load_rules(dataset)
    derived: frozenset[str] = frozenset()
    if hasattr(pack, "prepare"):
        data, last, derived = pack.prepare(data, authority, last)
    provider_list = provider_frame(providers) if providers else None
    result = validate(
        data, model, CollectionYear(year), child_key, authority, last, provider_list, registry=only, derived=derived
    )
    outcome = next(o for o in result.outcomes if o.code == code)
    assert outcome.status in ("passed", "failed", "raised queries"), f"{code}: {outcome.status}: {outcome.reason}"
    return {(t, r) for t, r in result.errors.select("table", "row_number").iter_rows()}
