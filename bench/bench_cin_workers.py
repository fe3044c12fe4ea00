"""Benchmark: a CIN census read in one process and in two (`read_cin(path, workers=1 | 2)`), for the size threshold.

Usage: python bench/bench_cin_workers.py CENSUS.xml [CENSUS.xml ...] [--repeat 3] [--record bench/RESULTS.md]

Each round reads each file in a fresh process with one worker, then with two, in turns. For each it gives the wall
seconds of the read, the CPU seconds of this process and of the worker process (from the kernel's accounting of
the children it waited for), and, for two processes, the larger of the two CPU figures: the wall time the read
would take with a free core for each (on a shared machine the measured wall time says more about the others'
load than about the reader). Median (min-max) over the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from record import heading, publish

SCRIPT = """
import json, resource, sys, time
from pathlib import Path
from csctools.datasets.cin.read import read_cin
path, workers = Path(sys.argv[1]), int(sys.argv[2])
start, cpu = time.perf_counter(), time.process_time()
data = read_cin(path, workers=workers)
wall, own = time.perf_counter() - start, time.process_time() - cpu
worker = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "own": own, "worker": worker.ru_utime + worker.ru_stime, "ok": data.ok}))
"""


def run(path: Path, workers: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(path), str(workers)], capture_output=True, check=True)
    found: dict[str, float] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    if not found["ok"]:
        raise SystemExit(f"{path} could not be read")
    return found


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("census", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", type=Path)
    args = parser.parse_args()
    lines = heading("A CIN census read in one process and in two")
    lines += [
        f"Fresh processes in turns, {args.repeat} rounds; median (min-max) seconds. Load average at the start "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        "| census | one process: wall | CPU | two: wall | this process CPU | worker CPU | CPU in all "
        "| the larger CPU (wall on free cores) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for path in args.census:
        one: list[dict[str, float]] = []
        two: list[dict[str, float]] = []
        for _ in range(args.repeat):
            one.append(run(path, 1))
            two.append(run(path, 2))
        size = f"{path.stat().st_size / 2**20:.0f} MiB"
        cells = [spread([r["wall"] for r in one]), spread([r["own"] for r in one]), spread([r["wall"] for r in two])]
        cells += [spread([r["own"] for r in two]), spread([r["worker"] for r in two])]
        cells += [spread([r["own"] + r["worker"] for r in two]), spread([max(r["own"], r["worker"]) for r in two])]
        lines.append(f"| {path.parent.name} ({size}) | {' | '.join(cells)} |")
        print(lines[-1], file=sys.stderr)
    lines += ["", f"Load average at the end {os.getloadavg()[0]:.1f}."]
    publish(lines, args.record)


if __name__ == "__main__":
    main()
