"""Suggested values: small hand-worked returns run through the real engine, the suggestions worked out by hand."""

from __future__ import annotations

import polars as pl
import pytest

from csctools.io.result import ReturnData
from csctools.reference import postcodes
from csctools.validate.engine import ValidationResult, validate
from csctools.validate.registry import REGISTRY, Registry
from csctools.validate.run import DATASETS, load_rules
from csctools.validate.suggest import SUGGESTION_COLUMNS, suggest
from csctools.years import CollectionYear
from tests.rules.build903 import O2, E, H, M, U
from tests.rules.harness import Tables, provider_frame, registry_of, typed

YEAR = CollectionYear(2026)


def run(codes: list[str], tables: Tables, providers: list[dict[str, str]] | None = None) -> ValidationResult:
    """The rules `codes` over hand-made tables, as `csc validate` runs them (the pack's postcode look-ups too)."""
    pack = load_rules("ssda903")
    model, child_key = DATASETS["ssda903"]
    only = registry_of("ssda903", codes)
    data, _, derived = pack.prepare(ReturnData("ssda903", YEAR, typed("ssda903", tables), []), None, None)
    listed = provider_frame(providers) if providers else None
    return validate(data, model, YEAR, child_key, None, None, listed, registry=only, derived=derived)


def provider(urn: str, place: str, postcode: str, ended: str = "", kinds: str = "PR4") -> dict[str, str]:
    return {
        "URN": urn,
        "Local authority": "Leeds",
        "Placement code": place,
        "Placement provider code": kinds,
        "Deregistration date": ended,
        "Setting address postcode": postcode,
    }


def rows(found: pl.DataFrame) -> set[tuple[str, str, int, str, str, str, str]]:
    return {
        (r["rule_code"], r["table"], r["row_number"], r["field"], r["value"], r["suggested"], r["reason"])
        for r in found.iter_rows(named=True)
    }


def test_provider_list_of_two_gives_placement_type_provider_type_and_postcode() -> None:
    providers = [provider("SC100001", "K2", "LS17 8HB"), provider("SC100002", "K1/R3", "BD1 1DE", kinds="PR1")]
    episodes = [
        # row 2: the list says SC100001 is a K2 home with setting postcode LS17 8HB, provider type PR4
        E(PLACE="K1", PLACE_PROVIDER="PR4", URN="SC100001", PL_POST="LS1 3BN"),
        # row 3: SC100002 offers K1 or R3, provider type PR1
        E(CHILD="2", PLACE="K2", PLACE_PROVIDER="PR4", URN="SC100002", PL_POST="BD1 1DE"),
        # row 4: a URN the list does not have: 219 and 224 flag it, nothing can be suggested
        E(CHILD="3", PLACE="K2", PLACE_PROVIDER="PR4", URN="SC999999", PL_POST="LS1 3BN"),
    ]
    tables = {"Header": [H(), H(CHILD="2"), H(CHILD="3")], "Episodes": episodes}
    result = run(["219", "221", "224"], tables, providers)
    assert set(result.errors.filter(pl.col("rule_code") == "219")["row_number"]) == {2, 3, 4}
    found = suggest(result.errors, result.tables, None)
    assert found.is_empty()  # without the provider list there is nothing to suggest from
    found = suggest(result.errors, result.tables, provider_frame(providers))
    assert found.columns == list(SUGGESTION_COLUMNS)
    said = "the Ofsted provider list's"
    assert rows(found) == {
        ("219", "Episodes", 2, "PLACE", "K1", "K2", f"{said} placement type for URN SC100001"),
        ("219", "Episodes", 3, "PLACE", "K2", "K1 or R3", f"{said} placement types for URN SC100002"),
        ("221", "Episodes", 2, "PL_POST", "LS1 3BN", "LS17 8HB", f"{said} postcode for URN SC100001"),
        ("224", "Episodes", 3, "PLACE_PROVIDER", "PR4", "PR1", f"{said} provider type for URN SC100002"),
    }
    assert found.filter(pl.col("row_number") == 2)["child_id"].unique().to_list() == ["1"]
    assert found["source_file"].unique().to_list() == ["Episodes.csv"]


