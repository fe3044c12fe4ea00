"""Reading before and after a change, in turns: CPU time of the read call in fresh processes (steadier than wall
time on a shared machine), for the data bench_read.py generated.

Usage: python bench/compare_read_versions.py --before /path/to/old/src [--after src] [--children 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import sys, time, json
from pathlib import Path
from csctools.datasets.annex_a.read import read_annex_a
from csctools.datasets.cin.read import read_cin
from csctools.datasets.ssda903.read import read_903
kind, paths = sys.argv[1], [Path(p) for p in sys.argv[2:]]
c, w = time.process_time(), time.perf_counter()
data = read_annex_a(paths[0]) if kind == "annex_a" else read_cin(paths[0]) if kind == "cin" else read_903(paths)
print(json.dumps([time.process_time() - c, time.perf_counter() - w]))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the src folder of the code before")
    parser.add_argument("--after", default=str(Path(__file__).parent.parent / "src"))
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    root = Path(__file__).parent / "_data" / str(args.children) / "383"
    year = sorted(p for p in root.iterdir() if p.is_dir())[0]
    key = year.name
    cases = {
        "903 CSV": ("ssda903", sorted((year / "ssda903").glob("*.csv"))),
        "903 XML": ("ssda903", [year / f"ssda903_{key}.xml"]),
        "CIN XML": ("cin", [year / f"cin_census_{key}.xml"]),
        "Annex A": ("annex_a", [root / f"annex_a_{key}.xlsx"]),
    }
    versions = {"before": args.before, "after": args.after}
    results: dict[tuple[str, str], list[list[float]]] = {(c, v): [] for c in cases for v in versions}
    for _ in range(args.rounds):
        for case, (kind, paths) in cases.items():
            for version, src in versions.items():
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, kind, *map(str, paths)],
                    capture_output=True,
                    text=True,
                    env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin"},
                    check=True,
                )
                results[(case, version)].append(json.loads(out.stdout))
    print("| input | CPU s before, median (min-max) | CPU s after | wall s before (median) | wall s after |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for case in cases:
        cpu = {v: sorted(r[0] for r in results[(case, v)]) for v in versions}
        wall = {v: statistics.median(r[1] for r in results[(case, v)]) for v in versions}
        cells = [f"{statistics.median(cpu[v]):.2f} ({cpu[v][0]:.2f}-{cpu[v][-1]:.2f})" for v in versions]
        print(f"| {case} | {cells[0]} | {cells[1]} | {wall['before']:.2f} | {wall['after']:.2f} |")


if __name__ == "__main__":
    main()
