"""A small HTTP server on 127.0.0.1 for the page: static files plus a JSON API over one `Workspace`.

Standard library only (http.server): nothing to install, nothing fetched from the network. It answers only its own
user (docs/security.md): its own Host names, a secret made at each start (in the address it opens, then an HttpOnly
SameSite=Strict cookie and a header the page sends), state-changing requests only from its own page.
"""

from __future__ import annotations

import contextlib
import hmac
import html
import json
import logging
import secrets
import threading
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from csctools.web.folders import write_private
from csctools.web.views import PREFIXES, Download, NotFound, Views
from csctools.web.workspace import MAX_FILE_BYTES, UserError, Workspace

HOST = "127.0.0.1"
TOKEN_HEADER = "X-CSC-Token"
TOKEN_META = '<meta name="csc-token" content="">'
STATIC = {
    "/http.js": ("http.js", "text/javascript; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/app.css": ("app.css", "text/css; charset=utf-8"),
    "/views.js": ("views.js", "text/javascript; charset=utf-8"),
    "/indicators.js": ("indicators.js", "text/javascript; charset=utf-8"),
    "/forecast.js": ("forecast.js", "text/javascript; charset=utf-8"),
    "/views.css": ("views.css", "text/css; charset=utf-8"),
}
DOWNLOAD_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}
STATE_CHANGING = ("POST", "DELETE")
# The fix loop, packs and settings (_route_fixes)
FIX_ROUTES = ("/api/edit", "/api/corrections", "/api/corrected.zip", "/api/packs", "/api/settings/off", "/api/accept")
# The page may load nothing from anywhere but this server, and no other site may frame it.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}
OLD_ADDRESS = "This address is from an earlier start of csc serve"
NEEDS_ADDRESS = "open the address that csc serve printed when it started (it ends with ?token=...)"
log = logging.getLogger("csctools.web")


