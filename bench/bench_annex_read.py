"""Reading one Annex A workbook, before and after a change, in turns: CPU, wall and peak memory of `read_annex_a`.

Each round reads the workbook once with every installation given, each in a fresh process (so a slow spell of a
shared machine falls on all of them), and reports median and min-max over the rounds: CPU seconds (the process's
own, all threads), wall seconds, and the process's peak resident memory (VmHWM). `--phases` also times the parts
of the read in the after-installation, in one thread: the workbook guard, fastexcel's load of every sheet as text,
and the columns made and typed (`read_sheet`).

Usage: python bench/bench_annex_read.py [--workbook bench/_data/indicators-50000/383/annex_a_2025_26.xlsx]
       --before OLD/.venv/bin/python [--after .venv/bin/python] [--rounds 3] [--phases]
(the default workbook is made by `python bench/bench_indicators.py --children 50000 --repeat 1`)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

DEFAULT = Path(__file__).parent / "_data" / "indicators-50000" / "383" / "annex_a_2025_26.xlsx"

READ = """
import json, sys, time
from pathlib import Path
from csctools.datasets.annex_a.read import read_annex_a
c, w = time.process_time(), time.perf_counter()
data = read_annex_a(Path(sys.argv[1]))
cpu, wall = time.process_time() - c, time.perf_counter() - w
peak = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024
rows = sum(frame.height for frame in data.tables.values())
print(json.dumps({"cpu": cpu, "wall": wall, "peak_mib": peak, "rows": rows, "ok": data.ok}))
"""

PHASES = """
import json, sys, time
from pathlib import Path
import fastexcel
from csctools.datasets.annex_a import read as r
from csctools.io import workbook_guard
from csctools.io.result import FileReport
content = Path(sys.argv[1]).read_bytes()
times = {}
def timed(label, work):
    c = time.process_time()
    out = work()
    times[label] = time.process_time() - c
    return out
timed("guard", lambda: workbook_guard.check_workbook("x", content))
book = fastexcel.read_excel(content)
names = [n for n in book.sheet_names if r.sheet_table(n)]
sheets = timed("fastexcel load (every cell as text)", lambda: [r.load_text(book, n) for n in names])
report = FileReport("x")
timed("read_sheet (cell text, typed loads, typing)", lambda: [
    r.read_sheet("x", n, r.sheet_table(n), v, lambda c, d, n=n: r.load_typed(book, n, c, d), report)
    for n, v in zip(names, sheets)])
print(json.dumps(times))
"""


def run(python: str, script: str, workbook: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([python, "-c", script, str(workbook)], capture_output=True, text=True, check=True, env=env)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{statistics.median(ordered):.2f} ({ordered[0]:.2f}-{ordered[-1]:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbook", type=Path, default=DEFAULT)
    parser.add_argument("--before", required=True, help="the python of the installation before")
    parser.add_argument("--after", default=str(Path(__file__).parent.parent / ".venv" / "bin" / "python"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--phases", action="store_true", help="also time the parts of the read (after)")
    args = parser.parse_args()
    versions = {"before": args.before, "after": args.after}
    runs: dict[str, list[dict[str, float]]] = {v: [] for v in versions}
    phases: list[dict[str, float]] = []
    for _ in range(args.rounds):
        for version, python in versions.items():
            runs[version].append(run(python, READ, args.workbook))
        if args.phases:
            phases.append(run(args.after, PHASES, args.workbook))
    if len({json.dumps([r["rows"], r["ok"]]) for v in versions for r in runs[v]}) != 1:
        sys.exit("the installations read different numbers of rows")
    load = os.getloadavg()
    print(
        f"{args.workbook.name}: {int(runs['after'][0]['rows']):,} rows; {args.rounds} rounds in turns; "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (1, 5, 15 min) at the end"
    )
    print("| read_annex_a | CPU s, median (min-max) | wall s | peak MiB |")
    print("| --- | ---: | ---: | ---: |")
    for version in versions:
        rows = runs[version]
        cells = [spread([r[key] for r in rows]) for key in ("cpu", "wall")]
        print(f"| {version} | {cells[0]} | {cells[1]} | {spread([r['peak_mib'] for r in rows])} |")
    cpu = {v: statistics.median(r["cpu"] for r in runs[v]) for v in versions}
    wall = {v: statistics.median(r["wall"] for r in runs[v]) for v in versions}
    print(f"after/before: CPU {cpu['after'] / cpu['before']:.2f}, wall {wall['after'] / wall['before']:.2f}")
    if phases:
        print("| part of the read (after), CPU s | median (min-max) |")
        print("| --- | ---: |")
        for label in phases[0]:
            print(f"| {label} | {spread([p[label] for p in phases])} |")


if __name__ == "__main__":
    main()
