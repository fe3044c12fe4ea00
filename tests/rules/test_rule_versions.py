"""Each rule as the DfE defined it in each collection year (issue 10, "later versions of a rule").

The versions are those of the sector's reference validators (lac_validator/rules/<year>/, cin_validator/rules/
<year>/), read as statements of the rule of each year. Every case below failed on csctools before the rule was made
to follow its version of that year; the expected rows are worked out by hand from the rule of the year.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from csctools.validate.catalogue import LATEST_CIN, catalogue
from csctools.validate.registry import REGISTRY
from csctools.validate.run import load_rules
from csctools.years import CollectionYear
from tests.rules.build903 import PA, E, H, S
from tests.rules.cases_903 import BRADFORD, LEEDS_A, LEEDS_B, provider
from tests.rules.cases_cin import CD, CI, census
from tests.rules.harness import failing_rows

Tables = dict[str, list[dict[str, str | None]]]
FLAGGED = {("Episodes", 2)}
# ../shared/reference beside the repository (a worktree under wt/ has it one level further up)
REFERENCE = next(
    (
        p / "shared" / "reference"
        for p in Path(__file__).resolve().parents[2:4]
        if (p / "shared" / "reference").exists()
    ),
    Path("shared-reference-absent"),
)


def rows_903(code: str, tables: Tables, year: int, **kw: object) -> set[tuple[str, int]]:
    return failing_rows("ssda903", code, tables, year=year, **kw)  # type: ignore[arg-type]


def episode(year: int, **kw: str | None) -> Tables:
    """One child with one episode that began in June of the collection year."""
    return {"Header": [H(DOB="01/01/2008")], "Episodes": [E(DECOM=f"01/06/{year - 1}", **kw)]}


def located(year: int, **kw: str | None) -> Tables:
    """One episode with postcodes the postcode lookup knows (Leeds), so the placement LA is derived."""
    return episode(year, HOME_POST=LEEDS_A, PL_POST=LEEDS_B, **kw)


# --- placement codes of each year ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "place", "valid"),
    [
        (2025, "H5", True),  # semi-independent living, until 2024/25
        (2025, "P2", True),  # independent living
        (2025, "Z1", True),  # other placement, split into Z11-Z14 from 2025/26
        (2025, "Z11", False),
        (2024, "Z13", False),
        (2026, "H5", False),
        (2026, "Z1", False),
        (2026, "Z11", True),
    ],
)
def test_146_placement_codes_of_the_year(year: int, place: str, valid: bool) -> None:
    flagged = rows_903("146", episode(year, PLACE=place, PLACE_PROVIDER=None, URN=None), year)
    assert flagged == (set() if valid else FLAGGED)


@pytest.mark.parametrize(("year", "place", "flagged"), [(2025, "T4", True), (2025, "Z1", True), (2026, "T4", False)])
def test_178_no_provider_for_these_placements(year: int, place: str, flagged: bool) -> None:
    """Until 2024/25 the provider must be blank for T0-T4 and Z1; from 2025/26 for T0-T3 and Z11-Z14."""
    assert rows_903("178", episode(year, PLACE=place, PLACE_PROVIDER="PR1"), year) == (FLAGGED if flagged else set())


def test_213_t4_takes_no_provider_until_2024_25() -> None:
    assert rows_903("213", episode(2025, PLACE="T4", PLACE_PROVIDER="PR1"), 2025) == FLAGGED
    assert rows_903("213", episode(2025, PLACE="U4", PLACE_PROVIDER="PR1"), 2025) == set()


@pytest.mark.parametrize(("year", "place"), [(2025, "T4"), (2025, "Z1"), (2024, "Z1"), (2026, "Z12")])
def test_526_placements_without_a_provider_of_the_year(year: int, place: str) -> None:
    assert rows_903("526", episode(year, PLACE=place, PLACE_PROVIDER=None), year) == set()


def test_526_still_needs_a_provider_elsewhere() -> None:
    assert rows_903("526", episode(2025, PLACE="U4", PLACE_PROVIDER=None), 2025) == FLAGGED


# --- Ofsted URNs ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "place", "flagged"),
    [
        (2023, "H5", True),  # 2022/23: semi-independent living was not registered with Ofsted
        (2024, "H5", False),  # 2023/24: it is, from 28 October 2023
        (2024, "P2", True),
        (2025, "P2", False),  # P2 is no longer a placement type
        (2025, "Z1", True),
        (2026, "Z11", True),
    ],
)
def test_222_placements_that_take_no_urn(year: int, place: str, flagged: bool) -> None:
    tables = episode(year, PLACE=place, URN="SC123456")
    assert rows_903("222", tables, year) == (FLAGGED if flagged else set())


@pytest.mark.parametrize(
    ("year", "place", "flagged"),
    [
        (2023, "P2", False),
        (2023, "H5", False),
        (2024, "H5", False),  # 2023/24: H5 needs a URN from 28 October 2023 only; 230 checks that
        (2025, "Z1", False),
        (2025, "H5", True),
    ],
)
def test_218_placements_that_need_a_urn(year: int, place: str, flagged: bool) -> None:
    tables = located(year, PLACE=place, URN=None)
    assert rows_903("218", tables, year, la="383") == (FLAGGED if flagged else set())


@pytest.mark.parametrize(("year", "place", "flagged"), [(2024, "H5", True), (2023, "K3", False), (2025, "K3", True)])
def test_221_placements_at_the_providers_setting(year: int, place: str, flagged: bool) -> None:
    """The placement postcode must be the provider's setting postcode: H5 in 2023/24, K3 from 2024/25."""
    tables = {"Header": [H()], "Episodes": [E(PLACE=place, PLACE_PROVIDER="PR4", URN="SC100001", PL_POST=LEEDS_B)]}
    listed = [provider(**{"Placement code": place, "Setting address postcode": LEEDS_A})]
    assert rows_903("221", tables, year, providers=listed) == (FLAGGED if flagged else set())


