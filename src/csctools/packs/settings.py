"""Rule settings: rules switched off, severities changed, queries accepted (in a pack, or an authority's own file).

    off:                         # rules not run (each listed in the report as "switched off")
      - "1008"
      - rule: LEEDS-PL03
        reason: we record respite placements elsewhere
    severity:                    # "error" or "query"
      "1004": query
    accepted:                    # failures listed apart from outstanding ones in every report
      - rule: "142"
        child: "3830000205"
        row: 7                   # optional: only that source row
        reason: confirmed with the social worker
        who: A. Analyst
        when: 2026-11-30

The authority's own file (`--settings FILE`, by default settings-<LA>.yaml in the user's config folder) persists
between runs; `csc accept` writes to it. A pack's settings may name only its own rules and DfE rules of its returns
and years (refuse_unknown_codes); the authority's file may name any rule (one no rule has is a note).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from csctools.packs.files import PackError, Record, check_keys, line_of, parse_yaml, without_lines
from csctools.validate.catalogue import ERROR, QUERY
from csctools.validate.registry import Acceptance

SETTINGS_KEYS = ("off", "severity", "accepted")
ACCEPTED_KEYS = ("rule", "child", "row", "reason", "who", "when")
OFF_KEYS = ("rule", "reason")


class Settings(NamedTuple):
    off: dict[str, str]  # code -> why ("switched off in settings.yaml line 3: reason")
    severity: dict[str, tuple[str, str]]  # code -> (severity, where)
    accepted: list[Acceptance]


def empty() -> Settings:
    return Settings({}, {}, [])


def _code(value: Any, file: str, line: int | None, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise PackError(file, f"{what} must name a rule code", line)
    return str(value).strip()


def parse(record: Record, label: str) -> Settings:
    """Settings from a settings mapping; `label` names the file in reasons ("leeds-checks settings.yaml")."""
    data, file = record.data, record.file
    check_keys(data, file, SETTINGS_KEYS, what="settings")
    off: dict[str, str] = {}
    entries = data.get("off") or []
    if not isinstance(entries, list):
        raise PackError(file, "off must be a list of rule codes (or of rule: and reason:)", record.line)
    for item in entries:
        line = line_of(item)  # a plain code in the list has no line of its own
        if isinstance(item, dict):
            check_keys(item, file, OFF_KEYS, required=("rule",), what="a rule switched off")
            code, reason = _code(item["rule"], file, line, "off"), str(item.get("reason") or "")
        else:
            code, reason = _code(item, file, record.line, "each entry of off"), ""
        where = f"{label} line {line}" if line else label
        off[code] = f"switched off in {where}" + (f": {reason}" if reason else "")
    severity: dict[str, tuple[str, str]] = {}
    changes = data.get("severity") or {}
    if not isinstance(changes, dict):
        raise PackError(file, 'severity must map rule codes to "error" or "query"', record.line)
    for code, level in changes.items():
        if code == "__line__":
            continue
        if level not in (ERROR, QUERY):
            raise PackError(file, f'severity of {code} must be "error" or "query", not "{level}"', line_of(changes))
        severity[str(code)] = (str(level), f"{label} line {line_of(changes)}")
    accepted = []
    entries = data.get("accepted") or []
    if not isinstance(entries, list):
        raise PackError(file, "accepted must be a list of accepted queries (rule, child, reason, ...)", record.line)
    for item in entries:
        line = line_of(item) or record.line
        if not isinstance(item, dict):
            raise PackError(file, "each accepted query is a mapping (rule, child, reason, ...)", line)
        check_keys(item, file, ACCEPTED_KEYS, required=("rule", "child", "reason"), what="an accepted query")
        row = item.get("row")
        if row is not None and (isinstance(row, bool) or not isinstance(row, int)):
            raise PackError(file, f"row of an accepted query must be a row number, not {row!r}", line)
        accepted.append(
            Acceptance(
                rule=_code(item["rule"], file, line, "rule"),
                child=str(item["child"]).strip(),
                row=row,
                reason=str(item["reason"]),
                who=str(item.get("who") or ""),
                when=str(item.get("when") or ""),
                where=f"{label} line {line}",
            )
        )
    return Settings(off, severity, accepted)


def _entries(text: str) -> list[tuple[str, str, int]]:
    """(section, rule code, line) of every code a settings file names, in the order written (for messages)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    found: list[tuple[str, str, int]] = []
    if not isinstance(root, yaml.MappingNode):
        return found
    for key, value in root.value:
        if key.value in ("off", "accepted") and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                nodes = (
                    [v for k, v in item.value if k.value == "rule"] if isinstance(item, yaml.MappingNode) else [item]
                )
                found += [(key.value, str(n.value).strip(), n.start_mark.line + 1) for n in nodes[:1]]
        elif key.value == "severity" and isinstance(value, yaml.MappingNode):
            found += [(key.value, str(k.value).strip(), k.start_mark.line + 1) for k, _ in value.value]
    return found


