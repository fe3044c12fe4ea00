"""The registry of one validation: the built-in DfE pack of the return, the given packs, their settings, the
authority's settings, and --only/--skip. Every problem is a PackError raised before any rule runs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from csctools import __version__
from csctools.package_data import PACKAGE_DIR
from csctools.packs.locations import data_folder, installed
from csctools.validate.registry import BUILTIN, PackUsed, Registry, Rule
from csctools.years import CollectionYear

if TYPE_CHECKING:  # a validation without packs imports neither YAML nor DuckDB
    from csctools.packs.files import Pack, PackError
    from csctools.packs.python import PythonPack
    from csctools.packs.rules import LocalRule
    from csctools.packs.settings import Settings

__all__ = ["data_folder", "installed"]

BUILTIN_NAMES = {"ssda903": "dfe-ssda903", "cin": "dfe-cin"}


def is_path(text: str) -> bool:
    """`text` can only be a path: it holds a folder separator or starts with a dot (./leeds-checks, ../x, .\\x)."""
    return "/" in text or "\\" in text or text.startswith(".")


def find_pack(text: str, path_only: bool = False) -> Path:
    """A pack by path (folder, zip or pack.yaml) or by the name of an installed pack.

    Something that can only be a path (./NAME, a/b) is a path. A bare NAME is whichever of a folder or file NAME
    here and an installed pack NAME exists; when both do, it is refused with how to pick one, never chosen
    silently. With `path_only` (a pack to install or export) the text is always a path."""
    from csctools.packs.errors import PackError

    path = Path(text)
    if path_only or is_path(text):
        if path.exists():
            return path
        raise PackError(text, "no such pack folder or zip")
    candidate = data_folder() / f"{text}.zip"
    if path.exists() and candidate.exists():
        raise PackError(
            text,
            f"is both a {'folder' if path.is_dir() else 'file'} here and an installed pack: say ./{text} for the "
            f"one here, or {candidate} for the installed one",
        )
    if path.exists():
        return path
    if candidate.exists():
        return candidate
    raise PackError(text, "is not a pack folder or zip, nor the name of an installed pack (see `csc packs list`)")


@cache
def builtin_pack(dataset: str) -> PackUsed:
    """The DfE rule set of a return as a pack: csctools' version, and a hash of its catalogue and rule modules."""
    folder = PACKAGE_DIR / "rules" / dataset
    digest = hashlib.sha256()
    for path in sorted([*folder.glob("*.py"), *folder.glob("*.tsv")]):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return PackUsed(BUILTIN_NAMES[dataset], __version__, digest.hexdigest(), "built in")


def used(pack: Pack) -> PackUsed:
    return PackUsed(pack.info.name, pack.info.version, pack.content_hash, pack.source)


class LoadedPack(NamedTuple):
    pack: Pack
    rules: list[LocalRule]
    settings: Settings


def load(
    paths: Iterable[str | Path],
    year: CollectionYear | None = None,
    bind: bool = True,
    taken: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
    path_only: bool = False,
) -> list[LoadedPack]:
    """Read each pack and check its form; two packs of one name, or clashing codes, are refused. With `bind`,
    each rule's SQL is checked against the data model of `year` (default: of every year the rule applies to).
    `taken` (code -> pack) and `names` (pack -> source) carry what other packs of the same validation hold."""
    from csctools.packs.errors import PackError

    loaded: list[LoadedPack] = []
    taken = {} if taken is None else taken
    names = {} if names is None else names
    for text in paths:
        try:
            loaded.append(_load_one(str(text), names, taken, year, bind, path_only))
        except PackError as error:
            raise in_pack(str(text), error) from None
    return loaded


def is_python_pack(text: str) -> bool:
    """`text` names an installed Python pack (entry point csctools.rule_packs) and no pack file or installed zip;
    a PackError when it names both a Python pack and a folder or file here (as find_pack refuses a zip and one)."""
    if is_path(text) or (data_folder() / f"{text}.zip").exists():
        return False
    from csctools.packs.python import installed as python_packs

    here = Path(text).exists()
    if here and text in python_packs():
        from csctools.packs.errors import PackError

        kind = "folder" if Path(text).is_dir() else "file"
        raise PackError(
            text,
            f"is both a {kind} here and an installed Python pack: say ./{text} for the one here, or run from "
            "another folder for the Python pack",
        )
    return not here and text in python_packs()


