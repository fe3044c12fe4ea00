"""Pseudonymising files end to end: read, apply the policy, check for leaks, then write (nothing on a leak)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from csctools import __version__
from csctools.inputs import is_xml_return
from csctools.io.result import ReturnData
from csctools.read import read_files
from csctools.reference.authorities import Authority
from csctools.share.key import key_id
from csctools.share.leaks import find_leaks
from csctools.share.policy import Policy
from csctools.share.pseudonymise import SharedReturn, pseudonymise
from csctools.share.write import write_parquet, write_return
from csctools.years import CollectionYear

MANIFEST = "manifest.json"


class ShareError(Exception):
    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def source_format(data: ReturnData) -> str:
    suffix = Path(data.files[0].path).suffix.lower()
    return {".csv": "csv", ".xml": "xml"}.get(suffix, "xlsx")


def read_returns(
    paths: list[Path], year: CollectionYear | None, notes: list[str] | None = None
) -> tuple[list[ReturnData], list[str]]:
    """The returns in the files (903 CSV tables form one return per folder) and the files that are none. A folder
    holding a year's 903 return as CSV tables and as XML (as `csc synth` writes it) gives the CSV tables, said in
    `notes`: shared twice, a hub would count every child twice."""
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    returns: list[ReturnData] = []
    skipped: list[str] = []
    for group in by_folder.values():
        found, others = read_files(group, year)
        returns += found
        for report in others:
            for problem in report.problems:
                raise ShareError(problem.describe())
            skipped.append(report.path)
    returns = [_dated(data) for data in _once_each(returns, [] if notes is None else notes)]
    for data in returns:
        errors = [p for p in data.problems if p.severity.value == "error"]
        if errors:
            raise ShareError(f"{errors[0].describe()} (nothing was shared)")
        if data.year is None and data.dataset != "annex_a":
            raise ShareError(f"{data.files[0].path}: the collection year cannot be told; give --year")
    return returns, skipped


def _once_each(returns: list[ReturnData], notes: list[str]) -> list[ReturnData]:
    """The returns without the XML copy of a 903 return also given as CSV tables in its folder or one below it
    (`csc synth` writes YEAR/ssda903_YEAR.xml beside YEAR/ssda903/*.csv)."""
    tables = {
        (d.year, folder): d
        for d in returns
        if d.dataset == "ssda903" and not is_xml_return(d)
        for folder in {Path(d.files[0].path).parent, Path(d.files[0].path).parent.parent}
    }
    kept = []
    for data in returns:
        xml = data.dataset == "ssda903" and is_xml_return(data)
        twin = tables.get((data.year, Path(data.files[0].path).parent)) if xml else None
        if twin is None:
            kept.append(data)
            continue
        label = data.year.label if data.year else "undated"
        notes.append(f"{data.files[0].path}: the same {label} SSDA903 return as the CSV tables beside it; shared once")
    return kept


def _dated(data: ReturnData) -> ReturnData:
    """An Annex A workbook with the collection year of its latest event, as the store files it (not "undated")."""
    if data.dataset != "annex_a" or data.year is not None:
        return data
    from dataclasses import replace

    from csctools.store.intake import annex_a_year

    return replace(data, year=annex_a_year(data))


def _authority_of(data: ReturnData) -> Authority | None:
    """The authority the return names (the CIN census header) or its folders do (.../383/2025_26/...), as
    `csc store add` tells it; kept in the manifest, as the shared files may no longer tell it."""
    from csctools.store.intake import from_folders
    from csctools.validate.run import authority_in_return

    return authority_in_return(data) or from_folders([Path(f.path) for f in data.files])


def share_files(paths: list[Path], policy: Policy, key: bytes, out: Path, year: CollectionYear | None) -> list[str]:
    """Pseudonymise every return read from the files; returns the lines to print."""
    notes: list[str] = []
    returns, skipped = read_returns(paths, year, notes)
    shared: list[tuple[ReturnData, SharedReturn]] = []
    for data in returns:
        result = pseudonymise(data, policy, key)
        leaks = find_leaks(data, result, policy)
        if leaks:
            raise ShareError("leak check failed, nothing written: " + "; ".join(leak.describe() for leak in leaks), 1)
        shared.append((data, result))
    out.mkdir(parents=True, exist_ok=True)
    lines = [*notes, *(f"{path}: not a return, skipped" for path in skipped)]
    manifest: dict[str, object] = {
        "csctools": __version__,
        "policy": policy.name,
        "policy_source": policy.source,
        "key_id": key_id(key),
        "returns": [],
    }
    for data, result in shared:
        label = f"{data.dataset} {data.year or ''}".strip()
        authority = _authority_of(data)
        if not result.tables:
            lines.append(f"{label}: the policy shares nothing of this return; nothing written")
            continue
        written = write_return(result, out, source_format(data))
        parquet = write_parquet(result, out)
        rows = sum(frame.height for frame in result.tables.values())
        columns = sum(frame.width for frame in result.tables.values())
        note = "" if written else f" (not as {source_format(data).upper()}: the policy drops the child id it nests by)"
        lines.append(f"{label}: {rows:,} rows of {len(result.tables)} tables, {columns} columns shared{note}")
        for column, count in sorted(result.blanked.items()):
            values = "value" if count == 1 else "values"
            lines.append(f"  {column}: {count:,} {values} could not be treated and are blank")
        manifest["returns"].append(  # type: ignore[attr-defined]
            {
                "return": data.dataset,
                "year": data.year.label if data.year else None,
                "authority": {"number": authority.number, "name": authority.name} if authority else None,
                "input_sha256": [hashlib.sha256(Path(f.path).read_bytes()).hexdigest() for f in data.files],
                "tables": {name: {"rows": f.height, "columns": f.columns} for name, f in result.tables.items()},
                "blanked": result.blanked,
                "files": [p.relative_to(out).as_posix() for p in [*written, *parquet]],  # the same on every system
            }
        )
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    lines.append(f"written to {out} under policy {policy.label}; leak check passed")
    return lines
