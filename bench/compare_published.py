"""Two `csc store publish` folders hold the same data: the same files, and in each Parquet and CSV file the same
columns and the same rows once sorted (manifest.json, which records when it was published, is left out).

Usage: python bench/compare_published.py BEFORE_DIR AFTER_DIR   (exit 1 when anything differs)
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != "manifest.json")


def read(path: Path) -> pl.DataFrame | None:
    if path.suffix == ".parquet":
        return pl.read_parquet(path, hive_partitioning=False)
    if path.suffix == ".csv":
        return pl.read_csv(path, infer_schema=False)
    return None


def main() -> int:
    before, after = Path(sys.argv[1]), Path(sys.argv[2])
    names = files(before)
    if names != files(after):
        print(f"the file lists differ: {len(names)} against {len(files(after))} files")
        return 1
    differing = 0
    for name in names:
        one, other = read(before / name), read(after / name)
        if one is None or other is None:
            continue
        if one.schema != other.schema or not one.sort(pl.all()).equals(other.sort(pl.all())):
            differing += 1
            print(f"differs: {name} {one.shape} against {other.shape}")
    print(f"{len(names)} files compared (Parquet and CSV: columns and sorted rows), {differing} differ")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
