"""Plain-English guidance for rules: what a rule means, what usually causes it, what to check.

Hand-written guidance is shipped as data beside each return's catalogue (`rules/<return>/guidance.yaml`); every
other rule gets guidance built from its DfE message and fields, marked `written=False` so reports can say so.
Packs add guidance for their own rules in the rule records (`guidance:`); the engine keeps it on each outcome
(`pack_guidance`) and `rule_guidance` gives it as what to check.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from csctools.package_data import PACKAGE_DIR
from csctools.validate.catalogue import RuleInfo, catalogue

if TYPE_CHECKING:
    from csctools.validate.engine import Outcome, ValidationResult

KEYS = ("meaning", "causes", "check")


class Guidance(NamedTuple):
    code: str
    meaning: str
    causes: str  # empty where nothing is known
    check: str
    written: bool  # hand-written, rather than built from the message


@cache
def _table_names(dataset: str) -> dict[str, str]:
    """The return's table names by their lower case (the DfE catalogue writes some as 'MIssing', 'HEader_last')."""
    from csctools.share.columns import DATASETS

    model = DATASETS.get(dataset)
    return {t.name.lower(): t.name for t in model.tables} if model is not None else {}


def table_words(tables: Iterable[str], dataset: str = "ssda903") -> str:
    """Catalogue table names in plain words: 'Header, Header_last' -> 'Header and last year's Header'."""
    names = _table_names(dataset)
    words: list[str] = []
    for table in tables:
        last = table.lower().endswith("_last")
        base = table[: -len("_last")] if last else table
        name = names.get(base.lower(), base)
        word = f"last year's {name}" if last else name
        if word not in words:
            words.append(word)
    return joined(words)


def joined(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def _from_message(info: RuleInfo, dataset: str) -> Guidance:
    fields = joined(list(info.fields)) or "the flagged fields"
    tables = table_words(info.tables, dataset) or "the return"
    return Guidance(info.code, info.message, "", f"Check {fields} on the flagged rows ({tables}).", False)


@cache
def written_guidance(dataset: str) -> dict[str, Guidance]:
    """The hand-written guidance of a return's rules, by code (empty when the return has none)."""
    from csctools.packs.files import PackError, check_keys, parse_yaml

    path = PACKAGE_DIR / "rules" / dataset / "guidance.yaml"
    if not path.exists():
        return {}
    name = f"rules/{dataset}/guidance.yaml"
    data = parse_yaml(path.read_text(encoding="utf-8"), name) or {}
    found = {}
    for code, entry in data.items():
        if code == "__line__":
            continue
        if not isinstance(entry, dict):
            raise PackError(name, f"guidance for {code} must be meaning, causes and check")
        check_keys(entry, name, KEYS, required=KEYS, what=f"guidance for {code}")
        meaning, causes, check = (" ".join(str(entry[key]).split()) for key in KEYS)
        found[str(code)] = Guidance(str(code), meaning, causes, check, True)
    return found


def guidance(dataset: str, code: str) -> Guidance | None:
    """Guidance for one rule of the DfE catalogue (None for a code the catalogue does not have)."""
    written = written_guidance(dataset).get(code)
    if written is not None:
        return written
    info = catalogue(dataset).get(code)
    return _from_message(info, dataset) if info is not None else None


def rule_guidance(dataset: str, code: str, message: str = "", pack_guidance: str = "") -> Guidance | None:
    """Guidance for any rule a validation ran: the DfE's (above), else a pack rule's own guidance (what to check),
    written by the pack's author; None for a pack rule without any."""
    found = guidance(dataset, code)
    if found is not None:
        return found
    text = " ".join(pack_guidance.split())
    return Guidance(code, message, "", text, True) if text else None


def pack_guidance_of(outcomes: Iterable[Outcome]) -> dict[str, str]:
    """The guidance of each pack rule of a validation's outcomes, by code (only those that have some)."""
    return {o.code: o.pack_guidance for o in outcomes if o.pack and o.pack_guidance}


def guidance_of(result: ValidationResult) -> dict[str, dict[str, object]]:
    """The guidance of each rule that failed or raised queries, by code, as every report gives it: what the rule
    means, its common causes and what to check (a pack rule: its own guidance, when its pack gives one)."""
    found = {}
    for outcome in result.outcomes:
        if outcome.failures:
            about = rule_guidance(result.dataset, outcome.code, outcome.message, outcome.pack_guidance)
            if about is not None:
                found[outcome.code] = dict(about._asdict())
    return found
