"""Benchmark: reading a return for N children (903 CSVs, 903 XML, CIN XML, Annex A XLSX).

Each read runs in a fresh process, which reports its wall time and peak resident memory.
Usage: python bench/bench_read.py --children 50000 [--repeat 3] [--record bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear
from record import publish

DATA = Path(__file__).parent / "_data"
YEAR = CollectionYear(2026)
TARGET_SECONDS, TARGET_MIB = 3.0, 1024

CHILD_SCRIPT = """
import json, sys, time
from pathlib import Path
from csctools.datasets.annex_a.read import read_annex_a
from csctools.datasets.cin.read import read_cin
from csctools.datasets.ssda903.read import read_903
kind, paths = sys.argv[1], [Path(p) for p in sys.argv[2:]]
start = time.perf_counter()
if kind == "annex_a":
    data = read_annex_a(paths[0])
elif kind == "cin":
    data = read_cin(paths[0])
else:
    data = read_903(paths)
elapsed = time.perf_counter() - start
rows = sum(frame.height for frame in data.tables.values())
children = {"annex_a": "List8", "cin": "ChildIdentifiers"}.get(kind, "Header")
status = Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]
peak = int(status) / 1024  # high-water mark of this process's own memory (ru_maxrss counts the parent after fork)
print(json.dumps({"seconds": elapsed, "peak_mib": peak, "rows": rows, "ok": data.ok,
                  "children": data.tables[children].height}))
"""


def ensure_data(children: int) -> Path:
    folder = DATA / f"{children}"
    if not (folder / "done").exists():
        print(f"generating synthetic data for {children} children (once; cached in {folder})", file=sys.stderr)
        start = time.perf_counter()
        generate(SynthOptions(["383"], YEAR, YEAR, children=children, seed=2026), folder)
        (folder / "done").write_text(f"{time.perf_counter() - start:.1f}s\n")
    return folder


def measure(kind: str, paths: list[Path], repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD_SCRIPT, kind, *map(str, paths)], check=True, capture_output=True, text=True
        )
        runs.append({**json.loads(out.stdout), "process": time.perf_counter() - began})
    best = min(runs, key=lambda r: r["seconds"])
    seconds = sorted(r["seconds"] for r in runs)
    return {
        **best,
        "median": statistics.median(seconds),
        "slowest": seconds[-1],
        "peak_mib": max(r["peak_mib"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", type=Path, help="append the results to this Markdown file")
    args = parser.parse_args()
    folder = ensure_data(args.children) / "383"
    year = folder / YEAR.key
    cases = {
        "SSDA903 CSV tables": ("ssda903", sorted((year / "ssda903").glob("*.csv"))),
        "SSDA903 XML": ("ssda903", [year / f"ssda903_{YEAR.key}.xml"]),
        "CIN census XML": ("cin", [year / f"cin_census_{YEAR.key}.xml"]),
        "Annex A XLSX": ("annex_a", [folder / f"annex_a_{YEAR.key}.xlsx"]),
    }
    lines = [
        f"### Reading, {args.children} children ({date.today()}, {platform.python_version()}, "
        f"{platform.machine()}, {args.repeat} runs)",
        "",
        f"Command: `python bench/bench_read.py --children {args.children} --repeat {args.repeat}`",
        "",
        "| input | size | children | rows | read s (median, min-max) | whole process s (fastest run) | peak MiB "
        "| target (3 s, 1 GiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, (kind, paths) in cases.items():
        result = measure(kind, paths, args.repeat)
        size = sum(p.stat().st_size for p in paths) / 2**20
        met = "met" if result["seconds"] < TARGET_SECONDS and result["peak_mib"] < TARGET_MIB else "NOT met"
        lines.append(
            f"| {label} | {size:.0f} MiB | {result['children']:,} | {result['rows']:,} | {result['median']:.2f} "
            f"({result['seconds']:.2f}-{result['slowest']:.2f}) "
            f"| {result['process']:.2f} | {result['peak_mib']:.0f} | {met} |"
        )
        print(lines[-1], file=sys.stderr)
    publish(lines, args.record)


if __name__ == "__main__":
    main()