@pytest.mark.parametrize(("year", "flagged"), [(2025, True), (2026, False)])
def test_229_placements_that_take_no_urn_are_exempt_from_2025_26(year: int, flagged: bool) -> None:
    """Own provision (PR1) with a provider in Bradford, for a Leeds child placed in R1 (no URN is expected)."""
    tables = {"Header": [H()], "Episodes": [E(PLACE="R1", PLACE_PROVIDER="PR1", URN="SC100001")]}
    listed = [provider(**{"Placement code": "R1", "Setting address postcode": BRADFORD})]
    assert rows_903("229", tables, year, la="383", providers=listed) == (FLAGGED if flagged else set())


# --- ages and placements -------------------------------------------------------------------------------------------


def closed(year: int, dob: str, place: str) -> Tables:
    """A closed episode in `place` from 1 June to 1 August of the collection year."""
    spell = E(DECOM=f"01/06/{year - 1}", PLACE=place, DEC=f"01/08/{year - 1}", REC="E8")
    return {"Header": [H(DOB=dob)], "Episodes": [spell]}


@pytest.mark.parametrize(("year", "flagged"), [(2023, False), (2024, True)])
def test_370_independent_living_from_15_then_16(year: int, flagged: bool) -> None:
    """A P2 placement begun at 15 and a half: allowed in 2022/23 (15), not in 2023/24 (16)."""
    tables = closed(year, f"01/12/{year - 17}", "P2")
    assert rows_903("370", tables, year) == (FLAGGED if flagged else set())


@pytest.mark.parametrize(
    ("year", "place", "flagged"),
    [(2023, "H5", False), (2024, "H5", True), (2025, "H5", False), (2025, "K3", True), (2024, "K3", False)],
)
def test_371_semi_independent_then_supported_accommodation(year: int, place: str, flagged: bool) -> None:
    """Begun at 15 and a half: H5 from 14 in 2022/23, from 16 in 2023/24; K3 from 16 from 2024/25."""
    tables = closed(year, f"01/12/{year - 17}", place)
    assert rows_903("371", tables, year) == (FLAGGED if flagged else set())


@pytest.mark.parametrize(("year", "flagged"), [(2025, False), (2026, True)])
def test_383_same_postcode_after_a_temporary_placement_from_2025_26(year: int, flagged: bool) -> None:
    """Back to the same placement type after a holiday (T2), at another postcode."""
    before = E(DECOM=f"01/05/{year - 1}", PLACE="U4", PL_POST="LS1 1AA", DEC=f"01/07/{year - 1}", REC="X1")
    away = E(DECOM=f"01/07/{year - 1}", RNE="T", PLACE="T2", PLACE_PROVIDER=None, DEC=f"10/07/{year - 1}", REC="X1")
    back = E(DECOM=f"10/07/{year - 1}", RNE="P", PLACE="U4", PL_POST="LS3 3CC")
    tables = {"Header": [H()], "Episodes": [before, away, back]}
    assert rows_903("383", tables, year) == ({("Episodes", 4)} if flagged else set())


@pytest.mark.parametrize(("year", "flagged"), [(2024, True), (2025, False)])
def test_557_freeing_orders_count_until_2023_24(year: int, flagged: bool) -> None:
    """A child under a freeing order (D1) left care, not adopted, with no decision recorded as reversed."""
    left = E(DECOM=f"01/05/{year - 1}", LS="D1", DEC=f"01/09/{year - 1}", REC="E8")
    tables = {"Header": [H()], "Episodes": [left], "PlacedAdoption": [PA(CHILD="2")]}
    assert rows_903("557", tables, year) == (FLAGGED if flagged else set())


# --- social worker episodes ----------------------------------------------------------------------------------------


def workers(year: int, *episodes: dict[str, str | None]) -> Tables:
    return {"Header": [H()], "Episodes": [E(DECOM=f"01/06/{year - 1}")], "SWEpisodes": list(episodes)}


