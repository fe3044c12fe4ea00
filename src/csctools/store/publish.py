"""Publishing the store under a policy: merged record-level datasets and open aggregates.

One standing submission at a time (the latest version per authority, return and year, or as it stood on a date) is
read from the store, pseudonymised, leak-checked and appended to the outputs, so memory stays that of the largest
submission however many authorities the store holds::

    DIR/parquet/<return>/<Table>/year=2025_26/authority=E08000035/part-0.parquet   (Hive-style partitions)
    DIR/csv/<return>_<Table>.csv                                                   (every authority and year)
    DIR/star/child.csv, episode.csv, placement.csv                                 (SSDA903 for Excel, Power BI)
    DIR/open/aggregates.csv, aggregates.parquet                                    (small numbers suppressed)
    DIR/manifest.json                                                              (what was published, how)
"""

from __future__ import annotations

import json
from datetime import date, datetime
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


def submission_tables(
    connection: duckdb.DuckDBPyConnection, dataset: str, submission_id: int
) -> dict[str, pl.DataFrame]:
    tables = {}
    for table in DATASETS[dataset].tables:
        rows = frame(
            connection,
            f'SELECT * EXCLUDE (submission_id) FROM "{data_table(dataset, table.name)}" WHERE submission_id = ? '
            'ORDER BY "_row"',
            [submission_id],
        )
        if rows.height:
            tables[table.name] = rows
    return tables


def _labelled(shared: pl.DataFrame, label: str, ons: str, year: CollectionYear, extract: date) -> pl.DataFrame:
    return shared.select(
        pl.lit(label).alias("organisation_label"),
        pl.lit(ons).alias("organisation_code"),
        pl.lit(year.label).alias("collection_year"),
        pl.lit(extract).alias("extract_date"),
        pl.all(),
    )


def _append_csv(path: Path, rows: pl.DataFrame) -> None:
    first = not path.exists()
    with path.open("ab") as handle:
        rows.write_csv(handle, include_header=first)


def publish(
    connection: duckdb.DuckDBPyConnection, policy: Policy, key: bytes, out: Path, as_of: datetime | None
) -> list[str]:
    submissions = standing(connection, as_of)
    if submissions.is_empty():
        when = f" at {as_of:%Y-%m-%d %H:%M:%S}" if as_of else ""
        raise StoreError(f"the store held no accepted submission{when}: nothing to publish")
    out.mkdir(parents=True, exist_ok=True)
    record_level = set(policy.returns())
    aggregate_rows: list[pl.DataFrame] = []
    published, rows_out = [], 0
    for sub in submissions.iter_rows(named=True):
        dataset, year = sub["dataset"], CollectionYear(sub["year"])
        extract: date = sub["received_at"].date() if isinstance(sub["received_at"], datetime) else sub["received_at"]
        label, ons = sub["la_name"], sub["ons_code"] or sub["la_number"]
        tables = submission_tables(connection, dataset, sub["submission_id"])
        aggregate_rows += open_rows(policy.aggregates, dataset, tables, year, label, ons, extract)
        published.append(
            {k: sub[k] for k in ("submission_id", "la_number", "la_name", "dataset", "year", "version", "content_hash")}
        )
        if dataset not in record_level:
            continue
        data = ReturnData(dataset, year, tables, [])
        shared = pseudonymise(data, policy, key)
        leaks = find_leaks(data, shared, policy)
        if leaks:
            where = f"{label} {dataset} {year}"
            raise StoreError(f"leak check failed for {where}; nothing more written: " + leaks[0].describe())
        for name, rows in shared.tables.items():
            labelled = _labelled(rows, label, ons, year, extract)
            folder = out / "parquet" / dataset / name / f"year={year.key}" / f"authority={ons}"
            folder.mkdir(parents=True, exist_ok=True)
            labelled.write_parquet(folder / "part-0.parquet")
            (out / "csv").mkdir(exist_ok=True)
            _append_csv(out / "csv" / f"{dataset}_{name}.csv", labelled)
            rows_out += labelled.height
        if dataset == "ssda903":
            (out / "star").mkdir(exist_ok=True)
            for name, rows in star_tables(shared.tables, ons, year.label).items():
                _append_csv(out / "star" / f"{name}.csv", _labelled(rows, label, ons, year, extract))
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
