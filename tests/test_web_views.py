"""The page's Indicators and Forecast views: the view functions on synthetic returns (against the commands and a
count worked out here from the raw file), their one-line messages for bad input, and over real HTTP that every
new endpoint is refused without the secret and every state-changing one from another site."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.synth.generate import SynthOptions, generate
from csctools.web.forecast_view import ForecastView, options_from
from csctools.web.indicators_view import IndicatorsView
from csctools.web.server import TOKEN_HEADER, CscServer
from csctools.web.workspace import UserError, Workspace
from csctools.years import CollectionYear

LAST = CollectionYear(2026)


@pytest.fixture(scope="module")
def years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three collection years (2023/24 to 2025/26) of 903 CSV tables and CIN censuses for Leeds (383)."""
    out = tmp_path_factory.mktemp("views")
    generate(
        SynthOptions(["383"], CollectionYear(2024), LAST, children=90, seed=4, formats=("csv",), annex_a=False), out
    )
    return out / "383"


def tables(years: Path, year: str) -> list[Path]:
    return sorted((years / year / "ssda903").glob("*.csv"))


@pytest.fixture()
def space() -> Iterator[Workspace]:
    made = Workspace()
    yield made
    made.close()


def wait(view: IndicatorsView | ForecastView) -> dict[str, object]:
    for _ in range(1200):
        if view.job.state != "running":
            break
        time.sleep(0.05)
    return view.status()


def add(space: Workspace, role: str, paths: list[Path]) -> None:
    for path in paths:
        space.add_file(role, path.name, path.read_bytes())


def test_indicators_view_is_the_command_and_counts_the_right_children(
    space: Workspace, years: Path, tmp_path: Path
) -> None:
    this_year = [*tables(years, "2025_26"), years / "2025_26" / "cin_census_2025_26.xml"]
    add(space, "current", this_year)
    add(space, "previous", tables(years, "2024_25"))
    view = IndicatorsView(space)
    view.start(None, None)  # the authority from the CIN census's header, the year from the dates
    assert wait(view)["state"] == "done", view.status()
    results = view.results()
    assert (results["la"], results["la_name"]) == ("383", "Leeds")
    assert results["period"] == {"start": "2025-04-01", "end": "2026-03-31"}
    # The downloads are the command's own reports: the CSV byte for byte.
    csv_out = tmp_path / "cli.csv"
    previous = [part for p in tables(years, "2024_25") for part in ("--previous", str(p))]
    command = ["indicators", *map(str, this_year), "--la", "383", *previous, "-o", str(csv_out)]
    outcome = CliRunner().invoke(app, command)
    assert outcome.exit_code == 0, outcome.output
    body, name = view.report("csv")
    assert name == "indicators_383_2026-03-31.csv"
    assert body == csv_out.read_bytes()
    for extension in ("xlsx", "html", "docx"):
        assert len(view.report(extension)[0]) > 1000
    # Children looked after at 31 March, worked out from the raw Episodes file: an episode open at the end of the
    # day (no end date, or one after 31 March), short-break care (V3, V4) left out.
    raw = pl.read_csv(years / "2025_26" / "ssda903" / "ssda903_2025_26_episodes.csv", infer_schema=False)
    day = pl.col("DEC").str.strptime(pl.Date, "%d/%m/%Y")
    open_at_end = raw.filter(
        (pl.col("DECOM").str.strptime(pl.Date, "%d/%m/%Y") <= date(2026, 3, 31))
        & (pl.col("DEC").is_null() | (day > date(2026, 3, 31)))
        & ~pl.col("LS").is_in(["V3", "V4"])
    )
    expected = sorted(set(open_at_end["CHILD"].to_list()))
    detail = view.indicator("LACnum")
    assert sorted(detail["numerator_children"]) == expected
    row = next(r for t in results["topics"] for r in t["rows"] if r["id"] == "LACnum")
    assert row["value"] == str(len(expected))
    assert str(detail["chart"]).startswith("<svg")
    # Every indicator is either in the table as computed or listed with what it needs.
    listed = {r["id"] for t in results["topics"] for r in t["rows"]}
    missing = {r["id"]: r["status"] for r in results["not_computed"]}
    assert len(listed) == results["total"]
    assert missing and all(status.startswith("not computed: needs") for status in missing.values())
    assert any("Annex A" in status for status in missing.values())  # no Annex A workbook was given


