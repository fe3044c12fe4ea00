"""The local rules of packs as `csc rules list` and `csc rules explain` show them: with the pack's name and version,
the kind of rule (SQL condition, SQL query, Python), its guidance and its examples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from csctools.packs.registry import LoadedPack, load_all
from csctools.validate.catalogue import RuleInfo


class Listed(NamedTuple):
    dataset: str
    info: RuleInfo
    pack: str  # "name version"
    kind: str  # "SQL condition", "SQL query" or "Python"
    guidance: str
    fails: list[str]  # examples that must fail, one line each
    passes: list[str]
    sql: str  # the condition or query ("" for Python)
    source: str  # where the pack was read from


def asked_packs(paths: Sequence[str], everything_installed: bool) -> list[str]:
    """The packs given, and with `everything_installed` every installed zip and Python pack (not given twice)."""
    wanted = list(paths)
    if everything_installed:
        from csctools.packs.locations import installed
        from csctools.packs.python import installed as python_packs

        wanted += [str(path) for path in installed()] + sorted(python_packs())
    return list(dict.fromkeys(wanted))


def local_rules(paths: Sequence[str]) -> list[Listed]:
    """Every rule of the packs (a PackError on a malformed pack or clashing codes), in the order of the packs."""
    found: list[Listed] = []
    for loaded in load_all(paths, bind=False):
        if isinstance(loaded, LoadedPack):
            label = f"{loaded.pack.info.name} {loaded.pack.info.version}"
            for local in loaded.rules:
                kind = "SQL condition" if local.condition is not None else "SQL query"
                fails = [example_line(e) for e in local.examples.get("fail", [])]
                passes = [example_line(e) for e in local.examples.get("pass", [])]
                sql = " ".join((local.condition or local.query or "").split())
                found.append(
                    Listed(
                        local.dataset, local.info, label, kind, local.guidance, fails, passes, sql, loaded.pack.source
                    )
                )
        else:
            label = f"{loaded.name} {loaded.version}"
            for python in loaded.rules:
                fails = [example_line(e.tables) for e in python.examples if e.fails]
                passes = [example_line(e.tables) for e in python.examples if not e.fails]
                rule = python.rule
                found.append(
                    Listed(rule.dataset, rule.info, label, "Python", python.guidance, fails, passes, "", loaded.source)
                )
    return found


def example_line(example: Any) -> str:
    """One row ("CHILD=1, DECOM=2025-05-01") or tables of rows ("Episodes: CHILD=1 | Header: CHILD=1")."""
    if isinstance(example, dict) and example and all(isinstance(v, list | dict) for v in _fields(example).values()):
        parts = []
        for table, rows in _fields(example).items():
            rows = rows if isinstance(rows, list) else [rows]
            parts.append(f"{table}: " + "; ".join(_row(r) for r in rows))
        return " | ".join(parts)
    return _row(example)


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    from csctools.packs.files import LINE_KEY  # the line a YAML mapping starts on, not a column

    return {k: v for k, v in row.items() if k != LINE_KEY}


def _row(row: Any) -> str:
    if not isinstance(row, dict):
        return str(row)
    return ", ".join(f"{k}={'(blank)' if v is None else v}" for k, v in _fields(row).items())
