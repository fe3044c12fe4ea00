"""SSDA903 rule pack: importing it registers every implemented rule; `prepare` derives placement columns."""

from __future__ import annotations

from dataclasses import replace

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


def prepare(data: ReturnData, authority: Authority | None) -> tuple[ReturnData, frozenset[str]]:
    """Add PL_LA, PL_LOCATION and PL_DISTANCE to Episodes from the ONS Postcode Directory, as the DfE does."""
    episodes_table = data.tables.get("Episodes")
    if episodes_table is None or not postcodes.available():
        return data, frozenset()
    own = authority.ons_code if authority else None
    tables = {**data.tables, "Episodes": postcodes.placement_columns(episodes_table, own)}
    return replace(data, tables=tables), frozenset({"postcode_derived"})
