"""English local authorities with children's services, and a sample of postcodes in each."""

from __future__ import annotations

import csv
from functools import lru_cache
from typing import NamedTuple

from csctools.package_data import read_text


class Authority(NamedTuple):
    number: str  # old-style 3-digit code, e.g. "383"
    name: str
    region: str
    type: str
    ons_code: str  # upper-tier ONS code, e.g. "E08000035"; empty for authorities that no longer exist


class Postcode(NamedTuple):
    postcode: str
    easting: int
    northing: int


def _data_text(name: str) -> str:
    return read_text("reference", "data", name)


@lru_cache(maxsize=1)
def authorities() -> tuple[Authority, ...]:
    rows = csv.DictReader(_data_text("authorities.csv").splitlines())
    return tuple(Authority(r["la_number"], r["la_name"], r["region"], r["type"], r["ons_code"]) for r in rows)


def la_numbers() -> tuple[str, ...]:
    """Every 3-digit LA number, including authorities since reorganised (valid in historical fields)."""
    return tuple(a.number for a in authorities())


def find_authority(code: str) -> Authority:
    """Look an authority up by 3-digit number, ONS code or name (case-insensitive)."""
    wanted = code.strip().lower()
    for authority in authorities():
        if wanted in (authority.number, authority.ons_code.lower(), authority.name.lower()):
            return authority
    raise LookupError(f"'{code}' is not an English local authority (give e.g. 383, E08000035 or Leeds)")


@lru_cache(maxsize=1)
def _postcodes() -> dict[str, tuple[Postcode, ...]]:
    grouped: dict[str, list[Postcode]] = {}
    for row in csv.DictReader(_data_text("postcodes_by_la.csv").splitlines()):
        grouped.setdefault(row["la_number"], []).append(
            Postcode(row["postcode"], int(row["easting"]), int(row["northing"]))
        )
    return {la: tuple(items) for la, items in grouped.items()}


def postcodes_in(authority: Authority) -> tuple[Postcode, ...]:
    found = _postcodes().get(authority.number, ())
    if not found:
        raise LookupError(
            f"no postcodes are known for {authority.name} ({authority.number}): it no longer exists as an authority"
        )
    return found


def neighbouring_authorities(authority: Authority, count: int = 6) -> tuple[Authority, ...]:
    """The authorities whose postcodes lie closest to this one's (by centre of the postcode sample)."""
    postcodes_in(authority)  # a clear error for an authority that no longer exists
    centres = {
        la: (sum(p.easting for p in pcs) / len(pcs), sum(p.northing for p in pcs) / len(pcs))
        for la, pcs in _postcodes().items()
    }
    home = centres[authority.number]
    others = sorted(
        (la for la in centres if la != authority.number),
        key=lambda la: (centres[la][0] - home[0]) ** 2 + (centres[la][1] - home[1]) ** 2,
    )
    by_number = {a.number: a for a in authorities()}
    return tuple(by_number[la] for la in others[:count])


@lru_cache(maxsize=1)
def _authority_by_postcode() -> dict[str, Authority]:
    by_number = {a.number: a for a in authorities()}
    return {p.postcode: by_number[la] for la, items in _postcodes().items() for p in items}


def authority_of_postcode(postcode: str) -> Authority | None:
    """The authority of a postcode from the shipped sample (the synthetic data draws only from it)."""
    return _authority_by_postcode().get(postcode)
