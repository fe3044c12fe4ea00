"""Every CIN census rule flags its failing example and passes its passing one."""

from __future__ import annotations

import pytest

from csctools.validate.catalogue import catalogue
from csctools.validate.registry import REGISTRY
from csctools.validate.run import load_rules
from tests.rules.cases_cin import CASES
from tests.rules.harness import failing_rows

load_rules("cin")


@pytest.mark.parametrize("code", sorted(CASES))
def test_failing_example(code: str) -> None:
    case = CASES[code]
    assert failing_rows("cin", code, case.fail, case.year) == case.flagged


@pytest.mark.parametrize("code", sorted(CASES))
def test_passing_example(code: str) -> None:
    case = CASES[code]
    assert failing_rows("cin", code, case.ok, case.year) == set()


def test_every_rule_is_implemented_with_examples() -> None:
    implemented = {r.code for r in REGISTRY.rules("cin")}
    assert implemented == set(catalogue("cin")), set(catalogue("cin")) ^ implemented
    assert implemented == set(CASES), implemented ^ set(CASES)
