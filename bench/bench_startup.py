"""Benchmark: start-up of the `csc` command (issue 17: `csc --help` and `csc validate --help` under 0.15 s).

Usage: python bench/bench_startup.py [--repeat 15] [--src OTHER/src --label before] [--record bench/RESULTS.md]
Runs the installed `csc` script as a user types it, beside a bare interpreter, `import typer` and `import polars`,
in turns (so a slow spell of the shared machine falls on all alike); wall and CPU seconds as median (min-max).
--src puts another checkout's src folder first on PYTHONPATH (e.g. main before this change) for a before figure.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from record import heading, publish

TARGET_S = 0.15


def commands(python: str, csc: str) -> list[tuple[str, list[str]]]:
    """What is timed: the two help pages of the target, every other help page's worst case, and references."""
    return [
        ("`csc --help`", [csc, "--help"]),
        ("`csc validate --help`", [csc, "validate", "--help"]),
        ("`csc synth --help`", [csc, "synth", "--help"]),
        ("`csc version`", [csc, "version"]),
        ('`python -c "pass"` (bare interpreter)', [python, "-c", "pass"]),
        ('`python -c "import typer"`', [python, "-c", "import typer"]),
        ('`python -c "import typer.rich_utils"` (typer\'s rich help)', [python, "-c", "import typer.rich_utils"]),
        ('`python -c "import polars"`', [python, "-c", "import polars"]),
    ]


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of the command; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--src", type=Path, help="a src folder to run instead of the installed csctools")
    parser.add_argument("--label", default="this branch")
    parser.add_argument("--record", type=Path)
    args = parser.parse_args()
    python = sys.executable
    csc = str(Path(python).parent / "csc")
    env = dict(os.environ, COLUMNS="100")
    import csctools

    source = args.src.resolve() if args.src else Path(csctools.__file__).parent.parent
    if args.src:
        env["PYTHONPATH"] = str(source)
    compileall.compile_dir(source / "csctools", quiet=1)  # bytecode, as an installed package has it
    timed = commands(python, csc)
    for _, command in timed:  # warm the file cache; not counted
        run_once(command, env)
    walls: list[list[float]] = [[] for _ in timed]
    cpus: list[list[float]] = [[] for _ in timed]
    for _ in range(args.repeat):
        for (_, command), wall, cpu in zip(timed, walls, cpus, strict=True):
            took, used = run_once(command, env)
            wall.append(took)
            cpu.append(used)
    lines = heading(f"Start-up of `csc`, {args.label}, {args.repeat} runs each")
    lines += [
        f"csctools from {source}; shared 2-core machine (other agents running), so the max is noisy.",
        "",
        f"| command | wall s, median (min-max) | CPU s, median (min-max) | target {TARGET_S} s |",
        "| --- | ---: | ---: | --- |",
    ]
    for (name, command), wall, cpu in zip(timed, walls, cpus, strict=True):
        target = ""
        if command[0] == csc and "--help" in command:
            target = "met" if statistics.median(wall) < TARGET_S else "not met"
        lines.append(f"| {name} | {spread(wall)} | {spread(cpu)} | {target} |")
    publish(lines, args.record)


if __name__ == "__main__":
    main()
