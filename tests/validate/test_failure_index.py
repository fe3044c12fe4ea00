"""The failure index every report counts from: one row per rule on one record, worked out by hand."""

from __future__ import annotations

import polars as pl

from csctools.validate.engine import ERROR_COLUMNS, ValidationResult
from csctools.validate.worklist import failure_index
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
