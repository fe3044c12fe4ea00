"""The validation view in headless Chromium, by keyboard where a person would use it: the fix loop, a child's
history, packs and settings, and accessibility (axe-core from npm, in the page and in the HTML report)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.read import read_files
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, generate
from csctools.validate.run import validate_return
from csctools.web.server import CscServer
from csctools.years import CollectionYear
from tests.test_web_browser import chromium_path
from tests.test_web_fixes import EXAMPLE, KEY, a_fixable_cell, tables, zipped

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
YEAR = CollectionYear(2026)
AXE = Path(os.environ.get("CSCTOOLS_AXE") or Path(__file__).parents[1] / ".tools/axe/node_modules/axe-core/axe.min.js")
SHOTS = os.environ.get("CSCTOOLS_SCREENSHOTS")  # a folder to look at the page by eye (kept out of the repository)


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fix-browser")
    generate(SynthOptions(["383"], YEAR, YEAR, children=30, seed=9, annex_a=False, inject=10), out / "errors")
    shorten_a_placement(next((out / "errors").glob("383/2025_26/ssda903/*_episodes.csv")))
    generate(SynthOptions(["383"], YEAR, YEAR, children=30, seed=9, annex_a=False), out / "clean")
    generate(SynthOptions(["383"], YEAR.previous(), YEAR.previous(), children=30, seed=9, annex_a=False), out / "last")
    return out


def shorten_a_placement(episodes: Path) -> None:
    """The first placement of the year that changed (REC X1) ends 3 days after it began, and the next one begins
    then: the example pack's PC-SHORT7 has a query to find beside whatever else the synthetic return raises."""
    with episodes.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for first, after in pairwise(rows):
        starts = datetime.strptime(first["DECOM"], "%d/%m/%Y").date()
        if first["REC"] == "X1" and after["CHILD"] == first["CHILD"] and starts >= YEAR.start_date:
            first["DEC"] = after["DECOM"] = (starts + timedelta(days=3)).strftime("%d/%m/%Y")
            break
    else:
        raise AssertionError("no placement change in the year to shorten")
    with episodes.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def last_year(returns: Path) -> list[Path]:
    return sorted((returns / "last" / "383" / "2024_25" / "ssda903").glob("*.csv"))


@pytest.fixture()
def server() -> Iterator[CscServer]:
    running = CscServer(0)
    threading.Thread(target=running.serve_forever, args=(0.05,), daemon=True).start()
    yield running
    running.shutdown()
    running.server_close()


@pytest.fixture()
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield launched
        launched.close()


