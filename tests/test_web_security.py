"""`csc serve` answers only its own user and survives hostile files: each check over real HTTP on 127.0.0.1."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from csctools.io.result import ReadError
from csctools.read import read_files
from csctools.reference.providers import read_providers
from csctools.synth.generate import SynthOptions, generate
from csctools.web import workspace as workspace_module
from csctools.web.folders import LOCK, OwnedFolder
from csctools.web.isolation import IsolatedReader, Limits, ReaderFailed
from csctools.web.server import TOKEN_HEADER, CscServer
from csctools.web.workspace import Workspace
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)


@pytest.fixture(scope="module")
def census(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("census")
    generate(SynthOptions(["383"], YEAR, YEAR, children=40, seed=3, formats=("xml",), annex_a=False), out)
    return out / "383" / "2025_26" / "cin_census_2025_26.xml"


def start(server: CscServer) -> CscServer:
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture()
def server() -> Iterator[CscServer]:
    running = start(CscServer(0))
    yield running
    running.shutdown()
    running.server_close()


def raw(server: CscServer, request: bytes, wait: float = 30) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (any Host, any Content-Length) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=wait) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def ask(
    server: CscServer,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    host: str | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One request; `headers` replace the defaults (Host, Content-Length when there is a body)."""
    sent = {"Host": host or f"127.0.0.1:{server.server_address[1]}"}
    if body:
        sent["Content-Length"] = str(len(body))
    sent.update(headers or {})
    lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in sent.items()), "Connection: close", "", ""]
    status, answer_headers, answer = raw(server, "\r\n".join(lines).encode("latin-1") + body)
    if answer_headers.get("content-type") == "application/json":
        return status, answer_headers, json.loads(answer)
    return status, answer_headers, answer.decode("utf-8", "replace")


def signed(server: CscServer, **more: str) -> dict[str, str]:
    return {TOKEN_HEADER: server.token, **more}


def test_only_its_own_host_names_are_answered(server: CscServer) -> None:
    port = server.server_address[1]
    for host in (f"evil.example:{port}", f"127.0.0.1.nip.io:{port}", "127.0.0.1", "localhost", f"127.0.0.1:{port + 1}"):
        for path in ("/api/results", f"/?token={server.token}", "/app.js"):
            status, _, body = ask(server, "GET", path, signed(server), host=host)
            assert status == 421, (host, path)
            assert "results" not in str(body) and server.token not in str(body)
    status, _, body = ask(server, "GET", "/api/results", {**signed(server), "Host": ""})
    assert status == 421
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        status, _, body = ask(server, "GET", "/api/status", signed(server), host=host)
        assert status == 200 and body["state"] == "idle"


def test_the_secret_opens_the_page_once_then_the_cookie_does(server: CscServer) -> None:
    status, _, body = ask(server, "GET", "/")
    assert status == 403 and "answers only the person who started it" in body and "?token=" in body
    status, _, body = ask(server, "GET", "/?token=" + "x" * 43)
    assert status == 403 and "from an earlier start of csc serve" in body
    status, headers, body = ask(server, "GET", f"/?token={server.token}")
    assert status == 200 and f'<meta name="csc-token" content="{server.token}">' in body
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"{server.cookie_name}={server.token};")
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= {part.strip() for part in cookie.split(";")}
    with_cookie = {"Cookie": f"other=1; {server.cookie_name}={server.token}"}
    assert ask(server, "GET", "/", with_cookie)[0] == 200
    assert ask(server, "GET", "/api/files", with_cookie)[0] == 200  # downloads are links: the cookie is enough
    for headers in ({}, {"Cookie": f"{server.cookie_name}=wrong"}, {TOKEN_HEADER: "wrong"}, {"Cookie": '"'}):
        for method, path in (("GET", "/api/results"), ("GET", "/api/report.xlsx"), ("DELETE", "/api/files")):
            status, _, payload = ask(server, method, path, headers)
            assert status == 403 and "does not know you" in payload["error"], (headers, path)
    for site in ("same-site", "cross-site"):  # even with the cookie, a read from another site's page is refused
        status, _, payload = ask(server, "GET", "/api/results", {**with_cookie, "Sec-Fetch-Site": site})
        assert status == 403 and payload["error"].startswith("refused"), site
    assert ask(server, "GET", "/app.js")[0] == 200  # the page's own code holds nothing secret


