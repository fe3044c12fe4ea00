"""Applying a policy to a return: only the columns the policy names, each under its treatment."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import polars as pl

from csctools.io.result import ReturnData
from csctools.model import RAW_SUFFIX
from csctools.share.columns import DATASETS, row_owner
from csctools.share.policy import SHIFT, Policy
from csctools.share.treat import Memo, shift_days, treat


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
    model = DATASETS[data.dataset]
    on = reference_date(data)
    tables: dict[str, pl.DataFrame] = {}
    blanked: dict[str, int] = {}
    memo: Memo = {}
    for name, frame in data.tables.items():
        try:
            table = model.table(name)
        except KeyError:
            continue
        kept = {c: t for c, t in policy.kept(data.dataset, table).items() if c in frame.columns}
        if not kept:
            continue
        owner = row_owner(data.dataset, table)
        needs_shift = any(t.name == SHIFT for t in kept.values())
        offsets = None
        if needs_shift and owner is not None and owner in frame.columns:
            offsets = shift_days(frame[owner], key, policy.shift_days, memo)
        columns = []
        for column, treatment in kept.items():
            shared = treat(frame, column, treatment, key, offsets, on, policy.age_bands, memo)
            lost = shared.null_count() - frame[column].null_count()
            raw = f"{column}{RAW_SUFFIX}"
            unparsed = frame[raw].is_not_null().sum() if raw in frame.columns else 0
            if lost + unparsed:
                blanked[f"{name}.{column}"] = int(lost + unparsed)
            columns.append(shared)
        tables[name] = pl.DataFrame(columns)
    year_key = data.year.key if data.year is not None else "undated"
    return SharedReturn(data.dataset, year_key, tables, blanked)
