"""The faster ways of reading and checking a pack give what the one-at-a-time ways give: libyaml against the
pure-Python parser, conditions bound together against one at a time, column references parsed together against
alone, and the tables of a query with a join's USING."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from csctools.packs import files
from csctools.packs.check import check_all, check_sql
from csctools.packs.files import PackError, load_pack
from csctools.packs.rules import _columns_alone, columns_of_each, parse_rules
from csctools.years import CollectionYear
from tests.packs.packs_helpers import write_pack

ROOT = Path(__file__).parents[2]
YAML_FILES = sorted(p for folder in ("packs", "src", "tests", "docs") for p in (ROOT / folder).rglob("*.yaml"))


def test_libyaml_reads_every_yaml_file_of_the_repository_as_the_pure_python_parser_does() -> None:
    assert files._FastLoader is not None, "PyYAML without libyaml: the pure-Python parser alone is used"
    assert len(YAML_FILES) >= 5
    for path in YAML_FILES:
        text = path.read_text(encoding="utf-8-sig")
        assert yaml.load(text, Loader=files._FastLoader) == yaml.load(text, Loader=files._LineLoader), path


@pytest.mark.parametrize(
    "text",
    ["a: [unclosed\n", "a: 1\n b: 2\n", "- x\n- y: [1\n", "a: 'open\n", "key: value\n\tbad: tab\n"],
)
def test_a_yaml_error_has_the_pure_python_parsers_message_and_line(text: str) -> None:
    with pytest.raises(PackError) as error:
        files.parse_yaml(text, "f.yaml")
    with pytest.raises(yaml.MarkedYAMLError) as pure:
        yaml.load(text, Loader=files._LineLoader)
    mark = pure.value.problem_mark or pure.value.context_mark
    assert mark is not None
    # the pure-Python parser's message, and a hint after it where a habit causes it (a value holding ": ")
    assert str(error.value).startswith(f"f.yaml line {mark.line + 1}: not valid YAML: {pure.value.problem}")


def test_only_true_and_false_are_booleans_with_either_parser() -> None:
    data = files.parse_yaml("off: [NO, yes, true]\n", "f.yaml")
    assert data["off"] == ["NO", "yes", True] and data[files.LINE_KEY] == 1


THREE = """\
- code: T-A
  message: a
  tables: Episodes
  condition: PLACE IS NULL
- code: T-B
  message: b
  tables: Episodes
  condition: {b}
- code: T-C
  message: c
  tables: Episodes
  condition: {c}
"""


@pytest.mark.parametrize(
    ("b", "c", "first"),
    [
        ("PLACEMENT = 'U1'", "PLACE = 'U1'", "T-B"),  # an unknown column
        ("PLACE = 'U1'", "DECOM + 1", "T-C"),  # not true/false
        ("PLACE = 'U1' AND AND", "PLACEMENT IS NULL", "T-B"),  # a syntax error, then an unknown column
        ("PLACE = 'U1'; SELECT 1", "PLACE = 'U1'", "T-B"),  # two statements
    ],
)
def test_conditions_bound_together_give_the_first_problem_one_at_a_time_gives(
    tmp_path: Path, b: str, c: str, first: str
) -> None:
    rules = parse_rules(load_pack(write_pack(tmp_path, THREE.format(b=f'"{b}"', c=f'"{c}"'))))
    for year in (CollectionYear(2026), None):
        with pytest.raises(PackError) as alone:
            for local in rules:
                check_sql(local, year)
        with pytest.raises(PackError) as together:
            check_all(rules, year)
        assert str(together.value) == str(alone.value) and f"rule {first}:" in str(alone.value)


def test_good_conditions_pass_together(tmp_path: Path) -> None:
    rules = parse_rules(load_pack(write_pack(tmp_path, THREE.format(b="PLACE = 'U1'", c="DEC IS NULL"))))
    check_all(rules)  # raises nothing


def test_column_references_parsed_together_are_those_parsed_alone() -> None:
    sqls = [
        "SELECT a, t.b FROM t WHERE c > 1",
        "SELECT * FROM t",
        "SELECT nonsense FROM",
        'SELECT count(*) FROM t WHERE "Quoted" IS NULL',
        "WITH m AS (SELECT x FROM t) SELECT m.x FROM m JOIN u USING (k)",
    ]
    assert columns_of_each(sqls) == [_columns_alone(sql) for sql in sqls]
    assert columns_of_each(sqls)[0] == frozenset({"a", "b", "c"}) and columns_of_each(sqls)[1] is None


def test_a_query_joining_with_using_reads_only_its_tables(tmp_path: Path) -> None:
    rules = """\
- code: T-Q
  message: changed sex
  tables: [Header]
  query: SELECT h._row FROM Header h JOIN prev_Header p USING (CHILD) WHERE h.SEX IS DISTINCT FROM p.SEX
"""
    (local,) = parse_rules(load_pack(write_pack(tmp_path, rules)))
    assert local.info.tables == ("Header", "prev_Header") and local.info.needs == frozenset({"prev_year"})
