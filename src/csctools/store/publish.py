"""Publishing the store under a policy: merged record-level datasets and open aggregates.

The standing submissions (the latest version per authority, return and year, or as they stood at a time) are read
from the store in batches of one return and year (25 authorities at most), pseudonymised, leak-checked and written
(in worker processes when asked), so memory stays that of a batch however many authorities the store holds; each
CSV is joined from its batches' parts in batch order::

    DIR/parquet/<return>/<Table>/year=2025_26/authority=E08000035/part-0.parquet   (Hive-style partitions)
    DIR/csv/<return>_<Table>.csv                                                   (every authority and year)
    DIR/star/child.csv, episode.csv, placement.csv                                 (SSDA903 for Excel, Power BI)
    DIR/open/aggregates.csv, aggregates.parquet                                    (small numbers suppressed)
    DIR/manifest.json                                                              (what was published, how)
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Literal, NamedTuple

import duckdb
import polars as pl

from csctools import __version__
from csctools.io.result import ReturnData
from csctools.share.columns import DATASETS
from csctools.share.key import key_id
from csctools.share.leaks import find_leaks
from csctools.share.policy import Policy
from csctools.share.pseudonymise import pseudonymise
from csctools.store.aggregates import open_rows, suppressed
from csctools.store.db import StoreError, data_table, frame
from csctools.store.queries import standing
from csctools.store.star import star_tables
from csctools.years import CollectionYear

BATCH = 25  # submissions of one return and year read and pseudonymised together, at most: memory of a batch
# read by every Parquet engine, and a third cheaper to write than zstd for the small parts (about 25% larger)
PARQUET_COMPRESSION: Literal["snappy"] = "snappy"
SUBMISSION = "_submission"
SEP = "__"  # a CSV part's output folder and file name, e.g. csv__ssda903_Episodes.csv


def batch_tables(connection: duckdb.DuckDBPyConnection, dataset: str, ids: list[int]) -> dict[str, pl.DataFrame]:
    """The rows of some submissions, each table in one query, with the submission id as `_submission`.

    The ids (integers from the store itself) are written into the query: DuckDB then filters the scan by them and
    by their range (skipping row groups of other submissions), about four times faster than a list of parameters."""
    tables = {}
    numbers = [int(i) for i in ids]
    wanted = (
        f"submission_id BETWEEN {min(numbers)} AND {max(numbers)} AND submission_id IN ({', '.join(map(str, numbers))})"
    )
    for table in DATASETS[dataset].tables:
        rows = frame(
            connection,
            f'SELECT submission_id AS {SUBMISSION}, * EXCLUDE (submission_id) FROM "{data_table(dataset, table.name)}" '
            f'WHERE {wanted} ORDER BY submission_id, "_row"',
        )
        if rows.height:
            tables[table.name] = rows
    return tables


def _labels(batch: pl.DataFrame) -> pl.DataFrame:
    """Per submission: organisation label (name), ONS code, collection year and extract date (day received)."""
    return batch.select(
        pl.col("submission_id").alias(SUBMISSION),
        pl.col("la_name").alias("organisation_label"),
        pl.coalesce(pl.col("ons_code"), pl.col("la_number")).alias("organisation_code"),
        pl.col("year").map_elements(lambda y: CollectionYear(y).label, return_dtype=pl.String).alias("collection_year"),
        pl.col("received_at").dt.date().alias("extract_date"),
    )


def _write_partitions(out: Path, dataset: str, name: str, year: CollectionYear, rows: pl.DataFrame) -> None:
    for (ons,), part in rows.partition_by("organisation_code", as_dict=True, maintain_order=True).items():
        folder = out / "parquet" / dataset / name / f"year={year.key}" / f"authority={ons}"
        folder.mkdir(parents=True, exist_ok=True)
        part.write_parquet(folder / "part-0.parquet", compression=PARQUET_COMPRESSION)


def _record_level(
    out: Path,
    parts: Path,
    policy: Policy,
    key: bytes,
    dataset: str,
    year: CollectionYear,
    tables: dict[str, pl.DataFrame],
    labels: pl.DataFrame,
) -> int:
    """Pseudonymise a batch, check it for leaks, write its partitions and its part of each CSV (in `parts`);
    the rows written."""
    data = ReturnData(dataset, year, tables, [])
    shared = pseudonymise(data, policy, key)
    leaks = find_leaks(data, shared, policy)
    if leaks:
        raise StoreError(f"leak check failed for {dataset} {year}; nothing was published: " + leaks[0].describe())
    written = 0
    labelled_tables = {}
    for name, rows in shared.tables.items():
        owners = tables[name].select(SUBMISSION)
        labelled = owners.hstack(rows).join(labels, on=SUBMISSION, how="left", maintain_order="left")
        labelled = labelled.select(*labels.columns[1:], *rows.columns)
        labelled_tables[name] = labelled
        _write_partitions(out, dataset, name, year, labelled)
        labelled.write_csv(parts / f"csv{SEP}{dataset}_{name}.csv")
        written += labelled.height
    if dataset == "ssda903":
        for name, rows in star_tables(labelled_tables).items():
            rows.write_csv(parts / f"star{SEP}{name}.csv")
    return written


class Unit(NamedTuple):
    """One batch of publishing: up to BATCH submissions of one return and year, and where its CSV parts go."""

    number: int
    dataset: str
    year: int
    batch: pl.DataFrame  # the submissions' rows


def _publish_unit(
    connection: duckdb.DuckDBPyConnection, unit: Unit, policy: Policy, key: bytes, out: Path, parts: Path
) -> tuple[list[pl.DataFrame], int]:
    """A batch's open counts (before suppression) and record-level rows written."""
    year = CollectionYear(unit.year)
    labels = _labels(unit.batch)
    tables = batch_tables(connection, unit.dataset, unit.batch["submission_id"].to_list())
    aggregate_rows: list[pl.DataFrame] = []
    if policy.aggregates:
        by_submission = {name: frame.partition_by(SUBMISSION, as_dict=True) for name, frame in tables.items()}
        for label in labels.iter_rows(named=True):
            own = {
                n: parts_[(label[SUBMISSION],)] for n, parts_ in by_submission.items() if (label[SUBMISSION],) in parts_
            }
            aggregate_rows += open_rows(
                policy.aggregates,
                unit.dataset,
                own,
                year,
                label["organisation_label"],
                label["organisation_code"],
                label["extract_date"],
            )
    rows_out = 0
    if unit.dataset in policy.returns():
        folder = parts / f"{unit.number:06d}"
        folder.mkdir(parents=True)
        rows_out = _record_level(out, folder, policy, key, unit.dataset, year, tables, labels)
    return aggregate_rows, rows_out


