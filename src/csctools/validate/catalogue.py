"""The DfE rule catalogues (code, message, tables, fields, needs, years) shipped as data with the rule packs."""

from __future__ import annotations

import csv
from functools import cache
from typing import NamedTuple

from csctools.package_data import read_text

ERROR, QUERY = "error", "query"
LATEST_CIN = 2026  # 2025/26


class RuleInfo(NamedTuple):
    code: str
    message: str
    tables: tuple[str, ...]
    fields: tuple[str, ...]
    needs: frozenset[str]
    years: frozenset[int]  # end years of the collection years the rule applies to
    severity: str = ERROR


def _year_end(key: str) -> int:
    """'2025_26' or 'cin2025_26' -> 2026."""
    digits = key.removeprefix("cin")
    return int(digits[:4]) + 1


@cache
def _split(text: str) -> tuple[str, ...]:
    """'a, b;c' -> ('a', 'b', 'c'); made once per distinct text (the catalogues repeat the same lists of years)."""
    return tuple(stripped for part in text.replace(";", ",").split(",") if (stripped := part.strip()))


@cache
def _years(rulesets: str) -> frozenset[int]:
    return frozenset(_year_end(y) for y in _split(rulesets))


@cache
def catalogue(dataset: str) -> dict[str, RuleInfo]:
    """Every DfE rule of a dataset ("ssda903"), keyed by code."""
    text = read_text("rules", dataset, "catalogue.tsv")
    rules = {}
    for row in csv.DictReader(text.splitlines(), delimiter="\t"):
        code = row.get("code") or row["rule_code"]
        if row.get("rulesets"):  # SSDA903: every year the rule applies to
            years = _years(row["rulesets"])
        else:  # CIN: the year a rule was first defined; it applies from then to the latest census
            first = min(_year_end(y) for y in _split(row["defined_in_rulesets"]))
            years = frozenset(range(first, LATEST_CIN + 1))
        rules[code] = RuleInfo(
            code=code,
            message=row["message"].strip(),
            tables=_split(row.get("tables") or row.get("table", "")),
            fields=_split(row["affected_fields"]),
            needs=frozenset(_split(row.get("needs", ""))),
            years=years,
            severity=QUERY if row.get("rule_type", "").lower() == "query" else ERROR,
        )
    return rules
