"""Rules on the cases the DfE messages mean: blank cells, values that did not parse, and later versions of rules.

Each case failed before the rule was corrected (issue 10); the expected rows were worked out from the message.
"""

from __future__ import annotations

import pytest

from tests.rules.build903 import A1, PP, E, H, R, S, adoption_history
from tests.rules.cases_cin import CD, CI, PROTECTED, S47, census
from tests.rules.harness import failing_rows


def rows_903(code: str, tables: dict[str, list[dict[str, str | None]]], **kw: object) -> set[tuple[str, int]]:
    return failing_rows("ssda903", code, tables, **kw)  # type: ignore[arg-type]


# --- blank cells ---------------------------------------------------------------------------------------------------


def test_399_a_blank_legal_status_is_not_respite() -> None:
    """Only a child looked after under V3/V4 alone is 'respite only'; a blank LS does not make one."""
    girl = H(SEX="F", MOTHER="0")
    assert rows_903("399", {"Header": [girl], "Episodes": [E(LS=None)]}) == set()
    assert rows_903("399", {"Header": [girl], "Episodes": [E(LS="V3")]}) == {("Header", 2), ("Episodes", 2)}


def test_408_blank_legal_status_is_no_placement_order() -> None:
    assert rows_903("408", {"Header": [H()], "Episodes": [E(PLACE="A5", LS=None)]}) == {("Episodes", 2)}
    assert rows_903("408", {"Header": [H()], "Episodes": [E(PLACE="A5", LS="E1")]}) == set()


def test_336_blank_previous_placement_is_not_a_foster_placement() -> None:
    episodes = [E(DEC="01/08/2025", REC="X1", PLACE=None), E(DECOM="01/08/2025", RNE="P", PLACE="A3", URN="XXXXXXX")]
    assert rows_903("336", {"Header": [H()], "Episodes": episodes}) == {("Episodes", 3)}


def test_519_civil_partners_with_blank_sexes_do_not_show_a_couple() -> None:
    assert rows_903("519", {"AD1": [A1(LS_ADOPTR="L2", SEX_ADOPTR=None)]}) == {("AD1", 2)}
    assert rows_903("519", {"AD1": [A1(LS_ADOPTR="L2", SEX_ADOPTR="FF")]}) == set()


def test_366_blank_reason_for_new_episode_during_respite() -> None:
    assert rows_903("366", {"Header": [H()], "Episodes": [E(LS="V3", RNE=None)]}) == {("Episodes", 2)}


def test_344_blank_activity_is_not_completed() -> None:
    """Died or returned home, with activity and accommodation blank: nothing was completed."""
    leaver = {"IN_TOUCH": "DIED", "ACTIV": None, "ACCOM": None}
    from tests.rules.build903 import O3

    assert rows_903("344", {"Header": [H(DOB="01/01/2007")], "OC3": [O3(**leaver)]}) == set()
    assert rows_903("344", {"Header": [H(DOB="01/01/2007")], "OC3": [O3(**leaver | {"ACTIV": "F2"})]}) == {("OC3", 2)}


def test_sw10_blank_reason_is_not_first_contact() -> None:
    """SW10STG2: a worker who is not first contact (a blank reason is not FCONTA) starting 20 days after."""
    workers = [S(SW_DEC="01/07/2025"), S(SW_ID="SW000002", SW_DECOM="21/07/2025", SW_REASON=None)]
    flagged = rows_903("SW10STG2", {"Header": [H()], "Episodes": [E()], "SWEpisodes": workers}, year=2025)
    assert flagged == {("SWEpisodes", 3)}


def test_167_blank_participation_code_with_a_review() -> None:
    assert rows_903("167", {"Header": [H()], "Reviews": [R(REVIEW_CODE=None)]}) == {("Reviews", 2)}


def test_8839_blank_icpc_not_required_is_an_open_enquiry() -> None:
    open_s47 = [
        S47(DateOfInitialCPC=None, ICPCnotRequired=None),
        S47(S47ActualStartDate="2025-05-05", DateOfInitialCPC=None, ICPCnotRequired=None),
    ]
    tables = census(**{**PROTECTED, "Section47": open_s47, "ChildProtectionPlans": [], "Reviews": []})
    assert failing_rows("cin", "8839", tables) == {("Section47", 2), ("Section47", 3)}


def test_8772_blank_referral_nfa_is_a_referral_going_on_to_action() -> None:
    tables = census(ChildIdentifiers=[CI(UPN=None, UPNunknown="UN7")], CINdetails=[CD(ReferralNFA=None)])
    assert failing_rows("cin", "8772", tables) == {("ChildIdentifiers", 2)}
    nfa = census(ChildIdentifiers=[CI(UPN=None, UPNunknown="UN7")], CINdetails=[CD(ReferralNFA="true")])
    assert failing_rows("cin", "8772", nfa) == set()


# --- a value that fails to parse is not a blank --------------------------------------------------------------------


