"""Reading the SSDA903 returns of several years: one return per folder (or per XML file)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from csctools.datasets.ssda903.detect import match_table
from csctools.forecast.history import ForecastInputError, YearData, year_data
from csctools.io.detect import SSDA903, detect
from csctools.io.text import decode, first_line, sniff_delimiter
from csctools.read import read_files

SUFFIXES = (".csv", ".xml")
NEEDED_TABLES = ("Header", "Episodes", "UASC")  # other 903 tables in the folders are not read


def _wanted(path: Path) -> bool:
    """A 903 XML file, or a 903 CSV table the forecast uses."""
    with path.open("rb") as handle:
        head = handle.read(20000)
    if detect(path, head) != SSDA903:
        return False
    if head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        return True
    text, _ = decode(head[:4096])
    line = first_line(text)
    table, _score = match_table(line.split(sniff_delimiter(line)))
    return table is not None and table.name in NEEDED_TABLES


def _what(path: Path) -> str:
    """What a file the forecast does not read is, in words."""
    with path.open("rb") as handle:
        kind = detect(path, handle.read(20000))
    names = {"cin": "a CIN census", "annex_a": "an Annex A workbook", "ofsted_providers": "an Ofsted provider list"}
    if kind == SSDA903:
        return "an SSDA903 table the forecast does not use (it reads Header, Episodes and UASC)"
    return f"{names[kind]}, not an SSDA903 return" if kind in names else "not an SSDA903 return"


def _files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise ForecastInputError(f"{path}: no such file or folder")
    return found


def read_years(paths: list[Path]) -> tuple[list[YearData], list[str]]:
    """Each folder's 903 CSV tables form one year's return, each 903 XML file one; other files are skipped.

    Returns the years and notes about what was skipped or not read cleanly (warnings, one line each).
    """
    notes: list[str] = []
    by_folder: dict[Path, list[Path]] = defaultdict(list)
    for path in _files(paths):
        by_folder[path.parent].append(path)
    years: list[YearData] = []
    given = {path for path in paths if path.is_file()}  # named on the command line, not found in a folder
    for folder, files in sorted(by_folder.items()):
        chosen = [file for file in files if _wanted(file)]
        for file in files:
            if file in given and file not in chosen:
                notes.append(f"{file}: {_what(file)}; skipped (the forecast reads SSDA903 returns only)")
        if not chosen:
            continue
        returns, _ = read_files(chosen)
        for data in returns:
            if data.dataset != SSDA903:
                continue
            for problem in data.problems:
                if problem.severity.value == "error":
                    raise ForecastInputError(problem.describe())
                notes.append(problem.describe())
            label = str(folder) if len(data.files) > 1 else data.files[0].path
            years.append(year_data(data, label))
    if not years:
        raise ForecastInputError(f"no SSDA903 Header and Episodes found in {', '.join(map(str, paths))}")
    return years, notes
