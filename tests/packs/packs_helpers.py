"""Writing small packs and returns for the pack tests."""

from __future__ import annotations

from pathlib import Path

from csctools.io.result import ReturnData
from csctools.packs.registry import build, load
from csctools.packs.settings import Settings
from csctools.validate.engine import ValidationResult
from csctools.validate.run import validate_return
from csctools.years import CollectionYear
from tests.rules.harness import Tables, typed

YEAR = CollectionYear(2026)
MANIFEST = 'name: {name}\nversion: "1.0"\nreturns: [ssda903]\n'


def write_pack(folder: Path, rules: str, name: str = "test-pack", settings: str | None = None) -> Path:
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(MANIFEST.format(name=name), encoding="utf-8")
    (folder / "rules" / "rules.yaml").write_text(rules, encoding="utf-8")
    if settings is not None:
        (folder / "settings.yaml").write_text(settings, encoding="utf-8")
    return folder


def run(
    packs: list[Path],
    tables: Tables,
    previous: Tables | None = None,
    settings: Settings | None = None,
    only: tuple[str, ...] = (),
    skip: tuple[str, ...] = (),
) -> ValidationResult:
    """Validate hand-made 903 tables with the built-in rules and the given packs."""
    registry = build("ssda903", load(packs), settings, only, skip)
    data = ReturnData("ssda903", YEAR, typed("ssda903", tables), [])
    last = ReturnData("ssda903", YEAR.previous(), typed("ssda903", previous), []) if previous is not None else None
    return validate_return(data, YEAR, None, last, registry=registry)


def outcome(result: ValidationResult, code: str) -> tuple[str, int, str]:
    found = next(o for o in result.outcomes if o.code == code)
    return found.status, found.failures, found.reason


def cells(result: ValidationResult, code: str) -> list[tuple[str, int, str, str, str | None]]:
    """(table, row, child, field, value) of every cell the rule flags, sorted."""
    rows = result.errors.filter(result.errors["rule_code"] == code)
    return sorted(rows.select("table", "row_number", "child_id", "field", "value").iter_rows())
