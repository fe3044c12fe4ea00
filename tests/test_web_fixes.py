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
KEY = ("rule_code", "table", "child_id", "row_number")  # a failure: one rule on one record


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
    # compared on the source file too (both runs name their files)
    assert second["changes"] == {"fixed": fixed, "new": new, "still_open": still, "without_files": False}
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
    (server.workspace.folder("current") / "a.xml").write_bytes(b"<Message></Message>")
    status, payload = edit(server, file="a.xml", row=2, column="LAchildID", value="1")
    assert (
        status == 400
        and payload["error"] == "a.xml: XML is not edited on the page: correct the file and drop it here again"
    )
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
    ad1 = tables(returns / "clean")[0].name  # dropped again: a correction only if its bytes differ from the first
    unchanged = tables(returns / "clean")[0].read_bytes() == tables(returns / "errors")[0].read_bytes()
    assert (ad1 in [f["name"] for f in corrections["files"]]) is not unchanged
    archive = zipfile.ZipFile(io.BytesIO(call(server, "GET", "/api/corrected.zip")[1]))
    assert archive.read(renamed.name) == header.read_bytes()
    original = pl.read_csv(server.workspace.originals[("current", renamed.name)])
    assert original.equals(pl.read_csv(tables(returns / "errors")[2]))  # the first upload is kept as it was


EXAMPLE = Path(__file__).parents[1] / "packs" / "examples" / "placement-checks"


