"""Rules: a record plus one function over the return's tables. DfE rules register with a decorator into the
built-in collection (`BUILTIN`); a validation runs a `Registry` built from it and any packs (csctools.packs.registry).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, NamedTuple, cast

import polars as pl

from csctools.validate.catalogue import RuleInfo, catalogue
from csctools.validate.context import Context
from csctools.years import CollectionYear


class Where(NamedTuple):
    """Failing rows as a condition over a named frame: the engine evaluates every condition over one frame in one
    query. `frame` is built once per validation (Context.shared) and shared by the rules naming it."""

    name: Hashable
    frame: pl.DataFrame
    condition: pl.Expr  # true on a failing row (null already counted as passing)


class Failures(NamedTuple):
    """Rows of one table that break a rule, and the fields to point at (default: the rule's fields in that table).

    The one way a rule hands back what fails, in one of two forms: a plan (lazy frame) of the failing rows, or a
    condition over a named frame (`Where`). The engine collects every rule's in one call (validate/engine.py)."""

    table: str
    rows: pl.LazyFrame | Where
    fields: tuple[str, ...] | None = None


Check = Callable[[Context], Iterable[Failures]]
Condition = Callable[[Context], pl.Expr]
FrameSource = Callable[[Context], pl.DataFrame]


class Rule(NamedTuple):
    dataset: str
    info: RuleInfo
    check: Check
    needs: frozenset[str]
    pack: str = ""  # the pack the rule comes from ("" for the built-in DfE rules)
    tags: frozenset[str] = frozenset()  # for --only/--skip, beside the code, the pack name, severity and tables
    guidance: str = ""  # a pack rule's own guidance (the DfE rules' is in rules/<return>/guidance.yaml)

    @property
    def code(self) -> str:
        return self.info.code

    def applies_to(self, year: CollectionYear) -> bool:
        return year.end in self.info.years


class PackUsed(NamedTuple):
    """A pack a validation used, named in every report."""

    name: str
    version: str
    content_hash: str
    source: str  # "built in", a folder or a zip


class Acceptance(NamedTuple):
    """A query accepted in a settings file: its failures are reported apart from the outstanding ones."""

    rule: str
    child: str
    row: int | None
    reason: str
    who: str
    when: str
    where: str  # "settings-383.yaml line 12"


class Registry:
    """The rules of one validation, the packs they came from, and the settings applied to them."""

    def __init__(self) -> None:
        self._rules: dict[tuple[str, str], Rule] = {}
        self.packs: list[PackUsed] = []
        self.left_out: dict[str, str] = {}  # code -> why it is not run (switched off, --only, --skip)
        self.left_out_rules: dict[str, Rule] = {}  # the left-out rules that are implemented, for their messages
        self.accepted: list[Acceptance] = []
        self.notes: list[str] = []  # settings that name rules not in this validation, and the like

    def add(self, rule: Rule) -> None:
        key = (rule.dataset, rule.code)
        if key in self._rules:
            raise ValueError(f"rule {rule.code} of {rule.dataset} is registered twice")
        self._rules[key] = rule

    def rules(self, dataset: str, year: CollectionYear | None = None) -> list[Rule]:
        found = [r for (d, _), r in self._rules.items() if d == dataset and (year is None or r.applies_to(year))]
        return sorted(found, key=lambda r: r.code)

    def get(self, dataset: str, code: str) -> Rule | None:
        return self._rules.get((dataset, code))

    def remove(self, dataset: str, code: str) -> None:
        self._rules.pop((dataset, code), None)


BUILTIN = Registry()  # the DfE rule sets: the built-in packs
REGISTRY = BUILTIN  # the name the rule modules and tests have used


def rule(
    dataset: str,
    code: str,
    needs: Iterable[str] | None = None,
    severity: str | None = None,
    reads: Iterable[str] = (),
) -> Callable[[Check], Check]:
    """Register `check` as the implementation of a catalogued DfE rule.

    `needs` overrides the catalogue's list of inputs the rule needs (prev_year, la_code, postcode_derived,
    ofsted_provider_lists); the collection dates are always known. `severity` overrides the catalogue's (a check
    the DfE itself says may give false positives is reported as a query, not an error). `reads` names tables the
    rule reads beyond the catalogue's (or spelt otherwise there): without them it is "not run: needs the X table".
    """
    info = catalogue(dataset).get(code)
    if info is None:
        raise ValueError(f"{code} is not a DfE {dataset} rule code; a local rule belongs in a pack (docs/packs.md)")
    if severity is not None:
        info = info._replace(severity=severity)
    if extra := [t for t in reads if t not in info.tables]:
        info = info._replace(tables=(*info.tables, *extra))

    def register(check: Check) -> Check:
        wanted = frozenset(needs) if needs is not None else info.needs
        BUILTIN.add(Rule(dataset, info, check, wanted - {"collection_dates"}))
        return check

    return register


def frame_rule(
    dataset: str,
    code: str,
    table: str,
    frame: FrameSource,
    fields: tuple[str, ...] | None = None,
    needs: Iterable[str] | None = None,
    source: object = None,
    severity: str | None = None,
    reads: Iterable[str] = (),
) -> Callable[[Condition], Condition]:
    """A rule that is one boolean expression over a named frame of `table`'s rows (true where a row fails).

    `frame` gives the rows, possibly with helper columns (previous episode, date of birth) joined on; it is built
    once per validation and shared by every rule of the same `source` (default: the `frame` function). A condition
    that comes out null (an ordering comparison with a blank date) counts as not applicable: the row passes. What a
    blank means for codes and for "completed" is written in the condition with the helpers of validate/blanks.py.
    """

    def register(condition: Condition) -> Condition:
        check = condition_check(table, frame, condition, fields, source, once=True)
        rule(dataset, code, needs, severity, reads=reads)(check)
        return condition

    return register


# What a DfE rule's condition may read of the context and still be built once per process for the year: an
# expression is never changed once built, and most conditions depend on nothing but the collection dates.
YEAR_ONLY = frozenset({"dataset", "year", "start", "end"})
_BUILT: dict[tuple[Condition, str, CollectionYear], pl.Expr | None] = {}  # None: it reads more (built every time)


class _Watched:
    """The context as a condition sees it while it is built the first time: notes whether it read anything beyond
    YEAR_ONLY (a table, last year's return, the authority, a shared frame), which it then reads from `ctx`."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.read_more = False

    def __getattr__(self, name: str) -> Any:
        if name not in YEAR_ONLY:
            self.read_more = True
        return getattr(self.ctx, name)


def built_once(condition: Condition, ctx: Context) -> pl.Expr:
    """`condition(ctx)` with nulls as passing, built once per process and year when it reads only the year: a store's
    worker validates return after return (~16 ms of each 1,000-child SSDA903 return's validation)."""
    key = (condition, ctx.dataset.name, ctx.year)
    if key in _BUILT:
        found = _BUILT[key]
        return found if found is not None else condition(ctx).fill_null(False)
    watched = _Watched(ctx)
    built = condition(cast(Context, watched)).fill_null(False)
    _BUILT[key] = None if watched.read_more else built
    return built


def condition_check(
    table: str,
    frame: FrameSource,
    condition: Condition,
    fields: tuple[str, ...] | None,
    source: object = None,
    once: bool = False,
) -> Check:
    """The check of a condition rule: the condition over the frame, which is built once per validation for every
    rule naming the same `source` (default: the `frame` function). `once` (the DfE rules): a condition that reads
    only the collection year is built once per process and year (`built_once`); a pack's is built every time."""
    name = ("frame", frame if source is None else source)

    def check(ctx: Context) -> Iterable[Failures]:
        expression = built_once(condition, ctx) if once else condition(ctx).fill_null(False)
        yield Failures(table, Where(name, ctx.shared(name, frame), expression), fields)

    check.__module__, check.__doc__ = condition.__module__, condition.__doc__
    return check


def _whole_table(name: str) -> FrameSource:
    return lambda ctx: ctx.table(name)


def table_rule(
    dataset: str,
    code: str,
    table: str,
    needs: Iterable[str] | None = None,
    fields: tuple[str, ...] | None = None,
    severity: str | None = None,
    reads: Iterable[str] = (),
) -> Callable[[Condition], Condition]:
    """A rule that is one boolean expression over one table: true where a row fails."""
    whole = _whole_table(table)
    return frame_rule(
        dataset, code, table, whole, fields, needs, source=("table", table), severity=severity, reads=reads
    )
