"""Benchmark: validating a CIN census of N children, optionally against csc-validator-be-cin (same files, fresh
processes). Usage: python bench/bench_validate_cin.py --children 1000 --children 50000 [--reference PYTHON]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear
from record import heading, ours_and_reference, publish

DATA = Path(__file__).parent / "_data"
YEAR = CollectionYear(2026)
RUNNER = Path(__file__).with_name("reference_cin_runner.py")
OURS = """
import json, sys, time, resource
from pathlib import Path
from csctools.datasets.cin.read import read_cin
from csctools.reference.authorities import find_authority
from csctools.validate.run import validate_return
from csctools.years import CollectionYear
start = time.perf_counter()
data = read_cin(Path(sys.argv[1]))
result = validate_return(data, CollectionYear(2026), find_authority("383"))
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"wall": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": peak}))
"""


def ensure_data(children: int) -> Path:
    folder = DATA / f"cin-{children}"
    if not (folder / "done").exists():
        generate(
            SynthOptions(["383"], YEAR, YEAR, children=children, seed=2026, formats=("csv",), annex_a=False), folder
        )
        (folder / "done").write_text("ok\n")
    return folder / "383" / YEAR.key / f"cin_census_{YEAR.key}.xml"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, action="append")
    parser.add_argument("--reference")
    parser.add_argument("--record", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool, in turn; the lowest kept")
    args = parser.parse_args()
    lines = [
        *heading("Validating a CIN census 2025/26"),
        "| children | tool | wall s | CPU s | peak MiB | CPU ratio |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for children in args.children or [50_000]:
        census = ensure_data(children)
        command = [sys.executable, "-c", OURS, str(census)]
        reference = [args.reference, str(RUNNER), str(census), "cin2025_26"] if args.reference else None
        ours, theirs = ours_and_reference(command, reference, args.repeat)
        lines.append(f"| {children:,} | csctools | {ours['wall']:.2f} | {ours['cpu']:.2f} | {ours['peak_mib']:.0f} | |")
        print(lines[-1], file=sys.stderr)
        if theirs is not None:
            lines.append(
                f"| {children:,} | csc-validator-be-cin 0.1.13 | {theirs['wall']:.2f} | {theirs['cpu']:.2f} "
                f"| {theirs['peak_mib']:.0f} | {theirs['cpu'] / ours['cpu']:.1f}x |"
            )
            print(lines[-1], file=sys.stderr)
    publish(lines, args.record)


if __name__ == "__main__":
    main()
