"""A small HTTP server on 127.0.0.1 for the page: static files plus a JSON API over one `Workspace`.

Standard library only (http.server): nothing to install, nothing fetched from the network.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from csctools.web.workspace import MAX_FILE_BYTES, UserError, Workspace

HOST = "127.0.0.1"
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/app.css": ("app.css", "text/css; charset=utf-8"),
}
DOWNLOAD_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}
# The page may load nothing from anywhere but this server.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
log = logging.getLogger("csctools.web")


class Handler(BaseHTTPRequestHandler):
    server: CscServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet: paths may hold child ids
        log.debug(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        try:
            self._route(method, url.path, query)
        except UserError as error:
            self._json({"error": str(error)}, HTTPStatus.BAD_REQUEST)
        except Exception as error:  # the server keeps working; the page shows the message
            log.exception("request failed")
            self._json({"error": f"something went wrong: {error}"}, HTTPStatus.INTERNAL_SERVER_ERROR)

    def _route(self, method: str, path: str, query: dict[str, str]) -> None:
        space = self.server.workspace
        if method == "GET" and path in STATIC:
            name, kind = STATIC[path]
            body = resources.files("csctools.web").joinpath("static", name).read_bytes()
            self._send(body, kind)
        elif method == "GET" and path == "/api/files":
            self._json({"files": space.describe()})
        elif method == "POST" and path == "/api/files":
            self._json(space.add_file(query.get("role", "current"), query.get("name", ""), self._body()))
        elif method == "DELETE" and path == "/api/files":
            if "name" in query:
                space.remove_file(query.get("role", "current"), query["name"])
            else:
                space.clear()
            self._json({"ok": True})
        elif method == "POST" and path == "/api/validate":
            try:
                options = json.loads(self._body() or b"{}")
            except ValueError as error:
                raise UserError("the validation options are not valid JSON") from error
            if not isinstance(options, dict):
                raise UserError("the validation options are not valid JSON")
            space.start(options.get("year") or None, options.get("la") or None)
            self._json({"state": "running"}, HTTPStatus.ACCEPTED)
        elif method == "GET" and path == "/api/status":
            job = space.job
            self._json({"state": job.state, "done": job.done, "total": job.total, "message": job.message})
        elif method == "GET" and path == "/api/results":
            self._json(space.results())
        elif method == "GET" and path == "/api/child":
            self._json(space.child(query.get("id", "")))
        elif method == "GET" and path.startswith("/api/report."):
            extension = path.rsplit(".", 1)[1]
            body, name = space.report(extension)
            kind = DOWNLOAD_TYPES.get(extension.lower(), "application/octet-stream")
            self._send(body, kind, {"Content-Disposition": f"attachment; filename={quote(name)}"})
        else:
            self._json({"error": f"not found: {method} {path}"}, HTTPStatus.NOT_FOUND)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_FILE_BYTES:
            self.close_connection = True
            raise UserError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        return self.rfile.read(length)

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
        self.end_headers()
        self.wfile.write(body)


class CscServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int = 0, workspace: Workspace | None = None) -> None:
        self.workspace = workspace or Workspace()  # first: a failed bind calls server_close, which removes it
        super().__init__((HOST, port), Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    def server_close(self) -> None:
        super().server_close()
        self.workspace.close()
