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
    runs = [measure(command) for _ in range(max(1, repeat))]
    return {key: min(run[key] for run in runs) for key in runs[0]}


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
