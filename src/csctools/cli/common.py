"""Helpers shared by the commands: one-line errors, expanding folders into files."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from csctools.years import CollectionYear

if TYPE_CHECKING:
    from rich.console import Console

INPUT_SUFFIXES = (".csv", ".xml", ".xlsx", ".xlsm", ".xls")


@cache
def err_console() -> Console:
    """The rich console on stderr for progress bars, made on first use (rich is slow to import)."""
    from rich.console import Console

    return Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Stop with a one-line message and an exit code (2: the input could not be used)."""
    typer.echo(f"csc: {message}", err=True)
    raise typer.Exit(code)


def parse_year(text: str | None) -> CollectionYear | None:
    """A collection year as a person writes it (2025/26); a bare 2025 could be either year, so it is refused."""
    if text is None:
        return None
    if re.fullmatch(r"\s*20\d\d\s*", text):
        first, second = (CollectionYear(int(text) + n) for n in (0, 1))
        fail(
            f"'{text.strip()}' could be {first.label} or {second.label}: give the collection year, e.g. {second.label}"
        )
    try:
        return CollectionYear.parse(text)
    except ValueError as error:
        fail(str(error))


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; folders become the CSV, XML and workbook files inside them (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES))
        else:
            files.append(path)
    return files


def plural(count: int, singular: str, many: str | None = None) -> str:
    """'1 rule', '2 rules', '1 child', '3 children'."""
    return f"{count:,} {singular if count == 1 else (many or singular + 's')}"
