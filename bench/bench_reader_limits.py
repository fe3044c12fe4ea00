"""Benchmark: the readers against the bare engine under them (issue 17), through the command a user types.

Usage: python bench/bench_reader_limits.py [--children-903 100000] [--children-cin 400000] [--repeat 5]
       [--src OTHER/src --label before] [--before-src OTHER/src] [--only 903|cin|providers]
       [--record bench/RESULTS.md]

Each case runs fresh processes in turns (a slow spell of the shared machine falls on all alike), `--repeat`
rounds, and gives wall and CPU seconds (user + system, every thread) and the peak resident memory of each:

- 903: `csc inspect --json` over this year's and last year's CSV folders, beside a bare `polars.read_csv` of the
  same 22 files (`pl.read_csv(path)` each, in one process);
- CIN: `csc inspect --json` over one census file (a census of 48 MiB or more is read in two processes), and
  `read_files` in this process alone (`cin_workers=1`), beside a bare lxml `iterparse` of it (every element's end
  event, its text taken, each <Child> cleared and dropped once read: the least a streaming reader does);
- providers: `csc inspect --json` over the synthetic Ofsted list, a first read (nothing cached) and a later read
  of the same list, beside python-calamine loading its sheet.

The ratio is csctools' figure over the bare engine's in the same round: median (min-max) over the rounds.
`--src` runs csctools from another checkout's src folder (the code before a change) with the same data;
`--before-src` adds that checkout's `csc inspect` and `read_files` (903 and CIN) to the same rounds, in turns with
this one;
`--at-once` starts every run of every command at the same time instead of in turns (CPU and peak comparable).
Peak MiB is the largest resident set of any one process (rusage); "all processes" adds up the resident sets of
the process and its children, sampled every 20 ms (shared library pages counted in each).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from record import heading, publish

DATA = Path(__file__).parent / "_data"
PYTHON = sys.executable
CSC = str(Path(sys.executable).with_name("csc"))

# Each in-process script prints the seconds its reading took (after its imports) as JSON on its last line.
BARE_903 = """
import json, sys, time
import polars as pl
start, cpu = time.perf_counter(), time.process_time()
for path in sys.argv[1:]:
    pl.read_csv(path)
print(json.dumps({"inside": time.perf_counter() - start, "inside_cpu": time.process_time() - cpu}))
"""
BARE_LXML = """
import json, sys, time
from lxml import etree
start, cpu = time.perf_counter(), time.process_time()
for _, element in etree.iterparse(sys.argv[1], events=("end",)):
    element.text
    if element.tag == "Child" or element.tag.endswith("}Child"):
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
print(json.dumps({"inside": time.perf_counter() - start, "inside_cpu": time.process_time() - cpu}))
"""
BARE_CALAMINE = """
import json, sys, time
import python_calamine
start, cpu = time.perf_counter(), time.process_time()
book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
for name in book.sheet_names:
    book.get_sheet_by_name(name).to_python()
print(json.dumps({"inside": time.perf_counter() - start, "inside_cpu": time.process_time() - cpu}))
"""
LIBRARY = """
import json, sys, time
from pathlib import Path
from csctools.read import read_files
from csctools.reference.providers import read_providers
workers = int(sys.argv[2][len("--workers="):]) if sys.argv[2:3] and sys.argv[2].startswith("--workers=") else None
paths = [Path(p) for p in sys.argv[1:] if not p.startswith("--workers=")]
start, cpu = time.perf_counter(), time.process_time()
if paths[0].suffix == ".xlsx":
    read_providers(paths[0])
else:
    files = [p for folder in paths for p in (sorted(folder.glob("*.csv")) if folder.is_dir() else [folder])]
    read_files(files, cin_workers=workers) if workers else read_files(files)
print(json.dumps({"inside": time.perf_counter() - start, "inside_cpu": time.process_time() - cpu}))
"""
CIN_SCRIPT = """
import sys
from pathlib import Path
from csctools.datasets.cin.write import write_cin_xml
from csctools.reference.authorities import find_authority
from csctools.synth.cin_census import census_tables
from csctools.synth.generate import simulate_cin
from csctools.years import CollectionYear
children, out = int(sys.argv[1]), Path(sys.argv[2])
year, la = CollectionYear(2026), find_authority("383")
write_cin_xml(census_tables(simulate_cin(la, year, year, children, 2026), year, la.number), out)
"""


def ensure_903(children: int) -> Path:
    folder = DATA / f"limits-903-{children}"
    if not (folder / "done").exists():
        print(f"generating the 903 return of {children} children, two years (once; in {folder})", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
        command = [CSC, "synth", "--out", str(folder), "--la", "383", "--from", "2024/25", "--to", "2025/26"]
        command += ["--children", str(children), "--seed", "2026", "--format", "csv", "--no-cin", "--no-annex-a"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        (folder / "done").write_text("ok\n")
    return folder / "383"


def ensure_cin(children: int) -> Path:
    path = DATA / f"limits-cin-{children}" / "cin_census_2025_26.xml"
    if not path.exists():
        print(f"generating a CIN census of {children} children (once; in {path.parent})", file=sys.stderr)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        subprocess.run([PYTHON, "-c", CIN_SCRIPT, str(children), str(partial)], check=True)
        partial.rename(path)
    return path


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants now (0 for those gone)."""
    total, pending, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while pending:
        current = pending.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