def test_every_start_has_a_new_secret() -> None:
    first, second = CscServer(0), CscServer(0)
    try:
        assert first.token != second.token and len(first.token) >= 40
        assert first.cookie_name != second.cookie_name  # cookies ignore ports: one name per server
    finally:
        first.server_close()
        second.server_close()


def test_state_changes_need_our_origin_and_json_or_the_header(server: CscServer) -> None:
    port = server.server_address[1]
    cookie = {"Cookie": f"{server.cookie_name}={server.token}"}
    upload = "/api/files?role=current&name=a.csv"
    refused = [
        {**signed(server), "Origin": "http://evil.example"},
        {**signed(server), "Origin": "null"},
        {**signed(server), "Origin": f"http://127.0.0.1:{port + 1}"},
        {**signed(server), "Sec-Fetch-Site": "cross-site"},
        {**signed(server), "Sec-Fetch-Site": "same-site"},  # another port of this computer is the same site
        {**cookie, "Content-Type": "text/plain"},  # what a foreign form or a simple fetch can send
        {**cookie, "Content-Type": "multipart/form-data; boundary=x"},
    ]
    for headers in refused:
        status, _, payload = ask(server, "POST", upload, headers, b"x,y\n")
        assert status == 403 and payload["error"].startswith("refused"), headers
        status, _, payload = ask(server, "DELETE", "/api/files", headers)
        assert status == 403, headers
    assert not any(server.workspace.data.rglob("*.csv"))
    for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
        headers = signed(server, Origin=origin, **{"Sec-Fetch-Site": "same-origin"})
        assert ask(server, "POST", upload, headers, b"x,y\n")[0] == 200
    status, _, payload = ask(server, "POST", "/api/validate", {**cookie, "Content-Type": "application/json"}, b"{}")
    assert status == 400 and "one SSDA903 return" in payload["error"]  # let in: the files are what is missing


def test_another_user_of_the_computer_cannot_use_or_see_it(server: CscServer) -> None:
    assert ask(server, "GET", "/api/files")[0] == 403  # no secret: what any other local program gets
    if os.geteuid() != 0:
        pytest.skip("a second OS user needs root here (the request without the secret was refused)")
    script = (
        "import json, os, sys, urllib.request, urllib.error\n"
        "out = {}\n"
        "try:\n"
        "    urllib.request.urlopen(sys.argv[1] + 'api/files', timeout=30); out['api'] = 200\n"
        "except urllib.error.HTTPError as error:\n"
        "    out['api'] = error.code\n"
        "for name, path in (('root', sys.argv[2]), ('environ', f'/proc/{sys.argv[3]}/environ')):\n"
        "    try:\n"
        "        os.listdir(path) if name == 'root' else open(path, 'rb').read(); out[name] = 'read'\n"
        "    except OSError as error:\n"
        "        out[name] = type(error).__name__\n"
        "out['cmdline'] = open(f'/proc/{sys.argv[3]}/cmdline', 'rb').read().decode('utf-8', 'replace')\n"
        "print(json.dumps(out))\n"
    )
    args = [server.url, str(server.workspace.root), str(os.getpid())]
    candidates = [sys.executable, os.path.realpath(sys.executable), "/usr/local/bin/python3", "/usr/bin/python3"]
    for python in dict.fromkeys(candidates):  # one that the other user may run (the venv may sit in /root)
        try:
            done = subprocess.run(
                [python, "-c", script, *args], user=65534, group=65534, capture_output=True, text=True, timeout=60
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            break
    else:
        pytest.skip("no Python that the 'nobody' user may run (the request without the secret was refused)")
    seen = json.loads(done.stdout)
    assert seen["api"] == 403
    assert seen["root"] == "PermissionError"
    assert seen["environ"] == "PermissionError"
    assert server.token not in seen["cmdline"]


def test_folders_are_private_and_clear_makes_a_new_one(server: CscServer) -> None:
    space = server.workspace
    assert ask(server, "POST", "/api/files?role=current&name=../../a.csv", signed(server), b"x,y\n")[0] == 200
    assert ask(server, "POST", "/api/files?role=previous&name=b.csv", signed(server), b"x,y\n")[0] == 200
    (stored,) = space.data.rglob("a.csv")
    assert stored.parent.parent == space.data  # the name's folders were dropped
    folders = [space.root, space.data, *space.folders.values()]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o700 for f in folders)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert all(re.fullmatch(r"(csctools-web|data|current|previous)-\w{8}", f.name) for f in folders)
    old = space.data
    assert ask(server, "DELETE", "/api/files", signed(server))[0] == 200
    assert not old.exists() and space.data != old and stat.S_IMODE(space.data.stat().st_mode) == 0o700
    assert stat.S_IMODE(space.root.stat().st_mode) == 0o700
    assert ask(server, "POST", "/api/files?role=current&name=c.csv", signed(server), b"x,y\n")[0] == 200
    assert stat.S_IMODE(space.folders["current"].stat().st_mode) == 0o700