def open_page(browser: Any, server: CscServer, width: int = 1200) -> Any:
    context = browser.new_context(accept_downloads=True, bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(server.page_url)
    expect(page.locator("h1")).to_have_text("csctools: validate a return")
    return page


def shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def add_and_validate(page: Any, this_year: list[Path], last: list[Path] | None = None, la: str = "383") -> None:
    page.set_input_files("#input-current", [str(p) for p in this_year])
    expect(page.locator("#files tbody tr")).to_have_count(len(this_year), timeout=60_000)
    if last:
        page.set_input_files("#input-previous", [str(p) for p in last])
        expect(page.locator("#files tbody tr")).to_have_count(len(this_year) + len(last), timeout=60_000)
    page.fill("#la", la)
    validate(page, "#validate")


def validate(page: Any, trigger: str) -> None:
    page.locator("#status").evaluate("node => node.textContent = ''")
    page.click(trigger)
    expect(page.locator("#status")).to_contain_text("Validation finished", timeout=90_000)


def active(page: Any, what: str) -> Any:
    return page.evaluate(f"document.activeElement.{what}")


def focus_becomes(page: Any, what: str, expected: str) -> None:
    """Wait (up to 10 s) for the focused element's `what` to equal `expected`: focus moves after the page redraws."""
    with contextlib.suppress(Exception):  # the assertion below then says what has the focus instead
        focused = f"() => String(document.activeElement.{what}) === {json.dumps(expected)}"
        page.wait_for_function(focused, timeout=10_000)
    assert active(page, what) == expected


def contrast(colour: str) -> float:
    """WCAG contrast of an rgb() colour against white."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def rows_of_child(paths: list[Path], child: str) -> int:
    """Rows of the child in these CSV tables, counted from the text."""
    return sum(sum(1 for r in csv.DictReader(io.StringIO(p.read_text("utf-8"))) if r["CHILD"] == child) for p in paths)


def test_fix_loop_and_a_childs_history_by_keyboard(
    server: CscServer, browser: Any, returns: Path, tmp_path: Path
) -> None:
    this_year, last = tables(returns / "errors"), last_year(returns)
    page = open_page(browser, server)
    check_axe(page, "the empty page")
    page.keyboard.press("Tab")
    focus_becomes(page, "textContent", "Skip to the results")  # the first stop of the keyboard
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert contrast(ring) >= 3, ring  # the focus ring on white (the old yellow was 1.35:1)
    add_and_validate(page, this_year, last)
    shot(page, "1-validated")

    page.focus("#results-heading")
    page.keyboard.press("Shift+Tab")  # back to the page top: the skip link jumps to the results
    page.focus(".skip-link")
    page.keyboard.press("Enter")
    focus_becomes(page, "id", "results-heading")

    page.select_option("#filter-severity", "error")
    page.fill("#search", "383")
    name, row, column, bad, good = a_fixable_cell(returns)
    header = next(r for i, r in enumerate(csv.reader(io.StringIO((this_year[2]).read_text("utf-8")))) if i == row - 1)
    child = header[0]
    opener = page.get_by_role("button", name=f"Show child {child}", exact=True)
    opener.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#child-heading")).to_have_text(f"Child {child}")
    focus_becomes(page, "id", "child-heading")
    gap = page.locator("#child-heading").bounding_box()["y"] - opener.bounding_box()["y"]
    assert 0 < gap < 150, gap  # right below its button, not 4,400 px away
    headings = page.locator("#child .history-row h5").all_inner_texts()
    assert len(headings) == rows_of_child(this_year, child) + rows_of_child(last, child)
    assert any("last year" in h for h in headings)
    held = {path.stem.rsplit("_", 1)[-1] for path in this_year if rows_of_child([path], child)}  # e.g. header, oc3
    assert held and all(any(table in h.lower() for h in headings) for table in held), (held, headings)
    dates = [h[:10] for h in headings if h[:4].isdigit()]
    assert dates == sorted(dates) and headings[: len(headings) - len(dates)] == [
        h for h in headings if not h[:4].isdigit()
    ]  # undated rows first, then by date
    shot(page, "2-child")

    edit = page.get_by_role("button", name=f"Edit {column} of Header row {row}")
    edit.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Control+A")
    page.keyboard.type("W" * 101)
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text(f"{name} row {row} column {column}: the value is too long")
    page.keyboard.press("Control+A")
    page.keyboard.type(good)
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text(f"'{bad}' changed to '{good}'")
    focus_becomes(page, "textContent", "Edit")  # focus back on the cell's button
    expect(page.locator("#corrected-files")).to_contain_text(name)
    shot(page, "3-edited")

    # the correction made by hand and validated directly: what the page must count
    fixed_by_hand = tmp_path / "by-hand"
    fixed_by_hand.mkdir()
    for path in this_year:
        content = path.read_bytes()
        if path.name == name:
            lines = content.decode("utf-8").split("\n")
            lines[row - 1] = lines[row - 1].replace(f",{bad},", f",{good},", 1)
            content = "\n".join(lines).encode("utf-8")
        (fixed_by_hand / path.name).write_bytes(content)
    previous = read_files(last)[0][0]
    before = validate_return(read_files(this_year)[0][0], YEAR, find_authority("383"), previous)
    after = validate_return(
        read_files(sorted(fixed_by_hand.glob("*.csv")))[0][0], YEAR, find_authority("383"), previous
    )
    old, new = (set(r.errors.select(KEY).iter_rows()) for r in (before, after))
    validate(page, "#revalidate")
    since = f"Since the last run: {len(old - new)} fixed, {len(new - old)} new, {len(old & new)} still open."
    expect(page.locator("#since")).to_have_text(since)
    assert len(old - new) >= 1
    assert page.input_value("#filter-severity") == "error" and page.input_value("#search") == "383"  # kept
    results_shown = page.evaluate("fetch('/api/results').then(r => r.json()).then(r => r.children)")
    shot(page, "4-revalidated")

    with page.expect_download() as download:
        page.click("#download-corrected")
    archive = zipfile.ZipFile(download.value.path())
    assert sorted(archive.namelist()) == ["edit-log.csv", name]
    assert archive.read(name) == (fixed_by_hand / name).read_bytes()
    log = list(csv.DictReader(io.StringIO(archive.read("edit-log.csv").decode("utf-8"))))
    assert [(e["file"], e["row"], e["column"], e["old_value"], e["new_value"]) for e in log] == [
        (name, str(row), column, bad, good)
    ]

    # reloading the page: what the server still holds is shown again, results and the fix loop's state with them
    page.reload()
    expect(page.locator("#status")).to_have_text(f"Showing the results of the last validation. {since}", timeout=60_000)
    expect(page.locator("#since")).to_have_text(since)
    expect(page.locator("#corrected-files")).to_contain_text(name)
    expect(page.locator("#edit-count")).to_have_text("1 edit logged.")
    expect(page.locator("#files tbody tr")).to_have_count(len(this_year) + len(last))
    expect(page.locator("#children tbody tr")).to_have_count(len(results_shown))
    expect(page.locator("#la")).to_have_value("383")  # "Validate again" is for the same authority
    shot(page, "4b-reloaded")

    page.click("#all-rules summary")
    page.get_by_role("button", name=re.compile("^Show child")).first.click()
    check_axe(page, "the results with a child open and every rule shown")
    page.set_viewport_size({"width": 320, "height": 700})  # a narrow window: nothing may need a mouse to scroll
    region = page.locator("#child .row-table").first
    assert region.evaluate("node => node.scrollWidth > node.clientWidth")  # wider than the window
    region.focus()
    focus_becomes(page, "getAttribute('role')", "region")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    with contextlib.suppress(Exception):  # the browser scrolls smoothly: wait for it, then assert
        page.wait_for_function("node => node.scrollLeft > 0", arg=region.element_handle(), timeout=10_000)
    assert region.evaluate("node => node.scrollLeft") > 0  # scrolled by keyboard
    shot(page, "5-narrow")
    page.set_viewport_size({"width": 1200, "height": 900})
    opened = page.locator("#child-heading").inner_text().removeprefix("Child ")
    page.focus("#child-back")
    page.keyboard.press("Enter")
    focus_becomes(page, "dataset.child", opened)  # back on the child's own button

    corrected = tmp_path / "episodes-fixed.csv"
    corrected.write_bytes(tables(returns / "clean")[1].read_bytes())
    page.set_input_files("#input-current", [str(corrected)])
    expect(page.locator("#status")).to_contain_text(f"episodes-fixed.csv replaces the uploaded {this_year[1].name}")
    expect(page.locator("#files tbody")).to_contain_text("episodes-fixed.csv")  # the list is drawn again first

    remove = page.get_by_role("button", name=f"Remove {this_year[0].name}")
    remove.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text(f"{this_year[0].name} removed.")
    # the next file's Remove button, not the top (waited for: the list is drawn again after the removal)
    expect(page.locator(":focus")).to_have_attribute("aria-label", re.compile(r"^Remove "))


def test_packs_switch_off_and_accept_on_the_page(
    server: CscServer, browser: Any, returns: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    page = open_page(browser, server)
    broken = zipped(EXAMPLE, tmp_path / "broken.zip", {"rules/placements.yaml": "- code: [unclosed\n"})
    page.set_input_files("#input-pack", [str(broken)])
    message = "pack broken.zip: rules/placements.yaml line 2: not valid YAML"
    expect(page.locator("#status")).to_contain_text(message)
    # beside the packs box too, where the user looks, and read with the file picker
    news = page.locator("#zone-pack #pack-news")
    expect(news).to_contain_text(message)
    expect(news).to_have_class("error-text")
    assert page.get_attribute("#input-pack", "aria-describedby") == "pack-news"
    shot(page, "8-pack-refused")
    page.set_input_files("#input-pack", [str(zipped(EXAMPLE, tmp_path / "placement-checks.zip"))])
    expect(page.locator("#packs li")).to_have_count(1)
    expect(page.locator("#packs li")).to_contain_text("placement-checks 1.0")
    expect(news).to_contain_text("Pack placement-checks 1.0 added: 5 rules")
    expect(news).not_to_contain_text(message)
    shot(page, "8-pack-added")
    add_and_validate(page, tables(returns / "errors"), la="")
    # the rules not run say why, and the page asks right there for what they need
    not_run = page.locator("#not-run-list > li")
    expect(not_run.filter(has_text="needs the authority's code (--la)").first).to_be_visible()
    expect(not_run.filter(has_text="needs last year's return (--previous)").first).to_be_visible()
    asks = page.locator("#not-run-asks .ask")
    assert asks.evaluate_all("boxes => boxes.map(b => b.dataset.need)") == ["previous", "providers", "la"]
    expect(asks.get_by_label(re.compile("^Last year's files"))).to_have_attribute("type", "file")
    page.locator("#not-run").scroll_into_view_if_needed()
    shot(page, "7-not-run")
    asks.get_by_label(re.compile(r"^Local authority \(code or name\) \(\d+ rules need it\)")).fill("383")
    validate(page, "text=Use it and validate again >> nth=0")
    expect(page.locator("#headline")).to_contain_text("for Leeds")
    assert "needs the authority's code" not in page.inner_text("#not-run-list")
    page.click("#all-rules summary")
    page.select_option("#filter-pack", "placement-checks")
    expect(page.locator("#outcomes tbody tr")).to_have_count(5)
    failing = [r for r in page.locator("#outcomes tbody tr").all() if r.locator("td").nth(4).inner_text()]
    off = failing[0].locator("td").first.inner_text()
    accepted = failing[-1].locator("td").first.inner_text()
    assert off != accepted

    page.select_option("#off-rule", off)
    page.fill("#off-reason", "we record this elsewhere")
    page.focus("#off-reason")
    page.keyboard.press("Enter")
    expect(page.locator("#switched-off")).to_contain_text(
        f"Rule {off} (placement-checks): switched off in", timeout=90_000
    )
    expect(page.locator("#status")).to_contain_text("Validation finished", timeout=90_000)

    page.select_option("#filter-rule", accepted)
    page.locator("#children tbody button[data-child]").first.click()
    child = page.locator("#children tbody button[data-child]").first.inner_text()
    accept = page.get_by_role("button", name=re.compile(f"^Accept… \\(Accept {accepted} for child {child} row"))
    accept.first.click()
    page.keyboard.type("confirmed with the social worker")
    page.keyboard.press("Enter")
    expect(page.locator("#accepted-table tbody tr").first).to_contain_text(
        "confirmed with the social worker", timeout=90_000
    )
    shot(page, "6-accepted")

    settings = yaml.safe_load((tmp_path / "config" / "csctools" / "settings-383.yaml").read_text("utf-8"))
    assert [o["rule"] for o in settings["off"]] == [off] and settings["accepted"][0]["rule"] == accepted
    assert settings["accepted"][0]["child"] == child and settings["accepted"][0]["who"]
    shown_accepted = page.locator("#accepted-table tbody tr").count()
    check_axe(page, "the page with a pack, a rule switched off and a query accepted")
    report = tmp_path / "report.html"
    arguments = ["validate", "903", *map(str, tables(returns / "errors")), "--la", "383", "--pack", str(EXAMPLE)]
    cli = CliRunner().invoke(app, [*arguments, "-o", str(report)])  # the same settings file, found by the CLI
    assert f"accepted (not counted above, listed apart in the reports): {shown_accepted} cell" in cli.output
    opened = page.context.new_page()
    opened.goto(report.as_uri())
    check_axe(opened, "the HTML report of csc validate")


def check_axe(page: Any, where: str) -> None:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core is not installed: run scripts/install_axe.sh")
        pytest.skip("axe-core is not installed (scripts/install_axe.sh installs it)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target).join(' ')}`))"
    )
    assert found == [], f"{where}: {found}"
