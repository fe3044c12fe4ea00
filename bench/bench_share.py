"""Benchmark: a regional hub's work through the commands it types.

`csc store add` of N authorities x 3 years x 1,000 children (SSDA903 CSV tables and CIN census XML, validated at
the door), then `csc store publish --policy regional`; and `csc share pseudonymise` of one 50,000-child SSDA903
return. Each command is a fresh process; wall time is reported as the median and range over the repeats, peak
memory as the largest resident set of any of the command's processes (VmHWM via getrusage).

Usage: python bench/bench_share.py --authorities 33 [--authorities 150] [--pseudonymise 50000] --repeat 3
       [--before OTHER/.venv/bin/csc]
(beyond --generated authorities, 33 by default, the simulated authorities' returns are used again under other codes;
with --before, each round runs that installation's commands first, then this one's, so that a slow spell of a shared
machine falls on both, and a row is written for each)
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
from pathlib import Path

from csctools.reference.authorities import authorities
from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear
from record import compile_sources, heading, publish

DATA = Path(__file__).parent / "_data"
FIRST, LAST = CollectionYear(2024), CollectionYear(2026)
CSC = str(Path(sys.executable).with_name("csc"))
WRAP = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mib": usage.ru_maxrss / 1024, "code": code,
                  "cpu": usage.ru_utime + usage.ru_stime}))
"""


def london_first(count: int) -> list[str]:
    """London's 33 boroughs first (the issue's case), then every other current authority."""
    current = [a for a in authorities() if a.ons_code]
    london = [a for a in current if "London" in a.region]
    rest = [a for a in current if "London" not in a.region]
    return [a.number for a in (london + rest)[:count]]


def hub_data(count: int) -> Path:
    folder = DATA / f"hub-{count}"
    if not (folder / "done").exists():
        print(f"generating {count} authorities x 3 years x 1,000 children (cached in {folder})", file=sys.stderr)
        generate(
            SynthOptions(london_first(count), FIRST, LAST, children=1000, seed=15, formats=("csv",), annex_a=False),
            folder,
        )
        (folder / "done").write_text("ok\n")
    return folder


def cloned_hub(count: int, base_count: int) -> Path:
    """More authorities than were generated: the first `base_count` authorities' returns again under other codes
    (the CIN census header's LEA rewritten), to measure how the store grows without simulating every authority."""
    base = hub_data(base_count)
    folder = DATA / f"hub-{count}-from-{base_count}"
    if (folder / "done").exists():
        return folder
    print(f"copying {base_count} authorities' returns to {count} authorities (cached in {folder})", file=sys.stderr)
    sources = london_first(base_count)
    for n, code in enumerate(london_first(count)):
        source = base / sources[n % base_count]
        for year in sorted(p for p in source.iterdir() if p.is_dir()):
            target = folder / code / year.name
            shutil.copytree(year / "ssda903", target / "ssda903", dirs_exist_ok=True)
            for census in year.glob("cin_census_*.xml"):
                text = census.read_text(encoding="utf-8").replace(
                    f"<LEA>{sources[n % base_count]}</LEA>", f"<LEA>{code}</LEA>", 1
                )
                (target / census.name).write_text(text, encoding="utf-8")
    (folder / "done").write_text("ok\n")
    return folder


def big_return(children: int) -> Path:
    folder = DATA / f"share-{children}"
    if not (folder / "done").exists():
        print(f"generating one 903 return of {children:,} children (cached in {folder})", file=sys.stderr)
        generate(
            SynthOptions(["383"], LAST, LAST, children=children, seed=15, formats=("csv",), annex_a=False, cin=False),
            folder,
        )
        (folder / "done").write_text("ok\n")
    return folder / "383" / LAST.key / "ssda903"


