"""A synthetic Ofsted provider list shaped like the real one: a few thousand providers across England.

Ofsted's list is national: each authority's own fostering service and children's homes, independent fostering
agencies, private and voluntary children's homes and supported accommodation in every authority, and some
providers since deregistered. The care simulator places children with these providers (`ProviderPool.choose`),
so every URN a synthetic 903 return uses is on the list, with the placement types, provider type and setting
postcode the DfE rules check (219, 221, 224, 229, 241).
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import NamedTuple

import xlsxwriter

from csctools.reference.authorities import Authority, authorities, postcodes_in

HEADERS = (
    "URN",
    "Provider type",
    "Local authority",
    "Placement code",
    "Placement provider code",
    "Deregistration date",
    "Setting address postcode",
)
FOSTERING_CODES = "U1,U2,U3,U4,U5,U6"
AGENCY_CODES = "U4,U5,U6"
# Premises per authority, by placement and provider code: at least two of each, so a child is never placed at
# the postcode of their own home for want of another (about 20 an authority, 3,000 across England).
HOMES_PER_LA = {("K2", "PR1"): 2, ("K2", "PR4"): 10, ("K2", "PR5"): 2, ("K3", "PR1"): 2, ("K3", "PR4"): 2}
HOMES_PER_LA |= {("K3", "PR5"): 2}
AGENCIES = {"PR4": 240, "PR5": 60}  # independent fostering agencies (private, voluntary), anywhere in England
CLOSED_SHARE = 0.05  # providers on the list that have since closed; no child is placed with them
KINDS = {"K2": "Children's home", "K3": "Supported accommodation"}


class Provider(NamedTuple):
    urn: str
    kind: str
    la: Authority
    place_codes: str
    provider_code: str
    closed: date | None
    postcode: str

    def row(self) -> tuple[str, ...]:
        closed = self.closed.strftime("%d/%m/%Y") if self.closed else ""
        return (self.urn, self.kind, self.la.name, self.place_codes, self.provider_code, closed, self.postcode)


class ProviderPool:
    """Every provider on the synthetic list, and the open ones a placement can be made with."""

    def __init__(self, seed: int | str) -> None:
        rng = random.Random(f"{seed}:providers")  # its own stream: the care histories draw as before
        self.providers: list[Provider] = []
        self.homes: dict[tuple[str, str, str], list[Provider]] = {}  # (LA number, place, provider code)
        self.fostering: dict[str, Provider] = {}  # LA number -> its own fostering service
        self.agencies: dict[str, list[Provider]] = {}  # provider code -> fostering agencies
        urns = iter(rng.sample(range(100_000, 1_000_000), 10_000))
        places = [(a, postcodes_in(a)) for a in authorities() if _has_postcodes(a)]
        for la, postcodes in places:
            office = Provider(f"SC{next(urns)}", "Fostering service", la, FOSTERING_CODES, "PR1", None, postcodes[0][0])
            self.providers.append(office)
            self.fostering[la.number] = office
            for (place, code), count in HOMES_PER_LA.items():
                for _ in range(count):
                    home = Provider(f"SC{next(urns)}", KINDS[place], la, place, code, None, rng.choice(postcodes)[0])
                    self.providers.append(home)
                    self.homes.setdefault((la.number, place, code), []).append(home)
        for code, count in AGENCIES.items():
            for _ in range(count):
                la, postcodes = rng.choice(places)
                agency = Provider(f"SC{next(urns)}", "Fostering agency", la, AGENCY_CODES, code, None, postcodes[0][0])
                self.providers.append(agency)
                self.agencies.setdefault(code, []).append(agency)
        for _ in range(int(len(self.providers) * CLOSED_SHARE)):
            la, postcodes = rng.choice(places)
            place = rng.choice(("K2", "K3"))
            closed = date(rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28))
            code = rng.choice(("PR4", "PR5"))
            closed_home = Provider(f"SC{next(urns)}", KINDS[place], la, place, code, closed, rng.choice(postcodes)[0])
            self.providers.append(closed_home)

    def home(self, rng: random.Random, la: Authority, place: str, code: str, away_from: str | None) -> Provider:
        """A children's home or supported accommodation of this provider type in this authority, not at the
        child's own home postcode."""
        return rng.choice([p for p in self.homes[(la.number, place, code)] if p.postcode != away_from])

    def fostering_service(self, rng: random.Random, la: Authority, code: str) -> Provider:
        """The authority's own fostering service (PR1), or an independent agency of this provider type."""
        return self.fostering[la.number] if code == "PR1" else rng.choice(self.agencies[code])


def _has_postcodes(la: Authority) -> bool:
    try:
        return bool(postcodes_in(la))
    except LookupError:
        return False


def write_provider_list(pool: ProviderPool, path: Path) -> Path:
    """The whole list, in URN order, as Ofsted publishes it (one sheet, a header row)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Providers")
    sheet.write_row(0, 0, HEADERS, book.add_format({"bold": True}))
    for number, provider in enumerate(sorted(pool.providers), start=1):
        sheet.write_row(number, 0, provider.row())
    book.close()
    return path