class Run:
    """Wall and CPU seconds (the process and the children it waited for) and peak resident MiB of one finished
    process: the largest of any one process (rusage, from wait4) and of all of them together (sampled)."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env)
        assert process.stdout is not None
        peak, done = [0], threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], tree_rss(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        output = process.stdout.read().decode()
        done.set()
        sampler.join()
        self.tree_peak_mib = peak[0] / 2**20
        _, status, usage = os.wait4(process.pid, 0)
        last = output.strip().splitlines()[-1] if output.strip() else ""
        found = json.loads(last) if last.startswith('{"inside"') else {}
        self.inside: float | None = found.get("inside")
        self.inside_cpu: float | None = found.get("inside_cpu")
        self.wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            raise SystemExit(f"{command[:3]} exited {process.returncode}")
        self.cpu = usage.ru_utime + usage.ru_stime
        self.peak_mib = usage.ru_maxrss / 1024


def all_at_once(commands: list[Command], env: dict[str, str], repeat: int) -> list[list[Run]]:
    """Every round of every command started at the same time (for a machine too loaded to take turns: each gets
    a like share of it; CPU seconds and peaks stay comparable, wall seconds do not)."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(command, {**env, **extra}) for _ in range(repeat) for _, command, _, extra in commands]
    with ThreadPoolExecutor(len(jobs)) as pool:
        done = list(pool.map(lambda job: Run(*job), jobs))
    return [done[number :: len(commands)] for number in range(len(commands))]


