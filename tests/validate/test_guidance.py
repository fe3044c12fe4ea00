"""Guidance for every rule: hand-written for the rules that dominate real returns, built from the message otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import html as lxml_html
from python_calamine import CalamineWorkbook

from csctools.io.result import ReturnData
from csctools.packs.registry import build, load
from csctools.validate.catalogue import catalogue
from csctools.validate.export import write_report
from csctools.validate.guidance import guidance, rule_guidance, written_guidance
from csctools.validate.run import validate_return
from tests.packs.packs_helpers import YEAR, write_pack
from tests.rules.harness import typed

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


FAMILY_FIELDS = {  # the families, by the fields the DfE lists for a rule (or its table, for OC2 and OC3)
    "legal statuses": {"LS"},
    "placements": {"PLACE", "PLACE_PROVIDER", "REASON_PLACE_CHANGE"},
    "URNs and postcodes": {"URN", "PL_POST", "HOME_POST", "PL_LA", "PL_LOCATION", "PL_DISTANCE"},
}


def test_every_family_of_rules_that_dominates_real_returns_has_hand_written_guidance() -> None:
    """At least 60 rules of the episodes, legal statuses, placements, URNs and postcodes, OC2 and OC3 together, and
    a fair share of each: the OC2 and OC3 rules most returns fail among them (counted 2026-12-01: 110 of 116)."""
    written, rules = written_guidance("ssda903"), catalogue("ssda903")
    families: dict[str, set[str]] = {name: set() for name in (*FAMILY_FIELDS, "OC2", "OC3", "episodes")}
    for code in written:
        info = rules[code]
        for name, fields in FAMILY_FIELDS.items():
            if fields & set(info.fields):
                families[name].add(code)
        for table in ("OC2", "OC3", "Episodes"):
            if table in info.tables:
                families["episodes" if table == "Episodes" else table].add(code)
    assert len(set().union(*families.values())) >= 60
    least = {"legal statuses": 15, "placements": 25, "URNs and postcodes": 20, "OC2": 15, "OC3": 8, "episodes": 60}
    assert {name: len(codes) >= least[name] for name, codes in families.items()} == dict.fromkeys(least, True)
    assert {"131", "132", "133", "1000", "1001", "1002"} <= families["OC3"]  # the care leaver codes and queries
    assert {"180", "181", "186", "190", "197B", "198"} <= families["OC2"]  # SDQ and the 12-month cohort


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


PACK_RULE = """\
- code: T-GD01
  message: placement type ZZ
  tables: Episodes
  fields: [PLACE]
  guidance: Ask the team which placement the child is in and record its code.
  condition: PLACE = 'ZZ'
"""


def test_a_pack_rules_guidance_is_in_the_xlsx_and_the_html(tmp_path: Path) -> None:
    """A pack's own guidance is what its rule's failures say to check, in the work list and in the HTML report."""
    registry = build("ssda903", load([write_pack(tmp_path / "pack", PACK_RULE)]))
    episodes = [{"CHILD": "1", "DECOM": "01/05/2025", "RNE": "S", "PLACE": "ZZ"}]
    data = ReturnData("ssda903", YEAR, typed("ssda903", {"Episodes": episodes}), [])
    result = validate_return(data, YEAR, None, None, registry=registry)
    assert rule_guidance("ssda903", "T-GD01", "placement type ZZ", "") is None  # without the pack's text: none
    write_report(result, data, tmp_path / "r.xlsx")
    errors = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_name("Errors").to_python()
    header, rows = errors[0], [r for r in errors[1:] if r[0] == "T-GD01"]
    assert len(rows) == 1
    assert rows[0][header.index("what to check")] == "Ask the team which placement the child is in and record its code."
    guidance_sheet = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_name("Guidance").to_python()
    named = {r[0]: dict(zip(guidance_sheet[0], r, strict=True)) for r in guidance_sheet[1:]}
    assert set(named) == {o.code for o in result.outcomes if o.failures}
    written_146 = written_guidance("ssda903")["146"]
    assert (named["146"]["what it means"], named["146"]["common causes"]) == (written_146.meaning, written_146.causes)
    assert named["146"]["guidance from"] == "csctools, written for this rule"
    assert named["T-GD01"]["what to check"].startswith("Ask the team")
    assert named["T-GD01"]["guidance from"] == "pack test-pack"
    write_report(result, data, tmp_path / "r.html")
    page = lxml_html.fromstring((tmp_path / "r.html").read_text(encoding="utf-8"))
    (section,) = page.xpath('//*[@id="rule-T-GD01"]')
    said = " ".join(section.xpath('.//div[@class="guidance"]')[0].text_content().split())
    checks = "What to check: Ask the team which placement the child is in and record its code."
    assert said == f"What it means: placement type ZZ {checks}"
    write_report(result, data, tmp_path / "r.json")  # the JSON report: each failing rule's guidance
    kept = json.loads((tmp_path / "r.json").read_text("utf-8"))["guidance"]
    assert set(kept) == {o.code for o in result.outcomes if o.failures} >= {"T-GD01", "146"}
    assert kept["T-GD01"]["check"] == checks.removeprefix("What to check: ") and kept["T-GD01"]["written"]
    assert kept["146"] == dict(written_guidance("ssda903")["146"]._asdict())  # PLACE ZZ is no placement code
