"""The rule catalogues shipped in the package say what ../shared/reference/*-rules.tsv say: codes, messages, years."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from csctools.validate.catalogue import LATEST_CIN, catalogue

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
pytestmark = pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference folder not present")


def rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def end_year(ruleset: str) -> int:
    """'2025_26' and 'cin2025_26' are the collection year ending in 2026."""
    return int(ruleset.strip().removeprefix("cin")[:4]) + 1


def test_903_catalogue_matches_the_reference() -> None:
    reference = rows("903-rules.tsv")
    shipped = catalogue("ssda903")
    assert {r["code"] for r in reference} == set(shipped)
    for row in reference:
        info = shipped[row["code"]]
        assert info.message == row["message"].strip(), row["code"]
        assert info.years == {end_year(y) for y in row["rulesets"].split(",")}, row["code"]
        assert set(info.tables) == {t.strip() for t in row["tables"].split(",") if t.strip()}, row["code"]


def test_cin_catalogue_matches_the_reference() -> None:
    reference = rows("cin-rules.tsv")
    shipped = catalogue("cin")
    assert {r["rule_code"] for r in reference} == set(shipped)
    for row in reference:
        info = shipped[row["rule_code"]]
        first = min(end_year(y) for y in row["defined_in_rulesets"].split(";"))
        in_latest = row["in_cin2025_26"].strip() == "yes"
        assert info.message == row["message"].strip(), row["rule_code"]
        assert info.years == set(range(first, LATEST_CIN + 1 if in_latest else LATEST_CIN)), row["rule_code"]
        assert info.severity == row["rule_type"].strip().lower(), row["rule_code"]
