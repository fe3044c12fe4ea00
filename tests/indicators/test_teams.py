"""Annex A counts by allocated team and worker, worked out by hand (period 1/4/2025 to 31/3/2026).

  List3 referrals: T1/W1 on 03/05/2025, T1/W1 on 04/06/2025, T2/W2 on 01/02/2025 (before the period: out),
        blank team and worker on 05/07/2025 ("(not recorded)", still counted)
  List7 CP plans: T1/W1 open, T1/W3 ended 01/03/2026 (out), T2/W2 ends 15/04/2026 (after the period: open)
  List8 looked after: T2/W2 open, " T2 " / W2 open (spaces trimmed: the same team)
By team: T1 referrals 2, CP plans 1 = 3; T2 referrals 0, CP plans 1, looked after 2 = 3; (not recorded) 1 referral.
"""

from __future__ import annotations

from csctools.indicators.teams import team_counts
from csctools.io.result import ReturnData
from tests.indicators.test_indicators_annex_a import ID, PERIOD, typed

TEAM, WORKER = "Allocated Team", "Allocated Worker"
PLAN_END = "Child Protection Plan End Date"
TABLES = {
    "List3": [
        {ID: "a", "Date of referral": "03/05/2025", TEAM: "T1", WORKER: "W1"},
        {ID: "b", "Date of referral": "04/06/2025", TEAM: "T1", WORKER: "W1"},
        {ID: "c", "Date of referral": "01/02/2025", TEAM: "T2", WORKER: "W2"},
        {ID: "d", "Date of referral": "05/07/2025", TEAM: None, WORKER: ""},
    ],
    "List7": [
        {ID: "a", TEAM: "T1", WORKER: "W1", PLAN_END: None},
        {ID: "b", TEAM: "T1", WORKER: "W3", PLAN_END: "01/03/2026"},
        {ID: "c", TEAM: "T2", WORKER: "W2", PLAN_END: "15/04/2026"},
    ],
    "List8": [{ID: "e", TEAM: "T2", WORKER: "W2"}, {ID: "f", TEAM: " T2 ", WORKER: "W2"}],
}


def test_counts_by_team_and_worker() -> None:
    counts = team_counts([ReturnData("annex_a", None, typed(TABLES), [])], PERIOD)
    assert counts.columns == ["Referrals", "CP plans", "Looked after"]
    assert counts.by_team.rows() == [("T1", 2, 1, 0, 3), ("T2", 0, 1, 2, 3), ("(not recorded)", 1, 0, 0, 1)]
    assert counts.by_worker.rows() == [
        ("T1", "W1", 2, 1, 0, 3),
        ("T2", "W2", 0, 1, 2, 3),
        ("(not recorded)", "(not recorded)", 1, 0, 0, 1),
    ]


def test_no_annex_a_gives_nothing() -> None:
    assert team_counts([], PERIOD).empty