def _rows_held(unit: Unit) -> int:
    """The rows of a batch's submissions (as each one counted them when it was kept)."""
    return sum(sum(json.loads(counts or "{}").values()) for counts in unit.batch["rows_by_table"])


def _in_worker(
    store: Path, unit: Unit, policy: Policy, key: bytes, out: Path, parts: Path
) -> tuple[list[pl.DataFrame], int]:
    """One batch in a worker process, with a read-only connection of its own, closed after it: DuckDB keeps every
    block it has read in its buffer pool (up to the memory limit), so one connection for all of a worker's batches
    grew with the store (a 33-authority publish in one process: 208 to 291 MiB over its 12 batches; 207 to 244-258
    MiB with a connection per batch, and no more CPU)."""
    from contextlib import closing

    from csctools.store.db import connect_read_only

    with closing(connect_read_only(store)) as connection:
        return _publish_unit(connection, unit, policy, key, out, parts)


def _join_parts(out: Path, parts: Path) -> None:
    """Each CSV of the outputs from its parts, in batch order (the header once), as if appended batch by batch."""
    names = sorted({p.name for p in parts.glob(f"*/*{SEP}*.csv")})
    for name in names:
        folder, _, file = name.partition(SEP)
        target = out / folder / file
        target.parent.mkdir(exist_ok=True)
        with target.open("wb") as handle:
            for n, part in enumerate(sorted(parts.glob(f"*/{name}"))):
                with part.open("rb") as source:
                    if n:
                        source.readline()  # the header, written once
                    shutil.copyfileobj(source, handle)
    shutil.rmtree(parts)


