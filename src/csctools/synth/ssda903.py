"""One collection year's SSDA903 tables, cut from simulated care histories as of 31 March."""

from __future__ import annotations

import random
from datetime import date

from csctools.datasets.ssda903.schema import ACCOM_CODES, SSDA903
from csctools.synth import england
from csctools.synth.care import CareChild, Period
from csctools.synth.common import add_days, age_on, birthday, fmt_uk, weighted
from csctools.years import CollectionYear

Row = dict[str, str | None]
IN_TOUCH = england.IN_TOUCH
ACTIVITY = england.ACTIVITY
SUITABLE = [code for code in ACCOM_CODES.values if code.endswith("1")]  # e.g. B1: suitable
UNSUITABLE = [code for code in ACCOM_CODES.values if code.endswith("2")]


def _open_at(day: date | None, year: CollectionYear) -> date | None:
    """A date after the year end is not yet known on 31 March."""
    return None if day is None or day > year.end_date else day


def _overlaps(start: date, end: date | None, year: CollectionYear) -> bool:
    return start <= year.end_date and (end is None or end >= year.start_date)


def _child_rng(seed: int, child: CareChild, year: CollectionYear, topic: str) -> random.Random:
    return random.Random(f"{seed}:{child.child_id}:{year.end}:{topic}")


def review_dates(period: Period) -> list[date]:
    """Statutory reviews: within 20 working days, then 3 months later, then every 6 months."""
    dates = [add_days(period.start, 25)]
    dates.append(add_days(dates[0], 88))
    stop = period.end or date(2100, 1, 1)
    while True:
        following = add_days(dates[-1], 175)
        if following >= stop or following.year > 2030:
            break
        dates.append(following)
    return [d for d in dates if d < stop]


def year_tables(children: list[CareChild], year: CollectionYear, seed: int) -> dict[str, list[Row]]:
    """The tables of the 903 return for `year`, as rows of text in the format authorities submit."""
    tables: dict[str, list[Row]] = {t.name: [] for t in SSDA903.tables_for(year)}
    for kid in children:
        periods = [p for p in kid.periods if _overlaps(p.start, p.end, year)]
        if periods:
            _child_rows(kid, periods, year, seed, tables)
        if _care_leaver_rows(kid, year, seed, tables) and not periods:
            tables["Header"].append(header_row(kid, year, in_care=False))  # care leavers are in the return too
    return tables


def _identity(kid: CareChild) -> Row:
    return {"CHILD": kid.child_id, "DOB": fmt_uk(kid.dob)}


def _sex(kid: CareChild, year: CollectionYear) -> str:
    return kid.sex if year.end >= 2025 else {"M": "1", "F": "2"}[kid.sex]


def header_row(kid: CareChild, year: CollectionYear, in_care: bool = True) -> Row:
    """The child's Header row; motherhood is recorded for every girl looked after in the year (not care leavers)."""
    mother = None
    if kid.sex == "F" and in_care:
        mother = "1" if kid.mc_dob and kid.mc_dob <= year.end_date else "0"
    return {
        **_identity(kid),
        "SEX": _sex(kid, year),
        "ETHNIC": kid.ethnic,
        "UPN": kid.upn,
        "MOTHER": mother,
        "MC_DOB": fmt_uk(kid.mc_dob) if mother == "1" else None,
    }


