"""Time of `csc forecast ... -o report.html` (charts drawn) against `-o forecast.csv` (none), from two installations.

Usage: python bench/bench_forecast_report.py --before OLD_CSC --after NEW_CSC [--children 5000] [--repeat 5]
       [--method simulation]
Five synthetic collection years (csc synth, as bench/compare_forecast.py makes them); each round runs every command
of both installations in turns (fresh processes), so a slow spell of a shared machine falls on all of them. Each
cell: median (min-max) seconds over the rounds, CPU (user + system of the child) and wall.
A "csc" may be a wrapper script, e.g. one setting PYTHONPATH to an older `src` (`git archive COMMIT src`).
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from before_after import timed
from compare_forecast import BENCH, synthetic


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--before", required=True, help="the csc command before the change")
    parser.add_argument("--after", required=True, help="the csc command after it")
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--method", default="simulation")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=BENCH / "_data")
    args = parser.parse_args()
    folders, _ = synthetic(args.children, 1, args.out)
    work = args.out / f"forecast-report-{args.children}"
    work.mkdir(parents=True, exist_ok=True)

    def command(csc: str, label: str, suffix: str) -> list[str]:
        return [csc, "forecast", *map(str, folders), "--method", args.method, "-o", str(work / f"{label}{suffix}")]

    commands = {
        (label, suffix): command(csc, label, suffix)
        for label, csc in (("before", args.before), ("after", args.after))
        for suffix in (".csv", ".html")
    }
    for argv in commands.values():  # warm-up: bytecode compiled, caches filled
        timed(argv)
    cpu: dict[tuple[str, str], list[float]] = {key: [] for key in commands}
    wall: dict[tuple[str, str], list[float]] = {key: [] for key in commands}
    for _ in range(args.repeat):
        for key, argv in commands.items():
            seconds_cpu, seconds_wall = timed(argv)
            cpu[key].append(seconds_cpu)
            wall[key].append(seconds_wall)
    print(f"{args.method}, {args.children:,} children, 5 years; {args.repeat} rounds; median (min-max) seconds")
    print("| output | CPU before | CPU after | wall before | wall after | HTML size before / after |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for suffix in (".csv", ".html"):
        size = ""
        if suffix == ".html":
            before, after = ((work / f"{label}.html").stat().st_size for label in ("before", "after"))
            size = f"{before / 1024:,.0f} KiB / {after / 1024:,.0f} KiB"
        print(
            f"| -o f{suffix} | {spread(cpu[('before', suffix)])} | {spread(cpu[('after', suffix)])} | "
            f"{spread(wall[('before', suffix)])} | {spread(wall[('after', suffix)])} | {size} |"
        )


if __name__ == "__main__":
    main()
