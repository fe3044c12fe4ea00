"""The page's Indicators and Forecast views: their API routes, beside the validation view's (server.py).

server.py checks who asks (Host, the secret, Origin) for every `/api/` path before it calls `Views.answer`, so the
routes here are as protected as validation's. Each view keeps its own state; "Clear my data" clears it too.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import NamedTuple

from csctools.web.folders import private_folder
from csctools.web.forecast_view import ForecastView
from csctools.web.indicators_view import IndicatorsView
from csctools.web.workspace import UserError, Workspace

PREFIXES = ("/api/indicators/", "/api/forecast/")
KINDS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class Reply(NamedTuple):
    payload: object
    status: HTTPStatus = HTTPStatus.OK


class Download(NamedTuple):
    body: bytes
    name: str
    kind: str


def options_of(body: bytes) -> dict[str, object]:
    """A JSON object of options sent by the page."""
    try:
        options = json.loads(body or b"{}")
    except ValueError as error:
        raise UserError("the options are not valid JSON") from error
    if not isinstance(options, dict):
        raise UserError("the options are not valid JSON")
    return options


def written_file(folder_parent: Path, name: str, write: Callable[[Path], None]) -> bytes:
    """The bytes of a report written by `write` into a private folder that is removed at once."""
    folder = private_folder(folder_parent, "reports-")
    try:
        path = folder / name
        write(path)
        return path.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Views:
    def __init__(self, space: Workspace) -> None:
        self.space = space
        self.indicators = IndicatorsView(space)
        self.forecast = ForecastView(space)

    def clear(self) -> None:
        self.indicators.clear()
        self.forecast.clear()

    def answer(self, method: str, path: str, query: dict[str, str], body: Callable[[], bytes]) -> Reply | Download:
        """The answer to one request of either view; UserError for what the user must change."""
        view, _, action = path.removeprefix("/api/").partition("/")
        if view == "indicators":
            return self._indicators(method, action, query, body)
        return self._forecast(method, action, query, body)

    def _indicators(
        self, method: str, action: str, query: dict[str, str], body: Callable[[], bytes]
    ) -> Reply | Download:
        view = self.indicators
        if method == "POST" and action == "run":
            options = options_of(body())
            view.start(_text(options.get("la")), _text(options.get("year")))
            return Reply({"state": "running"}, HTTPStatus.ACCEPTED)
        if method == "GET" and action == "status":
            return Reply(view.status())
        if method == "GET" and action == "results":
            return Reply(view.results())
        if method == "GET" and action == "indicator":
            return Reply(view.indicator(query.get("id", "")))
        if method == "GET" and action.startswith("report."):
            content, name = view.report(action.removeprefix("report."))
            return Download(content, name, KINDS[name.rsplit(".", 1)[1]])
        raise NotFound(method, action)

    def _forecast(self, method: str, action: str, query: dict[str, str], body: Callable[[], bytes]) -> Reply | Download:
        view = self.forecast
        if action == "files" and method == "GET":
            return Reply(view.describe())
        if action == "files" and method == "POST":
            return Reply(view.add_file(query.get("drop", ""), query.get("name", ""), body()))
        if action == "files" and method == "DELETE":
            if "drop" in query:  # one file of a drop, or the whole drop
                view.remove_file(query["drop"], query.get("name"))
            else:
                view.clear()
            return Reply({"ok": True})
        if method == "POST" and action == "run":
            view.start(options_of(body()))
            return Reply({"state": "running"}, HTTPStatus.ACCEPTED)
        if method == "GET" and action == "status":
            return Reply(view.status())
        if method == "GET" and action == "results":
            return Reply(view.results())
        if method == "GET" and action.startswith("report."):
            content, name = view.report(action.removeprefix("report."))
            return Download(content, name, KINDS[name.rsplit(".", 1)[1]])
        raise NotFound(method, action)


class NotFound(Exception):
    def __init__(self, method: str, action: str) -> None:
        super().__init__(f"not found: {method} {action[:100]}")


def _text(value: object) -> str | None:
    return str(value).strip() or None if value not in (None, "") else None
