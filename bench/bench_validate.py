"""Benchmark: validating an SSDA903 return with last year's, at several sizes; optionally against the reference.

Each run is a fresh process reporting wall time, CPU time (including reading the files) and peak memory. With
--reference PYTHON, the same files are also validated by csc-validator-be-903 installed in that interpreter's
environment (never a project dependency), via bench/reference_903_runner.py, and the ratio of CPU times is
reported from the same run.

Usage: python bench/bench_validate.py --children 50000 [--children 5000 --reference /tmp/ref903/bin/python]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear
from record import heading, ours_and_reference, publish

DATA = Path(__file__).parent / "_data"
YEAR = CollectionYear(2026)

OURS = """
import json, sys, time, resource
from pathlib import Path
from csctools.datasets.ssda903.read import read_903
from csctools.reference.authorities import find_authority
from csctools.validate.run import validate_return
from csctools.years import CollectionYear
now, last = Path(sys.argv[1]), Path(sys.argv[2])
start, cpu = time.perf_counter(), time.process_time()
data = read_903(sorted(now.glob("*.csv")))
previous = read_903(sorted(last.glob("*.csv")))
result = validate_return(data, CollectionYear(2026), find_authority("383"), previous)
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mib": peak, "cells": result.errors.height, "counts": result.counts()}))
"""

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
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool, in turn; the lowest kept")
    args = parser.parse_args()
    lines = [
        *heading("Validating SSDA903 2025/26 with 2024/25"),
        "| children | tool | wall s | CPU s | peak MiB | CPU ratio |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for children in args.children or [50_000]:
        folder = ensure_data(children)
        now, last = folder / YEAR.key / "ssda903", folder / YEAR.previous().key / "ssda903"
        command = [sys.executable, "-c", OURS, str(now), str(last)]
        runner = [str(RUNNER), str(now), str(last), "lac2025_26", "E08000035"]
        reference = [args.reference, *runner] if args.reference else None
        ours, theirs = ours_and_reference(command, reference, args.repeat)
        lines.append(
            f"| {children:,} | csctools | {ours['seconds']:.2f} | {ours['cpu']:.2f} | {ours['peak_mib']:.0f} | |"
        )
        print(lines[-1], file=sys.stderr)
        if theirs is not None:
            ratio = theirs["cpu"] / ours["cpu"]
            lines.append(
                f"| {children:,} | csc-validator-be-903 0.1.17 | {theirs['wall']:.2f} | {theirs['cpu']:.2f} "
                f"| {theirs.get('peak_mib', 0):.0f} | {ratio:.1f}x |"
            )
            print(lines[-1], file=sys.stderr)
    publish(lines, args.record)


if __name__ == "__main__":
    main()