def test_clear_during_a_validation_throws_its_results_away(
    server: CscServer, census: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    real = workspace_module.validate_return

    def held(*args: Any, **kwargs: Any) -> Any:
        started.set()
        release.wait(60)
        try:
            return real(*args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(workspace_module, "validate_return", held)
    assert ask(server, "POST", f"/api/files?name={census.name}", signed(server), census.read_bytes())[0] == 200
    assert ask(server, "POST", "/api/validate", signed(server), b'{"la": "383"}')[0] == 202
    assert started.wait(60)
    assert ask(server, "DELETE", "/api/files", signed(server))[0] == 200
    (validation,) = [t for t in threading.enumerate() if getattr(t, "_target", None) == server.workspace._run]
    release.set()
    validation.join(120)
    assert finished.is_set() and not validation.is_alive()
    _, _, job = ask(server, "GET", "/api/status", signed(server))
    assert job["state"] == "idle"
    status, _, payload = ask(server, "GET", "/api/results", signed(server))
    assert status == 400 and "nothing has been validated" in payload["error"]
    assert server.workspace.outcome is None


def test_a_validation_that_panics_is_reported_plainly(
    server: CscServer, census: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class PanicException(BaseException):  # pyo3's panics are BaseExceptions, not Exceptions
        pass

    def panicking(*args: Any, **kwargs: Any) -> None:
        raise PanicException(f"{server.workspace.root}: index out of bounds")

    monkeypatch.setattr(workspace_module, "validate_return", panicking)
    assert ask(server, "POST", f"/api/files?name={census.name}", signed(server), census.read_bytes())[0] == 200
    assert ask(server, "POST", "/api/validate", signed(server), b"{}")[0] == 202
    for _ in range(600):
        job = ask(server, "GET", "/api/status", signed(server))[2]
        if job["state"] != "running":
            break
        time.sleep(0.05)
    assert job == {
        "state": "failed",
        "done": 0,
        "total": 0,
        "message": "the validation stopped because of a fault in csctools (PanicException)",
        "results": False,  # no results are held: the page shows none on reload
    }
    assert ask(server, "GET", "/api/files", signed(server))[0] == 200


def test_a_killed_servers_uploads_are_removed_at_the_next_start(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    command = [sys.executable, "-m", "csctools.cli", "serve", "--no-open", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    found = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", process.stdout.readline())
    assert found
    port, token = int(found.group(1)), found.group(2)
    request = f"POST /api/files?name=a.csv HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{TOKEN_HEADER}: {token}\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request.encode() + b"Content-Length: 4\r\n\r\nx,y\n")
        assert connection.recv(100).startswith(b"HTTP/1.0 200")
    process.kill()
    process.wait(30)
    (killed,) = tmp_path.glob("csctools-web-*")
    assert list(killed.rglob("a.csv"))
    decoys = [tmp_path / "csctools-web-nolock", tmp_path / "csctools-web-open"]
    for decoy in decoys:
        decoy.mkdir(mode=0o700)
        (decoy / "keep.csv").write_text("x\n")
    (decoys[0] / "keep.csv").rename(decoys[0] / "notes.txt")
    (decoys[1] / LOCK).write_text("")
    decoys[1].chmod(0o755)  # not private: not made by us
    (tmp_path / "csctools-web-link").symlink_to(decoys[0])
    live = OwnedFolder.create(tmp_path)
    try:
        space = Workspace(temp_dir=tmp_path)
        try:
            assert not killed.exists()
            assert all(d.exists() for d in decoys) and (tmp_path / "csctools-web-link").is_symlink()
            assert live.path.exists() and space.root.exists()
        finally:
            space.close()
    finally:
        live.remove()


def test_content_length_must_be_a_size(server: CscServer) -> None:
    server.request_timeout = 1.0  # for the upload that stops short
    upload = "/api/files?name=a.csv"
    for declared in ("-1", "abc", "1e3", " ", "+4", "4 4"):
        status, _, payload = ask(server, "POST", upload, signed(server, **{"Content-Length": declared}), b"x,y\n")
        assert status == 400 and "Content-Length is not a number of bytes" in payload["error"], declared
    host = f"127.0.0.1:{server.server_address[1]}"
    lines = f"POST {upload} HTTP/1.1\r\nHost: {host}\r\n{TOKEN_HEADER}: {server.token}\r\n"
    status, _, body = raw(server, (lines + "Content-Length: 4\r\nContent-Length: 5\r\n\r\nx,y\n").encode())
    assert status == 400
    status, _, body = raw(server, (lines + "Transfer-Encoding: chunked\r\n\r\n4\r\nx,y\n\r\n0\r\n\r\n").encode())
    assert status == 411 and b"chunked uploads are not accepted" in body
    status, headers, body = raw(server, (lines + f"Content-Length: {400 * 2**20}\r\n\r\nx,y\n").encode())
    assert status == 413 and b"larger than 300 MiB" in body and headers["connection"] == "close"
    status, _, body = raw(server, (lines + "Content-Length: 10\r\n\r\nx,y\n").encode(), wait=60)
    assert status == 408 and b"the upload stopped before its end" in body  # 4 bytes of 10, then silence
    assert not any(server.workspace.data.rglob("a.csv"))
    assert ask(server, "GET", "/api/status", signed(server))[0] == 200


def test_internal_errors_are_short_and_plain(server: CscServer, monkeypatch: pytest.MonkeyPatch) -> None:
    class Panic(BaseException):  # what pyo3's PanicException is: not an Exception
        pass

    def broken() -> None:
        raise RuntimeError(f"{server.workspace.root}/current/secret.csv: Traceback (most recent call last)")

    def panicking(child_id: str) -> None:
        raise Panic("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(server.workspace, "describe", broken)
    monkeypatch.setattr(server.workspace, "child", panicking)
    for path in ("/api/files", "/api/child?id=1"):
        status, _, payload = ask(server, "GET", path, signed(server))
        assert status == 500 and payload == {"error": "something went wrong in csctools; please try again"}
    assert ask(server, "GET", "/api/status", signed(server))[0] == 200
    status, _, payload = ask(server, "GET", "/api/nothing-here", signed(server))
    assert status == 404 and payload["error"] == "not found: GET /api/nothing-here"


def test_slow_and_silent_clients_do_not_hold_the_server() -> None:
    class Small(CscServer):
        max_connections = 3
        request_timeout = 0.5

    server = start(Small(0))
    try:
        address = ("127.0.0.1", server.server_address[1])
        silent = socket.create_connection(address, timeout=30)
        silent.sendall(b"GET /api/status HTTP/1.1\r\n")  # and nothing more
        assert silent.recv(100) == b""  # dropped after the timeout
        silent.close()
        slow = [socket.create_connection(address, timeout=30) for _ in range(3)]
        time.sleep(0.1)
        with socket.create_connection(address, timeout=30) as extra:
            assert extra.recv(100).startswith(b"HTTP/1.1 503")  # no fourth thread while three are held
        for connection in slow:
            assert connection.recv(100) == b""  # each dropped after the timeout
            connection.close()
        assert ask(server, "GET", "/api/status", signed(server))[0] == 200
    finally:
        server.shutdown()
        server.server_close()


def test_twenty_clients_at_once(server: CscServer) -> None:
    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda _: ask(server, "GET", "/api/status", signed(server))[0], range(40)))
    assert statuses == [200] * 40


def huge_workbook() -> bytes:
    """A 5 KB workbook whose sheet claims (and has a cell at) XFD1048576: 512 GiB of cells to a reader that
    allocates the declared range."""
    small = io.BytesIO()
    book = xlsxwriter.Workbook(small, {"in_memory": True})
    sheet = book.add_worksheet("CLA")
    sheet.write_row(0, 0, ["Child Unique ID", "Gender"])
    sheet.write_row(1, 0, ["1", "M"])
    book.close()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(small.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD1048576"/>', data)
                far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                data = data.replace(b"</sheetData>", far + b"</sheetData>")
                assert b"XFD1048576" in data
            target.writestr(info, data)
    return out.getvalue()


def test_a_workbook_that_kills_its_reader_costs_only_that_file(server: CscServer, census: Path) -> None:
    assert ask(server, "POST", "/api/files?name=annex_a.xlsx", signed(server), huge_workbook())[0] == 200
    assert ask(server, "POST", f"/api/files?name={census.name}", signed(server), census.read_bytes())[0] == 200
    status, _, listing = ask(server, "GET", "/api/files", signed(server))
    assert status == 200
    files = {f["name"]: f for f in listing["files"]}
    assert files[census.name]["kind"] == "CIN census" and files[census.name]["ok"]
    workbook = files["annex_a.xlsx"]
    assert not workbook["ok"] and workbook["problems"][0]["text"].startswith("annex_a.xlsx: ")
    assert str(server.workspace.root) not in json.dumps(listing)
    # the server (this test's own process) is alive and answers the next requests: a validation runs
    assert ask(server, "POST", "/api/validate", signed(server), b'{"la": "383"}')[0] == 202
    for _ in range(600):
        job = ask(server, "GET", "/api/status", signed(server))[2]
        if job["state"] != "running":
            break
        time.sleep(0.1)
    assert job["state"] == "done", job


def test_what_the_worker_reads_is_what_the_reader_reads(census: Path) -> None:
    reader = IsolatedReader()
    try:
        (isolated,), _ = reader.run(read_files, [census])
    finally:
        reader.close()
    (direct,), _ = read_files([census])
    assert isolated.tables.keys() == direct.tables.keys() and isolated.files == direct.files
    for name, frame in direct.tables.items():
        assert isolated.tables[name].schema == frame.schema and isolated.tables[name].equals(frame), name


def test_the_worker_has_a_memory_limit_and_a_time_limit() -> None:
    reader = IsolatedReader(Limits(3 * 2**30, 60))
    try:
        if sys.platform != "win32":
            assert reader.limit_in_worker() == 3 * 2**30
        with pytest.raises(ReaderFailed, match="needs more memory than the reader may use"):
            reader.run(bytearray, 2**35)  # 32 GiB
        if sys.platform != "win32":
            with pytest.raises(ReaderFailed, match=r"crashed on it \(signal 6\)"):
                reader.run(os.abort)  # what a Rust allocation failure does
        with pytest.raises(ReaderFailed, match=r"the reader failed on it \(SystemExit\)"):
            reader.run(sys.exit, 3)  # a BaseException, as a native panic is
        with pytest.raises(ReadError) as raised:  # a reader's own error comes back as itself, with its problem
            reader.run(read_providers, Path("no-such-list.xlsx"))
        assert raised.value.problem.kind == "unreadable-file"
        reader.limits = Limits(3 * 2**30, 0.5)
        with pytest.raises(ReaderFailed, match=r"took longer than 0\.5 seconds and was stopped"):
            reader.run(time.sleep, 30)
        assert reader.run(len, "after all that, the worker still reads") == 38
    finally:
        reader.close()


@pytest.mark.skipif(sys.platform == "win32", reason="os.kill(pid, 0) ends a process on Windows")
def test_closing_the_server_ends_its_worker() -> None:
    server = CscServer(0)
    pid = server.workspace.reader.run(os.getpid)
    assert pid != os.getpid()
    server.server_close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
