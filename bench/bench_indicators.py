"""Benchmark: `csc indicators` over a synthetic 903 + CIN census + Annex A return, as a user types it.

Each run is a fresh `csc indicators ... -o FILE` process (wall time from outside, CPU time of the child process),
repeated; the table gives the median and the range. One more row times the indicators alone (the returns already
read), in-process, to separate reading from computing.

`--before OTHER/.venv/bin/csc` runs every command by another installation (e.g. main's) too, in turns with this
one's, so a slow spell of the shared machine falls on both; CPU s counts the worker processes a run starts.

Usage: python bench/bench_indicators.py --children 50000 [--repeat 5] [--before CSC] [--record bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear
from record import compile_sources, heading, publish

DATA = Path(__file__).parent / "_data"
YEAR = CollectionYear(2026)
CSC = Path(sys.executable).with_name("csc")

COMPUTE_ONLY = """
import json, sys, time
from datetime import date
from pathlib import Path
from csctools.read import read_files
from csctools.indicators.records import load_indicators
from csctools.indicators.run import run_indicators
paths = [Path(p) for p in sys.argv[2:]]
returns, _ = read_files([f for p in paths for f in (sorted(p.glob("*.csv")) if p.is_dir() else [p])])
children = sys.argv[1] == "lists"
start, cpu = time.perf_counter(), time.process_time()
run = run_indicators(returns, [], load_indicators(), "383", "Leeds", date(2026, 3, 31), children=children)
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                  "computed": sum(r.computed for r in run.results), "indicators": len(run.results)}))
"""


def ensure_data(children: int) -> list[Path]:
    folder = DATA / f"indicators-{children}"
    if not (folder / "done").exists():
        print(f"generating 903, CIN and Annex A for {children} children (cached in {folder})", file=sys.stderr)
        generate(SynthOptions(["383"], YEAR, YEAR, children=children, seed=2026, formats=("csv",)), folder)
        (folder / "done").write_text("ok\n")
    root = folder / "383"
    return [root / YEAR.key / "ssda903", root / YEAR.key / f"cin_census_{YEAR.key}.xml",
            root / f"annex_a_{YEAR.key}.xlsx"]


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env={**os.environ, "COLUMNS": "200"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--record", type=Path)
    parser.add_argument("--before", type=Path, help="another installation's csc, run in turns with this one's")
    args = parser.parse_args()
    inputs = ensure_data(args.children)
    load_at_start = os.getloadavg()[0]
    compile_sources()
    out = DATA / "indicators-out"
    out.mkdir(parents=True, exist_ok=True)
    base = [str(CSC), "indicators", *map(str, inputs), "--la", "383"]
    lines = [
        *heading(f"Indicators over 903 + CIN census + Annex A, {args.children:,} children"),
        f"Median (min-max) of {args.repeat} runs, on a shared 2-core machine.",
        "",
        "| what | wall s | CPU s |",
        "| --- | ---: | ---: |",
    ]
    targets = (("csc indicators, CSV only (reading all three returns + every indicator)", "i.csv"),
               ("csc indicators -o report.html", "r.html"), ("csc indicators -o indicators.xlsx", "i.xlsx"),
               ("csc indicators -o self-assessment.docx", "s.docx"))
    for label, target in targets:
        if args.before is not None:  # the other installation and this one in turns, round by round
            before_base = [str(args.before), *base[1:]]
            pairs = [(timed([*before_base, "-o", str(out / f"before-{target}")]),
                      timed([*base, "-o", str(out / target)])) for _ in range(args.repeat)]
            for who, runs in (("before", [b for b, _ in pairs]), ("after", [a for _, a in pairs])):
                lines.append(f"| {who}: {label} | {spread([w for w, _ in runs])} | {spread([c for _, c in runs])} |")
                print(lines[-1], file=sys.stderr)
            continue
        runs = [timed([*base, "-o", str(out / target)]) for _ in range(args.repeat)]
        lines.append(f"| {label} | {spread([w for w, _ in runs])} | {spread([c for _, c in runs])} |")
        print(lines[-1], file=sys.stderr)
    for mode, label in (("lists", "with the drill-down lists (an XLSX asked for)"), ("counts", "counts only")):
        found = [json.loads(subprocess.run([sys.executable, "-c", COMPUTE_ONLY, mode, *map(str, inputs)], check=True,
                                           capture_output=True, text=True).stdout.strip().splitlines()[-1])
                 for _ in range(args.repeat)]
        lines.append(f"| the {found[0]['computed']} of {found[0]['indicators']} indicators alone, returns already "
                     f"read (in-process), {label} | {spread([f['seconds'] for f in found])} | "
                     f"{spread([f['cpu'] for f in found])} |")
        print(lines[-1], file=sys.stderr)
    lines += ["", f"Load average (1 min) at the start {load_at_start:.1f}, at the end {os.getloadavg()[0]:.1f}."]
    sizes = ", ".join(f"{p.name} {sum(f.stat().st_size for f in ([p] if p.is_file() else p.iterdir())) / 2**20:.0f} MiB"
                      for p in inputs)
    lines += ["", f"Inputs: {sizes}."]
    publish(lines, args.record)


if __name__ == "__main__":
    main()
