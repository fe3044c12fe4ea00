"""A corpus of damaged and hostile inputs (issue 11): each gives its message and exit code, never a traceback, and
rows in = rows read + rows rejected, counted against what a spreadsheet shows."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner, Result

from csctools.cli.main import app

runner = CliRunner()
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"


def row(number: int, dob: str = "01/02/2015") -> str:
    return f"{number},1,{dob},WBRI,A12345678901{number % 10},,"


def csv_file(tmp_path: Path, body: list[str], name: str = "header.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *body]) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def inspected(path: Path) -> tuple[int, dict[str, object]]:
    result = run("inspect", str(path), "--json", "--year", "2025/26")
    return result.exit_code, json.loads(result.stdout)[0]


def accounting(report: dict[str, object], table: str) -> tuple[int, int, list[tuple[int, str]]]:
    found = next(t for t in report["tables"] if t["table"] == table)  # type: ignore[attr-defined]
    assert found["rows_in"] == found["rows_read"] + len(found["rows_rejected"])
    return found["rows_in"], found["rows_read"], [(r["row"], r["reason"]) for r in found["rows_rejected"]]


def messages(report: dict[str, object]) -> list[str]:
    return [f"{p['kind']} {p['row']}: {p['message']}" for p in report["problems"]]  # type: ignore[attr-defined]


# --- CSV ---------------------------------------------------------------------------------------------------------


def test_a_stray_quote_costs_only_its_row(tmp_path: Path) -> None:
    body = [row(n) for n in range(1, 551)]
    body[9] = '10,1,"01/02/2015,WBRI,A123456789010,,'  # spreadsheet row 11
    body.append("x" * 140_000)  # more than 128 KiB after it: once a field-limit traceback
    code, report = inspected(csv_file(tmp_path, body))
    rows_in, read, rejected = accounting(report, "Header")
    assert code == 0
    assert (rows_in, read) == (551, 549)  # 551 rows below the header, as a spreadsheet shows them
    assert rejected == [
        (11, 'a quote (") opened on this row is not closed on it'),
        (552, "a cell is longer than 131,072 characters"),
    ]


def test_a_cell_over_the_csv_limit_costs_only_its_row(tmp_path: Path) -> None:
    body = [row(1), '2,1,"' + "y" * 200_000 + '",WBRI,A123456789012,,', row(3)]
    _, report = inspected(csv_file(tmp_path, body))
    assert accounting(report, "Header") == (3, 2, [(3, "a cell is longer than 131,072 characters")])


def test_a_quoted_cell_with_a_line_break_is_one_row(tmp_path: Path) -> None:
    body = [row(1), '2,1,01/02/2015,WBRI,"A12345\n6789012",,', row(3)]
    _, report = inspected(csv_file(tmp_path, body))
    assert accounting(report, "Header") == (3, 3, [])


@pytest.mark.parametrize("mark", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_characters_excel_keeps_in_a_cell_do_not_split_rows(tmp_path: Path, mark: str) -> None:
    body = [row(1), f"2,1,01/02/2015,WB{mark}RI,A123456789012,,", row(3), "4,1,01/02/2015,WBRI,A123456789014,,,x"]
    _, report = inspected(csv_file(tmp_path, body))
    assert accounting(report, "Header") == (4, 3, [(5, "has 8 fields where the header has 7")])


def test_lone_carriage_returns_end_rows(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_bytes("\r".join([HEADER, row(1), row(2), ",,,,,,", row(4)]).encode())
    _, report = inspected(path)
    assert accounting(report, "Header") == (4, 3, [(4, "blank row")])


def test_two_digit_years_and_bare_numbers_are_kept_as_text(tmp_path: Path) -> None:
    body = [row(1), row(2, "01/01/19"), row(3, "25/04/06"), row(4, "2010"), row(5, "42036")]
    _, report = inspected(csv_file(tmp_path, body))
    assert report["tables"][0]["values_not_parsed"] == {"DOB": 4}  # type: ignore[index]


def test_truncated_utf16_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_bytes(("\n".join([HEADER, row(1), row(2)])).encode("utf-16")[:-1])
    result = run("inspect", str(path))
    assert result.exit_code == 2
    assert "UTF-16" in result.output and "truncated" in result.output


def test_a_header_of_a_million_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("CHILD,SEX,DOB," + ",".join(f"c{i}" for i in range(10**6)) + "\n1,1,01/01/2015\n")
    result = run("inspect", str(path))
    assert result.exit_code == 2
    assert "1,000,003 columns" in result.output


def test_markup_in_a_header_is_shown_as_written(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(HEADER + ",[/notes],[bold]x\n" + row(1) + ",a,b\n")
    result = run("inspect", str(path), "--year", "2025/26")
    assert result.exit_code == 0
    assert "[/notes]" in result.output and "[bold]x" in result.output


def test_a_return_of_headers_only_is_never_a_pass(tmp_path: Path) -> None:
    result = run("validate", "903", str(csv_file(tmp_path, [])), "--year", "2025/26")
    assert result.exit_code == 2
    assert "no rows: with no children there is nothing to validate" in result.output


def test_validate_says_which_rows_were_rejected(tmp_path: Path) -> None:
    body = [row(1), '2,1,"01/02/2015,WBRI,A123456789012,,', row(3), ",,,,,,"]
    reports = [tmp_path / f"report.{kind}" for kind in ("csv", "json", "xlsx", "html")]
    args = ["validate", "903", str(csv_file(tmp_path, body)), "--year", "2025/26"]
    result = run(*args, *(arg for path in reports for arg in ("-o", str(path))))
    assert result.exit_code in (0, 1)
    assert "2 rows rejected when reading" in result.output
    assert "header.csv, Header row 3: a quote" in result.output and "Header row 5: blank row" in result.output
    rejected_csv = [line for line in reports[0].read_text().splitlines() if line.startswith("READ,rejected,Header,")]
    assert [line.split(",")[3] for line in rejected_csv] == ["3", "5"]
    document = json.loads(reports[1].read_text())
    assert [(r["table"], r["row"]) for r in document["rejected_rows"]] == [("Header", 3), ("Header", 5)]
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(reports[2]))
    sheet = book.get_sheet_by_name("Rejected rows").to_python()
    assert [r[1:3] for r in sheet[3:]] == [["Header", 3], ["Header", 5]]
    html = reports[3].read_text()
    assert "Rows rejected when reading" in html and "<td>blank row</td>" in html


# --- 903 XML -----------------------------------------------------------------------------------------------------


def xml_file(tmp_path: Path, text: str, name: str = "return.xml") -> Path:
    path = tmp_path / name
    path.write_text('<?xml version="1.0"?>\n' + text, encoding="utf-8")
    return path


def test_namespaced_and_lower_case_903_xml_reads_as_the_plain_file(year_folder: Path, tmp_path: Path) -> None:
    plain = (year_folder / "ssda903_2025_26.xml").read_text()
    spaced = plain.replace("<EXPSSDA903>", '<EXPSSDA903 xmlns="http://www.example.org/ssda903">', 1)
    lower = plain.replace("<CHILD>", "<child>").replace("</CHILD>", "</child>").replace("EPISODE>", "episode>")
    counts = []
    for name, text in (("plain", plain), ("spaced", spaced), ("lower", lower)):
        path = tmp_path / f"{name}.xml"
        path.write_text(text)
        code, report = inspected(path)
        assert code == 0, messages(report)
        counts.append({t["table"]: t["rows_read"] for t in report["tables"]})  # type: ignore[attr-defined]
    assert counts[0]["Header"] > 100 and counts[0]["Episodes"] > 100
    assert counts[0] == counts[1] == counts[2]


def test_903_xml_with_no_children_is_never_a_pass(tmp_path: Path) -> None:
    path = xml_file(tmp_path, '<EXPSSDA903 xmlns="urn:x"><HEADER/></EXPSSDA903>')
    result = run("validate", "903", str(path), "--year", "2025/26")
    assert result.exit_code == 2
    assert "no <CHILD> elements" in result.output


MISPLACED_903 = """<EXPSSDA903>
<CHILD><HEADER><CHILDID>1</CHILDID><SEX>1</SEX><SEX>2</SEX><DOB>01/01/2015</DOB></HEADER>
<EPISODE><DECOM>01/05/2025</DECOM><PL>U4</PL><PL>U5</PL></EPISODE>
<CHILD><HEADER><CHILDID>3</CHILDID></HEADER></CHILD>
</CHILD>
<EPISODE><DECOM>01/06/2025</DECOM></EPISODE>
<CHILD><HEADER><CHILDID>2</CHILDID></HEADER></CHILD>
<HEADER><AREVIEW><REVIEW>01/07/2025</REVIEW></AREVIEW></HEADER>
</EXPSSDA903>
"""


def test_903_elements_in_unexpected_places_are_reported_with_their_line(tmp_path: Path) -> None:
    code, report = inspected(xml_file(tmp_path, MISPLACED_903))
    assert code == 0
    assert accounting(report, "Header") == (4, 3, [(9, "<HEADER> is outside any <CHILD> and was not read")])
    assert accounting(report, "Episodes") == (2, 1, [(7, "<EPISODE> is outside any <CHILD> and was not read")])
    assert accounting(report, "Reviews") == (1, 0, [(9, "<AREVIEW> is outside any <CHILD> and was not read")])
    assert set(messages(report)) >= {
        "misplaced-element 5: a <CHILD> is inside another <CHILD>; it was read as a child of its own",
        "repeated-element 3: <SEX> appears more than once in one child; the first was read",
        "repeated-element 4: <PL> appears more than once in one <EPISODE>; the first was read",
    }


def test_a_child_spelt_unlike_the_first_ones_is_reported_not_dropped(tmp_path: Path) -> None:
    first = "<CHILD><HEADER><CHILDID>1</CHILDID></HEADER></CHILD>\n"
    late = "<Child><HEADER><CHILDID>2</CHILDID></HEADER><EPISODE><DECOM>01/05/2025</DECOM></EPISODE></Child>\n"
    padding = "<!--" + " " * 70_000 + "-->\n"  # past the start the spelling is taken from
    code, report = inspected(xml_file(tmp_path, f"<EXPSSDA903>\n{first}{padding}{late}{first}</EXPSSDA903>\n"))
    assert code == 0
    unread = "is in a <CHILD> spelt unlike the others and was not read"
    assert accounting(report, "Header") == (3, 2, [(5, f"<HEADER> {unread}")])
    assert accounting(report, "Episodes") == (1, 0, [(5, f"<EPISODE> {unread}")])
    assert any("spelt unlike the first ones" in m for m in messages(report))


# --- CIN XML -----------------------------------------------------------------------------------------------------

CIN_HEADER = (
    "<Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year>"
    "<ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails></Header>"
)
MISPLACED_CIN = f"""<Message xmlns="http://www.dcsf.gov.uk/schemas/cbds">
{CIN_HEADER}
<Children>
<Child><ChildIdentifiers><LAchildID>A1</LAchildID><LAchildID>A2</LAchildID></ChildIdentifiers>
<CINdetails><CINreferralDate>2025-05-01</CINreferralDate><ReferralNFA>false</ReferralNFA></CINdetails>
<Child><ChildIdentifiers><LAchildID>B1</LAchildID></ChildIdentifiers></Child>
</Child>
<CINdetails><CINreferralDate>2025-06-01</CINreferralDate></CINdetails>
</Children>
<CINdetails><CINreferralDate>2025-07-01</CINreferralDate></CINdetails>
</Message>
"""


@pytest.mark.parametrize("streamed", [False, True])
def test_cin_elements_in_unexpected_places_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    from csctools.datasets.cin import read as cin_read

    if streamed:
        monkeypatch.setattr(cin_read, "WHOLE_FILE_BYTES", 0)
    code, report = inspected(xml_file(tmp_path, MISPLACED_CIN, "cin.xml"))
    assert code == 0
    assert accounting(report, "ChildIdentifiers") == (2, 2, [])  # each child once, the nested one on its own
    outside = "<CINdetails> is outside any <Child> and was not read"
    assert accounting(report, "CINdetails") == (3, 1, [(9, outside), (11, outside)])
    assert set(messages(report)) >= {
        "misplaced-element 7: a <Child> is inside another <Child>; it was read as a child of its own",
        "repeated-element 5: <LAchildID> appears more than once in one <ChildIdentifiers>; the first was read",
    }


def test_cin_with_no_children_is_never_a_pass(tmp_path: Path) -> None:
    path = xml_file(tmp_path, f"<Message>{CIN_HEADER}<Children/></Message>", "cin.xml")
    result = run("validate", "cin", str(path))
    assert result.exit_code == 2
    assert "no <Child> elements" in result.output


# --- workbooks ---------------------------------------------------------------------------------------------------


def small_workbook(path: Path, extra: str = "Gender") -> Path:
    book = xlsxwriter.Workbook(str(path))
    cells = book.add_worksheet("List 1")
    cells.write_row(0, 0, ["Child Unique ID", extra, "Date of Birth", "Date of Contact"])
    cells.write_row(1, 0, ["A1", "M", "x", 45000])
    book.close()
    return path


def edited(source: Path, target: Path, change: bytes, into: bytes) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for part in old.infolist():
            data = old.read(part.filename)
            new.writestr(part.filename, data.replace(change, into) if part.filename.endswith("sheet1.xml") else data)
    return target


FAR_CELL = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'


@pytest.mark.parametrize(
    ("change", "into", "message"),
    [
        (b"</sheetData>", FAR_CELL, "1,048,576 rows by 16,384 columns, more than 20,000,000 cells"),
        (b'r="B2"', b'r="B99999999999"', "is beyond Excel's last cell (XFD1048576)"),
        (b'r="B2"', b'r="b2000000"', "is beyond Excel's last cell (XFD1048576)"),  # calamine reads lower case
        (b"</sheetData>", b"</sheetData><!--" + b" " * (40 * 2**20) + b"-->", "would inflate to 40 MiB"),
    ],
    ids=["cell at XFD1048576", "edited cell reference", "lower-case reference", "zip bomb"],
)
def test_hostile_workbooks_are_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: bytes, into: bytes, message: str
) -> None:
    from csctools.io import workbook_guard

    monkeypatch.setattr(workbook_guard, "MAX_PART_BYTES", 32 * 2**20)  # a smaller bomb, quicker to build
    path = edited(small_workbook(tmp_path / "good.xlsx"), tmp_path / "annex_a.xlsx", change, into)
    assert path.stat().st_size < 100_000
    result = run("inspect", str(path))
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert result.output.count("error:") == 1


def test_workbook_number_cells_in_date_columns_are_serials_and_text_is_not(tmp_path: Path) -> None:
    from csctools.datasets.annex_a.read import read_annex_a

    data = read_annex_a(small_workbook(tmp_path / "annex_a.xlsx"))
    list1 = data.tables["List1"]
    assert str(list1["Date of Contact"][0]) == "2023-03-15"  # serial 45000, a number cell
    assert list1["Date of Birth_raw"].to_list() == ["x"]


def test_a_header_cell_with_markup_is_shown_as_written(tmp_path: Path) -> None:
    path = small_workbook(tmp_path / "annex_a.xlsx", extra="[/notes]")
    result = run("inspect", str(path))
    assert "column '[/notes]' is not part of" in " ".join(result.output.split())
    assert result.exit_code == 0


def test_a_row_that_could_not_be_read_is_not_a_clean_return(tmp_path: Path, year_folder: Path) -> None:
    """A row no rule checked is counted in the headline and fails the command; a blank row does not."""
    outcomes = {}
    for case, extra in (("blank", ",,,,,,,,,,,,"), ("short", "1,2,3")):
        folder = tmp_path / case
        shutil.copytree(year_folder / "ssda903", folder)
        episodes = next(folder.glob("*_episodes.csv"))
        episodes.write_text(episodes.read_text() + extra + "\n")
        reports = [tmp_path / f"{case}.xlsx", tmp_path / f"{case}.html"]
        result = run("validate", "903", str(folder), "--la", "383", "-o", str(reports[0]), "-o", str(reports[1]))
        said = "1 row could not be read; " in result.output
        summary = CalamineWorkbook.from_path(str(reports[0])).get_sheet_by_name("Summary").to_python()
        assert ("1 row could not be read; " in str(summary[0][0])) is said  # the reports' headlines say it too
        assert ('id="headline">\n1 row could not be read; ' in reports[1].read_text(encoding="utf-8")) is said
        outcomes[case] = (result.exit_code, said)
        assert "1 row rejected when reading" in result.output
    assert outcomes == {"blank": (0, False), "short": (1, True)}
    with zipfile.ZipFile(tmp_path / "short.xlsx") as book:  # the Summary sheet freezes no panes: it scrolls
        assert "<pane" not in book.read("xl/worksheets/sheet1.xml").decode("utf-8")
