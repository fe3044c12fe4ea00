"""Guidance for every rule: hand-written for the rules that dominate real returns, built from the message otherwise."""

from __future__ import annotations

from csctools.validate.catalogue import catalogue
from csctools.validate.guidance import guidance, written_guidance

EPISODE_PLACEMENT_AND_HEALTH = {
    "141",
    "142",
    "148",
    "357",
    "366",
    "388",
    "434",
    "435",
    "501",
    "217",
    "219",
    "221",
    "222",
    "392c",
    "1015",
    "182",
    "191",
    "344",
    "345",
}


def test_at_least_60_903_rules_have_hand_written_guidance() -> None:
    written = written_guidance("ssda903")
    assert len(written) >= 60
    assert set(written) >= EPISODE_PLACEMENT_AND_HEALTH
    assert set(written) <= set(catalogue("ssda903")), "guidance for a code the catalogue does not have"
    for entry in written.values():
        assert entry.written and entry.meaning and entry.causes and entry.check, entry.code
        assert "\n" not in entry.meaning + entry.causes + entry.check


def test_every_catalogued_rule_has_guidance() -> None:
    for dataset in ("ssda903", "cin"):
        for code, info in catalogue(dataset).items():
            found = guidance(dataset, code)
            assert found is not None and found.meaning and found.check, code
            if not found.written:
                assert found.meaning == info.message and found.causes == ""


def test_unknown_code_has_no_guidance() -> None:
    assert guidance("ssda903", "NOPE") is None
