"""What the local web page works on: uploaded files in a private temporary folder, one validation at a time.

No HTTP here: the server (server.py) turns requests into calls on a `Workspace`. Uploads are read by the readers
in a separate process (isolation.py), so a file that crashes a reader costs only that file.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from csctools.inputs import InputError, check_previous, check_supported_year
from csctools.io.detect import PROVIDERS
from csctools.io.result import FileReport, Problem, ReadError, ReturnData, Severity
from csctools.read import read_files
from csctools.reference.authorities import Authority, find_authority
from csctools.reference.providers import read_providers
from csctools.validate.accepted import ACCEPTED_COLUMNS
from csctools.validate.engine import (
    COULD_NOT_RUN,
    NEED_WORDS,
    NOT_IMPLEMENTED,
    NOT_RUN,
    ValidationResult,
    failures_of,
)
from csctools.validate.export import CSV_COLUMNS, FORMATS, accepted_rows, summary, write_report
from csctools.validate.guidance import guidance_of
from csctools.validate.registry import Registry
from csctools.validate.run import DATASETS, authority_in_return, validate_return
from csctools.validate.since import Changes, changes
from csctools.validate.suggest import suggest
from csctools.validate.worklist import code_order, ordered_codes
from csctools.web.edits import Edit, EditRefused, corrected_zip, edit_csv, make_edit, what_it_holds
from csctools.web.folders import OwnedFolder, private_folder, write_private
from csctools.web.history import child_history
from csctools.web.isolation import IsolatedReader, ReaderFailed
from csctools.web.rule_choices import ChoiceError, describe_pack, load_packs, registry_for, settings_file
from csctools.web.rule_choices import accept as accept_query
from csctools.web.rule_choices import switch_off as switch_rule_off
from csctools.years import CollectionYear

ROLES = ("current", "previous")
ROLE_WORDS = {"current": "this year", "previous": "last year"}
MAX_FILE_BYTES = 300 * 1024 * 1024
DATASET_NAMES = {"ssda903": "SSDA903", "cin": "CIN census", "annex_a": "Annex A", PROVIDERS: "Ofsted provider list"}
log = logging.getLogger("csctools.web")


class UserError(Exception):
    """A problem with what the user gave: shown on the page as it is."""


@dataclass
class Job:
    state: str = "idle"  # idle, running, done, failed
    done: int = 0
    total: int = 0
    message: str = ""


@dataclass
class Outcome:
    result: ValidationResult
    data: ReturnData
    previous: ReturnData | None = None
    since: Changes | None = None  # against the run before, on this page
    settings: Path | None = None  # the settings file the run used (switching off and accepting write to it)
    providers: pl.DataFrame | None = None  # the Ofsted provider list the run used (its reports suggest from it)


Reads = tuple[list[ReturnData], list[FileReport]]


class Workspace:
    """Uploads live in `root` (made by mkdtemp, 0700, locked while this server runs), in a folder per "Clear my
    data": clearing swaps in a new empty folder, and a validation still running then is thrown away on finishing."""

    def __init__(
        self, reader: IsolatedReader | None = None, temp_dir: Path | None = None, settings: Path | None = None
    ) -> None:
        self.settings = settings  # the settings file given to `csc serve`; None: the authority's default
        self.owned = OwnedFolder.create(temp_dir)
        self.root = self.owned.path
        self.reader = reader or IsolatedReader(preload=("csctools.read", "csctools.reference.providers"))
        self.job = Job()
        self.outcome: Outcome | None = None
        self.lock = threading.Lock()
        self.reads: dict[tuple[object, ...], Reads] = {}
        self.generation = 0
        self.data = private_folder(self.root, "data-")
        self.folders: dict[str, Path] = {}
        self._start_afresh()

    def _start_afresh(self) -> None:
        """No edits, no originals kept, no run to compare with (at start and after "Clear my data")."""
        self.originals: dict[tuple[str, str], Path] = {}  # (role, name) -> the file as first uploaded
        self.replaces: dict[tuple[str, str], str] = {}  # (role, name) -> the uploaded file it replaced
        self.edits: list[Edit] = []
        self.last_errors: pl.DataFrame | None = None  # the outstanding failures of the last finished run

    def folder(self, role: str) -> Path:
        if role not in ROLES:
            raise UserError(f"unknown file role '{role}' (use {' or '.join(ROLES)})")
        if role not in self.folders:
            self.folders[role] = private_folder(self.data, f"{role}-")
        return self.folders[role]

    def add_file(self, role: str, name: str, content: bytes) -> dict[str, object]:
        """Keep an uploaded file and say what it is."""
        clean = safe_name(name) or "upload"
        if self.job.state == "running":
            raise UserError(f"{clean}: wait for the validation to finish before adding files")
        if len(content) > MAX_FILE_BYTES:
            raise UserError(f"{clean}: the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        if not content:
            raise UserError(f"{clean}: the file is empty")
        with self.lock:  # not into a folder that "Clear my data" is removing
            replaced = self._replaced_by(role, clean, content)
            if replaced is not None:
                self._keep_original(role, replaced, clean)
            write_private(self.folder(role) / clean, content)
            self.outcome = None
        self.reader.start()  # the reader gets ready while the other files arrive
        return {"role": role, "name": clean, "replaces": replaced}

    def _replaced_by(self, role: str, name: str, content: bytes) -> str | None:
        """The uploaded file a new one replaces: one of the same name, or holding the same table (or the same
        return in XML)."""
        if (self.folder(role) / name).exists():
            return name
        holds = what_it_holds(name, content)
        if holds is None:
            return None
        for path in self.paths(role):
            with path.open("rb") as handle:
                if what_it_holds(path.name, handle.read(20000)) == holds:
                    return path.name
        return None

    def _keep_original(self, role: str, name: str, new_name: str | None = None) -> None:
        """Keep the file as first uploaded (once) before it is edited or replaced; `new_name` replaces it."""
        key = (role, name)
        if key not in self.originals:
            self.originals[key] = private_folder(self.data, "original-") / name
            shutil.copyfile(self.folder(role) / name, self.originals[key])
        if new_name is not None and new_name != name:
            self.originals[(role, new_name)] = self.originals.pop(key)
            self.replaces[(role, new_name)] = self.replaces.pop(key, name)
            (self.folder(role) / name).unlink()

    def edit(self, role: str, name: str, row: int, column: str, shown: str | None, value: str) -> dict[str, object]:
        """Change one cell of an uploaded CSV table (the original is kept) and log who, when, old and new."""
        clean = safe_name(name)
        if self.job.state == "running":
            raise UserError("wait for the validation to finish before editing")
        with self.lock:
            path = self.folder(role) / clean
            if not clean or not path.is_file():
                raise UserError(f"{name}: no such uploaded file ({ROLE_WORDS.get(role, role)})")
            had_original = (role, clean) in self.originals
            self._keep_original(role, clean)
            try:
                old, new = edit_csv(path, row, column, shown, value)
            except EditRefused as error:
                if not had_original:
                    self.originals.pop((role, clean)).unlink()
                raise UserError(str(error)) from error
            entry = make_edit(clean, row, column, old, new)
            self.edits.append(entry)
            self.reads = {k: v for k, v in self.reads.items() if k[0] != role}  # read again, whatever the clock says
        return {"file": clean, "row": row, "column": column, "old": old, "new": new, "edits": len(self.edits)}

    def corrected(self) -> bytes:
        """The corrected files (edited or replaced, as they are now) and the log of edits, as a zip."""
        with self.lock:
            files: dict[str, bytes] = {}
            for role, name in self.originals:
                path = self.folder(role) / name
                if self._corrected(role, name):
                    files[name if role == "current" else f"last-year/{name}"] = path.read_bytes()
            if not files:
                raise UserError("nothing has been corrected yet: edit a value or drop a corrected file")
            return corrected_zip(files, self.edits)

    def corrections(self) -> dict[str, object]:
        """What the page says about the corrections: files changed, what each replaced, and the edits."""
        changed = [
            {"role": role, "name": name, "replaces": self.replaces.get((role, name))}
            for role, name in self.originals
            if self._corrected(role, name)
        ]
        return {"files": changed, "edits": [vars(edit) for edit in self.edits]}

    def _corrected(self, role: str, name: str) -> bool:
        """The file differs from the one first uploaded (a file dropped again unchanged is no correction)."""
        path, original = self.folder(role) / name, self.originals[(role, name)]
        if not path.is_file():
            return False
        if self.replaces.get((role, name), name) != name or not original.is_file():
            return True
        return path.stat().st_size != original.stat().st_size or path.read_bytes() != original.read_bytes()

    def remove_file(self, role: str, name: str) -> None:
        if self.job.state == "running":
            raise UserError("wait for the validation to finish before removing files")
        clean = safe_name(name)
        with self.lock:
            if clean:
                (self.folder(role) / clean).unlink(missing_ok=True)
                self.replaces.pop((role, clean), None)
                original = self.originals.pop((role, clean), None)
                if original is not None:
                    original.unlink(missing_ok=True)
            self.outcome = None

    def clear(self) -> None:
        """Forget every file and result ('clear my data'), including those of a validation still running."""
        with self.lock:
            self.generation += 1
            old, self.data, self.folders = self.data, private_folder(self.root, "data-"), {}
            shutil.rmtree(old, ignore_errors=True)
            self.reads = {}
            self.outcome = None
            self.job = Job()
            self._start_afresh()

    def close(self) -> None:
        self.reader.close()
        self.owned.remove()

    def paths(self, role: str) -> list[Path]:
        return sorted(p for p in self.folder(role).iterdir() if p.is_file())

    def describe(self) -> list[dict[str, object]]:
        """Every uploaded file: which return and year it holds, its tables and rows, its problems."""
        with self.lock:
            return self._describe()

    def _describe(self) -> list[dict[str, object]]:
        described: list[dict[str, object]] = []
        for role in ROLES:
            returns, others = self._read(role)
            named = {f.path: authority_in_return(r) for r in returns for f in r.files}
            reports = sorted([f for r in returns for f in r.files] + others, key=lambda f: f.path)
            described.extend(self._describe_file(role, report, named.get(report.path)) for report in reports)
        return described

    def _read(self, role: str, year: CollectionYear | None = None) -> tuple[list[ReturnData], list[FileReport]]:
        """The files of one role, read once per set of files (reading is the slow part); describing and
        validating share it."""
        paths = self.paths(role)
        key = (role, year, tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in paths))
        if key not in self.reads:
            self.reads = {k: v for k, v in self.reads.items() if k[0] != role}
            self.reads[key] = self._read_isolated(paths, year)
        return self.reads[key]

    def _read_isolated(self, paths: list[Path], year: CollectionYear | None) -> Reads:
        """Read in the worker process; if it fails, read each file alone to find which one(s) it cannot read, and
        read the others together again."""
        if not paths:
            return [], []
        try:
            return self.reader.run(read_files, paths, year)
        except ReaderFailed:
            pass
        failed: list[FileReport] = []
        alone: dict[Path, Reads] = {}
        for path in paths:
            try:
                alone[path] = self.reader.run(read_files, [path], year)
            except ReaderFailed as error:
                failed.append(FileReport(str(path), problems=[crashed_problem(str(path), error)]))
        readable = list(alone)
        if len(readable) <= 1:
            returns, others = alone[readable[0]] if readable else ([], [])
            return returns, others + failed
        try:  # together again: the CSV tables of one 903 return are read as one
            returns, others = self.reader.run(read_files, readable, year)
        except ReaderFailed as error:  # only together do they fail: say so on each
            returns, others = [], [FileReport(str(p), problems=[crashed_problem(str(p), error)]) for p in readable]
        return returns, others + failed

    # --- packs and settings ----------------------------------------------------------------------------------

    def _packs_folder(self) -> Path:
        if "packs" not in self.folders:
            self.folders["packs"] = private_folder(self.data, "packs-")
        return self.folders["packs"]

    def pack_paths(self) -> list[Path]:
        return sorted(p for p in self._packs_folder().iterdir() if p.is_file())

    def add_pack(self, name: str, content: bytes) -> dict[str, object]:
        """Keep a pack (a .zip of a pack folder) if `csc validate --pack` would take it beside the others."""
        clean = safe_name(name) or "pack.zip"
        if not clean.lower().endswith(".zip"):
            raise UserError(f"{clean}: a pack is added as a .zip of its folder (csc packs export makes one)")
        if not content or len(content) > MAX_FILE_BYTES:
            raise UserError(f"{clean}: the file is empty or larger than {MAX_FILE_BYTES // 2**20} MiB")
        with self.lock:
            path = self._packs_folder() / clean
            write_private(path, content)
            try:
                loaded = load_packs(self.pack_paths())
            except ChoiceError as error:
                path.unlink()
                raise UserError(self._short(str(error))) from error
            self.outcome = None
        mine = next(p for p in loaded if Path(p.pack.source).name == clean)
        return describe_pack(mine, clean)

    def remove_pack(self, name: str) -> None:
        with self.lock:
            clean = safe_name(name)
            if clean:
                (self._packs_folder() / clean).unlink(missing_ok=True)
            self.outcome = None

    def packs(self) -> list[dict[str, object]]:
        with self.lock:
            try:
                loaded = load_packs(self.pack_paths())
            except ChoiceError as error:
                raise UserError(self._short(str(error))) from error
            return [describe_pack(p, Path(p.pack.source).name) for p in loaded]

    def _settings_of_run(self) -> Path:
        outcome = self._outcome()
        assert outcome.settings is not None
        return outcome.settings

    def switch_off(self, rule: str, reason: str) -> dict[str, object]:
        """Switch a rule off in the settings file the last run used (who and when go with the reason)."""
        rule, reason = rule.strip(), reason.strip()
        if not rule or not reason:
            raise UserError("give the rule and the reason it is switched off")
        known = {o.code for o in self._outcome().result.outcomes}
        if rule not in known:
            raise UserError(f"there is no rule {rule} in this validation")
        path = self._settings_of_run()
        try:
            entry = switch_rule_off(path, rule, reason)
        except ChoiceError as error:
            raise UserError(str(error)) from error
        return {**entry, "settings": str(path)}

    def accept(self, rule: str, child: str, reason: str, row: int | None) -> dict[str, object]:
        """Accept a failure of one child (one row, or all its rows) in the settings file, as `csc accept` does."""
        rule, child, reason = rule.strip(), child.strip(), reason.strip()
        if not rule or not child or not reason:
            raise UserError("give the rule, the child and the reason the failure is accepted")
        errors = self._outcome().result.errors
        mine = errors.filter((pl.col("rule_code") == rule) & (pl.col("child_id") == child))
        if row is not None:
            mine = mine.filter(pl.col("row_number") == row)
        if mine.is_empty():
            raise UserError(
                f"child {child} has no outstanding failure of rule {rule}" + (f" in row {row}" if row else "")
            )
        path = self._settings_of_run()
        try:
            entry = accept_query(path, rule, child, reason, row)
        except ChoiceError as error:
            raise UserError(str(error)) from error
        return {**entry, "settings": str(path)}

    def start(self, year_text: str | None, la_text: str | None, dataset: str | None = None) -> None:
        """Validate the uploaded return in a background thread (`dataset`: which, when this year's files hold an
        SSDA903 return and a CIN census)."""
        with self.lock:
            if self.job.state == "running":
                raise UserError("a validation is already running")
            data, previous, providers = self._inputs(year_text, dataset)
            authority = _authority(la_text) or authority_in_return(data)
            settings = settings_file(self.settings, authority.number if authority else None)
            assert data.year is not None
            try:
                registry = registry_for(data.dataset, self.pack_paths(), settings, data.year)
            except ChoiceError as error:
                raise UserError(self._short(str(error))) from error
            self.job = job = Job("running", message="validating")
            self.outcome = None
            arguments = (self.generation, job, data, previous, providers, authority, registry, settings)
        threading.Thread(target=self._run, args=arguments, daemon=True).start()

    def _inputs(
        self, year_text: str | None, dataset: str | None = None
    ) -> tuple[ReturnData, ReturnData | None, pl.DataFrame | None]:
        year = _year(year_text)
        current, current_others = self._read("current", year)
        previous, previous_others = self._read("previous")
        providers = None
        for report in current_others + previous_others:
            if report.dataset == PROVIDERS and report.ok:
                try:
                    providers = self.reader.run(read_providers, Path(report.path))
                except ReadError as error:
                    raise UserError(self._short(error.problem.describe())) from error
                except ReaderFailed as error:
                    raise UserError(f"{Path(report.path).name}: {error}") from error
        checkable = [r for r in current if r.dataset in ("ssda903", "cin")]
        kinds = {r.dataset for r in checkable}
        if len(checkable) == 2 and len(kinds) == 2:  # a 903 return and a CIN census, as the Indicators view takes
            if dataset not in kinds:
                raise UserError("this year's files hold an SSDA903 return and a CIN census: choose which to validate")
            checkable = [r for r in checkable if r.dataset == dataset]
        if len(checkable) != 1:
            raise UserError(
                "add the files of one SSDA903 return (CSV tables or XML) or one CIN census (XML) as this year's "
                f"return (found {len(checkable)})"
            )
        data = checkable[0]
        if not data.can_be_validated:  # a missing column: validated without the rules that need it
            raise UserError("this year's files could not be read: " + self._short(data.problems[0].describe()))
        if data.year is None:
            raise UserError("the collection year cannot be told from the files: choose it")
        try:
            check_supported_year(data.dataset, data.year)  # a year no rule covers would pass by running none
        except InputError as error:
            raise UserError(str(error)) from error
        last = [r for r in previous if r.dataset == data.dataset]
        if len(last) > 1:
            raise UserError("last year's files hold more than one return")
        if last:
            try:
                check_previous(data, last[0])  # the year before this one, as `csc validate --previous` checks
            except InputError as error:
                raise UserError(self._short(str(error))) from error
        return data, (last[0] if last else None), providers

    def _run(
        self,
        generation: int,
        job: Job,
        data: ReturnData,
        previous: ReturnData | None,
        providers: pl.DataFrame | None,
        authority: Authority | None,
        registry: Registry | None,
        settings: Path,
    ) -> None:
        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        outcome: Outcome | None = None
        try:
            assert data.year is not None
            result = validate_return(data, data.year, authority, previous, providers, progress, registry)
            outcome = Outcome(result, data, previous, settings=settings, providers=providers)
        except BaseException as error:  # a native panic is a BaseException too; the server keeps working
            log.exception("validation failed")
            failure = f"the validation stopped because of a fault in csctools ({type(error).__name__})"
        with self.lock:
            if generation != self.generation:  # "Clear my data" meanwhile: these results are not kept
                return
            if outcome is not None:
                now = outcome.result.errors
                if self.last_errors is not None:
                    outcome.since = changes(self.last_errors, now)
                self.last_errors = now
            self.outcome = outcome
            self.job = Job("done", job.total, job.total, "done") if outcome else Job("failed", message=failure)

    def results(self) -> dict[str, object]:
        """The summary by rule and the children with errors."""
        outcome = self._outcome()
        errors = outcome.result.errors
        tally = outcome.result.tally()
        codes = ordered_codes(errors["rule_code"].unique().to_list())
        order = dict(zip(codes, range(len(codes)), strict=True))  # rule codes as people read them: 103 < 1001
        children = (
            failures_of(errors)  # one per rule and record, as every report counts
            .filter(pl.col("child_id").is_not_null())
            .group_by("child_id")
            .agg(
                (pl.col("severity") == "error").sum().alias("errors"),
                (pl.col("severity") != "error").sum().alias("queries"),
                pl.col("rule_code")
                .sort_by(pl.col("rule_code").replace_strict(order))
                .unique(maintain_order=True)
                .alias("rules"),
                pl.col("table").unique().sort().alias("tables"),
            )
            .sort(pl.col("errors") == 0, "child_id")  # children with errors before those with only queries
        )
        return {
            "dataset": outcome.result.dataset,
            "year": outcome.result.year.label,
            "authority": outcome.result.authority.name if outcome.result.authority else None,
            "authority_code": outcome.result.authority.number if outcome.result.authority else None,
            "headline": outcome.result.headline(),
            "error_count": tally.errors,
            "query_count": tally.queries,
            "children_count": tally.children,
            "absent_tables": list(outcome.result.absent_tables),
            "rule_counts": outcome.result.counts(),
            "rules": sorted(summary(outcome.result), key=lambda rule: code_order(str(rule["code"]))),  # 101 < 1001
            "children": children.to_dicts(),
            "return_level": errors.filter(pl.col("child_id").is_null()).select(CSV_COLUMNS).to_dicts(),
            "problems": [self._short(p.describe()) for p in outcome.data.problems],
            "structural": [  # a missing column: validated without the rules that read it
                self._short(p.describe()) for p in outcome.data.problems if p.severity is Severity.ERROR
            ],
            "not_run": not_run(outcome.result),
            "guidance": guidance_of(outcome.result),
            "since": outcome.since.describe() if outcome.since else None,
            "changes": outcome.since._asdict() if outcome.since else None,
            "corrections": self.corrections(),
            "accepted": accepted_rows(outcome.result).select(*CSV_COLUMNS, *ACCEPTED_COLUMNS).to_dicts(),
            "packs": [
                {"name": p.name, "version": p.version, "source": Path(p.source).name} for p in outcome.result.packs
            ],
            "notes": [self._short(note) for note in outcome.result.notes],
            "warnings": [self._short(warning) for warning in self._whose_return(outcome)],
            "settings": str(outcome.settings) if outcome.settings and outcome.settings.exists() else None,
        }

    def child(self, child_id: str) -> dict[str, object]:
        """The child's whole history across this year's and last year's tables, failing cells marked."""
        outcome = self._outcome()
        errors = outcome.result.errors.filter(pl.col("child_id") == child_id)
        if errors.is_empty():
            raise UserError(f"child {child_id} has no errors")
        _, child_key = DATASETS[outcome.result.dataset]
        rows = child_history(outcome.data, outcome.previous, child_key, child_id, errors)
        roles = {**self._role_of_files(outcome.previous, "previous"), **self._role_of_files(outcome.data, "current")}
        for item in rows:
            item["role"] = roles.get(str(item["file"]), "current")
        elsewhere = errors.filter(pl.col("row_number").is_null())  # the child or the return, not one row
        found = suggest(errors, outcome.result.tables, outcome.providers, outcome.result.dataset)
        return {
            "child_id": child_id,
            "errors": errors.select(CSV_COLUMNS).to_dicts(),
            "rows": rows,
            "not_in_a_row": elsewhere.select(CSV_COLUMNS).to_dicts(),
            "suggestions": found.with_columns(pl.col("source_file").str.replace(r"^.*[/\\]", "")).to_dicts(),  # name
        }

    @staticmethod
    def _role_of_files(data: ReturnData | None, role: str) -> dict[str, str]:
        return {Path(f.path).name: role for f in data.files} if data is not None else {}

    def report(self, extension: str) -> tuple[bytes, str]:
        """One report as bytes, and its file name."""
        suffix = "." + extension.lower()
        if FORMATS.get(suffix) is None:
            raise UserError(f"unknown report format '{extension}' (use xlsx, csv, json or html)")
        outcome = self._outcome()
        name = f"{outcome.result.dataset}_{outcome.result.year.key}_validation{suffix}"
        folder = private_folder(self.data, "reports-")
        try:
            path = folder / name
            write_report(outcome.result, outcome.data, path, outcome.providers, outcome.previous)  # as the CLI
            return path.read_bytes(), name
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _outcome(self) -> Outcome:
        if self.outcome is None:
            raise UserError("nothing has been validated yet")
        return self.outcome

    def _describe_file(self, role: str, report: FileReport, authority: Authority | None) -> dict[str, object]:
        return {
            "authority": {"code": authority.number, "name": authority.name} if authority else None,
            "role": role,
            "name": Path(report.path).name,
            "kind": DATASET_NAMES.get(report.dataset or "", "not recognised"),
            "year": report.year.label if report.year else None,
            "tables": [{"name": t.name, "rows": t.rows_read, "rejected": len(t.rejected)} for t in report.tables],
            "problems": [{"severity": p.severity.value, "text": self._short(p.describe())} for p in report.problems],
            "ok": report.ok,
        }

    @staticmethod
    def _whose_return(outcome: Outcome) -> list[str]:
        from csctools.validate.identity import whose_return_warnings

        authority = outcome.result.authority
        return whose_return_warnings(outcome.data, authority, "the authority chosen is", "choose the right one")

    def _short(self, text: str) -> str:
        """A message without the private temporary folder: the page shows file names as the user gave them."""
        for folder in self.folders.values():
            text = text.replace(str(folder) + os.sep, "")
        return text.replace(str(self.root), "(temporary folder)")