def refuse_unknown_codes(settings: Settings, text: str, file: str, known: set[str], what: str) -> None:
    """A pack's settings may name only rules that exist (`known`; `what` says which, "a rule of this pack nor
    ..."): a typo would otherwise switch nothing off. A PackError naming the file and the line of the first
    unknown code."""
    named = [*settings.off, *settings.severity, *(a.rule for a in settings.accepted)]
    unknown = {code for code in named if code not in known}
    if not unknown:
        return
    written = sorted((line, section, code) for section, code, line in _entries(text) if code in unknown)
    line, section, code = written[0] if written else (None, "settings", sorted(unknown)[0])
    which = ("neither " if " nor " in what else "not ") + what
    raise PackError(file, f'"{section}" names rule {code}, which is {which} (a mistyped code changes nothing)', line)


def merge(first: Settings, then: Settings) -> Settings:
    """`then` overrides `first` (an authority's file after the packs' settings)."""
    return Settings({**first.off, **then.off}, {**first.severity, **then.severity}, [*first.accepted, *then.accepted])


def _read_document(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(str(path), f"cannot be read ({error})") from None
    return parse_yaml(text, str(path))


def load_file(path: Path) -> Settings:
    """An authority's settings file (absent: no settings)."""
    if not path.exists():
        return empty()
    data = _read_document(path)
    if data is None:
        return empty()
    if not isinstance(data, dict):
        raise PackError(str(path), "must be a mapping (off:, severity:, accepted:)")
    return parse(Record("settings", str(path), line_of(data) or 1, data), path.name)


def accept(path: Path, rule: str, child: str, reason: str, who: str, row: int | None = None) -> dict[str, Any]:
    """Add an accepted query to a settings file (created if absent) and return the entry written.

    The file is read and written back as data: comments in it are not kept."""
    load_file(path)  # refuse to rewrite a file that is not valid settings
    data = without_lines(_read_document(path)) if path.exists() else None
    document: dict[str, Any] = data if isinstance(data, dict) else {}
    entry: dict[str, Any] = {"rule": rule, "child": child}
    if row is not None:
        entry["row"] = row
    entry |= {"reason": reason, "who": who, "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    document.setdefault("accepted", [])
    document["accepted"] = [*(document["accepted"] or []), entry]
    _write(path, document)
    return entry


def switch_off(path: Path, rule: str, reason: str, who: str) -> dict[str, Any]:
    """Add a rule switched off to a settings file (created if absent), the reason saying who and when; return the
    entry written. Comments in the file are not kept (as for `accept`)."""
    load_file(path)  # refuse to rewrite a file that is not valid settings
    data = without_lines(_read_document(path)) if path.exists() else None
    document: dict[str, Any] = data if isinstance(data, dict) else {}
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    entry: dict[str, Any] = {"rule": rule, "reason": f"{reason} ({who}, {when})"}
    entries = document.get("off") or []
    kept = [item for item in entries if str(item.get("rule") if isinstance(item, dict) else item) != rule]
    document["off"] = [*kept, entry]
    _write(path, document)
    return entry


def _write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    heading = "# csctools settings: rules switched off, severities changed, queries accepted (docs/packs.md)\n"
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(heading + body, encoding="utf-8")
    temporary.replace(path)
