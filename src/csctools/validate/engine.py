"""Running a rule pack over a return: the error table and an outcome for every rule of the year."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import polars as pl

from csctools.io.result import ReturnData
from csctools.model import RAW_SUFFIX, SOURCE_FILE, SOURCE_ROW, Dataset
from csctools.reference.authorities import Authority
from csctools.validate.accepted import split_accepted
from csctools.validate.catalogue import ERROR, catalogue
from csctools.validate.context import Context, collect_all
from csctools.validate.gaps import Gap, gaps_of, needed_column, without_gaps
from csctools.validate.last_year_values import label_last_year
from csctools.validate.registry import BUILTIN, Failures, PackUsed, Registry, Rule, Where
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
    pack_guidance: str = ""  # a pack rule's own guidance ("" for the DfE rules: see validate/guidance.py)


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
    """'3 errors and 2 queries in 4 children (2 with errors)'; a return with only queries says so."""
    if not counts.errors and not counts.queries:
        return "no errors and no queries"
    children = f"{counts.children:,} {'child' if counts.children == 1 else 'children'}"
    queries = f"{counts.queries:,} {'query' if counts.queries == 1 else 'queries'}"
    if not counts.errors:
        return f"no errors, only queries: {queries} in {children}"
    errors = f"{counts.errors:,} {'error' if counts.errors == 1 else 'errors'}"
    if counts.queries and counts.children_with_errors < counts.children:  # the children to fix first
        children += f" ({counts.children_with_errors:,} with errors)"
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

    accepted: pl.DataFrame | None = None  # failures a settings file accepts, with reason, by whom and when
    packs: list[PackUsed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # the tally of `errors`, counted once: at national size each count is 1.5 s of CPU, and the command, the
    # headline, the exit code and every report ask for it (a new error table is counted afresh)
    _counted: tuple[pl.DataFrame, Tally] | None = field(default=None, init=False, repr=False, compare=False)

    def tally(self) -> Tally:
        if self._counted is None or self._counted[0] is not self.errors:
            self._counted = (self.errors, tally(self.errors))
        return self._counted[1]

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


def failure_rows(
    rule: Rule, table: str, rows: pl.DataFrame, fields: tuple[str, ...] | None, child_key: str
) -> pl.DataFrame | None:
    """One row per (failing row, field) with the value as written; None when no row fails."""
    if rows.is_empty():
        return None
    fields = fields or tuple(f for f in rule.info.fields if f in rows.columns) or (child_key,)
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
                pl.lit(table).alias("table"),
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


def _handed_back(rule: Rule, context: Context) -> list[Failures] | Exception:
    try:
        return list(rule.check(context))
    except Exception as error:  # a broken rule is reported, never counted as passed
        return error


def _collected(handed: dict[str, list[Failures] | Exception]) -> dict[str, list[pl.DataFrame] | Exception]:
    """Every rule's failing rows, all collected in one call, which costs far less than one call each. If that call
    fails, each rule's are collected alone (the one fallback), so only a broken rule is "could not run"."""
    ready = {code: found for code, found in handed.items() if not isinstance(found, Exception)}
    try:
        together: dict[str, list[pl.DataFrame] | Exception] = dict(_collect(ready, together=True))
    except Exception:
        together = {}
        for code, found in ready.items():
            try:
                together[code] = _collect({code: found}, together=False)[code]
            except Exception as error:
                together[code] = error
    return {code: found if isinstance(found, Exception) else together[code] for code, found in handed.items()}


def _collect(handed: dict[str, list[Failures]], together: bool) -> dict[str, list[pl.DataFrame]]:
    """The failing rows of each `Failures`, in one collect: a plan as it is; conditions over one named frame, when
    `together`, as one query of all their true/false columns (alone: the frame filtered by the condition)."""
    plans: list[pl.LazyFrame] = []
    masks: dict[Hashable, tuple[int, list[pl.Expr]]] = {}  # frame name -> its query's place in `plans`, conditions
    places: list[tuple[int, int | None]] = []  # for each Failures: its plan, and its column in a query of masks
    for found in handed.values():
        for failures in found:
            where = failures.rows
            if isinstance(where, pl.LazyFrame):
                places.append((len(plans), None))
                plans.append(where)
            elif not together:
                places.append((len(plans), None))
                plans.append(where.frame.lazy().filter(where.condition))
            else:
                if where.name not in masks:
                    masks[where.name] = (len(plans), [])
                    plans.append(where.frame.lazy())  # replaced below by the query of every condition on it
                place, conditions = masks[where.name]
                places.append((place, len(conditions)))
                conditions.append(where.condition.alias(str(len(conditions))))
    for place, conditions in masks.values():
        plans[place] = plans[place].select(conditions)
    frames = collect_all(plans)
    rows: dict[str, list[pl.DataFrame]] = {}
    nothing: dict[Hashable, pl.DataFrame] = {}  # each named frame with no rows, made once for the rules it passes
    spots = iter(places)
    for code, found in handed.items():
        rows[code] = []
        for failures in found:
            place, column = next(spots)
            if column is None:
                rows[code].append(frames[place])
                continue
            where = failures.rows
            assert isinstance(where, Where)
            mask = frames[place].to_series(column)
            if mask.dtype != pl.Boolean or mask.len() != where.frame.height:
                raise ValueError("a condition is not one true/false value per row")
            if mask.any():
                rows[code].append(where.frame.filter(mask))
                continue
            if where.name not in nothing:
                nothing[where.name] = where.frame.clear()
            rows[code].append(nothing[where.name])
    return rows


