"""Simulated children in need: referrals, assessments, plans, S47 enquiries, conferences, CP plans, reviews."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from csctools.datasets.cin.schema import ASSESSMENT_FACTOR_CODES, DISABILITY_CODES
from csctools.synth import england
from csctools.synth.common import (
    ETHNIC_WEIGHTS,
    add_days,
    age_on,
    birthday,
    upn,
    weekday_on_or_after,
    weighted,
    working_days_after,
)

NEEDS = {"N1": 55, "N2": 5, "N3": 8, "N4": 3, "N5": 4, "N6": 2, "N7": 1, "N8": 6, "N9": 10}
# 18A and 19A are discouraged from 2024/25; "21" (no factors) must stand alone.
FACTORS = [c for c in ASSESSMENT_FACTOR_CODES.values if c not in ("18A", "19A", "21")]
ABUSE = {"NEG": 50, "EMO": 35, "PHY": 8, "SAB": 4, "MUL": 3}
DISABILITIES = [c for c in DISABILITY_CODES.values if c != "NONE"]


@dataclass
class Assessment:
    start: date
    authorised: date | None
    factors: list[str]


@dataclass
class S47:
    start: date
    target: date
    icpc: date | None
    not_required: bool


@dataclass
class ProtectionPlan:
    start: date
    end: date | None
    initial: str
    latest: str
    previous: int
    reviews: list[date]


@dataclass
class PreProceedings:
    start: date
    letter: date
    meeting: date
    decision: date | None
    fgdm_offered: str
    fgdm_held: str
    reviews: int
    outcome: str | None


@dataclass
class CinEpisode:
    referral: date
    source: str
    need: str | None
    nfa: bool
    closure: date | None = None
    reason: str | None = None
    assessments: list[Assessment] = field(default_factory=list)
    plans: list[tuple[date, date | None]] = field(default_factory=list)
    enquiries: list[S47] = field(default_factory=list)
    protection: list[ProtectionPlan] = field(default_factory=list)
    pre_proceedings: list[PreProceedings] = field(default_factory=list)


@dataclass
class CinChild:
    child_id: str
    upn: str | None
    upn_unknown: str | None
    dob: date | None
    expected_dob: date | None
    sex: str
    ethnic: str
    disabilities: list[str]
    episodes: list[CinEpisode] = field(default_factory=list)


class CinSimulator:
    def __init__(self, rng: random.Random, la_number: str, until: date) -> None:
        self.rng = rng
        self.la_number = la_number
        self.until = until

    def child(self, child_id: str, referral: date, long_only: bool = False) -> CinChild:
        """A child referred on `referral`; `long_only`: one whose first episode lasts years (see england.py)."""
        rng = self.rng
        unborn = rng.random() < 0.03
        age = rng.choice((0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17))
        dob = None if unborn else add_days(birthday(referral, -age), -rng.randint(1, 364))
        expected = add_days(referral, rng.randint(20, 150)) if unborn else None
        if expected is not None and expected <= self.until:
            dob, expected = expected, None  # born by the end of the simulation
        has_upn = dob is not None and age >= 5 and rng.random() < 0.9
        sex = rng.choice("MF") if dob else "U"
        kid = CinChild(
            child_id,
            upn(rng, self.la_number) if has_upn else None,
            None if has_upn else ("UN1" if age < 5 or dob is None else rng.choice(("UN2", "UN3", "UN5"))),
            dob,
            expected,
            sex,
            weighted(rng, ETHNIC_WEIGHTS),
            ["NONE"] if rng.random() < 0.85 else rng.sample(DISABILITIES, rng.randint(1, 3)),
        )
        day = referral
        adult = birthday(dob or referral, 18)
        while day <= self.until:
            episode = self.episode(day, adult, long_only=long_only and not kid.episodes)
            kid.episodes.append(episode)
            if episode.closure is None or rng.random() > england.REFERRED_AGAIN:
                break
            soon = rng.random() < england.REFERRED_AGAIN_SOON
            gap = rng.randint(*england.REFERRED_AGAIN_SOON_DAYS) if soon else rng.randint(366, 1100)
            day = add_days(episode.closure, gap)
            if day >= adult:
                break
        return kid

    def episode(self, referral: date, adult: date, long_only: bool = False) -> CinEpisode:
        """One episode from its referral; `adult` is the child's 18th birthday, by which a long plan ends."""
        rng = self.rng
        nfa = rng.random() < england.REFERRAL_NFA and not long_only
        source = weighted(rng, england.REFERRAL_SOURCES)
        episode = CinEpisode(referral, source, None if nfa else weighted(rng, NEEDS), nfa)
        if nfa:
            episode.closure, episode.reason = referral, "RC7"  # no assessment, so not RC8 (closed after assessment)
            return self._clip(episode)
        path = weighted(rng, {"close": 45, "plan": 35, "s47": 20})
        if long_only or rng.random() < england.LONG_EPISODE:
            path = "long"
        assessment_start = add_days(referral, rng.randint(0, 5))
        in_time = rng.random() < england.ASSESSMENT_IN_TIME
        days = england.ASSESSMENT_WORKING_DAYS if in_time else england.ASSESSMENT_LATE_WORKING_DAYS
        authorised = working_days_after(assessment_start, rng.randint(*days))
        no_factors = path == "close" and rng.random() < 0.2  # "21": nothing found, and the case closes
        factors = ["21"] if no_factors else rng.sample(FACTORS, rng.randint(1, 3))
        episode.assessments.append(Assessment(assessment_start, authorised, factors))
        after = authorised
        if path == "s47":
            after = self._enquiry(episode, referral, authorised)
        if path in ("plan", "long") or (path == "s47" and rng.random() < 0.5):
            start = add_days(after, rng.randint(1, 15))
            days = england.LONG_EPISODE_DAYS if path == "long" else england.PLAN_DAYS
            end = add_days(start, rng.randint(*days))
            if path == "long" and end >= adult:  # a long plan ends before the child turns 18
                end = max(add_days(adult, -rng.randint(1, 30)), add_days(start, 30))
            episode.plans.append((start, end))
            after = end
        if path == "close" and not episode.protection:
            episode.closure, episode.reason = (
                add_days(authorised, rng.randint(0, 10)),
                weighted(rng, {"RC8": 3, "RC9": 1}),
            )
        else:
            episode.closure = after
            episode.reason = weighted(rng, {"RC7": 8, "RC5": 1, "RC4": 0.3, "RC3": 0.3, "RC6": 0.2})
        return self._clip(episode)

    def _enquiry(self, episode: CinEpisode, referral: date, authorised: date) -> date:
        rng = self.rng
        start = add_days(referral, rng.randint(0, 3))
        target = working_days_after(start, 15)
        if rng.random() < 0.45:
            episode.enquiries.append(S47(start, target, None, True))
            return authorised
        icpc = weekday_on_or_after(add_days(start, rng.randint(7, 24)))
        episode.enquiries.append(S47(start, target, icpc, False))
        if rng.random() > 0.85:
            return max(icpc, authorised)
        initial = weighted(rng, ABUSE)
        latest = initial if rng.random() < 0.9 else weighted(rng, ABUSE)
        end = add_days(icpc, rng.randint(90, 600))
        reviews = [add_days(icpc, rng.randint(70, 90))]
        while (following := add_days(reviews[-1], rng.randint(150, 180))) < end:
            reviews.append(following)
        reviews = [r for r in reviews if r < end]
        previous = rng.randint(1, 3) if rng.random() < england.PREVIOUS_PLAN else 0
        episode.protection.append(ProtectionPlan(icpc, end, initial, latest, previous, reviews))
        if rng.random() < 0.1:
            pp_start = add_days(icpc, rng.randint(30, 120))
            meeting = working_days_after(pp_start, rng.randint(5, 15))
            decision = add_days(meeting, rng.randint(60, 120))
            episode.pre_proceedings.append(
                PreProceedings(pp_start, pp_start, meeting, decision, rng.choice("01"), "0", rng.randint(0, 4), "A")
            )
        return max(end, authorised)

    def _clip(self, episode: CinEpisode) -> CinEpisode:
        """Nothing after the end of the simulation is known yet."""
        if episode.closure is not None and episode.closure > self.until:
            episode.closure, episode.reason = None, None
        return episode


def age_band_ok(kid: CinChild, day: date) -> bool:
    return kid.dob is None or age_on(kid.dob, day) < 18
