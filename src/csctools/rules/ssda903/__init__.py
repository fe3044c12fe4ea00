"""SSDA903 rule pack: importing it registers every implemented rule; `prepare` derives placement columns."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from csctools.io.result import ReturnData
from csctools.reference import postcodes
from csctools.reference.authorities import Authority
from csctools.rules.ssda903 import (  # noqa: F401
    adoption,
    cross_tables,
    dolo,
    episodes,
    header,
    integrity,
    legal_status,
    missing,
    mothers,
    oc2,
    oc3,
    placement_postcodes,
    placements,
    previous_year,
    prevperm,
    providers,
    reviews,
    social_workers,
    uasc,
)
from csctools.rules.ssda903.common import NEIGHBOUR_COLUMNS

# Columns worked out by `prepare` or a shared frame, and the file's columns each comes from: a file without one
# leaves the derived column out too (validate/gaps.py), rather than worked out from an empty column.
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "PL_LA": ("PL_POST",),
    "PL_LOCATION": ("PL_POST",),
    "PL_POST_FOUND": ("PL_POST",),
    "PL_DISTANCE": ("HOME_POST", "PL_POST"),
    "HOME_POST_FOUND": ("HOME_POST",),
    "HEADER_DOB": ("DOB",),  # common.header_dob
    **{f"{side}_{column}": (column,) for side in ("PREV", "NEXT") for column in NEIGHBOUR_COLUMNS},  # common.episodes
}


def prepare(
    data: ReturnData, authority: Authority | None, previous: ReturnData | None = None
) -> tuple[ReturnData, ReturnData | None, frozenset[str]]:
    """Add PL_LA, PL_LOCATION, PL_DISTANCE (and whether each postcode was found) to the Episodes of this year's
    and last year's returns from the ONS Postcode Directory, as the DfE does; both years are looked up at once."""
    returns = [r for r in (data, previous) if r is not None and "Episodes" in r.tables]
    if not returns or not postcodes.available():
        return data, previous, frozenset()
    found = postcodes.lookup(pl.concat([r.tables["Episodes"][c] for r in returns for c in ("HOME_POST", "PL_POST")]))
    own = authority.ons_code if authority else None

    def located(ret: ReturnData | None) -> ReturnData | None:
        if ret is None or "Episodes" not in ret.tables:
            return ret
        located_episodes = postcodes.placement_columns(ret.tables["Episodes"], own, found)
        return replace(ret, tables={**ret.tables, "Episodes": located_episodes})

    return located(data) or data, located(previous), frozenset({"postcode_derived"})
