"""One way of counting (a failure is one rule on one record), one vocabulary, values as the file writes them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

from csctools.io.result import ReturnData
from csctools.model import SOURCE_FILE, SOURCE_ROW
from csctools.validate.engine import ValidationResult, validate
from csctools.validate.export import write_report
from csctools.validate.registry import REGISTRY, Registry
from csctools.validate.run import DATASETS, load_rules
from csctools.years import CollectionYear
from tests.rules.cases_903 import CASES
from tests.rules.harness import typed

YEAR = CollectionYear(2026)


def _run(code: str, tables: dict[str, pl.DataFrame], absent: tuple[str, ...] = ()) -> ValidationResult:
    load_rules("ssda903")
    only = Registry()
    found = REGISTRY.get("ssda903", code)
    assert found is not None
    only.add(found)
    model, key = DATASETS["ssda903"]
    data = ReturnData("ssda903", YEAR, tables, [], absent)
    return validate(data, model, YEAR, key, registry=only)


def test_one_rule_on_one_oc2_row_is_one_error_pointing_at_eight_cells() -> None:
    result = _run("181", typed("ssda903", CASES["181"].fail))
    outcome = next(o for o in result.outcomes if o.code == "181")
    assert (outcome.status, outcome.failures, outcome.cells) == ("failed", 1, 8)  # was "8 errors"
    assert result.errors.height == 8 and result.error_count == 1
    assert result.headline() == "1 error and no queries in 1 child"


def test_a_return_with_only_queries_says_so_and_shows_no_failed(tmp_path: Path) -> None:
    from csctools.validate.catalogue import catalogue

    load_rules("ssda903")
    rule = REGISTRY.get("ssda903", "181")
    assert rule is not None
    as_query = rule._replace(info=catalogue("ssda903")["181"]._replace(severity="query"))
    only = Registry()
    only.add(as_query)
    model, key = DATASETS["ssda903"]
    data = ReturnData("ssda903", YEAR, typed("ssda903", CASES["181"].fail), [])
    result = validate(data, model, YEAR, key, registry=only)
    assert next(o for o in result.outcomes if o.code == "181").status == "raised queries"
    assert result.headline() == "no errors, only queries: 1 query in 1 child" and result.error_count == 0
    html, report = tmp_path / "r.html", tmp_path / "r.json"
    write_report(result, data, html)
    write_report(result, data, report)
    page = html.read_text()
    assert 'class="headline queries"' in page and "No errors, only queries: 1 query in 1 child." in page
    assert 'class="headline failed"' not in page
    document = json.loads(report.read_text())
    assert (document["headline"], document["error_count"], document["query_count"], document["children_count"]) == (
        "no errors, only queries: 1 query in 1 child",
        0,
        1,
        1,
    )


def test_a_rule_needing_an_absent_table_is_not_run() -> None:
    tables = typed("ssda903", {k: v for k, v in CASES["181"].fail.items() if k != "OC2"})
    result = _run("181", tables, absent=("OC2",))
    outcome = next(o for o in result.outcomes if o.code == "181")
    assert (outcome.status, outcome.reason) == ("not run", "needs the OC2 table")
    assert result.errors.is_empty() and result.absent_tables == ("OC2",)


def test_dates_and_booleans_are_shown_as_the_file_writes_them() -> None:
    """A typed date was shown as 2026-05-01 in the error table of a 903 return; booleans as Python's False."""
    from csctools.validate.written import written, written_expr

    frame = pl.DataFrame({"DOB": [date(2026, 5, 1)], "FLAG": [False]})
    shown = frame.select(written_expr("DOB", pl.Date(), "ssda903"), written_expr("FLAG", pl.Boolean(), "cin"))
    assert shown.row(0) == ("01/05/2026", "false")
    assert written(False, "cin") == "false" and written(date(2026, 5, 1), "cin") == "2026-05-01"
    assert written(date(2026, 5, 1), "ssda903") == "01/05/2026"


def test_a_derived_value_is_labelled_with_the_postcode_it_came_from(tmp_path: Path) -> None:
    from csctools.validate.written import label_derived

    episodes = pl.DataFrame(
        {
            SOURCE_FILE: ["e.csv", "e.csv"],
            SOURCE_ROW: [2, 3],
            "CHILD": ["1", "2"],
            "HOME_POST": ["LS1 1AA", None],
            "PL_POST": ["S36 6FD", "LS2 2BB"],
            "PL_LA": ["E08000016", None],
            "PL_DISTANCE": [20.5, None],
        }
    )
    errors = pl.DataFrame(
        {
            "rule_code": ["1015", "454", "101"],
            "severity": ["error"] * 3,
            "table": ["Episodes", "Episodes", "Header"],
            "row_number": [2, 3, 2],
            "child_id": ["1", "2", "1"],
            "field": ["PL_LA", "PL_DISTANCE", "SEX"],
            "value": ["E08000016", None, "X"],
            "message": ["m"] * 3,
            "source_file": ["e.csv", "e.csv", "h.csv"],
        }
    )
    labelled = label_derived(errors, {"Episodes": episodes}, "ssda903")["value"].to_list()
    assert labelled == [
        "E08000016 (derived from PL_POST S36 6FD)",
        "not found (derived from HOME_POST (blank) and PL_POST LS2 2BB)",
        "X",
    ]
    labelled_errors = errors.with_columns(pl.Series(labelled).alias("value"))
    result = ValidationResult("ssda903", YEAR, None, labelled_errors, tables={"Episodes": episodes})
    path = tmp_path / "r.xlsx"
    write_report(result, ReturnData("ssda903", YEAR, {"Episodes": episodes.drop("PL_LA", "PL_DISTANCE")}, []), path)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Episodes").to_python()
    assert "PL_DISTANCE (derived from HOME_POST and PL_POST)" in sheet[0]
    assert sheet[1][sheet[0].index("PL_LA (derived from PL_POST)")] == "E08000016"  # shown in the XLSX too
