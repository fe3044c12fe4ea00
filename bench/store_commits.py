"""Experiment: the add's DuckDB side alone, the rows of a built store written again in batches of whole
submissions (INSERT through Arrow per table, COMMIT per batch), under a checkpoint threshold; CPU and peak memory.

Usage: python bench/store_commits.py STORE THRESHOLD [BATCH_ROWS] [TIMES] [MEMORY_LIMIT] [THREADS]
  THRESHOLD: DuckDB's checkpoint_threshold ("16MB" is DuckDB's default, "64MB" the add's now);
  TIMES: the rows written that many times (other submission ids), to see how commits cost as the store grows;
  MEMORY_LIMIT: DuckDB's memory_limit (512MB, the store's); THREADS: DuckDB's threads (1, the add's writer's).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

from csctools.packs.sql import register


def main() -> None:
    source, threshold = sys.argv[1], sys.argv[2]
    batch_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 250_000
    times = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    memory = sys.argv[5] if len(sys.argv) > 5 else "512MB"
    threads = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    with duckdb.connect(source, read_only=True) as store:
        names = [
            t for (t,) in store.sql("SELECT table_name FROM duckdb_tables()").fetchall() if "__" in t or t == "errors"
        ]
        data = {t: pl.DataFrame(store.sql(f'SELECT * FROM "{t}" ORDER BY submission_id')) for t in names}
        ddl = dict(store.sql("SELECT table_name, sql FROM duckdb_tables()").fetchall())
    by_submission = {t: frame.partition_by("submission_id", as_dict=True) for t, frame in data.items()}
    ids = sorted({int(str(key[0])) for parts in by_submission.values() for key in parts})
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as temp:
        target = duckdb.connect(str(Path(temp) / "copy.duckdb"), config={"memory_limit": memory, "threads": threads})
        target.execute(f"SET checkpoint_threshold = '{threshold}'")
        for t in names:
            target.execute(ddl[t])
        start, cpu = time.perf_counter(), time.process_time()
        pending: dict[str, list[pl.DataFrame]] = {}
        held = 0

        def flush() -> None:
            for t, frames in pending.items():
                register(target, "_incoming", pl.concat(frames))
                target.execute(f'INSERT INTO "{t}" BY NAME SELECT * FROM _incoming')
                target.unregister("_incoming")
            pending.clear()
            target.execute("COMMIT")
            target.execute("BEGIN TRANSACTION")

        target.execute("BEGIN TRANSACTION")
        for time_ in range(times):
            for sid in ids:
                if held >= batch_rows:
                    flush()
                    held = 0
                for t, parts in by_submission.items():
                    part = parts.get((sid,))
                    if part is not None:
                        pending.setdefault(t, []).append(part.with_columns(pl.col("submission_id") + time_ * 100_000))
                        held += part.height
        flush()
        target.execute("COMMIT")
        target.execute("CHECKPOINT")
        target.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"threshold {threshold}, batches of {batch_rows:,} rows, {times}x, memory_limit {memory}, {threads} "
            "thread(s): "
            f"{time.perf_counter() - start:.2f} s wall, "
            f"{time.process_time() - cpu:.2f} CPU s, peak {peak:.0f} MiB ({peak - loaded:.0f} above the rows loaded)"
        )


if __name__ == "__main__":
    main()
