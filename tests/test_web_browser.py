"""`csc serve` end to end in a real headless Chromium (Debian's package, installed by scripts/install_browser.sh)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from csctools.read import read_files
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, generate
from csctools.validate.guidance import guidance
from csctools.validate.run import validate_return
from csctools.web.server import CscServer
from csctools.years import CollectionYear

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
# every browser test's waits (the other browser modules import this one): the page waits on the server, and a shared
# or loaded machine (CI, other work) can take several times the default 5 s to answer
expect.set_options(timeout=30_000)
YEAR = CollectionYear(2026)
REBIND = "--host-resolver-rules=MAP rebound.test 127.0.0.1"  # a foreign name that resolves to this computer
ATTACK = """<!doctype html><html><body><iframe name="sink"></iframe>
<form id="form" method="post" enctype="text/plain" target="sink" action="TARGET/api/validate">
<input name='{"la": "383", "x": "' value='"}'></form>
<script>
async function attempt(name, request) {
  try { const r = await request(); return `${name}=${r.type}:${r.status}`; } catch (e) { return `${name}=blocked`; }
}
(async () => {
  const seen = [];
  seen.push(await attempt("upload", () => fetch("TARGET/api/files?role=current&name=evil.csv", {
    method: "POST", mode: "no-cors", credentials: "include", body: "a,b\\n", headers: { "Content-Type": "text/plain" },
  })));
  seen.push(await attempt("clear", () => fetch("TARGET/api/files", { method: "DELETE", credentials: "include" })));
  seen.push(await attempt("read", () => fetch("TARGET/api/results", { credentials: "include" })));
  document.getElementById("form").submit();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  document.title = "done " + seen.join(" ");
})();
</script></body></html>"""


def chromium_path() -> str:
    found = os.environ.get("CSCTOOLS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is not installed: run scripts/install_browser.sh")
    pytest.skip("Chromium is not installed (scripts/install_browser.sh installs it)")


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    generate(SynthOptions(["383"], YEAR.previous(), YEAR.previous(), children=80, seed=9, annex_a=False), out / "last")
    generate(SynthOptions(["383"], YEAR, YEAR, children=80, seed=9, annex_a=False, inject=10), out / "this")
    return out


@pytest.fixture()
def server() -> Iterator[CscServer]:
    running = CscServer(0)
    threading.Thread(target=running.serve_forever, args=(0.05,), daemon=True).start()
    yield running
    running.shutdown()
    running.server_close()


def attack_from_other_sites(context: Any, server: CscServer, folder: Path) -> list[str]:
    """Pages of other origins, in the same browser as the signed-in page, try to upload, clear, read and (with a
    form) start a validation: from another port of 127.0.0.1 (the same site: the cookie goes along) and from
    another name (another site). Returns what each page saw."""
    attack = folder / "attack"
    attack.mkdir()
    (attack / "attack.html").write_text(ATTACK.replace("TARGET", server.url.rstrip("/")))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(attack))
    attacker = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    seen: list[str] = []
    try:
        for host in ("127.0.0.1", "rebound.test"):
            tab = context.new_page()
            tab.goto(f"http://{host}:{attacker.server_address[1]}/attack.html")
            tab.wait_for_function("document.title.startsWith('done')", timeout=30_000)
            seen.append(tab.title())
            tab.close()
    finally:
        attacker.shutdown()
        attacker.server_close()
    return seen


def test_upload_validate_open_child_download(server: CscServer, returns: Path, tmp_path: Path) -> None:
    this_year = sorted((returns / "this" / "383" / "2025_26" / "ssda903").glob("*.csv"))
    last_year = sorted((returns / "last" / "383" / "2024_25" / "ssda903").glob("*.csv"))
    (data,), _ = read_files(this_year)
    (last,), _ = read_files(last_year)
    expected = validate_return(data, YEAR, find_authority("383"), last)
    assert expected.error_count > 0
    hosts: list[str] = []
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", REBIND])
        page = browser.new_context(accept_downloads=True).new_page()
        page.on("request", lambda request: hosts.append(urlsplit(request.url).netloc))
        # As `csc serve` opens it: a private file that sends the browser to the address with the secret.
        page.goto(server.launcher().as_uri())
        page.wait_for_url(server.url)  # the page took the secret out of the address
        expect(page.locator("h1")).to_have_text("csctools: validate a return")

        empty = tmp_path / "empty.csv"
        empty.write_bytes(b"")
        # one file the page refuses does not lose the others of the same drop
        page.set_input_files("#input-current", [str(empty), *(str(p) for p in this_year)])
        expect(page.locator("#files tbody tr")).to_have_count(len(this_year))
        expect(page.locator("#status")).to_contain_text("empty.csv: the file is empty")
        page.set_input_files("#input-previous", [str(p) for p in last_year])
        expect(page.locator("#files tbody tr")).to_have_count(len(this_year) * 2)
        assert "SSDA903" in page.inner_text("#files tbody")
        page.fill("#la", "383")
        page.click("#validate")
        page.wait_for_selector("#results:not([hidden])", timeout=60_000)
        headline = page.inner_text("#headline")
        assert f"{expected.error_count} errors" in headline, headline

        failed = {o.code for o in expected.outcomes if o.status == "failed"}
        shown_rules = set(page.locator("#rules tbody tr td:first-child").all_inner_texts())
        assert shown_rules == {o.code for o in expected.outcomes if o.failures}  # errors and queries
        assert f"{expected.query_count} queries in" in headline, headline
        # each rule's guidance is folded under its message; opened by keyboard it says what to check
        code = page.locator("#rules tbody tr td:first-child").first.inner_text()
        about = guidance("ssda903", code)
        assert about is not None
        folded = page.locator("#rules tbody tr").first.locator("details.guidance")
        expect(folded.locator("summary")).to_have_text(f"Guidance for {code}")
        folded.locator("summary").focus()
        page.keyboard.press("Enter")
        expect(folded).to_have_attribute("open", "")
        expect(folded).to_contain_text(f"What to check: {about.check}")
        children = set(expected.errors["child_id"].drop_nulls().to_list())
        assert page.locator("#children tbody tr").count() == len(children)

        first = page.locator("#children tbody button").first
        child_id = first.inner_text()
        first.click()
        page.wait_for_selector("#child")
        assert page.inner_text("#child-heading") == f"Child {child_id}"
        errors_of_child = expected.errors.filter(expected.errors["child_id"] == child_id)
        lines = errors_of_child.select("rule_code", "source_file", "row_number").unique().height  # a rule per row
        assert page.locator("#child ul.failures > li").count() == lines
        assert page.locator("#child ul.failures > li .check").count() == lines  # each says what to check
        cells = errors_of_child.filter(pl.col("row_number").is_not_null()).select("source_file", "row_number", "field")
        assert page.locator("#child td.flagged").count() == cells.unique().height
        if os.environ.get("CSCTOOLS_SCREENSHOT"):  # to look at the page by eye
            page.screenshot(path=os.environ["CSCTOOLS_SCREENSHOT"], full_page=True)

        attacks = attack_from_other_sites(page.context, server, tmp_path)
        assert all("read=blocked" in seen and "clear=blocked" in seen for seen in attacks), attacks
        assert {p.name for p in server.workspace.data.rglob("*.csv")} == {p.name for p in this_year + last_year}
        assert server.workspace.outcome is not None and server.workspace.job.state == "done"
        rebound = page.context.new_page()
        rebound.goto(f"http://rebound.test:{server.server_address[1]}/api/results")
        assert "csctools answers only at" in rebound.inner_text("body") and "child" not in rebound.inner_text("body")
        rebound.close()

        page.fill("#search", "no-such-child")
        assert page.locator("#children tbody tr").count() == 0
        page.fill("#search", "")

        with page.expect_download() as download:
            page.click("#download-xlsx")
        saved = tmp_path / "report.xlsx"
        download.value.save_as(saved)
        summary = CalamineWorkbook.from_path(str(saved)).get_sheet_by_name("Summary").to_python()
        assert {str(r[0]) for r in summary[3:] if r[1] == "failed"} == failed

        unlabelled = page.evaluate(
            "[...document.querySelectorAll('input, select')]"
            ".filter(e => !e.labels.length && !e.getAttribute('aria-label')).map(e => e.id)"
        )
        assert unlabelled == []
        page.click("#clear")
        expect(page.locator("#files tbody tr")).to_have_count(0)
        assert not any(p.is_file() for p in server.workspace.data.rglob("*"))
        stranger = browser.new_page()  # the same browser without the secret: another user, or an old tab
        stranger.goto(server.url)
        assert "answers only the person who started it" in stranger.inner_text("body")
        browser.close()
    server_host = urlsplit(server.url).netloc
    assert hosts and set(hosts) - {""} == {server_host}
