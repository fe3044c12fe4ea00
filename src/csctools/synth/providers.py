"""A synthetic Ofsted provider list covering every URN the synthetic 903 returns use."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from csctools.reference.authorities import authority_of_postcode
from csctools.synth.care import FOSTER_OTHER, FOSTER_OWN, CareChild
from csctools.synth.common import Area

HEADERS = (
    "URN",
    "Provider type",
    "Local authority",
    "Placement code",
    "Placement provider code",
    "Deregistration date",
    "Setting address postcode",
)


def provider_rows(children: list[CareChild], area: Area) -> list[tuple[str, ...]]:
    """One row per URN: children's homes at the placement's address; fostering services at an address in the
    authority for its own service (PR1), or at the placement's address for agencies."""
    office = area.home[0].postcode
    rows: dict[str, tuple[str, ...]] = {}
    for kid in children:
        for period in kid.periods:
            for ep in period.episodes:
                if not ep.urn or ep.urn == "XXXXXXX" or ep.urn in rows:
                    continue
                fostering = ep.place in (*FOSTER_OWN, *FOSTER_OTHER)
                postcode = office if fostering and ep.provider == "PR1" else (ep.pl_post or office)
                la = authority_of_postcode(postcode)
                kind = "Fostering service" if fostering else "Children's home"
                rows[ep.urn] = (ep.urn, kind, la.name if la else "", ep.place, ep.provider, "", postcode)
    return list(rows.values())


def write_provider_list(children: list[CareChild], area: Area, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Providers")
    sheet.write_row(0, 0, HEADERS, book.add_format({"bold": True}))
    for number, row in enumerate(provider_rows(children, area), start=1):
        sheet.write_row(number, 0, row)
    book.close()
    return path