@pytest.mark.parametrize(("year", "flagged"), [(2024, True), (2025, False)])
def test_sw07_end_dates_from_the_year_before_only_from_2024_25(year: int, flagged: bool) -> None:
    """An episode that ended in the previous collection year: outside 2023/24's window, inside 2024/25's."""
    ended = S(SW_DECOM=f"01/06/{year - 2}", SW_DEC=f"01/09/{year - 2}")
    tables = workers(year, ended, S(SW_ID="SW000002", SW_DECOM=f"01/09/{year - 2}"))
    assert rows_903("SW07STG2", tables, year) == ({("SWEpisodes", 2)} if flagged else set())


@pytest.mark.parametrize(("year", "flagged"), [(2024, True), (2025, False)])
def test_sw10_first_contact_exempt_from_2024_25(year: int, flagged: bool) -> None:
    first = S(SW_DECOM=f"01/06/{year - 1}", SW_DEC=f"01/07/{year - 1}")
    later = S(SW_ID="SW000002", SW_DECOM=f"21/07/{year - 1}", SW_REASON="FCONTA")
    assert rows_903("SW10STG2", workers(year, first, later), year) == ({("SWEpisodes", 3)} if flagged else set())


@pytest.mark.parametrize(
    ("year", "start", "flagged"),
    [(2024, "01/06/2023", True), (2025, "01/06/2024", True), (2025, "01/01/2023", False)],
)
def test_sw13_blank_reason(year: int, start: str, flagged: bool) -> None:
    """2023/24: a blank reason is an error; from 2024/25 only for episodes that began on or after 1 April 2023."""
    tables = workers(year, S(SW_DECOM=start, SW_REASON=None))
    assert rows_903("SW13STG1", tables, year) == ({("SWEpisodes", 2)} if flagged else set())


def test_sw13_invalid_reason() -> None:
    assert rows_903("SW13STG1", workers(2025, S(SW_REASON="WHIM")), 2025) == {("SWEpisodes", 2)}


@pytest.mark.parametrize(("year", "flagged"), [(2025, False), (2026, True)])
def test_sw02_ids_of_at_least_four_characters_from_2025_26(year: int, flagged: bool) -> None:
    tables = workers(year, S(SW_ID="SW1", SW_DECOM=f"01/06/{year - 1}"))
    assert rows_903("SW02STG1", tables, year) == ({("SWEpisodes", 2)} if flagged else set())


# --- CIN -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "flagged"), [(2024, False), (2025, True)])
def test_8770q_school_age_from_2024_25_counts_from_the_next_school_year(year: int, flagged: bool) -> None:
    """Born 1 June, six years before the reference date's year: under 6 at the reference date (31 March), so not
    of school age until 2023/24; of school age by 2024/25's rule (6 by 31 August after the census)."""
    child = CI(UPN=None, PersonBirthDate=f"{year - 6}-06-01")
    if year < 2025:
        child = {k: v for k, v in child.items() if k != "Sex"} | {"GenderCurrent": "2"}
    referral = CD(CINreferralDate=f"{year - 1}-05-01")
    tables = census(ChildIdentifiers=[child], CINdetails=[referral])
    assert failing_rows("cin", "8770Q", tables, year=year) == ({("ChildIdentifiers", 2)} if flagged else set())


# --- the catalogue years -------------------------------------------------------------------------------------------


def reference_rows(name: str) -> list[dict[str, str]]:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip("../shared/reference is not available")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def end_year(key: str) -> int:
    """'2025_26' or 'cin2025_26' -> 2026."""
    return int(key.removeprefix("cin")[:4]) + 1


def test_903_rules_apply_in_the_years_of_the_reference_catalogue() -> None:
    expected = {
        row["code"]: {end_year(y) for y in row["rulesets"].split(",")} for row in reference_rows("903-rules.tsv")
    }
    assert {code: set(info.years) for code, info in catalogue("ssda903").items()} == expected
    load_rules("ssda903")
    for end in range(2023, 2028):
        running = {r.code for r in REGISTRY.rules("ssda903", CollectionYear(end))}
        implemented = {r.code for r in REGISTRY.rules("ssda903")}
        assert running == {code for code, years in expected.items() if end in years} & implemented, end


def test_cin_rules_apply_from_the_year_they_were_defined() -> None:
    """The CIN catalogue gives the years a rule was (re)defined; it applies from the first of them on (no CIN rule
    has been withdrawn), and every rule is in the 2025/26 census."""
    rows = reference_rows("cin-rules.tsv")
    expected = {
        row["rule_code"]: set(range(min(end_year(y) for y in row["defined_in_rulesets"].split(";")), LATEST_CIN + 1))
        for row in rows
    }
    assert all(row["in_cin2025_26"] == "yes" for row in rows)
    assert {code: set(info.years) for code, info in catalogue("cin").items()} == expected
    load_rules("cin")
    for end in range(2023, LATEST_CIN + 1):
        running = {r.code for r in REGISTRY.rules("cin", CollectionYear(end))}
        assert running == {code for code, years in expected.items() if end in years}, end