def zipped(folder: Path, target: Path, change: dict[str, str] | None = None) -> Path:
    """A pack folder as one .zip of it (as `csc packs export` makes), with some of its files' text changed."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                inside = path.relative_to(folder).as_posix()
                text = (change or {}).get(inside)
                archive.writestr(f"{folder.name}/{inside}", text if text is not None else path.read_bytes())
    return target


def add_pack(server: CscServer, path: Path) -> tuple[int, Any]:
    status, payload, _ = call(server, "POST", f"/api/packs?name={path.name}", path.read_bytes())
    return status, payload


def test_packs_switch_off_and_accept_as_the_cli_does(
    server: CscServer, returns: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    broken = (EXAMPLE / "pack.yaml").read_text(encoding="utf-8").replace("version:", "versoin:")
    status, payload = add_pack(server, zipped(EXAMPLE, tmp_path / "broken.zip", {"pack.yaml": broken}))
    assert status == 400 and "\n" not in payload["error"]
    assert payload["error"].startswith("pack broken.zip: pack.yaml") and "versoin" in payload["error"]
    assert "/tmp" not in payload["error"] and str(tmp_path) not in payload["error"]
    status, payload = add_pack(server, zipped(EXAMPLE, tmp_path / "pc.zip"))
    assert status == 200, payload
    assert payload["name"] == "placement-checks" and len(payload["rules"]) == 5
    assert call(server, "GET", "/api/packs")[1]["packs"][0]["file"] == "pc.zip"  # the broken one was not kept
    for path in tables(returns / "errors"):
        assert upload(server, "current", path)[0] == 200
    results = validated(server)
    errors_first = [child["errors"] == 0 for child in results["children"]]
    assert errors_first == sorted(errors_first) and not errors_first[0]  # children with only queries come last

    # the same validation through csctools.packs, as `csc validate --pack` runs it
    from csctools.packs.registry import build, load

    data = read_files(tables(returns / "errors"))[0][0]
    expected = validate_return(data, YEAR, find_authority("383"), registry=build("ssda903", load([EXAMPLE])))
    shown = {rule["code"]: (rule["status"], rule["failures"], rule["pack"]) for rule in results["rules"]}
    assert shown == {o.code: (o.status, o.failures, o.pack) for o in expected.outcomes}
    local = {code: value for code, value in shown.items() if value[2] == "placement-checks"}
    assert len(local) == 5 and any(failures for _, failures, _ in local.values())
    assert results["packs"][1]["name"] == "placement-checks" and results["settings"] is None

    failing = [code for code, (_, failures, pack) in local.items() if failures and pack]
    off, accepted = failing[0], failing[-1]
    status, payload, _ = call(
        server, "POST", "/api/settings/off", json.dumps({"rule": off, "reason": "not here"}).encode()
    )
    assert status == 200, payload
    settings = tmp_path / "config" / "csctools" / "settings-383.yaml"
    assert payload["settings"] == str(settings)
    one = pl.DataFrame(results["children"]).filter(pl.col("rules").list.contains(accepted))["child_id"][0]
    row = next(
        e["row_number"] for e in call(server, "GET", f"/api/child?id={one}")[1]["errors"] if e["rule_code"] == accepted
    )
    choice = {"rule": accepted, "child": one, "row": row, "reason": "checked with the social worker"}
    status, payload, _ = call(server, "POST", "/api/accept", json.dumps(choice).encode())
    assert status == 200 and payload["who"] == getpass.getuser(), payload
    again = validated(server)
    status_of = {rule["code"]: rule for rule in again["rules"]}
    assert status_of[off]["status"] == "switched off" and "not here" in status_of[off]["reason"]
    assert {(a["rule_code"], a["child_id"], a["row_number"]) for a in again["accepted"]} == {(accepted, one, row)}
    assert again["settings"] == str(settings)

    # the CLI reads the same file and sets the same failures apart
    from typer.testing import CliRunner

    from csctools.cli.main import app

    report = tmp_path / "cli.json"
    arguments = ["validate", "903", *map(str, tables(returns / "errors")), "--la", "383", "--pack", str(EXAMPLE)]
    ran = CliRunner().invoke(app, [*arguments, "--settings", str(settings), "-o", str(report)])
    assert ran.exit_code == 1, ran.output
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["error_count"] == again["error_count"] and document["query_count"] == again["query_count"]
    assert "switched off in settings-383.yaml" in ran.output and accepted in ran.output


def test_bad_choices_are_refused(
    server: CscServer, returns: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    status, payload, _ = call(server, "POST", "/api/packs?name=rules.yaml", b"name: x\n")
    assert status == 400 and "a pack is added as a .zip" in payload["error"]
    status, payload, _ = call(server, "POST", "/api/settings/off", b'{"rule": "103", "reason": "x"}')
    assert status == 400 and payload["error"] == "nothing has been validated yet"
    for path in tables(returns / "errors"):
        assert upload(server, "current", path)[0] == 200
    validated(server)
    cases = [
        ("/api/settings/off", {"rule": "NOPE1", "reason": "x"}, "there is no rule NOPE1"),
        ("/api/settings/off", {"rule": "103", "reason": " "}, "give the rule and the reason"),
        ("/api/accept", {"rule": "103", "child": "nobody", "reason": "x"}, "child nobody has no outstanding failure"),
        ("/api/accept", {"rule": "103", "child": "x", "reason": "x", "row": "7"}, "must be a row number"),
    ]
    for path, body, words in cases:
        status, payload, _ = call(server, "POST", path, json.dumps(body).encode())
        assert status == 400 and words in payload["error"], (path, payload)
    assert not (tmp_path / "config").exists()  # nothing was written


NEW_ENDPOINTS = [
    ("POST", "/api/edit", b'{"file": "a.csv", "row": 2, "column": "SEX", "value": "1"}'),
    ("GET", "/api/corrections", b""),
    ("GET", "/api/corrected.zip", b""),
    ("GET", "/api/packs", b""),
    ("POST", "/api/packs?name=a.zip", b"PK"),
    ("DELETE", "/api/packs?name=a.zip", b""),
    ("POST", "/api/settings/off", b'{"rule": "103", "reason": "x"}'),
    ("POST", "/api/accept", b'{"rule": "103", "child": "1", "reason": "x"}'),
]


@pytest.mark.parametrize(("method", "path", "body"), NEW_ENDPOINTS)
def test_new_endpoints_answer_only_this_page(server: CscServer, method: str, path: str, body: bytes) -> None:
    json_type = {"Content-Type": "application/json"}
    status, _, payload = ask(server, method, path, json_type, body)  # no secret: another program or user
    assert status == 403 and "does not know you" in payload["error"]
    status, _, payload = ask(server, method, path, signed(server, **{"Sec-Fetch-Site": "cross-site"}), body)
    assert status == 403 and "another web site" in payload["error"]
    if method in ("POST", "DELETE"):
        status, _, payload = ask(server, method, path, signed(server, Origin="http://evil.example", **json_type), body)
        assert status == 403 and "another web site" in payload["error"]
        cookie = {"Cookie": f"{server.cookie_name}={server.token}", "Content-Type": "text/plain"}
        status, _, payload = ask(server, method, path, cookie, body)  # what a foreign form can send
        assert status == 403 and payload["error"].startswith("refused")
    status, _, payload = ask(server, method, path, signed(server, **json_type), body)
    assert status in (200, 400), payload  # let in: an empty workspace has nothing to edit or download


def test_serve_takes_the_settings_file_the_cli_takes(returns: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from csctools.cli.main import app
    from csctools.web.workspace import Workspace

    missing = CliRunner().invoke(app, ["serve", "--no-open", "--port", "0", "--settings", str(tmp_path / "no.yaml")])
    assert missing.exit_code == 2 and "no.yaml: no such settings file" in missing.output
    chosen = tmp_path / "ours.yaml"
    chosen.write_text('off:\n  - rule: "103"\n    reason: checked elsewhere\n', encoding="utf-8")
    server = CscServer(0, Workspace(settings=chosen))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        for path in tables(returns / "errors"):
            assert upload(server, "current", path)[0] == 200
        results = validated(server)
        rule = next(r for r in results["rules"] if r["code"] == "103")
        assert rule["status"] == "switched off" and "ours.yaml line 2: checked elsewhere" in rule["reason"]
        assert results["settings"] == str(chosen)
    finally:
        server.shutdown()
        server.server_close()