def test_indicators_view_says_the_values_that_could_not_be_read(space: Workspace, years: Path, tmp_path: Path) -> None:
    files = tables(years, "2025_26")
    header = next(p for p in files if p.name.endswith("_header.csv"))
    lines = header.read_text().splitlines()
    cells = lines[1].split(",")
    cells[lines[0].split(",").index("DOB")] = "31/02/2012"  # not a date
    broken = tmp_path / header.name
    broken.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    add(space, "current", [broken if p == header else p for p in files])
    view = IndicatorsView(space)
    view.start("383", None)
    assert wait(view)["state"] == "done", view.status()
    notes = view.results()["notes"]
    assert len(notes) == 1 and notes[0].startswith(
        "1 value of the returns could not be read (Header.DOB 1): each counts as blank"
    )
    assert "could not be read (Header.DOB 1)" in view.report("html")[0].decode()  # the download says it too


def test_indicators_view_bad_input_is_one_line(space: Workspace, years: Path) -> None:
    view = IndicatorsView(space)

    def failure(la: str | None = None, year: str | None = None) -> str:
        view.start(la, year)
        assert wait(view)["state"] == "failed"
        return str(view.status()["message"])

    assert failure() == "add this year's files first (in the Validate view, section 1: Add files)"
    add(space, "current", tables(years, "2025_26"))
    assert failure() == "the files do not name the local authority: give its code or name"  # a 903 does not
    assert failure("Atlantis").startswith("'Atlantis' is not an English local authority")
    assert "\n" not in failure("383", "twenty six")
    add(space, "previous", tables(years, "2023_24"))  # two years before, not last year
    assert failure("383") == "last year's files are of 2023/24, not 2024/25 (the year before 2025/26)"
    (space.folder("previous") / "notes.txt").write_text("minutes of a meeting\n")
    message = failure("383")
    assert message.startswith("notes.txt: ") and "\n" not in message
    with pytest.raises(UserError, match="no indicators have been computed yet"):
        view.results()
    with pytest.raises(UserError, match="unknown report format"):
        view.report("pdf")


def add_drops(view: ForecastView, years: Path, names: list[str]) -> None:
    for drop, year in enumerate(names, start=1):
        for path in tables(years, year):
            view.add_file(str(drop), path.name, path.read_bytes())


