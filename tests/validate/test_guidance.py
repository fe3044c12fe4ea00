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


# the rules that dominate real CIN censuses: referral, assessment, S47, ICPC and plan dates, open episodes, closure
# reasons, UPNs, dates of birth, disabilities and the working-day rules
CIN_DOMINANT = {
    "8600", "8606", "8620", "8630", "8640", "8805", "8810", "8815", "8816", "8820", "8565", "8831",
    "1103", "8608", "8696", "8736", "8670Q", "8863Q", "8896",
    "2889", "8615", "8675Q", "8740", "8890", "8839",
    "1104", "2884", "8715", "8875", "8870Q", "2885",
    "1105", "8720", "8925", "8930", "8935", "8940", "8841",
    "4010", "4011", "4013", "4014", "4015",
    "1510", "1520", "1530", "1540", "1550", "8770Q", "8772",
    "8520", "8525Q", "8530Q", "8540", "8790", "8794", "8569Q",
}  # fmt: skip


def test_at_least_40_cin_rules_have_hand_written_guidance() -> None:
    written = written_guidance("cin")
    assert len(CIN_DOMINANT) >= 40
    assert set(written) >= CIN_DOMINANT
    assert set(written) <= set(catalogue("cin")), "guidance for a code the catalogue does not have"
    for entry in written.values():
        assert entry.written and entry.meaning and entry.causes and entry.check, entry.code
        assert "\n" not in entry.meaning + entry.causes + entry.check


def test_cin_guidance_says_what_the_rule_checks() -> None:
    # hand-read against the rule text: the working-day thresholds and code sets appear in the guidance
    assert "45 working days" in written_guidance("cin")["8670Q"].meaning
    assert "15 working days" in written_guidance("cin")["8675Q"].meaning
    assert "UN7" in written_guidance("cin")["8772"].meaning
    assert "RC1 to RC9" in written_guidance("cin")["8640"].meaning
    assert "NONE" in written_guidance("cin")["8790"].meaning
    # a CIN rule without hand-written guidance falls back to its DfE message
    fallback = guidance("cin", "8945Q")
    assert fallback is not None and not fallback.written
    assert fallback.meaning == catalogue("cin")["8945Q"].message