# What the page can ask for, by the words an outcome's reason uses for it.
ASKS = {
    "la": NEED_WORDS["la_code"],
    "previous": NEED_WORDS["prev_year"],
    "providers": NEED_WORDS["ofsted_provider_lists"],
}


def not_run(result: ValidationResult) -> list[dict[str, object]]:
    """The rules not run, by status and reason, each group with what the page can ask for to run them."""
    groups: dict[tuple[str, str], list[str]] = {}
    for outcome in result.outcomes:
        if outcome.status in (NOT_RUN, COULD_NOT_RUN, NOT_IMPLEMENTED):
            groups.setdefault((outcome.status, outcome.reason), []).append(outcome.code)
    return [
        {
            "status": status,
            "reason": reason,
            "codes": ordered_codes(codes),
            "needs": [k for k, words in ASKS.items() if words in reason],
        }
        for (status, reason), codes in groups.items()
    ]


def crashed_problem(name: str, error: ReaderFailed) -> Problem:
    """The problem shown for a file the worker could not read."""
    return Problem(name, "reader-failed", f"could not be read: {error}")


def safe_name(name: str) -> str:
    """The last part of an uploaded file's name, letters, digits and `._ -` only (others become `_`)."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "._ -") else "_" for c in last).strip()
    return "" if cleaned in ("", ".", "..") else cleaned


def _year(text: str | None) -> CollectionYear | None:
    if not text:
        return None
    try:
        return CollectionYear.parse(text)
    except ValueError as error:
        raise UserError(str(error)) from error


def _authority(text: str | None) -> Authority | None:
    if not text:
        return None
    try:
        return find_authority(text)
    except LookupError as error:
        raise UserError(str(error)) from error
