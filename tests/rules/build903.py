"""Row builders for 903 rule examples: defaults that pass every rule, overridden per example."""

from __future__ import annotations

Row = dict[str, str | None]


def H(**kw: str | None) -> Row:
    return {
        "CHILD": "1",
        "SEX": "M",
        "DOB": "01/01/2015",
        "ETHNIC": "WBRI",
        "UPN": "A123456789012",
        "MOTHER": None,
        "MC_DOB": None,
        "UASC": "0",
        **kw,
    }


def E(**kw: str | None) -> Row:
    return {
        "CHILD": "1",
        "DECOM": "01/06/2025",
        "RNE": "S",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": "U4",
        "PLACE_PROVIDER": "PR1",
        "DEC": None,
        "REC": None,
        "REASON_PLACE_CHANGE": None,
        "HOME_POST": "LS1 1AA",
        "PL_POST": "LS2 2BB",
        "URN": None,
        **kw,
    }


def chain(*episodes: Row) -> list[Row]:
    return list(episodes)


def R(**kw: str | None) -> Row:
    return {"CHILD": "1", "DOB": "01/01/2015", "REVIEW": "01/09/2025", "REVIEW_CODE": "PN1", **kw}


def O2(**kw: str | None) -> Row:
    """An OC2 row of a child aged 11 at 31 March 2026, complete and consistent."""
    return {
        "CHILD": "1",
        "DOB": "01/01/2015",
        "SDQ_SCORE": "12",
        "SDQ_REASON": None,
        "CONVICTED": "0",
        "HEALTH_CHECK": None,
        "IMMUNISATIONS": "1",
        "TEETH_CHECK": "1",
        "HEALTH_ASSESSMENT": "1",
        "SUBSTANCE_MISUSE": "0",
        "INTERVENTION_RECEIVED": None,
        "INTERVENTION_OFFERED": None,
        **kw,
    }


def cla12(**kw: str | None) -> dict[str, list[Row]]:
    """Header and an episode for a child looked after since 2024 (continuously for 12 months at 31 March 2026)."""
    dob = kw.get("DOB", "01/01/2015")
    return {"Header": [H(DOB=dob)], "Episodes": [E(DECOM="01/01/2024")]}


def not_cla12(**kw: str | None) -> dict[str, list[Row]]:
    dob = kw.get("DOB", "01/01/2015")
    return {"Header": [H(DOB=dob)], "Episodes": [E(DECOM="01/06/2025")]}


def O3(**kw: str | None) -> Row:
    return {"CHILD": "1", "DOB": "01/01/2007", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "D1", **kw}


def A1(**kw: str | None) -> Row:
    return {
        "CHILD": "1",
        "DOB": "01/01/2023",
        "DATE_INT": "01/03/2024",
        "DATE_MATCH": "01/09/2024",
        "FOSTER_CARE": "0",
        "NB_ADOPTR": "2",
        "SEX_ADOPTR": "MF",
        "LS_ADOPTR": "L11",
        **kw,
    }


def PA(**kw: str | None) -> Row:
    return {
        "CHILD": "1",
        "DOB": "01/01/2023",
        "DATE_PLACED": "01/03/2024",
        "DATE_PLACED_CEASED": None,
        "REASON_PLACED_CEASED": None,
        **kw,
    }


def adoption_history(**last: str | None) -> list[Row]:
    """Foster care from 2023, placement order March 2024, placed for adoption (A4) in September 2024, adopted."""
    final = {
        "DECOM": "15/09/2024",
        "RNE": "P",
        "LS": "E1",
        "PLACE": "A4",
        "PL_POST": "LS9 9ZZ",
        "URN": "XXXXXXX",
        "DEC": "01/06/2025",
        "REC": "E11",
    } | last
    return [
        E(DECOM="01/06/2023", LS="C2", DEC="02/03/2024", REC="X1"),
        E(DECOM="02/03/2024", RNE="L", LS="E1", DEC="15/09/2024", REC="X1", REASON_PLACE_CHANGE="CARPL"),
        E(**final),
    ]


def M(**kw: str | None) -> Row:
    return {"CHILD": "1", "DOB": "01/01/2015", "MISSING": "M", "MIS_START": "01/07/2025", "MIS_END": "03/07/2025", **kw}


def U(**kw: str | None) -> Row:
    return {"CHILD": "1", "SEX": "M", "DOB": "01/01/2009", "DUC": "01/01/2027", **kw}


def PP(**kw: str | None) -> Row:
    return {"CHILD": "1", "DOB": "01/01/2015", "PREV_PERM": "Z1", "LA_PERM": None, "DATE_PERM": None, **kw}


def S(**kw: str | None) -> Row:
    return {
        "CHILD": "1",
        "DOB": "01/01/2015",
        "SW_ID": "SW000001",
        "SW_DECOM": "01/06/2025",
        "SW_DEC": None,
        "SW_REASON": "FCONTA",
        **kw,
    }


def D(**kw: str | None) -> Row:
    return {"CHILD": "1", "DOB": "01/01/2010", "DOLO_START": "01/07/2026", "DOLO_END": "01/09/2026", **kw}