class Refused(Exception):
    """A request answered with an HTTP error status and a short plain message."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Handler(BaseHTTPRequestHandler):
    server: CscServer

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.request_timeout)  # a silent client loses its connection (and thread)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: paths may hold child ids
        log.debug(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        self._body_read = False
        url = urlsplit(self.path)
        try:
            self._check_host()
            query = _query(url.query)
            if method == "GET" and url.path in STATIC:
                name, kind = STATIC[url.path]
                self._send(resources.files("csctools.web").joinpath("static", name).read_bytes(), kind)
            elif method == "GET" and url.path == "/":
                self._page(query.get("token"))
            else:
                self._authorise(method)
                self._route(method, url.path, query)
        except Refused as refusal:
            self._refuse(url.path, refusal.status, refusal.message)
        except UserError as error:
            self._refuse(url.path, HTTPStatus.BAD_REQUEST, str(error))
        except TimeoutError:  # the client went quiet mid-request: tell it (if it still listens) and hang up
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._refuse(url.path, HTTPStatus.REQUEST_TIMEOUT, "the upload stopped before its end")
        except ConnectionError:
            self.close_connection = True
        except BaseException as error:  # a native panic is a BaseException: the server keeps working
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            self._internal_error(url.path)

    # --- who may ask -------------------------------------------------------------------------------------------

    def _check_host(self) -> None:
        """Only our own names (DNS rebinding: a foreign name that resolves to 127.0.0.1 is refused)."""
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.own_hosts:
            raise Refused(HTTPStatus.MISDIRECTED_REQUEST, f"csctools answers only at {self.server.url}")

    def _signed_in(self) -> bool:
        given = [self.headers.get(TOKEN_HEADER), self._cookie()]
        return any(value is not None and self.server.is_token(value) for value in given)

    def _cookie(self) -> str | None:
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load("; ".join(self.headers.get_all("Cookie") or []))
        except CookieError:
            return None
        morsel = cookies.get(self.server.cookie_name)
        return morsel.value if morsel is not None else None

    def _authorise(self, method: str) -> None:
        if not self._signed_in():
            raise Refused(HTTPStatus.FORBIDDEN, f"this page does not know you: {NEEDS_ADDRESS}")
        site = self.headers.get("Sec-Fetch-Site")  # sent by browsers: only our own page may call the API
        if site is not None and site not in ("same-origin", "none"):
            raise Refused(HTTPStatus.FORBIDDEN, "refused: the request came from another web site")
        if method not in STATE_CHANGING:
            return
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() not in self.server.own_origins:
            raise Refused(HTTPStatus.FORBIDDEN, "refused: the request came from another web site")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        header = self.headers.get(TOKEN_HEADER)
        if kind != "application/json" and not (header is not None and self.server.is_token(header)):
            raise Refused(HTTPStatus.FORBIDDEN, f"refused: send JSON or the {TOKEN_HEADER} header")

    # --- what is asked -----------------------------------------------------------------------------------------

    def _page(self, token: str | None) -> None:
        if token is not None and not self.server.is_token(token):
            self._plain_page(HTTPStatus.FORBIDDEN, f"{OLD_ADDRESS}: {NEEDS_ADDRESS}")
            return
        if token is None and not self._signed_in():
            self._plain_page(HTTPStatus.FORBIDDEN, f"This page answers only the person who started it: {NEEDS_ADDRESS}")
            return
        page = resources.files("csctools.web").joinpath("static", "index.html").read_text("utf-8")
        body = page.replace(TOKEN_META, TOKEN_META.replace('""', f'"{self.server.token}"')).encode("utf-8")
        cookie = f"{self.server.cookie_name}={self.server.token}; HttpOnly; SameSite=Strict; Path=/"
        self._send(body, "text/html; charset=utf-8", {"Set-Cookie": cookie})

    def _route(self, method: str, path: str, query: dict[str, str]) -> None:
        space = self.server.workspace
        if method == "GET" and path == "/api/files":
            self._json({"files": space.describe(), "max_bytes": MAX_FILE_BYTES})
        elif method == "POST" and path == "/api/files":
            self._json(space.add_file(query.get("role", "current"), query.get("name", ""), self._body()))
        elif method == "DELETE" and path == "/api/files":
            if "name" in query:
                space.remove_file(query.get("role", "current"), query["name"])
            else:
                space.clear()
                self.server.views.clear()  # the Indicators and Forecast views' files and results too
            self._json({"ok": True})
        elif method == "POST" and path == "/api/validate":
            options = self._options("the validation options")
            space.start(_text(options.get("year")), _text(options.get("la")), _text(options.get("dataset")))
            self._json({"state": "running"}, HTTPStatus.ACCEPTED)
        elif method == "GET" and path == "/api/status":
            job = space.job  # `results`: the last validation's results are held (the page shows them on reload)
            progress = {"state": job.state, "done": job.done, "total": job.total, "message": job.message}
            self._json({**progress, "results": space.outcome is not None})
        elif method == "GET" and path == "/api/results":
            self._json(space.results())
        elif method == "GET" and path == "/api/child":
            self._json(space.child(query.get("id", "")))
        elif method == "GET" and path.startswith("/api/report."):
            extension = path.rsplit(".", 1)[1]
            body, name = space.report(extension)
            kind = DOWNLOAD_TYPES.get(extension.lower(), "application/octet-stream")
            self._send(body, kind, {"Content-Disposition": f"attachment; filename={quote(name)}"})
        elif path in FIX_ROUTES:
            self._route_fixes(method, path, query)
        elif path.startswith(PREFIXES):
            self._view(method, path, query)
        else:
            raise Refused(HTTPStatus.NOT_FOUND, f"not found: {method} {path[:100]}")

    def _view(self, method: str, path: str, query: dict[str, str]) -> None:
        """The Indicators and Forecast views (views.py)."""
        try:
            answer = self.server.views.answer(method, path, query, self._body)
        except NotFound as error:
            raise Refused(HTTPStatus.NOT_FOUND, str(error)) from error
        if isinstance(answer, Download):
            self._send(answer.body, answer.kind, {"Content-Disposition": f"attachment; filename={quote(answer.name)}"})
        else:
            self._json(answer.payload, answer.status)

    def _route_fixes(self, method: str, path: str, query: dict[str, str]) -> None:
        """The fix loop (edit a cell, download the corrected files with the log of edits), packs added on the page,
        rules switched off and queries accepted in the settings file."""
        space = self.server.workspace
        if method == "POST" and path == "/api/edit":
            edit = self._options("the edit")
            row = edit.get("row")
            if isinstance(row, bool) or not isinstance(row, int):
                raise UserError("the edit names no row (a row number of the file)")
            shown = edit.get("shown")
            fields = [str(edit.get(k) or "") for k in ("role", "file", "column")]
            self._json(
                space.edit(
                    fields[0] or "current", fields[1], row, fields[2], _text(shown), str(edit.get("value") or "")
                )
            )
        elif method == "GET" and path == "/api/corrections":
            self._json(space.corrections())
        elif method == "GET" and path == "/api/corrected.zip":
            name = "corrected-files.zip"
            headers = {"Content-Disposition": f"attachment; filename={name}"}
            self._send(space.corrected(), "application/zip", headers)
        elif method == "GET" and path == "/api/packs":
            self._json({"packs": space.packs()})
        elif method == "POST" and path == "/api/packs":
            self._json(space.add_pack(query.get("name", ""), self._body()))
        elif method == "DELETE" and path == "/api/packs":
            space.remove_pack(query.get("name", ""))
            self._json({"ok": True})
        elif method == "POST" and path == "/api/settings/off":
            choice = self._options("the rule to switch off")
            self._json(space.switch_off(str(choice.get("rule") or ""), str(choice.get("reason") or "")))
        elif method == "POST" and path == "/api/accept":
            choice = self._options("the query to accept")
            row = choice.get("row")
            if row is not None and (isinstance(row, bool) or not isinstance(row, int)):
                raise UserError("the row of an accepted query must be a row number")
            rule, child, reason = (str(choice.get(k) or "") for k in ("rule", "child", "reason"))
            self._json(space.accept(rule, child, reason, row))
        else:
            raise Refused(HTTPStatus.NOT_FOUND, f"not found: {method} {path[:100]}")

    def _options(self, what: str) -> dict[str, Any]:
        """A JSON object sent by the page."""
        try:
            options = json.loads(self._body() or b"{}")
        except ValueError as error:
            raise UserError(f"{what}: not valid JSON") from error
        if not isinstance(options, dict):
            raise UserError(f"{what}: not valid JSON")
        return options

    def _body(self) -> bytes:
        """The request's body, of the size it declares (a whole number of bytes, at most MAX_FILE_BYTES)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise Refused(HTTPStatus.LENGTH_REQUIRED, "chunked uploads are not accepted: send the file with its size")
        declared = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if not declared:
            return b""
        text = declared.pop()
        if declared or not (text.isascii() and text.isdigit()):
            raise Refused(HTTPStatus.BAD_REQUEST, "the request's Content-Length is not a number of bytes")
        length = int(text)
        if length > MAX_FILE_BYTES:
            raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        body = self.rfile.read(length)
        if len(body) < length:
            raise Refused(HTTPStatus.BAD_REQUEST, "the upload stopped before its end")
        self._body_read = True
        return body

    # --- answers -----------------------------------------------------------------------------------------------

    def _refuse(self, path: str, status: HTTPStatus, message: str) -> None:
        if self.command in STATE_CHANGING and not self._body_read:
            self.close_connection = True  # its body was not read: the connection cannot carry another request
        if path.startswith("/api/"):
            self._json({"error": message}, status)
        else:
            self._send((message + "\n").encode("utf-8"), "text/plain; charset=utf-8", status=status)

    def _internal_error(self, path: str) -> None:
        log.exception("request failed")  # the details go to the terminal where csc serve runs, not to the page
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._refuse(path, HTTPStatus.INTERNAL_SERVER_ERROR, "something went wrong in csctools; please try again")

    def _plain_page(self, status: HTTPStatus, message: str) -> None:
        body = (
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>csctools</title>'
            f'<link rel="stylesheet" href="/app.css"><main><h1>csctools</h1><p>{html.escape(message)}</p></main></html>'
        ).encode()
        self._send(body, "text/html; charset=utf-8", status=status)

    def _json(self, payload: object, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(json.dumps(payload, default=str).encode("utf-8"), "application/json", status=status)

    def _send(
        self, body: bytes, kind: str, headers: dict[str, str] | None = None, status: HTTPStatus = HTTPStatus.OK
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in {**SECURITY_HEADERS, **(headers or {})}.items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


def _query(text: str) -> dict[str, str]:
    try:
        return {key: values[0] for key, values in parse_qs(text, max_num_fields=20).items()}
    except ValueError as error:
        raise Refused(HTTPStatus.BAD_REQUEST, "too many parameters in the address") from error


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


class CscServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    max_connections = 64  # beyond this, new connections get 503 at once instead of a thread each
    request_timeout = 30.0  # seconds a client may stay silent in the middle of a request or between requests

    def __init__(self, port: int = 0, workspace: Workspace | None = None) -> None:
        self.workspace = workspace or Workspace()  # first: a failed bind calls server_close, which removes it
        self.views = Views(self.workspace)
        self.token = secrets.token_urlsafe(32)
        self._slots = threading.BoundedSemaphore(self.max_connections)
        super().__init__((HOST, port), Handler)
        port = self.server_address[1]
        self.own_hosts = {f"{HOST}:{port}", f"localhost:{port}"}
        self.own_origins = {f"http://{host}" for host in self.own_hosts}
        self.cookie_name = f"csctools_{port}"  # cookies ignore ports: one name per server

    @property
    def url(self) -> str:
        """The server's address, without the secret."""
        return f"http://{HOST}:{self.server_address[1]}/"

    @property
    def page_url(self) -> str:
        """The address that opens the page: it carries this start's secret."""
        return f"{self.url}?token={self.token}"

    def is_token(self, value: str) -> bool:
        return hmac.compare_digest(value.encode("utf-8", "replace"), self.token.encode("ascii"))

    def launcher(self) -> Path:
        """A private file that sends the browser to the page: opening it keeps the secret off the command line
        that starts the browser, which other users of the computer can see."""
        path = self.workspace.root / "open-csctools.html"
        address = self.page_url
        write_private(
            path,
            (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f'<meta http-equiv="refresh" content="0;url={address}"><title>csctools</title></head>'
                f'<body><p><a href="{address}">Open csctools</a></p></body></html>'
            ).encode(),
        )
        return path

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def server_close(self) -> None:
        super().server_close()
        self.workspace.close()
