"""The page's fix loop over real HTTP: edit a cell, drop a corrected file, revalidate, download the corrected files
with the log of edits; bad edits refused; every new endpoint behind the same checks as the others."""

from __future__ import annotations

import csv
import getpass
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from csctools.read import read_files
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, generate
from csctools.validate.run import validate_return
from csctools.web.server import CscServer
from csctools.years import CollectionYear
from tests.test_web import call, upload
from tests.test_web_security import ask, signed

YEAR = CollectionYear(2026)
KEY = ("rule_code", "table", "child_id", "row_number", "field")


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A return with injected errors, and the same return without them (same seed: the values that fix them)."""
    out = tmp_path_factory.mktemp("fixes")
    generate(SynthOptions(["383"], YEAR, YEAR, children=60, seed=9, annex_a=False, inject=10), out / "errors")
    generate(SynthOptions(["383"], YEAR, YEAR, children=60, seed=9, annex_a=False), out / "clean")
    return out


@pytest.fixture()
def server() -> Iterator[CscServer]:
    running = CscServer(0)
    threading.Thread(target=running.serve_forever, args=(0.05,), daemon=True).start()
    yield running
    running.shutdown()
    running.server_close()


def tables(root: Path) -> list[Path]:
    return sorted((root / "383" / "2025_26" / "ssda903").glob("*.csv"))


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def validated(server: CscServer) -> dict[str, Any]:
    status, payload, _ = call(server, "POST", "/api/validate", json.dumps({"la": "383"}).encode())
    assert status == 202, payload
    for _ in range(600):
        if call(server, "GET", "/api/status")[1]["state"] != "running":
            break
        time.sleep(0.1)
    return dict(call(server, "GET", "/api/results")[1])


def edit(server: CscServer, **fields: object) -> tuple[int, Any]:
    status, payload, _ = call(server, "POST", "/api/edit", json.dumps(fields).encode())
    return status, payload


def a_fixable_cell(returns: Path) -> tuple[str, int, str, str, str]:
    """A failing cell of the Header whose value the clean return writes differently: (file, row, column, bad, good),
    found from the CSV text itself."""
    bad_file, good_file = (tables(returns / kind)[2] for kind in ("errors", "clean"))
    assert bad_file.name.endswith("header.csv")
    bad, good = rows_of(bad_file), rows_of(good_file)
    for number, (before, after) in enumerate(zip(bad[1:], good[1:], strict=True), start=2):
        for column, old, new in zip(bad[0], before, after, strict=True):
            if old != new and column == "ETHNIC":
                return bad_file.name, number, column, old, new
    raise AssertionError("the synthetic return has no ethnicity error to fix")


def test_edit_revalidate_and_download_the_corrected_files(server: CscServer, returns: Path, tmp_path: Path) -> None:
    for path in tables(returns / "errors"):
        assert upload(server, "current", path)[0] == 200
    first = validated(server)
    assert first["since"] is None  # nothing to compare with yet
    name, row, column, bad, good = a_fixable_cell(returns)
    status, done = edit(server, file=name, row=row, column=column, shown=bad, value=good)
    assert status == 200, done
    assert (done["old"], done["new"], done["edits"]) == (bad, good, 1)

    # the same correction made by hand, validated directly: what the page must count as fixed, new and open
    by_hand = tmp_path / "by-hand"
    by_hand.mkdir()
    for path in tables(returns / "errors"):
        (by_hand / path.name).write_bytes(path.read_bytes())
    lines = (by_hand / name).read_bytes().decode("utf-8").split("\n")  # as written, CR LF kept
    lines[row - 1] = lines[row - 1].replace(f",{bad},", f",{good},", 1)
    (by_hand / name).write_bytes("\n".join(lines).encode("utf-8"))
    before = validate_return(read_files(tables(returns / "errors"))[0][0], YEAR, find_authority("383"))
    after = validate_return(read_files(sorted(by_hand.glob("*.csv")))[0][0], YEAR, find_authority("383"))
    keys_before = set(before.errors.select(KEY).iter_rows())
    keys_after = set(after.errors.select(KEY).iter_rows())
    fixed, new, still = len(keys_before - keys_after), len(keys_after - keys_before), len(keys_before & keys_after)
    assert fixed >= 1 and ("103" in {k[0] for k in keys_before - keys_after})

    second = validated(server)
    assert second["changes"] == {"fixed": fixed, "new": new, "still_open": still}
    assert second["since"] == f"since the last run: {fixed} fixed, {new} new, {still} still open"
    assert second["error_count"] == after.error_count

    status, body, headers = call(server, "GET", "/api/corrected.zip")
    assert status == 200 and headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(archive.namelist()) == ["edit-log.csv", name]
    assert archive.read(name) == (by_hand / name).read_bytes()  # the same bytes, only that cell changed
    log = list(csv.DictReader(io.StringIO(archive.read("edit-log.csv").decode("utf-8"))))
    assert len(log) == 1
    entry = log[0]
    assert (entry["who"], entry["file"], entry["row"], entry["column"]) == (getpass.getuser(), name, str(row), column)
    assert (entry["old_value"], entry["new_value"]) == (bad, good) and entry["when"].endswith("UTC")
    original = server.workspace.originals[("current", name)]
    assert original.read_bytes() == (returns / "errors" / "383" / "2025_26" / "ssda903" / name).read_bytes()


def test_bad_edits_are_refused_with_a_clear_message(server: CscServer, returns: Path) -> None:
    for path in tables(returns / "errors"):
        assert upload(server, "current", path)[0] == 200
    validated(server)
    name, row, column, bad, _ = a_fixable_cell(returns)
    cases = {
        "too long": dict(file=name, row=row, column=column, value="W" * 101),
        "there is no row 9999": dict(file=name, row=9999, column=column, value="WBRI"),
        "no column NOPE": dict(file=name, row=row, column="NOPE", value="WBRI"),
        "no such uploaded file": dict(file="other.csv", row=row, column=column, value="WBRI"),
        "line break": dict(file=name, row=row, column=column, value="WB\nRI"),
        "names no row": dict(file=name, row="2", column=column, value="WBRI"),
        f"the file holds '{bad}', not 'ABCD'": dict(file=name, row=row, column=column, shown="ABCD", value="WBRI"),
    }
    for words, fields in cases.items():
        status, payload = edit(server, **fields)
        assert status == 400 and words in payload["error"], (words, payload)
    status, payload = edit(server, file=name, row=row, column=column, value="W" * 101)
    assert f"{name} row {row} column {column}" in payload["error"]  # the message names file, row and column
    assert call(server, "GET", "/api/corrections")[1] == {"files": [], "edits": []}  # nothing changed
    status, payload, _ = call(server, "GET", "/api/corrected.zip")
    assert status == 400 and "nothing has been corrected yet" in payload["error"]
    uploaded = server.workspace.folder("current") / name
    assert uploaded.read_bytes() == (returns / "errors" / "383" / "2025_26" / "ssda903" / name).read_bytes()


def test_a_dropped_file_says_which_upload_it_replaces(server: CscServer, returns: Path, tmp_path: Path) -> None:
    for path in tables(returns / "errors"):
        assert upload(server, "current", path)[0] == 200
    header = tables(returns / "clean")[2]
    renamed = tmp_path / "header-corrected.csv"
    renamed.write_bytes(header.read_bytes())
    status, added = upload(server, "current", renamed)
    assert status == 200 and added == {"role": "current", "name": renamed.name, "replaces": header.name}
    names = [f["name"] for f in call(server, "GET", "/api/files")[1]["files"]]
    assert renamed.name in names and header.name not in names and len(names) == len(tables(returns / "errors"))
    status, again = upload(server, "current", renamed)  # the same name again: replaces itself
    assert again["replaces"] == renamed.name
    status, note = upload(server, "current", tables(returns / "clean")[0])  # the same AD1 table, same name
    assert note["replaces"] == tables(returns / "clean")[0].name
    corrections = call(server, "GET", "/api/corrections")[1]
    assert {"role": "current", "name": renamed.name, "replaces": header.name} in corrections["files"]
    archive = zipfile.ZipFile(io.BytesIO(call(server, "GET", "/api/corrected.zip")[1]))
    assert archive.read(renamed.name) == header.read_bytes()
    original = pl.read_csv(server.workspace.originals[("current", renamed.name)])
    assert original.equals(pl.read_csv(tables(returns / "errors")[2]))  # the first upload is kept as it was


NEW_ENDPOINTS = [
    ("POST", "/api/edit", b'{"file": "a.csv", "row": 2, "column": "SEX", "value": "1"}'),
    ("GET", "/api/corrections", b""),
    ("GET", "/api/corrected.zip", b""),
]


@pytest.mark.parametrize(("method", "path", "body"), NEW_ENDPOINTS)
def test_new_endpoints_answer_only_this_page(server: CscServer, method: str, path: str, body: bytes) -> None:
    json_type = {"Content-Type": "application/json"}
    status, _, payload = ask(server, method, path, json_type, body)  # no secret: another program or user
    assert status == 403 and "does not know you" in payload["error"]
    status, _, payload = ask(server, method, path, signed(server, **{"Sec-Fetch-Site": "cross-site"}), body)
    assert status == 403 and "another web site" in payload["error"]
    if method == "POST":
        status, _, payload = ask(server, method, path, signed(server, Origin="http://evil.example", **json_type), body)
        assert status == 403 and "another web site" in payload["error"]
        cookie = {"Cookie": f"{server.cookie_name}={server.token}", "Content-Type": "text/plain"}
        status, _, payload = ask(server, method, path, cookie, body)  # what a foreign form can send
        assert status == 403 and payload["error"].startswith("refused")
    status, _, payload = ask(server, method, path, signed(server, **json_type), body)
    assert status in (200, 400), payload  # let in: an empty workspace has nothing to edit or download
