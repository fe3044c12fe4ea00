"""Where the 903 CSV read spends its CPU: each step of `read_files` on its own, in one thread, beside a bare
`polars.read_csv` of the same bytes (issue 17).

Usage: [PYTHONPATH=OTHER/src] POLARS_MAX_THREADS=1 python bench/phases_903_read.py [--children 100000] [--repeat 3]
       [--detail]

The files' bytes are read into memory first; then, `--repeat` times, each file is read into raw tables
(`read_903_file`: detection, the plain-file checks, polars parsing the text), the files are placed in their years
(`split_by_year`), each year's tables are typed (`assemble_903`), and the same bytes are read by a bare
`pl.read_csv` (types inferred). Each step's CPU seconds are its lowest over the rounds. Running the script with
PYTHONPATH set to another checkout's src folder times the code before a change on the same data; alternate the two
a few times on a shared machine. `--detail` (this checkout only) also times the parts of the plain-file read on
their own: polars parsing the bytes (dates as dates where the reader does so), the bytes the checks look at
copied out of each file and the checks on them, the single-byte scans left, the frame checks, the rechunk.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from csctools.datasets.ssda903.read import assemble_903, read_903_file
from csctools.datasets.ssda903.years import split_by_year

DATA = Path(__file__).parent / "_data"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000, help="the return bench_reader_limits.py made")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--detail", action="store_true", help="also time the parts of the plain-file read")
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
    if args.detail:
        print(json.dumps({step: round(seconds, 3) for step, seconds in detail(contents, args.repeat).items()}))


def detail(contents: list[tuple[Path, bytes]], repeat: int) -> dict[str, float]:
    """The lowest CPU seconds over the rounds of each part of `_whole_rows`, over every file."""
    from csctools.datasets.ssda903 import read as reader
    from csctools.datasets.ssda903.detect import match_table
    from csctools.model import ColumnType

    dated = []
    for _, data in contents:
        header = data[: data.find(b"\n")].decode().rstrip("\r").split(",")
        table, _ = match_table(header)
        kinds = {c.name: c.type for c in table.columns} if table else {}
        positions = tuple(i for i, h in enumerate(header) if kinds.get(h) is ColumnType.DATE)
        if b"\r" in data:  # the reader reads the last column as text then (`_whole_rows`)
            positions = tuple(i for i in positions if i != len(header) - 1)
        dated.append(positions)
    frames = [reader._parse(data, dates) for (_, data), dates in zip(contents, dated, strict=True)]
    marks = [data.translate(None, reader.NOT_LOOKED_AT) for _, data in contents]
    parts: dict[str, Callable[[], object]] = {
        "parse (polars, dates as dates)": lambda: [
            reader._parse(d, t) for (_, d), t in zip(contents, dated, strict=True)
        ],
        "the bytes looked at, copied out (translate)": lambda: [
            d.translate(None, reader.NOT_LOOKED_AT) for _, d in contents
        ],
        "counts and looks over what is left": lambda: [
            (
                any(u in m for u in reader.UNUSUAL_BYTES),
                m.count(b"\r") == m.count(b"\r\n"),
                m.count(b","),
                b"\t" in m,
                m.translate(None, reader.NOT_LOWER_CASE),
            )
            for m in marks
        ],
        "single-byte scans of the bytes (ASCII, full stop, space)": lambda: [
            (d.isascii(), b"." in d, b" " in d) for _, d in contents
        ],
        "a CR in a last cell (files with a CR)": lambda: [
            reader._lone_carriage(f) for f, (_, d) in zip(frames, contents, strict=True) if f is not None and b"\r" in d
        ],
        "spaces at edges (files with spaces)": lambda: [
            reader._space_at_edge(f) for f, (_, d) in zip(frames, contents, strict=True) if f is not None and b" " in d
        ],
        "contiguous frames (rechunk)": lambda: [f.rechunk() for f in frames if f is not None],
    }
    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, work in parts.items():
            start = time.process_time()
            work()
            best[name] = min(best.get(name, 1e9), time.process_time() - start)
    return best


if __name__ == "__main__":
    main()
