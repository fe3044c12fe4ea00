"""`csc --help` without loading typer (issue 17: the page in under 0.15 s; importing typer alone takes ~0.11 s).

The page lists the commands with the first sentence of each command's help, laid out as typer's plain (click)
help lays it out at the terminal's width. tests/test_top_help.py renders typer's own page at every width this
layout has and requires it to be identical, so a command added, renamed or re-described without changing this list
fails the tests. Every other help page (`csc validate --help`, `csc rules --help`, ...) is typer's.
"""

from __future__ import annotations

import os
import sys

DESCRIPTION = "csctools: data tools for children's services in England (SSDA903, CIN census, Annex A)."

# (command, the start of its help: up to the end of its first sentence), in the order `csc --help` lists them
COMMANDS: tuple[tuple[str, str], ...] = (
    ("synth", "Generate seeded synthetic SSDA903 (CSV and XML), CIN census (XML) and Annex A (XLSX) files."),
    ("inspect", "Say what each file holds and whether it can be read."),
    ("validate", "Validate a return against every DfE rule of its year and any packs."),
    ("serve", "Start the web page on this computer only (127.0.0.1); uploads are deleted when it stops (Ctrl+C)."),
    ("forecast", "Forecast children looked after and their cost from several years of SSDA903 returns."),
    ("indicators", "Indicators from this year's returns, benchmarked against LAIT."),
    ("accept", "Accept a query: its failures are listed apart from outstanding ones in every report, never hidden."),
    ("tools", "Every tool csctools has, and every installed pack, with a one-line purpose and a runnable example."),
    ("version", "Print the csctools version."),
    ("rules", "List and explain validation rules."),
    ("packs", "Local rule packs: write, check, list, share and install them."),
    ("share", "Pseudonymise returns under a sharing policy, with the hub's key."),
    ("store", "Keep every authority's submissions (append-only) and publish merged datasets."),
)

INDENT = "  "


def terminal_columns() -> int:
    """The terminal's width as Python's `shutil.get_terminal_size` tells it (COLUMNS first, 80 when unknown)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # no stdout, or not a terminal
            columns = 0
    return columns if columns > 0 else 80


def page_width(columns: int) -> int:
    """The width the help is laid out in: two less than the terminal, at most 78 and at least 50 columns."""
    return max(min(columns, 80) - 2, 50)


def wrapped(text: str, width: int, indent: str) -> list[str]:
    """`text` in lines of at most `width` characters (indent included), broken at spaces."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(indent) + len(line) + 1 + len(word) > width:
            lines.append(indent + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(indent + line)
    return lines


def shortened(text: str, limit: int) -> str:
    """`text` cut to fit `limit` characters: whole up to its first full stop if that fits, else whole words and
    '...'."""
    kept: list[str] = []
    length = 0
    for word in text.split():
        longer = length + len(word) + (1 if kept else 0)
        if longer > limit:
            break
        kept.append(word)
        length = longer
        if word.endswith("."):
            return " ".join(kept)
    else:
        return " ".join(kept)
    while kept and length + len("...") > limit:
        length -= len(kept.pop()) + (1 if kept else 0)
    return " ".join(kept) + "..."


def top_help(width: int) -> str:
    """The text of `csc --help` laid out `width` columns wide (see `page_width`)."""
    name_width = max(len(name) for name, _ in COMMANDS)
    limit = width - 6 - name_width
    lines = ["Usage: csc [OPTIONS] COMMAND [ARGS]...", "", *wrapped(DESCRIPTION, width, INDENT), ""]
    lines += ["Options:", f"{INDENT}--help  Show this message and exit.", "", "Commands:"]
    lines += [f"{INDENT}{name.ljust(name_width)}  {shortened(text, limit)}" for name, text in COMMANDS]
    return "\n".join(lines) + "\n"


def print_top_help() -> None:
    sys.stdout.write(top_help(page_width(terminal_columns())))
