"""Choosing this year's return and last year's from the files a user gave, by the years their content shows.

Used by `csc validate` and the web page alike: files of both years may come in any order (one folder, a shell
glob after `--previous`); a folder holding a whole year (903 tables, the CIN census, Annex A) gives the return asked
for and the others are skipped, said so. Anything that cannot be sorted safely is an `InputError` naming the files
and the years found: never two years combined into one.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from csctools.io.detect import PROVIDERS
from csctools.io.result import FileReport, ReturnData
from csctools.years import CollectionYear

KIND_NAMES = {"ssda903": "SSDA903", "cin": "CIN census", "annex_a": "Annex A", PROVIDERS: "Ofsted provider list"}


class InputError(Exception):
    """The files given cannot be used as asked: the message names the files and the years found."""


class Chosen(NamedTuple):
    current: ReturnData
    previous: ReturnData | None
    notes: list[str]  # lines for the user: which files went where, which were skipped


def files_of(data: ReturnData) -> list[str]:
    return [f.path for f in data.files]


def describe_files(paths: Iterable[str]) -> str:
    """'this/ (11 files)' for a folder given whole, else the names: short enough for one line."""
    paths = list(paths)
    by_folder: dict[Path, list[str]] = {}
    for path in paths:
        by_folder.setdefault(Path(path).parent, []).append(path)
    parts = []
    for folder, inside in by_folder.items():
        if len(inside) > 3:
            parts.append(f"{folder}/ ({len(inside)} files)")
        else:
            parts.extend(inside)
    return ", ".join(parts)


def _skipped(returns: list[ReturnData], others: list[FileReport], kind: str, from_folders: set[str]) -> list[str]:
    """Files that are not of the return asked for: skipped when a folder brought them, an error when named."""
    skipped: list[str] = []
    wanted = KIND_NAMES[kind]
    for data in returns:
        what = KIND_NAMES.get(data.dataset, data.dataset) + (f" {data.year.label}" if data.year else "")
        for report in data.files:
            if report.path not in from_folders:
                raise InputError(f"{report.path} is a file of {what}, not part of the {wanted} return")
        skipped.append(f"{what} ({describe_files(files_of(data))})")
    for report in others:
        if report.dataset == PROVIDERS:
            what = "an Ofsted provider list: give it with --providers"
        else:
            what = report.problems[0].message if report.problems else "not recognised"
        if report.path not in from_folders:
            raise InputError(report.problems[0].describe() if report.problems else f"{report.path}: {what}")
        skipped.append(f"{Path(report.path).name} ({what})")
    return skipped


def _one_per_year(
    returns: list[ReturnData], from_folders: set[str], notes: list[str]
) -> dict[CollectionYear | None, ReturnData]:
    """One return per year. A folder holding a year's 903 return both as CSV tables and as XML (as `csc synth`
    writes it) gives the CSV tables, said in a note; the same return named twice is an error."""
    by_year: dict[CollectionYear | None, list[ReturnData]] = {}
    for data in returns:
        by_year.setdefault(data.year, []).append(data)
    chosen: dict[CollectionYear | None, ReturnData] = {}
    for year, group in by_year.items():
        tables = [d for d in group if not is_xml_return(d)]
        found_in_folder = all(set(files_of(d)) <= from_folders for d in group)
        if len(group) > 1 and len(tables) == 1 and found_in_folder:
            skipped = [p for d in group if d is not tables[0] for p in files_of(d)]  # the XML
            label = year.label if year else "undated"
            notes.append(f"the {label} return is in the folder twice: read its CSV tables, skipped {' '.join(skipped)}")
            group = tables
        if len(group) > 1:
            shown = " and ".join(describe_files(files_of(d)) for d in group)
            label = year.label if year else "undated"
            raise InputError(f"the {label} return is given more than once ({shown}): give it once")
        chosen[year] = group[0]
    return chosen


def is_xml_return(data: ReturnData) -> bool:
    """A return read from one XML file (not from CSV tables)."""
    return len(data.files) == 1 and data.files[0].path.lower().endswith(".xml")


def choose_returns(
    kind: str,
    returns: list[ReturnData],
    others: list[FileReport],
    previous_paths: Iterable[str] = (),
    from_folders: Iterable[str] = (),
    year: CollectionYear | None = None,
) -> Chosen:
    """This year's return of `kind` and last year's (or None) from everything read.

    `previous_paths`: the files the user gave as last year's; `from_folders`: files found inside a folder the user
    gave (other returns among them are skipped); `year`: the year the user said this year's return is.
    """
    given_previous, folder_files = set(previous_paths), set(from_folders)
    mine = [r for r in returns if r.dataset == kind]
    notes = []
    skipped = _skipped([r for r in returns if r.dataset != kind], others, kind, folder_files)
    if skipped:
        notes.append(f"skipped what is not {KIND_NAMES[kind]}: " + "; ".join(skipped))
    if not mine:
        saved = [r for r in others if any(p.kind == "ssda903-workbook" for p in r.problems)]
        if kind == "ssda903" and saved:
            names = describe_files(r.path for r in saved)
            raise InputError(
                f"the SSDA903 tables were saved as Excel workbooks ({names}): the return is read from CSV files; "
                "save each table as CSV (in Excel: File, Save As, 'CSV UTF-8 (Comma delimited)'), one file per table"
            )
        found = f" (found {'; '.join(skipped)})" if skipped else ""
        raise InputError(f"no {KIND_NAMES[kind]} return among the files given{found}")
    years = {d.year for d in mine}
    if None in years and len(years) > 1:
        undated = [p for d in mine if d.year is None for p in files_of(d)]
        raise InputError(f"the collection year of {describe_files(undated)} cannot be told from its dates")
    holding_previous = {d.year for d in mine if given_previous & set(files_of(d))}
    holding_current = {d.year for d in mine if set(files_of(d)) - given_previous}
    found = "; ".join(
        f"{_label(year)}: {describe_files(p for d in mine if d.year == year for p in files_of(d))}"
        for year in sorted(years, key=_end, reverse=True)
    )
    if not holding_current:
        raise InputError(f"no files of this year's return were given (only --previous: {found})")
    current_year = max(holding_current, key=_end)
    if len(holding_previous) > 1:
        given = {y: [p for d in mine if d.year == y for p in files_of(d) if p in given_previous] for y in years}
        mixed = "; ".join(
            f"{_label(y)}: {describe_files(given[y])}" for y in sorted(holding_previous, key=_end, reverse=True)
        )
        raise InputError(f"--previous must hold one year, last year's, but holds files of two ({mixed})")
    if holding_previous:
        previous_year = next(iter(holding_previous))
        if previous_year == current_year:
            raise InputError(
                f"--previous must hold last year's return ({_before(current_year)}), but its files are of "
                f"{_label(current_year)}, the same year as this year's ({found})"
            )
        if _end(previous_year) > _end(current_year):
            raise InputError(
                f"--previous holds {_label(previous_year)}, a later year than this year's files "
                f"({_label(current_year)}): swap them ({found})"
            )
        if previous_year is None or current_year is None or previous_year != current_year.previous():
            raise InputError(
                f"--previous holds {_label(previous_year)}, not the year before this year's files "
                f"({_before(current_year)}): {found}"
            )
    expected = {current_year, current_year.previous() if current_year else None}
    if years - expected:
        raise InputError(
            f"the files are of {len(years)} collection years ({found}): give this year's return and, "
            f"with --previous, last year's ({_before(current_year)})"
        )
    by_year = _one_per_year(mine, folder_files, notes)
    if year is not None and current_year != year:
        raise InputError(f"--year says {year.label} but this year's files are of {_label(current_year)} ({found})")
    check_supported_year(kind, current_year)
    current = by_year[current_year]
    previous = by_year.get(current_year.previous()) if current_year else None
    if previous is not None:
        notes.insert(
            0,
            f"sorted by the dates in the files: this year {_label(current_year)}: {describe_files(files_of(current))};"
            f" last year {previous.year}: {describe_files(files_of(previous))}",
        )
    return Chosen(current, previous, notes)


def supported_years(kind: str) -> list[CollectionYear]:
    """The collection years the return's DfE rules cover, oldest first."""
    from csctools.validate.catalogue import catalogue

    ends = sorted(set().union(*(info.years for info in catalogue(kind).values())))
    return [CollectionYear(end) for end in ends]


def check_supported_year(kind: str, year: CollectionYear | None) -> None:
    """A year no rule covers would pass every rule by running none: refuse it."""
    years = supported_years(kind)
    if year is not None and years and year not in years:
        raise InputError(
            f"the {KIND_NAMES[kind]} rules cover {years[0].label} to {years[-1].label}, not {year.label}: "
            "csctools cannot validate this year's return"
        )


def check_previous(current: ReturnData, previous: ReturnData) -> None:
    """Last year's return must be of the year before this one (the web page's two drop zones)."""
    try:
        choose_returns(current.dataset, [current, previous], [], previous_paths=files_of(previous), year=current.year)
    except InputError as error:  # the page has two drop zones, not a --previous option
        raise InputError(str(error).replace("--previous", "last year's files")) from None


def _end(year: CollectionYear | None) -> int:
    return year.end if year else 0


def _label(year: CollectionYear | None) -> str:
    return year.label if year else "an unknown year"


def _before(year: CollectionYear | None) -> str:
    return year.previous().label if year else "the year before"
