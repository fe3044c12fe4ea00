"""Python rule packs for developers: rules written in Python (polars), shipped as an installed package.

A package declares its pack in the entry-point group `csctools.rule_packs` (pyproject.toml):

    [project.entry-points."csctools.rule_packs"]
    acme-checks = "acme_checks:pack"

where `acme_checks.pack` is a `PythonPack`. Installed packs are listed from the packages' metadata without importing
them; a pack's code is imported only when it is asked for by name (`csc validate ... --pack acme-checks`,
`csc rules list --pack acme-checks` or `--installed`). Its rules then go through the same Registry, engine,
outcomes and reports as the DfE rules and the SQL packs. Unlike a SQL pack, a Python pack runs its own code with
the user's rights: it is for code an authority installs itself, never for a file received from elsewhere.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from csctools.model import FIRST_YEAR, LAST_YEAR
from csctools.validate.catalogue import ERROR, QUERY, RuleInfo
from csctools.validate.registry import Check, Condition, PackUsed, Rule, condition_check

GROUP = "csctools.rule_packs"
DATASETS = ("ssda903", "cin")


class Example(NamedTuple):
    """Rows that must fail (or pass) a rule: table name -> rows as written in the files."""

    tables: dict[str, list[dict[str, str | None]]]
    fails: bool


class PythonRule(NamedTuple):
    rule: Rule
    guidance: str
    examples: tuple[Example, ...]


class PythonPack:
    """A pack of rules written in Python. Each rule is registered with a decorator on the pack object:

    pack = PythonPack("acme-checks", "1.2", description="...")

    @pack.condition("ssda903", "ACME-01", "Episodes", "Placement with no postcode", fields=("PL_POST",))
    def no_postcode(ctx: Context) -> polars.Expr:
        return pl.col("PL_POST").is_null()
    """

    def __init__(self, name: str, version: str, description: str = "") -> None:
        self.name, self.version, self.description = name, version, description
        self.rules: list[PythonRule] = []
        self.source = ""  # where it was loaded from (set by `load`)

    def condition(
        self,
        dataset: str,
        code: str,
        table: str,
        message: str,
        fields: Iterable[str] = (),
        severity: str = ERROR,
        years: Iterable[int] = (),
        needs: Iterable[str] = (),
        guidance: str = "",
        examples: Iterable[Example] = (),
    ) -> Callable[[Condition], Condition]:
        """A rule that is one boolean expression over one table of this year's return: true where a row fails."""

        def register(condition: Condition) -> Condition:
            named = tuple(fields)
            check = condition_check(table, lambda ctx: ctx.table(table), condition, named or None, ("table", table))
            self._add(dataset, code, (table,), message, named, severity, years, needs, check, guidance, examples)
            return condition

        return register

    def check(
        self,
        dataset: str,
        code: str,
        tables: Iterable[str],
        message: str,
        fields: Iterable[str] = (),
        severity: str = ERROR,
        years: Iterable[int] = (),
        needs: Iterable[str] = (),
        guidance: str = "",
        examples: Iterable[Example] = (),
    ) -> Callable[[Check], Check]:
        """A rule as a function of the Context yielding `Failures` (plans of failing rows), as the DfE rules are."""

        def register(check: Check) -> Check:
            named = tuple(tables)
            self._add(dataset, code, named, message, tuple(fields), severity, years, needs, check, guidance, examples)
            return check

        return register

    def _add(
        self,
        dataset: str,
        code: str,
        tables: tuple[str, ...],
        message: str,
        fields: tuple[str, ...],
        severity: str,
        years: Iterable[int],
        needs: Iterable[str],
        check: Check,
        guidance: str,
        examples: Iterable[Example],
    ) -> None:
        if dataset not in DATASETS:
            raise ValueError(f"rule {code}: unknown return {dataset!r} (use {' or '.join(DATASETS)})")
        if severity not in (ERROR, QUERY):
            raise ValueError(f"rule {code}: severity must be {ERROR!r} or {QUERY!r}")
        every = range(FIRST_YEAR, LAST_YEAR + 1)  # the years of the data model
        info = RuleInfo(code, message, tables, fields, frozenset(needs), frozenset(years or every), severity)
        tags = frozenset({self.name})
        guidance = guidance or (check.__doc__ or "").strip()
        rule = Rule(dataset, info, check, info.needs, self.name, tags, guidance)
        self.rules.append(PythonRule(rule, guidance, tuple(examples)))

    def content_hash(self) -> str:
        """sha256 of the source of the module that made the pack (what its rules run), with name and version."""
        digest = hashlib.sha256(f"{self.name}\0{self.version}\0".encode())
        for rule in self.rules:
            module = inspect.getmodule(rule.rule.check)
            path = inspect.getsourcefile(module) if module is not None else None
            if path is not None:
                digest.update(Path(path).read_bytes())
                break
        return digest.hexdigest()

    def used(self) -> PackUsed:
        return PackUsed(self.name, self.version, self.content_hash(), self.source)


def installed() -> dict[str, metadata.EntryPoint]:
    """The Python packs installed, by name, read from the packages' metadata (nothing is imported)."""
    return {entry.name: entry for entry in metadata.entry_points(group=GROUP)}


def load(name: str) -> PythonPack:
    """Import the installed Python pack `name`; a PackError when it cannot be used."""
    from csctools.packs.files import PackError

    entry = installed().get(name)
    if entry is None:
        raise PackError(name, f"no Python pack of that name is installed (entry points {GROUP})")
    where = f"{entry.value} (package {entry.dist.name if entry.dist else 'unknown'})"
    try:
        pack = entry.load()
    except Exception as error:  # the pack's own code: reported, never a traceback
        raise PackError(name, f"{where} could not be imported: {type(error).__name__}: {error}") from None
    if not isinstance(pack, PythonPack):
        raise PackError(name, f"{where} is not a csctools.packs.python.PythonPack")
    if pack.name != name:
        raise PackError(name, f"{where} calls itself {pack.name!r}: the entry point must be named as the pack")
    pack.source = f"Python package {entry.dist.name if entry.dist else entry.value}"
    return pack


def refuse_clashes(pack: PythonPack, taken: dict[str, str]) -> None:
    """A code of a Python pack may not be a DfE code nor a code of another pack (`taken`: code -> owner)."""
    from csctools.packs.files import PackError
    from csctools.packs.rules import dfe_codes

    dfe = {c.upper(): d for c, d in dfe_codes().items()}
    for found in pack.rules:
        code = found.rule.code
        if code.upper() in dfe:
            raise PackError(pack.name, f"rule {code}: the code clashes with DfE {dfe[code.upper()]} rule {code}")
        owner = taken.get(code.upper())
        if owner is not None and owner != pack.name:
            raise PackError(pack.name, f"rule {code}: the code clashes with a rule of the pack {owner}")
        taken[code.upper()] = pack.name
