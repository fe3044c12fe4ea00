"""Compare csctools with csc-validator-be-cin rule by rule on a synthetic census (children flagged per rule),
and time both on the same file.

Usage: python bench/compare_cin.py --reference /path/to/ref-venv/bin/python [--children 1000] [--inject 20]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

from csctools.datasets.cin.read import read_cin
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, generate
from csctools.validate.run import validate_return
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)
RUNNER = Path(__file__).with_name("reference_cin_runner.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reference", required=True)
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--inject", type=int, default=0)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "_data" / "compare-cin")
    args = parser.parse_args()
    folder = args.out / f"{args.children}-{args.inject}-{args.seed}"
    generate(
        SynthOptions(
            ["383"],
            YEAR,
            YEAR,
            children=args.children,
            seed=args.seed,
            formats=("csv",),
            annex_a=False,
            inject=args.inject,
        ),
        folder,
    )
    census = folder / "383" / YEAR.key / f"cin_census_{YEAR.key}.xml"
    started = time.process_time()
    ours = validate_return(read_cin(census), YEAR, find_authority("383"))
    our_cpu = time.process_time() - started
    out = subprocess.run(
        [args.reference, str(RUNNER), str(census), "cin2025_26"], check=True, capture_output=True, text=True
    )
    theirs = json.loads(out.stdout.strip().splitlines()[-1])
    mine: dict[str, set[str]] = {}
    for code, child in ours.errors.select("rule_code", "child_id").iter_rows():
        mine.setdefault(code, set()).add(str(child))
    yours = {code: set(children) for code, children in theirs["issues"].items()}
    for code in theirs["la_level"]:
        yours.setdefault(code, set()).add("None")
    print(f"Synthetic Leeds census, {args.children} children, {args.inject} injected errors, seed {args.seed}.\n")
    print("| rule | csctools children | reference children | both | only csctools | only reference |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    agree = 0
    for code in sorted({o.code for o in ours.outcomes} | set(yours)):
        a, b = mine.get(code, set()), yours.get(code, set())
        crashed = " (crashed)" if code in theirs["crashed"] else ""
        if a == b and not crashed:
            agree += 1
            continue
        print(f"| {code} | {len(a)} | {len(b)}{crashed} | {len(a & b)} | {len(a - b)} | {len(b - a)} |")
    print(
        f"\n{agree} rules agree exactly. CPU: csctools {our_cpu:.2f} s in-process (read and validate), "
        f"reference {theirs['cpu']:.2f} s for its whole process."
    )


if __name__ == "__main__":
    main()
