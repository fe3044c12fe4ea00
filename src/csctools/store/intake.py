"""What arrives at the store's door: the files of one return, read and validated, before the store is opened.

Reading and validation run in worker processes (in parallel); what is kept is written by csctools.store.db inside
the add's one transaction.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import polars as pl

from csctools.datasets.annex_a.schema import ANNEX_A
from csctools.io.result import ReturnData
from csctools.model import RAW_SUFFIX, SOURCE_ROW, ColumnType
from csctools.read import read_files
from csctools.reference.authorities import Authority, find_authority
from csctools.years import CollectionYear

VALIDATED = ("ssda903", "cin")  # returns with DfE validation rules (Annex A has none)
POLARS_TYPES = {
    ColumnType.TEXT: pl.String,
    ColumnType.CODE: pl.String,
    ColumnType.DATE: pl.Date,
    ColumnType.INTEGER: pl.Int64,
    ColumnType.BOOLEAN: pl.Boolean,
}

if TYPE_CHECKING:
    from csctools.packs.registry import LoadedPack


class FileSeen(NamedTuple):
    name: str
    sha256: str
    size: int


class Submission(NamedTuple):
    """One return offered to the store: accepted (with its tables and error table) or rejected (with why)."""

    files: list[FileSeen]
    received_at: datetime
    authority: Authority | None
    dataset: str | None
    year: int | None  # end year of the collection year
    rejected: str | None  # the reason, or None when accepted
    tables: dict[str, pl.DataFrame]
    errors: pl.DataFrame | None
    summary: dict[str, int]  # rule outcomes by status, and "errors", "queries"
    note: str = ""  # how the authority was found
    packs: tuple[str, ...] = ()  # the rule packs the validation used (name, version, source, hash)
    previous: int | None = None  # the submission validated against as last year's return, if any
    token: int | None = None  # the check in a worker that validated it (whose tables that worker keeps a while)
    warnings: tuple[str, ...] = ()  # whose return: as csc validate warns (UPNs of another authority, two returns)

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for seen in sorted(self.files, key=lambda f: f.sha256):
            digest.update(bytes.fromhex(seen.sha256))
        return digest.hexdigest()


def _seen(paths: list[Path]) -> list[FileSeen]:
    seen = []
    for path in paths:
        try:
            content = path.read_bytes()
        except OSError:
            seen.append(FileSeen(path.name, "", 0))
            continue
        seen.append(FileSeen(path.name, hashlib.sha256(content).hexdigest(), len(content)))
    return seen


def from_folders(paths: list[Path]) -> Authority | None:
    """An authority named by a folder the files sit in (a hub's layout: .../383/2025_26/...), if exactly one."""
    found = set()
    for path in paths:
        for part in path.resolve().parent.parts:
            if part.isdigit() and len(part) == 3:
                try:
                    found.add(find_authority(part))
                except LookupError:
                    continue
    return found.pop() if len(found) == 1 else None


MANIFEST_LEVELS = 4  # how far above a file `csc share pseudonymise`'s manifest.json is looked for


def from_share_manifest(paths: list[Path]) -> Authority | None:
    """The authority a `csc share pseudonymise` manifest names for these files (its output holds no folder or header
    that names one for an SSDA903 return), if exactly one."""
    import json

    found = set()
    read: dict[Path, object] = {}  # each manifest parsed once, whatever the number of files beside it
    for path in paths:
        resolved = path.resolve()
        for folder in resolved.parents[:MANIFEST_LEVELS]:
            manifest = folder / "manifest.json"
            if manifest not in read and not manifest.is_file():
                continue
            try:
                if manifest not in read:
                    read[manifest] = json.loads(manifest.read_text(encoding="utf-8"))
                entries = read[manifest].get("returns", [])  # type: ignore[attr-defined]
                relative = resolved.relative_to(folder).as_posix()
                entries = [{**e, "files": [f.replace("\\", "/") for f in e.get("files", [])]} for e in entries]
                numbers = {
                    e["authority"]["number"] for e in entries if relative in e.get("files", []) and e.get("authority")
                }
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                break  # not a manifest csctools wrote: no authority from it
            for number in numbers:
                try:
                    found.add(find_authority(str(number)))
                except LookupError:
                    continue
            break
    return found.pop() if len(found) == 1 else None


def _rejected(paths: list[Path], reason: str, authority: Authority | None, when: datetime) -> Submission:
    return Submission(_seen(paths), when, authority, None, None, reason, {}, None, {})


def group_returns(paths: list[Path]) -> list[list[Path]]:
    """Files grouped into returns the way a hub receives them: 903 CSVs of one folder together, any other file alone."""
    groups: dict[tuple[Path, str], list[Path]] = {}
    for path in paths:
        key = (path.parent, "csv") if path.suffix.lower() == ".csv" else (path, "file")
        groups.setdefault(key, []).append(path)
    return list(groups.values())


YEAR_IN_NAME = re.compile(r"(20\d\d)[_-]?(\d\d)(?!\d)")


def _year_named(path: Path) -> str | None:
    """The collection year a file's name or folders name ('2025_26', '2025-26'), if exactly one."""
    found = {f"{a}_{b}" for part in path.parts for a, b in YEAR_IN_NAME.findall(part) if int(b) == (int(a) + 1) % 100}
    return found.pop() if len(found) == 1 else None


def _is_903(path: Path) -> bool:
    from csctools.io.detect import SSDA903, detect

    try:
        with path.open("rb") as handle:
            return detect(path, handle.read(4096)) == SSDA903
    except OSError:
        return False  # read_files reports the file that cannot be opened


def without_xml_twins(groups: list[list[Path]]) -> tuple[list[list[Path]], list[Path]]:
    """The groups without an SSDA903 XML file that sits beside a folder of the same year's SSDA903 CSV tables
    (`csc synth` writes YEAR/ssda903_YEAR.xml beside YEAR/ssda903/*.csv; `csc validate` and `csc share` read such
    a return once): kept, it would be a second version of the same return. The year must be named by both (in
    their file or folder names) and agree; otherwise both are kept. Returns the groups kept and the files left out."""
    csv_years: dict[Path, str] = {}
    for group in groups:
        first = group[0]
        year = _year_named(first)
        if first.suffix.lower() == ".csv" and year is not None and _is_903(first):
            csv_years[first.parent] = year
    kept, twins = [], []
    for group in groups:
        path = group[0]
        if len(group) == 1 and path.suffix.lower() == ".xml":
            year = _year_named(path)
            beside = {y for folder, y in csv_years.items() if path.parent in (folder, folder.parent)}
            if year is not None and year in beside and _is_903(path):
                twins.append(path)
                continue
        kept.append(group)
    return kept, twins


def as_stored(dataset: str, tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """A return's tables as the store keeps them, without the submission id: each table of the data model with
    the spreadsheet row `_row` and every column of the model, typed (a column the files lack is blank); a table
    outside the model as it was (counted in the submission's rows, not kept). Worked out where the return was
    validated (a worker process), so the writer only adds the submission id."""
    from csctools.share.columns import DATASETS

    model = DATASETS[dataset]
    names = {t.name for t in model.tables}
    stored = {}
    for name, frame in tables.items():
        if name not in names:
            stored[name] = frame
            continue
        row = pl.col(SOURCE_ROW).cast(pl.Int64) if SOURCE_ROW in frame.columns else pl.lit(None, pl.Int64)
        exprs = [row.alias(SOURCE_ROW)]
        for column in model.table(name).columns:
            kind = POLARS_TYPES[column.type]
            present = column.name in frame.columns
            exprs.append((pl.col(column.name).cast(kind) if present else pl.lit(None, kind)).alias(column.name))
        stored[name] = frame.select(exprs)
    return stored


class Arrival(NamedTuple):
    """A return read at the door and its authority told, before its validation."""

    files: list[FileSeen]
    received_at: datetime
    authority: Authority
    data: ReturnData
    note: str  # how the authority was found

    @property
    def key(self) -> tuple[str, str, int]:
        """Authority number, return and collection year (end year)."""
        return (self.authority.number, self.data.dataset, self.data.year.end if self.data.year else 0)


def intake(
    paths: list[Path], la: Authority | None, previous: LastYear | None = None, packs: tuple[str, ...] = ()
) -> Submission | None:
    """Read and validate one return's files (with last year's return and local packs if given); a file that cannot
    be read makes the submission rejected.

    None for a file that is readable but no return (an Ofsted provider list): there is nothing to keep. A reader or
    the validation failing unexpectedly rejects the submission with the error, rather than stopping the whole add.
    """
    came = arrive(paths, la)
    return came if not isinstance(came, Arrival) else check(came, previous, packs)


def arrive(paths: list[Path], la: Authority | None) -> Arrival | Submission | None:
    """Read one return's files and tell its authority: an Arrival to validate, a rejected Submission, or None for
    files that are no return (Ofsted provider lists)."""
    try:
        return _arrive(paths, la)
    except Exception as error:  # recorded as the reason; the other returns of the add are still kept
        when = datetime.now(UTC).replace(tzinfo=None)
        return _rejected(paths, f"could not be read ({type(error).__name__}: {error})", la, when)


_HELD: dict[int, Arrival] = {}  # arrivals read by this (worker) process, waiting for their validation
KEPT_IN_WORKER = 4  # validated returns' tables a worker keeps, as the store holds them, for next year's validation
_VALIDATED: OrderedDict[int, dict[str, pl.DataFrame]] = OrderedDict()  # by token, the latest KEPT_IN_WORKER checks


def arrive_held(paths: list[Path], la: Authority | None, token: int) -> Arrival | Submission | None:
    """`arrive`, keeping the tables in this process for `check_held(token, ...)`: only the arrival's authority,
    return and year travel back to the writer, not its tables (they travel once, validated)."""
    came = arrive(paths, la)
    if not isinstance(came, Arrival):
        return came
    _HELD[token] = came
    light = ReturnData(came.data.dataset, came.data.year, {}, [])
    return came._replace(data=light)


class HeldLastYear(NamedTuple):
    """Last year's submission, validated by this worker within its latest KEPT_IN_WORKER checks (its token): its
    tables do not travel to the worker again."""

    submission_id: int
    version: int
    token: int


def check_held(token: int, previous: LastYear | HeldLastYear | None, packs: tuple[str, ...]) -> Submission:
    """`check` of the arrival held under `token`; its tables as stored are kept for a later check's last year (the
    latest KEPT_IN_WORKER checks' tables, rejected ones empty, so the writer can tell which a worker holds)."""
    if isinstance(previous, HeldLastYear):
        held = _VALIDATED[previous.token]
        arrival = _HELD[token]
        year = CollectionYear(arrival.data.year.end - 1) if arrival.data.year else None
        previous = LastYear(previous.submission_id, previous.version, ReturnData(arrival.data.dataset, year, held, []))
    submission = check(_HELD.pop(token), previous, packs)._replace(token=token)
    _VALIDATED[token] = kept_tables(submission)
    while len(_VALIDATED) > KEPT_IN_WORKER:
        _VALIDATED.popitem(last=False)
    return submission


def kept_tables(submission: Submission) -> dict[str, pl.DataFrame]:
    """The tables of a submission the store keeps (those of the data model), as it keeps them."""
    if submission.dataset is None or not submission.tables:
        return {}
    from csctools.share.columns import DATASETS

    names = {t.name for t in DATASETS[submission.dataset].tables}
    return {name: frame for name, frame in submission.tables.items() if name in names}


class LastYear(NamedTuple):
    """The same authority's previous-year submission, as the store holds it."""

    submission_id: int
    version: int
    data: ReturnData
    token: int | None = None  # kept by this add: the worker check that validated it


def check(arrival: Arrival, previous: LastYear | None = None, packs: tuple[str, ...] = ()) -> Submission:
    """Validate an arrival with the same engine as `csc validate` (the DfE rules and any local packs, by path),
    with last year's return when the store holds it."""
    try:
        return _check(arrival, previous, packs)
    except Exception as error:
        reason = f"could not be validated ({type(error).__name__}: {error})"
        return _rejected([], reason, arrival.authority, arrival.received_at)._replace(files=arrival.files)


def _all_provider_lists(paths: list[Path]) -> bool:
    """Ofsted provider lists (workbooks with a URN column), told from their first rows without reading them whole
    (reading one costs more than validating a return, and a hub's folders often hold one per authority)."""
    from csctools.io.detect import PROVIDERS, detect

    if not all(path.suffix.lower() in (".xlsx", ".xlsm") for path in paths):
        return False
    try:
        return all(detect(path, path.read_bytes()) == PROVIDERS for path in paths)
    except OSError:
        return False  # read_files reports the file that cannot be opened


def _arrive(paths: list[Path], la: Authority | None) -> Arrival | Submission | None:
    from csctools.validate.run import authority_in_return

    when = datetime.now(UTC).replace(tzinfo=None)
    if _all_provider_lists(paths):
        return None
    returns, others = read_files(paths)
    folder = from_folders(paths)
    manifest = from_share_manifest(paths)
    guess = la or folder or manifest  # recorded with a rejection, when known
    problems = [p.describe() for r in others for p in r.problems] or [f"{r.path}: not a return" for r in others]
    if problems:
        return _rejected(paths, problems[0], guess, when)
    if len(returns) != 1:
        return _rejected(paths, f"these files hold {len(returns)} returns, not one", guess, when)
    data: ReturnData = returns[0]
    errors = [p for p in data.problems if p.severity.value == "error"]
    if errors:
        return _rejected(paths, errors[0].describe(), guess, when)
    if data.dataset == "annex_a" and data.year is None:
        data = replace(data, year=annex_a_year(data))
    if data.year is None:
        return _rejected(paths, "the collection year cannot be told from the files", guess, when)
    named = authority_in_return(data)
    if named is not None and la is not None and named.number != la.number:
        reason = f"the census header names {named.name} ({named.number}), not {la.name} ({la.number})"
        return _rejected(paths, reason, la, when)
    given = "given"
    if la is not None and folder is not None and folder.number != la.number:  # said, not refused: --la wins
        given = f"given, though the folder name says {folder.name} ({folder.number})"
    choices = (
        (la, given),
        (named, "from the census header"),
        (folder, _from_folder_note(folder, manifest)),
        (manifest, "from the share manifest"),
    )
    authority, note = next(((a, n) for a, n in choices if a is not None), (None, ""))
    if authority is None:
        return _rejected(paths, "the authority cannot be told: give --la", None, when)
    return Arrival(_seen(paths), when, authority, data, note)


def _from_folder_note(folder: Authority | None, manifest: Authority | None) -> str:
    """How the authority was found from a folder name, saying where a share manifest names another."""
    if folder is not None and manifest is not None and manifest.number != folder.number:
        return f"from the folder name, though the share manifest says {manifest.name} ({manifest.number})"
    return "from the folder name"


def annex_a_year(data: ReturnData) -> CollectionYear | None:
    """The collection year an Annex A workbook runs to: the one holding its latest event date (birth dates left
    out), or None when it holds no date."""
    from csctools.share.columns import Kind, kind_of

    model = ANNEX_A
    latest: list[date] = []
    for name, frame in data.tables.items():
        table = model.table(name)
        dates = [c.name for c in table.columns if c.type is ColumnType.DATE and kind_of(c) is not Kind.BIRTH]
        found = (
            frame.select(pl.max_horizontal(pl.col(c).max() for c in dates if c in frame.columns)).item()
            if dates
            else None
        )
        if found is not None:
            latest.append(found)
    return CollectionYear.containing(max(latest)) if latest else None


@cache
def _loaded_packs(paths: tuple[str, ...]) -> list[LoadedPack]:
    from csctools.packs.registry import load

    return load(paths, bind=False)


STORE_CHECK = "check --la or the folder it came from"  # what an identity warning asks of the hub


def _check(arrival: Arrival, previous: LastYear | None, packs: tuple[str, ...]) -> Submission:
    from csctools.validate.identity import whose_return_warnings
    from csctools.validate.run import validate_return

    data, year = arrival.data, arrival.data.year
    assert year is not None  # an arrival has its year
    if data.dataset not in VALIDATED:  # Annex A: read and checked by its reader; the DfE has no rules for it
        warnings = len(data.problems)
        summary = {"errors": 0, "queries": 0, "reader warnings": warnings}
        return Submission(
            arrival.files, arrival.received_at, arrival.authority, data.dataset, year.end, None,
            as_stored(data.dataset, data.tables), None, summary, arrival.note,
        )  # fmt: skip
    registry = None
    if packs:
        from csctools.packs.registry import build, check_packs

        loaded = _loaded_packs(packs)
        check_packs(loaded, year)
        registry = build(data.dataset, loaded)
    last = as_read(previous.data) if previous is not None else None
    result = validate_return(data, year, arrival.authority, last, registry=registry)
    summary = result.counts()
    summary["errors"] = result.error_count
    summary["queries"] = result.query_count  # failures, as `csc validate` counts them (a failure may span rows)
    error_table = result.errors.with_columns(pl.col("source_file").str.split("/").list.last())
    used = tuple(f"{p.name} {p.version} ({p.source}, sha256 {p.content_hash})" for p in result.packs)
    return Submission(
        arrival.files,
        arrival.received_at,
        arrival.authority,
        data.dataset,
        year.end,
        None,
        as_stored(data.dataset, data.tables),
        error_table,
        summary,
        arrival.note,
        used,
        previous.submission_id if previous is not None else None,
        warnings=tuple(whose_return_warnings(data, arrival.authority, "the authority is", STORE_CHECK)),
    )


def as_read(data: ReturnData) -> ReturnData:
    """Last year's return as the store keeps it, shaped as the reader gives it for validation: the 903 Header's
    UASC derived from the UASC table, and a blank `<column>_raw` beside each typed column (the store keeps typed
    values only). Without them the rules comparing with last year could not run (202-204, 503A ...)."""
    from csctools.share.columns import DATASETS

    model = DATASETS.get(data.dataset)
    if model is None:
        return data
    typed = model.typed_columns()
    tables = {}
    for name, frame in data.tables.items():
        if name in {t.name for t in model.tables}:
            raw = [f"{c}{RAW_SUFFIX}" for c in model.table(name).column_names() if c in typed]
            frame = frame.with_columns(pl.lit(None, pl.String).alias(r) for r in raw if r not in frame.columns)
        tables[name] = frame
    if data.dataset == "ssda903":
        from csctools.datasets.ssda903.read import derive_uasc

        derive_uasc(tables, "UASC" in tables.get("Header", pl.DataFrame()).columns)
    return replace(data, tables=tables)
