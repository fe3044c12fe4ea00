"""Compare csctools with the reference validators over several seeds and print the rules whose flagged children differ.

Usage: python bench/compare_seeds.py --reference /path/to/ref-venv/bin/python --dataset 903 --seeds 1,2,3
       [--children 1000] [--inject 40] [--year 2025/26]
For each seed a synthetic Leeds return is generated (with `--inject` errors, every mutation in turn), validated by
csctools in-process and by the reference (bench/reference_*_runner.py in its own virtual environment), and the
children each rule flags are compared. Prints a Markdown table: rule, seeds where the tools differ, children flagged
only by csctools and only by the reference (summed over seeds), with a few example child ids.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from csctools.datasets.cin.read import read_cin
from csctools.datasets.ssda903.read import read_903
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, generate
from csctools.validate.run import validate_return
from csctools.years import CollectionYear

HERE = Path(__file__).parent
Flagged = dict[str, set[str]]  # rule code -> child ids


@dataclass
class Difference:
    seeds: list[int] = field(default_factory=list)
    only_ours: set[str] = field(default_factory=set)
    only_theirs: set[str] = field(default_factory=set)


def _run(command: list[str]) -> dict[str, object]:
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _children_of_rows(folder: Path, rows: list[list[object]]) -> set[str]:
    """The CHILD of each (table, 0-based row) the 903 reference flags, read from the table's CSV file."""
    children: set[str] = set()
    by_table: dict[str, list[int]] = {}
    for table, row in rows:
        by_table.setdefault(str(table), []).append(int(str(row)))
    for table, numbers in by_table.items():
        files = [p for p in folder.glob("*.csv") if p.stem.lower().endswith("_" + table.lower())]
        if not files:
            children.add(f"{table}:?")
            continue
        frame = pl.read_csv(files[0], infer_schema=False)
        column = "CHILD" if "CHILD" in frame.columns else frame.columns[0]
        ids = frame.get_column(column).to_list()
        children.update(str(ids[n]) for n in numbers if n < len(ids))
    return children


def compare_903(python: str, folder: Path, year: CollectionYear) -> tuple[Flagged, Flagged]:
    now, last = folder / "383" / year.key / "ssda903", folder / "383" / year.previous().key / "ssda903"
    data, previous = read_903(sorted(now.glob("*.csv"))), read_903(sorted(last.glob("*.csv")))
    ours = validate_return(data, year, find_authority("383"), previous)
    ruleset = f"lac{year.end - 1}_{year.end % 100:02d}"
    theirs = _run([python, str(HERE / "reference_903_runner.py"), str(now), str(last), ruleset, "E08000035"])
    found: dict[str, list[list[object]]] = theirs["errors"]  # type: ignore[assignment]
    their_children = {code: _children_of_rows(now, rows) for code, rows in found.items()}
    for code in theirs["failed"]:  # type: ignore[attr-defined]
        their_children.setdefault(str(code), set()).add("(crashed)")
    return _flagged(ours.errors), their_children


def compare_cin(python: str, folder: Path, year: CollectionYear) -> tuple[Flagged, Flagged]:
    census = folder / "383" / year.key / f"cin_census_{year.key}.xml"
    ours = validate_return(read_cin(census), year, find_authority("383"))
    ruleset = f"cin{year.end - 1}_{year.end % 100:02d}"
    theirs = _run([python, str(HERE / "reference_cin_runner.py"), str(census), ruleset])
    issues: dict[str, list[str]] = theirs["issues"]  # type: ignore[assignment]
    their_children = {code: set(children) for code, children in issues.items()}
    for code in theirs["la_level"]:  # type: ignore[attr-defined]
        their_children.setdefault(str(code), set()).add("None")
    for code in theirs["crashed"]:  # type: ignore[attr-defined]
        their_children.setdefault(str(code), set()).add("(crashed)")
    return _flagged(ours.errors), their_children


def _flagged(errors: pl.DataFrame) -> Flagged:
    flagged: Flagged = {}
    for code, child in errors.select("rule_code", "child_id").unique().iter_rows():
        flagged.setdefault(str(code), set()).add(str(child))
    return flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reference", required=True, help="python of the virtual environment with the validators")
    parser.add_argument("--dataset", choices=("903", "cin"), default="903")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--inject", type=int, default=40)
    parser.add_argument("--year", default="2025/26")
    parser.add_argument("--out", type=Path, default=HERE / "_data" / "compare-seeds")
    args = parser.parse_args()
    year = CollectionYear.parse(args.year)
    seeds = [int(s) for s in args.seeds.split(",")]
    differences: dict[str, Difference] = {}
    for seed in seeds:
        folder = args.out / f"{args.dataset}-{year.end}-{args.children}-{args.inject}-{seed}"
        options = SynthOptions(
            ["383"], year.previous(), year, children=args.children, seed=seed, formats=("csv",), annex_a=False,
            cin=args.dataset == "cin", inject=args.inject,
        )  # fmt: skip
        generate(options, folder)
        run = compare_903 if args.dataset == "903" else compare_cin
        ours, theirs = run(args.reference, folder, year)
        for code in set(ours) | set(theirs):
            mine, yours = ours.get(code, set()), theirs.get(code, set())
            if mine != yours:
                difference = differences.setdefault(code, Difference())
                difference.seeds.append(seed)
                difference.only_ours |= {f"{seed}:{c}" for c in mine - yours}
                difference.only_theirs |= {f"{seed}:{c}" for c in yours - mine}
    print(
        f"{args.dataset} {year.label}, {args.children} children, {args.inject} injected errors, seeds {args.seeds}:"
        f" {len(differences)} rules differ.\n"
    )
    print("| rule | seeds | only csctools | only reference | examples (seed:child) |")
    print("| --- | --- | ---: | ---: | --- |")
    for code in sorted(differences):
        d = differences[code]
        examples = ", ".join(sorted(d.only_ours)[:2] + sorted(d.only_theirs)[:2])
        print(f"| {code} | {','.join(map(str, d.seeds))} | {len(d.only_ours)} | {len(d.only_theirs)} | {examples} |")


if __name__ == "__main__":
    main()
