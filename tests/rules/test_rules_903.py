"""Every implemented SSDA903 rule flags its failing example and passes its passing one."""

from __future__ import annotations

import pytest

from csctools.validate.catalogue import catalogue
from csctools.validate.registry import REGISTRY
from csctools.validate.run import load_rules
from tests.rules.cases_903 import CASES
from tests.rules.harness import failing_rows

load_rules("ssda903")
IMPLEMENTED = sorted(r.code for r in REGISTRY.rules("ssda903"))


@pytest.mark.parametrize("code", sorted(CASES))
def test_failing_example(code: str) -> None:
    case = CASES[code]
    providers = case.extra.get("providers")
    assert failing_rows("ssda903", code, case.fail, case.year, case.previous, case.la, providers) == case.flagged  # type: ignore[arg-type]


@pytest.mark.parametrize("code", sorted(CASES))
def test_passing_example(code: str) -> None:
    case = CASES[code]
    previous = case.ok_previous if case.ok_previous is not None else case.previous
    providers = case.extra.get("ok_providers", case.extra.get("providers"))
    assert failing_rows("ssda903", code, case.ok, case.year, previous, case.la, providers) == set()  # type: ignore[arg-type]


def test_every_rule_has_metadata_and_examples() -> None:
    known = catalogue("ssda903")
    for code in IMPLEMENTED:
        info = known[code]
        assert info.message and info.years and info.tables, code
        assert code in CASES, f"rule {code} has no failing/passing example in tests/rules/cases_903.py"
