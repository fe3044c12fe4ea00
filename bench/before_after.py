"""Before and after a change: the same `csc validate` command run by two installations, in turns.

Each round runs the "before" command then the "after" one (fresh processes), so a slow spell of a shared machine
falls on both. Reports CPU seconds (user + system, from the kernel's accounting of the child) and wall seconds as
median and min-max over the rounds, and the after/before ratio of the CPU medians.

Usage: python bench/before_after.py --before OLD/.venv/bin/csc --after .venv/bin/csc [--repeat 7]
       [--children 5000] [--cin-children 1000 --cin-children 50000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

DATA = Path(__file__).parent / "_data"
YEAR = CollectionYear(2026)


def synthetic(children: int, cin: bool) -> Path:
    folder = DATA / f"before-after-{'cin' if cin else '903'}-{children}"
    if not (folder / "done").exists():
        print(f"generating {children} children ({folder})", file=sys.stderr)
        first = YEAR if cin else YEAR.previous()
        options = SynthOptions(
            ["383"], first, YEAR, children=children, seed=2026, formats=("csv",), annex_a=False, cin=cin
        )
        generate(options, folder)
        (folder / "done").write_text("ok\n")
    return folder / "383"


def command(csc: str, kind: str, folder: Path, out: Path) -> list[str]:
    if kind == "903":
        now, last = folder / YEAR.key / "ssda903", folder / YEAR.previous().key / "ssda903"
        return [csc, "validate", "903", str(now), "--previous", str(last), "--la", "383", "-o", str(out)]
    census = next((folder / YEAR.key).glob("cin*.xml"))
    return [csc, "validate", "cin", str(census), "--la", "383", "-o", str(out)]


def timed(argv: list[str]) -> tuple[float, float]:
    """CPU and wall seconds of one run (exit 0 or 1: errors found is not a failure)."""
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = os.times()
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return (after.children_user - before.children_user) + (after.children_system - before.children_system), wall


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def compare(before: str, after: str, kind: str, children: int, repeat: int) -> str:
    folder = synthetic(children, cin=kind == "cin")
    out = DATA / "before-after-out"
    out.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for csc in (before, after):  # warm-up: bytecode compiled, caches filled, outputs compared
        timed(command(csc, kind, folder, out / f"{kind}-{'before' if csc == before else 'after'}.csv"))
    for _ in range(repeat):
        for label, csc in (("before", before), ("after", after)):
            runs[label].append(timed(command(csc, kind, folder, out / f"{kind}-{label}.csv")))
    cpu = {label: [c for c, _ in values] for label, values in runs.items()}
    wall = {label: [w for _, w in values] for label, values in runs.items()}
    ratio = statistics.median(cpu["after"]) / statistics.median(cpu["before"])
    return (
        f"| {kind} {children:,} | {spread(cpu['before'])} | {spread(cpu['after'])} | {ratio:.2f} | "
        f"{spread(wall['before'])} | {spread(wall['after'])} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--before", required=True, help="the csc command of the installation before the change")
    parser.add_argument("--after", required=True, help="the csc command after it")
    parser.add_argument("--children", type=int, action="append", help="903 sizes (with last year)")
    parser.add_argument("--cin-children", type=int, action="append", help="CIN census sizes")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"rounds: {args.repeat}; each cell median (min-max) seconds")
    print("| return | CPU before | CPU after | after/before CPU | wall before | wall after |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for children in args.children or []:
        print(compare(args.before, args.after, "903", children, args.repeat), flush=True)
    for children in args.cin_children or []:
        print(compare(args.before, args.after, "cin", children, args.repeat), flush=True)


if __name__ == "__main__":
    main()
