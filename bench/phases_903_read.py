"""Where the 903 CSV read spends its CPU: each step of `read_files` on its own, in one thread, beside a bare
`polars.read_csv` of the same bytes (issue 17).

Usage: [PYTHONPATH=OTHER/src] POLARS_MAX_THREADS=1 python bench/phases_903_read.py [--children 100000] [--repeat 3]

The files' bytes are read into memory first; then, `--repeat` times, each file is read into raw tables
(`read_903_file`: detection, the plain-file checks, polars parsing the text), the files are placed in their years
(`split_by_year`), each year's tables are typed (`assemble_903`), and the same bytes are read by a bare
`pl.read_csv` (types inferred). Each step's CPU seconds are its lowest over the rounds. Running the script with
PYTHONPATH set to another checkout's src folder times the code before a change on the same data; alternate the two
a few times on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import polars as pl

from csctools.datasets.ssda903.read import assemble_903, read_903_file
from csctools.datasets.ssda903.years import split_by_year

DATA = Path(__file__).parent / "_data"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000, help="the return bench_reader_limits.py made")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = DATA / f"limits-903-{args.children}" / "383"
    folders = [root / "2025_26" / "ssda903", root / "2024_25" / "ssda903"]
    contents = [(path, path.read_bytes()) for folder in folders for path in sorted(folder.glob("*.csv"))]
    if not contents:
        raise SystemExit(f"no CSV files under {root}: run bench_reader_limits.py --only 903 first")
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        start = time.process_time()
        files = [read_903_file(path, data) for path, data in contents]
        read = time.process_time()
        groups = split_by_year(files)
        split = time.process_time()
        for group in groups:
            assemble_903([report for report, _ in group], [t for _, tables in group for t in tables])
        typed = time.process_time()
        for _, data in contents:
            pl.read_csv(data)
        bare = time.process_time()
        steps = {"read": read - start, "split": split - read, "type": typed - split, "bare": bare - typed}
        best = {step: min(best.get(step, seconds), seconds) for step, seconds in steps.items()}
    best["total"] = best["read"] + best["split"] + best["type"]
    print(json.dumps({step: round(seconds, 3) for step, seconds in best.items()}))


if __name__ == "__main__":
    main()
