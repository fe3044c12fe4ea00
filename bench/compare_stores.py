"""Two stores hold the same data: every table with the same columns and the same rows once sorted, leaving out
what records when or by which build an add ran (received_at, csctools_version).

Usage: python bench/compare_stores.py BEFORE.duckdb AFTER.duckdb   (exit 1 when anything differs)
"""

from __future__ import annotations

import sys

import duckdb
import polars as pl

MOMENT = ("received_at", "csctools_version")


def tables(connection: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    names = [name for (name,) in connection.sql("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    found = {}
    for name in names:
        rows = pl.DataFrame(connection.sql(f'SELECT * FROM "{name}"'))
        found[name] = rows.drop([c for c in MOMENT if c in rows.columns]) if name != "store_info" else rows.head(0)
    return found


def main() -> int:
    with duckdb.connect(sys.argv[1], read_only=True) as one, duckdb.connect(sys.argv[2], read_only=True) as other:
        before, after = tables(one), tables(other)
    if list(before) != list(after):
        print(f"the tables differ: {sorted(set(before) ^ set(after))}")
        return 1
    differing = 0
    for name, rows in before.items():
        theirs = after[name]
        if rows.schema != theirs.schema or not rows.sort(pl.all()).equals(theirs.sort(pl.all())):
            differing += 1
            print(f"differs: {name} {rows.shape} against {theirs.shape}")
    total = sum(rows.height for rows in before.values())
    print(f"{len(before)} tables, {total:,} rows compared (columns and sorted rows), {differing} differ")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
