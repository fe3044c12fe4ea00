"""Simulated care histories: children, periods of care and their episodes, over many years."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from csctools.reference.authorities import authority_of_postcode
from csctools.synth import england
from csctools.synth.common import ETHNIC_WEIGHTS, Area, add_days, age_on, birthday, upn, weighted
from csctools.synth.providers import ProviderPool

FOSTER_OWN = ("U1", "U2", "U3")  # with relatives or friends
FOSTER_OTHER = ("U4", "U5", "U6")
RETURN_HOME = england.RETURN_HOME
PERMANENCE_ENDS = england.PERMANENCE_ENDS
AT_EIGHTEEN = {"E5": 4, "E6": 2, "E8": 1}
UASC_16_17 = {**england.PLACEMENTS_16_17, "P1": 0}  # unaccompanied: no parents here
UASC_14_15 = {**UASC_16_17, "K3": 0}  # not yet in supported accommodation
SUPPORTED_PROVIDERS = {"PR1": 1, "PR4": 3, "PR5": 0.5}  # homes and supported accommodation: own, private, voluntary
SW_REASONS = {"MANAGE": 2, "LEFTRL": 3, "ORGRST": 1, "TSPROC": 1, "ABSENC": 1, "CHCHAN": 1, "PCCHAN": 1}
# Number, sexes and legal status of adopters, consistent with one another (single, married, civil partners, ...).
ADOPTERS = (
    ("1", "F1", "L0"),
    ("1", "M1", "L0"),
    ("2", "MF", "L11"),
    ("2", "FF", "L12"),
    ("2", "MM", "L2"),
    ("2", "MF", "L3"),
    ("2", "FF", "L4"),
)
MOVE_REASONS = {
    "CARPL": 3,
    "CHILD": 2,
    "LAREQ": 3,
    "PLACE": 2,
    "ALLEG": 1,
    "STAND": 1,
    "CREQB": 1,
    "OTHER": 1,
}


@dataclass
class Episode:
    start: date
    end: date | None
    rne: str
    ls: str
    cin: str
    place: str
    provider: str
    home_post: str | None
    pl_post: str | None
    urn: str | None
    rec: str | None = None
    reason_change: str | None = None


@dataclass
class Adoption:
    decision: date  # DATE_INT / DATE_PLACED
    match: date | None = None
    order: date | None = None  # adoption order (period end)
    reversed_on: date | None = None
    foster_carer: bool = False
    adopters: tuple[str, str, str] = ("2", "MF", "L0")  # NB_ADOPTR, SEX_ADOPTR, LS_ADOPTR


@dataclass
class Period:
    episodes: list[Episode]
    prev_perm: tuple[str, str | None, date | None] = ("Z1", None, None)
    adoption: Adoption | None = None

    @property
    def start(self) -> date:
        return self.episodes[0].start

    @property
    def end(self) -> date | None:
        return self.episodes[-1].end

    @property
    def reason_end(self) -> str | None:
        return self.episodes[-1].rec


@dataclass
class CareChild:
    child_id: str
    sex: str  # M or F
    dob: date
    ethnic: str
    upn: str
    uasc: bool = False
    mc_dob: date | None = None
    periods: list[Period] = field(default_factory=list)
    missing: list[tuple[str, date, date | None]] = field(default_factory=list)
    dolo: list[tuple[date, date | None]] = field(default_factory=list)
    oc3: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # year end -> IN_TOUCH, ACTIV, ACCOM
    social_workers: list[tuple[str, date, date | None, str | None]] = field(default_factory=list)

    @property
    def first_start(self) -> date:
        return self.periods[0].start

    @property
    def last_end(self) -> date | None:
        return self.periods[-1].end


def entry_age(rng: random.Random) -> int:
    band = weighted(rng, {"0": 20, "1-4": 15, "5-9": 18, "10-15": 37, "16-17": 10})
    low, _, high = band.partition("-")
    return rng.randint(int(low), int(high or low))


def placement_for(rng: random.Random, age: int, uasc: bool) -> tuple[str, str]:
    """A placement type and provider plausible for the child's age."""
    if uasc or age >= 16:
        place = weighted(rng, (UASC_16_17 if age >= 16 else UASC_14_15) if uasc else england.PLACEMENTS_16_17)
    elif age >= 10:
        place = weighted(rng, england.PLACEMENTS_10_15)
    else:
        place = weighted(rng, england.PLACEMENTS_UNDER_10)
    if place == "P1":
        return place, "PR0"
    if place in ("K2", "K3", "R1"):
        return place, weighted(rng, SUPPORTED_PROVIDERS)
    if place in FOSTER_OWN:
        return place, "PR1"
    return place, weighted(rng, {"PR1": 3, "PR4": 2, "PR5": 0.3})


