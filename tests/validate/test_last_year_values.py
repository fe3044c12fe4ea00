"""Failures comparing a child's Header with last year's show last year's value and where it is, worked by hand."""

from __future__ import annotations

from csctools.io.result import ReturnData
from csctools.validate.engine import validate
from csctools.validate.guidance import guidance, table_words
from csctools.validate.last_year_values import header_compared_codes
from csctools.validate.run import DATASETS
from csctools.years import CollectionYear
from tests.rules.harness import registry_of, typed

HEADER = {"SEX": "M", "DOB": "01/02/2012", "ETHNIC": "WBRI", "UPN": "A123456789012", "MOTHER": None, "MC_DOB": None}


def _errors(this: list[dict[str, str | None]], last: list[dict[str, str | None]], codes: list[str]) -> list[tuple]:
    model, child_key = DATASETS["ssda903"]
    only = registry_of("ssda903", codes)
    data = ReturnData("ssda903", CollectionYear(2026), typed("ssda903", {"Header": this}), [])
    previous = ReturnData("ssda903", CollectionYear(2025), typed("ssda903", {"Header": last}), [])
    result = validate(data, model, CollectionYear(2026), child_key, previous=previous, registry=only)
    return sorted(result.errors.select("rule_code", "child_id", "row_number", "value").iter_rows())


def test_last_years_value_is_shown_beside_this_years() -> None:
    this = [
        {**HEADER, "CHILD": "1", "ETHNIC": "MWAS"},  # row 2: last year's ZZZZ (row 3 of last year's Header)
        {**HEADER, "CHILD": "2", "SEX": "F"},  # row 3: last year's M (row 2)
        {**HEADER, "CHILD": "3"},  # row 4: the same as last year: passes
    ]
    last = [{**HEADER, "CHILD": "2"}, {**HEADER, "CHILD": "1", "ETHNIC": "ZZZZ"}, {**HEADER, "CHILD": "3"}]
    assert _errors(this, last, ["202", "203", "204"]) == [
        ("202", "2", 3, "F (last year: M, Header.csv row 2)"),
        ("204", "1", 2, "MWAS (last year: ZZZZ, Header.csv row 3)"),
    ]


def test_a_blank_value_last_year_is_said_in_words() -> None:
    this = [{**HEADER, "CHILD": "7"}]
    last = [{**HEADER, "CHILD": "7", "DOB": None}]
    assert _errors(this, last, ["203"]) == [("203", "7", 2, "01/02/2012 (last year: (blank), Header.csv row 2)")]


def test_only_rules_comparing_with_last_years_header_are_labelled() -> None:
    codes = header_compared_codes("ssda903")
    assert {"202", "203", "204", "205D", "207", "208", "624"} <= set(codes)
    assert "503A" not in codes and "101" not in codes  # last year's Episodes, and no comparison at all


def test_built_guidance_names_tables_in_plain_words() -> None:
    assert table_words(["Header", "HEader_last"]) == "Header and last year's Header"  # the DfE catalogue's spelling
    assert table_words(["MIssing", "Missing_last"]) == "Missing and last year's Missing"
    assert table_words(["Episodes", "OC3", "Episodes_last"]) == "Episodes, OC3 and last year's Episodes"
    built = guidance("ssda903", "205A")
    assert built is not None and not built.written and "_last" not in built.check
    tables = "UASC, last year's UASC, Header and last year's Header"
    assert built.check == f"Check CHILD and UASC on the flagged rows ({tables})."