def _child_rows(
    kid: CareChild, periods: list[Period], year: CollectionYear, seed: int, tables: dict[str, list[Row]]
) -> None:
    ident = _identity(kid)
    tables["Header"].append(header_row(kid, year))
    for period in periods:
        for ep in period.episodes:
            if not _overlaps(ep.start, ep.end, year):
                continue
            ended = _open_at(ep.end, year)
            tables["Episodes"].append(
                {
                    "CHILD": kid.child_id,
                    "DECOM": fmt_uk(ep.start),
                    "RNE": ep.rne,
                    "LS": ep.ls,
                    "CIN": ep.cin,
                    "PLACE": ep.place,
                    "PLACE_PROVIDER": ep.provider,
                    "DEC": fmt_uk(ended),
                    "REC": ep.rec if ended else None,
                    "REASON_PLACE_CHANGE": ep.reason_change if ended else None,
                    "HOME_POST": ep.home_post,
                    "PL_POST": ep.pl_post,
                    "URN": ep.urn,
                }
            )
        rng = _child_rng(seed, kid, year, "reviews")
        for review in review_dates(period):
            if year.start_date <= review <= year.end_date:
                code = (
                    "PN0"
                    if age_on(kid.dob, review) < 4
                    else weighted(rng, {"PN1": 6, "PN2": 2, "PN3": 1, "PN4": 1, "PN5": 1, "PN6": 1})
                )
                tables["Reviews"].append({**ident, "REVIEW": fmt_uk(review), "REVIEW_CODE": code})
        starts_in_year = [p for p in periods if year.start_date <= p.start <= year.end_date]
        if starts_in_year and period is starts_in_year[-1]:  # one PrevPerm row: the latest start in the year
            option, la, when = period.prev_perm
            tables["PrevPerm"].append({**ident, "PREV_PERM": option, "LA_PERM": la, "DATE_PERM": fmt_uk(when)})
        _adoption_rows(kid, period, year, tables)
    if kid.uasc:
        tables["UASC"].append({**ident, "SEX": _sex(kid, year), "DUC": fmt_uk(birthday(kid.dob, 18))})
    for kind, start, end in kid.missing:  # periods starting in the year, or still open when it began
        if start <= year.end_date and (start >= year.start_date or end is None or end >= year.start_date):
            tables["Missing"].append(
                {**ident, "MISSING": kind, "MIS_START": fmt_uk(start), "MIS_END": fmt_uk(_open_at(end, year))}
            )
    _outcome_rows(kid, periods, year, seed, tables)
    if "SWEpisodes" in tables:
        for worker, start, end, reason in kid.social_workers:
            if _overlaps(start, end, year):
                ended = _open_at(end, year)
                tables["SWEpisodes"].append(
                    {
                        **ident,
                        "SW_ID": worker,
                        "SW_DECOM": fmt_uk(start),
                        "SW_DEC": fmt_uk(ended),
                        "SW_REASON": reason,
                    }
                )
    if "DoLo" in tables:
        _dolo_rows(kid, periods, year, seed, tables)


def _adoption_rows(kid: CareChild, period: Period, year: CollectionYear, tables: dict[str, list[Row]]) -> None:
    adoption = period.adoption
    if adoption is None or adoption.decision > year.end_date:
        return
    tables["PlacedAdoption"].append(
        {
            **_identity(kid),
            "DATE_PLACED": fmt_uk(adoption.decision),
            "DATE_PLACED_CEASED": None,
            "REASON_PLACED_CEASED": None,
        }
    )
    if period.end and year.start_date <= period.end <= year.end_date and period.reason_end in ("E11", "E12"):
        number, sexes, status = adoption.adopters
        tables["AD1"].append(
            {
                **_identity(kid),
                "DATE_INT": fmt_uk(adoption.decision),
                "DATE_MATCH": fmt_uk(adoption.match),
                "FOSTER_CARE": "1" if adoption.foster_carer else "0",
                "NB_ADOPTR": number,
                "SEX_ADOPTR": sexes,
                "LS_ADOPTR": status,
            }
        )