def load_all(paths: Sequence[str], bind: bool = True) -> list[LoadedPack | PythonPack]:
    """The packs asked for: files and zips (`load`), and installed Python packs by name, each imported only here;
    codes may not clash across all of them."""
    from csctools.packs.errors import PackError
    from csctools.packs.python import load as load_python
    from csctools.packs.python import refuse_clashes

    python = [text for text in paths if is_python_pack(text)]
    taken: dict[str, str] = {}
    names: dict[str, str] = {}
    loaded: list[LoadedPack | PythonPack] = list(load([p for p in paths if p not in python], None, bind, taken, names))
    for name in python:
        pack = load_python(name)
        if pack.name in names:
            raise PackError(name, f"the pack {pack.name} is given twice ({names[pack.name]})")
        names[pack.name] = pack.source
        refuse_clashes(pack, taken)
        loaded.append(pack)
    return loaded


def in_pack(source: str, error: PackError) -> PackError:
    """The error with the pack it is in: "packs/leeds: rules/a.yaml line 3: rule LEEDS-1: ..."."""
    from csctools.packs.errors import PackError

    if error.file == source:
        return error
    return PackError(f"{source}: {error.file}", error.message, error.line)


def _load_one(
    text: str,
    names: dict[str, str],
    taken: dict[str, str],
    year: CollectionYear | None,
    bind: bool,
    path_only: bool = False,
) -> LoadedPack:
    from csctools.packs.files import PackError, load_pack
    from csctools.packs.rules import parse_rules, refuse_clashes
    from csctools.packs.settings import empty, parse

    pack = load_pack(find_pack(text, path_only))
    if pack.info.name in names:
        raise PackError("pack.yaml", f"the pack {pack.info.name} is given twice ({names[pack.info.name]})")
    names[pack.info.name] = pack.source
    rules = parse_rules(pack)
    refuse_clashes(rules, taken)
    if bind:
        from csctools.packs.check import check_all

        check_all(rules, year)
    label = f"{pack.info.name} settings.yaml"
    settings = parse(pack.settings, label) if pack.settings is not None else empty()
    if pack.settings is not None:
        _refuse_unknown_settings(pack, rules, settings)
    return LoadedPack(pack, rules, settings)


def _refuse_unknown_settings(pack: Pack, rules: list[LocalRule], settings: Settings) -> None:
    """The pack's settings name only its own rules and DfE rules of its returns in one of its years at least."""
    from csctools.packs.files import SETTINGS
    from csctools.packs.settings import refuse_unknown_codes
    from csctools.validate.catalogue import catalogue

    returns = [r for r in pack.info.returns if r in BUILTIN_NAMES] if pack.info.returns else list(BUILTIN_NAMES)
    years = _pack_years(pack)
    known = {local.code for local in rules}
    for dataset in returns:
        known |= {code for code, info in catalogue(dataset).items() if years is None or info.years & years}
    titles = " or ".join({"ssda903": "SSDA903", "cin": "CIN"}[r] for r in returns)
    span = "any year" if years is None else ", ".join(CollectionYear(end).label for end in sorted(years))
    what = f"a rule of this pack nor a DfE {titles} rule of {span}" if returns else "a rule of this pack"
    refuse_unknown_codes(settings, pack.text(SETTINGS), SETTINGS, known, what)


def _pack_years(pack: Pack) -> frozenset[int] | None:
    """The collection years (their ends) the pack applies to; None for every year (or years it cannot read)."""
    try:
        return frozenset(CollectionYear.parse(text).end for text in pack.info.years) or None
    except ValueError:
        return None


def check_packs(packs: Iterable[LoadedPack | PythonPack], year: CollectionYear | None = None) -> None:
    """Every rule's SQL against the data model of `year` (or of every year it applies to)."""
    from csctools.packs.check import check_all
    from csctools.packs.errors import PackError

    for loaded in packs:
        if not isinstance(loaded, LoadedPack):  # a Python pack: no SQL
            continue
        try:
            check_all(loaded.rules, year)
        except PackError as error:
            raise in_pack(loaded.pack.source, error) from None


def _selected(rule_tags: set[str], wanted: Sequence[str]) -> bool:
    return any(w.lower() in rule_tags for w in wanted)


def _tags(rule: Rule) -> set[str]:
    pack = rule.pack or BUILTIN_NAMES[rule.dataset]
    words = {rule.code, pack, rule.info.severity, *rule.info.tables, *rule.tags}
    return {w.lower() for w in words}


