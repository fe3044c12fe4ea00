"""Every code a rule compares a coded column with is in that column's code list (of some year).

Reads the rule modules' source: `one_of("F", [...])`, `none_of("F", NAME)`, `pl.col("F").eq_missing("X")`,
`ne_missing`, `== "X"`, `!= "X"`, `is_in([...])`, with names resolved to the tuples they hold (module constants and
the schema's named groups). A code that is in no code list (rule 335 once used PLACE A1/A2 and REC E1) fails
here. The code lists of every year count: earlier years' rules can name codes since withdrawn (H5, P2, Z1).
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from csctools.datasets.cin.schema import CIN
from csctools.datasets.ssda903.schema import SSDA903
from csctools.model import Dataset

RULES = Path(__file__).resolve().parents[2] / "src" / "csctools" / "rules"
PREFIXES = ("PREV_", "NEXT_", "AD1_", "HEADER_", "LEFT_")
SUFFIXES = ("_LAST",)
NOT_CODES = {"URN": {"XXXXXXX"}}  # the DfE's placeholder, not a code list value


def code_lists(dataset: Dataset) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for table in dataset.tables:
        for column in table.columns:
            if column.codes:
                found.setdefault(column.name, set()).update(column.all_codes())
    return found


def column_of(name: str) -> str:
    for prefix in PREFIXES:
        name = name.removeprefix(prefix)
    for suffix in SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def _strings(node: ast.AST, names: dict[str, object]) -> list[str] | None:
    """The string codes a literal, a starred list or a known name stands for; None when it cannot be told."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        out: list[str] = []
        for item in node.elts:
            inner = _strings(item.value if isinstance(item, ast.Starred) else item, names)
            if inner is None:
                return None
            out += inner
        return out
    if isinstance(node, ast.Name) and isinstance(names.get(node.id), tuple | list | frozenset | set):
        values = names[node.id]
        assert isinstance(values, tuple | list | frozenset | set)
        return [v for v in values if isinstance(v, str)] if all(isinstance(v, str) for v in values) else None
    return None


def _col_name(node: ast.AST) -> str | None:
    """'F' for pl.col("F")."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "col"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def comparisons(path: Path, names: dict[str, object]) -> Iterator[tuple[int, str, list[str]]]:
    """(line, column, codes) for every comparison of a named column with literal codes in a module."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("one_of", "none_of"):
            if len(node.args) == 2 and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                codes = _strings(node.args[1], names)
                if codes is not None:
                    yield node.lineno, node.args[0].value, codes
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            field = _col_name(node.func.value)
            if field and node.func.attr in ("eq_missing", "ne_missing", "is_in", "eq", "ne") and node.args:
                codes = _strings(node.args[0], names)
                if codes is not None:
                    yield node.lineno, field, codes
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq | ast.NotEq):
            field = _col_name(node.left)
            codes = _strings(node.comparators[0], names)
            if field and codes is not None:
                yield node.lineno, field, codes


def modules(folder: str) -> list[Path]:
    return sorted((RULES / folder).glob("*.py"))


@pytest.mark.parametrize(("folder", "dataset", "at_least"), [("ssda903", SSDA903, 150), ("cin", CIN, 10)])
def test_every_compared_code_is_in_its_code_list(folder: str, dataset: Dataset, at_least: int) -> None:
    lists = code_lists(dataset)
    problems, checked = [], 0
    for path in modules(folder):
        module = importlib.import_module(f"csctools.rules.{folder}.{path.stem}")
        names = vars(module)
        for line, name, codes in comparisons(path, names):
            column = column_of(name)
            if column not in lists:
                continue  # not a coded column (identifiers, derived LA codes, free text)
            allowed = lists[column] | NOT_CODES.get(column, set())
            checked += 1
            problems += [f"{path.name}:{line} {name} == {code!r}" for code in codes if code not in allowed]
    assert checked >= at_least, f"only {checked} comparisons found: the scan is not reading the rules"
    assert problems == [], "codes in no code list:\n" + "\n".join(problems)


def test_the_scan_finds_a_code_outside_its_list(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text('x = one_of("PLACE", ["A1", "A3"]) & pl.col("REC").eq_missing("E1")\n')
    found = {(field, code) for _, field, codes in comparisons(module, {}) for code in codes}
    lists = code_lists(SSDA903)
    assert {(f, c) for f, c in found if c not in lists[f]} == {("PLACE", "A1"), ("REC", "E1")}
