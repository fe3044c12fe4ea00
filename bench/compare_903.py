"""Compare csctools with csc-validator-be-903 rule by rule on synthetic returns.

Usage: python bench/compare_903.py --reference /path/to/ref-venv/bin/python [--children 1000] [--inject 40]
       [--year 2025/26]
Writes a Markdown table of agreements and differences (rows flagged by each tool) to stdout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from csctools.datasets.ssda903.read import read_903
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, generate
from csctools.validate.run import validate_return
from csctools.years import CollectionYear

RUNNER = Path(__file__).with_name("reference_903_runner.py")


def reference(python: str, now: Path, last: Path, year: CollectionYear) -> dict[str, object]:
    ruleset = f"lac{year.end - 1}_{year.end % 100:02d}"  # 2025/26 -> lac2025_26
    out = subprocess.run(
        [python, str(RUNNER), str(now), str(last), ruleset, "E08000035"],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reference", required=True)
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--inject", type=int, default=0)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--year", default="2025/26", help="collection year, e.g. 2023/24")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "_data" / "compare")
    args = parser.parse_args()
    year = CollectionYear.parse(args.year)
    folder = args.out / f"{year.end}-{args.children}-{args.inject}-{args.seed}"
    generate(
        SynthOptions(
            ["383"],
            year.previous(),
            year,
            children=args.children,
            seed=args.seed,
            formats=("csv",),
            annex_a=False,
            cin=False,
            inject=args.inject,
        ),
        folder,
    )
    now, last = folder / "383" / year.key / "ssda903", folder / "383" / year.previous().key / "ssda903"
    data, previous = read_903(sorted(now.glob("*.csv"))), read_903(sorted(last.glob("*.csv")))
    ours = validate_return(data, year, find_authority("383"), previous)
    theirs = reference(args.reference, now, last, year)
    our_rows: dict[str, set[tuple[str, int]]] = {}
    for code, table, row in ours.errors.select("rule_code", "table", "row_number").unique().iter_rows():
        our_rows.setdefault(code, set()).add((table, row - 2))  # reference rows are 0-based positions
    found: dict[str, list[list[object]]] = theirs["errors"]  # type: ignore[assignment]
    their_rows = {code: {(str(t), int(str(r))) for t, r in rows} for code, rows in found.items()}
    status = {o.code: o.status for o in ours.outcomes}
    failed: set[str] = set(theirs["failed"])  # type: ignore[call-overload]
    print(
        f"Synthetic Leeds return {year.label}, {args.children} children, {args.inject} injected errors,"
        f" seed {args.seed}.\n"
    )
    print("| rule | csctools | csctools rows | reference rows | both | only csctools | only reference |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    agree = 0
    for code in sorted(set(status) | set(their_rows) | failed):
        mine, yours = our_rows.get(code, set()), their_rows.get(code, set())
        ref_state = "crashed (counted as passed)" if code in failed else ""
        if mine == yours and not ref_state:
            agree += 1
            continue
        print(
            f"| {code} | {status.get(code, '-')} | {len(mine)} | {len(yours)}{' ' + ref_state if ref_state else ''}"
            f" | {len(mine & yours)} | {len(mine - yours)} | {len(yours - mine)} |"
        )
    print(
        f"\n{agree} rules agree exactly (same rows flagged, including none). Reference CPU {theirs['cpu']:.1f} s.",
        file=sys.stdout,
    )


if __name__ == "__main__":
    main()
