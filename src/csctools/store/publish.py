"""Publishing the store under a policy: merged record-level datasets and open aggregates.

The standing submissions (the latest version per authority, return and year, or as they stood at a time) are read
from the store in batches of one return and year (25 authorities at most), pseudonymised, leak-checked and appended
to the outputs, so memory stays that of a batch however many authorities the store holds::

    DIR/parquet/<return>/<Table>/year=2025_26/authority=E08000035/part-0.parquet   (Hive-style partitions)
    DIR/csv/<return>_<Table>.csv                                                   (every authority and year)
    DIR/star/child.csv, episode.csv, placement.csv                                 (SSDA903 for Excel, Power BI)
    DIR/open/aggregates.csv, aggregates.parquet                                    (small numbers suppressed)
    DIR/manifest.json                                                              (what was published, how)
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

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

BATCH = 25  # submissions of one return and year read and pseudonymised together: memory stays that of a batch
SUBMISSION = "_submission"


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


def _append_csv(path: Path, rows: pl.DataFrame) -> None:
    first = not path.exists()
    with path.open("ab") as handle:
        rows.write_csv(handle, include_header=first)


def _write_partitions(out: Path, dataset: str, name: str, year: CollectionYear, rows: pl.DataFrame) -> None:
    for (ons,), part in rows.partition_by("organisation_code", as_dict=True, maintain_order=True).items():
        folder = out / "parquet" / dataset / name / f"year={year.key}" / f"authority={ons}"
        folder.mkdir(parents=True, exist_ok=True)
        part.write_parquet(folder / "part-0.parquet")


def _record_level(
    out: Path,
    policy: Policy,
    key: bytes,
    dataset: str,
    year: CollectionYear,
    tables: dict[str, pl.DataFrame],
    labels: pl.DataFrame,
) -> int:
    """Pseudonymise a batch, check it for leaks, append it to the outputs; the rows written."""
    data = ReturnData(dataset, year, tables, [])
    shared = pseudonymise(data, policy, key)
    leaks = find_leaks(data, shared, policy)
    if leaks:
        raise StoreError(f"leak check failed for {dataset} {year}; nothing more written: " + leaks[0].describe())
    written = 0
    labelled_tables = {}
    for name, rows in shared.tables.items():
        owners = tables[name].select(SUBMISSION)
        labelled = owners.hstack(rows).join(labels, on=SUBMISSION, how="left", maintain_order="left")
        labelled = labelled.select(*labels.columns[1:], *rows.columns)
        labelled_tables[name] = labelled
        _write_partitions(out, dataset, name, year, labelled)
        (out / "csv").mkdir(exist_ok=True)
        _append_csv(out / "csv" / f"{dataset}_{name}.csv", labelled)
        written += labelled.height
    if dataset == "ssda903":
        (out / "star").mkdir(exist_ok=True)
        for name, rows in star_tables(labelled_tables).items():
            _append_csv(out / "star" / f"{name}.csv", rows)
    return written


def publish(
    connection: duckdb.DuckDBPyConnection, policy: Policy, key: bytes, out: Path, as_of: datetime | None
) -> list[str]:
    submissions = standing(connection, as_of).sort("dataset", "year", "la_number")
    if submissions.is_empty():
        when = f" at {as_of:%Y-%m-%d %H:%M:%S}" if as_of else ""
        raise StoreError(f"the store held no accepted submission{when}: nothing to publish")
    out.mkdir(parents=True, exist_ok=True)
    record_level = set(policy.returns())
    aggregate_rows: list[pl.DataFrame] = []
    rows_out = 0
    for (dataset, year_end), group in submissions.group_by("dataset", "year", maintain_order=True):
        year = CollectionYear(int(str(year_end)))
        for start in range(0, group.height, BATCH):
            batch = group.slice(start, BATCH)
            labels = _labels(batch)
            tables = batch_tables(connection, str(dataset), batch["submission_id"].to_list())
            if policy.aggregates:
                by_submission = {name: frame.partition_by(SUBMISSION, as_dict=True) for name, frame in tables.items()}
                for label in labels.iter_rows(named=True):
                    own = {
                        n: parts[(label[SUBMISSION],)]
                        for n, parts in by_submission.items()
                        if (label[SUBMISSION],) in parts
                    }
                    aggregate_rows += open_rows(
                        policy.aggregates,
                        str(dataset),
                        own,
                        year,
                        label["organisation_label"],
                        label["organisation_code"],
                        label["extract_date"],
                    )
            if dataset in record_level:
                rows_out += _record_level(out, policy, key, str(dataset), year, tables, labels)
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
    lines.append(f"written to {out}")
    return lines