def _check_choices(rules: Iterable[Rule], codes: set[str], only: Sequence[str], skip: Sequence[str]) -> None:
    """Every --only/--skip word names a rule, pack, severity, table or tag of this return (or a DfE rule of any
    year): a typo would otherwise switch every rule off and report a clean return."""
    from difflib import get_close_matches

    from csctools.packs.errors import PackError

    names: dict[str, str] = {code.lower(): code for code in codes}
    for rule in rules:
        pack = rule.pack or BUILTIN_NAMES[rule.dataset]
        for word in (rule.code, pack, rule.info.severity, *rule.info.tables, *rule.tags):
            names.setdefault(word.lower(), word)
    for option, words in (("--only", only), ("--skip", skip)):
        for word in words:
            if word.lower() in names:
                continue
            close = get_close_matches(word.lower(), list(names), n=1, cutoff=0.6)
            hint = f" (did you mean {names[close[0]]}?)" if close else ""
            message = f"no rule, pack, severity, table or tag of this return is called '{word}'{hint}"
            raise PackError(option, message)


def build(
    dataset: str,
    packs: Sequence[LoadedPack | PythonPack] = (),
    settings: Settings | None = None,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
) -> Registry:
    """The rules of one validation of `dataset`: built-in and local, with the packs' settings and then the
    authority's (`settings`) applied, and --only/--skip (codes, pack names, severities, tables or tags)."""
    from csctools.validate.run import load_rules

    load_rules(dataset)
    registry = Registry()
    registry.packs.append(builtin_pack(dataset))
    rules: list[Rule] = BUILTIN.rules(dataset)
    if not packs and settings is None and not only and not skip:
        for rule in rules:
            registry.add(rule)
        return registry
    from csctools.packs.execute import compile_rules
    from csctools.packs.settings import empty, merge

    combined = empty()
    for loaded in packs:
        if not isinstance(loaded, LoadedPack):  # a Python pack: its rules as they are, no settings
            own = [found.rule for found in loaded.rules if found.rule.dataset == dataset]
            if own:
                registry.packs.append(loaded.used())
            rules += own
            continue
        mine = [local for local in loaded.rules if local.dataset == dataset]
        if mine or dataset in loaded.pack.info.returns or not loaded.pack.info.returns:
            registry.packs.append(used(loaded.pack))
        rules += compile_rules(mine)
        combined = merge(combined, loaded.settings)
    if settings is not None:
        combined = merge(combined, settings)
    from csctools.packs.rules import dfe_codes
    from csctools.validate.catalogue import catalogue

    catalogued = set(catalogue(dataset))
    anywhere = {rule.code for rule in rules} | set(dfe_codes())  # a settings file may serve both returns
    named = [(code, f"{where}: severity of {code} changed") for code, (_, where) in combined.severity.items()]
    named += [(code, f"{why}: {code}") for code, why in combined.off.items()]
    named += [(a.rule, f"{a.where}: accepted query of {a.rule}") for a in combined.accepted]
    for code, what in named:
        if code not in anywhere:
            registry.notes.append(f"{what}, but there is no rule {code} (neither DfE nor in the packs given)")
    by_code = {r.code: r for r in rules}
    for code, (level, _) in combined.severity.items():
        if code in by_code:
            by_code[code] = by_code[code]._replace(info=by_code[code].info._replace(severity=level))
    for code, why in combined.off.items():
        if code in by_code or code in catalogued:
            registry.left_out[code] = why
    wanted_only = [w for w in only if w]
    _check_choices(by_code.values(), catalogued, wanted_only, [w for w in skip if w])  # this return's codes
    for rule in by_code.values():
        tags = _tags(rule)
        if wanted_only and not _selected(tags, wanted_only):
            registry.left_out.setdefault(rule.code, "left out: not in --only " + ",".join(wanted_only))
        elif skip and _selected(tags, skip):
            registry.left_out.setdefault(rule.code, "left out by --skip " + ",".join(skip))
    if wanted_only:  # DfE rules not implemented are not listed as such when they were not asked for
        for code in catalogued - set(by_code):
            if code.lower() not in {w.lower() for w in wanted_only}:
                registry.left_out.setdefault(code, "left out: not in --only " + ",".join(wanted_only))
    for rule in by_code.values():
        if rule.code not in registry.left_out:
            registry.add(rule)
        else:
            registry.left_out_rules[rule.code] = rule
    registry.accepted = [a for a in combined.accepted if a.rule in by_code or a.rule in catalogued]
    return registry
