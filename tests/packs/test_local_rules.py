"""Local SQL rules through the engine: the right rows and cells, blanks as NULL, joins with last year, settings."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from csctools.packs.settings import Settings
from csctools.validate.registry import Acceptance
from tests.packs.packs_helpers import cells, load, outcome, run, write_pack

LEFT = ("switched off", "not implemented", "not run", "could not run")  # rules that did not run
EPISODES = [
    {"CHILD": "1", "DECOM": "01/05/2025", "RNE": "S", "PLACE": "U1", "PL_POST": None},  # row 2: fails
    {"CHILD": "1", "DECOM": "01/06/2025", "RNE": "P", "PLACE": "T0", "PL_POST": None},  # row 3: temporary
    {"CHILD": "2", "DECOM": "01/07/2025", "RNE": "S", "PLACE": None, "PL_POST": None},  # row 4: blank PLACE
    {"CHILD": "3", "DECOM": "01/07/2025", "RNE": "S", "PLACE": "U4", "PL_POST": "LS1 1AA"},  # row 5: has one
]

POSTCODE_RULE = """\
- code: T-PL01
  message: placement postcode missing
  tables: Episodes
  fields: [PL_POST, PLACE]
  tags: [postcodes]
  condition: PL_POST IS NULL AND coalesce(PLACE, '') NOT IN ('T0', 'T1')
- code: T-PL02
  message: not a temporary placement (blank PLACE is NULL, so not flagged)
  severity: query
  tables: Episodes
  fields: [PLACE]
  condition: PLACE <> 'T0'
- code: T-PL03
  message: not a temporary placement (IS DISTINCT FROM flags a blank)
  tables: Episodes
  fields: [PLACE]
  condition: PLACE IS DISTINCT FROM 'T0'
"""


def test_condition_flags_the_rows_and_cells_worked_out_by_hand(tmp_path: Path) -> None:
    result = run([write_pack(tmp_path, POSTCODE_RULE)], {"Episodes": EPISODES})
    # rows 2 (U1, no postcode) and 4 (blank PLACE counts as '' by coalesce) fail; both fields of each are flagged
    assert cells(result, "T-PL01") == [
        ("Episodes", 2, "1", "PLACE", "U1"),
        ("Episodes", 2, "1", "PL_POST", None),
        ("Episodes", 4, "2", "PLACE", None),
        ("Episodes", 4, "2", "PL_POST", None),
    ]
    assert outcome(result, "T-PL01")[0] == "failed"
    assert set(result.errors.filter(pl.col("rule_code") == "T-PL01")["source_file"]) == {"Episodes.csv"}


def test_blank_cells_are_sql_null(tmp_path: Path) -> None:
    result = run([write_pack(tmp_path, POSTCODE_RULE)], {"Episodes": EPISODES})
    assert [r for _, r, *_ in cells(result, "T-PL02")] == [2, 5]  # the blank PLACE of row 4 gives NULL: passes
    assert [r for _, r, *_ in cells(result, "T-PL03")] == [2, 4, 5]
    assert set(result.errors.filter(pl.col("rule_code") == "T-PL02")["severity"]) == {"query"}


ACROSS = """\
- code: T-REV01
  message: open episode with no review this year
  tables: [Episodes, Reviews]
  fields: [DECOM]
  query: |
    SELECT e._row, e.CHILD FROM Episodes e, collection c
    WHERE e.DEC IS NULL AND NOT EXISTS (
      SELECT 1 FROM Reviews r WHERE r.CHILD = e.CHILD AND r.REVIEW BETWEEN c.start_date AND c.end_date)
- code: T-SEX01
  message: sex differs from last year
  tables: [Header, prev_Header]
  fields: [SEX]
  query: |
    SELECT h._row, h.CHILD FROM Header h JOIN prev_Header p USING (CHILD) WHERE h.SEX IS DISTINCT FROM p.SEX
"""


def test_query_across_tables_and_last_year(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, ACROSS)
    now = {
        "Header": [{"CHILD": "1", "SEX": "1"}, {"CHILD": "2", "SEX": "2"}, {"CHILD": "3", "SEX": None}],
        "Episodes": [
            {"CHILD": "1", "DECOM": "01/05/2024"},  # row 2: a review in the year
            {"CHILD": "2", "DECOM": "01/05/2024"},  # row 3: last review before the year: fails
            {"CHILD": "3", "DECOM": "01/05/2024", "DEC": "01/06/2025"},  # closed
        ],
        "Reviews": [{"CHILD": "1", "REVIEW": "01/10/2025"}, {"CHILD": "2", "REVIEW": "01/10/2024"}],
    }
    before = {"Header": [{"CHILD": "1", "SEX": "1"}, {"CHILD": "2", "SEX": "1"}, {"CHILD": "3", "SEX": "1"}]}
    result = run([pack], now, previous=before)
    assert [cell[:4] for cell in cells(result, "T-REV01")] == [("Episodes", 3, "2", "DECOM")]
    # child 2 changed 1 -> 2; child 3's blank SEX is distinct from 1
    assert cells(result, "T-SEX01") == [("Header", 3, "2", "SEX", "2"), ("Header", 4, "3", "SEX", None)]
    without = run([pack], now)
    assert outcome(without, "T-SEX01") == ("not run", 0, "needs last year's return (--previous)")
    assert outcome(without, "T-REV01")[0] == "failed"


def test_independent_check_of_a_condition_in_polars(tmp_path: Path) -> None:
    """The same check written in polars, over the same typed frame, picks the same rows."""
    from tests.rules.harness import typed

    episodes = [
        {"CHILD": str(i), "DECOM": f"{1 + i % 27:02d}/0{1 + i % 9}/2025", "PLACE": ["U1", "T0", None, "K2"][i % 4]}
        for i in range(40)
    ]
    rule = """\