def _outcome_rows(
    kid: CareChild, periods: list[Period], year: CollectionYear, seed: int, tables: dict[str, list[Row]]
) -> None:
    """OC2 for children looked after continuously for 12 months at 31 March."""
    last = periods[-1]
    if last.start > year.start_date or (last.end is not None and last.end < year.end_date):
        return  # not looked after continuously for 12 months at 31 March
    rng = _child_rng(seed, kid, year, "oc2")
    age = age_on(kid.dob, year.end_date)
    score, reason = None, None
    if birthday(kid.dob, 4) <= year.end_date and birthday(kid.dob, 17) >= year.start_date:  # SDQ age range
        if rng.random() < 0.85:
            score = str(min(40, max(0, int(rng.gauss(14, 7)))))
        else:
            reason = weighted(rng, {"SDQ2": 2, "SDQ3": 1, "SDQ4": 1, "SDQ5": 1})  # SDQ1: outside the age range
    misuse = "1" if age >= 11 and rng.random() < england.SUBSTANCE_MISUSE else "0"
    received = ("1" if rng.random() < 0.6 else "0") if misuse == "1" else None
    tables["OC2"].append(
        {
            **_identity(kid),
            "SDQ_SCORE": score,
            "SDQ_REASON": reason,
            "CONVICTED": ("1" if rng.random() < 0.04 else "0") if age >= 10 else None,
            "HEALTH_CHECK": ("1" if rng.random() < 0.9 else "0") if age < 5 else None,
            "IMMUNISATIONS": "1" if rng.random() < 0.85 else "0",
            "TEETH_CHECK": "1" if rng.random() < 0.8 else "0",
            "HEALTH_ASSESSMENT": "1" if rng.random() < 0.9 else "0",
            "SUBSTANCE_MISUSE": misuse,
            "INTERVENTION_RECEIVED": received,
            "INTERVENTION_OFFERED": ("1" if rng.random() < 0.8 else "0") if received == "0" else None,
        }
    )


def _care_leaver_rows(kid: CareChild, year: CollectionYear, seed: int, tables: dict[str, list[Row]]) -> bool:
    """OC3 for care leavers whose 17th to 21st birthday falls in the year. True when a row was added."""
    last = kid.periods[-1]
    if last.end is None or last.reason_end in ("E11", "E12") or not _relevant(kid):
        return False
    for age in range(17, 22):
        day = birthday(kid.dob, age)
        if year.start_date <= day <= year.end_date and day > last.end:
            rng = _child_rng(seed, kid, year, "oc3")
            touch = weighted(rng, IN_TOUCH)
            activity = accommodation = "0"  # not in touch, died or returned home: nothing to report
            if touch == "YES":
                activity = weighted(rng, ACTIVITY)
                pool = SUITABLE if rng.random() < england.SUITABLE_ACCOMMODATION else UNSUITABLE
                pool = [code for code in pool if not code.startswith("Z")]  # with former foster carers: below
                if birthday(kid.dob, 18) > year.start_date:  # no foyer (T1, T2) before 18
                    pool = [code for code in pool if not code.startswith("T")]
                accommodation = rng.choice(pool)
                stayed = last.reason_end == "E17"  # stayed on with the foster carers at 18
                if stayed and age > 18 and rng.random() < england.STILL_STAYING_PUT:
                    accommodation = "Z1"
            tables["OC3"].append({**_identity(kid), "IN_TOUCH": touch, "ACTIV": activity, "ACCOM": accommodation})
            return True
    return False


def _relevant(kid: CareChild) -> bool:
    """A relevant or former relevant child: looked after for 13 weeks after the 14th birthday, some of it after
    the 16th (the children care leaver information is for, rule 1001)."""
    fourteen, sixteen = birthday(kid.dob, 14), birthday(kid.dob, 16)
    after_14 = after_16 = 0
    for period in kid.periods:
        if period.end is None:
            continue
        after_14 += max(0, (period.end - max(period.start, fourteen)).days)
        after_16 += max(0, (period.end - max(period.start, sixteen)).days)
    return after_14 >= 91 and after_16 >= 1


def _dolo_rows(
    kid: CareChild, periods: list[Period], year: CollectionYear, seed: int, tables: dict[str, list[Row]]
) -> None:
    rng = _child_rng(seed, kid, year, "dolo")
    for period in periods:
        for ep in period.episodes:
            if ep.place == "K2" and _overlaps(ep.start, ep.end, year) and rng.random() < 0.3:
                start = max(add_days(ep.start, 1), year.start_date)  # within the episode, not on its edges
                end = add_days(start, rng.randint(30, 200))
                if ep.end is not None and end >= ep.end:
                    end = add_days(ep.end, -1)
                if end <= start:
                    continue
                tables["DoLo"].append(
                    {**_identity(kid), "DOLO_START": fmt_uk(start), "DOLO_END": fmt_uk(_open_at(end, year))}
                )
                return
