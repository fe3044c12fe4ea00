"""Running a rule pack over a return: the error table and an outcome for every rule of the year."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import polars as pl

from csctools.io.result import ReturnData
from csctools.model import RAW_SUFFIX, SOURCE_FILE, SOURCE_ROW, Dataset
from csctools.reference.authorities import Authority
from csctools.validate.accepted import split_accepted
from csctools.validate.catalogue import ERROR, catalogue
from csctools.validate.context import Context, collect, collect_all
from csctools.validate.registry import BUILTIN, Failures, PackUsed, Registry, Rule
from csctools.validate.written import label_derived, written_expr
from csctools.years import CollectionYear

# Outcome of each rule: every rule of the year gets exactly one. An error rule with failures "failed"; a query
# rule with failures "raised queries" (a query asks the authority to check, it does not fail the return).
PASSED, FAILED, QUERIED, NOT_RUN, COULD_NOT_RUN, NOT_IMPLEMENTED = (
    "passed",
    "failed",
    "raised queries",
    "not run",
    "could not run",
    "not implemented",
)
SWITCHED_OFF = "switched off"  # by a settings file, --only or --skip (the reason says which)
ACCEPTED = "accepted"  # it failed, and every failing cell is an accepted query (listed apart in the reports)
NEED_WORDS = {
    "prev_year": "last year's return (--previous)",
    "la_code": "the authority's code (--la)",
    "ofsted_provider_lists": "the Ofsted provider list (--providers)",
    "postcode_derived": "placement postcode look-ups",
}
ERROR_COLUMNS = {
    "rule_code": pl.String,
    "severity": pl.String,
    "table": pl.String,
    "row_number": pl.Int64,
    "child_id": pl.String,
    "field": pl.String,
    "value": pl.String,
    "message": pl.String,
    "source_file": pl.String,
}


# A failure is one rule on one record: one row of a table (or the child, or the return, where the rule points at
# no row), as the DfE portal counts. The error table has a row per failing cell of it: that is detail.
FAILURE_KEY = ("rule_code", "table", "source_file", "row_number", "child_id")


class Outcome(NamedTuple):
    code: str
    status: str
    failures: int = 0  # records that break the rule (see FAILURE_KEY)
    reason: str = ""
    message: str = ""
    severity: str = ERROR
    cells: int = 0  # rows of the error table: the cells those failures point at
    accepted: int = 0  # cells of accepted queries (not in `failures`)
    pack: str = ""  # "" for the built-in DfE rules


class Tally(NamedTuple):
    """What every report's headline says: errors and queries counted as failures, and the children affected."""

    errors: int
    queries: int
    children: int  # children with an error or a query
    children_with_errors: int


def failures_of(errors: pl.DataFrame) -> pl.DataFrame:
    """One row per failure (the first cell of each), from the error table's one row per cell."""
    return errors.unique(subset=list(FAILURE_KEY), keep="first", maintain_order=True)


def tally(errors: pl.DataFrame) -> Tally:
    failures = failures_of(errors)
    is_error = pl.col("severity") == ERROR
    counted = failures.select(
        is_error.sum().alias("errors"),
        (~is_error).sum().alias("queries"),
        pl.col("child_id").drop_nulls().n_unique().alias("children"),
        pl.col("child_id").filter(is_error).drop_nulls().n_unique().alias("children_with_errors"),
    )
    return Tally(*(int(value or 0) for value in counted.row(0)))


def headline(counts: Tally) -> str:
    """'3 errors and 2 queries in 4 children'; a return with only queries says so."""
    if not counts.errors and not counts.queries:
        return "no errors and no queries"
    children = f"{counts.children:,} {'child' if counts.children == 1 else 'children'}"
    queries = f"{counts.queries:,} {'query' if counts.queries == 1 else 'queries'}"
    if not counts.errors:
        return f"no errors, only queries: {queries} in {children}"
    errors = f"{counts.errors:,} {'error' if counts.errors == 1 else 'errors'}"
    return f"{errors} and {queries if counts.queries else 'no queries'} in {children}"


