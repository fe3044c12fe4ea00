"""Applying a policy to a return: only the columns the policy names, each under its treatment."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import polars as pl

from csctools.io.result import ReturnData
from csctools.model import RAW_SUFFIX
from csctools.share.columns import DATASETS, row_owner
from csctools.share.policy import PSEUDONYM, SHIFT, Policy, Treatment
from csctools.share.treat import keyed_table, looked_up, offsets_of, plain_treatment, pseudonyms_of


class SharedReturn(NamedTuple):
    dataset: str
    year_key: str  # "2025_26", or "undated" (an Annex A workbook)
    tables: dict[str, pl.DataFrame]  # only the columns shared, in the model's order; rows as in the input
    blanked: dict[str, int]  # "Table.column" -> values that could not be treated (unparsed, not a postcode)


def reference_date(data: ReturnData) -> date:
    """The date ages are worked out at: the end of the collection year, else the latest date in the return."""
    if data.year is not None:
        return data.year.end_date
    latest = [
        frame[c].max()
        for frame in data.tables.values()
        for c, dtype in frame.schema.items()
        if dtype == pl.Date and not c.endswith(RAW_SUFFIX)
    ]
    found = [d for d in latest if isinstance(d, date)]
    return max(found) if found else date(2000, 1, 1)


def pseudonymise(data: ReturnData, policy: Policy, key: bytes) -> SharedReturn:
    """The return under the policy. Keyed values (pseudonyms, per-child offsets) are worked out once per domain
    for the whole return, over its distinct values; then each table is one polars query (a select of every
    column's treatment), not a query per column."""
    model = DATASETS[data.dataset]
    on = reference_date(data)
    plans: list[tuple[str, pl.DataFrame, dict[str, Treatment], str | None]] = []
    for name, frame in data.tables.items():
        try:
            table = model.table(name)
        except KeyError:
            continue
        kept = {c: t for c, t in policy.kept(data.dataset, table).items() if c in frame.columns}
        if not kept:
            continue
        owner = row_owner(data.dataset, table)
        shifts = any(t.name == SHIFT for t in kept.values()) and owner is not None and owner in frame.columns
        plans.append((name, frame, kept, owner if shifts else None))
    lookups = _keyed_lookups(plans, policy, key)
    tables: dict[str, pl.DataFrame] = {}
    blanked: dict[str, int] = {}
    for name, frame, kept, owner in plans:
        offsets = looked_up(pl.col(owner), lookups[SHIFT_DOMAIN], pl.Int32) if owner is not None else None
        exprs = []
        for column, treatment in kept.items():
            if treatment.name == PSEUDONYM:
                exprs.append(looked_up(pl.col(column), lookups[treatment.domain], pl.String).alias(column))
            elif treatment.name == SHIFT:
                assert offsets is not None, "a shift needs the rows' per-child offsets"
                exprs.append((pl.col(column) + pl.duration(days=offsets)).alias(column))
            else:
                exprs.append(plain_treatment(column, treatment, on, policy.age_bands))
        shared = frame.select(exprs)
        tables[name] = shared
        blanked.update(_blanked(name, frame, shared))
    year_key = data.year.key if data.year is not None else "undated"
    return SharedReturn(data.dataset, year_key, tables, blanked)


SHIFT_DOMAIN = "\0shift"  # the offsets' look-up among the pseudonym domains' (no domain is named so)


def _keyed_lookups(
    plans: list[tuple[str, pl.DataFrame, dict[str, Treatment], str | None]], policy: Policy, key: bytes
) -> dict[str, pl.DataFrame]:
    """Per pseudonym domain (and for the offsets), each distinct value of the return with its result."""
    values: dict[str, list[pl.Series]] = {}
    for _name, frame, kept, owner in plans:
        for column, treatment in kept.items():
            if treatment.name == PSEUDONYM:
                values.setdefault(treatment.domain, []).append(frame[column].cast(pl.String).alias("raw"))
        if owner is not None:
            values.setdefault(SHIFT_DOMAIN, []).append(frame[owner].cast(pl.String).alias("raw"))
    lookups = {}
    for domain, parts in values.items():
        if domain == SHIFT_DOMAIN:
            lookups[domain] = keyed_table(pl.concat(parts), offsets_of(key, policy.shift_days), pl.Int32)
        else:
            lookups[domain] = keyed_table(pl.concat(parts), pseudonyms_of(key, domain), pl.String)
    return lookups


def _blanked(name: str, frame: pl.DataFrame, shared: pl.DataFrame) -> dict[str, int]:
    """'Table.column' -> values that could not be treated: blanked by the treatment, or unparsed in the input."""
    raws = [f"{c}{RAW_SUFFIX}" for c in shared.columns]
    before = frame.select(
        *(pl.col(c).null_count().alias(c) for c in shared.columns),
        *(pl.col(r).is_not_null().sum().alias(r) for r in raws if r in frame.columns),
    ).row(0, named=True)
    after = shared.null_count().row(0, named=True)
    found = {}
    for column in shared.columns:
        count = after[column] - before[column] + before.get(f"{column}{RAW_SUFFIX}", 0)
        if count:
            found[f"{name}.{column}"] = int(count)
    return found
