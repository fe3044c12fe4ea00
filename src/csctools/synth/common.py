"""Helpers shared by the synthetic generators: seeded choices, dates, identities, UPNs."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from csctools.datasets.ssda903.schema import ETHNIC_CODES
from csctools.reference.authorities import Authority, Postcode, neighbouring_authorities, postcodes_in

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
# Rough shares of children's ethnicities in English children's social care.
ETHNIC_WEIGHTS = {
    "WBRI": 62,
    "WIRI": 1,
    "WOTH": 6,
    "WIRT": 1,
    "WROM": 1,
    "MWBC": 4,
    "MWBA": 1,
    "MWAS": 1,
    "MOTH": 3,
    "AIND": 1,
    "APKN": 2,
    "ABAN": 1,
    "AOTH": 1,
    "BCRB": 1,
    "BAFR": 4,
    "BOTH": 2,
    "CHNE": 0.3,
    "OOTH": 3,
    "REFU": 0.5,
    "NOBT": 1,
}
assert set(ETHNIC_WEIGHTS) == set(ETHNIC_CODES.values)


# Keys and cumulative weights of the mappings `weighted` has drawn from, by identity (each entry holds its mapping,
# so an id is not reused while cached); mappings built afresh at each call stop being cached past the cap. A mapping
# must not change once drawn from.
_CUMULATIVE: dict[int, tuple[Mapping[str, float], list[str], list[float]]] = {}
_CACHE_CAP = 512


def weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    """One key, drawn with the mapping's weights: the same draw as `rng.choices(keys, weights)[0]`, without
    summing the weights again at every call."""
    cached = _CUMULATIVE.get(id(weights))
    if cached is None or cached[0] is not weights:
        cached = (weights, list(weights), list(accumulate(weights.values())))
        if len(_CUMULATIVE) < _CACHE_CAP:
            _CUMULATIVE[id(weights)] = cached
    _, keys, cumulative = cached
    return keys[bisect(cumulative, rng.random() * cumulative[-1], 0, len(cumulative) - 1)]


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def birthday(dob: date, age: int) -> date:
    """The date a child born on dob turns age (29 February birthdays fall on 28 February)."""
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:
        return date(dob.year + age, 2, 28)


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def working_days_after(day: date, days: int) -> date:
    """A weekday `days` working days (Monday to Friday) after day."""
    weeks = (days - 1) // 5  # whole weeks first: any 7 days hold 5 working days; then day by day (1 to 5 left)
    current = day + timedelta(weeks=max(0, weeks))
    days -= 5 * max(0, weeks)
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def upn(rng: random.Random, la_number: str) -> str:
    """A permanent UPN with a correct check letter: LA (3) + establishment (4) + year (2) + serial (3)."""
    body = f"{la_number}{rng.randint(1000, 7999)}{rng.randint(0, 99):02d}{rng.randint(0, 999):03d}"
    total = sum(int(ch) * weight for ch, weight in zip(body, range(2, 14), strict=True))
    return UPN_CHECK_LETTERS[total % 23] + body


def fmt_uk(day: date | None) -> str | None:
    return None if day is None else day.strftime("%d/%m/%Y")


def fmt_iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass
class Area:
    """Where an authority's children live and are placed: its own postcodes and its neighbours'."""

    authority: Authority
    home: tuple[Postcode, ...]
    nearby: tuple[Postcode, ...]

    @classmethod
    def of(cls, authority: Authority) -> Area:
        nearby = tuple(p for a in neighbouring_authorities(authority) for p in postcodes_in(a))
        return cls(authority, postcodes_in(authority), nearby)

    def home_postcode(self, rng: random.Random) -> str:
        return rng.choice(self.home).postcode

    def placement_postcode(self, rng: random.Random, home: str, out_of_area: float = 0.3) -> str:
        """A placement postcode, never the child's home postcode (that is for placements with parents)."""
        pool = self.nearby if rng.random() < out_of_area else self.home
        while (postcode := rng.choice(pool).postcode) == home:  # draw again from the same pool: the LA's own
            if len({p.postcode for p in pool}) < 2:  # provision stays in the LA (a draw from its neighbours gave 1015)
                pool = self.nearby
        return postcode