def test_forecast_view_is_the_command(space: Workspace, years: Path, tmp_path: Path) -> None:
    view = ForecastView(space)
    add_drops(view, years, ["2025_26", "2023_24", "2024_25"])  # in any order: sorted by year
    described = view.describe()
    found = [y["year"] for d in described["drops"] for y in d["years"]]
    assert found == ["2025/26", "2023/24", "2024/25"]
    defaults = described["defaults"]
    assert defaults is not None
    view.start({"method": "demand-model-0.5"})
    assert wait(view)["state"] == "done", view.status()
    results = view.results()
    assert results["years"] == ["2023/24", "2024/25", "2025/26"]
    assert results["reference"] == [defaults["reference_start"], defaults["reference_end"]]
    assert results["forecast_end"] == defaults["forecast_end"]
    assert results["last_step"] > results["forecast_end"]  # the end asked for, rounded up to whole steps
    assert str(results["period"]).startswith(f"forecast to {results['last_step']} (the last step")
    drawn = results["charts"]
    assert set(drawn) >= {"placement", "age_band", "cost"}
    assert all(name in "".join(drawn["placement"]) for name in ("Fostering", "Residential", "Supported", "Other"))
    assert len(results["backtest"]) == 4
    out = tmp_path / "cli.csv"
    folders = [str(years / y / "ssda903") for y in ("2023_24", "2024_25", "2025_26")]
    command = ["forecast", *folders, "--method", "demand-model-0.5", "-o", str(out)]
    outcome = CliRunner().invoke(app, command)
    assert outcome.exit_code == 0, outcome.output
    assert view.report("csv")[0] == out.read_bytes()
    assert view.report("xlsx")[0][:2] == b"PK"
    assert b"Forecast of children looked after" in view.report("html")[0]
    # The default method, the simulation (1,000 runs, seed 1), as the command runs it by default.
    view.start({"la": "Leeds"})
    assert wait(view)["state"] == "done", view.status()
    simulated = view.results()
    assert (simulated["method"], simulated["runs"], simulated["authority"]) == ("simulation", 1000, "Leeds (383)")
    assert all("in_90_band" in row for row in simulated["backtest"])
    header = view.report("csv")[0].splitlines()[0]
    assert header == b"date,age_band,placement,population,p05,p25,p50,p75,p95"
    view.clear()
    assert view.describe()["drops"] == []
    with pytest.raises(UserError, match="nothing has been forecast yet"):
        view.results()


def test_forecast_view_bad_input_is_one_line(space: Workspace, years: Path) -> None:
    view = ForecastView(space)

    def failure(options: dict[str, object] | None = None) -> str:
        view.start(options or {})
        assert wait(view)["state"] == "failed"
        message = str(view.status()["message"])
        assert "\n" not in message and "Traceback" not in message
        return message

    with pytest.raises(UserError, match="add the SSDA903 files of several years first"):
        view.start({})
    add_drops(view, years, ["2025_26"])
    assert failure().startswith("only one collection year (2025/26) among the files: a forecast needs several")
    add_drops(view, years, ["2025_26", "2025_26"])  # drop 2 holds 2025/26 again
    message = failure()
    assert message.startswith("two returns for 2025/26: drop 1/") and "drop 2/" in message
    view.remove_file("2", None)
    add_drops(view, years, ["2025_26", "2023_24"])
    assert failure().startswith("years missing: 2024/25 (between drop 2/ssda903_2023_24_")
    view.remove_file("2", None)
    for path in tables(years, "2024_25"):
        view.add_file("2", path.name, path.read_bytes())
    assert failure({"forecast_end": "2025-01-01"}).startswith("the forecast end 2025-01-01 is not after the data end")
    header = years / "2023_24" / "ssda903" / "ssda903_2023_24_header.csv"
    lines = header.read_text().splitlines()
    columns = lines[0].split(",")
    cells = lines[1].split(",")
    cells[columns.index("DOB")] = "31/02/2015"
    for path in tables(years, "2023_24"):
        view.add_file("3", path.name, path.read_bytes())
    view.add_file("3", header.name, "\n".join([lines[0], ",".join(cells), *lines[2:]]).encode())
    view.start({"runs": 20})  # a date that cannot be read is left out and said, not a failure of the forecast
    assert wait(view)["state"] == "done", view.status()
    assert any(line.startswith("1 Header row dropped: DOB blank or not a date") for line in view.results()["cleaning"])
    view.remove_file("3", None)
    other = view._drop("3")
    (other / "notes.csv").write_text("a,b\n1,2\n")
    assert failure() == "no SSDA903 Header and Episodes found in drop 3"
    with pytest.raises(UserError, match="unknown drop"):
        view.add_file("0", "a.csv", b"x")
    with pytest.raises(UserError, match="the file is empty"):
        view.add_file("1", "a.csv", b"")
    with pytest.raises(UserError, match="reference period start: '31/03/2026' is not a date"):
        options_from({"reference_start": "31/03/2026"})
    with pytest.raises(UserError, match="unknown method 'magic'"):
        options_from({"method": "magic"})