def test_a_home_that_changed_hands_suggests_its_new_urn() -> None:
    # SC100001 was deregistered on 01/05/2025; SC100002 is the same setting (same postcode), open, and offers K2
    providers = [provider("SC100001", "K2", "LS17 8HB", ended="01/05/2025"), provider("SC100002", "K2", "LS17 8HB")]
    home = {"PLACE": "K2", "PLACE_PROVIDER": "PR4", "PL_POST": "LS17 8HB"}
    episodes = [E(URN="SC100001", DECOM="01/06/2025", **home)]
    result = run(["227", "228"], {"Header": [H()], "Episodes": episodes}, providers)
    found = suggest(result.errors, result.tables, provider_frame(providers))
    reason = "the Ofsted provider list's other URN at postcode LS17 8HB (URN SC100001 was deregistered on 01/05/2025)"
    assert rows(found) == {
        ("227", "Episodes", 2, "URN", "SC100001", "SC100002", reason),
        ("228", "Episodes", 2, "URN", "SC100001", "SC100002", reason),
    }
    # two open URNs at that postcode: no way to tell which, so nothing is suggested
    three = [*providers, provider("SC100003", "K2", "LS17 8HB")]
    assert suggest(result.errors, result.tables, provider_frame(three)).is_empty()
    # the other URN does not offer the placement type, or closed before the episode ended: nothing either
    other_type = [providers[0], provider("SC100002", "R3", "LS17 8HB")]
    assert suggest(result.errors, result.tables, provider_frame(other_type)).is_empty()
    ended = [E(URN="SC100001", DECOM="01/06/2025", DEC="01/03/2026", REC="E8", **home)]
    closed = [providers[0], provider("SC100002", "K2", "LS17 8HB", ended="01/02/2026")]
    result = run(["227"], {"Header": [H()], "Episodes": ended}, closed)
    assert not result.errors.is_empty() and suggest(result.errors, result.tables, provider_frame(closed)).is_empty()


def test_a_date_of_birth_that_differs_from_the_header_gets_the_headers() -> None:
    tables = {
        "Header": [H(DOB="01/01/2015"), H(CHILD="2", DOB="05/05/2012"), H(CHILD="3", DOB="01/01/2010")],
        "OC2": [O2(DOB="02/01/2015"), O2(CHILD="2", DOB="05/05/2012")],
        "Missing": [M(CHILD="2", DOB="31/02/2012")],  # written as an impossible date: shown as written
        "UASC": [U(CHILD="3", SEX="F", DOB="01/01/2010")],  # the Header says M
    }
    result = run(["INT13", "INT14", "INT21"], tables)
    found = suggest(result.errors, result.tables, None)
    dob = "the Header's date of birth for child"
    assert rows(found) == {
        ("INT14", "OC2", 2, "DOB", "02/01/2015", "01/01/2015", f"{dob} 1 (Header row 2)"),
        ("INT13", "Missing", 2, "DOB", "31/02/2012", "05/05/2012", f"{dob} 2 (Header row 3)"),
        ("INT21", "UASC", 2, "SEX", "F", "M", "the Header's sex for child 3 (Header row 4)"),
    }


def test_a_child_with_two_header_dates_of_birth_gets_no_suggestion() -> None:
    tables = {"Header": [H(DOB="01/01/2015"), H(DOB="03/01/2015")], "OC2": [O2(DOB="02/01/2015")]}
    result = run(["INT14"], tables)
    assert not result.errors.is_empty()
    assert suggest(result.errors, result.tables, None).is_empty()


def test_a_header_date_of_birth_that_fails_a_rule_or_cannot_be_read_is_not_suggested() -> None:
    tables = {
        # child 1: the Header's date of birth is after the collection year (rule 301): not known to be right
        # child 2: the Header's cannot be read as a date (rule 102): nothing to suggest
        # child 3: a sound Header date: suggested as before
        "Header": [H(DOB="01/01/2027"), H(CHILD="2", DOB="32/01/2012"), H(CHILD="3", DOB="01/01/2010")],
        "OC2": [O2(DOB="02/01/2015"), O2(CHILD="2", DOB="05/05/2012"), O2(CHILD="3", DOB="02/01/2010")],
    }
    result = run(["102", "301", "INT14"], tables)
    failing = set(result.errors.select("rule_code", "child_id").iter_rows())
    assert {("301", "1"), ("102", "2"), ("INT14", "1"), ("INT14", "3")} <= failing
    found = suggest(result.errors, result.tables, None)
    assert [(r["child_id"], r["suggested"]) for r in found.iter_rows(named=True)] == [("3", "01/01/2010")]