- code: T-X01
  message: x
  tables: Episodes
  fields: [DECOM]
  condition: coalesce(PLACE, 'none') NOT IN ('T0') AND DECOM >= DATE '2025-05-01'
"""
    result = run([write_pack(tmp_path, rule)], {"Episodes": episodes})
    frame = typed("ssda903", {"Episodes": episodes})["Episodes"]
    expected = frame.filter((pl.col("PLACE").fill_null("none") != "T0") & (pl.col("DECOM") >= pl.date(2025, 5, 1)))
    assert [r for _, r, *_ in cells(result, "T-X01")] == sorted(expected["_row"].to_list())
    assert len(expected) > 5


def test_settings_switch_off_change_severity_and_accept(tmp_path: Path) -> None:
    settings = """\
off:
  - rule: T-PL03
    reason: not wanted here
  - "101"
severity:
  T-PL01: query
accepted:
  - {rule: T-PL01, child: "1", reason: confirmed, who: A. Analyst, when: 2026-11-30}
  - {rule: T-PL01, child: "2", row: 99, reason: another row}
"""
    pack = write_pack(tmp_path, POSTCODE_RULE, settings=settings)
    own = Settings({"NOPE-9": "switched off in settings-383.yaml"}, {}, [])  # the authority's file: a note
    result = run([pack], {"Episodes": EPISODES}, settings=own)
    status = {o.code: o for o in result.outcomes}
    assert status["T-PL03"].status == "switched off"
    assert status["T-PL03"].reason == "switched off in test-pack settings.yaml line 2: not wanted here"
    assert status["101"].status == "switched off" and "101" not in set(result.errors["rule_code"])
    assert "T-PL03" not in set(result.errors["rule_code"])
    # child 1's two cells are accepted (listed apart); child 2's stay: the acceptance names another row
    assert result.accepted is not None
    assert sorted(result.accepted.select("child_id", "field", "accepted_reason").iter_rows()) == [
        ("1", "PLACE", "confirmed"),
        ("1", "PL_POST", "confirmed"),
    ]
    assert set(result.accepted["accepted_by"]) == {"A. Analyst"}
    assert cells(result, "T-PL01") == [("Episodes", 4, "2", "PLACE", None), ("Episodes", 4, "2", "PL_POST", None)]
    assert set(result.errors.filter(pl.col("rule_code") == "T-PL01")["severity"]) == {"query"}
    # a query rule with failures left: "failed" here, "raised queries" once queries are counted apart
    assert status["T-PL01"].status in ("failed", "raised queries") and status["T-PL01"].accepted > 0
    assert any("T-PL01 for child 2 no longer fails" in note for note in result.notes)
    assert "switched off in settings-383.yaml: NOPE-9, but there is no rule NOPE-9" in result.notes[0]


def test_a_rule_whose_failures_are_all_accepted_is_reported_as_accepted(tmp_path: Path) -> None:
    accepted = [Acceptance("T-PL01", child, None, "ok", "me", "today", "file") for child in ("1", "2")]
    result = run([write_pack(tmp_path, POSTCODE_RULE)], {"Episodes": EPISODES}, settings=Settings({}, {}, accepted))
    assert outcome(result, "T-PL01") == ("accepted", 0, "")
    assert result.accepted is not None and result.accepted.height == 4
    assert "T-PL01" not in set(result.errors["rule_code"])


def test_only_and_skip_by_code_pack_and_tag(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, POSTCODE_RULE)
    only_pack = run([pack], {"Episodes": EPISODES}, only=("test-pack",))
    ran = {o.code for o in only_pack.outcomes if o.status not in LEFT}
    assert ran == {"T-PL01", "T-PL02", "T-PL03"}
    assert not [o for o in only_pack.outcomes if o.status == "not implemented"]
    by_tag = run([pack], {"Episodes": EPISODES}, only=("postcodes", "101"))
    assert {o.code for o in by_tag.outcomes if o.status not in LEFT} == {"T-PL01", "101"}
    skipped = run([pack], {"Episodes": EPISODES}, skip=("query",))
    assert outcome(skipped, "T-PL02") == ("switched off", 0, "left out by --skip query")
    assert outcome(skipped, "T-PL01")[0] == "failed"


def test_an_only_or_skip_naming_nothing_is_refused_with_the_closest_name(tmp_path: Path) -> None:
    from csctools.packs.files import PackError
    from csctools.packs.registry import build

    pack = write_pack(tmp_path, POSTCODE_RULE)
    loaded = load([pack])
    with pytest.raises(PackError, match=r"--only: .* is called 'T-PL0I' \(did you mean T-PL0\d\?\)"):
        build("ssda903", loaded, only=("T-PL0I",))
    with pytest.raises(PackError, match=r"--skip: .* is called '9999'$"):
        build("ssda903", (), skip=("9999",))
    with pytest.raises(PackError, match=r"--only: .* is called '8500'"):  # a CIN rule: not of the SSDA903
        build("ssda903", loaded, only=("8500",))
    # any case; a code of this return whatever its years (230 is of 2024/25 only: csc validate then says so)
    assert build("ssda903", loaded, only=("test-PACK", "episodes", "QUERY", "230")).packs


def test_sql_failing_at_run_time_could_not_run_and_the_others_still_run(tmp_path: Path) -> None:
    rules = (
        POSTCODE_RULE
        + """\
