"""Outputs before and after a change to the readers: the typed tables, the read reports and the error tables.

Usage: python bench/compare_read_outputs.py --before OLD/src [--after src] --out DIR
       [--read FOLDER_OR_FILE ...]... [--read-each CORPUS]... [--validate-903 THIS LAST PROVIDERS]
       [--validate-cin FILE]

Each version runs in its own process (PYTHONPATH set to its src folder) and writes what it produced as files:
every table of every return `read_files` gives (CSV: values, `_raw` companions, `_source`, `_row`, in the order
read), the read reports as `csc inspect --json` prints them, the provider list (sorted by URN: its row order was
never defined), and the error table of `csc validate ... -o errors.csv`; each version with an empty cache folder
of its own. `--read-each CORPUS` reads every folder of CORPUS as a `read_files` call of its own, all in one
process (`bench/damaged_903_corpus.py` makes such a corpus of damaged files). The two sets of files are then
compared byte for byte; any difference is listed and the exit code is 1.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

READ_SCRIPT = """
import json, sys
from pathlib import Path
import polars as pl
from csctools.cli.inspect import report_dict
from csctools.read import read_files
from csctools.reference.providers import read_providers

def read_into(out, inputs):
    paths = [p for i in inputs for p in (sorted(x for x in i.rglob("*") if x.is_file()) if i.is_dir() else [i])]
    lists = [p for p in paths if p.name.startswith("ofsted_providers")]
    returns, others = read_files([p for p in paths if p not in lists])
    out.mkdir(parents=True, exist_ok=True)
    for number, data in enumerate(returns):
        for name, frame in data.tables.items():
            frame.write_csv(out / f"{number:02d}-{data.dataset}-{data.year}-{name}.csv".replace("/", "_"))
    reports = [report_dict(r) for data in returns for r in data.files] + [report_dict(r) for r in others]
    (out / "reports.json").write_text(json.dumps(reports, indent=1))
    for listing in lists:
        frame = read_providers(listing).sort("URN")
        joined = [pl.col(c).list.join(",") for c, t in frame.schema.items() if t == pl.List(pl.String)]
        frame.with_columns(joined).write_csv(out / f"providers-{listing.stem}.csv")

out, inputs = Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]]
if sys.argv[1] == "each":  # every folder of one corpus read on its own
    for case in sorted(p for p in inputs[0].iterdir() if p.is_dir()):
        read_into(out / case.name, [case])
else:
    read_into(out, inputs)
"""


def run(version: str, src: str, out: Path, args: argparse.Namespace) -> None:
    # each version its own empty cache: neither reads a provider list or postcodes the other one cached
    cache = Path(tempfile.mkdtemp(prefix=f"csc-compare-{version}-"))
    env = {**os.environ, "PYTHONPATH": src, "CSCTOOLS_CACHE": str(cache)}
    csc = str(Path(sys.executable).with_name("csc"))
    for number, inputs in enumerate(args.read or []):
        target = out / version / f"read-{number}"
        subprocess.run([sys.executable, "-c", READ_SCRIPT, "one", str(target), *inputs], check=True, env=env)
    for number, corpus in enumerate(args.read_each or []):
        target = out / version / f"each-{number}"
        subprocess.run([sys.executable, "-c", READ_SCRIPT, "each", str(target), corpus], check=True, env=env)
    if args.validate_903:
        this, last, providers = args.validate_903
        target = out / version / "validate-903.csv"
        command = [csc, "validate", "903", this, "--previous", last, "--la", "383", "--providers", providers]
        subprocess.run([*command, "-o", str(target)], env=env, stdout=subprocess.DEVNULL, check=False)
    if args.validate_cin:
        target = out / version / "validate-cin.csv"
        command = [csc, "validate", "cin", args.validate_cin, "--la", "383", "-o", str(target)]
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)
    shutil.rmtree(cache, ignore_errors=True)


def differences(left: Path, right: Path) -> tuple[list[str], int]:
    """Files that differ or exist on one side only, and how many were compared."""
    names = {p.relative_to(left) for p in left.rglob("*") if p.is_file()}
    names |= {p.relative_to(right) for p in right.rglob("*") if p.is_file()}
    differ = []
    for name in sorted(names):
        a, b = left / name, right / name
        if not (a.exists() and b.exists()) or not filecmp.cmp(a, b, shallow=False):
            differ.append(str(name))
    return differ, len(names)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--before", required=True, help="src folder of the code before")
    parser.add_argument("--after", default=str(Path(__file__).parent.parent / "src"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--read", nargs="+", action="append", help="files or folders read as one `read_files` call")
    parser.add_argument("--read-each", action="append", help="a folder whose every folder is read on its own")
    parser.add_argument("--validate-903", nargs=3, metavar=("THIS", "LAST", "PROVIDERS"))
    parser.add_argument("--validate-cin", metavar="FILE")
    args = parser.parse_args()
    for version, src in (("before", args.before), ("after", args.after)):
        run(version, str(Path(src).resolve()), args.out, args)
    differ, compared = differences(args.out / "before", args.out / "after")
    for name in differ:
        print(f"DIFFERENT: {name}")
    print(f"{compared} files compared, {len(differ)} different")
    raise SystemExit(1 if differ else 0)


if __name__ == "__main__":
    main()
