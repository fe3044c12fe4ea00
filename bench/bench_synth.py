"""`csc synth` before and after a change: the same command run from two source trees, in turns.

Each round runs "before" then "after" (fresh processes, PYTHONPATH pointing at each tree's src), so a slow spell of a
shared machine falls on both. Reports CPU seconds (user + system of the child, from the kernel) and wall seconds as
median and min-max over the rounds, and the after/before ratio of the CPU medians.

Usage: python bench/bench_synth.py --before OLD/src --after src [--repeat 3] [-- csc synth arguments...]
(default arguments: --la 383 --children 100000 --seed 1, both formats, CIN and Annex A, 2024/25 to 2025/26)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN = "from csctools.cli.main import run; run()"
DEFAULT = ["--la", "383", "--children", "100000", "--seed", "1"]


def once(src: Path, arguments: list[str]) -> tuple[float, float]:
    """CPU and wall seconds of one `csc synth` run from the tree at src."""
    out = Path(tempfile.mkdtemp(prefix="bench-synth-"))
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    command = [sys.executable, "-c", RUN, "synth", *arguments, "--out", str(out)]
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    shutil.rmtree(out, ignore_errors=True)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"csc synth failed from {src}")
    return usage.ru_utime + usage.ru_stime, wall


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("arguments", nargs="*", help="csc synth arguments (after --)")
    args = parser.parse_args()
    arguments = args.arguments or DEFAULT
    times: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for round_number in range(1, args.repeat + 1):
        for label, src in (("before", args.before), ("after", args.after)):
            cpu, wall = once(src, arguments)
            times[label].append((cpu, wall))
            print(f"round {round_number} {label}: {cpu:.1f} s CPU, {wall:.1f} s wall", file=sys.stderr, flush=True)
    print(f"`csc synth {' '.join(arguments)}`, {args.repeat} rounds: median (min-max)\n")
    print("| | CPU s | wall s |\n| --- | ---: | ---: |")
    for label, pairs in times.items():
        print(f"| {label} | {spread([c for c, _ in pairs])} | {spread([w for _, w in pairs])} |")
    ratio = statistics.median(c for c, _ in times["after"]) / statistics.median(c for c, _ in times["before"])
    print(f"\nafter/before CPU: {ratio:.2f}")


if __name__ == "__main__":
    main()
