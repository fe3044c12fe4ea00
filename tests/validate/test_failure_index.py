"""The failure index every report counts from: one row per rule on one record, worked out by hand."""

from __future__ import annotations

import polars as pl

from csctools.validate.engine import ERROR_COLUMNS, Outcome, ValidationResult
from csctools.validate.export import summary
from csctools.validate.worklist import children, failure_index
from csctools.years import CollectionYear

# rule, table, row, child, field: rule 1000's three cells of one record are one failure, and so are 101's two cells
# with no row (a rule about the child); a rule about the whole return has neither row nor child
CELLS = [
    ("1000", "Episodes", 5, "C1", "DECOM"),
    ("101", "Header", None, "C2", "SEX"),
    ("1000", "Episodes", 5, "C1", "RNE"),
    ("101", "Header", 2, "C1", "SEX"),
    ("101", "Header", None, "C2", "DOB"),
    ("LA1", "Header", None, None, None),
    ("1000", "Episodes", 6, "C1", "DECOM"),
    ("1000", "Episodes", 5, "C1", "LS"),
    ("LA1", "Header", None, None, None),
]


def test_one_row_per_failure_in_code_order_nulls_alike() -> None:
    errors = pl.DataFrame(
        [
            (rule, "error", table, row, child, field, "x", f"message {rule}", "f.csv")
            for rule, table, row, child, field in CELLS
        ],
        schema=ERROR_COLUMNS,
        orient="row",
    )
    index = failure_index(ValidationResult("ssda903", CollectionYear(2026), None, errors))
    assert index.select("rule_code", "row_number", "child_id").rows() == [
        ("101", None, "C2"),  # rules in code order (101 < 1000 < LA1), each in the error table's order
        ("101", 2, "C1"),
        ("1000", 5, "C1"),
        ("1000", 6, "C1"),
        ("LA1", None, None),
    ]
    assert index["message"].to_list() == ["message 101"] * 2 + ["message 1000"] * 2 + ["message LA1"]


def _errors(cells: list[tuple[str, str, int | None, str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (rule, "error", table, row, child, field, "x", f"message {rule}", "f.csv")
            for rule, table, row, child, field in cells
        ],
        schema=ERROR_COLUMNS,
        orient="row",
    )


def test_rows_past_64_bits_and_negative_rows_are_compared_as_columns() -> None:
    # row numbers too large to pack with the other keys into 64 bits, and a negative one, take the other path: the
    # same failures come out (worked out by hand: 2**62 twice is one failure, -1 for C1 and for C2 are two)
    big = 2**62
    cells = [
        ("101", "Header", big, "C1", "SEX"),
        ("101", "Header", big, "C1", "DOB"),
        ("101", "Header", 3, "C1", "SEX"),
        ("1000", "Episodes", -1, "C1", "DECOM"),
        ("1000", "Episodes", -1, "C2", "DECOM"),
        ("1000", "Episodes", -1, "C1", "RNE"),
    ]
    index = failure_index(ValidationResult("ssda903", CollectionYear(2026), None, _errors(cells)))
    assert index.select("rule_code", "row_number", "child_id").rows() == [
        ("101", big, "C1"),
        ("101", 3, "C1"),
        ("1000", -1, "C1"),
        ("1000", -1, "C2"),
    ]


def test_children_and_the_rules_summary_count_from_the_index_as_from_the_cells() -> None:
    # by hand from CELLS: C1 fails 101 once (row 2) and 1000 twice (rows 5 and 6), C2 fails 101 once (no row); rule
    # 101 is failed by two children, 1000 by one, LA1 (about the whole return) by none
    result = ValidationResult(
        "ssda903",
        CollectionYear(2026),
        None,
        _errors(CELLS),
        [Outcome(code, "failed") for code in ("101", "1000", "LA1", "102")],
    )
    index = failure_index(result)
    listed = children(index)
    assert listed.schema["child_id"] == pl.String
    assert listed.select("child_id", "errors", "queries", "rules").rows() == [
        ("C1", 3, 0, "101, 1000"),
        ("C2", 1, 0, "101"),
    ]
    from_index = {str(r["code"]): r["children"] for r in summary(result, index)}
    assert from_index == {"101": 2, "1000": 1, "LA1": 0, "102": 0}
    assert from_index == {str(r["code"]): r["children"] for r in summary(result)}
