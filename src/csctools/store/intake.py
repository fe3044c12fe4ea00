"""What arrives at the store's door: the files of one return, read and validated, before the store is opened.

Reading and validation run in worker processes (in parallel); what is kept is written by csctools.store.db inside
the add's one transaction.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import polars as pl

from csctools.io.result import ReturnData
from csctools.read import read_files
from csctools.reference.authorities import Authority, find_authority


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


def _from_folders(paths: list[Path]) -> Authority | None:
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


def _rejected(paths: list[Path], reason: str, authority: Authority | None, when: datetime) -> Submission:
    return Submission(_seen(paths), when, authority, None, None, reason, {}, None, {})


def group_returns(paths: list[Path]) -> list[list[Path]]:
    """Files grouped into returns the way a hub receives them: 903 CSVs of one folder together, any other file alone."""
    groups: dict[tuple[Path, str], list[Path]] = {}
    for path in paths:
        key = (path.parent, "csv") if path.suffix.lower() == ".csv" else (path, "file")
        groups.setdefault(key, []).append(path)
    return list(groups.values())


def intake(paths: list[Path], la: Authority | None) -> Submission | None:
    """Read and validate one return's files; a file that cannot be read makes the submission rejected.

    None for a file that is readable but no return (an Ofsted provider list): there is nothing to keep. A reader or
    the validation failing unexpectedly rejects the submission with the error, rather than stopping the whole add.
    """
    try:
        return _intake(paths, la)
    except Exception as error:  # recorded as the reason; the other returns of the add are still kept
        when = datetime.now(UTC).replace(tzinfo=None)
        return _rejected(paths, f"could not be read or validated ({type(error).__name__}: {error})", la, when)


def _intake(paths: list[Path], la: Authority | None) -> Submission | None:
    from csctools.io.detect import PROVIDERS
    from csctools.validate.run import authority_in_return, validate_return

    when = datetime.now(UTC).replace(tzinfo=None)
    returns, others = read_files(paths)
    if not returns and others and all(r.dataset == PROVIDERS and not r.problems for r in others):
        return None
    folder = _from_folders(paths)
    guess = la or folder  # recorded with a rejection, when known
    problems = [p.describe() for r in others for p in r.problems] or [f"{r.path}: not a return" for r in others]
    if problems:
        return _rejected(paths, problems[0], guess, when)
    if len(returns) != 1:
        return _rejected(paths, f"these files hold {len(returns)} returns, not one", guess, when)
    data: ReturnData = returns[0]
    errors = [p for p in data.problems if p.severity.value == "error"]
    if errors:
        return _rejected(paths, errors[0].describe(), guess, when)
    if data.dataset == "annex_a":
        reason = "an Annex A workbook is not a statutory return; the store keeps SSDA903 and CIN"
        return _rejected(paths, reason, guess, when)
    if data.year is None:
        return _rejected(paths, "the collection year cannot be told from the files", guess, when)
    named = authority_in_return(data)
    if named is not None and la is not None and named.number != la.number:
        reason = f"the census header names {named.name} ({named.number}), not {la.name} ({la.number})"
        return _rejected(paths, reason, la, when)
    choices = ((la, "given"), (named, "from the census header"), (folder, "from the folder name"))
    authority, note = next(((a, n) for a, n in choices if a is not None), (None, ""))
    if authority is None:
        return _rejected(paths, "the authority cannot be told: give --la", None, when)
    result = validate_return(data, data.year, authority)
    summary = result.counts()
    summary["errors"] = result.error_count
    summary["queries"] = result.errors.height - result.error_count
    error_table = result.errors.with_columns(pl.col("source_file").str.split("/").list.last())
    return Submission(
        _seen(paths), when, authority, data.dataset, data.year.end, None, data.tables, error_table, summary, note
    )