def spread(values: list[float], digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


Command = tuple[str, list[str], bool, dict[str, str]]  # label, command, clear the cache before each run, env
Case = tuple[str, list[Command]]


def cases(args: argparse.Namespace) -> list[Case]:
    found: list[Case] = []
    if args.only in (None, "903"):
        root = ensure_903(args.children_903)
        folders = [root / "2025_26" / "ssda903", root / "2024_25" / "ssda903"]
        files = [str(p) for folder in folders for p in sorted(folder.glob("*.csv"))]
        label = f"903 CSV, {args.children_903:,} children, 2025/26 and 2024/25 ({len(files)} files, {mib(files)})"
        inspect, library = [CSC, "inspect", "--json", *map(str, folders)], [PYTHON, "-c", LIBRARY, *map(str, folders)]
        earlier: list[Command] = []
        if args.before_src:  # the same commands from another checkout's src, in the same rounds
            old_903 = {"PYTHONPATH": str(args.before_src.resolve())}
            earlier += [("before: `csc inspect --json` both folders", inspect, False, old_903)]
            earlier += [("before: `read_files` (in process)", library, False, old_903)]
        found.append(
            (
                label,
                [
                    *earlier,
                    ("`csc inspect --json` both folders", inspect, False, {}),
                    ("`read_files` (in process)", library, False, {}),
                    ("bare `pl.read_csv` of each file", [PYTHON, "-c", BARE_903, *files], False, {}),
                ],
            )
        )
    if args.only in (None, "cin"):
        census = ensure_cin(args.children_cin)
        old = {"PYTHONPATH": str(args.before_src.resolve())} if args.before_src else {}
        before: list[Command] = []
        if args.before_src:
            before += [("before: `csc inspect --json`", [CSC, "inspect", "--json", str(census)], False, old)]
            if not args.brief:
                before += [("before: `read_files` (in process)", [PYTHON, "-c", LIBRARY, str(census)], False, old)]
        label = f"CIN census, {args.children_cin:,} children ({mib([str(census)])})"
        after: list[Command] = [("`csc inspect --json`", [CSC, "inspect", "--json", str(census)], False, {})]
        if not args.brief:
            after += [("`read_files` (in process)", [PYTHON, "-c", LIBRARY, str(census)], False, {})]
        after += [("`read_files`, one process", [PYTHON, "-c", LIBRARY, str(census), "--workers=1"], False, {})]
        bare: Command = ("bare lxml `iterparse`", [PYTHON, "-c", BARE_LXML, str(census)], False, {})
        found.append((label, [*before, *after, bare]))
    if args.only in (None, "providers"):
        listing = ensure_903(args.children_903) / "ofsted_providers.xlsx"
        label = f"Ofsted provider list ({mib([str(listing)])})"
        found.append(
            (
                label,
                [
                    ("`csc inspect --json`, first read", [CSC, "inspect", "--json", str(listing)], True, {}),
                    ("`csc inspect --json`, the same list again", [CSC, "inspect", "--json", str(listing)], False, {}),
                    ("`read_providers`, first read (in process)", [PYTHON, "-c", LIBRARY, str(listing)], True, {}),
                    ("`read_providers`, again (in process)", [PYTHON, "-c", LIBRARY, str(listing)], False, {}),
                    ("bare python-calamine sheet load", [PYTHON, "-c", BARE_CALAMINE, str(listing)], False, {}),
                ],
            )
        )
    return found


def mib(paths: list[str]) -> str:
    return f"{sum(Path(p).stat().st_size for p in paths) / 2**20:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children-903", type=int, default=100_000)
    parser.add_argument("--children-cin", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--src", type=Path, help="a src folder to run instead of the installed csctools")
    parser.add_argument("--label", default="this branch")
    parser.add_argument("--before-src", type=Path, help="another src folder's reader in the same rounds (903, CIN)")
    parser.add_argument("--brief", action="store_true", help="CIN: without the `read_files` (in process) rows")
    parser.add_argument("--no-warm-up", action="store_true", help="no unmeasured first run (files already cached)")
    parser.add_argument("--at-once", action="store_true", help="all rounds of all commands at the same time")
    parser.add_argument("--only", choices=("903", "cin", "providers"))
    parser.add_argument("--record", type=Path)
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="csc-bench-cache-"))
    env = {**os.environ, "CSCTOOLS_CACHE": str(cache)}
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    lines = heading(f"Readers against the bare engine, {args.label}")
    lines += [
        f"Fresh processes in turns, {args.repeat} rounds; median (min-max). Ratio: csctools over the bare engine in "
        f"the same round. Load average at the start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        "| input | command | wall s | CPU s | peak MiB | peak MiB, all processes | read s (in process) | read CPU s "
        "| wall ratio | CPU ratio | read ratio | read CPU ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for title, commands in cases(args):
        for _, command, _, extra in [] if args.no_warm_up else commands:  # unmeasured: files in the page cache
            Run(command, {**env, **extra})
        runs: list[list[Run]] = [[] for _ in commands]
        if args.at_once:
            runs = all_at_once(commands, env, args.repeat)
        for round_number in range(0 if args.at_once else args.repeat):
            for (label, command, fresh, extra), found in zip(commands, runs, strict=True):
                if fresh:
                    shutil.rmtree(cache / "csctools" / "providers", ignore_errors=True)
                found.append(Run(command, {**env, **extra}))
                done = found[-1]
                print(
                    f"round {round_number + 1} {label}: wall {done.wall:.2f} CPU {done.cpu:.2f} peak "
                    f"{done.peak_mib:.0f} all {done.tree_peak_mib:.0f} load {os.getloadavg()[0]:.1f}",
                    file=sys.stderr,
                )
        bare = runs[-1]
        for (label, _, _, _), found in zip(commands, runs, strict=True):
            inside = [r.inside for r in found if r.inside is not None]
            inside_cpu = [r.inside_cpu for r in found if r.inside_cpu is not None]
            cells = [spread([r.wall for r in found]), spread([r.cpu for r in found])]
            cells += [f"{max(r.peak_mib for r in found):.0f}", f"{max(r.tree_peak_mib for r in found):.0f}"]
            cells.append(spread(inside, 3) if inside else "")
            cells.append(spread(inside_cpu, 3) if inside_cpu else "")
            if found is bare:
                cells += ["(baseline)", "", "", ""]
            else:
                pairs = list(zip(found, bare, strict=True))
                cells += [spread([a.wall / b.wall for a, b in pairs]), spread([a.cpu / b.cpu for a, b in pairs])]
                read = [a.inside / b.inside for a, b in pairs if a.inside is not None and b.inside]
                read_cpu = [a.inside_cpu / b.inside_cpu for a, b in pairs if a.inside_cpu is not None and b.inside_cpu]
                cells += [spread(read) if read else "", spread(read_cpu) if read_cpu else ""]
            lines.append(f"| {title} | {label} | {' | '.join(cells)} |")
            print(lines[-1], file=sys.stderr)
    lines.append("")
    lines.append(f"Load average at the end {os.getloadavg()[0]:.1f}.")
    shutil.rmtree(cache, ignore_errors=True)
    publish(lines, args.record)


if __name__ == "__main__":
    main()