def rows_of(failures: list[Failures]) -> list[pl.DataFrame]:
    """The failing rows of one rule's `Failures`, collected alone (as the fallback does): for checks and benchmarks."""
    return _collect({"": failures}, together=False)[""]


def _error_rows(rule: Rule, failures: list[Failures], frames: list[pl.DataFrame], child_key: str) -> Found:
    try:
        found = (
            failure_rows(rule, f.table, rows, f.fields, child_key) for f, rows in zip(failures, frames, strict=True)
        )
        return [rows for rows in found if rows is not None]
    except Exception as error:
        return error


def _resolved(found: list[Failures] | Exception) -> list[Failures] | Exception:
    """The rule's plans if polars can resolve their columns (no data is read), else why not: with columns missing,
    a rule that reads one is found here rather than by failing the one collect of every rule."""
    if isinstance(found, Exception):
        return found
    try:
        for failures in found:
            where = failures.rows
            plan = where if isinstance(where, pl.LazyFrame) else where.frame.lazy().select(where.condition)
            plan.collect_schema()
    except Exception as error:
        return error
    return found


def _run(
    rules: list[Rule],
    context: Context,
    child_key: str,
    progress: Callable[[int, int], None] | None,
    gaps: list[Gap] | None = None,
) -> dict[str, Found]:
    """Each rule hands back plans of its failing rows; they are collected together, then made error rows."""
    handed: dict[str, list[Failures] | Exception] = {}
    for rule in rules:
        handed[rule.code] = _handed_back(rule, context)
        if gaps:
            handed[rule.code] = _resolved(handed[rule.code])
        if progress:
            progress(len(handed), len(rules))
    collected = _collected(handed)
    results: dict[str, Found] = {}
    for rule in rules:
        found, frames = handed[rule.code], collected[rule.code]
        if isinstance(found, Exception) or isinstance(frames, Exception):
            results[rule.code] = found if isinstance(found, Exception) else frames
        else:
            results[rule.code] = _error_rows(rule, found, frames, child_key)
    return results


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
    derived_from: Mapping[str, tuple[str, ...]] | None = None,
) -> ValidationResult:
    """Run every rule of the year; rules whose inputs are missing are 'not run', a rule that fails 'could not run'.
    Columns the files lack are left out of what the rules see (`derived_from`: derived column -> the columns it
    is worked out from): a rule that reads one is 'not run: needs column X' (validate/gaps.py)."""
    registry = registry if registry is not None else BUILTIN
    gaps, sources = gaps_of(data, previous), derived_from or {}
    tables = without_gaps(data.tables, gaps, False, sources) if gaps else data.tables
    last = previous.tables if previous else None
    if gaps and last is not None:
        last = without_gaps(last, gaps, True, sources)
    context = Context(dataset, year, tables, last, authority, providers)
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
    to_run: list[Rule] = []
    for rule in rules:
        info = rule.info
        missing = [f"the {t} table" for t in info.tables if t in absent]
        missing += [NEED_WORDS.get(m, m) for m in sorted(rule.needs - available)]
        if missing:
            reason = "needs " + " and ".join(missing)
            outcomes.append(
                Outcome(
                    rule.code,
                    NOT_RUN,
                    reason=reason,
                    message=info.message,
                    severity=info.severity,
                    pack=rule.pack,
                    pack_guidance=rule.guidance,
                )
            )
        else:
            to_run.append(rule)
    results = _run(to_run, context, child_key, progress, gaps)
    parts: list[pl.DataFrame] = []
    for rule in rules:
        info, found = rule.info, results.get(rule.code)
        if found is None:
            continue
        if isinstance(found, Exception):
            needs = needed_column(found, gaps, sources) if gaps else None
            reason = needs or f"{type(found).__name__}: {found}"
            outcomes.append(
                Outcome(
                    rule.code,
                    NOT_RUN if needs else COULD_NOT_RUN,
                    reason=reason,
                    message=info.message,
                    severity=info.severity,
                    pack=rule.pack,
                    pack_guidance=rule.guidance,
                )
            )
            continue
        parts.extend(found)
        cells = sum(frame.height for frame in found)
        failures = failures_of(pl.concat(found)).height if cells else 0
        status = PASSED if not failures else FAILED if info.severity == ERROR else QUERIED
        outcomes.append(
            Outcome(rule.code, status, failures, "", info.message, info.severity, cells, 0, rule.pack, rule.guidance)
        )
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
    errors = label_last_year(errors, previous.tables if previous else None, dataset.name)
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
