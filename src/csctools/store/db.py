"""The store: one DuckDB file keeping every submission, append-only.

Tables: `submissions` (one row per return offered: files' content hash, authority, return, year, version, received
at, csctools and pack versions, validation summary; rejected ones with their reason), `submission_files`,
`errors` (each accepted submission's error table) and one data table per return table (`ssda903__Episodes`, ...)
whose rows carry their submission id. Nothing is ever updated or deleted: a resubmission is a new version (one
whose files are identical to the standing version's says so, `identical_to`).
An add commits as it goes, a batch of whole submissions at a time (about FLUSH_ROWS rows): a submission is kept
whole or not at all, and a crash or kill mid-add keeps the batches committed before it (each submission in them
whole) and nothing of the rest. DuckDB's lock on the file lets one process write at a time.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import duckdb
import polars as pl

from csctools import __version__
from csctools.io.result import ReturnData
from csctools.model import SOURCE_ROW, ColumnType
from csctools.packs.sql import register
from csctools.share.columns import DATASETS
from csctools.store.intake import LastYear, Submission, kept_tables

SCHEMA_VERSION = "1"
DUCK_TYPES = {
    ColumnType.TEXT: "VARCHAR",
    ColumnType.CODE: "VARCHAR",
    ColumnType.DATE: "DATE",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.BOOLEAN: "BOOLEAN",
}
PAUSE_HOOK = "CSC_STORE_PAUSE_BEFORE_COMMIT"  # tests: a file to create, then wait, inside the transaction
PAUSE_SECONDS = "CSC_STORE_PAUSE_SECONDS"
SETUP = """
CREATE TABLE IF NOT EXISTS store_info (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE SEQUENCE IF NOT EXISTS submission_ids START 1;
CREATE TABLE IF NOT EXISTS submissions (
    submission_id BIGINT PRIMARY KEY,
    la_number VARCHAR, la_name VARCHAR, ons_code VARCHAR,
    dataset VARCHAR, year INTEGER, version INTEGER,
    status VARCHAR NOT NULL, reason VARCHAR,
    received_at TIMESTAMP NOT NULL, content_hash VARCHAR NOT NULL,
    csctools_version VARCHAR NOT NULL, packs VARCHAR NOT NULL,
    errors INTEGER, queries INTEGER, rows_by_table VARCHAR, outcomes VARCHAR, authority_from VARCHAR
);
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS previous_submission BIGINT;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS identical_to BIGINT;
CREATE TABLE IF NOT EXISTS submission_files (submission_id BIGINT, name VARCHAR, sha256 VARCHAR, bytes BIGINT);
CREATE TABLE IF NOT EXISTS errors (
    submission_id BIGINT, rule_code VARCHAR, severity VARCHAR, table_name VARCHAR, row_number BIGINT,
    child_id VARCHAR, field VARCHAR, value VARCHAR, message VARCHAR, source_file VARCHAR
);
"""
ERROR_COLUMNS = ("rule_code", "severity", "table", "row_number", "child_id", "field", "value", "message", "source_file")


class StoreError(Exception):
    """The store cannot be used (locked by another process, not a store, ...), in one line."""


def data_table(dataset: str, table: str) -> str:
    return f"{dataset}__{table}"


def _create_data_tables(connection: duckdb.DuckDBPyConnection) -> None:
    for dataset, model in DATASETS.items():
        for table in model.tables:
            columns = ", ".join(f'"{c.name}" {DUCK_TYPES[c.type]}' for c in table.columns)
            connection.execute(
                f'CREATE TABLE IF NOT EXISTS "{data_table(dataset, table.name)}" '
                f'(submission_id BIGINT, "{SOURCE_ROW}" BIGINT, {columns})'
            )


MEMORY_LIMIT = "CSC_STORE_MEMORY_LIMIT"  # DuckDB's memory limit for the store (defaults below)
# An add's writer keeps the blocks it wrote in DuckDB's buffer pool up to this limit, so with more it grows with
# what it writes (177 MiB above the rows for 33 authorities, 279 MiB for about 150 with 512 MB; 161 and 169 with
# 128 MB, for a fifth more of its DuckDB CPU: bench/RESULTS.md, share30): 128 MB keeps an add's peak flat.
DEFAULT_WRITER_MEMORY_LIMIT = "128MB"
DEFAULT_MEMORY_LIMIT = "512MB"  # read-only connections (list, history, errors, publish)


def _connect(path: Path, read_only: bool, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    # DuckDB keeps the blocks it writes and reads in its buffer pool up to its memory limit (80% of the machine by
    # default), so an add or publish would grow with the store; with a limit, written blocks are evicted (they are
    # in the file) and anything else spills to the temporary folder beside the store
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": os.environ.get(MEMORY_LIMIT)
        or (DEFAULT_MEMORY_LIMIT if read_only else DEFAULT_WRITER_MEMORY_LIMIT)
    }
    if threads is not None:
        config["threads"] = threads
    connection = duckdb.connect(str(path), read_only=read_only, config=config)
    # DuckDB draws a progress bar on the terminal for a statement running over 2 s (a commit or checkpoint on a
    # busy machine): it landed among the add's report lines
    connection.execute("SET enable_progress_bar = false")
    if not read_only:
        connection.execute(SETUP)
        _create_data_tables(connection)
        connection.execute(
            "INSERT INTO store_info VALUES ('schema', ?), ('created_by', ?) ON CONFLICT DO NOTHING",
            [SCHEMA_VERSION, f"csctools {__version__}"],
        )
    return connection


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection (with the store's memory limit) for a worker process; readers do not wait. One
    DuckDB thread: the workers are as many as the cores already (more threads cost CPU in waiting for each other)."""
    return _connect(path, read_only=True, threads=1)


DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
RETURN_SUFFIXES = (".csv", ".xml", ".xlsx", ".xls", ".json", ".parquet", ".zip")
GIVE_STORE_FIRST = "give the store first, then the files: csc store add STORE.duckdb FILES..."


def check_store_path(path: Path) -> None:
    """A store is a DuckDB file: an existing file that is not one, or a new one named like a return (the store
    forgotten, so the first file was taken for it), is refused before DuckDB opens it (it opened a CSV file as an
    empty database in memory, and the add was lost)."""
    if path.is_dir():
        raise StoreError(f"{path}: a folder, not a store (a DuckDB file); {GIVE_STORE_FIRST}")
    if path.exists():
        try:
            with path.open("rb") as handle:
                head = handle.read(12)
        except OSError as error:
            raise StoreError(f"{path}: cannot be read ({error.strerror or error})") from None
        if head[8:12] != DUCKDB_MAGIC:
            raise StoreError(f"{path} exists and is not a store (a DuckDB file of csc store); {GIVE_STORE_FIRST}")
    elif path.suffix.lower() in RETURN_SUFFIXES:
        raise StoreError(f"{path}: a store is a DuckDB file (e.g. hub.duckdb), not {path.suffix}; {GIVE_STORE_FIRST}")


@contextmanager
def open_store(path: Path, read_only: bool = False, wait: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store's connection; another process holding the file is waited for (up to `wait` seconds)."""
    if read_only and not path.exists():
        raise StoreError(f"{path}: no store here (csc store add creates one)")
    check_store_path(path)
    deadline = time.monotonic() + wait
    while True:
        try:
            # the add's writer: one DuckDB thread, as the cores are busy reading and validating in the workers (its
            # inserts and commits took a third more CPU with two threads waiting for each other)
            connection = _connect(path, read_only, threads=None if read_only else 1)
            break
        except duckdb.IOException as error:
            text = str(error)
            if "lock" not in text.lower():
                raise StoreError(f"{path}: not a store or cannot be opened ({text.splitlines()[0]})") from None
            if time.monotonic() >= deadline:
                holder = text.split("(PID ")[-1].split(")")[0] if "(PID " in text else "another process"
                raise StoreError(
                    f"{path} is in use by another process (PID {holder}) and was still after {wait:.0f} s; "
                    "nothing was added, try again when it has finished"
                ) from None
            time.sleep(0.2)
        except duckdb.Error as error:
            raise StoreError(f"{path}: not a store or cannot be opened ({str(error).splitlines()[0]})") from None
    try:
        yield connection
    finally:
        connection.close()


Which = tuple[str | None, str | None, int | None]  # authority number, return, collection year (end year)


class Latest(NamedTuple):
    """The standing (latest accepted) version of an authority's return and year."""

    version: int
    submission_id: int
    content_hash: str


def _latest(connection: duckdb.DuckDBPyConnection) -> dict[Which, Latest]:
    """The latest accepted version of every authority, return and year, read once when the add starts (it holds
    the file until it ends, so no other process can add a version meanwhile)."""
    rows = connection.execute(
        "SELECT la_number, dataset, year, arg_max(version, version), arg_max(submission_id, version), "
        "arg_max(content_hash, version) FROM submissions WHERE status = 'accepted' GROUP BY ALL"
    ).fetchall()
    return {(la, dataset, year): Latest(int(v or 0), int(i), str(h)) for la, dataset, year, v, i, h in rows}


def _pause_for_tests() -> None:
    marker = os.environ.get(PAUSE_HOOK)
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get(PAUSE_SECONDS, "60")))