@dataclass
class ValidationResult:
    dataset: str
    year: CollectionYear
    authority: Authority | None
    errors: pl.DataFrame  # outstanding failures
    outcomes: list[Outcome] = field(default_factory=list)
    absent_tables: tuple[str, ...] = ()  # tables of the year the return did not include
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)  # the tables validated, derived columns included

    def tally(self) -> Tally:
        return tally(self.errors)

    accepted: pl.DataFrame | None = None  # failures a settings file accepts, with reason, by whom and when
    packs: list[PackUsed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        """Errors (failures of error rules, one per rule and record): the exit code follows it."""
        return self.tally().errors

    @property
    def query_count(self) -> int:
        return self.tally().queries

    def headline(self) -> str:
        return headline(self.tally())

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for outcome in self.outcomes:
            totals[outcome.status] = totals.get(outcome.status, 0) + 1
        return totals


def failure_rows(rule: Rule, failures: Failures, child_key: str) -> pl.DataFrame | None:
    """One row per (failing row, field) with the value as written; None when no row fails."""
    rows = collect(failures.rows) if isinstance(failures.rows, pl.LazyFrame) else failures.rows
    if rows.is_empty():
        return None
    fields = failures.fields or tuple(f for f in rule.info.fields if f in rows.columns) or (child_key,)
    parts = []
    for name in fields:
        if name not in rows.columns:
            continue
        value = written_expr(name, rows.schema[name], rule.dataset)  # as the user's file writes it
        if name + RAW_SUFFIX in rows.columns:
            value = pl.coalesce(pl.col(name + RAW_SUFFIX), value)
        parts.append(
            rows.select(
                pl.lit(rule.code).alias("rule_code"),
                pl.lit(rule.info.severity).alias("severity"),
                pl.lit(failures.table).alias("table"),
                (pl.col(SOURCE_ROW) if SOURCE_ROW in rows.columns else pl.lit(None, pl.Int64)).alias("row_number"),
                (pl.col(child_key).cast(pl.String) if child_key in rows.columns else pl.lit(None, pl.String)).alias(
                    "child_id"
                ),
                pl.lit(name).alias("field"),
                value.alias("value"),
                pl.lit(rule.info.message).alias("message"),
                (pl.col(SOURCE_FILE) if SOURCE_FILE in rows.columns else pl.lit(None, pl.String)).alias("source_file"),
            )
        )
    return pl.concat(parts) if parts else None


Found = list[pl.DataFrame] | Exception  # a rule's error rows, or why it could not run


def _checked(rule: Rule, context: Context) -> list[Failures] | Exception:
    try:
        return list(rule.check(context))
    except Exception as error:  # a broken rule is reported, never counted as passed
        return error


def _error_rows(rule: Rule, failures: list[Failures], done: dict[int, pl.DataFrame], child_key: str) -> Found:
    """The rule's error table rows; `done` holds the collected rows of the failures it handed back as plans."""
    try:
        eager = [Failures(f.table, done[i], f.fields) if i in done else f for i, f in enumerate(failures)]
        return [rows for f in eager if (rows := failure_rows(rule, f, child_key)) is not None]
    except Exception as error:
        return error


def _run_one(rule: Rule, context: Context, child_key: str) -> Found:
    checked = _checked(rule, context)
    if isinstance(checked, Exception):
        return checked
    try:
        done = {i: collect(f.rows) for i, f in enumerate(checked) if isinstance(f.rows, pl.LazyFrame)}
    except Exception as error:
        return error
    return _error_rows(rule, checked, done, child_key)


def _run_alone(
    rules: list[Rule], context: Context, child_key: str, progress: Callable[[int], None] | None = None
) -> dict[str, Found]:
    """Rules with code of their own. Failures a rule hands back as query plans (lazy rows) are collected for all
    these rules in one call, which costs far less than one query each; if that call fails, each plan is collected
    alone, so only the rule whose plan is broken is reported as "could not run"."""
    checked: dict[str, list[Failures] | Exception] = {}
    for rule in rules:
        checked[rule.code] = _checked(rule, context)
        if progress:
            progress(1)
    plans = [
        (code, i, f.rows)
        for code, found in checked.items()
        if not isinstance(found, Exception)
        for i, f in enumerate(found)
        if isinstance(f.rows, pl.LazyFrame)
    ]
    done: dict[str, dict[int, pl.DataFrame]] = {code: {} for code in checked}
    try:
        for (code, i, _plan), frame in zip(plans, collect_all([plan for *_, plan in plans]), strict=True):
            done[code][i] = frame
    except Exception:
        for code, i, plan in plans:
            if isinstance(checked[code], Exception):
                continue
            try:
                done[code][i] = collect(plan)
            except Exception as error:
                checked[code] = error
    by_code = {rule.code: rule for rule in rules}
    return {
        code: found if isinstance(found, Exception) else _error_rows(by_code[code], found, done[code], child_key)
        for code, found in checked.items()
    }


def _run_sharing_a_frame(rules: list[Rule], context: Context, child_key: str) -> dict[str, Found]:
    """Rules that are each one condition over the same frame: the frame is built once and every condition is
    evaluated in one query. If that query fails, each rule runs on its own, so only a broken one is reported."""
    shared = rules[0].row_condition
    assert shared is not None
    try:
        frame = shared.frame(context)
    except Exception as error:
        return {rule.code: error for rule in rules}
    found: dict[str, Found] = {}
    conditions: dict[str, pl.Expr] = {}
    for rule in rules:
        assert rule.row_condition is not None
        try:
            conditions[rule.code] = rule.row_condition.condition(context).fill_null(False).alias(rule.code)
        except Exception as error:
            found[rule.code] = error
    try:
        masks = frame.select(list(conditions.values()))  # eager: the in-memory engine suits small frames
        if masks.height != frame.height or any(t != pl.Boolean for t in masks.dtypes):
            raise ValueError("a condition is not one true/false value per row")
    except Exception:
        return found | {rule.code: _run_one(rule, context, child_key) for rule in rules if rule.code in conditions}
    for rule in rules:
        if rule.code not in conditions:
            continue
        assert rule.row_condition is not None
        mask = masks[rule.code]
        if not mask.any():
            found[rule.code] = []
            continue
        failures = Failures(rule.row_condition.table, frame.filter(mask), rule.row_condition.fields)
        rows = failure_rows(rule, failures, child_key)
        found[rule.code] = [rows] if rows is not None else []
    return found


def validate(
    data: ReturnData,
    dataset: Dataset,
    year: CollectionYear,
    child_key: str,
    authority: Authority | None = None,
    previous: ReturnData | None = None,
    providers: pl.DataFrame | None = None,
    registry: Registry | None = None,
    progress: Callable[[int, int], None] | None = None,
    derived: frozenset[str] = frozenset(),
) -> ValidationResult:
    """Run every rule of the year; rules whose inputs are missing are 'not run', a rule that fails 'could not run'."""
    registry = registry if registry is not None else BUILTIN
    context = Context(dataset, year, data.tables, previous.tables if previous else None, authority, providers)
    available: set[str] = set(derived)  # inputs the rule pack derived itself (placement postcode look-ups)
    if previous is not None:
        available.add("prev_year")
    if authority is not None:
        available.add("la_code")
    if providers is not None:
        available.add("ofsted_provider_lists")
    absent = set(data.absent_tables)
    rules = registry.rules(dataset.name, year)
    outcomes: list[Outcome] = []
    sharing: dict[object, list[Rule]] = {}
    alone: list[Rule] = []
    for rule in rules:
        info = rule.info
        missing = [f"the {t} table" for t in info.tables if t in absent]
        missing += [NEED_WORDS.get(m, m) for m in sorted(rule.needs - available)]
        if missing:
            reason = "needs " + " and ".join(missing)
            outcomes.append(
                Outcome(rule.code, NOT_RUN, reason=reason, message=info.message, severity=info.severity, pack=rule.pack)
            )
        elif rule.row_condition is not None:
            sharing.setdefault(rule.row_condition.source, []).append(rule)
        else:
            alone.append(rule)
    to_run = len(alone) + sum(len(group) for group in sharing.values())
    results: dict[str, Found] = {}
    for group in sharing.values():
        results.update(_run_sharing_a_frame(group, context, child_key))
        if progress:
            progress(len(results), to_run)
    finished = len(results)

    def one_more(count: int) -> None:
        nonlocal finished
        finished += count
        if progress:
            progress(finished, to_run)

    results.update(_run_alone(alone, context, child_key, one_more))
    parts: list[pl.DataFrame] = []
    for rule in rules:
        info, found = rule.info, results.get(rule.code)
        if found is None:
            continue
        if isinstance(found, Exception):
            reason = f"{type(found).__name__}: {found}"
            outcomes.append(
                Outcome(
                    rule.code,
                    COULD_NOT_RUN,
                    reason=reason,
                    message=info.message,
                    severity=info.severity,
                    pack=rule.pack,
                )
            )
            continue
        parts.extend(found)
        cells = sum(frame.height for frame in found)
        failures = failures_of(pl.concat(found)).height if cells else 0
        status = PASSED if not failures else FAILED if info.severity == ERROR else QUERIED
        outcomes.append(Outcome(rule.code, status, failures, "", info.message, info.severity, cells, pack=rule.pack))
    implemented = {r.code for r in rules}
    for code, info in catalogue(dataset.name).items():
        if year.end in info.years and code not in implemented and code not in registry.left_out:
            outcomes.append(Outcome(code, NOT_IMPLEMENTED, message=info.message, severity=info.severity))
    for code, why in registry.left_out.items():
        left = registry.left_out_rules.get(code)
        about = left.info if left is not None else catalogue(dataset.name).get(code)
        message, severity = (about.message, about.severity) if about is not None else ("", ERROR)
        pack = left.pack if left is not None else ""
        outcomes.append(Outcome(code, SWITCHED_OFF, reason=why, message=message, severity=severity, pack=pack))
    errors = pl.concat(parts) if parts else pl.DataFrame(schema=ERROR_COLUMNS)
    errors = label_derived(
        errors.sort("table", "row_number", "rule_code", "field", nulls_last=True), data.tables, dataset.name
    )
    errors, accepted, used = split_accepted(errors, registry.accepted)
    outcomes = _with_accepted(outcomes, accepted)
    notes = list(registry.notes)
    notes += [
        f"{a.where}: accepted query {a.rule} for child {a.child} no longer fails"
        for i, a in enumerate(registry.accepted)
        if i not in used
    ]
    ordered = sorted(outcomes, key=lambda o: o.code)
    return ValidationResult(
        dataset.name,
        year,
        authority,
        errors,
        ordered,
        tuple(sorted(absent)),
        data.tables,
        accepted=accepted,
        packs=list(registry.packs),
        notes=notes,
    )


def _with_accepted(outcomes: list[Outcome], accepted: pl.DataFrame) -> list[Outcome]:
    """Failures of accepted queries move from `failures` (and their cells from `cells`) to `accepted`; a rule all of
    whose failures are accepted is ACCEPTED (listed apart in every report, never hidden)."""
    if accepted.is_empty():
        return outcomes
    records = dict(failures_of(accepted).group_by("rule_code").len().iter_rows())
    cells = dict(accepted.group_by("rule_code").len().iter_rows())
    changed = []
    for outcome in outcomes:
        taken = int(records.get(outcome.code, 0))
        if taken:
            left = outcome.failures - taken
            status = ACCEPTED if not left else FAILED if outcome.severity == ERROR else QUERIED
            outcome = outcome._replace(
                failures=left, cells=outcome.cells - int(cells.get(outcome.code, 0)), accepted=taken, status=status
            )
        changed.append(outcome)
    return changed