def test_148_an_unparsed_end_date_is_not_blank() -> None:
    """DEC holds text that is not a date: 147 reports it; it still counts as completed for 148 (DEC and REC)."""
    tables = {"Header": [H()], "Episodes": [E(DEC="31/13/2025", REC="E11")]}
    assert rows_903("148", tables) == set()
    assert rows_903("147", tables) == {("Episodes", 2)}


def test_635_an_unparsed_permanence_date_is_given_details() -> None:
    assert rows_903("635", {"PrevPerm": [PP(PREV_PERM=None, DATE_PERM="sometime")]}) == {("PrevPerm", 2)}


# --- later versions of rules ---------------------------------------------------------------------------------------


def test_1015_exempts_supported_accommodation_from_2025_26() -> None:
    episode = E(PLACE="K3", PLACE_PROVIDER="PR1", PL_POST="M1 1AA", URN="SC000001")
    tables = {"Header": [H(DOB="01/01/2008")], "Episodes": [episode]}
    assert rows_903("1015", tables, year=2026, la="383") == set()
    assert rows_903("1015", tables, year=2025, la="383") == {("Episodes", 2)}


def test_442_children_only_ever_in_respite_are_exempt() -> None:
    assert rows_903("442", {"Header": [H(UPN=None)], "Episodes": [E(LS="V3")]}) == set()
    assert rows_903("442", {"Header": [H(UPN=None)], "Episodes": [E(LS="C2")]}) == {("Header", 2)}


@pytest.mark.parametrize("last_place", ["H5", "Z1"])
def test_503d_renamed_placement_codes_are_the_same_placement(last_place: str) -> None:
    now = "K3" if last_place == "H5" else "Z12"
    last = [E(DECOM="01/06/2024", PLACE=last_place)]
    tables = {"Header": [H(DOB="01/01/2008")], "Episodes": [E(DECOM="01/06/2024", PLACE=now)]}
    assert rows_903("503D", tables, previous={"Header": [H(DOB="01/01/2008")], "Episodes": last}) == set()


@pytest.mark.parametrize(("written", "flagged"), [("ZZ/05/2015", False), ("ZZ/ZZ/2025", True), ("xx/05/2015", True)])
def test_632_zz_stands_for_an_unknown_day_or_month(written: str, flagged: bool) -> None:
    """ZZ/ZZ/2025 may be as late as 31/12/2025, after the episode began (01/06/2025): flagged, as the DfE says."""
    tables = {"Header": [H()], "Episodes": [E()], "PrevPerm": [PP(PREV_PERM="P1", LA_PERM="383", DATE_PERM=written)]}
    assert rows_903("632", tables) == ({("PrevPerm", 2)} if flagged else set())


def test_335_uses_the_current_adoption_placement_codes() -> None:
    history = adoption_history(PLACE="A5")  # placed with current foster carer
    assert rows_903("335", {"Header": [H(DOB="01/01/2023")], "Episodes": history, "AD1": [A1(FOSTER_CARE="0")]}) == {
        ("Episodes", 4),
        ("AD1", 2),
    }
    assert (
        rows_903("335", {"Header": [H(DOB="01/01/2023")], "Episodes": history, "AD1": [A1(FOSTER_CARE="1")]}) == set()
    )


def test_8890_an_enquiry_with_a_conference_date_is_open_until_it() -> None:
    enquiries = [
        S47(DateOfInitialCPC="2025-06-30", ICPCnotRequired="true"),
        S47(S47ActualStartDate="2025-06-01", DateOfInitialCPC="2025-06-20"),
    ]
    tables = census(**{**PROTECTED, "Section47": enquiries, "ChildProtectionPlans": [], "Reviews": []})
    assert failing_rows("cin", "8890", tables) == {("Section47", 3)}


def test_8815_referrals_with_no_further_action_are_not_counted() -> None:
    episodes = [CD(), CD(CINdetailsID="2", CINreferralDate="2025-09-01", ReferralNFA="true")]
    assert failing_rows("cin", "8815", census(CINdetails=episodes)) == set()
    acted = [CD(), CD(CINdetailsID="2", CINreferralDate="2025-09-01")]
    assert failing_rows("cin", "8815", census(CINdetails=acted)) == {("CINdetails", 2), ("CINdetails", 3)}


def test_625_a_mother_still_in_care_in_a_later_open_episode() -> None:
    """Her first child was born after an episode that ended with X1 (care went on in the next, open episode)."""
    mother = H(SEX="F", DOB="01/01/2008", MOTHER="1", MC_DOB="01/12/2025")
    episodes = [E(DEC="01/09/2025", REC="X1"), E(DECOM="01/09/2025", RNE="L", LS="C1")]
    assert rows_903("625", {"Header": [mother], "Episodes": episodes}) == set()
    left = [E(DEC="01/09/2025", REC="E8")]
    assert rows_903("625", {"Header": [mother], "Episodes": left}) == {("Header", 2), ("Episodes", 2)}