def _cin_errors(*rows: tuple[str, str]) -> pl.DataFrame:
    """A CIN error table of rule-and-UPN rows, as the engine writes it."""
    return pl.DataFrame(
        {
            "rule_code": [code for code, _ in rows],
            "table": ["ChildIdentifiers"] * len(rows),
            "row_number": list(range(1, len(rows) + 1)),
            "child_id": [f"C{n}" for n in range(1, len(rows) + 1)],
            "field": ["UPN"] * len(rows),
            "value": [upn for _, upn in rows],
            "source_file": ["cin.xml"] * len(rows),
        }
    )


def test_a_cin_upn_with_the_wrong_check_letter_gets_the_right_one() -> None:
    # Worked by hand: for 'X' + '383123456789', characters 2-13 are 3 8 3 1 2 3 4 5 6 7 8 9, weighted 2-13:
    # 6+24+12+5+12+21+32+45+60+77+96+117 = 507; 507 mod 23 = 1 (23 x 22 = 506): letter B (A=0, B=1).
    # For '000000000001': 1 x 13 = 13: letter P (A B C D E F G H J K L M N P: no I or O).
    errors = _cin_errors(("1510", "X383123456789"), ("1510", "A000000000001"), ("1530", "B999123456789"))
    found = suggest(errors, {}, None, dataset="cin")
    assert [(r["row_number"], r["suggested"]) for r in found.iter_rows(named=True)] == [
        (1, "B383123456789"),
        (2, "P000000000001"),
    ]
    assert found["reason"].to_list() == ["the check letter of the UPN's digits (characters 2-13)"] * 2


def test_cin_1510_through_the_engine_matches_the_suggestion() -> None:
    """The rule itself agrees: the suggested UPN passes 1510 where the written one fails it."""
    from csctools.validate.engine import validate as run_rules

    load_rules("cin")
    model, child_key = DATASETS["cin"]
    only = Registry()
    found_rule = REGISTRY.get("cin", "1510")
    assert found_rule is not None
    only.add(found_rule)
    written = {"ChildIdentifiers": [{"LAchildID": "C1", "UPN": "X383123456789"}]}
    fixed = {"ChildIdentifiers": [{"LAchildID": "C1", "UPN": "B383123456789"}]}
    before = run_rules(ReturnData("cin", YEAR, typed("cin", written), []), model, YEAR, child_key, registry=only)
    after = run_rules(ReturnData("cin", YEAR, typed("cin", fixed), []), model, YEAR, child_key, registry=only)
    assert before.errors["rule_code"].to_list() == ["1510"] and after.errors.is_empty()
    assert suggest(before.errors, before.tables, None, "cin")["suggested"].to_list() == ["B383123456789"]


@pytest.mark.skipif(not postcodes.available(), reason="the ONS Postcode Directory package is not installed")
def test_a_placement_postcode_that_is_not_real_gets_the_providers_real_one() -> None:
    providers = [provider("SC100001", "K2", "LS17 8HB"), provider("SC100002", "K2", "BD1 1D3")]  # BD1 1D3 is not real
    home = {"PLACE": "K2", "PLACE_PROVIDER": "PR4"}
    episodes = [
        E(URN="SC100001", PL_POST="LS17 8H8", **home),  # a B typed as 8: not in the directory
        E(CHILD="2", URN="SC100002", PL_POST="BD1 1DX", **home),  # real, and so is its home postcode: no 392c
        E(CHILD="3", URN="SC100002", PL_POST="BD1 1D8", **home),  # not real, and the list's is not real either
        E(CHILD="4", URN="SC100001", PL_POST="LS17 8HB", HOME_POST="LS1 1A1", **home),  # only the home postcode
    ]
    tables = {"Header": [H(CHILD=str(c)) for c in range(1, 5)], "Episodes": episodes}
    result = run(["392c"], tables, providers)
    assert set(result.errors["row_number"]) == {2, 4, 5}
    found = suggest(result.errors, result.tables, provider_frame(providers))
    reason = "the Ofsted provider list's postcode for URN SC100001, which is in the ONS Postcode Directory"
    assert rows(found) == {("392c", "Episodes", 2, "PL_POST", "LS17 8H8", "LS17 8HB", reason)}


def test_no_errors_or_another_return_suggest_nothing() -> None:
    empty = pl.DataFrame(schema={"rule_code": pl.String})
    assert suggest(empty, {}, None).columns == list(SUGGESTION_COLUMNS)
    errors = pl.DataFrame({"rule_code": ["8500"], "field": ["LAchildID"]})
    assert suggest(errors, {}, None, dataset="cin").is_empty()
