"""Benchmark: the engine's cost per return at the store's door (issue 15), in process, as store/pipeline.py calls it.

A store add reads and validates every return in worker processes (store/intake.py: `arrive` reads one return's
files, `check` validates it with the same engine as `csc validate`, with last year's return as the store holds
it). A hub of 33 authorities x 3 years pays this 198 times, so the fixed costs per return count, not the start-up.

Each round is a fresh process per installation (`--python`, given once per installation, run in turns), which reads
and checks one authority's 1,000-child SSDA903 return (with last year's, as stored) and its CIN census `--warm`
times after one unmeasured pass: the CPU seconds (`time.process_time`, every thread) of each step, median of the
warm passes. The figures are then the median (min-max) over the rounds. The error tables of every pass and every
installation are compared byte for byte (as CSV) in each round.

Usage: python bench/bench_validate_door.py [--children 1000] [--repeat 3] [--warm 5]
       [--python /work/wt/baseline/.venv/bin/python --python .venv/bin/python] [--polars-threads 1 | --also-one-thread]
       [--record bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent / "_data"
STEPS = ("903 read", "903 check", "CIN read", "CIN check")

# the measured process: run by each installation's python, so that it imports that installation's csctools
CHILD = r"""
import hashlib, json, statistics, sys, time
from pathlib import Path

from csctools.io.result import ReturnData
from csctools.reference.authorities import find_authority
from csctools.store.intake import LastYear, arrive, check, kept_tables

base, warm = Path(sys.argv[1]), int(sys.argv[2])
authority = find_authority("383")


def files(path):
    return sorted(path.iterdir()) if path.is_dir() else [path]


last = arrive(files(base / "2024_25" / "ssda903"), authority)
stored = kept_tables(check(last))  # last year's return as the store keeps it
previous = LastYear(1, 1, ReturnData("ssda903", last.data.year, stored, []))
spent, digests = {}, {}
for turn in range(warm + 1):
    for name, paths, before in (
        ("903", files(base / "2025_26" / "ssda903"), previous),
        ("CIN", [base / "2025_26" / "cin_census_2025_26.xml"], None),
    ):
        start = time.process_time()
        arrival = arrive(paths, authority)
        read = time.process_time()
        submission = check(arrival, before)
        done = time.process_time()
        if turn:  # the first pass loads what a worker loads once
            spent.setdefault(name + " read", []).append(read - start)
            spent.setdefault(name + " check", []).append(done - read)
        digest = hashlib.sha256(submission.errors.write_csv().encode()).hexdigest()
        if digests.setdefault(name, digest) != digest:
            raise SystemExit(f"{name}: pass {turn} of this process gave another error table than the first")
print(json.dumps({"cpu": {k: statistics.median(v) for k, v in spent.items()}, "errors": digests}))
"""


def ensure_data(children: int) -> Path:
    folder = DATA / f"door-{children}"
    if not (folder / "done").exists():
        from csctools.synth.generate import SynthOptions, generate
        from csctools.years import CollectionYear

        year = CollectionYear(2026)
        print(f"generating {children} children, 903 and CIN, two years (cached in {folder})", file=sys.stderr)
        options = SynthOptions(
            ["383"], year.previous(), year, children=children, seed=2026, formats=("csv",), annex_a=False, cin=True
        )
        generate(options, folder)
        (folder / "done").write_text("ok\n")
    return folder / "383"


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each running every installation once")
    parser.add_argument("--warm", type=int, default=5, help="measured passes in each process, after one unmeasured")
    parser.add_argument("--python", action="append", help="an installation's python (repeat to compare, in turns)")
    parser.add_argument("--polars-threads", type=int, help="POLARS_MAX_THREADS for the measured processes")
    parser.add_argument(
        "--also-one-thread", action="store_true", help="each installation again with POLARS_MAX_THREADS=1, in turns"
    )
    parser.add_argument("--record", type=Path)
    args = parser.parse_args()
    pythons = args.python or [sys.executable]
    env = dict(os.environ)
    if args.polars_threads:
        env["POLARS_MAX_THREADS"] = str(args.polars_threads)
    runs = [(python, python, env) for python in pythons]  # label, python, environment
    if args.also_one_thread:
        runs += [(f"{python}, one polars thread", python, env | {"POLARS_MAX_THREADS": "1"}) for python in pythons]
    base = ensure_data(args.children)
    load_before = os.getloadavg()[0]
    rounds: dict[str, list[dict[str, float]]] = {label: [] for label, _, _ in runs}
    for _ in range(max(1, args.repeat)):
        digests = set()
        for label, python, environment in runs:
            command = [python, "-c", CHILD, str(base), str(args.warm)]
            out = subprocess.run(command, check=True, capture_output=True, env=environment)
            found = json.loads(out.stdout.decode().strip().splitlines()[-1])
            rounds[label].append(found["cpu"])
            digests.add(json.dumps(found["errors"], sort_keys=True))
        if len(digests) != 1:
            raise SystemExit("the installations' error tables differ: " + " / ".join(sorted(digests)))
    load_after = os.getloadavg()[0]
    lines = [
        f"### The engine at the store's door, per return, {args.children:,} children (in process)",
        "",
        f"Command: `python bench/bench_validate_door.py --children {args.children} --repeat {args.repeat} "
        f"--warm {args.warm}"
        + (f" --polars-threads {args.polars_threads}" if args.polars_threads else "")
        + (" --also-one-thread" if args.also_one_thread else "")
        + "".join(f" --python {p}" for p in pythons)
        + "`",
        "",
        f"CPU s per return (`arrive` reads, `check` validates; 903 with last year's as stored): median of "
        f"{args.warm} warm passes in a process, then median (min-max) over {args.repeat} fresh processes per "
        f"installation in turns. Error tables identical (sha256 of each CSV) in every round. Load average (1 min) "
        f"{load_before:.1f} at the start, {load_after:.1f} at the end, on 2 cores shared with other work.",
        "",
        "| python | " + " | ".join(STEPS) + " | all four |",
        "| --- | " + " | ".join("---:" for _ in STEPS) + " | ---: |",
    ]
    for python in rounds:
        found = rounds[python]
        cells = [spread([r[step] for r in found]) for step in STEPS]
        total = spread([sum(r[step] for step in STEPS) for r in found])
        lines.append(f"| `{python}` | " + " | ".join(cells) + f" | {total} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.record:
        with args.record.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()
