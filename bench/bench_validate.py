"""Benchmark: validating an SSDA903 return with last year's, at several sizes, through the CLI as a user types it
(`csc validate 903 THIS --previous LAST --la 383 -o errors.csv`); optionally against the reference.

Each run is a fresh process; its wall time, CPU time (user + system, from the kernel's accounting of the finished
child: start-up, reading and validating) and peak memory are taken the same way for both tools. With --reference
PYTHON, the same files are validated by csc-validator-be-903 installed in that interpreter's environment (never a
project dependency) via bench/reference_903_runner.py, in turns with csctools, and the ratio of CPU times of each
round is reported: median and min-max over the rounds.

Usage: python bench/bench_validate.py --children 1000 --children 5000 --reference /work/refvenv/bin/python --repeat 7
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear
from record import compile_sources, heading, publish

DATA = Path(__file__).parent / "_data"
YEAR = CollectionYear(2026)
CSC = Path(sys.executable).with_name("csc")
Figures = dict[str, float]


def run_measured(command: list[str]) -> Figures:
    """Run a process to its end: wall seconds, CPU seconds and peak MiB from the kernel's accounting of it."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    errors = child.stderr.read().decode() if child.stderr else ""
    if child.returncode not in (0, 1):  # 1: csc found errors in the return
        raise SystemExit(f"{' '.join(command)} failed:\n{errors}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}


def spread(values: list[float], digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


RUNNER = Path(__file__).with_name("reference_903_runner.py")


def ensure_data(children: int) -> Path:
    folder = DATA / f"validate-{children}"
    if not (folder / "done").exists():
        print(f"generating two years of 903 data for {children} children (cached in {folder})", file=sys.stderr)
        generate(
            SynthOptions(
                ["383"], YEAR.previous(), YEAR, children=children, seed=2026, formats=("csv",), annex_a=False, cin=False
            ),
            folder,
        )
        (folder / "done").write_text("ok\n")
    return folder / "383"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, action="append")
    parser.add_argument("--reference", help="python of an environment with csc-validator-be-903 installed")
    parser.add_argument("--record", type=Path)
    parser.add_argument("--repeat", type=int, default=5, help="rounds, each running every tool once, in turn")
    args = parser.parse_args()
    compile_sources()
    lines = [
        *heading("Validating SSDA903 2025/26 with 2024/25 through the CLI"),
        "Median (min-max) over the rounds; the machine is shared with other work.",
        "",
        "| children | tool | wall s | CPU s | peak MiB | CPU ratio (reference / csctools, per round) |",
        "| ---: | --- | --- | --- | ---: | --- |",
    ]
    for children in args.children or [50_000]:
        folder = ensure_data(children)
        now, last = folder / YEAR.key / "ssda903", folder / YEAR.previous().key / "ssda903"
        with tempfile.TemporaryDirectory() as scratch:
            ours = [str(CSC), "validate", "903", str(now), "--previous", str(last), "--la", "383"]
            ours += ["-o", str(Path(scratch, "errors.csv"))]
            runner = [str(RUNNER), str(now), str(last), "lac2025_26", "E08000035"]
            theirs = [args.reference, *runner] if args.reference else None
            rounds: list[tuple[Figures, Figures | None]] = []
            for _ in range(max(1, args.repeat)):
                rounds.append((run_measured(ours), run_measured(theirs) if theirs else None))
        mine = [r[0] for r in rounds]
        row = f"| {children:,} | csctools | {spread([f['wall'] for f in mine])} | {spread([f['cpu'] for f in mine])} "
        lines.append(row + f"| {statistics.median(f['peak_mib'] for f in mine):.0f} | |")
        print(lines[-1], file=sys.stderr)
        reference = [r[1] for r in rounds if r[1] is not None]
        if reference:
            ratios = [b["cpu"] / a["cpu"] for a, b in zip(mine, reference, strict=True)]
            peak = statistics.median(f["peak_mib"] for f in reference)
            lines.append(
                f"| {children:,} | csc-validator-be-903 0.1.17 | {spread([f['wall'] for f in reference])} "
                f"| {spread([f['cpu'] for f in reference])} | {peak:.0f} | {spread(ratios, 1)}x |"
            )
            print(lines[-1], file=sys.stderr)
    publish(lines, args.record)


if __name__ == "__main__":
    main()
