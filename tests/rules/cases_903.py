"""A failing and a passing example for every implemented SSDA903 rule.

Each case: the tables that break the rule, the (table, spreadsheet row) cells it must flag (rows start at 2),
and tables that must pass. Year 2025/26 unless given.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tests.rules.build903 import E, H

Tables = dict[str, list[dict[str, str | None]]]


@dataclass
class Case:
    fail: Tables
    flagged: set[tuple[str, int]]
    ok: Tables
    year: int = 2026
    previous: Tables | None = None
    ok_previous: Tables | None = None
    la: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def header_case(bad: dict[str, str | None], good: dict[str, str | None] | None = None, year: int = 2026) -> Case:
    return Case({"Header": [H(), H(CHILD="2", **bad)]}, {("Header", 3)}, {"Header": [H(**(good or {}))]}, year)


def episode_case(
    bad: list[dict[str, str | None]],
    rows: set[int],
    good: list[dict[str, str | None]],
    header: list[dict[str, str | None]] | None = None,
) -> Case:
    heads = header or [H()]
    return Case(
        {"Header": heads, "Episodes": bad}, {("Episodes", r) for r in rows}, {"Header": heads, "Episodes": good}
    )


X1_CHAIN = [
    E(DEC="01/08/2025", REC="X1", REASON_PLACE_CHANGE="CARPL"),
    E(DECOM="01/08/2025", RNE="P", PLACE="U5", PL_POST="LS3 3CC"),
]

CASES: dict[str, Case] = {
    "101": header_case({"SEX": "1"}),
    "102": header_case({"DOB": "31/02/2015"}),
    "103": header_case({"ETHNIC": "XXXX"}),
    "105": header_case({"UASC": "2"}),
    "168": header_case({"UPN": "I123456789012"}, {"UPN": "UN3"}),
    "171": header_case({"SEX": "F", "MOTHER": "1", "MC_DOB": "2025-13-01"}),
    "174": header_case(
        {"MC_DOB": "01/01/2025", "MOTHER": "1"},
        {"SEX": "F", "MOTHER": "1", "MC_DOB": "01/01/2025", "DOB": "01/01/2008"},
    ),
    "232": header_case({"SEX": "U"}),
    "301": header_case({"DOB": "01/04/2026"}),
    "351": header_case({"DOB": "01/01/2000"}, {"DOB": "02/04/2000"}),
    "611": header_case({"SEX": "F", "MOTHER": "1", "DOB": "01/01/2008"}),
    "612": header_case({"SEX": "F", "MOTHER": "0", "MC_DOB": "01/01/2025", "DOB": "01/01/2008"}),
    "620": header_case({"SEX": "F", "MOTHER": "1", "MC_DOB": "01/01/2025", "DOB": "01/01/2015"}),
    "621": header_case({"SEX": "F", "MOTHER": "1", "MC_DOB": "01/01/2007", "DOB": "01/01/2008"}),
    "209": header_case({"UPN": "UN1", "DOB": "01/01/2015"}, {"UPN": "UN1", "DOB": "01/01/2023"}),
    "444": Case(
        {"Header": [H(), H(CHILD="2")]},
        {("Header", 2), ("Header", 3)},
        {"Header": [H(), H(CHILD="2", UPN="UN2"), H(CHILD="3", UPN="UN2")]},
    ),
    "442": episode_case([E()], set(), [E()], header=[H(UPN=None)]),
    "302": Case(
        {"Header": [H(DOB="01/07/2025")], "Episodes": [E()]},
        {("Episodes", 2), ("Header", 2)},
        {"Header": [H()], "Episodes": [E()]},
    ),
    "141": episode_case([E(DECOM="2025-02-30")], {2}, [E(DECOM="2025-06-01")]),
    "143": episode_case([E(RNE="Q")], {2}, [E()]),
    "144": episode_case([E(LS="X")], {2}, [E()]),
    "145": episode_case([E(CIN="N9")], {2}, [E()]),
    "146": episode_case([E(PLACE="P2")], {2}, [E()]),
    "147": episode_case([E(DEC="32/01/2026", REC="E4A")], {2}, [E(DEC="31/01/2026", REC="E4A")]),
    "148": episode_case([E(DEC="31/01/2026")], {2}, [E(DEC="31/01/2026", REC="E4A")]),
    "149": episode_case([E(DEC="31/01/2026", REC="E99")], {2}, [E(DEC="31/01/2026", REC="E13")]),
    "1009": episode_case([E(DEC="31/01/2026", REC="E4A", REASON_PLACE_CHANGE="NOPE")], {2}, [E()]),
    "178": episode_case([E(PLACE="T0", PLACE_PROVIDER="PR1")], {2}, [E(PLACE="T0", PLACE_PROVIDER=None, RNE="P")]),
    "213": episode_case([E(PLACE="T1", PLACE_PROVIDER="PR4")], {2}, [E()]),
    "526": episode_case([E(PLACE_PROVIDER=None)], {2}, [E()]),
    "527": episode_case([E(PLACE="R2", PLACE_PROVIDER="PR1")], {2}, [E(PLACE="R2", PLACE_PROVIDER="PR3")]),
    "528": episode_case([E(PLACE="R5", PLACE_PROVIDER="PR2")], {2}, [E(PLACE="R5", PLACE_PROVIDER="PR3")]),
    "529": episode_case([E(PLACE="K2", PLACE_PROVIDER="PR3")], {2}, [E(PLACE="K2", PLACE_PROVIDER="PR4")]),
    "530": episode_case([E(PLACE="P1", PLACE_PROVIDER="PR4")], {2}, [E(PLACE="P1", PLACE_PROVIDER="PR0")]),
    "531": episode_case([E(PLACE="P1", PLACE_PROVIDER="PR5")], {2}, [E(PLACE="P1", PLACE_PROVIDER="PR0")]),
    "550": episode_case([E(PLACE_PROVIDER="PR0")], {2}, [E(PLACE="P1", PLACE_PROVIDER="PR0")]),
    "217": episode_case([E(PLACE="A3", RNE="P")], {2}, [E(PLACE="A3", RNE="S")]),
    "217t": episode_case([E(PLACE="P2")], {2}, [E(PLACE="P1", PLACE_PROVIDER="PR0")]),
    "233": episode_case([E(REASON_PLACE_CHANGE="CARPL")], {2}, X1_CHAIN),
    "353": episode_case([E(DECOM="01/01/1990")], {2}, [E()]),
    "354": episode_case([E(DECOM="01/04/2026")], {2}, [E(DECOM="31/03/2026")]),
    "385": episode_case([E(DEC="01/04/2026", REC="E4A")], {2}, [E(DEC="31/03/2026", REC="E4A")]),
    "355": episode_case([E(DEC="01/06/2025", REC="E4A")], {2}, [E(DEC="02/06/2025", REC="E4A")]),
    "356": episode_case([E(DEC="01/05/2025", REC="E4A")], {2}, [E(DEC="02/06/2025", REC="E4A")]),
    "380": episode_case([E(PLACE="T1", PLACE_PROVIDER=None)], {2}, [E()]),
    "381": episode_case(
        [E(PLACE="T1", PLACE_PROVIDER=None, RNE="P", DEC="01/07/2025", REC="E4A")],
        {2},
        [E(DEC="01/07/2025", REC="E4A")],
    ),
    "392d": episode_case([E(PL_POST="LS1 1AA")], {2}, [E(PLACE="P1", PLACE_PROVIDER="PR0", PL_POST="LS1 1AA")]),
    "445": episode_case([E(LS="D1")], {2}, [E(LS="D1", DECOM="01/01/2005")]),
    "446": episode_case([E(LS="E1", DECOM="01/01/2005")], {2}, [E(LS="E1")]),
    "142": episode_case([E(), E(DECOM="01/08/2025", RNE="P", PL_POST="LS3 3CC")], {2}, X1_CHAIN),
    "501": episode_case([X1_CHAIN[0], E(DECOM="01/07/2025", RNE="P", PL_POST="LS3 3CC")], {3}, X1_CHAIN),
    "388": episode_case([E(DEC="01/08/2025", REC="X1", REASON_PLACE_CHANGE="CARPL")], {2}, X1_CHAIN),
    "431": episode_case(
        [E(DEC="01/08/2025", REC="E4A"), E(DECOM="01/08/2025")],
        {3},
        [E(DEC="01/08/2025", REC="E4A"), E(DECOM="02/08/2025")],
    ),
    "432": episode_case(
        [E(DEC="01/08/2025", REC="E4A"), E(DECOM="05/08/2025", RNE="P")],
        {3},
        [E(DEC="01/08/2025", REC="E4A"), E(DECOM="05/08/2025")],
    ),
    "433": episode_case([X1_CHAIN[0], E(DECOM="02/08/2025", RNE="P", PL_POST="LS3 3CC")], {3}, X1_CHAIN),
    "434": episode_case(
        [X1_CHAIN[0], E(DECOM="01/08/2025", RNE="L", PL_POST="LS3 3CC", LS="C1")],
        {3},
        [X1_CHAIN[0], E(DECOM="01/08/2025", RNE="L", LS="E1")],
    ),
    "435": episode_case([X1_CHAIN[0], E(DECOM="01/08/2025", RNE="P")], {3}, X1_CHAIN),
    "436": episode_case(
        [X1_CHAIN[0], E(DECOM="01/08/2025", RNE="B", LS="C2", PL_POST="LS3 3CC")],
        {3},
        [X1_CHAIN[0], E(DECOM="01/08/2025", RNE="B", LS="E1", PL_POST="LS3 3CC")],
    ),
    "437": episode_case([E(DEC="01/08/2025", REC="E2"), E(DECOM="05/08/2025")], {2}, [E(DEC="01/08/2025", REC="E2")]),
    "504": episode_case([X1_CHAIN[0], E(DECOM="01/08/2025", RNE="P", PL_POST="LS3 3CC", CIN="N2")], {3}, X1_CHAIN),
    "225": episode_case([E(DEC="01/08/2025", REC="X1"), X1_CHAIN[1]], {2}, X1_CHAIN),
    "226": episode_case(
        [X1_CHAIN[0], E(DECOM="01/08/2025", RNE="P", PLACE="T1", PLACE_PROVIDER=None)],
        {3},
        [E(DEC="01/08/2025", REC="X1"), E(DECOM="01/08/2025", RNE="P", PLACE="T1", PLACE_PROVIDER=None)],
    ),
    "352": episode_case([E()], {2}, [E()], header=[H(DOB="01/01/2007")]),
    "358": episode_case([E(LS="J1")], {2}, [E(LS="J1")], header=[H(DOB="01/01/2010")]),
    "386": episode_case(
        [E(DEC="02/01/2026", REC="E11")], {2}, [E(DEC="02/01/2026", REC="E11")], header=[H(DOB="01/01/2008")]
    ),
    "387": episode_case(
        [E(DEC="02/01/2026", REC="E5")], {2}, [E(DEC="02/01/2026", REC="E5")], header=[H(DOB="01/01/2010")]
    ),
    "389": episode_case(
        [E(DEC="02/01/2026", REC="E7")], {2}, [E(DEC="02/01/2026", REC="E7")], header=[H(DOB="01/01/2009")]
    ),
    "407": episode_case(
        [E(DEC="02/01/2026", REC="E45")], {2}, [E(DEC="02/01/2026", REC="E45")], header=[H(DOB="01/01/2009")]
    ),
    "234": episode_case([E(DEC="01/08/2025", REC="X1", REASON_PLACE_CHANGE="CUSTOD"), X1_CHAIN[1]], {2}, X1_CHAIN),
    "357": episode_case([E(RNE="P")], {2}, [E(DECOM="01/01/2025", RNE="P")]),
}
# 352 fails for a child born 2007 (18 on 1 Jan 2025, episode starts June 2025); passes for one born 2015.
CASES["352"] = episode_case([E()], {2}, [E()], header=[H(DOB="01/01/2007")])
CASES["352"].ok = {"Header": [H()], "Episodes": [E()]}
CASES["358"].ok = {"Header": [H(DOB="01/01/2010")], "Episodes": [E(LS="J1", DECOM="02/01/2020")]}
for code in ("386", "387", "389", "407"):
    CASES[code].ok["Header"] = [
        H(DOB={"386": "01/01/2009", "387": "01/01/2008", "389": "01/01/2008", "407": "01/01/2009"}[code])
    ]
CASES["386"].fail["Header"] = [H(DOB="01/01/2008")]
CASES["387"].fail["Header"] = [H(DOB="01/01/2015")]
CASES["389"].fail["Header"] = [H(DOB="01/01/2015")]
CASES["407"].fail["Header"] = [H(DOB="01/01/2007")]
CASES["442"] = Case({"Header": [H(UPN=None)], "Episodes": [E()]}, {("Header", 2)}, {"Header": [H()], "Episodes": [E()]})
CASES["234"].fail["Header"] = [H(DOB="01/01/2017")]
CASES["358"].fail["Header"] = [H(DOB="01/01/2017")]
CASES["217t"].year = 2024
CASES["445"].year = 2024

from tests.rules.build903 import O2, R, cla12, not_cla12  # noqa: E402


def oc2_case(
    bad: dict[str, str | None],
    good: dict[str, str | None] | None = None,
    in_care: bool = True,
    good_in_care: bool | None = None,
    dob: str = "01/01/2015",
) -> Case:
    base = cla12(DOB=dob) if in_care else not_cla12(DOB=dob)
    good_base = base if good_in_care is None else (cla12(DOB=dob) if good_in_care else not_cla12(DOB=dob))
    return Case(
        {**base, "OC2": [O2(DOB=dob, **bad)]}, {("OC2", 2)}, {**good_base, "OC2": [O2(DOB=dob, **(good or {}))]}
    )


def review_case(bad: dict[str, str | None], good: dict[str, str | None] | None = None) -> Case:
    return Case(
        {"Header": [H()], "Reviews": [R(**bad)]}, {("Reviews", 2)}, {"Header": [H()], "Reviews": [R(**(good or {}))]}
    )


CASES.update(
    {
        "166": review_case({"REVIEW": None, "REVIEW_CODE": None}),
        "167": review_case({"REVIEW_CODE": "PN8"}),
        "440": review_case({"REVIEW_CODE": "PN0"}, {"REVIEW_CODE": "PN0", "DOB": "01/01/2023"}),
        "441": review_case({"DOB": "01/01/2023"}, {"DOB": "01/01/2023", "REVIEW_CODE": "PN0"}),
        "196": oc2_case({"SDQ_SCORE": None, "SDQ_REASON": "SDQ9"}, {"SDQ_SCORE": None, "SDQ_REASON": "SDQ2"}),
        "180": oc2_case({"SDQ_SCORE": "41"}, {"SDQ_SCORE": "40"}),
        "181": oc2_case({"TEETH_CHECK": "Y"}),
        "182": oc2_case({"TEETH_CHECK": None}, {"TEETH_CHECK": None, "CONVICTED": None}, good_in_care=False),
        "158": oc2_case(
            {"SUBSTANCE_MISUSE": "1", "INTERVENTION_RECEIVED": "1", "INTERVENTION_OFFERED": "1"},
            {"SUBSTANCE_MISUSE": "1", "INTERVENTION_RECEIVED": "1"},
        ),
        "159": oc2_case(
            {"SUBSTANCE_MISUSE": "1", "INTERVENTION_RECEIVED": "0"},
            {"SUBSTANCE_MISUSE": "1", "INTERVENTION_RECEIVED": "0", "INTERVENTION_OFFERED": "1"},
        ),
        "192": oc2_case({"SUBSTANCE_MISUSE": "1"}, {"SUBSTANCE_MISUSE": "1", "INTERVENTION_RECEIVED": "1"}),
        "193": oc2_case({"INTERVENTION_OFFERED": "1"}),
        "197a": oc2_case({"SDQ_REASON": "SDQ2"}),
        "188": oc2_case({}, {"SDQ_SCORE": None, "CONVICTED": None, "HEALTH_CHECK": "1"}, dob="01/06/2022"),
        "189": oc2_case({}, {"SDQ_SCORE": None}, dob="01/01/2008"),
        "544": oc2_case({"CONVICTED": "1", "TEETH_CHECK": None}, {"CONVICTED": "1"}),
        "547": oc2_case({"HEALTH_CHECK": "1", "TEETH_CHECK": None}, {"HEALTH_CHECK": "1"}),
        "542": oc2_case({}, {"CONVICTED": None, "SDQ_SCORE": "3"}, dob="01/01/2018"),
        "157": oc2_case({"SDQ_SCORE": None, "SDQ_REASON": "SDQ1"}, {"SDQ_SCORE": None, "SDQ_REASON": "SDQ2"}),
        "185": oc2_case(
            {},
            {
                "SDQ_SCORE": None,
                "CONVICTED": None,
                "IMMUNISATIONS": None,
                "TEETH_CHECK": None,
                "HEALTH_ASSESSMENT": None,
                "SUBSTANCE_MISUSE": None,
            },
            in_care=False,
        ),
        "186": oc2_case({"SDQ_SCORE": None}),
        "190": oc2_case(
            {"SDQ_SCORE": None},
            {
                "SDQ_SCORE": None,
                "CONVICTED": None,
                "IMMUNISATIONS": None,
                "TEETH_CHECK": None,
                "HEALTH_ASSESSMENT": None,
                "SUBSTANCE_MISUSE": None,
            },
            in_care=False,
        ),
        "197B": oc2_case({"SDQ_SCORE": None}, dob="01/01/2009"),
        "198": oc2_case(
            {
                "SDQ_SCORE": None,
                "SDQ_REASON": "SDQ2",
                "CONVICTED": None,
                "IMMUNISATIONS": None,
                "TEETH_CHECK": None,
                "HEALTH_ASSESSMENT": None,
                "SUBSTANCE_MISUSE": None,
            },
            {
                "SDQ_SCORE": None,
                "CONVICTED": None,
                "IMMUNISATIONS": None,
                "TEETH_CHECK": None,
                "HEALTH_ASSESSMENT": None,
                "SUBSTANCE_MISUSE": None,
            },
            in_care=False,
        ),
        "543": oc2_case({"CONVICTED": None}),
        "545": oc2_case(
            {"SDQ_SCORE": None, "CONVICTED": None},
            {"SDQ_SCORE": None, "CONVICTED": None, "HEALTH_CHECK": "1"},
            dob="01/06/2022",
        ),
        "546": oc2_case({"HEALTH_CHECK": "1"}),
        "191": Case({**cla12(), "OC2": [O2(TEETH_CHECK=None)]}, {("OC2", 2)}, {**cla12(), "OC2": [O2()]}),
    }
)
CASES["186"].ok = {**cla12(), "OC2": [O2()]}
CASES["197B"].ok = {**cla12(DOB="01/01/2009"), "OC2": [O2(DOB="01/01/2009", SDQ_SCORE=None, SDQ_REASON="SDQ2")]}
CASES["188"].fail = {**cla12(DOB="01/06/2022"), "OC2": [O2(DOB="01/06/2022", CONVICTED=None, HEALTH_CHECK="1")]}
CASES["189"].fail = {**cla12(DOB="01/01/2008"), "OC2": [O2(DOB="01/01/2008")]}
CASES["542"].fail = {**cla12(DOB="01/01/2018"), "OC2": [O2(DOB="01/01/2018", SDQ_SCORE="3")]}

from tests.rules.build903 import A1, O3, PA, adoption_history  # noqa: E402


def oc3_case(bad: dict[str, str | None], good: dict[str, str | None] | None = None) -> Case:
    head = [H(DOB="01/01/2007")]
    return Case({"Header": head, "OC3": [O3(**bad)]}, {("OC3", 2)}, {"Header": head, "OC3": [O3(**(good or {}))]})


def ad1_case(bad: dict[str, str | None], good: dict[str, str | None] | None = None) -> Case:
    return Case({"AD1": [A1(**bad)]}, {("AD1", 2)}, {"AD1": [A1(**(good or {}))]})


def pa_case(bad: dict[str, str | None], good: dict[str, str | None] | None = None) -> Case:
    return Case({"PlacedAdoption": [PA(**bad)]}, {("PlacedAdoption", 2)}, {"PlacedAdoption": [PA(**(good or {}))]})


ADOPTED_CHILD = {
    "Header": [H(DOB="01/01/2023")],
    "Episodes": adoption_history(),
    "AD1": [A1()],
    "PlacedAdoption": [PA()],
}


def adopted(**changes: object) -> dict[str, list[dict[str, str | None]]]:
    return {**ADOPTED_CHILD, **changes}  # type: ignore[dict-item]


CASES.update(
    {
        "131": oc3_case({"IN_TOUCH": "MAYBE"}),
        "132": oc3_case({"ACTIV": "X"}),
        "133": oc3_case({"ACCOM": "S1"}),
        "153": oc3_case({"ACCOM": None}),
        "344": oc3_case({"IN_TOUCH": "DIED"}, {"IN_TOUCH": "DIED", "ACTIV": "0", "ACCOM": "0"}),
        "345": oc3_case({"ACTIV": "0"}),
        "391": oc3_case({"DOB": "01/06/2009"}),
        "3001": Case(
            {"Header": [H(DOB="01/06/2008")], "OC3": [O3(DOB="01/06/2008", ACCOM="Z1")]},
            {("OC3", 2)},
            {"Header": [H(DOB="01/06/2008")], "OC3": [O3(DOB="01/06/2008")]},
        ),
        "134": Case({"OC3": [O3()], "AD1": [A1()]}, {("AD1", 2)}, {"OC3": [O3()], "AD1": [A1(CHILD="2")]}),
        "112": ad1_case({"DATE_INT": "01/13/2024"}),
        "113": ad1_case({"DATE_MATCH": "x"}),
        "114": ad1_case({"FOSTER_CARE": "2"}),
        "175": ad1_case({"NB_ADOPTR": "3"}),
        "176": ad1_case({"SEX_ADOPTR": "XX"}),
        "177": ad1_case({"LS_ADOPTR": "L9"}),
        "514": ad1_case({"LS_ADOPTR": "L0"}, {"LS_ADOPTR": "L0", "NB_ADOPTR": "1", "SEX_ADOPTR": "F1"}),
        "517": ad1_case({"LS_ADOPTR": "L3", "SEX_ADOPTR": "FF"}, {"LS_ADOPTR": "L3"}),
        "518": ad1_case({"LS_ADOPTR": "L4"}, {"LS_ADOPTR": "L4", "SEX_ADOPTR": "MM"}),
        "519": ad1_case({"LS_ADOPTR": "L2", "SEX_ADOPTR": "M1"}, {"LS_ADOPTR": "L2"}),
        "520": ad1_case({"SEX_ADOPTR": "FF"}),
        "524": ad1_case({"LS_ADOPTR": "L12"}, {"LS_ADOPTR": "L12", "SEX_ADOPTR": "FF"}),
        "511": ad1_case({"SEX_ADOPTR": "M1"}),
        "151": ad1_case({"LS_ADOPTR": None}),
        "333": ad1_case({"DATE_INT": "01/10/2024"}),
        "115": pa_case({"DATE_PLACED": "2024-02-30"}),
        "116": pa_case({"DATE_PLACED_CEASED": "junk", "REASON_PLACED_CEASED": "RD1"}),
        "120": pa_case({"DATE_PLACED_CEASED": "01/05/2025", "REASON_PLACED_CEASED": "RD9"}),
        "119": pa_case(
            {"DATE_PLACED_CEASED": "01/05/2025"}, {"DATE_PLACED_CEASED": "01/05/2025", "REASON_PLACED_CEASED": "RD1"}
        ),
        "522": pa_case({"DATE_PLACED_CEASED": "01/01/2024", "REASON_PLACED_CEASED": "RD1"}),
        "563": pa_case({"DATE_PLACED": None, "DATE_PLACED_CEASED": "01/05/2025", "REASON_PLACED_CEASED": "RD1"}),
        "390": Case(adopted(Episodes=adoption_history(PLACE="U4")), {("Episodes", 4)}, ADOPTED_CHILD),
        "408": episode_case([E(PLACE="A5", LS="C2")], {2}, [E(PLACE="A5", LS="E1")]),
        "184": Case(
            {"Header": [H(DOB="01/05/2024")], "PlacedAdoption": [PA()]},
            {("PlacedAdoption", 2)},
            {"Header": [H(DOB="01/01/2023")], "PlacedAdoption": [PA()]},
        ),
        "331": Case(adopted(AD1=[A1(DATE_MATCH="01/10/2024")]), {("Episodes", 4), ("AD1", 2)}, ADOPTED_CHILD),
        "334": Case(
            adopted(AD1=[A1(DATE_INT="01/01/2023")], PlacedAdoption=[PA(DATE_PLACED="01/01/2023")]),
            {("Episodes", 2), ("AD1", 2)},
            ADOPTED_CHILD,
        ),
        "335": Case(adopted(AD1=[A1(FOSTER_CARE="1")]), {("Episodes", 4), ("AD1", 2)}, ADOPTED_CHILD),
        "521": Case(
            adopted(AD1=[A1(DATE_INT="01/10/2024", DATE_MATCH="02/10/2024")]),
            {("Episodes", 4), ("AD1", 2)},
            ADOPTED_CHILD,
        ),
        "336": Case(
            adopted(
                Episodes=[adoption_history()[0] | {"PLACE": "K2", "PLACE_PROVIDER": "PR4"}, *adoption_history()[1:]]
            ),
            set(),
            ADOPTED_CHILD,
        ),
        "523": Case(
            adopted(PlacedAdoption=[PA(DATE_PLACED="02/03/2024")]), {("PlacedAdoption", 2), ("AD1", 2)}, ADOPTED_CHILD
        ),
        "525": Case(
            adopted(PlacedAdoption=[PA(DATE_PLACED_CEASED="01/05/2025", REASON_PLACED_CEASED="RD1")]),
            {("PlacedAdoption", 2), ("AD1", 2)},
            ADOPTED_CHILD,
        ),
        "551": Case(adopted(PlacedAdoption=[]), {("Episodes", 4)}, ADOPTED_CHILD),
        "552": Case(
            adopted(PlacedAdoption=[PA(DATE_PLACED="01/10/2024")]),
            {("Episodes", 4), ("PlacedAdoption", 2)},
            ADOPTED_CHILD,
        ),
        "553": Case(adopted(PlacedAdoption=[]), {("Episodes", 3), ("Episodes", 4)}, ADOPTED_CHILD),
        "554": Case(
            adopted(PlacedAdoption=[PA(DATE_PLACED="05/03/2024")]),
            {("Episodes", 3), ("PlacedAdoption", 2)},
            ADOPTED_CHILD,
        ),
        "1003": Case(
            adopted(PlacedAdoption=[PA(DATE_PLACED="01/01/2023")]),
            {("Episodes", 2), ("PlacedAdoption", 2)},
            ADOPTED_CHILD,
        ),
        "583": Case(
            {"PlacedAdoption": [PA(DATE_PLACED="01/03/2023"), PA()]},
            {("PlacedAdoption", 2)},
            {
                "PlacedAdoption": [
                    PA(DATE_PLACED="01/03/2023", DATE_PLACED_CEASED="01/01/2024", REASON_PLACED_CEASED="RD1"),
                    PA(),
                ]
            },
        ),
    }
)
# 336: the adoption placement follows a children's home (K2), not foster care.
CASES["336"] = Case(
    adopted(
        Episodes=[
            *adoption_history()[:1],
            adoption_history()[1] | {"PLACE": "K2", "PLACE_PROVIDER": "PR4"},
            adoption_history()[2],
        ]
    ),
    {("Episodes", 4)},
    ADOPTED_CHILD,
)

from tests.rules.build903 import PP, M, U  # noqa: E402


def missing_case(bad: list[dict[str, str | None]], rows: set[int], good: list[dict[str, str | None]]) -> Case:
    base = {"Header": [H()], "Episodes": [E()]}
    return Case({**base, "Missing": bad}, {("Missing", r) for r in rows}, {**base, "Missing": good})


def uasc_case(bad: dict[str, str | None], good: dict[str, str | None] | None = None) -> Case:
    head = [H(DOB="01/01/2009", UASC="1")]
    return Case({"Header": head, "UASC": [U(**bad)]}, {("UASC", 2)}, {"Header": head, "UASC": [U(**(good or {}))]})


STARTED = {"Header": [H()], "Episodes": [E()]}
CASES.update(
    {
        "1006": missing_case([M(MISSING="X")], {2}, [M()]),
        "1004": missing_case([M(MIS_START="32/07/2025")], {2}, [M()]),
        "1005": missing_case([M(MIS_END="32/07/2025")], {2}, [M(MIS_END=None)]),
        "564": missing_case([M(MIS_START=None)], {2}, [M()]),
        "565": missing_case([M(MISSING=None, MIS_END=None)], {2}, [M()]),
        "566": missing_case([M(MISSING=None, MIS_START=None)], {2}, [M()]),
        "567": missing_case([M(MIS_END="30/06/2025")], {2}, [M()]),
        "570": missing_case([M(MIS_START="01/04/2026", MIS_END=None)], {2}, [M()]),
        "571": missing_case([M(MIS_END="01/04/2026")], {2}, [M()]),
        "586": missing_case([M(DOB="01/08/2025")], {2}, [M()]),
        "574": missing_case(
            [M(MIS_END=None), M(MIS_START="05/07/2025", MIS_END="06/07/2025")],
            {3},
            [M(), M(MIS_START="05/07/2025", MIS_END="06/07/2025")],
        ),
        "575": Case(
            {"Header": [H()], "Episodes": [E(DEC="01/08/2025", REC="E4A")], "Missing": [M(MIS_END=None)]},
            {("Missing", 2)},
            {"Header": [H()], "Episodes": [E(DEC="01/08/2025", REC="E4A")], "Missing": [M()]},
        ),
        "581": missing_case([M(MIS_START="01/05/2025", MIS_END="02/05/2025")], {2}, [M()]),
        "104": uasc_case({"DUC": "01/01/2025"}),
        "304": uasc_case({"DUC": "01/06/2027"}),
        "303": Case(
            {"Header": [H(DOB="01/01/2009", UASC="0")], "UASC": [U()]},
            {("UASC", 2), ("Header", 2)},
            {"Header": [H(DOB="01/01/2009", UASC="1")], "UASC": [U()]},
        ),
        "631": Case({"PrevPerm": [PP(PREV_PERM="P9")]}, {("PrevPerm", 2)}, {"PrevPerm": [PP()]}),
        "633": Case(
            {"PrevPerm": [PP(PREV_PERM="P1", LA_PERM="123", DATE_PERM="01/01/2020")]},
            {("PrevPerm", 2)},
            {"PrevPerm": [PP(PREV_PERM="P1", LA_PERM="383", DATE_PERM="01/01/2020")]},
        ),
        "635": Case({"PrevPerm": [PP(PREV_PERM=None, LA_PERM="383")]}, {("PrevPerm", 2)}, {"PrevPerm": [PP()]}),
        "630": Case(STARTED, {("Episodes", 2)}, {**STARTED, "PrevPerm": [PP()]}),
        "632": Case(
            {**STARTED, "PrevPerm": [PP(PREV_PERM="P1", LA_PERM="383", DATE_PERM="01/07/2025")]},
            {("PrevPerm", 2)},
            {**STARTED, "PrevPerm": [PP(PREV_PERM="P1", LA_PERM="383", DATE_PERM="01/07/2020")]},
        ),
        "634": Case(
            {"Header": [H()], "Episodes": [E(DECOM="01/01/2024")], "PrevPerm": [PP()]},
            {("PrevPerm", 2)},
            {**STARTED, "PrevPerm": [PP()]},
        ),
    }
)

_TABLE_ROWS = {
    "AD1": A1,
    "PlacedAdoption": PA,
    "Episodes": E,
    "Missing": M,
    "OC2": O2,
    "OC3": O3,
    "PrevPerm": PP,
    "Reviews": R,
    "UASC": U,
}
for _code, _table in {
    "INT01": "AD1",
    "INT02": "PlacedAdoption",
    "INT03": "Episodes",
    "INT04": "Missing",
    "INT05": "OC2",
    "INT06": "OC3",
    "INT07": "PrevPerm",
    "INT08": "Reviews",
    "INT09": "UASC",
}.items():
    _row = _TABLE_ROWS[_table]
    CASES[_code] = Case(
        {"Header": [H()], _table: [_row(CHILD="9")]}, {(_table, 2)}, {"Header": [H()], _table: [_row()]}
    )
for _code, _table in {
    "INT11": "AD1",
    "INT12": "PlacedAdoption",
    "INT13": "Missing",
    "INT14": "OC2",
    "INT15": "OC3",
    "INT16": "PrevPerm",
    "INT17": "Reviews",
    "INT18": "UASC",
}.items():
    _row = _TABLE_ROWS[_table]
    CASES[_code] = Case(
        {"Header": [H()], _table: [_row(DOB="02/02/2015")]},
        {(_table, 2)},
        {"Header": [H()], _table: [_row(DOB="01/01/2015")]},
    )
CASES["INT21"] = Case(
    {"Header": [H()], "UASC": [U(DOB="01/01/2015", SEX="F")]},
    {("UASC", 2)},
    {"Header": [H()], "UASC": [U(DOB="01/01/2015")]},
)
for _code, _table in {
    "INT31": "AD1",
    "INT32": "Header",
    "INT33": "OC2",
    "INT34": "OC3",
    "INT35": "PrevPerm",
    "INT36": "UASC",
}.items():
    _row = {**_TABLE_ROWS, "Header": H}[_table]
    CASES[_code] = Case({_table: [_row(), _row()]}, {(_table, 2), (_table, 3)}, {_table: [_row(), _row(CHILD="2")]})

from tests.rules.build903 import D, S  # noqa: E402


def sw_case(
    bad: list[dict[str, str | None]], rows: set[int], good: list[dict[str, str | None]], year: int = 2026
) -> Case:
    base = {"Header": [H()], "Episodes": [E()]}
    return Case({**base, "SWEpisodes": bad}, {("SWEpisodes", r) for r in rows}, {**base, "SWEpisodes": good}, year)


SW_CHAIN = [S(SW_DEC="01/10/2025"), S(SW_ID="SW000002", SW_DECOM="01/10/2025", SW_REASON="LEFTRL")]
DOLO_BASE = {"Header": [H(DOB="01/01/2010")], "Episodes": [E(DECOM="01/05/2026", PLACE="K2", PLACE_PROVIDER="PR4")]}


def dolo_case(bad: list[dict[str, str | None]], rows: set[int], good: list[dict[str, str | None]]) -> Case:
    return Case({**DOLO_BASE, "DoLo": bad}, {("DoLo", r) for r in rows}, {**DOLO_BASE, "DoLo": good}, 2027)


CASES.update(
    {
        "SW04STG1": sw_case([S(SW_DECOM="2025-13-01")], {2}, [S()]),
        "SW05STG1": sw_case([S(SW_DEC="31/02/2026")], {2}, [S()]),
        "SW13STG1": sw_case([S(SW_REASON="BORED")], {2}, [S()]),
        "SW01aSTG1": sw_case([S(SW_DECOM=None)], {2}, [S()], 2025),
        "SW01bSTG1": sw_case([S(SW_REASON=None)], {2}, [S()], 2025),
        "SW02STG1": sw_case([S(SW_ID="AB123")], {2}, [S(SW_ID="XX123")]),
        "SW03STG1": sw_case([S(SW_ID=None)], {2}, [S()], 2024),
        "SW06STG2": sw_case([S(SW_DECOM="01/04/2026")], {2}, [S()]),
        "SW07STG2": sw_case([S(SW_DEC="01/04/2026")], {2}, [S(SW_DEC="01/03/2026")]),
        "SW09STG2": sw_case([S(SW_DEC="01/06/2025")], {2}, [S(SW_DEC="02/06/2025")]),
        "SW18STG2": sw_case([S(SW_DEC="01/05/2025")], {2}, [S()]),
        "SW19STG2": sw_case([S(), S(SW_ID="SW000002")], {2, 3}, SW_CHAIN),
        "SW08STG2": sw_case([S(), S(SW_ID="SW000002", SW_DECOM="01/10/2025", SW_REASON="LEFTRL")], {2}, SW_CHAIN),
        "SW14STG2": sw_case([S(), S(SW_ID="SW000002", SW_DECOM="01/10/2025", SW_REASON="LEFTRL")], {2}, SW_CHAIN, 2024),
        "SW10STG2": sw_case(
            [SW_CHAIN[0], S(SW_ID="SW000002", SW_DECOM="01/12/2025", SW_REASON="LEFTRL")], {3}, SW_CHAIN
        ),
        "SW17STG2": sw_case([S(SW_DEC="01/02/2026")], {2}, [S()]),
        "SW01STG1": Case(
            {"Header": [H()], "Episodes": [E()], "SWEpisodes": []},
            {("Episodes", 2)},
            {"Header": [H()], "Episodes": [E()], "SWEpisodes": [S()]},
            2024,
        ),
        "700": dolo_case([D(DOLO_START="2026-07-45")], {2}, [D()]),
        "701": dolo_case([D(DOLO_END="nope")], {2}, [D()]),
        "702": dolo_case([D(DOLO_END="01/06/2026")], {2}, [D()]),
        "703": dolo_case([D(DOLO_START="01/04/2027", DOLO_END=None)], {2}, [D()]),
        "704": dolo_case([D(DOLO_END="01/04/2027")], {2}, [D()]),
        "708": dolo_case([D(DOB="01/08/2026")], {2}, [D()]),
        "705": dolo_case(
            [D(DOLO_END=None), D(DOLO_START="01/10/2026", DOLO_END="01/11/2026")],
            {3},
            [D(), D(DOLO_START="01/10/2026", DOLO_END="01/11/2026")],
        ),
        "709": Case(
            {**DOLO_BASE, "Episodes": [E(DECOM="01/05/2026")], "DoLo": [D()]},
            {("DoLo", 2), ("Episodes", 2)},
            {**DOLO_BASE, "DoLo": [D()]},
            2027,
        ),
        "710": Case(
            {**DOLO_BASE, "Episodes": [E(DECOM="01/05/2026", PLACE="K1", PLACE_PROVIDER="PR1")], "DoLo": [D()]},
            {("DoLo", 2), ("Episodes", 2)},
            {**DOLO_BASE, "DoLo": [D()]},
            2027,
        ),
    }
)


def prev_header_case(
    now: dict[str, str | None], before: dict[str, str | None], ok_now: dict[str, str | None] | None = None
) -> Case:
    tables = {"Header": [H(**now)], "Episodes": [E()]}
    return Case(
        tables,
        {("Header", 2)},
        {"Header": [H(**(ok_now or {}))], "Episodes": [E()]},
        previous={"Header": [H(**before)]},
    )


CARRIED = [E(DECOM="01/01/2025")]
LAST_OPEN = {"Header": [H()], "Episodes": [E(DECOM="01/01/2025")]}


def carried_case(field: str, value: str) -> Case:
    return Case(
        {"Header": [H()], "Episodes": [E(DECOM="01/01/2025", **{field: value})]},
        {("Episodes", 2)},
        {"Header": [H()], "Episodes": CARRIED},
        previous=LAST_OPEN,
    )


CASES.update(
    {
        "202": prev_header_case({"SEX": "F"}, {"SEX": "1"}, {"SEX": "M"}),
        "203": prev_header_case({"DOB": "02/01/2015"}, {}),
        "204": prev_header_case({"ETHNIC": "WIRI"}, {}),
        "207": prev_header_case(
            {"SEX": "F", "DOB": "01/01/2008", "MOTHER": "0"},
            {"SEX": "F", "DOB": "01/01/2008", "MOTHER": "1", "MC_DOB": "01/01/2024"},
            {"SEX": "F", "DOB": "01/01/2008", "MOTHER": "1", "MC_DOB": "01/01/2024"},
        ),
        "208": prev_header_case({"UPN": "B123456789012"}, {}),
        "205D": prev_header_case({"UASC": "1"}, {"UASC": "0"}),
        "503A": carried_case("RNE", "P"),
        "503B": carried_case("LS", "C1"),
        "503C": carried_case("CIN", "N2"),
        "503D": carried_case("PLACE", "U5"),
        "503E": carried_case("PLACE_PROVIDER", "PR4"),
        "503F": carried_case("URN", "SC123456"),
        "502": Case(
            {"Header": [H()], "Episodes": [E(DECOM="02/01/2025")]},
            {("Episodes", 2)},
            {"Header": [H()], "Episodes": CARRIED},
            previous=LAST_OPEN,
        ),
        "562": Case(
            {"Header": [H()], "Episodes": [E(DECOM="02/01/2025")]},
            {("Episodes", 2)},
            {"Header": [H()], "Episodes": CARRIED},
            previous=LAST_OPEN,
        ),
        "NoE": Case(
            {"Header": [H()], "Episodes": CARRIED},
            {("Episodes", 2)},
            {"Header": [H()], "Episodes": CARRIED},
            previous={"Header": [H(CHILD="2")], "Episodes": [E(CHILD="2")]},
            ok_previous=LAST_OPEN,
        ),
        "559": Case(
            {"PlacedAdoption": [PA()]},
            {("PlacedAdoption", 2)},
            {"PlacedAdoption": [PA()]},
            previous={"PlacedAdoption": [PA(CHILD="2")]},
            ok_previous={"PlacedAdoption": [PA()]},
        ),
        "560": Case(
            {"PlacedAdoption": [PA(DATE_PLACED="01/05/2024")]},
            {("PlacedAdoption", 2)},
            {"PlacedAdoption": [PA()]},
            previous={"PlacedAdoption": [PA()]},
        ),
        "561": Case(
            {"PlacedAdoption": [PA()]},
            {("PlacedAdoption", 2)},
            {"PlacedAdoption": [PA()]},
            previous={"PlacedAdoption": [PA(DATE_PLACED_CEASED="01/02/2025", REASON_PLACED_CEASED="RD1")]},
            ok_previous={"PlacedAdoption": [PA()]},
        ),
        "584": Case(
            {"PlacedAdoption": [PA()]},
            {("PlacedAdoption", 2)},
            {"PlacedAdoption": [PA(DATE_PLACED="01/06/2025")]},
            previous={"PlacedAdoption": [PA(DATE_PLACED_CEASED="01/02/2025", REASON_PLACED_CEASED="RD1")]},
        ),
        "576": Case(
            {"Header": [H()], "Episodes": [E()], "Missing": [M()]},
            {("Missing", 2)},
            {"Header": [H()], "Episodes": [E()], "Missing": [M(MIS_START="30/03/2025", MIS_END="02/04/2025")]},
            previous={"Missing": [M(MIS_START="30/03/2025", MIS_END=None)]},
        ),
    }
)


def placed(place: str, dob: str, good_dob: str, **extra: str | None) -> Case:
    episode = E(PLACE=place, DEC="01/09/2025", REC="E4A", **extra)
    return Case(
        {"Header": [H(DOB=dob)], "Episodes": [episode]},
        {("Episodes", 2)},
        {"Header": [H(DOB=good_dob)], "Episodes": [episode]},
    )


def lasting(place: str, days_bad: str, days_ok: str) -> Case:
    bad = E(PLACE=place, PLACE_PROVIDER=None, RNE="P", DEC=days_bad, REC="X1")
    ok = E(PLACE=place, PLACE_PROVIDER=None, RNE="P", DEC=days_ok, REC="X1")
    return Case({"Header": [H()], "Episodes": [bad]}, {("Episodes", 2)}, {"Header": [H()], "Episodes": [ok]})


GIRL = {"SEX": "F"}
CASES.update(
    {
        "371": placed("K3", "01/01/2012", "01/01/2008"),
        "372": placed("R5", "01/01/2018", "01/01/2012", PLACE_PROVIDER="PR3"),
        "373": placed("S1", "01/01/2023", "01/01/2015"),
        "374": placed("P3", "01/01/2015", "01/01/2010"),
        "375": lasting("T1", "14/07/2025", "10/07/2025"),
        "376": lasting("T3", "25/06/2025", "20/06/2025"),
        "379": lasting("T4", "10/06/2025", "07/06/2025"),
        "377": episode_case(
            [E(PLACE="T3", PLACE_PROVIDER=None, RNE="P", DECOM=d) for d in ("01/05/2025", "01/08/2025", "01/11/2025")],
            {2, 3, 4},
            [E(PLACE="T3", PLACE_PROVIDER=None, RNE="P", DECOM=d) for d in ("01/05/2025", "01/08/2025")],
        ),
        "378": episode_case([E(PLACE="P1", PLACE_PROVIDER="PR0", LS="V2")], {2}, [E(PLACE="P1", PLACE_PROVIDER="PR0")]),
        "382": episode_case([E(PLACE="T1", PLACE_PROVIDER=None, LS="V3")], {2}, [E(LS="V3", PLACE="U5")]),
        "384": episode_case([E(LS="V4")], {2}, [E(LS="V4", PLACE="U5")]),
        "383": episode_case(
            [
                X1_CHAIN[0] | {"DEC": "01/07/2025"},
                E(DECOM="01/07/2025", RNE="P", PLACE="T1", PLACE_PROVIDER=None, DEC="01/08/2025", REC="X1"),
                E(DECOM="01/08/2025", RNE="P", PL_POST="LS7 7GG"),
            ],
            {4},
            [
                X1_CHAIN[0] | {"DEC": "01/07/2025"},
                E(DECOM="01/07/2025", RNE="P", PLACE="T1", PLACE_PROVIDER=None, DEC="01/08/2025", REC="X1"),
                E(DECOM="01/08/2025", RNE="P"),
            ],
        ),
        "359": Case(
            {"Header": [H(DOB="01/01/2007")], "Episodes": [E(DECOM="01/01/2024")]},
            {("Episodes", 2)},
            {
                "Header": [H(DOB="01/01/2007")],
                "Episodes": [E(DECOM="01/01/2024", LS="V2", PLACE="K2", PLACE_PROVIDER="PR4")],
            },
        ),
        "393": Case(
            {"Header": [H(**GIRL)], "Episodes": [E()]},
            {("Header", 2)},
            {"Header": [H(**GIRL, MOTHER="0")], "Episodes": [E()]},
        ),
        "607": Case(
            {"Header": [H(**GIRL)], "Episodes": [E(DEC="01/09/2025", REC="E4A")]},
            {("Header", 2)},
            {"Header": [H(**GIRL, MOTHER="0")], "Episodes": [E(DEC="01/09/2025", REC="E4A")]},
        ),
        "628": Case(
            {"Header": [H(**GIRL, DOB="01/01/2007", MOTHER="0")], "OC3": [O3()]},
            {("Header", 2)},
            {"Header": [H(**GIRL, DOB="01/01/2007")], "OC3": [O3()]},
        ),
    }
)

# Real postcodes (ONS Postcode Directory): two in Leeds (383, E08000035) and one in Bradford (380).
LEEDS_A, LEEDS_B, BRADFORD = "LS1 3BN", "LS17 8HB", "BD1 1DE"


def located(
    bad: dict[str, str | None],
    good: dict[str, str | None],
    la: str | None = "383",
    header: dict[str, str | None] | None = None,
) -> Case:
    base = {"HOME_POST": LEEDS_A, "PL_POST": LEEDS_B}
    head = [H(**(header or {}))]
    return Case(
        {"Header": head, "Episodes": [E(**(base | bad))]},
        {("Episodes", 2)},
        {"Header": head, "Episodes": [E(**(base | good))]},
        la=la,
    )


OPEN_LAST_LOCATED = {"Header": [H()], "Episodes": [E(DECOM="01/01/2025", HOME_POST=LEEDS_A, PL_POST=LEEDS_B)]}


def carried_located(bad: dict[str, str | None]) -> Case:
    located_episode = {"DECOM": "01/01/2025", "HOME_POST": LEEDS_A, "PL_POST": LEEDS_B}
    return Case(
        {"Header": [H()], "Episodes": [E(**(located_episode | bad))]},
        {("Episodes", 2)},
        {"Header": [H()], "Episodes": [E(**located_episode)]},
        previous=OPEN_LAST_LOCATED,
        la="383",
    )


CASES.update(
    {
        "169": located({"PL_POST": "ZZ99 9ZZ"}, {}),
        "179": located({"PL_POST": "ZZ99 9ZZ"}, {}),
        "420": located({"LS": "V3"}, {"LS": "V3", "PL_POST": None, "HOME_POST": None}),
        "454": located({"PL_POST": "ZE1 0AA"}, {}),
        "1015": located({"PLACE": "K2", "PL_POST": BRADFORD}, {"PLACE": "K2"}),
        "222": located({"PLACE": "R1", "URN": "SC123456"}, {"PLACE": "R1"}),
        "218": located({"PLACE": "K2"}, {"PLACE": "K2", "URN": "SC123456"}),
        "243": located({"PL_POST": "CF10 1EP", "URN": "SC123456"}, {"PL_POST": "CF10 1EP", "URN": "XXXXXXX"}),
        "392a": located({"PL_POST": None}, {}),
        "392b": Case(
            {"Header": [H()], "Episodes": [E(HOME_POST=None, PL_POST=LEEDS_B)]},
            {("Episodes", 2)},
            {"Header": [H()], "Episodes": [E(HOME_POST=LEEDS_A, PL_POST=LEEDS_B)]},
            previous={"Header": [H()]},
        ),
        "392c": located({"HOME_POST": "ZZ99 9ZZ"}, {}),
        "406": Case(
            {
                "Header": [H(UASC="1")],
                "UASC": [U(DOB="01/01/2015")],
                "Episodes": [E(HOME_POST=LEEDS_A, PL_POST=LEEDS_B)],
            },
            {("Episodes", 2)},
            {"Header": [H(UASC="1")], "UASC": [U(DOB="01/01/2015")], "Episodes": [E(HOME_POST=None, PL_POST=LEEDS_B)]},
        ),
        "452": carried_located({"PL_POST": BRADFORD}),
        "453": carried_located({"PL_POST": BRADFORD}),
        "503G": carried_located({"PL_POST": BRADFORD}),
        "503H": carried_located({"PL_POST": BRADFORD}),
        "503J": carried_located({"PL_POST": BRADFORD}),
    }
)

LEAVER_HEADER = [H(DOB="01/06/2007")]
CASES.update(
    {
        "516": episode_case(
            [E(DEC="01/09/2025", REC="E45", PLACE="K2", PLACE_PROVIDER="PR4")], {2}, [E(DEC="01/09/2025", REC="E45")]
        ),
        "1002": Case(
            {"Header": LEAVER_HEADER, "Episodes": [], "OC3": [O3(DOB="01/06/2007")]},
            {("OC3", 2)},
            {"Header": LEAVER_HEADER, "Episodes": [], "OC3": [O3(DOB="01/06/2007")]},
            previous={"Episodes": [E(CHILD="9")]},
            ok_previous={"Episodes": [E(DECOM="01/01/2023", DEC="01/06/2025", REC="E5")]},
        ),
        "1001": Case(
            {"Header": LEAVER_HEADER, "Episodes": [], "OC3": [O3(DOB="01/06/2007")]},
            {("OC3", 2)},
            {"Header": LEAVER_HEADER, "Episodes": [], "OC3": [O3(DOB="01/06/2007")]},
            previous={"Episodes": [E(DECOM="01/03/2025", DEC="20/03/2025", REC="E4A")]},
            ok_previous={"Episodes": [E(DECOM="01/01/2023", DEC="01/06/2025", REC="E5")]},
        ),
    }
)

CASES.update(
    {
        "214": episode_case([E(LS="V3", PLACE="U5")], {2}, [E(LS="V3", PLACE="U5", PL_POST=None)]),
        "231": header_case({"UASC": "1", "DOB": "01/01/2017"}, {"UASC": "1", "DOB": "01/01/2010"}),
        "347": oc3_case({"DOB": "01/06/2008", "ACCOM": "T1"}, {"DOB": "01/01/2007", "ACCOM": "T1"}),
        "210": Case(
            {"Header": [H(UPN="UN4")], "Episodes": [E(DECOM="01/01/2026")]},
            {("Header", 2), ("Episodes", 2)},
            {"Header": [H(UPN="UN4")], "Episodes": [E(DECOM="28/03/2026")]},
        ),
        "117": Case(
            adopted(PlacedAdoption=[PA(DATE_PLACED="01/07/2025")]),
            {("Episodes", 4), ("PlacedAdoption", 2)},
            ADOPTED_CHILD,
        ),
        "118": Case(
            adopted(PlacedAdoption=[PA(DATE_PLACED_CEASED="01/02/2025", REASON_PLACED_CEASED="RD1")]),
            {("Episodes", 2), ("PlacedAdoption", 2)},
            ADOPTED_CHILD,
        ),
        "187": Case(
            {**cla12(), "OC3": [O3(DOB="01/01/2015")]}, {("OC3", 2)}, {**not_cla12(), "OC3": [O3(DOB="01/01/2015")]}
        ),
        "199": episode_case(
            [E(DECOM="01/06/2025", DEC="01/08/2025", REC="E11", PLACE="A4"), E(DECOM="01/10/2025")],
            {3},
            [E(DECOM="01/06/2025", DEC="01/08/2025", REC="E11", PLACE="A4")],
        ),
        "215": Case(
            {"OC3": [O3()], "OC2": [O2(DOB="01/01/2007")]},
            {("OC3", 2), ("OC2", 2)},
            {"OC3": [O3()], "OC2": [O2(CHILD="2")]},
        ),
        "1000": Case(
            {"Episodes": [E(CHILD="1", DEC="01/06/2025", REC="E2")], "OC3": [O3()]},
            {("OC3", 2)},
            {"Episodes": [E(CHILD="1", DEC="01/06/2025", REC="E5")], "OC3": [O3()]},
        ),
        "1007": Case(
            {"Episodes": [E(DECOM="01/01/2025", DEC="01/03/2026", REC="E5")], "OC3": [O3(DOB="01/06/2008")]},
            {("OC3", 2)},
            {"Episodes": [E(DECOM="01/01/2025", DEC="01/05/2025", REC="E5")], "OC3": [O3(DOB="01/06/2008")]},
        ),
        "1010": Case(
            {"Episodes": [], "OC3": [O3()]},
            {("OC3", 2)},
            {"Episodes": [], "OC3": [O3()]},
            previous={"Episodes": [E(DECOM="01/01/2025")]},
            ok_previous={"Episodes": [E(DECOM="01/01/2025", DEC="01/02/2025", REC="E5")]},
        ),
        "1011": Case(
            {"Episodes": [E(DEC="01/06/2025", REC="E3")], "OC3": [O3()]},
            {("OC3", 2)},
            {"Episodes": [E(DEC="01/06/2025", REC="E5")], "OC3": [O3()]},
        ),
        "1012": Case({"Episodes": [], "Reviews": [R()]}, {("Reviews", 2)}, {"Episodes": [E()], "Reviews": [R()]}),
        "1014": Case(
            {"Episodes": [E(DECOM="01/01/2024", DEC="01/02/2025", REC="E5")], "OC3": [O3()], "UASC": [U()]},
            {("UASC", 2)},
            {"Episodes": [E(DECOM="01/01/2024", DEC="01/02/2025", REC="E5")], "OC3": [O3()]},
        ),
        "348": Case(
            {"OC3": [O3()]},
            {("OC3", 2)},
            {"OC3": [O3(IN_TOUCH="DIED", ACTIV="0", ACCOM="0")]},
            previous={"OC3": [O3(IN_TOUCH="DIED", ACTIV="0", ACCOM="0")]},
        ),
    }
)

V3 = {"LS": "V3", "PLACE": "U5", "HOME_POST": None, "PL_POST": None}
CASES.update(
    {
        "361": episode_case([E(LS="L1", DEC="06/06/2025", REC="E4A")], {2}, [E(LS="L1", DEC="03/06/2025", REC="E4A")]),
        "362": episode_case(
            [
                E(LS="L2", DEC="01/07/2025", REC="X1"),
                E(DECOM="01/07/2025", RNE="P", LS="L2", PL_POST="LS3 3CC", DEC="10/07/2025", REC="E4A"),
            ],
            {2, 3},
            [E(LS="L2", DEC="20/06/2025", REC="E4A")],
        ),
        "363": episode_case([E(LS="L3", DEC="10/06/2025", REC="E4A")], {2}, [E(LS="L3", DEC="07/06/2025", REC="E4A")]),
        "364": episode_case([E(LS="J2", DEC="01/07/2025", REC="E4A")], {2}, [E(LS="J2", DEC="20/06/2025", REC="E4A")]),
        "365": episode_case([E(**V3, DEC="20/06/2025", REC="E4A")], {2}, [E(**V3, DEC="10/06/2025", REC="E4A")]),
        "366": episode_case([E(**V3 | {"RNE": "P"})], {2}, [E(**V3)]),
        "398": episode_case([E(**V3 | {"PL_POST": "LS2 2BB"})], {2}, [E(**V3)]),
        "367": episode_case(
            [
                E(**V3 | {"DECOM": d, "DEC": e, "REC": "E4A"})
                for d, e in (
                    ("01/05/2025", "17/05/2025"),
                    ("01/07/2025", "17/07/2025"),
                    ("01/09/2025", "17/09/2025"),
                    ("01/11/2025", "17/11/2025"),
                    ("01/01/2026", "17/01/2026"),
                )
            ],
            {2, 3, 4, 5, 6},
            [E(**V3 | {"DEC": "17/06/2025", "REC": "E4A"})],
        ),
        "426": episode_case(
            [E(**V3 | {"DEC": "05/06/2025", "REC": "E4A"}), E(**V3 | {"LS": "V4", "DECOM": "01/08/2025"})],
            {2, 3},
            [E(**V3)],
        ),
        "399": Case(
            {"Header": [H(SEX="F", MOTHER="0")], "Episodes": [E(**V3)]},
            {("Episodes", 2), ("Header", 2)},
            {"Header": [H(SEX="F")], "Episodes": [E(**V3)]},
        ),
        "460": Case(
            {"Header": [H(DOB="01/06/2007")], "Episodes": [E(DEC="01/05/2025", REC="E17")]},
            {("Episodes", 2)},
            {"Header": [H(DOB="01/06/2007")], "Episodes": [E(DEC="01/06/2025", REC="E17")]},
        ),
    }
)

LEFT_CARE = [E(DEC="01/09/2025", REC="E4A")]
CASES.update(
    {
        "577": Case(
            {"Header": [H()], "Episodes": LEFT_CARE, "Missing": [M(MIS_END=None)]},
            {("Missing", 2)},
            {"Header": [H()], "Episodes": LEFT_CARE, "Missing": [M()]},
        ),
        "578": Case(
            {"Header": [H()], "Episodes": LEFT_CARE, "Missing": [M(MIS_START="05/09/2025", MIS_END="06/09/2025")]},
            {("Missing", 2)},
            {"Header": [H()], "Episodes": LEFT_CARE, "Missing": [M()]},
        ),
        "580": Case(
            {
                "Header": [H(DOB="01/09/2007")],
                "Episodes": [E(DEC="01/09/2025", REC="E5")],
                "Missing": [M(DOB="01/09/2007", MIS_START="30/08/2025", MIS_END="01/09/2025")],
            },
            {("Episodes", 2)},
            {
                "Header": [H(DOB="01/09/2007")],
                "Episodes": [E(DEC="01/09/2025", REC="E8")],
                "Missing": [M(DOB="01/09/2007", MIS_START="30/08/2025", MIS_END="01/09/2025")],
            },
        ),
        "557": Case(
            {"Episodes": [E(LS="E1", DEC="01/09/2025", REC="E4A")], "PlacedAdoption": [PA()]},
            {("Episodes", 2), ("PlacedAdoption", 2)},
            {
                "Episodes": [E(LS="E1", DEC="01/09/2025", REC="E4A")],
                "PlacedAdoption": [PA(DATE_PLACED_CEASED="01/09/2025", REASON_PLACED_CEASED="RD1")],
            },
        ),
        "558": Case(
            {
                **ADOPTED_CHILD,
                "PlacedAdoption": [
                    PA(DATE_PLACED="01/03/2023", DATE_PLACED_CEASED="01/06/2023", REASON_PLACED_CEASED="RD1"),
                    PA(DATE_PLACED_CEASED="01/05/2025", REASON_PLACED_CEASED="RD1"),
                ],
            },
            {("Episodes", 4)},
            ADOPTED_CHILD,
        ),
        "582": Case(adopted(AD1=[A1(DATE_MATCH="01/06/2025")]), {("Episodes", 4)}, ADOPTED_CHILD),
        "601": Case(adopted(AD1=[A1(LS_ADOPTR=None)]), {("AD1", 2), ("Episodes", 4)}, ADOPTED_CHILD),
        "602": Case({"Episodes": [E()], "AD1": [A1()]}, {("AD1", 2)}, ADOPTED_CHILD),
    }
)

MUM = {"SEX": "F", "DOB": "01/01/2008", "MOTHER": "1", "MC_DOB": "01/10/2025"}
CASES.update(
    {
        "165": Case(
            {"Header": [H(SEX="F")], "Episodes": [E()]},
            {("Header", 2)},
            {"Header": [H(SEX="F", MOTHER="0")], "Episodes": [E()]},
        ),
        "624": Case(
            {"Header": [H(**MUM)], "Episodes": [E()]},
            {("Header", 2)},
            {"Header": [H(**MUM)], "Episodes": [E()]},
            previous={"Header": [H(**MUM | {"MC_DOB": "01/09/2025"})]},
            ok_previous={"Header": [H(**MUM)]},
        ),
        "625": Case(
            {"Header": [H(**MUM)], "Episodes": [E(DEC="01/09/2025", REC="E4A")]},
            {("Header", 2), ("Episodes", 2)},
            {"Header": [H(**MUM)], "Episodes": [E(DEC="01/11/2025", REC="E4A")]},
        ),
        "626": Case(
            {"Header": [H(**MUM | {"MC_DOB": "01/01/2025"})], "Episodes": [E()]},
            {("Header", 2)},
            {"Header": [H(**MUM)], "Episodes": [E()]},
            previous={"Header": [H(**MUM | {"MOTHER": "0", "MC_DOB": None})]},
        ),
        "EPI": Case(
            {"Header": [H()], "Episodes": [], "OC3": []}, {("Header", 2)}, {"Header": [H()], "Episodes": [E()]}
        ),
    }
)

UASC_HEAD = [H(DOB="01/01/2009", UASC="1")]
CASES.update(
    {
        "SW10aSTG2": sw_case(
            [SW_CHAIN[0], S(SW_ID="SW000002", SW_DECOM="01/12/2025", SW_REASON="LEFTRL")], {3}, SW_CHAIN
        ),
        "SW10bSTG2": sw_case(
            [S(), S(SW_ID="SW000002", SW_DECOM="01/10/2025")],
            {3},
            [S(SW_DEC="01/08/2025"), S(SW_ID="SW000002", SW_DECOM="01/10/2025")],
        ),
        "SW11bSTG2": sw_case([S(SW_DEC="29/03/2026")], {2}, [S(SW_DEC="01/03/2026")]),
        "205A": Case(
            {"Header": [H(DOB="01/01/2009", UASC="0")], "UASC": [U(DUC="01/01/2027")]},
            {("UASC", 2)},
            {"Header": UASC_HEAD, "UASC": [U()]},
            previous={"Header": UASC_HEAD, "UASC": [U()]},
        ),
        "205B": Case(
            {"Header": UASC_HEAD, "UASC": [U(DUC="01/01/2028")]},
            {("UASC", 2)},
            {"Header": UASC_HEAD, "UASC": [U()]},
            previous={"Header": UASC_HEAD, "UASC": [U()]},
        ),
        "205C": Case(
            {"Header": [H(DOB="01/01/2009", UASC="0")], "UASC": [U()]},
            {("UASC", 2)},
            {"Header": UASC_HEAD, "UASC": [U()]},
            previous={"Header": [H(DOB="01/01/2009", UASC="0")]},
        ),
        "242": episode_case([E(URN="XXXXXXX")], {2}, [E(PLACE="A4", URN="XXXXXXX", LS="E1")]),
        "1016": Case(
            {"Episodes": [E(DECOM="01/01/2025", DEC="01/08/2025", REC="E5")], "OC3": [O3(DOB="01/06/2008")]},
            {("OC3", 2)},
            {"Episodes": [E(DECOM="01/01/2025", DEC="01/05/2025", REC="E5")], "OC3": [O3(DOB="01/06/2008")]},
        ),
    }
)

CASES["579"] = Case(
    {"PlacedAdoption": [PA(DATE_PLACED="01/03/2023"), PA()]},
    {("PlacedAdoption", 3)},
    {
        "PlacedAdoption": [
            PA(DATE_PLACED="01/03/2023", DATE_PLACED_CEASED="01/01/2024", REASON_PLACED_CEASED="RD1"),
            PA(),
        ]
    },
)


def provider(**kw: str) -> dict[str, str]:
    return {
        "URN": "SC100001",
        "Local authority": "Leeds",
        "Placement code": "K2",
        "Placement provider code": "PR4",
        "Deregistration date": "",
        "Setting address postcode": LEEDS_B,
        **kw,
    }


HOME = E(PLACE="K2", PLACE_PROVIDER="PR4", URN="SC100001", HOME_POST=LEEDS_A, PL_POST=LEEDS_B)


def provider_case(
    bad: dict[str, str],
    good: dict[str, str] | None = None,
    episode: dict[str, str | None] | None = None,
    la: str | None = None,
) -> Case:
    tables = {"Header": [H()], "Episodes": [HOME | (episode or {})]}
    return Case(
        tables,
        {("Episodes", 2)},
        tables,
        la=la,
        extra={"providers": [provider(**bad)], "ok_providers": [provider(**(good or {}))]},
    )


CASES.update(
    {
        "1008": provider_case({"URN": "SC999999"}),
        "241": provider_case(
            {"Setting address postcode": BRADFORD, "Placement code": "K3"}, {"Placement code": "K3"}, {"PLACE": "K3"}
        ),
        "219": provider_case({"Placement code": "K1"}, {"Placement code": "K1/K2"}),
        "224": provider_case({"Placement provider code": "PR5"}, {"Placement provider code": "PR4, PR5"}),
        "221": provider_case({"Setting address postcode": LEEDS_A}),
        "227": provider_case({"Deregistration date": "01/05/2025"}, {"Deregistration date": "01/05/2026"}),
        "228": provider_case({"Deregistration date": "01/01/2026"}, {"Deregistration date": "01/05/2026"}),
        "229": provider_case(
            {"Setting address postcode": BRADFORD, "Placement provider code": "PR1"},
            {"Placement provider code": "PR1"},
            episode={"PLACE_PROVIDER": "PR1"},
            la="383",
        ),
    }
)

DOLO_LAST = {"Header": [H(DOB="01/01/2010")], "DoLo": [D(DOLO_START="01/07/2025", DOLO_END=None)]}
LEFT_CARE = E(DECOM="01/05/2026", PLACE="K2", PLACE_PROVIDER="PR4", DEC="01/10/2026", REC="E8")
FREED_EPISODE = {"Header": [H()], "Episodes": [E(LS="D1")]}

CASES.update(
    {
        "370": replace(placed("P2", "01/01/2012", "01/01/2008"), year=2024),
        "230": replace(located({"PLACE": "H5"}, {"PLACE": "H5", "URN": "SC123456"}), year=2024),
        "451": replace(episode_case([E(LS="D1")], {2}, [E(LS="D1", DEC="01/09/2025", REC="E11")]), year=2024),
        "555": Case(
            FREED_EPISODE, {("Episodes", 2)}, {**FREED_EPISODE, "PlacedAdoption": [PA(DATE_PLACED="01/05/2025")]}, 2024
        ),
        "556": Case(
            {**FREED_EPISODE, "PlacedAdoption": [PA(DATE_PLACED="01/07/2025")]},
            {("Episodes", 2), ("PlacedAdoption", 2)},
            {**FREED_EPISODE, "PlacedAdoption": [PA(DATE_PLACED="01/05/2025")]},
            2024,
        ),
        "SW11aSTG2": sw_case(
            [S(SW_DECOM="01/06/2023", SW_DEC="01/10/2023")],
            {2},
            [
                S(SW_DECOM="01/06/2023", SW_DEC="01/10/2023"),
                S(SW_ID="SW000002", SW_DECOM="03/10/2023", SW_REASON="LEFTRL"),
            ],
            2024,
        ),
        "706": Case(
            {**DOLO_BASE, "DoLo": []},
            {("Header", 2)},
            {**DOLO_BASE, "DoLo": [D(DOLO_START="01/07/2025", DOLO_END="01/09/2026")]},
            2027,
            previous=DOLO_LAST,
        ),
        "707": Case(
            {**DOLO_BASE, "Episodes": [LEFT_CARE], "DoLo": [D(DOLO_END=None)]},
            {("DoLo", 2)},
            {**DOLO_BASE, "Episodes": [LEFT_CARE], "DoLo": [D()]},
            2027,
        ),
    }
)

RETURNED = [
    E(DECOM="01/06/2024", DEC="01/06/2025", REC="E4A"),
    E(DECOM="01/10/2025", RNE="S", PLACE="U5", PL_POST="LS3 3CC"),
]
WORKER_IN_CARE = [
    S(SW_DECOM="01/06/2024", SW_DEC="01/06/2025", SW_REASON="FCONTA"),
    S(SW_ID="SW000002", SW_DECOM="01/10/2025", SW_REASON="LEFTRL"),
]
WORKER_THROUGHOUT = [
    S(SW_DECOM="01/06/2024", SW_DEC="01/10/2025", SW_REASON="FCONTA"),
    S(SW_ID="SW000002", SW_DECOM="01/10/2025", SW_REASON="LEFTRL"),
]
CASES["SW12STG2"] = Case(
    {"Header": [H()], "Episodes": RETURNED, "SWEpisodes": WORKER_IN_CARE},
    {("Episodes", 3)},
    {"Header": [H()], "Episodes": RETURNED, "SWEpisodes": WORKER_THROUGHOUT},
)
