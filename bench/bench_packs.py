"""Benchmark: what 50 local SQL rules add to `csc validate 903`, and the built-in rules against a base commit.

Runs the command a user types (`python -m csctools.cli validate 903 ...`, i.e. `csc`) as a fresh process, in turns:
  built-in   csc validate 903 NOW --previous LAST --la 383
  + pack     the same with --pack (50 generated local rules: 40 conditions over five tables, 10 queries with joins
             and last year's tables)
  base       the built-in run with the csctools of another source tree first on PYTHONPATH (--base SRC, e.g. a
             `git archive` of the branch's base commit), to see that the built-in rules are no slower than before
  before     both runs (built-in, + pack) by another installation's `csc` (--before OLD/.venv/bin/csc), in the same
             rounds: what the 50 rules added before the change, and the built-in rules before and after
Reports the median and min-max wall time of each over --repeat rounds (the machine may be shared: see the note).

Usage: python bench/bench_packs.py --children 50000 --repeat 5 [--base /tmp/base/src] [--before OLD/.venv/bin/csc]
       [--record bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_validate import YEAR, ensure_data
from record import compile_sources, heading, publish

DATA = Path(__file__).parent / "_data"
TABLE_CONDITIONS = {
    "Episodes": [
        "PL_POST IS NULL AND coalesce(PLACE, '') NOT IN ('T0', 'T1', 'T2', 'T3', 'T4')",
        "PLACE IN ('U1', 'U2', 'U3', 'U4', 'U5', 'U6') AND PL_DISTANCE > {n}",
        "REC = 'X1' AND date_diff('day', DECOM, DEC) < {n}",
        "DEC IS NOT NULL AND DEC < DECOM + INTERVAL {n} DAY AND coalesce(REASON_PLACE_CHANGE, '') = ''",
        "LS = 'C2' AND RNE = 'S' AND date_diff('day', DECOM, coalesce(DEC, DATE '2026-03-31')) > {n} * 30",
        "PLACE_PROVIDER = 'PR4' AND PL_LOCATION = 'OUT' AND {n} > 0",
        "length(coalesce(URN, '')) < {n} AND PLACE IN ('K2', 'R1')",
        "HOME_POST IS NOT DISTINCT FROM PL_POST AND PLACE <> 'P1' AND {n} > 0",
    ],
    "Header": [
        "UPN IS NULL AND date_diff('year', DOB, DATE '2026-03-31') BETWEEN 5 AND {n}",
        "SEX = '2' AND MOTHER IS NULL AND date_diff('year', DOB, DATE '2026-03-31') > {n}",
        "ETHNIC IN ('NOBT', 'REFU') AND {n} > 0",
        "UASC = '1' AND date_diff('year', DOB, DATE '2026-03-31') < {n}",
    ],
    "Reviews": [
        "REVIEW_CODE IN ('PN0', 'PN7') AND REVIEW > DATE '2025-04-01' + INTERVAL {n} DAY",
        "REVIEW IS NULL OR REVIEW < DOB + INTERVAL {n} DAY",
    ],
    "OC2": [
        "SDQ_SCORE IS NULL AND SDQ_REASON IS NULL AND {n} > 0",
        "HEALTH_CHECK = '0' AND IMMUNISATIONS = '0' AND TEETH_CHECK = '0' AND {n} > 0",
    ],
    "SWEpisodes": [
        "SW_DEC IS NOT NULL AND date_diff('day', SW_DECOM, SW_DEC) < {n}",
        "SW_REASON IS NULL AND SW_DEC IS NOT NULL AND {n} > 0",
    ],
}
QUERIES = [  # (tables, query)
    "[Episodes, Reviews]",
    "SELECT e._row, e.CHILD FROM Episodes e, collection c WHERE e.PLACE = 'K2' AND e.DEC IS NULL AND NOT EXISTS "
    "(SELECT 1 FROM Reviews r WHERE r.CHILD = e.CHILD AND r.REVIEW >= c.start_date + INTERVAL {n} DAY)",
    "[Episodes]",
    "WITH m AS (SELECT _row, CHILD, count(*) OVER (PARTITION BY CHILD) AS n, "
    "row_number() OVER (PARTITION BY CHILD ORDER BY DECOM DESC) AS k FROM Episodes) "
    "SELECT _row, CHILD FROM m WHERE n >= {n} AND k = 1",
    "[Header, prev_Header]",
    "SELECT h._row, h.CHILD FROM Header h JOIN prev_Header p USING (CHILD) "
    "WHERE h.SEX IS DISTINCT FROM p.SEX OR h.DOB IS DISTINCT FROM p.DOB OR {n} < 0",
    "[Episodes, prev_Episodes]",
    "SELECT e._row, e.CHILD FROM Episodes e JOIN (SELECT CHILD, max(DECOM) AS latest FROM prev_Episodes "
    "GROUP BY CHILD) p ON p.CHILD = e.CHILD WHERE e.DECOM < p.latest - INTERVAL {n} DAY",
    "[Header, Episodes]",
    "SELECT h._row, h.CHILD FROM Header h WHERE NOT EXISTS (SELECT 1 FROM Episodes e WHERE e.CHILD = h.CHILD) "
    "AND {n} > 0",
]


def write_pack(folder: Path) -> Path:
    """50 local rules: 40 conditions (the table's list cycled, each with its own number) and 10 queries."""
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text('name: bench-50\nversion: "1"\nreturns: [ssda903]\n', encoding="utf-8")
    pairs = [(t, c) for t, conditions in TABLE_CONDITIONS.items() for c in conditions]
    lines = []
    for i in range(40):
        table, condition = pairs[i % len(pairs)]
        lines += [
            f"- code: B-C{i:02d}",
            f"  message: bench condition {i}",
            f"  tables: [{table}]",
            "  severity: query",
            f'  condition: "{condition.format(n=3 + i)}"',
        ]
    for i in range(10):
        tables, sql = QUERIES[2 * (i % 5)], QUERIES[2 * (i % 5) + 1].format(n=2 + i)
        lines += [
            f"- code: B-Q{i:02d}",
            f"  message: bench query {i}",
            f"  tables: {tables}",
            "  severity: query",
            f'  query: "{sql}"',
        ]
    (folder / "rules" / "bench.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the process and its threads) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} | {min(times):.2f}-{max(times):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--base", type=Path, help="src folder of the csctools to compare the built-in rules with")
    parser.add_argument("--before", help="the csc command of an installation to compare both runs with")
    parser.add_argument("--csc", help="the csc command measured (default: python -m csctools.cli of this Python)")
    parser.add_argument("--record", type=Path)
    args = parser.parse_args()
    folder = ensure_data(args.children)
    now, last = folder / YEAR.key / "ssda903", folder / YEAR.previous().key / "ssda903"
    pack = write_pack(DATA / "pack-50")
    compile_sources()
    config = DATA / "empty-config"  # no settings file of the user's
    env = os.environ | {"XDG_CONFIG_HOME": str(config)}
    runner = [args.csc] if args.csc else [sys.executable, "-m", "csctools.cli"]
    command = [*runner, "validate", "903", str(now), "--previous", str(last)]
    command += ["--la", "383"]
    runs: dict[str, tuple[list[str], dict[str, str]]] = {
        "built-in rules": (command, env),
        "built-in + 50 local SQL rules": ([*command, "--pack", str(pack)], env),
    }
    if args.base:
        runs["built-in rules, base"] = (command, env | {"PYTHONPATH": str(args.base)})
    if args.before:
        before = [args.before, *command[len(runner) :]]  # the same arguments
        runs["built-in rules, before"] = (before, env)
        runs["built-in + 50 local SQL rules, before"] = ([*before, "--pack", str(pack)], env)
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    for cmd, environment in runs.values():  # a first, unmeasured round: bytecode written, files in the page cache
        timed(cmd, environment)
    for _ in range(args.repeat):
        for name, (cmd, environment) in runs.items():
            seconds, cpu = timed(cmd, environment)
            walls[name].append(seconds)
            cpus[name].append(cpu)
            print(f"{name}: {seconds:.2f} s wall, {cpu:.2f} s CPU", file=sys.stderr)
    lines = [
        *heading(f"Local SQL rules: csc validate 903 2025/26 with 2024/25, {args.children:,} children"),
        "| run | median wall s | wall min-max | median CPU s | CPU min-max |",
        "| --- | ---: | --- | ---: | --- |",
    ]
    lines += [f"| {name} | {spread(walls[name])} | {spread(cpus[name])} |" for name in runs]
    with_pack, built_in = "built-in + 50 local SQL rules", "built-in rules"
    for suffix in ("", ", before") if args.before else ("",):
        for label, found in (("wall", walls), ("CPU", cpus)):
            added = [p - b for p, b in zip(found[with_pack + suffix], found[built_in + suffix], strict=True)]
            lines.append(
                f"\n50 local rules add {statistics.median(added):.2f} s {label}{suffix} (median of the paired "
                f"differences; min-max {min(added):.2f}-{max(added):.2f})."
            )
    lines.append(
        f"\nWhole `csc validate` processes (reading both years, postcode look-ups, every rule), {args.repeat} rounds "
        f"in turns after one unmeasured round, on a machine shared with other work (load average "
        f"{os.getloadavg()[0]:.1f} on 2 cores at the end): CPU time is the steadier figure."
    )
    publish(lines, args.record)


if __name__ == "__main__":
    main()
