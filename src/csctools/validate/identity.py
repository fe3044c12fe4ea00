"""Whose return is this? Warnings for a return that looks like another authority's, or two returns mixed.

A permanent UPN carries the number of the authority that issued it (characters 2 to 4); children move, so some
UPNs of any return are other authorities', but when most are one other authority's the `--la` given is probably
wrong. In the SSDA903 every child of every table is in the Header: many children missing from it means files of
two returns were put together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from csctools.reference.authorities import Authority, find_authority
from csctools.years import CollectionYear

if TYPE_CHECKING:
    from csctools.io.result import ReturnData

UPN_TABLES = {"ssda903": "Header", "cin": "ChildIdentifiers"}
MOST = 0.5  # another authority issued at least this share of the UPNs ...
FEW = 0.2  # ... and the authority given at most this share: say so
MIXED_SHARE = 0.1  # a table whose children are this share or more missing from the Header
MIXED_AT_LEAST = 5


def census_year(data: ReturnData) -> CollectionYear | None:
    """The year a CIN census's header names (its reference date, else its Year), whatever year it was read as."""
    from csctools.datasets.cin.read import header_year

    return header_year(data.tables.get("Header")) if data.dataset == "cin" else None


def year_given_warning(data: ReturnData, year: CollectionYear) -> str | None:
    """'--year says 2024/25 but the dates in the files are of 2025/26' (the SSDA903's dates, the census header)."""
    if data.dataset == "ssda903":
        from csctools.datasets.ssda903.detect import year_from_content

        dated = year_from_content(data.tables)
        if dated is not None and dated != year:
            return f"--year says {year.label} but the dates in the files are of {dated.label}"
    if data.dataset == "cin":
        headed = census_year(data)
        if headed is not None and headed != year:
            return f"--year says {year.label} but the census header is of {headed.label}"
    return None


def upn_issuers(data: ReturnData) -> pl.DataFrame:
    """The authorities' numbers in the return's permanent UPNs (a letter, then 12 digits) with their share."""
    table = data.tables.get(UPN_TABLES.get(data.dataset, ""))
    if table is None or "UPN" not in table.columns:
        return pl.DataFrame(schema={"NUMBER": pl.String, "SHARE": pl.Float64})
    upns = table.select(pl.col("UPN").cast(pl.String).str.strip_chars().str.to_uppercase()).filter(
        pl.col("UPN").str.contains(r"^[A-Z][0-9]{12}$")
    )
    return (
        upns.group_by(pl.col("UPN").str.slice(1, 3).alias("NUMBER"))
        .len()
        .select("NUMBER", (pl.col("len") / pl.col("len").sum()).alias("SHARE"))
        .sort(["SHARE", "NUMBER"], descending=[True, False])
    )


def other_authority_warning(
    data: ReturnData, given: Authority, named_by: str = "--la", check: str = "check --la"
) -> str | None:
    """A warning when most UPNs were issued by one other authority and few by the one given, else None
    (`named_by`: where the user gave the authority, as the warning names it; `check`: what to do)."""
    issuers = upn_issuers(data)
    if issuers.is_empty():
        return None
    top, top_share = str(issuers["NUMBER"][0]), float(issuers["SHARE"][0])
    given_share = float(issuers.filter(pl.col("NUMBER") == given.number)["SHARE"].sum())
    if top == given.number or top_share < MOST or given_share > FEW:
        return None
    try:
        name = f"{find_authority(top).name} ({top})"
    except LookupError:
        name = f"authority number {top}"
    return (
        f"warning: {named_by} {given.number} ({given.name}), but {top_share:.0%} of the children's UPNs were issued "
        f"by {name} and {given_share:.0%} by {given.name}: {check}"
    )


def mixed_returns_warnings(data: ReturnData) -> list[str]:
    """For an SSDA903 return: each table with many children who are not in the Header (files of two returns?).
    Every table's two counts come from one query."""
    header = data.tables.get("Header")
    if data.dataset != "ssda903" or header is None or "CHILD" not in header.columns:
        return []
    known = pl.lit(header["CHILD"]).drop_nulls().unique().implode()
    names = [n for n, t in data.tables.items() if n != "Header" and "CHILD" in t.columns]
    plans = [
        data.tables[name]
        .lazy()
        .select(pl.col("CHILD").drop_nulls().unique())
        .select(pl.len().alias("children"), (~pl.col("CHILD").is_in(known)).sum().alias("missing"))
        for name in names
    ]
    warnings = []
    for name, counts in zip(names, pl.collect_all(plans, engine="in-memory"), strict=True):
        children, missing = counts.row(0)
        if missing >= MIXED_AT_LEAST and missing >= MIXED_SHARE * children:
            warnings.append(
                f"warning: {missing:,} of the {name} table's {children:,} children are not in the Header "
                f"table{_file_of(data, name)}: are these files of two different returns?"
            )
    return warnings


def whose_return_warnings(
    data: ReturnData, authority: Authority | None, named_by: str = "--la", check: str = "check --la"
) -> list[str]:
    """Every warning about whose return this is: files of two returns put together, and an authority the children's
    UPNs contradict (worded with `named_by` and `check`, as in `other_authority_warning`)."""
    found = mixed_returns_warnings(data)
    other = other_authority_warning(data, authority, named_by, check) if authority is not None else None
    return [*found, other] if other else found


def _file_of(data: ReturnData, table: str) -> str:
    files = [f.path for f in data.files if any(t.name == table for t in f.tables)]
    return f" ({', '.join(files)})" if files else ""
