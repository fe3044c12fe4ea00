"""Shared by the benchmarks: run a measured process, head a result table, print it and append it to RESULTS.md."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path


def measure(command: list[str]) -> dict[str, float]:
    """Run a process that prints its measurements as JSON on its last line; the numbers it printed."""
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return {key: float(value) for key, value in found.items() if isinstance(value, int | float)}


def best_of(command: list[str], repeat: int) -> dict[str, float]:
    """Run the process `repeat` times; each figure is its lowest over the runs (the least disturbed by other work on
    a shared machine). Both tools of a comparison get the same treatment."""
    return best_of_each([command], repeat)[0]


def best_of_each(commands: list[list[str]], repeat: int) -> list[dict[str, float]]:
    """Run the commands in turn, `repeat` rounds, so that a slow spell of a shared machine falls on every tool
    alike; each command's figures are its lowest over the rounds."""
    compile_sources()
    runs: list[list[dict[str, float]]] = [[] for _ in commands]
    for _ in range(max(1, repeat)):
        for command, found in zip(commands, runs, strict=True):
            found.append(measure(command))
    return [{key: min(run[key] for run in found) for key in found[0]} for found in runs]


Figures = dict[str, float]


def ours_and_reference(ours: list[str], reference: list[str] | None, repeat: int) -> tuple[Figures, Figures | None]:
    """csctools' figures and, when a reference command is given, the reference's, the two run in turns."""
    if reference is None:
        return best_of(ours, repeat), None
    mine, theirs = best_of_each([ours, reference], repeat)
    return mine, theirs


def compile_sources() -> None:
    """Write csctools' bytecode, as an installed package has it (PYTHONDONTWRITEBYTECODE would otherwise leave the
    interpreter compiling every module on every run)."""
    import compileall

    import csctools

    compileall.compile_dir(Path(csctools.__file__).parent, quiet=1)


def heading(title: str) -> list[str]:
    """The title with today's date and Python version, then the command that produced the figures."""
    return [
        f"### {title} ({date.today()}, Python {platform.python_version()})",
        "",
        f"Command: `python {Path(sys.argv[0]).as_posix()} " + " ".join(sys.argv[1:]) + "`",
        "",
    ]


def publish(lines: list[str], record: Path | None) -> None:
    text = "\n".join(lines) + "\n"
    print(text)
    if record:
        with record.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)
