"""Whose return is this: UPNs issued by another authority, files of two returns mixed (worked by hand)."""

from __future__ import annotations

import polars as pl

from csctools.io.result import FileReport, ReturnData, TableRead
from csctools.reference.authorities import find_authority
from csctools.validate.identity import census_year, mixed_returns_warnings, other_authority_warning
from csctools.years import CollectionYear


def header_903(upns: list[str | None]) -> ReturnData:
    children = [f"C{n}" for n in range(len(upns))]
    header = pl.DataFrame({"CHILD": children, "UPN": upns}, schema={"CHILD": pl.String, "UPN": pl.String})
    return ReturnData("ssda903", CollectionYear(2026), {"Header": header}, [])


def test_most_upns_of_another_authority_and_few_of_the_one_given() -> None:
    leeds, wakefield = find_authority("383"), find_authority("384")
    four_to_one = header_903(["A384000000001"] * 4 + ["B383000000001"])  # 80% Wakefield, 20% Leeds
    said = other_authority_warning(four_to_one, leeds)
    assert said == (
        "warning: --la 383 (Leeds), but 80% of the children's UPNs were issued by Wakefield (384) and 20% by Leeds: "
        "check --la"
    )
    assert other_authority_warning(four_to_one, wakefield) is None  # the right authority
    three_to_one = header_903(["A384000000001"] * 3 + ["B383000000001"])  # Leeds 25%: more than a few moved in
    assert other_authority_warning(three_to_one, leeds) is None
    # UPNs not of the permanent form (UN codes, blanks, temporary ones ending in a letter) are not counted
    odd = header_903(["UN1", None, "A384000000001", "A38400000000A", " b383000000001 "])
    assert other_authority_warning(odd, leeds) is None  # 50% / 50%: Leeds issued half


def test_children_missing_from_the_header_say_two_returns_were_mixed() -> None:
    data = header_903(["A383000000001"] * 10)
    own = [f"C{n}" for n in range(10)]
    data.tables["Episodes"] = pl.DataFrame({"CHILD": own + [f"X{n}" for n in range(5)]})  # 5 of 15 not in Header
    data.tables["Reviews"] = pl.DataFrame({"CHILD": [*own[:4], "X1"]})  # 1 missing: fewer than 5
    data.files.append(FileReport("episodes.csv", "ssda903", tables=[TableRead("Episodes", 15, 15)]))
    assert mixed_returns_warnings(data) == [
        "warning: 5 of the Episodes table's 15 children are not in the Header table (episodes.csv): "
        "are these files of two different returns?"
    ]
    data.tables["Episodes"] = pl.DataFrame({"CHILD": own * 5 + [f"X{n}" for n in range(5)]})  # 5 of 15 again
    assert len(mixed_returns_warnings(data)) == 1  # children, not rows, are counted


def test_the_census_headers_year() -> None:
    from datetime import date

    header = pl.DataFrame({"Year": [2025], "ReferenceDate": [date(2025, 3, 31)]})
    assert census_year(ReturnData("cin", CollectionYear(2026), {"Header": header}, [])) == CollectionYear(2025)
    undated = pl.DataFrame(
        {"Year": [2026], "ReferenceDate": [None]}, schema={"Year": pl.Int64, "ReferenceDate": pl.Date}
    )
    assert census_year(ReturnData("cin", None, {"Header": undated}, [])) == CollectionYear(2026)
