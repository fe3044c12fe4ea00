"""The reports analysts act on: the XLSX work list, the HTML report and `csc validate`'s failed rules and --since.

Each test opens the output (XLSX read back with python-calamine and unzipped, HTML parsed with lxml) and checks it
against the engine's error table, counted independently here (failures_of, or by hand)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
from lxml import html as lxml_html
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.datasets.ssda903.read import read_903
from csctools.io.result import ReturnData
from csctools.reference.authorities import find_authority
from csctools.synth.generate import SynthOptions, generate
from csctools.validate import html_report, xlsx_report
from csctools.validate.engine import FAILURE_KEY, ValidationResult, failures_of
from csctools.validate.export import write_report
from csctools.validate.guidance import guidance
from csctools.validate.run import validate_return
from csctools.validate.since import changes
from csctools.validate.worklist import code_order, ordered_codes
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)
runner = CliRunner()


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    options = SynthOptions(
        ["383"], YEAR.previous(), YEAR, children=150, seed=11, formats=("csv",), annex_a=False, cin=False, inject=40
    )
    generate(options, out)
    return out / "383"


@pytest.fixture(scope="module")
def validated(injected: Path) -> tuple[ValidationResult, ReturnData]:
    data = read_903(sorted((injected / "2025_26" / "ssda903").glob("*.csv")))
    last = read_903(sorted((injected / "2024_25" / "ssda903").glob("*.csv")))
    return validate_return(data, YEAR, find_authority("383"), last), data


def test_rule_codes_sort_as_people_read_them() -> None:
    codes = ["1001", "INT11", "101", "PC-X", "1000", "392c", "392", "INT101", "99", "503D", "503A"]
    assert ordered_codes(codes) == [
        "99", "101", "392", "392c", "503A", "503D", "1000", "1001", "INT11", "INT101", "PC-X"
    ]  # fmt: skip
    assert code_order("101") < code_order("1000") < code_order("1001") < code_order("A1")


def _sheet(book: CalamineWorkbook, name: str) -> list[list[object]]:
    return book.get_sheet_by_name(name).to_python()


def _sheet_xml(path: Path, index: int) -> str:
    with zipfile.ZipFile(path) as book:
        return book.read(f"xl/worksheets/sheet{index}.xml").decode()


def test_xlsx_work_list(validated: tuple[ValidationResult, ReturnData], tmp_path: Path) -> None:
    result, data = validated
    path = tmp_path / "r.xlsx"
    write_report(result, data, path)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names[:4] == ["Summary", "Errors", "Children", "Guidance"]
    expected = failures_of(result.errors)
    assert expected.height > 40  # the injected errors, and the queries a synthetic return raises

    summary = _sheet(book, "Summary")
    facts = {str(r[0]): r[1] for r in summary if r[0] and r[1] != ""}
    tally = result.tally()
    assert facts["authority"] == "Leeds (383)" and facts["collection year"] == "2025/26"
    assert (facts["errors"], facts["queries"], facts["children affected"]) == (
        tally.errors,
        tally.queries,
        tally.children,
    )
    assert facts["csctools version"] and re.match(r"\d{4}-\d\d-\d\d", str(facts["run date"]))
    files = {(r[0], r[1]): r[2] for r in summary if str(r[0]).endswith(".csv")}
    assert files[("ssda903_2025_26_episodes.csv", "Episodes")] == data.tables["Episodes"].height
    start = next(i for i, r in enumerate(summary) if r[:2] == ["rule", "status"])
    rules = [r for r in summary[start + 1 :] if r[0]]
    active = [r for r in rules if r[1] in ("failed", "raised queries")]
    assert rules[: len(active)] == active  # rules that failed come first
    counts = [int(r[3]) for r in active]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0  # most failures first

    errors = _sheet(book, "Errors")
    assert errors[0][:7] == ["rule", "severity", "message", "child", "table", "file", "source row"]
    listed = errors[1:]
    assert len(listed) == expected.height  # one row per failure
    keys = {(r[0], r[4], int(r[6]), str(r[3])) for r in listed}
    assert keys == {
        (c, t, n, str(ch))
        for c, t, n, ch in expected.select("rule_code", "table", "row_number", "child_id").iter_rows()
    }
    cell = result.errors.row(0, named=True)
    row = next(r for r in listed if (r[0], r[4], int(r[6])) == (cell["rule_code"], cell["table"], cell["row_number"]))
    assert f"{cell['field']}={cell['value'] if cell['value'] is not None else '(blank)'}" in str(row[7])
    found = guidance("ssda903", str(row[0]))
    assert found is not None and row[8] == found.check
    order = [code_order(str(r[0])) for r in listed]
    assert order == sorted(order)  # rules in code order
    sheet = _sheet_xml(path, 2)
    assert "<autoFilter" in sheet and 'state="frozen"' in sheet
    assert 'orientation="landscape"' in sheet and 'fitToHeight="0"' in sheet and 'fitToPage="1"' in sheet

    children = _sheet(book, "Children")
    by_child = (
        expected.filter(pl.col("child_id").is_not_null())
        .group_by("child_id")
        .agg((pl.col("severity") == "error").sum().alias("errors"), pl.col("rule_code").unique().alias("rules"))
    )
    assert len(children) - 1 == by_child.height
    shown = {str(r[0]): (int(r[1]), set(str(r[3]).split(", "))) for r in children[1:]}
    for child, n_errors, codes in by_child.iter_rows():
        assert shown[child] == (n_errors, set(codes))
    first_errors = [int(r[1]) for r in children[1:]]
    assert first_errors == sorted(first_errors, reverse=True)  # children with errors first


def test_xlsx_comments_carry_rule_code_and_message(
    validated: tuple[ValidationResult, ReturnData], tmp_path: Path
) -> None:
    result, data = validated
    path = tmp_path / "r.xlsx"
    write_report(result, data, path)
    with zipfile.ZipFile(path) as book:
        comments = " ".join(book.read(n).decode() for n in book.namelist() if "comments" in n)
    cell = result.errors.filter(pl.col("table") == "Episodes").row(0, named=True)
    assert f"{cell['rule_code']}: {cell['message']}".replace("'", "&apos;") in comments.replace("&#39;", "&apos;")
    assert "Rules: " not in comments


def test_caps_say_so(
    validated: tuple[ValidationResult, ReturnData], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, data = validated
    monkeypatch.setattr(xlsx_report, "ERRORS_PER_RULE", 1)
    monkeypatch.setattr(xlsx_report, "TABLE_ROWS_SHOWN", 3)
    monkeypatch.setattr(xlsx_report, "COMMENTS_SHOWN", 2)
    monkeypatch.setattr(html_report, "FAILURES_PER_RULE", 2)
    write_report(result, data, tmp_path / "r.xlsx")
    write_report(result, data, tmp_path / "r.html")
    book = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx"))
    errors = _sheet(book, "Errors")
    rules_failing = failures_of(result.errors)["rule_code"].n_unique()
    assert len([r for r in errors[1:] if r[0] and r[1] in ("error", "query")]) == rules_failing
    assert any("at most 1 of each rule" in str(r[0]) for r in errors)
    episodes = _sheet(book, "Episodes")
    assert len([r for r in episodes[1:] if str(r[0]).endswith(".csv")]) == 3
    assert any(str(r[0]).startswith("The first 3 of") for r in episodes)
    assert any(str(r[0]).startswith("Comments on the first 2") for r in episodes)
    page = lxml_html.parse(str(tmp_path / "r.html")).getroot()
    busiest = failures_of(result.errors).group_by("rule_code").len().sort("len", descending=True).row(0)
    section = page.get_element_by_id(f"rule-{busiest[0]}")
    assert len(section.xpath(".//table[@class='failures']/tbody/tr")) == 2
    assert f"and {busiest[1] - 2:,} more" in section.text_content()


def test_html_report(validated: tuple[ValidationResult, ReturnData], tmp_path: Path) -> None:
    result, data = validated
    path = tmp_path / "r.html"
    write_report(result, data, path)
    text = re.sub(r' xmlns(:xlink)?="http://www.w3.org/[0-9/a-z]+"', "", path.read_text(encoding="utf-8"))
    assert "<script" not in text and "http://" not in text and "https://" not in text and "<link" not in text
    page = lxml_html.fromstring(text)
    assert len(page.xpath("//main")) == 1
    tally = result.tally()
    figures = [li.text_content() for li in page.xpath("//ul[@id='figures']/li")]
    assert figures[0] == f"{tally.errors:,}errors" and figures[1] == f"{tally.queries:,}queries"
    assert figures[3] == f"{tally.children:,}children affected"
    sections = [s.get("id").removeprefix("rule-") for s in page.xpath("//section[@class='rule']")]
    failing = set(failures_of(result.errors)["rule_code"])
    assert set(sections) == failing and sections == ordered_codes(sections)
    # every rule that did not fail is listed after, inside a collapsed <details>
    others = page.get_element_by_id("others")
    assert others.tag == "details" and others.get("open") is None
    assert {tr[0].text for tr in others.xpath(".//tbody/tr")} == {o.code for o in result.outcomes} - failing
    # guidance on each failed rule
    first = page.get_element_by_id(f"rule-{sections[0]}")
    found = guidance("ssda903", sections[0])
    assert found is not None and found.check in first.text_content()
    # errors grouped by child: each child's failures, counted independently
    per_child = failures_of(result.errors).filter(pl.col("child_id").is_not_null()).group_by("child_id").len()
    shown = {
        d.get("id").removeprefix("child-"): len(d.xpath(".//tbody/tr")) for d in page.xpath("//details[@class='child']")
    }
    assert shown == {c: min(n, html_report.FAILURES_PER_CHILD) for c, n in per_child.iter_rows()}
    # the chart: failures by rule and by table drawn by matplotlib, inline, its accessible name listing the bars
    charts = page.xpath("//figure[@id='charts']/svg")
    assert len(charts) == 1 and charts[0].get("role") == "img"
    label = charts[0].get("aria-label")
    by_rule, by_table = label.split(". Failures by table: ")
    tables = failures_of(result.errors).group_by("table").len()
    assert sorted(by_table.rstrip(".").split("; ")) == sorted(f"{t} ({n:,})" for t, n in tables.iter_rows())
    per_rule = failures_of(result.errors).group_by("rule_code").len().sort("len", descending=True)
    bars = by_rule.split(": ", 1)[1].split("; ")
    assert len(bars) == min(per_rule.height, html_report.BARS)
    assert [int(b.rsplit("(", 1)[1].rstrip(")").replace(",", "")) for b in bars] == per_rule["len"].head(15).to_list()
    # text stays text: every bar's rule code is readable in the SVG
    svg_text = " ".join(charts[0].xpath(".//text()"))
    assert all(b.rsplit(" (", 1)[0] in svg_text for b in bars)


def test_html_report_with_no_failures_and_bad_code_order_inputs(tmp_path: Path) -> None:
    from csctools.validate.engine import ERROR_COLUMNS, Outcome

    empty = ValidationResult("ssda903", YEAR, None, pl.DataFrame(schema=ERROR_COLUMNS), [Outcome("101", "passed")])
    data = ReturnData("ssda903", YEAR, {}, [])
    write_report(empty, data, tmp_path / "r.html")
    write_report(empty, data, tmp_path / "r.xlsx")
    page = lxml_html.parse(str(tmp_path / "r.html")).getroot()
    assert "No rule failed or raised a query." in page.text_content()
    assert _sheet(CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")), "Errors") == [list(xlsx_report.ERROR_HEADINGS)]


def test_changes_since_are_counted_by_rule_table_child_file_and_row() -> None:
    def frame(rows: list[tuple[str, str, str, str, int, str]]) -> pl.DataFrame:
        columns = ["rule_code", "table", "child_id", "source_file", "row_number", "field"]
        return pl.DataFrame(rows, schema=columns, orient="row")

    before = frame(
        [
            ("101", "Header", "1", "/a/header.csv", 2, "SEX"),
            ("142", "Episodes", "1", "/a/episodes.csv", 3, "DEC"),
            ("142", "Episodes", "1", "/a/episodes.csv", 3, "DECOM"),
            ("INT14", "OC2", "1", "/a/oc2.csv", 5, "DOB"),
        ]
    )
    after = frame(
        [
            ("142", "Episodes", "1", "/b/episodes.csv", 3, "DEC"),  # the same file moved: still open
            ("142", "Episodes", "1", "episodes.csv", 3, "DECOM"),
            ("103", "Header", "2", "/b/header.csv", 4, "ETHNIC"),  # new
            ("INT14", "OC2", "1", "/b/oc2_corrected.csv", 5, "DOB"),  # row 5 of another file: not the same failure
        ]
    )
    # fixed: 101 and INT14 of oc2.csv; new: 103 and INT14 of oc2_corrected.csv; still open: 142 on row 3 (one
    # failure of two cells: a failure is one rule on one record)
    assert changes(before, after) == (2, 2, 1, False)
    assert changes(before, after).describe() == "since the last run: 2 fixed, 2 new, 1 still open"
    # a report of an older version (no source files) is still compared, matching rows by number, and says so
    older = changes(before.drop("source_file"), after)
    assert older == (1, 1, 2, True)
    assert "from an older csctools without source files" in older.describe()


def test_cli_lists_failed_rules_and_what_changed_since(injected: Path, tmp_path: Path) -> None:
    now, last = injected / "2025_26" / "ssda903", injected / "2024_25" / "ssda903"
    args = ["validate", "903", str(now), "--previous", str(last), "--la", "383"]
    first = runner.invoke(app, [*args, "-o", str(tmp_path / "last.json")])
    assert first.exit_code == 1, first.output
    document = json.loads((tmp_path / "last.json").read_text())
    failing = {r["code"]: r for r in document["rules"] if r["failures"]}
    listed = re.findall(r"^  (\S+)\s+([\d,]+) (?:errors?|query|queries)  ", first.output, flags=re.M)
    assert len(listed) == min(20, len(failing))
    assert [code for code, _ in listed] == ordered_codes(list(failing))[:20]
    assert all(int(n) == failing[code]["failures"] for code, n in listed)
    if len(failing) > 20:
        assert f"... and {len(failing) - 20} more rules" in first.output
    assert "querys" not in first.output
    key = ("rule_code", "table", "child_id", "source_file", "row_number")  # one rule on one record
    keys = {tuple(e[k] for k in key) for e in document["errors"]}

    again = runner.invoke(app, [*args, "--since", str(tmp_path / "last.json")])
    assert f"since the last run: 0 fixed, 0 new, {len(keys):,} still open" in again.output

    edited = dict(document, errors=[*document["errors"][1:], dict(document["errors"][0], rule_code="ZZZ")])
    dropped = document["errors"][0]
    same_key = sum(all(e[k] == dropped[k] for k in key) for e in document["errors"])
    (tmp_path / "edited.json").write_text(json.dumps(edited))
    changed = runner.invoke(app, [*args, "--since", str(tmp_path / "edited.json")])
    new = 1 if same_key == 1 else 0  # the dropped cell comes back as new unless another row had its key
    assert f"since the last run: 1 fixed, {new} new, {len(keys) - new:,} still open" in changed.output

    # a report of an older csctools (no source files) is still read, and the line says how it was compared
    older = dict(document, errors=[{k: v for k, v in e.items() if k != "source_file"} for e in document["errors"]])
    (tmp_path / "older.json").write_text(json.dumps(older))
    compared = runner.invoke(app, [*args, "--since", str(tmp_path / "older.json")])
    old_keys = {k[:3] + k[4:] for k in keys}
    assert f"0 fixed, 0 new, {len(old_keys):,} still open (the earlier report is from an older" in compared.output

    # a report of another return or year is refused before the work: its failures would all count as changes
    for name, field, value, said in (
        ("cin.json", "dataset", "cin", "a report of the CIN census, not the SSDA903"),
        ("year.json", "year", "2024/25", "a report of 2024/25, not 2025/26"),
    ):
        (tmp_path / name).write_text(json.dumps(dict(document, **{field: value})))
        other = runner.invoke(app, [*args, "--since", str(tmp_path / name)])
        assert other.exit_code == 2 and said in other.output and "since the last run" not in other.output


def test_since_lists_the_new_and_fixed_failures_on_the_terminal_and_in_every_report(
    injected: Path, tmp_path: Path
) -> None:
    now, last = injected / "2025_26" / "ssda903", injected / "2024_25" / "ssda903"
    args = ["validate", "903", str(now), "--previous", str(last), "--la", "383"]
    assert runner.invoke(app, [*args, "-o", str(tmp_path / "last.json")]).exit_code == 1
    document = json.loads((tmp_path / "last.json").read_text())
    # the earlier run had a failure of a rule that no longer fails (fixed), and lacked one that fails now (new)
    first = document["errors"][0]
    key = ("rule_code", "table", "child_id", "source_file", "row_number")
    kept = [e for e in document["errors"] if any(e[k] != first[k] for k in key)]  # every cell of its failure
    gone = dict(first, rule_code="ZZZ", message="an old rule")
    (tmp_path / "edited.json").write_text(json.dumps(dict(document, errors=[*kept, gone])))
    reports = [tmp_path / "r.json", tmp_path / "r.xlsx", tmp_path / "r.html"]
    result = runner.invoke(
        app, [*args, "--since", str(tmp_path / "edited.json"), *(x for r in reports for x in ("-o", str(r)))]
    )
    table, row, child = first["table"], first["row_number"], first["child_id"]
    new_line = f"  new   {first['rule_code']} ({first['severity']}) {table} row {row} ("
    assert new_line in result.output, result.output
    assert f"  fixed ZZZ ({first['severity']}) {table} row {row} (" in result.output, result.output
    assert f"child {child}: an old rule" in result.output
    since = json.loads(reports[0].read_text())["since"]
    assert (since["fixed"], since["new"]) == (1, 1)
    assert [(f["change"], f["rule_code"], f["row_number"]) for f in since["failures"]] == [
        ("new", first["rule_code"], row),
        ("fixed", "ZZZ", row),
    ]
    sheet = _sheet(CalamineWorkbook.from_path(str(reports[1])), "Since last run")
    assert sheet[0][0] == "since the last run: 1 fixed, 1 new, " + since_open(since) + " still open"
    assert [r[:2] for r in sheet[3:]] == [["new", first["rule_code"]], ["fixed", "ZZZ"]]
    page = reports[2].read_text()
    assert 'id="since"' in page and "<td>ZZZ</td>" in page


def since_open(since: dict[str, object]) -> str:
    return f"{since['still_open']:,}"


@pytest.mark.parametrize(
    ("content", "said"),
    [("not json", "not a JSON report"), ('{"errors": 3}', "no list of errors"), ('{"errors": [{"x": 1}]}', "have no")],
)
def test_since_a_bad_report_is_one_line_and_exit_2(injected: Path, tmp_path: Path, content: str, said: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = runner.invoke(app, ["validate", "903", str(injected / "2025_26" / "ssda903"), "--since", str(bad)])
    assert result.exit_code == 2 and said in result.output and "Traceback" not in result.output
    assert str(bad) in result.output


def test_failure_key_is_the_engines() -> None:
    assert set(FAILURE_KEY) == {"rule_code", "table", "source_file", "row_number", "child_id"}


def test_html_report_by_keyboard_in_chromium(validated: tuple[ValidationResult, ReturnData], tmp_path: Path) -> None:
    """Skip link to the failed rules, a visible focus ring, details opened with Enter, tables scrolled by keyboard."""
    import os
    import shutil

    chromium = os.environ.get("CSCTOOLS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: run scripts/install_browser.sh")
        pytest.skip("Chromium is not installed (scripts/install_browser.sh installs it)")
    from playwright.sync_api import sync_playwright

    result, data = validated
    path = tmp_path / "r.html"
    write_report(result, data, path)
    first_rule = ordered_codes(list(set(failures_of(result.errors)["rule_code"])))[0]
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 320, "height": 700})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri())
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to the failed rules"
        ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
        assert ring == "rgb(11, 12, 12)"  # near-black on white: well above WCAG's 3:1
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "by-rule"
        page.keyboard.press("Tab")
        summary = page.evaluate("document.activeElement.closest('section').id")
        assert summary == f"rule-{first_rule}"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.parentElement.open") is True
        page.keyboard.press("Tab")  # the table of failures: a focusable region that scrolls with the arrow keys
        role, wide = page.evaluate(
            "[document.activeElement.getAttribute('role'),"
            " document.activeElement.scrollWidth > document.activeElement.clientWidth]"
        )
        assert role == "region" and wide  # at 320 px the table is wider than the screen
        page.keyboard.press("ArrowRight")
        page.wait_for_function("document.activeElement.scrollLeft > 0", timeout=5_000)  # scrolling is animated
        if os.environ.get("CSCTOOLS_SCREENSHOT"):  # to look at the report by eye
            page.screenshot(path=os.environ["CSCTOOLS_SCREENSHOT"], full_page=False)
        browser.close()
    assert requests == [path.as_uri()]  # nothing fetched but the page itself


def test_fields_for_a_few_failures_are_those_of_the_whole_work_list(
    validated: tuple[ValidationResult, ReturnData],
) -> None:
    """The HTML report adds fields and suggestions only to the failures it shows: they must be the very rows the
    full work list (XLSX Errors sheet) has for them."""
    from csctools.validate.worklist import children, failure_index, failures, tally_of, with_fields

    result, _ = validated
    whole = failures(result)
    index = failure_index(result)
    assert index.height == whole.height == failures_of(result.errors).height
    assert index.columns == [c for c in whole.columns if c not in ("fields", "suggested")]
    few = index.with_row_index("_at").filter(pl.col("_at") % 7 == 3)
    assert (
        with_fields(result, few)
        .drop("_at")
        .equals(whole.with_row_index("_at").filter(pl.col("_at") % 7 == 3).drop("_at"))
    )
    # the children: counts for all, rules for the first `top` only, the same as listing every child's rules
    every = children(whole)
    first = children(whole, 5)
    assert first.head(5).equals(every.head(5)) and first.drop("rules").equals(every.drop("rules"))
    assert first["rules"][5:].null_count() == every.height - 5
    assert tally_of(index, every) == tally_of(whole) == result.tally()


def test_xlsx_table_sheets_have_a_filter(validated: tuple[ValidationResult, ReturnData], tmp_path: Path) -> None:
    result, data = validated
    path = tmp_path / "r.xlsx"
    write_report(result, data, path)
    names = CalamineWorkbook.from_path(str(path)).sheet_names
    tables = [n for n in names if n in result.errors["table"].unique().to_list()]
    assert tables
    for name in tables:
        xml = _sheet_xml(path, names.index(name) + 1)
        assert '<autoFilter ref="A1:' in xml and "<cols>" in xml and 'ySplit="1"' in xml, name


def test_xlsx_errors_sheet_file_column_fits_the_names(
    validated: tuple[ValidationResult, ReturnData], tmp_path: Path
) -> None:
    result, data = validated
    path = tmp_path / "r.xlsx"
    write_report(result, data, path)
    names = CalamineWorkbook.from_path(str(path)).sheet_names
    rows = _sheet(CalamineWorkbook.from_path(str(path)), "Errors")
    assert rows[0][6] == "source row"  # an SSDA903 row; a census's is its XML line
    longest = max(len(str(row[5])) for row in rows[1:] if row[5])
    widths = re.findall(r'<col min="6" max="6" width="([\d.]+)"', _sheet_xml(path, names.index("Errors") + 1))
    assert widths and float(widths[0]) >= min(longest + 2, 45), (longest, widths)
