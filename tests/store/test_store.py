"""`csc store add|list|history|errors`: append-only versions, rejections, one transaction, one writer at a time."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from csctools.cli.main import app

runner = CliRunner()
CSC = [sys.executable, "-c", "from csctools.cli.main import run; run()"]


def counts(store: Path) -> dict[str, int]:
    """Rows of every table of the store, read with DuckDB directly."""
    with duckdb.connect(str(store), read_only=True) as connection:
        names = [r[0] for r in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {n: connection.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # type: ignore[index]


def add(store: Path, *paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    result = runner.invoke(app, ["store", "add", str(store), *map(str, paths), "--jobs", "1", *extra])
    return result.exit_code, result.output


def test_add_keeps_every_version(hub_returns: Path, tmp_path: Path) -> None:
    store = tmp_path / "hub.duckdb"
    leeds = hub_returns / "383" / "2025_26"
    code, output = add(store, leeds / "ssda903", leeds / "cin_census_2025_26.xml")
    assert code == 0, output
    assert "383 Leeds ssda903 2025/26: version 1" in output and "(authority from the folder name)" in output
    assert "383 Leeds cin 2025/26: version 1" in output and "(authority from the census header)" in output
    first = counts(store)
    code, output = add(store, leeds / "ssda903", extra=("--la", "383"))
    # the same files again: a new version all the same (append-only), said to be identical to the one before
    assert code == 0 and "ssda903 2025/26: version 2 (files identical to version 1, #2)" in output, output
    second = counts(store)
    # the resubmission adds its rows beside the first version's: nothing overwritten or deleted
    assert second["ssda903__Episodes"] == 2 * first["ssda903__Episodes"] > 0
    assert second["cin__CINdetails"] == first["cin__CINdetails"]
    assert second["submissions"] == 3
    history = runner.invoke(app, ["store", "history", str(store), "--la", "383"]).output
    assert "ssda903 2025/26 version 1" in history and "ssda903 2025/26 version 2" in history
    assert "no change in row counts" in history and "files identical to #2" in history
    listing = runner.invoke(app, ["store", "list", str(store)]).output
    assert "383 Leeds  ssda903 2025/26  version 2" in listing and "383 Leeds  cin 2025/26  version 1" in listing


def test_an_add_checkpoints_when_its_log_is_large_and_at_its_end(
    hub_returns: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # checkpoints during the add (a tiny threshold: after every commit) or only at its end keep the same rows, and
    # no write-ahead log is left behind for the next reader to replay
    folders = (hub_returns / "383", hub_returns / "384")
    held = []
    for threshold in ("1KB", "64MB"):
        store = tmp_path / f"hub-{threshold}.duckdb"
        monkeypatch.setenv("CSC_STORE_CHECKPOINT_AT", threshold)
        monkeypatch.setenv("CSC_STORE_COMMIT_ROWS", "1")
        code, output = add(store, *folders)
        assert code == 0, output
        assert not store.with_name(store.name + ".wal").exists()
        held.append(counts(store))
    assert held[0] == held[1] and held[0]["ssda903__Episodes"] > 0
    monkeypatch.setenv("CSC_STORE_CHECKPOINT_AT", "64 apples")
    code, output = add(tmp_path / "other.duckdb", *folders)
    assert code == 2 and output.strip() == "csc: CSC_STORE_CHECKPOINT_AT=64 apples: not a size (e.g. 128MB)"


def test_batches_committed_in_the_background_keep_the_ids_and_versions_of_one_batch(
    hub_returns: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a commit after every submission (each batch written by the writer thread while the next gathers) and one
    # batch for the whole add: the same submissions, ids, versions and rows; the next add's ids follow on
    folders = (hub_returns / "383", hub_returns / "384")
    leeds = hub_returns / "383" / "2025_26" / "ssda903"
    held = []
    for commit_rows in ("1", "100000000"):
        store = tmp_path / f"hub-{commit_rows}.duckdb"
        monkeypatch.setenv("CSC_STORE_COMMIT_ROWS", commit_rows)
        assert add(store, *folders)[0] == 0
        code, output = add(store, leeds)
        assert code == 0 and "#5 383 Leeds ssda903 2025/26: version 2 (files identical to version 1" in output, output
        with duckdb.connect(str(store), read_only=True) as connection:
            rows = connection.execute(
                "SELECT submission_id, la_number, dataset, year, version, identical_to, rows_by_table "
                "FROM submissions ORDER BY submission_id"
            ).fetchall()
            episodes = connection.execute(
                'SELECT submission_id, count(*) FROM "ssda903__Episodes" GROUP BY 1 ORDER BY 1'
            ).fetchall()
        held.append((rows, episodes))
    assert held[0] == held[1]
    assert [row[0] for row in held[0][0]] == [1, 2, 3, 4, 5]


def test_a_file_that_cannot_be_read_is_recorded_as_rejected(hub_returns: Path, tmp_path: Path) -> None:
    store = tmp_path / "hub.duckdb"
    broken = tmp_path / "cin_census_2025_26.xml"
    broken.write_text("<Message><Header>", encoding="utf-8")
    code, output = add(store, broken, extra=("--la", "383"))
    assert code == 1 and "rejected" in output
    with duckdb.connect(str(store), read_only=True) as connection:
        status, reason, files = connection.execute(
            "SELECT status, reason, (SELECT count(*) FROM submission_files) FROM submissions"
        ).fetchone()  # type: ignore[misc]
    assert status == "rejected" and "cin_census_2025_26.xml" in reason and files == 1
    data_rows = {k: v for k, v in counts(store).items() if "__" in k}
    assert sum(data_rows.values()) == 0
    history = runner.invoke(app, ["store", "history", str(store), "--la", "383"]).output
    assert "rejected:" in history


def test_errors_log_for_feedback(hub_returns: Path, tmp_path: Path) -> None:
    store = tmp_path / "hub.duckdb"
    code, output = add(store, hub_returns / "384" / "2025_26" / "ssda903")
    assert code == 0, output
    csv = tmp_path / "errors.csv"
    result = runner.invoke(app, ["store", "errors", str(store), "--la", "384", "-o", str(csv)])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(store), read_only=True) as connection:
        kept = connection.execute("SELECT count(*) FROM errors").fetchone()[0]  # type: ignore[index]
        errors, queries = connection.execute("SELECT errors, queries FROM submissions").fetchone()  # type: ignore[misc]
    written = len(csv.read_text(encoding="utf-8").splitlines()) - 1
    assert kept == written > 0  # every row of the error log
    import polars as pl

    assert pl.read_csv(csv, infer_schema_length=0)["year"].unique().to_list() == ["2025/26"]  # as it is written
    # the counts are failures, as `csc validate` gives them for the same files (a failure may span rows)
    folder = hub_returns / "384" / "2025_26" / "ssda903"
    report = tmp_path / "validate.json"
    runner.invoke(app, ["validate", "903", str(folder), "--la", "384", "-o", str(report)])
    tallied = json.loads(report.read_text())
    assert (errors, queries) == (tallied["error_count"], tallied["query_count"])
    severities = [row.split(",") for row in csv.read_text(encoding="utf-8").splitlines()[1:]]
    error_rows = sum(1 for row in severities if "error" in row)  # the log's rows, by severity
    query_rows = written - error_rows
    error_words = f"{error_rows:,} error" + ("" if error_rows == 1 else "s")
    query_words = f"{query_rows:,} quer" + ("y" if query_rows == 1 else "ies")
    assert f"{written:,} rows of the error log ({error_words}, {query_words})" in result.output


def start_add(
    store: Path, folder: Path | tuple[Path, ...], marker: Path | None, pause: float = 60, commit_rows: int | None = None
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    if marker is not None:
        env |= {"CSC_STORE_PAUSE_BEFORE_COMMIT": str(marker), "CSC_STORE_PAUSE_SECONDS": str(pause)}
    if commit_rows is not None:
        env |= {"CSC_STORE_COMMIT_ROWS": str(commit_rows)}
    folders = folder if isinstance(folder, tuple) else (folder,)
    args = [*CSC, "store", "add", str(store), *map(str, folders), "--jobs", "1", "--wait", "30"]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(marker: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_one_writer_at_a_time_and_a_kill_mid_add_changes_nothing(hub_returns: Path, tmp_path: Path) -> None:
    store = tmp_path / "hub.duckdb"
    leeds, wakefield = hub_returns / "383" / "2025_26" / "ssda903", hub_returns / "384" / "2025_26" / "ssda903"
    assert add(store, leeds)[0] == 0
    before = counts(store)
    # a writer is inside its transaction (every row inserted, no commit yet): another fails clearly after --wait
    marker = tmp_path / "inside-transaction"
    killed = start_add(store, wakefield, marker)
    wait_for(marker, killed)
    code, output = add(store, leeds, extra=("--wait", "0.5"))
    assert code == 2
    assert output.strip().splitlines()[-1].startswith(f"csc: {store} is in use by another process (PID")
    # killed there, it leaves the store as it was
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    assert counts(store) == before
    # a writer that finishes: the second one waits for it, then adds its own version
    marker.unlink()
    holder = start_add(store, wakefield, marker, pause=1)
    wait_for(marker, holder)
    code, output = add(store, leeds, extra=("--wait", "30"))
    assert code == 0 and "version 2" in output, output
    assert holder.wait(60) == 0
    with duckdb.connect(str(store), read_only=True) as connection:
        versions = connection.execute(
            "SELECT la_number, list(version ORDER BY version) FROM submissions GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert versions == [("383", [1, 2]), ("384", [1])]
    assert counts(store)["ssda903__Episodes"] == 2 * before["ssda903__Episodes"] + counts_of(wakefield)


def test_a_kill_mid_add_keeps_whole_submissions_and_the_add_can_be_run_again(hub_returns: Path, tmp_path: Path) -> None:
    # four returns in one add, committed one submission at a time: killed before the last commit, the store holds
    # the first three, each with every row it counted, and nothing of the fourth
    store, marker = tmp_path / "hub.duckdb", tmp_path / "before-last-commit"
    folders = (hub_returns / "383", hub_returns / "384")  # each: a CIN census, an SSDA903 return
    killed = start_add(store, folders, marker, commit_rows=1)
    wait_for(marker, killed)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    with duckdb.connect(str(store), read_only=True) as connection:
        kept = connection.execute("SELECT submission_id, dataset, rows_by_table FROM submissions ORDER BY 1").fetchall()
        held = {
            (dataset, table, sid): n
            for dataset in ("ssda903", "cin")
            for (table,) in connection.execute(
                f"SELECT table_name FROM information_schema.tables WHERE table_name LIKE '{dataset}__%'"
            ).fetchall()
            for sid, n in connection.execute(f'SELECT submission_id, count(*) FROM "{table}" GROUP BY 1').fetchall()
        }
    assert [sid for sid, _, _ in kept] == [1, 2, 3]
    for sid, dataset, rows in kept:
        counted = {t: n for t, n in json.loads(rows).items() if n}
        assert counted == {t.split("__")[1]: n for (d, t, s), n in held.items() if s == sid and d == dataset} != {}
    assert {s for _, _, s in held} == {1, 2, 3}
    # the same add again: the three kept say their files are those of version 1, the fourth is a first version
    code, output = add(store, *folders)
    assert code == 0, output
    assert output.count("version 2 (files identical to version 1") == 3
    assert sum(": version 1," in line for line in output.splitlines()) == 1


def counts_of(folder: Path) -> int:
    return len((folder / "ssda903_2025_26_episodes.csv").read_text(encoding="utf-8").splitlines()) - 1


@pytest.mark.parametrize("command", ["list", "history"])
def test_missing_store_is_one_line(tmp_path: Path, command: str) -> None:
    args = ["store", command, str(tmp_path / "none.duckdb"), *(["--la", "383"] if command == "history" else [])]
    result = runner.invoke(app, args)
    assert (
        result.exit_code == 2
        and result.output.strip() == f"csc: {tmp_path / 'none.duckdb'}: no store here (csc store add creates one)"
    )


def test_one_add_of_the_same_return_twice_numbers_the_versions_in_order(hub_returns: Path, tmp_path: Path) -> None:
    # two copies of Leeds' 903 return in one add: versions 1 and 2 in that add, 3 in the next; every file recorded
    source = next((hub_returns / "383").glob("*/ssda903"))
    for copy in ("first", "second"):
        shutil.copytree(source, tmp_path / "383" / copy / "ssda903")
    store = tmp_path / "hub.duckdb"
    code, output = add(store, tmp_path / "383" / "first", tmp_path / "383" / "second")
    assert code == 0 and "version 1" in output and "version 2" in output, output
    code, output = add(store, tmp_path / "383" / "first")
    assert code == 0 and "version 3" in output, output
    files = len(list(source.iterdir()))
    with duckdb.connect(str(store), read_only=True) as connection:
        rows = connection.execute(
            "SELECT s.submission_id, s.version, s.status, s.la_number, s.year, count(f.name) FROM submissions s "
            "JOIN submission_files f USING (submission_id) GROUP BY ALL ORDER BY 1"
        ).fetchall()
        header = connection.execute(
            'SELECT submission_id, count(*) FROM "ssda903__Header" GROUP BY 1 ORDER BY 1'
        ).fetchall()
    assert [r[1:] for r in rows] == [(v, "accepted", "383", 2026, files) for v in (1, 2, 3)]
    # each version holds the return's rows under its own id (the same rows, since the copies are the same)
    assert [i for i, _ in header] == [r[0] for r in rows] and len({n for _, n in header}) == 1


def test_an_la_given_against_the_folder_name_is_said(hub_returns: Path, tmp_path: Path) -> None:
    # --la wins (a hub knows who sent the files), but a folder named for another authority is said on the terminal
    store = tmp_path / "hub.duckdb"
    code, output = add(store, hub_returns / "384" / "2025_26" / "ssda903", extra=("--la", "383"))
    assert code in (0, 1), output
    assert "given, though the folder name says" in output and "(384)" in output
    code, output = add(store, hub_returns / "384" / "2025_26" / "ssda903", extra=("--la", "384"))
    assert code in (0, 1) and "though the folder name says" not in output


def test_an_authority_the_upns_contradict_is_warned_about(hub_returns: Path, tmp_path: Path) -> None:
    # Wakefield's (384) children's UPNs were issued by Wakefield: kept as --la says, with csc validate's warning
    store = tmp_path / "hub.duckdb"
    code, output = add(store, hub_returns / "384" / "2025_26" / "ssda903", extra=("--la", "383"))
    assert code in (0, 1), output
    assert "  warning: the authority is 383 (Leeds), but " in output
    assert "issued by Wakefield (384)" in output and "check --la or the folder it came from" in output
    code, output = add(store, hub_returns / "383" / "2025_26" / "ssda903")
    assert code in (0, 1) and "warning: the authority is" not in output


def test_validated_at_the_door_as_csc_validate_does_with_last_years_return(tmp_path: Path) -> None:
    # last year's return read back from the store is shaped as the reader gives it (Header UASC, *_raw columns):
    # the rules comparing with last year run, and the error table is csc validate's, rule by rule
    import collections
    import csv

    from csctools.synth.generate import SynthOptions, generate
    from csctools.years import CollectionYear

    years = CollectionYear(2025), CollectionYear(2026)
    options = SynthOptions(["383"], *years, children=120, seed=4, inject=25, formats=("csv",), annex_a=False, cin=False)
    generate(options, tmp_path / "in")
    store, leeds = tmp_path / "hub.duckdb", tmp_path / "in" / "383"
    code, output = add(store, leeds)
    assert code in (0, 1) and "with last year's #1" in output, output
    logged = runner.invoke(app, ["store", "errors", str(store), "--la", "383", "-o", str(tmp_path / "log.csv")])
    assert logged.exit_code == 0, logged.output
    this, last = str(leeds / "2025_26" / "ssda903"), str(leeds / "2024_25" / "ssda903")
    alone = runner.invoke(
        app, ["validate", "903", this, "--previous", last, "--la", "383", "-o", str(tmp_path / "a.csv")]
    )
    assert alone.exit_code in (0, 1), alone.output
    with (tmp_path / "log.csv").open() as log, (tmp_path / "a.csv").open() as validated:
        kept = collections.Counter(r["rule_code"] for r in csv.DictReader(log) if r["year"] == "2025/26")
        expected = collections.Counter(r["rule_code"] for r in csv.DictReader(validated))
    assert kept == expected
    assert {"202", "203", "204"} & set(expected)  # injected changes against last year's Header were found


def test_a_store_forgotten_or_not_duckdb_is_refused(hub_returns: Path, tmp_path: Path) -> None:
    tables = sorted((hub_returns / "383" / "2025_26" / "ssda903").glob("*.csv"))
    forgot = tmp_path / tables[0].name  # `csc store add *.csv`: the first table taken for the store
    shutil.copy(tables[0], forgot)
    before = forgot.read_bytes()
    code, output = add(forgot, *tables[1:], extra=("--la", "383"))
    assert code == 2 and f"{forgot} exists and is not a store" in output and "give the store first" in output
    assert "recorded" not in output and forgot.read_bytes() == before
    code, output = add(tmp_path / "new.csv", *tables, extra=("--la", "383"))
    assert code == 2 and "a store is a DuckDB file (e.g. hub.duckdb), not .csv" in output
    assert not (tmp_path / "new.csv").exists()
    code, output = add(tmp_path, *tables, extra=("--la", "383"))
    assert code == 2 and "a folder, not a store" in output


def test_history_says_when_the_count_of_errors_changed(hub_returns: Path, tmp_path: Path) -> None:
    store, original = tmp_path / "hub.duckdb", hub_returns / "384" / "2025_26" / "ssda903"
    assert add(store, original, extra=("--la", "384"))[0] in (0, 1)
    changed = tmp_path / "384" / "ssda903"
    shutil.copytree(original, changed)
    header = next(changed.glob("*_header.csv"))
    lines = header.read_text().splitlines()
    cells = lines[1].split(",")
    cells[lines[0].split(",").index("SEX")] = "9"  # rule 101: not a valid sex
    header.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    add(store, changed, extra=("--la", "384"))
    history = runner.invoke(app, ["store", "history", str(store), "--la", "384"]).output
    first, second = (int(n.replace(",", "")) for n in re.findall(r"rows, ([\d,]+) errors", history)[:2])
    assert second == first + 1 and f"no change in row counts; errors {first:,} -> {second:,}" in history
    # the one failure added, named by its rule (the return may have had some already)
    by_rule = re.search(r"\n    by rule \(errors and queries\): (new 101 \(1\)|more 101 \((\d+) -> (\d+)\))\n", history)
    assert by_rule is not None, history
    assert by_rule[2] is None or int(by_rule[3]) == int(by_rule[2]) + 1


def test_rule_changes_names_fixed_new_fewer_and_more() -> None:
    from csctools.store.queries import RULES_SHOWN, rule_changes

    before = {"101": 2, "142": 1, "1001": 18, "190": 8, "503A": 4}
    after = {"1001": 12, "190": 9, "503A": 4, "INT16": 3}
    assert (
        rule_changes(before, after) == "fixed 101 (2), 142 (1); new INT16 (3); fewer 1001 (18 -> 12); more 190 (8 -> 9)"
    )
    assert rule_changes(after, after) == ""
    many = {f"R{n:02d}": 1 for n in range(RULES_SHOWN + 3)}
    assert rule_changes(many, {}).endswith("R07 (1) and 3 more")


def test_history_by_rule_compares_only_the_rules_both_versions_ran(hub_returns: Path, tmp_path: Path) -> None:
    store, leeds = tmp_path / "hub.duckdb", hub_returns / "384" / "2025_26" / "ssda903"
    pack = Path(__file__).parents[2] / "packs" / "examples" / "placement-checks"
    assert add(store, leeds, extra=("--la", "384", "--pack", str(pack)))[0] in (0, 1)
    assert add(store, leeds, extra=("--la", "384"))[0] in (0, 1)  # the same files, without the pack
    history = runner.invoke(app, ["store", "history", str(store), "--la", "384"]).output
    assert "fixed PC-" not in history, history  # the pack's rules did not run: nothing of theirs was fixed
