"""The Indicators and Forecast views of `csc serve` in a real headless Chromium, on synthetic returns."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.synth.generate import SynthOptions, generate
from csctools.web.server import CscServer
from csctools.years import CollectionYear
from tests.test_web_browser import chromium_path

playwright_api = pytest.importorskip("playwright.sync_api")

expect = playwright_api.expect


@pytest.fixture(scope="module")
def years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("views-browser")
    options = SynthOptions(["383"], CollectionYear(2024), CollectionYear(2026), children=80, seed=11, annex_a=False)
    generate(options, out)
    return out / "383"


@pytest.fixture()
def server() -> Iterator[CscServer]:
    running = CscServer(0)
    threading.Thread(target=running.serve_forever, args=(0.05,), daemon=True).start()
    yield running
    running.shutdown()
    running.server_close()


def csv_tables(years: Path, year: str) -> list[str]:
    return [str(p) for p in sorted((years / year / "ssda903").glob("*.csv"))]


def test_indicators_and_forecast_views(server: CscServer, years: Path, tmp_path: Path) -> None:
    this_year = [*csv_tables(years, "2025_26"), str(years / "2025_26" / "cin_census_2025_26.xml")]
    hosts: list[str] = []
    problems: list[str] = []
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        page = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}).new_page()
        page.on("request", lambda request: hosts.append(urlsplit(request.url).netloc))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda note: problems.append(note.text) if "Content Security Policy" in note.text else None)
        page.goto(server.launcher().as_uri())
        page.wait_for_url(server.url)

        # Indicators: over the files added in the Validate view.
        page.set_input_files("#input-current", this_year)
        expect(page.locator("#files tbody tr")).to_have_count(len(this_year))
        page.click("#views-nav button[data-view=indicators-view]")
        expect(page.locator("h1")).to_have_text("csctools: indicators")
        assert page.locator("main:not(.view)").is_hidden()
        expect(page.locator("#ind-files")).to_contain_text("CIN census 2025/26 (cin_census_2025_26.xml)")
        expect(page.locator("#ind-la")).to_have_value("383")  # from the CIN census's header
        page.click("#ind-run")
        expect(page.locator("#ind-status")).to_have_text("The indicators are ready.", timeout=90_000)
        expect(page.locator("#ind-summary")).to_contain_text("Leeds (383), 2025-04-01 to 2026-03-31")
        assert page.locator("#ind-tiles li").count() >= 3
        assert "Annex A" in page.inner_text("#ind-missing")  # "not computed: needs the Annex A lists return"
        lacnum = page.locator("#ind-table tbody tr", has_text="LACnum").first
        lacnum.locator("button").click()
        detail = page.locator("#ind-table tr.detail")
        expect(detail.locator("svg")).to_have_count(1, timeout=30_000)  # drawn on the server: matplotlib loads first
        drawn = detail.locator("svg path[stroke='#1d4f91']").first  # the authority's line, in the page's own colours
        assert drawn.evaluate("node => getComputedStyle(node).stroke") == "rgb(29, 79, 145)"
        count = lacnum.locator("td").nth(1).inner_text()
        expect(detail).to_contain_text(f"Numerator: {count} children")
        page.fill("#ind-search", "no such indicator")
        expect(page.locator("#ind-table tbody tr")).to_have_count(0)
        page.fill("#ind-search", "")
        with page.expect_download() as download:
            page.click("a[href='/api/indicators/report.xlsx']")
        saved = tmp_path / "indicators.xlsx"
        download.value.save_as(saved)
        assert "Data" in CalamineWorkbook.from_path(str(saved)).sheet_names
        if os.environ.get("CSCTOOLS_SCREENSHOT"):  # to look at the views by eye
            page.screenshot(path=os.environ["CSCTOOLS_SCREENSHOT"] + "-indicators.png", full_page=True)

        # Forecast: three years, one drop each; first a single year, which is refused in one line.
        page.click("#views-nav button[data-view=forecast-view]")
        expect(page.locator("h1")).to_have_text("csctools: forecast")
        page.set_input_files("#fc-input", csv_tables(years, "2025_26"))
        expect(page.locator("#fc-files tbody tr")).to_have_count(1)
        page.click("#fc-run")
        expect(page.locator("#fc-status")).to_contain_text("only one collection year (2025/26)", timeout=60_000)
        assert page.locator("#fc-status").get_attribute("class") == "error-text"
        for index, year in enumerate(("2024_25", "2023_24"), start=2):
            page.set_input_files("#fc-input", csv_tables(years, year))
            expect(page.locator("#fc-files tbody tr")).to_have_count(index)
        assert page.input_value("#fc-reference-end") != ""  # the defaults, from the files
        page.select_option("#fc-method", "demand-model-0.5")
        page.click("#fc-run")
        expect(page.locator("#fc-status")).to_have_text("The forecast is ready.", timeout=90_000)
        expect(page.locator("#fc-summary")).to_contain_text("history 2023/24 to 2025/26 (3 years)")
        expect(page.locator("#fc-summary")).to_contain_text("forecast to ")  # the last step, as the command says
        for holder, names in (("#fc-placements", ("Fostering", "Residential")), ("#fc-bands", ("Ten", "Sixteen"))):
            assert page.locator(f"{holder} svg").count() >= 1
            text = page.locator(holder).text_content() or ""
            assert all(name in text for name in names), text[:200]
        expect(page.locator("#fc-backtest tbody tr")).to_have_count(4)
        assert page.locator("#fc-costs tbody tr").count() >= 2
        with page.expect_download() as download:
            page.click("a[href='/api/forecast/report.csv']")
        saved = tmp_path / "forecast.csv"
        download.value.save_as(saved)
        expected = tmp_path / "cli.csv"
        folders = [str(years / y / "ssda903") for y in ("2023_24", "2024_25", "2025_26")]
        result = CliRunner().invoke(app, ["forecast", *folders, "--method", "demand-model-0.5", "-o", str(expected)])
        assert result.exit_code == 0, result.output
        assert saved.read_bytes() == expected.read_bytes()  # the same forecast as `csc forecast`
        if os.environ.get("CSCTOOLS_SCREENSHOT"):
            page.screenshot(path=os.environ["CSCTOOLS_SCREENSHOT"] + "-forecast.png", full_page=True)

        unlabelled = page.evaluate(
            "[...document.querySelectorAll('input, select')]"
            ".filter(e => !e.labels.length && !e.getAttribute('aria-label')).map(e => e.id)"
        )
        assert unlabelled == []
        page.click("#fc-clear")
        expect(page.locator("#fc-files tbody tr")).to_have_count(0)
        assert page.locator("#fc-results").is_hidden()
        browser.close()
    assert problems == []
    assert set(hosts) - {""} == {urlsplit(server.url).netloc}  # nothing from any other host