# --- over HTTP: the same protections as the validation view's endpoints -----------------------------------------


@pytest.fixture()
def server() -> Iterator[CscServer]:
    running = CscServer(0)
    threading.Thread(target=running.serve_forever, args=(0.05,), daemon=True).start()
    yield running
    running.shutdown()
    running.server_close()


def call(server: CscServer, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(server.url.rstrip("/") + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw, status, kind = response.read(), response.status, response.headers.get("Content-Type")
    except urllib.error.HTTPError as error:
        raw, status, kind = error.read(), error.code, error.headers.get("Content-Type")
    return status, json.loads(raw) if kind == "application/json" else raw


STATE_CHANGING = [
    ("POST", "/api/indicators/run", b"{}"),
    ("POST", "/api/forecast/files?drop=1&name=header.csv", b"CHILD,SEX,DOB\n1,1,01/01/2015\n"),
    ("DELETE", "/api/forecast/files?drop=1&name=header.csv", None),
    ("DELETE", "/api/forecast/files", None),
    ("POST", "/api/forecast/run", b"{}"),
]
READS = [
    "/api/indicators/status",
    "/api/indicators/results",
    "/api/indicators/indicator?id=LACnum",
    "/api/indicators/report.xlsx",
    "/api/forecast/files",
    "/api/forecast/status",
    "/api/forecast/results",
    "/api/forecast/report.csv",
]


def test_new_endpoints_refuse_without_the_secret_and_from_other_sites(server: CscServer) -> None:
    port = server.server_address[1]
    json_type = {"Content-Type": "application/json"}
    for method, path, body in STATE_CHANGING:
        status, payload = call(server, method, path, body, json_type)  # no secret
        assert status == 403 and "does not know you" in payload["error"], path
        for origin in ("http://evil.example", "null", f"http://127.0.0.1:{port + 1}"):
            headers = {TOKEN_HEADER: server.token, "Origin": origin, **json_type}
            status, payload = call(server, method, path, body, headers)
            assert status == 403 and payload["error"] == "refused: the request came from another web site", path
        headers = {"Cookie": f"{server.cookie_name}={server.token}", "Content-Type": "text/plain"}
        assert call(server, method, path, body, headers)[0] == 403, path  # what a foreign form can send
    assert server.views.forecast.folder is None  # nothing was stored
    for path in READS:
        assert call(server, "GET", path, None, {})[0] == 403, path
        cross = {TOKEN_HEADER: server.token, "Sec-Fetch-Site": "cross-site"}
        assert call(server, "GET", path, None, cross)[0] == 403, path


def test_new_endpoints_answer_the_page_and_clear_forgets_them(server: CscServer, years: Path) -> None:
    own = {TOKEN_HEADER: server.token, "Origin": server.url.rstrip("/")}
    for path in tables(years, "2024_25"):
        status, payload = call(server, "POST", f"/api/forecast/files?drop=1&name={path.name}", path.read_bytes(), own)
        assert status == 200, payload
    status, described = call(server, "GET", "/api/forecast/files", None, own)
    assert status == 200 and described["drops"][0]["years"][0]["year"] == "2024/25"
    status, payload = call(server, "POST", "/api/forecast/run", b"not json", own)
    assert status == 400 and payload["error"] == "the options are not valid JSON"
    status, payload = call(server, "GET", "/api/forecast/results", None, own)
    assert status == 400 and payload["error"] == "nothing has been forecast yet"
    assert call(server, "GET", "/api/forecast/nothing", None, own)[0] == 404
    folder = server.views.forecast.folder
    assert folder is not None and folder.is_dir() and (folder.stat().st_mode & 0o777) == 0o700
    assert call(server, "DELETE", "/api/files", None, own)[0] == 200  # "Clear my data"
    assert not folder.exists() and server.views.forecast.folder is None