- code: T-BAD01
  message: binds, but cannot cast 'U1' to a number when run
  tables: Episodes
  condition: CAST(PLACE AS INTEGER) > 3
"""
    )
    result = run([write_pack(tmp_path, rules)], {"Episodes": EPISODES})
    status, _, reason = outcome(result, "T-BAD01")
    assert status == "could not run" and "Conversion Error" in reason and "\n" not in reason
    assert outcome(result, "T-PL01")[0] == "failed" and len(cells(result, "T-PL01")) == 4
    assert outcome(result, "T-PL03")[0] == "failed"
    assert outcome(result, "101")[0] == "passed"  # the DfE rules ran too


def test_text_from_a_pack_is_never_a_formula_in_the_workbook(tmp_path: Path) -> None:
    import zipfile

    from csctools.io.result import ReturnData
    from csctools.validate.export import write_report

    rules = """\
- code: T-F01
  message: =HYPERLINK("http://example.invalid", "click")
  tables: Episodes
  condition: PLACE = 'U1'
"""
    result = run([write_pack(tmp_path / "pack", rules)], {"Episodes": EPISODES})
    path = tmp_path / "r.xlsx"
    write_report(result, ReturnData("ssda903", result.year, {}, []), path)
    with zipfile.ZipFile(path) as book:
        sheets = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        shared = book.read("xl/sharedStrings.xml").decode()
    assert not any("<f>" in sheet for sheet in sheets)
    assert "=HYPERLINK" in shared


def test_a_query_returning_rows_of_another_table_could_not_run(tmp_path: Path) -> None:
    rules = """\
- code: T-W01
  message: rows of Header handed back as rows of Episodes
  tables: [Episodes, Header]
  query: SELECT _row FROM Header WHERE _row > 2
"""
    tables = {"Episodes": EPISODES[:1], "Header": [{"CHILD": str(i)} for i in range(4)]}
    status, _, reason = outcome(run([write_pack(tmp_path, rules)], tables), "T-W01")
    assert (status, reason) == (
        "could not run",
        "SqlError: 3 row(s) the query returned are not rows of Episodes (by _row)",
    )


def test_a_query_giving_another_tables_row_of_another_child_could_not_run(tmp_path: Path) -> None:
    # the Header's row 3 is child 2, the Episodes' row 3 child 1: a query joining the two that selects h._row would
    # blame child 1's episode for child 2 (rows exist in both tables, so only the child tells them apart)
    rules = """\
- code: T-W02
  message: child with a blank placement
  tables: [Episodes, Header]
  query: SELECT h._row, h.CHILD FROM Header h JOIN Episodes e ON e.CHILD = h.CHILD WHERE e.PLACE IS NULL
- code: T-W03
  message: the same, selecting the Episodes' row
  tables: [Episodes, Header]
  query: SELECT e._row, e.CHILD FROM Header h JOIN Episodes e ON e.CHILD = h.CHILD WHERE e.PLACE IS NULL
"""
    tables = {"Episodes": EPISODES, "Header": [{"CHILD": "1"}, {"CHILD": "2"}, {"CHILD": "3"}]}
    result = run([write_pack(tmp_path, rules)], tables)
    status, _, reason = outcome(result, "T-W02")
    assert status == "could not run"
    assert reason.startswith("SqlError: row 3 of Episodes is child 1, but the query gave it child 2 (1 row(s) so)")
    assert outcome(result, "T-W03")[0] == "failed"
    assert {(table, row, child) for table, row, child, *_ in cells(result, "T-W03")} == {("Episodes", 4, "2")}