FLUSH_ROWS = 250_000  # rows held in polars before they go to DuckDB and are committed
COMMIT_ROWS = "CSC_STORE_COMMIT_ROWS"  # tests: commit after this many rows instead (1: after every submission)
# DuckDB checkpoints (writes the log's rows into the file, compressed) at a commit once its write-ahead log holds
# 16 MB, which a batch always does: a checkpoint at every commit cost half the writer's CPU (about 7 of its 14
# CPU s in a 33-authority add) and more as the store grew. During an add it checkpoints once the log holds this
# much (every few batches, and once at the end): committed rows are safe in the log meanwhile (a kill keeps them),
# and what DuckDB holds of them in memory until the checkpoint is bounded by this size.
CHECKPOINT_AT = "CSC_STORE_CHECKPOINT_AT"
DEFAULT_CHECKPOINT_AT = "64MB"
SUBMISSION_SCHEMA = pl.Schema(
    {
        "submission_id": pl.Int64(),
        "la_number": pl.String(),
        "la_name": pl.String(),
        "ons_code": pl.String(),
        "dataset": pl.String(),
        "year": pl.Int32(),
        "version": pl.Int32(),
        "status": pl.String(),
        "reason": pl.String(),
        "received_at": pl.Datetime("us"),
        "content_hash": pl.String(),
        "csctools_version": pl.String(),
        "packs": pl.String(),
        "errors": pl.Int32(),
        "queries": pl.Int32(),
        "rows_by_table": pl.String(),
        "outcomes": pl.String(),
        "authority_from": pl.String(),
        "previous_submission": pl.Int64(),
        "identical_to": pl.Int64(),
    }
)
FILE_SCHEMA = pl.Schema({"submission_id": pl.Int64, "name": pl.String, "sha256": pl.String, "bytes": pl.Int64})


