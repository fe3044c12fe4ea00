"""`csc indicators` end to end on the session's small synthetic returns: outputs, exit codes, packs, messages."""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.indicators.benchmark import CSV_COLUMNS
from csctools.indicators.records import load_indicators, parse_indicator
from csctools.packs.files import PackError, Record

BUILTIN_COUNT = len(load_indicators().indicators)

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["indicators", *map(str, args)])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def reports(year_folder: Path, synthetic: tuple[Path, object], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("indicators")
    root = synthetic[0] / "383"
    code, output = run(
        year_folder / "ssda903",
        year_folder / "cin_census_2025_26.xml",
        root / "annex_a_2025_26.xlsx",
        "--la",
        "383",
        "--previous",
        root / "2024_25" / "ssda903",
        "-o",
        out / "i.csv",
        "-o",
        out / "i.xlsx",
        "-o",
        out / "r.html",
        "-o",
        out / "s.docx",
    )
    assert code == 0, output
    assert "80 of 80 indicators computed" in output
    return out


def test_csv_has_the_issue_columns_and_a_row_per_indicator_and_period(reports: Path) -> None:
    with (reports / "i.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert (
        list(rows[0])
        == list(CSV_COLUMNS)
        == [
            "indicator",
            "title",
            "la",
            "period_start",
            "period_end",
            "numerator",
            "denominator",
            "value",
            "unit",
            "polarity",
            "england",
            "region",
            "sn_average",
            "rank",
            "quartile",
            "ci_low",
            "ci_high",
            "significance",
        ]
    )
    this_year = [r for r in rows if r["period_end"] == "2026-03-31"]
    assert len({r["indicator"] for r in this_year}) == len(this_year) == BUILTIN_COUNT
    lacnum = {r["period_end"]: r for r in rows if r["indicator"] == "LACnum"}
    assert lacnum["2025-03-31"]["value"]  # last year's own figure (from --previous)
    assert lacnum["2016-03-31"]["england"] == "70410.0"  # LAIT's published England value for 2015/16
    rate = next(r for r in this_year if r["indicator"] == "LAC")
    assert float(rate["ci_low"]) < float(rate["value"]) < float(rate["ci_high"])
    assert rate["significance"].endswith("England")


def test_xlsx_has_native_charts_and_the_drill_down(reports: Path) -> None:
    with zipfile.ZipFile(reports / "i.xlsx") as book:
        names = book.namelist()
        workbook = book.read("xl/workbook.xml").decode()
    assert sum(1 for n in names if n.startswith("xl/charts/chart")) > 40
    for sheet in (
        "Summary",
        "Data",
        "Children looked after",
        "Child protection",
        "Children (internal)",
        "Definitions",
        "Annex A by team and worker",
    ):
        assert f'name="{sheet}"' in workbook


def test_html_is_self_contained_and_names_no_child(reports: Path, year_folder: Path) -> None:
    page = (reports / "r.html").read_text(encoding="utf-8")
    assert "<svg" in page and "Leeds" in page and "Funnel plots" in page
    assert "Annex A by allocated team and social worker" in page and "By social worker (" in page
    charts = re.findall(r'<svg class="chart" role="img" aria-label="([^"]+)"', page)
    assert len(charts) > 40 and any(label.startswith("LACnum: Leeds") for label in charts)
    assert sum("funnel plot" in label for label in charts) >= 3
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script" not in page and "@import" not in page and not re.search(r"url\((?!#)", page)
    with (year_folder / "ssda903" / "ssda903_2025_26_header.csv").open(encoding="utf-8") as handle:
        children = [row["CHILD"] for row in csv.DictReader(handle)]
    assert not [c for c in children if re.search(rf"\b{re.escape(c)}\b", page)]


def test_self_assessment_has_figures_and_prompts_per_topic(reports: Path, year_folder: Path) -> None:
    import docx

    document = docx.Document(str(reports / "s.docx"))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings[:3] == ["Children looked after", "Placements", "Permanence"]
    assert "Annex A (inspection)" in headings
    prompts = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert prompts.count("What we are doing") == len(headings)
    pictures = [s for s in document.inline_shapes]
    captions = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert len(pictures) == len(captions) > len(headings)  # trend pictures per topic, and the funnel plots
    assert any(c.startswith("Funnel plot:") for c in captions)
    figures = document.tables[0]
    assert [c.text for c in figures.rows[0].cells][:3] == ["Indicator", "Ours", "England"]
    assert figures.rows[1].cells[0].text == "Children looked after at 31 March"
    text = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    with (year_folder / "ssda903" / "ssda903_2025_26_header.csv").open(encoding="utf-8") as handle:
        children = [row["CHILD"] for row in csv.DictReader(handle)]
    assert not [c for c in children if re.search(rf"\b{re.escape(c)}\b", text)]


def test_an_indicator_whose_return_is_absent_is_listed(year_folder: Path, tmp_path: Path) -> None:
    code, output = run(year_folder / "ssda903", "--la", "Leeds", "-o", tmp_path / "new" / "i.csv")
    assert code == 0, output
    assert "not computed: needs the CIN census return:" in output
    with (tmp_path / "new" / "i.csv").open(encoding="utf-8") as handle:  # the folder is made
        values = {r["indicator"]: r["value"] for r in csv.DictReader(handle) if r["period_end"] == "2026-03-31"}
    assert values["CPP_Num"] == "not computed: needs the CIN census return"
    assert values["AA_CLA"] == "not computed: needs the Annex A lists return"


def test_an_authoritys_own_pack(year_folder: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    (pack / "indicators").mkdir(parents=True)
    (pack / "pack.yaml").write_text("name: our-indicators\nversion: '2'\n")
    (pack / "indicators" / "ours.yaml").write_text(
        "id: OUR_UNDER_5\ntitle: Children looked after at 31 March aged under 5\ntopic: Our own\n"
        "returns: [ssda903]\nneeds: [ssda903.Episodes, ssda903.Header]\nunit: count\npolarity: neutral\n"
        "numerator: SELECT CHILD AS child FROM cla_at_end WHERE age < 5\n"
        "methodology: Our count, for the corporate parenting board.\n"
    )
    code, output = run(year_folder / "ssda903", "--la", "383", "--pack", pack, "-o", tmp_path / "i.csv")
    assert code == 0, output
    assert f"of {BUILTIN_COUNT + 1} indicators computed" in output
    with (tmp_path / "i.csv").open(encoding="utf-8") as handle:
        ours = [r for r in csv.DictReader(handle) if r["indicator"] == "OUR_UNDER_5"]
    assert len(ours) == 1 and ours[0]["unit"] == "count" and ours[0]["value"] != ""


def test_a_broken_pack_is_one_line_naming_file_and_line(year_folder: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    (pack / "indicators").mkdir(parents=True)
    (pack / "pack.yaml").write_text("name: ours\nversion: '1'\n")
    (pack / "indicators" / "bad.yaml").write_text(
        "- id: X\n  title: t\n  topic: t\n  returns: [ssda903]\n  unit: percent\n  polarity: high\n"
        "  numerator: SELECT 1 AS child\n  methodology: m\n"
    )
    code, output = run(year_folder / "ssda903", "--la", "383", "--pack", pack)
    assert code == 2
    assert output.strip() == 'csc: indicators/bad.yaml line 1: a percent needs a "denominator"'


def test_sql_that_is_not_a_select_is_refused(year_folder: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    (pack / "indicators").mkdir(parents=True)
    (pack / "pack.yaml").write_text("name: ours\nversion: '1'\n")
    (pack / "indicators" / "sneaky.yaml").write_text(
        "id: X\ntitle: t\ntopic: t\nreturns: [ssda903]\nunit: count\npolarity: high\n"
        "numerator: \"COPY (SELECT 1) TO '/tmp/x.csv'\"\nmethodology: m\n"
    )
    code, output = run(year_folder / "ssda903", "--la", "383", "--pack", pack, "-o", tmp_path / "i.csv")
    assert code == 0
    assert "could not run: only SELECT is allowed, not COPY: X" in output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit": "ratio"}, 'unit "ratio" is not one of'),
        ({"polarity": "up"}, 'polarity "up" is not one of'),
        ({"returns": ["ofsted"]}, "returns must list some of"),
        ({"needs": ["Episodes"]}, 'needs "Episodes" is not a table'),
        ({"unit": "rate", "denominator": "SELECT 1 AS child"}, 'takes "denominator: population"'),
        ({"denominator": "SELECT 1 AS child"}, "a count has no denominator"),
        ({"colour": "red"}, 'unknown key "colour"'),
        ({"title": None}, 'indicator needs "title"'),
    ],
)
def test_record_checks(change: dict[str, object], message: str) -> None:
    data: dict[str, object] = {
        "id": "X",
        "title": "t",
        "topic": "t",
        "returns": ["ssda903"],
        "unit": "count",
        "polarity": "high",
        "numerator": "SELECT 1 AS child",
        "methodology": "m",
        "__line__": 4,
    }
    data.update(change)
    with pytest.raises(PackError, match=re.escape(message)) as error:
        parse_indicator(Record("indicators", "indicators/x.yaml", 4, data))
    assert str(error.value).startswith("indicators/x.yaml line 4: ")


def test_bad_arguments_exit_2(year_folder: Path, tmp_path: Path) -> None:
    assert run(year_folder / "ssda903", "--la", "Atlantis")[0] == 2
    code, output = run(year_folder / "ssda903", "--la", "383", "-o", tmp_path / "x.pdf")
    assert code == 2 and "unknown report format" in output
    code, output = run(year_folder / "ssda903", "--la", "383", "--period-end", "31/03/2026")
    assert code == 2 and "not a date" in output
    code, output = run(year_folder, "--la", "383")  # the CSV tables and the XML: two SSDA903 returns
    assert code == 2 and "give one ssda903 return" in output


def test_docs_are_generated_from_the_records() -> None:
    from csctools.indicators.docs import render

    page = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"
    assert page.read_text(encoding="utf-8") == render(), "run: python scripts/build_indicator_docs.py"


def test_any_period_end(year_folder: Path, tmp_path: Path) -> None:
    code, output = run(year_folder / "ssda903", "--la", "383", "--period-end", "2025-12-31", "-o", tmp_path / "i.csv")
    assert code == 0, output
    assert "2025-01-01 to 2025-12-31" in output
    with (tmp_path / "i.csv").open(encoding="utf-8") as handle:
        own = [r for r in csv.DictReader(handle) if r["period_end"] == "2025-12-31"]
    assert {r["period_start"] for r in own} == {"2025-01-01"} and len(own) == BUILTIN_COUNT


def test_xlsx_data_sheet_holds_the_csv(reports: Path) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(reports / "i.xlsx"))
    data = book.get_sheet_by_name("Data").to_python()
    with (reports / "i.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert data[0] == rows[0]
    assert len(data) == len(rows)
    drill = book.get_sheet_by_name("Children (internal)").to_python()
    assert "numerator" in drill[2][0]
    ids = {cell for row in drill[3:] for cell in row if cell != ""}
    assert len(ids) > 100


def test_a_broken_view_is_named(year_folder: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    (pack / "indicators").mkdir(parents=True)
    (pack / "views").mkdir()
    (pack / "pack.yaml").write_text("name: ours\nversion: '1'\n")
    (pack / "views" / "older.sql").write_text("SELECT CHILD FROM cla_at_end WHERE agee > 10\n")
    (pack / "indicators" / "older.yaml").write_text(
        "id: OLDER\ntitle: t\ntopic: t\nreturns: [ssda903]\nunit: count\npolarity: neutral\n"
        "numerator: SELECT CHILD AS child FROM older\nmethodology: m\n"
    )
    code, output = run(year_folder / "ssda903", "--la", "383", "--pack", pack, "-o", tmp_path / "i.csv")
    assert code == 0
    assert "could not run: the view older could not be made: Binder Error" in output
    assert '"agee"' in output


def test_reading_in_threads_gives_what_one_read_gives(year_folder: Path, synthetic: tuple[Path, object]) -> None:
    from csctools.cli.indicators import read_in_parallel
    from csctools.read import read_files

    paths = [
        *sorted((year_folder / "ssda903").glob("*.csv")),
        year_folder / "cin_census_2025_26.xml",
        synthetic[0] / "383" / "annex_a_2025_26.xlsx",
        year_folder / "missing.xml",
    ]
    one, one_others = read_files(paths)
    for worker_bytes in (2**40, 0):  # all in threads; then the CIN XML in a worker process
        threads, thread_others = read_in_parallel(paths, None, worker_bytes)
        assert [r.dataset for r in threads] == [r.dataset for r in one] == ["ssda903", "cin", "annex_a"]
        for a, b in zip(one, threads, strict=True):
            assert a.tables.keys() == b.tables.keys() and all(a.tables[k].equals(b.tables[k]) for k in a.tables)
            assert [f.problems for f in a.files] == [f.problems for f in b.files]
        assert [o.problems for o in thread_others] == [o.problems for o in one_others] and len(one_others) == 1


def test_a_period_starting_before_the_return_says_what_it_misses(year_folder: Path) -> None:
    code, output = run(year_folder / "ssda903", "--la", "383", "--period-end", "2025-12-31")
    assert code == 0, output
    assert "2025-01-01 to 2025-12-31" in output
    assert "note: the period starts on 2025-01-01, before this year's return (2025-04-01 on)" in output
    code, output = run(year_folder / "ssda903", "--la", "383")  # the collection year itself: no note
    assert code == 0 and "note: the period starts" not in output


def test_values_that_could_not_be_read_are_said_on_the_terminal_page_and_document(
    year_folder: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "ssda903"
    shutil.copytree(year_folder / "ssda903", folder)
    header = next(folder.glob("*_header.csv"))
    lines = header.read_text().splitlines()
    cells = lines[1].split(",")
    cells[lines[0].split(",").index("DOB")] = "31/02/2012"  # not a date
    header.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    code, output = run(folder, "--la", "383", "-o", tmp_path / "r.html", "-o", tmp_path / "s.docx")
    said = "1 value of the returns could not be read (Header.DOB 1): each counts as blank"
    assert code == 0 and f"note: {said}" in output, output
    assert said in (tmp_path / "r.html").read_text()
    assert any(said in p.text for p in docx.Document(str(tmp_path / "s.docx")).paragraphs)
    clean_code, clean = run(year_folder / "ssda903", "--la", "383")
    assert clean_code == 0 and "could not be read" not in clean


def test_a_year_given_that_the_dates_contradict_is_warned_and_said_in_the_reports(
    year_folder: Path, tmp_path: Path
) -> None:
    code, output = run(year_folder / "ssda903", "--la", "383", "--year", "2024/25", "-o", tmp_path / "r.html")
    said = "--year says 2024/25 but the dates in the files are of 2025/26"
    assert code == 0 and f"warning: {said}" in output, output
    assert f"{said}: the figures are for 2024/25 as asked" in (tmp_path / "r.html").read_text()
    code, output = run(year_folder / "ssda903", "--la", "383", "--year", "2025/26")
    assert code == 0 and "--year says" not in output
    code, output = run(year_folder / "ssda903", "--la", "383", "--year", "2019/20")  # no data model of that year
    assert code == 2 and "--year 2019/20: the returns' data model covers 2022/23 to 2026/27" in output