class CareSimulator:
    """Generates children entering care between two dates, with whole care histories."""

    def __init__(
        self, rng: random.Random, area: Area, until: date, providers: ProviderPool, chooser: random.Random
    ) -> None:
        self.rng = rng
        self.area = area
        self.until = until
        self.sw_counter = 0
        rng.randint(100000, 400000)  # the draw that once numbered URNs: kept, so the histories stay as they were
        self.providers = providers
        self.chooser = chooser  # picks providers from the list, apart from `rng`

    def child(self, child_id: str, entry: date) -> CareChild:
        rng = self.rng
        uasc = rng.random() < england.UASC_AT_ENTRY
        age = rng.randint(14, 17) if uasc else entry_age(rng)
        dob = add_days(birthday(entry, -age), -rng.randint(1, 364))
        if age_on(dob, entry) >= 18:
            dob = add_days(dob, 30)
        sex = ("M" if rng.random() < 0.9 else "F") if uasc else rng.choice("MF")
        ethnic = weighted(rng, {"OOTH": 3, "AOTH": 3, "BAFR": 3, "ABAN": 1}) if uasc else weighted(rng, ETHNIC_WEIGHTS)
        kid = CareChild(child_id, sex, dob, ethnic, upn(rng, self.area.authority.number), uasc=uasc)
        kid.periods.append(self.period(kid, entry, first=True))
        end = kid.periods[-1].end
        if end and kid.periods[-1].reason_end in RETURN_HOME and rng.random() < 0.15:
            again = add_days(end, rng.randint(60, 700))
            if again <= self.until and age_on(dob, again) < 17:
                kid.periods.append(self.period(kid, again, first=False))
        self.add_missing(kid)
        self.add_social_workers(kid)
        if kid.sex == "F" and rng.random() < 0.02 and age_on(dob, entry) >= 15:
            first = kid.periods[0]
            stop = first.end or self.until
            if (stop - entry).days > 40:  # her child is born while she is looked after
                kid.mc_dob = add_days(entry, rng.randint(30, min(300, (stop - entry).days - 1)))
        return kid

    def period(self, kid: CareChild, start: date, first: bool) -> Period:
        rng = self.rng
        age = age_on(kid.dob, start)
        eighteen = birthday(kid.dob, 18)
        route = (
            "adoption" if age < 2 and rng.random() < 0.45 else weighted(rng, {"short": 40, "medium": 30, "long": 30})
        )
        if kid.uasc:
            route = "long"
        length = {
            "adoption": rng.randint(600, 1100),
            "short": rng.randint(10, 180),
            "medium": rng.randint(180, 1100),
            "long": rng.randint(1100, 6000),
        }[route]
        end: date | None = add_days(start, length)
        assert end is not None
        rec: str | None
        if end >= eighteen:
            end, rec = eighteen, weighted(rng, AT_EIGHTEEN)
        elif route == "adoption":
            rec = rng.choice(("E11", "E12"))
            if (end.month, end.day) == (3, 31):  # adopted on 31 March is still looked after 12 months (187)
                end = add_days(end, 1)
        elif route == "short":
            rec = weighted(rng, RETURN_HOME)
        else:
            rec = weighted(rng, {**RETURN_HOME, **PERMANENCE_ENDS})
        planned_end, planned_rec = end, rec  # an adoption still under way at the end has its placement order
        if end >= self.until:  # still looked after at the end of the simulation (leaving on its last day gave 187)
            end, rec = None, None
        legal = "V2" if kid.uasc or route == "short" or rng.random() < 0.3 else "C1"
        cin = "N1" if legal == "C1" else weighted(rng, {"N1": 4, "N2": 1, "N4": 1, "N5": 1, "N8": 1})
        if kid.uasc:
            cin = "N7"
        prev_perm: tuple[str, str | None, date | None] = ("Z1", None, None)
        if first and rng.random() < 0.08:  # an earlier adoption, SGO or residence order
            option = rng.choice(("P1", "P2", "P3", "P4"))
            prev_perm = (option, self.area.authority.number, add_days(start, -rng.randint(200, 2000)))
            if prev_perm[2] is not None and prev_perm[2] <= kid.dob:
                prev_perm = ("Z1", None, None)
        adopted = route == "adoption" and planned_rec in ("E11", "E12")
        adoption = self.plan_adoption(start, planned_end) if adopted else None
        if rec in ("E11", "E12") and adoption is None:  # no time for an adoption: a special guardianship order
            rec = "E45"
        episodes = self.episodes(kid, start, end, rec, legal, cin, adoption)
        last = episodes[-1]
        if last.rec in ("E45", "E46") and last.place not in (*FOSTER_OWN, *FOSTER_OTHER):
            last.rec = "E41"  # special guardianship comes from foster care; otherwise a child arrangements order
        fostered_at_18 = last.end == eighteen and last.rec in AT_EIGHTEEN and last.place in (*FOSTER_OWN, *FOSTER_OTHER)
        if fostered_at_18 and rng.random() < england.STAYING_PUT_AT_18:
            last.rec = "E17"  # stays on with the foster carers at 18 (staying put)
        return Period(episodes, prev_perm, adoption)

    def plan_adoption(self, start: date, end: date) -> Adoption | None:
        """Placement order, match and adoption order for a period planned to end in adoption on `end` (which may be
        after the simulation stops: the child is then still on the placement order at its end)."""
        rng = self.rng
        decision = add_days(start, rng.randint(150, 250))
        placed = add_days(end, -rng.randint(150, 250))
        if placed <= decision:
            return None
        match = add_days(placed, -rng.randint(5, 25))
        match = max(match, add_days(decision, 1))
        adopters = rng.choice(ADOPTERS)
        return Adoption(decision, match, end, foster_carer=rng.random() < 0.15, adopters=adopters)

    def episodes(
        self,
        kid: CareChild,
        start: date,
        end: date | None,
        rec: str | None,
        legal: str,
        cin: str,
        adoption: Adoption | None,
    ) -> list[Episode]:
        rng = self.rng
        horizon = end or self.until
        changes: dict[date, set[str]] = {}
        days = (horizon - start).days
        if legal == "C1" and days > 150:
            changes.setdefault(add_days(start, rng.randint(90, min(300, days - 30))), set()).add("care_order")
        moves = min(8, int(rng.expovariate(1.0) * min(days, england.UNSETTLED_DAYS) / england.DAYS_PER_MOVE))
        for _ in range(moves):
            if days > 60:  # moves come early in a stay: the longer a child stays, the rarer they are (england.py)
                early = int((days - 40) * rng.random() ** england.MOVE_TIMING_POWER)
                changes.setdefault(add_days(start, 20 + early), set()).add("place")
        move_on = add_days(birthday(kid.dob, 16), rng.randint(90, 540))  # to supported accommodation
        if adoption is None and start < move_on < add_days(horizon, -20) and rng.random() < england.MOVE_ON_AT_SIXTEEN:
            changes.setdefault(move_on, set()).add("move_on")
        if adoption:
            placed = add_days(adoption.match or adoption.decision, 14)
            changes.setdefault(add_days(adoption.decision, 1), set()).add("placement_order")
            changes = {d: k for d, k in changes.items() if d < placed}
            changes.setdefault(placed, set()).add("adopt")
        home = None if kid.uasc else self.area.home_postcode(rng)
        place, provider = self.placement(kid, start, legal, adoption)
        urn, pl_post = self.provider_for(place, provider, self.placement_postcode(home, place, provider), home)
        current = Episode(start, None, "S", legal, cin, place, provider, home, pl_post, urn)
        episodes = [current]
        for when in sorted(changes):
            if when >= horizon or when <= current.start:
                continue
            kinds = changes[when]
            ls, place, provider, pl_post, urn = (
                current.ls,
                current.place,
                current.provider,
                current.pl_post,
                current.urn,
            )
            if "care_order" in kinds and ls == "C1":
                ls = "C2"
            if "placement_order" in kinds:
                ls = "E1"
            if "adopt" in kinds:
                with_carers = bool(adoption and adoption.foster_carer and current.place != "P1")
                place = "A3" if with_carers else "A4"
                provider, urn = "PR1", "XXXXXXX"
                if not with_carers:
                    pl_post = self.placement_postcode(current.home_post, place, provider)
                    if adoption:
                        adoption.foster_carer = False
            elif "place" in kinds or "move_on" in kinds:
                if "move_on" in kinds:  # moving on to supported accommodation after 16
                    place, provider = "K3", weighted(rng, SUPPORTED_PROVIDERS)
                else:
                    place, provider = self.placement(kid, when, ls, adoption)
                drawn = self.placement_postcode(current.home_post, place, provider)
                urn, pl_post = self.provider_for(place, provider, drawn, current.home_post)
            changed_place = place != current.place or pl_post != current.pl_post
            changed_legal = ls != current.ls
            if not (changed_place or changed_legal):
                continue
            rne = "B" if changed_place and changed_legal else "L" if changed_legal else "P"
            if place == "A3":
                rne = "T"  # placed for adoption with the current foster carers: same address
            current.end, current.rec = when, "X1"
            if changed_place:
                current.reason_change = weighted(rng, MOVE_REASONS)
            current = Episode(when, None, rne, ls, current.cin, place, provider, current.home_post, pl_post, urn)
            episodes.append(current)
        current.end, current.rec = end, rec
        return episodes

    def provider_for(
        self, place: str, provider: str, pl_post: str | None, home: str | None
    ) -> tuple[str | None, str | None]:
        """The Ofsted URN where the placement needs one, and the placement postcode: a children's home or supported
        accommodation of the provider type in the authority of the drawn postcode (the child lives at its setting
        postcode); the authority's own fostering service or an agency; XXXXXXX for adoption through a regional
        adoption agency; none where Ofsted registers none."""
        if place in ("K2", "K3") and pl_post is not None:
            la = authority_of_postcode(pl_post) or self.area.authority
            setting = self.providers.home(self.chooser, la, place, provider, away_from=home)
            return setting.urn, setting.postcode
        if place in (*FOSTER_OWN, *FOSTER_OTHER):
            return self.providers.fostering_service(self.chooser, self.area.authority, provider).urn, pl_post
        if place.startswith("A"):
            return "XXXXXXX", pl_post
        return None, pl_post

    def placement_postcode(self, home: str | None, place: str, provider: str) -> str | None:
        """Home for placements with parents; the LA's own provision in area. UASC have a placement postcode but no
        home postcode (so no distance is derived for them)."""
        if place == "P1" and home is not None:
            return home
        own_provision = provider == "PR1" and place not in (*FOSTER_OWN, *FOSTER_OTHER) and not place.startswith("A")
        return self.area.placement_postcode(self.rng, home or "", out_of_area=0.0 if own_provision else 0.3)

    def placement(self, kid: CareChild, day: date, legal: str, adoption: Adoption | None) -> tuple[str, str]:
        """A placement for the child's age; foster care before adoption; no placement with parents under s20."""
        while True:
            place, provider = placement_for(self.rng, age_on(kid.dob, day), kid.uasc)
            if adoption and place not in FOSTER_OTHER:
                continue
            if place == "P1" and legal == "V2":
                continue
            return place, provider

    def add_missing(self, kid: CareChild) -> None:
        """Missing or away periods for some older children: one after another, never overlapping."""
        rng = self.rng
        for period in kid.periods:
            stop = period.end or self.until
            if age_on(kid.dob, period.start) < 11 or rng.random() > 0.25:
                continue
            span = (stop - period.start).days
            if span < 10:
                continue
            starts = sorted({rng.randint(1, span - 5) for _ in range(rng.randint(1, 6))})
            changes = {ep.end for ep in period.episodes if ep.end is not None}
            previous_end = -1
            for offset in starts:
                if offset <= previous_end:
                    continue
                length = rng.randint(0, 4)
                begin = add_days(period.start, offset)
                if begin in changes:  # not on the day a placement ends: which one it was from is unclear (575)
                    continue
                kid.missing.append((weighted(rng, {"M": 3, "A": 1}), begin, add_days(begin, length)))
                previous_end = offset + length

    def add_social_workers(self, kid: CareChild) -> None:
        """Social worker episodes: first contact (FCONTA) when care first starts, then a change every few months.

        The latest social worker stays allocated (no end date). Between two periods of care the child keeps a
        social worker (as a child in need), so the episodes run on without a gap until the next period begins.
        """
        rng = self.rng
        if not kid.periods:
            return
        begin, reason = kid.periods[0].start, "FCONTA"
        for number in range(len(kid.periods)):
            last_period = number == len(kid.periods) - 1
            stop = self.until if last_period else kid.periods[number + 1].start
            while True:
                finish = add_days(begin, rng.randint(120, 420))
                self.sw_counter += 1
                worker = f"SW{self.sw_counter:06d}"
                if finish >= stop:
                    kid.social_workers.append((worker, begin, None if last_period else stop, reason))
                    begin, reason = stop, weighted(rng, SW_REASONS)
                    break
                kid.social_workers.append((worker, begin, finish, reason))
                begin, reason = finish, weighted(rng, SW_REASONS)