class Kept(NamedTuple):
    submission: Submission  # without its tables and error table (written to the store)
    submission_id: int
    version: int | None  # None for a rejected submission
    identical_to: Latest | None = None  # the version before it, when its files are the same


class _Pending:
    """What an add holds in polars until the next flush: data rows by target table, error rows, and the
    submissions' own rows and files (written the same way, through Arrow, not a statement per submission)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.data: dict[str, list[pl.DataFrame]] = {}
        self.errors: list[pl.DataFrame] = []
        self.submissions: list[dict[str, object]] = []
        self.files: list[dict[str, object]] = []
        self.rows = 0
        self.last_id = 0  # the highest submission id among its rows (0: none)

    def flush(self, connection: duckdb.DuckDBPyConnection) -> None:
        inserts = [(target, pl.concat(frames, how="vertical_relaxed")) for target, frames in self.data.items()]
        if self.errors:
            inserts.append(("errors", pl.concat(self.errors, how="vertical_relaxed")))
        if self.submissions:
            inserts.append(("submissions", pl.DataFrame(self.submissions, schema=SUBMISSION_SCHEMA)))
        if self.files:
            inserts.append(("submission_files", pl.DataFrame(self.files, schema=FILE_SCHEMA)))
        for target, rows in inserts:
            register(connection, "_incoming", rows)
            connection.execute(f'INSERT INTO "{target}" BY NAME SELECT * FROM _incoming')
            connection.unregister("_incoming")
        self.clear()


def _submission_row(
    submission: Submission, submission_id: int, version: int | None, identical_to: int | None
) -> dict[str, object]:
    authority = submission.authority
    return {
        "submission_id": submission_id,
        "la_number": authority.number if authority else None,
        "la_name": authority.name if authority else None,
        "ons_code": authority.ons_code if authority else None,
        "dataset": submission.dataset,
        "year": submission.year,
        "version": version,
        "status": "rejected" if submission.rejected else "accepted",
        "reason": submission.rejected,
        "received_at": submission.received_at,
        "content_hash": submission.content_hash,
        "csctools_version": __version__,
        "packs": json.dumps(list(submission.packs)),
        "errors": submission.summary.get("errors"),
        "queries": submission.summary.get("queries"),
        "rows_by_table": json.dumps({name: frame.height for name, frame in submission.tables.items()}),
        "outcomes": json.dumps({k: v for k, v in submission.summary.items() if k not in ("errors", "queries")}),
        "authority_from": submission.note or None,
        "previous_submission": submission.previous,
        "identical_to": identical_to,
    }


RECENT = 4  # returns of an add held for the next year's validation


class Adding:
    """One add: submissions kept as they come, committed a batch of whole submissions at a time (so memory stays
    that of a batch however many returns one add holds); last year's returns read back from the store (so a
    return of this add counts as last year's for the next year of the add).

    A full batch is written and committed by a writer thread while the next one gathers: the main thread keeps
    handing returns to the workers meanwhile (when it wrote them itself, the workers stood idle through every
    commit). At most one batch is being written at a time, and the connection is used by one thread at a time: the
    main thread touches it only when no batch is being written. Submission ids are handed out here, in order, and
    the store's sequence is advanced in each batch's own transaction to the batch's highest id, so the sequence
    stands as if each submission had taken its id from it (a kill leaves it where the last commit did)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection
        self.pending = _Pending()
        self.kept: list[Kept] = []
        self.latest: dict[Which, Latest] = {}
        self.unflushed: set[Which] = set()
        self.commit_rows = int(os.environ.get(COMMIT_ROWS) or FLUSH_ROWS)
        # the latest returns kept by this add, as the store holds them: last year's return of the same add is
        # usually among them (a hub's folders go authority by authority, year by year), so it is not read back
        self.recent: OrderedDict[Which, LastYear] = OrderedDict()
        self.next_id = 0  # the next submission id to hand out (0: not yet taken from the sequence)
        self.sequence_at = 0  # the highest id the sequence has given in this add (inside the open transaction)
        self.writer: ThreadPoolExecutor | None = None
        self.writing: Future[None] | None = None  # the batch being written and committed, if any

    def __enter__(self) -> Adding:
        self.latest = _latest(self.connection)
        threshold = os.environ.get(CHECKPOINT_AT) or DEFAULT_CHECKPOINT_AT
        if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", threshold, re.IGNORECASE):  # written into the statement
            raise StoreError(f"{CHECKPOINT_AT}={threshold}: not a size (e.g. 128MB)")
        self.connection.execute(f"SET checkpoint_threshold = '{threshold}'")
        self.connection.execute("BEGIN TRANSACTION")
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="store-writer")
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            self._written()  # the batch being written: committed, or its error raised
        except BaseException:
            self._stop_writer()
            self.connection.execute("ROLLBACK")
            if kind is None:
                raise
            return  # the error that stopped the add is the one told
        self._stop_writer()
        if kind is not None:
            self.connection.execute("ROLLBACK")  # the batch under way; the batches committed before it stay
            return
        try:
            self._write(self.pending, commit=False)
            _pause_for_tests()
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("CHECKPOINT")  # the log's rows into the file once, at the end of the add

    def _stop_writer(self) -> None:
        if self.writer is not None:
            self.writer.shutdown()
            self.writer = None

    def _written(self) -> None:
        """The batch being written, if any, written and committed (its error raised here)."""
        writing, self.writing = self.writing, None
        if writing is not None:
            writing.result()

    def _write(self, batch: _Pending, commit: bool) -> None:
        """A batch's rows inserted (the sequence advanced to its highest id), and committed if asked, a new
        transaction begun. In the writer thread, or in the main thread when none is being written."""
        last_id = batch.last_id
        batch.flush(self.connection)
        if last_id > self.sequence_at:  # the ids handed out since: taken from the sequence in this transaction
            taken = last_id - self.sequence_at
            self.connection.execute(f"SELECT max(nextval('submission_ids')) FROM range({int(taken)})")
            self.sequence_at = last_id
        if commit:
            self.connection.execute("COMMIT")
            self.connection.execute("BEGIN TRANSACTION")

    def _commit(self) -> None:
        """The batch handed to the writer thread, to be written and committed (each of its submissions whole)
        while the next one gathers; the one before it waited for first."""
        batch, self.pending = self.pending, _Pending()
        self.unflushed.clear()
        self._written()
        assert self.writer is not None, "inside the add"
        self.writing = self.writer.submit(self._write, batch, True)

    def _new_id(self) -> int:
        if not self.next_id:  # the first: from the sequence (no batch is being written before the first commit)
            row = self.connection.execute("SELECT nextval('submission_ids')").fetchone()
            self.next_id = self.sequence_at = int(row[0]) if row else 1
        submission_id, self.next_id = self.next_id, self.next_id + 1
        return submission_id

    def last_year(self, authority: str, dataset: str, year: int) -> LastYear | None:
        """The authority's standing submission of the year before `year` (an end year), read back whole."""
        from csctools.store.queries import last_year, submission_tables
        from csctools.years import CollectionYear

        which = (authority, dataset, year - 1)
        if which in self.recent:
            return self.recent[which]
        if which not in self.latest:  # neither in the store when the add began nor kept by it: no query
            return None
        self._written()  # the connection is this thread's again
        if which in self.unflushed:
            self._write(self.pending, commit=False)  # into the open transaction, as the query sees it
            self.unflushed.clear()
        found = last_year(self.connection, authority, dataset, year)
        if found is None:
            return None
        submission_id, version = found
        tables = submission_tables(self.connection, dataset, submission_id)
        return LastYear(submission_id, version, ReturnData(dataset, CollectionYear(year - 1), tables, []))

    def _remember(self, which: Which, kept: LastYear) -> None:
        from csctools.years import CollectionYear

        kept.data.year = CollectionYear(int(which[2] or 0))
        self.recent[which] = kept
        self.recent.move_to_end(which)
        while len(self.recent) > RECENT:
            self.recent.popitem(last=False)

    def keep(self, submission: Submission) -> Kept:
        if self.pending.rows >= self.commit_rows:  # a full batch: committed before the next submission joins
            self._commit()
        submission_id = self._new_id()
        version = None
        identical_to = None
        pending = self.pending
        if submission.rejected is None and submission.dataset is not None:
            which = (submission.authority.number if submission.authority else None, submission.dataset, submission.year)
            before = self.latest.get(which)
            if before is not None and before.content_hash == submission.content_hash:
                identical_to = before
            version = (before.version if before else 0) + 1
            self.latest[which] = Latest(version, submission_id, submission.content_hash)
            self.unflushed.add(which)
            kept = kept_tables(submission)  # typed where it was validated (intake.as_stored)
            for name, frame in kept.items():
                rows = frame.select(pl.lit(submission_id, pl.Int64).alias("submission_id"), pl.all())
                pending.data.setdefault(data_table(submission.dataset, name), []).append(rows)
            data = ReturnData(submission.dataset, None, kept, [])
            self._remember(which, LastYear(submission_id, version, data, submission.token))
            if submission.errors is not None and submission.errors.height:
                pending.errors.append(
                    submission.errors.select(pl.lit(submission_id, pl.Int64).alias("submission_id"), *ERROR_COLUMNS)
                    .cast({"row_number": pl.Int64})
                    .rename({"table": "table_name"})
                )
        same = identical_to.submission_id if identical_to else None
        pending.submissions.append(_submission_row(submission, submission_id, version, same))
        pending.files += [
            {"submission_id": submission_id, "name": f.name, "sha256": f.sha256, "bytes": f.size}
            for f in submission.files
        ]
        done = Kept(submission._replace(tables={}, errors=None), submission_id, version, identical_to)
        self.kept.append(done)
        pending.rows += max(1, sum(frame.height for frame in submission.tables.values()))
        pending.last_id = submission_id
        return done


def add_submissions(connection: duckdb.DuckDBPyConnection, submissions: Iterable[Submission]) -> list[Kept]:
    """Keep every submission, a batch of whole ones per transaction (on a failure, crash or kill: the batches
    committed before it, and nothing of the rest).

    Submissions are written as they come (an iterator of validations still running), in batches of rows. No
    statement takes Python parameters per submission: each one costs DuckDB milliseconds (it looks for pandas and
    numpy every time), so the submissions' rows go in through Arrow with the data."""
    with Adding(connection) as adding:
        for submission in submissions:
            adding.keep(submission)
    return adding.kept


def frame(connection: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """A query's result as a polars frame (through Arrow, no pyarrow)."""
    return pl.DataFrame(connection.sql(sql, params=params or None))
