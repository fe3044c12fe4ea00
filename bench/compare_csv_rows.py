"""Independent check of the CSV row counts: csctools against pandas' C parser (installed in a separate venv).

Synthetic 903 Episodes files get characters Excel keeps inside a cell (vertical tab, form feed, \\x1c-\\x1e, U+0085,
U+2028/2029), lone CR line ends, CR LF line ends and quoted cells holding line breaks; for each file the rows csctools
counts in (and reads) must be the rows pandas reads. pandas is never a csctools dependency: give the Python of
another venv that has it.
Usage: python bench/compare_csv_rows.py --python /path/to/other-venv/bin/python [--files 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import tempfile
from pathlib import Path

from csctools.datasets.ssda903.read import read_903
from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

KEPT_IN_A_CELL = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
PANDAS_SCRIPT = """
import json, sys
import pandas as pd
counts = {}
for path in sys.argv[1:]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, engine="c", encoding="utf-8")
    counts[path] = len(frame)
print(json.dumps(counts))
"""


def damaged(lines: list[str], rng: random.Random) -> str:
    """The file with odd characters in cells, a mix of line ends and a quoted cell with a line break."""
    rows = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        if rng.random() < 0.3:
            at = rng.randrange(len(fields))
            fields[at] = fields[at][:1] + rng.choice(KEPT_IN_A_CELL) + fields[at][1:]
        if rng.random() < 0.05:
            at = rng.randrange(len(fields))
            fields[at] = '"' + fields[at] + "\n" + "second line" + '"'
        rows.append(",".join(fields))
    ending = rng.choice(["\n", "\r\n", "\r"])
    return ending.join(rows) + ending


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="the Python of a separate venv with pandas")
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    year = CollectionYear(2026)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate(SynthOptions(["383"], year, year, children=200, seed=args.seed, formats=("csv",)), root / "synth")
        source = root / "synth" / "383" / year.key / "ssda903" / f"ssda903_{year.key}_episodes.csv"
        lines = source.read_text().splitlines()
        paths = []
        for number in range(args.files):
            path = root / f"episodes_{number}.csv"
            path.write_text(damaged(lines, rng), encoding="utf-8", newline="")
            paths.append(path)
        ours = {}
        for path in paths:
            read = read_903([path]).files[0].tables[0]
            ours[str(path)] = (read.rows_in, read.rows_read)
        out = subprocess.run(
            [args.python, "-c", PANDAS_SCRIPT, *map(str, paths)], check=True, capture_output=True, text=True
        )
        theirs: dict[str, int] = json.loads(out.stdout)
    differing = [name for name in ours if ours[name][0] != theirs[name] or ours[name][1] != theirs[name]]
    total = sum(theirs.values())
    print(f"{len(paths)} files, {total:,} rows by pandas; csctools rows in and rows read differ on {len(differing)}")
    for name in differing[:10]:
        print(f"  {Path(name).name}: csctools {ours[name]}, pandas {theirs[name]}")
    raise SystemExit(1 if differing else 0)


if __name__ == "__main__":
    main()
