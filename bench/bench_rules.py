"""The 903 rules themselves: the engine's time over a return already read, with last year's (issue 17: under 1 s for
100,000 children), and with --profile the time of each rule run alone, slowest first.

Reading the files and the rule pack's preparation (placement postcode look-ups) are done once, before timing, and
reported apart; each timed run is `csctools.validate.engine.validate` over the prepared tables, in this process
(no CLI: the rules cannot be timed apart from reading through it). Wall and CPU seconds, median and min-max.

Usage: python bench/bench_rules.py --children 100000 [--repeat 5] [--profile 25]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from csctools.datasets.ssda903 import SSDA903
from csctools.datasets.ssda903.read import read_903
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, generate
from csctools.validate.context import Context
from csctools.validate.engine import validate
from csctools.validate.run import load_rules
from csctools.years import CollectionYear
from record import heading, publish

DATA = Path(__file__).parent / "_data"
YEAR = CollectionYear(2026)


def ensure_data(children: int) -> Path:
    folder = DATA / f"rules-{children}"
    if not (folder / "done").exists():
        print(f"generating two years of 903 data for {children} children ({folder})", file=sys.stderr)
        options = SynthOptions(
            ["383"], YEAR.previous(), YEAR, children=children, seed=2026, formats=("csv",), annex_a=False, cin=False
        )
        generate(options, folder)
        (folder / "done").write_text("ok\n")
    return folder / "383"


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def per_rule(context: Context, available: set[str], top: int) -> list[str]:
    """Each rule run alone (its check, and its rows collected): the slowest `top`, in CPU milliseconds."""
    from csctools.packs.registry import build
    from csctools.validate.engine import rows_of

    timings: list[tuple[float, str]] = []
    for rule in build("ssda903").rules("ssda903", YEAR):
        if rule.needs - available:
            continue
        start = time.process_time()
        try:
            rows_of(list(rule.check(context)))
        except Exception as error:  # reported, as the engine would
            print(f"{rule.code}: {type(error).__name__}: {error}", file=sys.stderr)
        timings.append((time.process_time() - start, rule.code))
    timings.sort(reverse=True)
    total = sum(seconds for seconds, _ in timings)
    lines = [
        "",
        f"Each rule alone (a frame that rules share is built by the first that asks): {total:.2f} CPU s in all",
        "",
    ]
    lines += ["| rule | CPU ms |", "| --- | ---: |"]
    lines += [f"| {code} | {seconds * 1000:.0f} |" for seconds, code in timings[:top]]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="list the N slowest rules, each run alone")
    parser.add_argument("--record", type=Path)
    args = parser.parse_args()
    folder = ensure_data(args.children)
    now, last = folder / YEAR.key / "ssda903", folder / YEAR.previous().key / "ssda903"
    authority = find_authority("383")
    data, previous = read_903(sorted(now.glob("*.csv"))), read_903(sorted(last.glob("*.csv")))
    start = time.perf_counter()
    data, previous, derived = load_rules("ssda903").prepare(data, authority, previous)
    prepared = time.perf_counter() - start
    walls, cpus = [], []
    for _ in range(args.repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = validate(data, SSDA903, YEAR, "CHILD", authority, previous, derived=derived)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    lines = [
        *heading(f"The 903 rules themselves, {args.children:,} children with last year"),
        "| children | error rows | rules wall s | rules CPU s | preparation (postcodes) s |",
        "| ---: | ---: | --- | --- | ---: |",
        f"| {args.children:,} | {result.errors.height:,} | {spread(walls)} | {spread(cpus)} | {prepared:.2f} |",
    ]
    if args.profile:
        available = {"prev_year", "la_code", *derived}
        context = Context(SSDA903, YEAR, data.tables, previous.tables, authority)
        lines += per_rule(context, available, args.profile)
    publish(lines, args.record)


if __name__ == "__main__":
    main()