def publish(
    connection: duckdb.DuckDBPyConnection,
    policy: Policy,
    key: bytes,
    out: Path,
    as_of: datetime | None,
    store: Path | None = None,
    jobs: int = 1,
) -> list[str]:
    """Publish the standing submissions into `out` (absent or empty), whole or not at all: the release is written
    in a folder beside it and moved into place at the end, so a failed leak check (or a kill) leaves no half a
    release where readers look. With `store` (its path) and `jobs` > 1, the batches are pseudonymised and written
    by that many worker processes (each with its own read-only connection), the same outputs."""
    submissions = standing(connection, as_of).sort("dataset", "year", "la_number")
    if submissions.is_empty():
        when = f" at {as_of:%Y-%m-%d %H:%M:%S}" if as_of else ""
        raise StoreError(f"the store held no accepted submission{when}: nothing to publish")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}-{time.time_ns()}"
    staging.mkdir()  # the permissions a folder made here gets (mkdtemp's are the owner's alone)
    try:
        lines = _publish_into(connection, submissions, policy, key, staging, as_of, store, jobs)
        if out.exists():
            out.rmdir()  # empty (the command refuses a folder that is not)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [*lines, f"written to {out}"]


def _publish_into(
    connection: duckdb.DuckDBPyConnection,
    submissions: pl.DataFrame,
    policy: Policy,
    key: bytes,
    out: Path,
    as_of: datetime | None,
    store: Path | None,
    jobs: int,
) -> list[str]:
    parts = out / ".parts"
    record_level = set(policy.returns())
    units: list[Unit] = []
    for (dataset, year_end), group in submissions.group_by("dataset", "year", maintain_order=True):
        size = -(-group.height // -(-group.height // BATCH))  # batches of even size (33: 17 and 16, not 25 and 8)
        for start in range(0, group.height, size):
            units.append(Unit(len(units), str(dataset), int(str(year_end)), group.slice(start, size)))
    results: Iterable[tuple[list[pl.DataFrame], int]]
    if store is None or jobs <= 1 or len(units) < 2:
        results = [_publish_unit(connection, unit, policy, key, out, parts) for unit in units]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(min(jobs, len(units)), mp_context=multiprocessing.get_context("spawn"))
        with pool:
            # the largest batches first, so that no worker is left with a large one while the others stand idle
            # at the end; the results are taken in the batches' order, as written
            futures = {
                unit.number: pool.submit(_in_worker, store, unit, policy, key, out, parts)
                for unit in sorted(units, key=_rows_held, reverse=True)
            }
            results = [futures[unit.number].result() for unit in units]
    aggregate_rows: list[pl.DataFrame] = []
    rows_out = 0
    for counts, written in results:
        aggregate_rows += counts
        rows_out += written
    if parts.exists():
        _join_parts(out, parts)
    published = submissions.select(
        "submission_id", "la_number", "la_name", "dataset", "year", "version", "content_hash"
    ).to_dicts()
    lines = [f"{len(published)} submissions standing" + (f" at {as_of:%Y-%m-%d %H:%M:%S}" if as_of else "")]
    if record_level:
        lines.append(f"record-level: {rows_out:,} rows under policy {policy.label} (leak check passed)")
    if aggregate_rows:
        table = suppressed(aggregate_rows)
        (out / "open").mkdir(exist_ok=True)
        table.write_csv(out / "open" / "aggregates.csv")
        table.write_parquet(out / "open" / "aggregates.parquet")
        hidden = int((table["status"] != "").sum())
        lines.append(f"open aggregates: {table.height:,} cells, {hidden:,} suppressed")
    manifest = {
        "csctools": __version__,
        "policy": policy.name,
        "policy_source": policy.source,
        "key_id": key_id(key),
        "as_of": as_of.isoformat() if as_of else None,
        "published_at": datetime.now().isoformat(timespec="seconds"),
        "submissions": published,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    return lines