def run(command: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", WRAP, *command], check=True, capture_output=True, text=True)
    found: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    if found["code"] not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {found['code']}")
    return found


def summary(runs: list[dict[str, float]], key: str) -> str:
    values = [r[key] for r in runs]
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def bench_hub(count: int, repeat: int, key: Path, work: Path, generated: int, installs: dict[str, str]) -> list[str]:
    data = hub_data(count) if count <= generated else cloned_hub(count, generated)
    runs: dict[str, tuple[list[dict[str, float]], list[dict[str, float]], list[dict[str, float]]]] = {
        label: ([], [], []) for label in installs
    }
    one = data / london_first(count)[0]  # one authority's three years, again: a new version of each return
    for attempt in range(repeat):
        for label, csc in installs.items():
            adds, ones, publishes = runs[label]
            store, out = work / f"hub-{count}-{attempt}.duckdb", work / f"pub-{count}-{attempt}"
            adds.append(run([csc, "store", "add", str(store), str(data)]))
            ones.append(run([csc, "store", "add", str(store), str(one)]))
            publishes.append(
                run(
                    [
                        csc,
                        "store",
                        "publish",
                        str(store),
                        "--policy",
                        "regional",
                        "--key-file",
                        str(key),
                        "-o",
                        str(out),
                    ]
                )
            )
            store.unlink()
            shutil.rmtree(out)
    return [
        row for label, (adds, ones, publishes) in runs.items() for row in _hub_row(count, label, adds, ones, publishes)
    ]


def _hub_row(
    count: int,
    label: str,
    adds: list[dict[str, float]],
    ones: list[dict[str, float]],
    publishes: list[dict[str, float]],
) -> list[str]:
    total = [{"seconds": a["seconds"] + p["seconds"]} for a, p in zip(adds, publishes, strict=True)]
    subs = count * 3 * 2
    add_peak, publish_peak = max(a["peak_mib"] for a in adds), max(p["peak_mib"] for p in publishes)
    cpu = statistics.median(a["cpu"] + p["cpu"] for a, p in zip(adds, publishes, strict=True))
    return [
        f"| {label} | {count} | {subs} | {summary(adds, 'seconds')} | {summary(publishes, 'seconds')} | "
        f"{summary(total, 'seconds')} | {cpu:.1f} ({summary(adds, 'cpu')} + {summary(publishes, 'cpu')}) | "
        f"{add_peak:.0f} | {summary(ones, 'seconds')} | {max(o['peak_mib'] for o in ones):.0f} | {publish_peak:.0f} |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--authorities", type=int, action="append", default=[])
    parser.add_argument("--pseudonymise", type=int, default=0, help="children in the return to pseudonymise")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generated", type=int, default=33, help="authorities simulated; more are copies of them")
    parser.add_argument("--record", type=Path, default=None, help="append the results to this file (RESULTS.md)")
    parser.add_argument("--before", default=None, help="another installation's csc, run in turns with this one's")
    args = parser.parse_args()
    installs = {"before": args.before, "after": CSC} if args.before else {"this": CSC}
    compile_sources()
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        key = work / "hub.key"
        subprocess.run([CSC, "share", "keygen", "-o", str(key)], check=True, capture_output=True)
        if args.authorities:
            lines += heading("Regional store: add every return, then publish (regional policy)")
            lines += [
                "Wall seconds: median (min-max) over the repeats, on a shared 2-core machine; CPU seconds: user and "
                "system time of the add and publish processes and their workers (median); peak MiB: the largest "
                "process of the command.",
                "",
                "The add of one authority is its three years again (six returns, new versions, validated with last "
                "year's) into the store holding them all, timed apart from the total.",
                "",
                "| csc | authorities | submissions | add s | publish s | total s "
                "| CPU s (all processes: add + publish) | add peak MiB | add one authority s | its peak MiB "
                "| publish peak MiB |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            start_load = os.getloadavg()[0]
            for count in args.authorities:
                lines += bench_hub(count, args.repeat, key, work, args.generated, installs)
            lines.append(
                f"Load average (1 min) on the 2 cores: {start_load:.1f} at the start, "
                f"{os.getloadavg()[0]:.1f} at the end."
            )
            if any(count > args.generated for count in args.authorities):
                lines.append(
                    f"Beyond {args.generated} authorities, the returns of the first {args.generated} are used again "
                    "under other authorities' codes (the census header's LEA rewritten)."
                )
            lines.append("")
        if args.pseudonymise:
            folder = big_return(args.pseudonymise)
            shared: dict[str, list[dict[str, float]]] = {label: [] for label in installs}
            start_load = os.getloadavg()[0]
            for attempt in range(args.repeat):
                for label, csc in installs.items():
                    out = work / f"shared-{attempt}"
                    command = [csc, "share", "pseudonymise", str(folder), "--policy", "regional"]
                    shared[label].append(run([*command, "--key-file", str(key), "-o", str(out)]))
                    shutil.rmtree(out)
            lines += heading(f"Pseudonymise one SSDA903 return of {args.pseudonymise:,} children (regional policy)")
            lines += [
                "| csc | children | wall s, median (min-max) | CPU s, median (min-max) | peak MiB |",
                "| --- | ---: | ---: | ---: | ---: |",
            ]
            lines += [
                f"| {label} | {args.pseudonymise:,} | {summary(runs, 'seconds')} | {summary(runs, 'cpu')} | "
                f"{max(r['peak_mib'] for r in runs):.0f} |"
                for label, runs in shared.items()
            ]
            lines.append(f"Load average (1 min): {start_load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.")
    publish(lines, args.record)


if __name__ == "__main__":
    main()
