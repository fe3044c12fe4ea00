"""`csc serve`: the JSON API behind the page, over real HTTP on 127.0.0.1 (the browser test is separate)."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.read import read_files
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, generate
from csctools.validate.guidance import guidance
from csctools.validate.run import validate_return
from csctools.validate.worklist import code_order
from csctools.web import workspace
from csctools.web.server import TOKEN_HEADER, CscServer
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("web")
    options = SynthOptions(["383"], YEAR.previous(), YEAR, children=100, seed=5, formats=("csv",), annex_a=False)
    generate(options, out / "clean")
    errors = SynthOptions(["383"], YEAR, YEAR, children=100, seed=5, formats=("csv",), annex_a=False, inject=12)
    generate(errors, out / "errors")
    return out


@pytest.fixture()
def server() -> Iterator[CscServer]:
    running = CscServer(0)
    thread = threading.Thread(target=running.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def call(
    server: CscServer, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    """A request as the page makes it: with this start's secret in its header (unless `headers` say otherwise)."""
    sent = {TOKEN_HEADER: server.token, **(headers or {})}
    sent = {key: value for key, value in sent.items() if value}
    request = urllib.request.Request(server.url.rstrip("/") + path, data=body, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw, status, headers = response.read(), response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        raw, status, headers = error.read(), error.code, dict(error.headers)
    payload = json.loads(raw) if headers.get("Content-Type") == "application/json" else raw
    return status, payload, headers


def upload(server: CscServer, role: str, path: Path) -> tuple[int, Any]:
    status, payload, _ = call(server, "POST", f"/api/files?role={role}&name={path.name}", path.read_bytes())
    return status, payload


def run_validation(server: CscServer, la: str = "383") -> dict[str, Any]:
    status, payload, _ = call(server, "POST", "/api/validate", json.dumps({"la": la}).encode())
    assert status == 202, payload
    for _ in range(600):
        _, job, _ = call(server, "GET", "/api/status")
        if job["state"] != "running":
            break
        time.sleep(0.1)
    assert job["state"] == "done", job
    _, results, _ = call(server, "GET", "/api/results")
    return dict(results)


def test_binds_to_localhost_only(server: CscServer) -> None:
    assert server.server_address[0] == "127.0.0.1"


def test_page_and_assets_load_nothing_from_other_hosts(server: CscServer) -> None:
    for path in ("/", "/http.js", "/app.js", "/app.css", "/views.js"):
        status, body, headers = call(server, "GET", path)
        assert status == 200
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        text = body.decode("utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9]", text.replace("http://127.0.0.1", "")), path


def test_upload_validate_browse_and_download(server: CscServer, returns: Path) -> None:
    this_year = sorted((returns / "errors" / "383" / "2025_26" / "ssda903").glob("*.csv"))
    last_year = sorted((returns / "clean" / "383" / "2024_25" / "ssda903").glob("*.csv"))
    for path in this_year:
        assert upload(server, "current", path)[0] == 200
    for path in last_year:
        assert upload(server, "previous", path)[0] == 200
    _, listing, _ = call(server, "GET", "/api/files")
    kinds = {(f["role"], f["kind"], f["year"]) for f in listing["files"]}
    assert kinds == {("current", "SSDA903", "2025/26"), ("previous", "SSDA903", "2024/25")}

    results = run_validation(server)
    (data,), _ = read_files(this_year)
    (last,), _ = read_files(last_year)
    expected = validate_return(data, YEAR, find_authority("383"), last)
    assert results["error_count"] == expected.error_count > 0
    assert results["rule_counts"] == expected.counts()
    assert {c["child_id"] for c in results["children"]} == set(expected.errors["child_id"].drop_nulls().to_list())
    with_errors = [c["errors"] > 0 for c in results["children"]]
    assert with_errors == sorted(with_errors, reverse=True)  # children with errors before those with only queries

    # the guidance every report gives, for each rule with failures: what it means, its causes, what to check
    failing = {o.code for o in expected.outcomes if o.failures}
    listed = [r["code"] for r in results["rules"]]
    assert listed == sorted(listed, key=code_order) and listed.index("101") < listed.index("1001")  # as people read
    assert set(results["guidance"]) == failing
    for code, about in results["guidance"].items():
        written = guidance("ssda903", code)
        assert written is not None and about == dict(written._asdict())

    child = results["children"][0]
    _, detail, _ = call(server, "GET", f"/api/child?id={child['child_id']}")
    assert detail["errors"] and all(e["child_id"] == child["child_id"] for e in detail["errors"])
    flagged_row = next(r for r in detail["rows"] if r["flagged"] and r["cells"])
    assert set(flagged_row["flagged"]) - {""} <= set(flagged_row["cells"])

    status, body, headers = call(server, "GET", "/api/report.xlsx")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    xlsx = Path(server.workspace.root) / "check.xlsx"
    xlsx.write_bytes(body)
    sheet = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("Summary").to_python()
    failed = {str(r[0]) for r in sheet[3:] if r[1] == "failed"}
    assert failed == {o.code for o in expected.outcomes if o.status == "failed"}


def test_bad_input_is_reported_and_the_server_keeps_working(
    server: CscServer, returns: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, payload, _ = call(server, "POST", "/api/files?role=current&name=notes.txt", b"hello, not a return\n")
    assert status == 200
    _, listing, _ = call(server, "GET", "/api/files")
    assert listing["files"][0]["kind"] == "not recognised"
    status, payload, _ = call(server, "POST", "/api/validate", b"{}")
    assert status == 400 and "one SSDA903 return" in payload["error"]
    call(server, "POST", "/api/files?role=current&name=annex_a.xlsx", b"PK\x03\x04 not really a workbook")
    _, listing, _ = call(server, "GET", "/api/files")
    workbook = next(f for f in listing["files"] if f["name"] == "annex_a.xlsx")
    assert not workbook["ok"] and workbook["problems"][0]["text"].startswith("annex_a.xlsx: ")
    status, payload, _ = call(server, "GET", "/api/results")
    assert status == 400 and "nothing has been validated" in payload["error"]
    status, payload, _ = call(server, "POST", "/api/validate", b"{not json")
    assert status == 400 and "not valid JSON" in payload["error"]
    status, payload, _ = call(server, "POST", "/api/files?role=elsewhere&name=x.csv", b"a")
    assert status == 400 and "unknown file role" in payload["error"]
    monkeypatch.setattr(workspace, "MAX_FILE_BYTES", 10)
    status, payload, _ = call(server, "POST", "/api/files?role=current&name=big.csv", b"x" * 11)
    assert status == 400 and "larger than" in payload["error"]
    monkeypatch.undo()
    status, payload, _ = call(server, "POST", "/api/validate", json.dumps({"la": "Atlantis"}).encode())
    assert status == 400
    census = returns / "clean" / "383" / "2025_26" / "cin_census_2025_26.xml"
    call(server, "DELETE", "/api/files")
    assert upload(server, "current", census)[0] == 200
    _, listing, _ = call(server, "GET", "/api/files")
    assert listing["files"][0]["authority"] == {"code": "383", "name": "Leeds"}  # from the census header
    results = run_validation(server, la="")
    assert results["dataset"] == "cin" and results["error_count"] == 0 and results["authority"] == "Leeds"
    status, body, headers = call(server, "GET", "/api/report.htm")
    assert status == 200 and headers["Content-Type"] == "application/octet-stream" and b"<html" in body
    server.workspace.job.state = "running"  # as while a validation runs
    status, payload, _ = call(server, "POST", "/api/files?role=current&name=more.csv", b"a,b\n")
    assert status == 400 and "wait for the validation" in payload["error"]


def test_clear_my_data_removes_files_and_results(server: CscServer, returns: Path) -> None:
    census = returns / "errors" / "383" / "2025_26" / "cin_census_2025_26.xml"
    upload(server, "current", census)
    run_validation(server)
    assert any(server.workspace.root.rglob("*.xml"))
    status, _, _ = call(server, "DELETE", "/api/files")
    assert status == 200
    assert not any(p.is_file() for p in server.workspace.data.rglob("*"))
    assert not any(server.workspace.root.rglob("*.xml"))
    assert call(server, "GET", "/api/results")[0] == 400


def test_uploads_are_removed_when_the_server_stops(returns: Path) -> None:
    running = CscServer(0)
    running.workspace.add_file("current", "a.xml", b"<x/>")
    root = running.workspace.root
    running.server_close()
    assert not root.exists()


def test_csc_serve_stops_on_sigterm_and_removes_uploads(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    command = [sys.executable, "-m", "csctools.cli", "serve", "--no-open", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    url = re.search(r"(http://127\.0\.0\.1:\d+/)\?token=([\w-]+)", process.stdout.readline())
    assert url, "no address printed"
    address, headers = url.group(1) + "api/files?role=current&name=a.csv", {TOKEN_HEADER: url.group(2)}
    request = urllib.request.Request(address, data=b"x,y\n", method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    assert list(tmp_path.glob("csctools-web-*/data-*/current-*/a.csv"))
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "removed" in out
    assert not list(tmp_path.glob("csctools-web-*"))


def test_port_in_use_is_a_one_line_message(server: CscServer) -> None:
    from typer.testing import CliRunner

    from csctools.cli.main import app

    result = CliRunner().invoke(app, ["serve", "--no-open", "--port", str(server.server_address[1])])
    assert result.exit_code == 2
    assert "cannot listen on 127.0.0.1:" in result.output and "Traceback" not in result.output


def test_the_scripts_share_one_fetch_helper(server: CscServer) -> None:
    """http.js is the one place a request is made (with this start's secret); it loads before the others."""
    static = Path(workspace.__file__).parent / "static"
    asking = sorted(p.name for p in static.glob("*.js") if "fetch(" in p.read_text("utf-8"))
    assert asking == ["http.js"]
    assert not [p.name for p in static.glob("*.js") if "csc-token" in p.read_text("utf-8") and p.name != "http.js"]
    _, page, _ = call(server, "GET", "/")
    scripts = re.findall(r'<script src="/([a-z]+\.js)" defer>', page.decode("utf-8"))
    assert scripts[0] == "http.js" and {"app.js", "views.js"} <= set(scripts)


def test_a_missing_column_on_the_page(server: CscServer, returns: Path, tmp_path: Path) -> None:
    """The return is validated without the rules that read the missing column; the status says results are held
    (the page shows them again on reload)."""
    assert call(server, "GET", "/api/status")[1]["results"] is False
    for path in sorted((returns / "errors" / "383" / "2025_26" / "ssda903").glob("*.csv")):
        if "header" in path.name:
            lines = [line.split(",") for line in path.read_text("utf-8").splitlines()]
            dob = lines[0].index("DOB")
            path = tmp_path / path.name
            path.write_text("\n".join(",".join(c for i, c in enumerate(line) if i != dob) for line in lines) + "\n")
        assert upload(server, "current", path)[0] == 200
    results = run_validation(server)
    assert results["structural"] == ["ssda903_2025_26_header.csv, column DOB: the Header table has no DOB column"]
    reasons = {group["reason"]: group["codes"] for group in results["not_run"]}
    assert "102" in reasons["needs column DOB (missing from this year's Header file)"]
    assert results["error_count"] > 0  # the other rules ran and found the injected errors
    assert call(server, "GET", "/api/status")[1]["results"] is True


def test_reports_and_a_childs_suggestions_use_the_provider_list_and_last_year(
    server: CscServer, returns: Path, tmp_path: Path
) -> None:
    """With last year's files and the provider list added, the page's XLSX is the one `csc validate --previous
    --providers` writes (suggestions from the list, last year beside the summary), and a child's history offers
    the same suggestion: a placement postcode changed away from the provider's gets the provider's back."""
    this_year = sorted((returns / "errors" / "383" / "2025_26" / "ssda903").glob("*.csv"))
    last_year = sorted((returns / "clean" / "383" / "2024_25" / "ssda903").glob("*.csv"))
    providers = returns / "errors" / "383" / "ofsted_providers.xlsx"
    episodes = next(p for p in this_year if p.name.endswith("episodes.csv"))
    lines = episodes.read_text("utf-8").split("\n")
    header = lines[0].split(",")
    place, home, postcode, urn = (header.index(c) for c in ("PLACE", "HOME_POST", "PL_POST", "URN"))
    row, cells = next(  # a children's home placement whose postcode is the provider's (221 passes on it)
        (number, cells)
        for number, cells in enumerate((line.split(",") for line in lines), start=1)
        if number > 1
        and len(cells) == len(header)
        and cells[place] == "K2"
        and cells[urn].startswith("SC")
        and cells[home]
        and cells[home] != cells[postcode]
    )
    providers_postcode, cells[postcode] = cells[postcode], cells[home]  # now the child's home postcode
    lines[row - 1] = ",".join(cells)
    changed = tmp_path / "this"
    changed.mkdir()
    for path in this_year:
        (changed / path.name).write_bytes(path.read_bytes())
    (changed / episodes.name).write_text("\n".join(lines), "utf-8")
    this_year = sorted(changed.glob("*.csv"))
    for path in [*this_year, providers]:
        assert upload(server, "current", path)[0] == 200
    for path in last_year:
        assert upload(server, "previous", path)[0] == 200
    results = run_validation(server)

    cli = tmp_path / "cli.xlsx"
    arguments = ["validate", "903", *map(str, this_year), "--previous", *map(str, last_year), "--la", "383"]
    CliRunner().invoke(app, [*arguments, "--providers", str(providers), "-o", str(cli)])
    page = tmp_path / "page.xlsx"
    page.write_bytes(call(server, "GET", "/api/report.xlsx")[1])
    for sheet in ("Errors", "Children", "Summary"):
        made = [CalamineWorkbook.from_path(str(p)).get_sheet_by_name(sheet).to_python() for p in (page, cli)]
        assert [r for r in made[0] if r[0] != "run date"] == [r for r in made[1] if r[0] != "run date"], sheet
    summary = CalamineWorkbook.from_path(str(page)).get_sheet_by_name("Summary").to_python()
    assert next([c for c in r if c] for r in summary if r[0] == "the return") == ["the return", "2025/26", "2024/25"]

    child = cells[0]
    wanted = {"rule_code": "221", "field": "PL_POST", "row_number": row, "source_file": episodes.name}
    _, detail, _ = call(server, "GET", f"/api/child?id={child}")
    (hint,) = [s for s in detail["suggestions"] if {k: s[k] for k in wanted} == wanted]
    assert hint["suggested"] == providers_postcode and hint["value"] == cells[home]
    assert any(c["child_id"] == child and "221" in c["rules"] for c in results["children"])


def test_results_warn_when_the_childrens_upns_are_another_authoritys(server: CscServer, returns: Path) -> None:
    for path in sorted((returns / "clean" / "383" / "2025_26" / "ssda903").glob("*.csv")):
        assert upload(server, "current", path)[0] == 200
    assert run_validation(server, "383")["warnings"] == []  # the authority that issued the UPNs
    (warning,) = run_validation(server, "380")["warnings"]  # Bradford chosen for Leeds's children
    assert warning.startswith("warning: the authority chosen is 380 (Bradford), but ")
    assert "issued by Leeds (383)" in warning and warning.endswith(": choose the right one")
