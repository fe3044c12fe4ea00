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
