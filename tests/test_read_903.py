"""SSDA903 readers: CSV variants found in the wild, the DfE XML, and a corpus of bad inputs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from csctools.datasets.ssda903.read import read_903
from csctools.io.result import ReturnData
from csctools.years import CollectionYear

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
ROWS = ["101,M,01/02/2015,WBRI,UN1,,", "102,F,2012-06-30,AOTH,UN2,0,"]


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


YEAR = CollectionYear(2026)


def read_one(path: Path, year: CollectionYear | None = YEAR) -> ReturnData:
    return read_903([path], year)


def kinds(data: ReturnData) -> list[str]:
    return [p.kind for p in data.problems]


def test_plain_header_file(tmp_path: Path) -> None:
    data = read_one(write(tmp_path, "header.csv", "\n".join([HEADER, *ROWS]) + "\n"))
    header = data.tables["Header"]
    assert header["CHILD"].to_list() == ["101", "102"]
    assert header["DOB"].to_list() == [date(2015, 2, 1), date(2012, 6, 30)]
    assert header["_row"].to_list() == [2, 3]
    assert data.problems == []


def test_any_column_order_and_header_variants(tmp_path: Path) -> None:
    text = " dob ,Child,ethnic,Sex,upn,Mother,mc dob\r\n01/02/2015,101,wbri,m,UN1,,\r\n"
    header = read_one(write(tmp_path, "h.csv", text)).tables["Header"]
    assert header.select("CHILD", "SEX", "ETHNIC", "DOB").row(0) == ("101", "M", "WBRI", date(2015, 2, 1))


@pytest.mark.parametrize(("encoding", "prefix"), [("utf-8", "\ufeff"), ("utf-8", ""), ("cp1252", "")])
def test_encodings(tmp_path: Path, encoding: str, prefix: str) -> None:
    text = prefix + HEADER + "\n" + "10é1,M,01/02/2015,WBRI,UN1,,\n"
    header = read_one(write(tmp_path, "h.csv", text, encoding)).tables["Header"]
    assert header["CHILD"].to_list() == ["10é1"]


def test_dates_in_wild_formats_and_raw_text_kept(tmp_path: Path) -> None:
    rows = [
        "1,M,01/02/2015,WBRI,UN1,,",
        "2,M,2015-02-01,WBRI,UN1,,",
        "3,M,42036,WBRI,UN1,,",  # a number in a CSV is not an Excel serial: only a workbook cell can be one
        "4,M,31/02/2015,WBRI,UN1,,",
        "5,M,2015-02-01 00:00:00,WBRI,UN1,,",
        "6,M,01/01/19,WBRI,UN1,,",  # two-digit years are not the years 19 and 6
        "7,M,25/04/06,WBRI,UN1,,",
        "8,M,2010,WBRI,UN1,,",  # not the serial of a day in 1905
        "9,M,1/2/2015,WBRI,UN1,,",
    ]
    data = read_one(write(tmp_path, "h.csv", "\n".join([HEADER, *rows])))
    header = data.tables["Header"]
    feb = date(2015, 2, 1)
    assert header["DOB"].to_list() == [feb, feb, None, None, feb, None, None, None, feb]
    raw = [None, None, "42036", "31/02/2015", None, "01/01/19", "25/04/06", "2010", None]
    assert header["DOB_raw"].to_list() == raw
    assert data.files[0].tables[0].unparsed_values == {"DOB": 5}


def test_nothing_dropped_silently(tmp_path: Path) -> None:
    text = "\n".join([HEADER, ROWS[0], ",,,,,,", "103,M,01/01/2010", ROWS[1], "104,F,01/01/2010,WBRI,UN1,,,,"])
    data = read_one(write(tmp_path, "h.csv", text))
    read = data.files[0].tables[0]
    assert (read.rows_in, read.rows_read, len(read.rejected)) == (5, 3, 2)
    assert [(r.row, r.reason) for r in read.rejected] == [
        (3, "blank row"),
        (4, "has 3 fields where the header has 7"),
    ]
    assert data.tables["Header"]["_row"].to_list() == [2, 5, 6]


def test_blank_rows_of_the_right_width_are_reported(tmp_path: Path) -> None:
    text = "\n".join([HEADER, ROWS[0], " , ,,,,,", ROWS[1], ",,,,,,"])
    read = read_one(write(tmp_path, "h.csv", text)).files[0].tables[0]
    assert (read.rows_in, read.rows_read) == (4, 2)
    assert [(r.row, r.reason) for r in read.rejected] == [(3, "blank row"), (5, "blank row")]


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    text = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,FAVOURITE_COLOUR\n1,M,01/01/2010,WBRI,UN1,,blue\n"
    data = read_one(write(tmp_path, "h.csv", text))
    problems = {p.kind: p for p in data.problems}
    assert problems["missing-column"].column == "MC_DOB"
    assert problems["unknown-column"].column == "FAVOURITE_COLOUR"
    assert "MC_DOB" in data.tables["Header"].columns  # present, all null
    assert not data.ok


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "empty-file"),
        ("\n\n", "empty-file"),
        ("CHILD;SEX;DOB;ETHNIC;UPN;MOTHER;MC_DOB\n1;M;01/01/2010;WBRI;UN1;;\n", "wrong-delimiter"),
        ("name,address\nA,B\n", "unknown-table"),
    ],
)
def test_structural_problems(tmp_path: Path, text: str, kind: str) -> None:
    data = read_one(write(tmp_path, "bad.csv", text))
    assert kinds(data) == [kind]
    assert data.tables == {}
    assert "bad.csv" in data.problems[0].describe()


def test_uasc_derived_from_the_uasc_table(tmp_path: Path) -> None:
    header = write(tmp_path, "header.csv", "\n".join([HEADER, *ROWS]))
    uasc = write(tmp_path, "uasc.csv", "CHILD,SEX,DOB,DUC\n102,F,30/06/2012,30/06/2030\n")
    data = read_903([header, uasc], CollectionYear(2026))
    assert data.tables["Header"]["UASC"].to_list() == ["0", "1"]


def test_year_from_file_name_then_content(tmp_path: Path) -> None:
    text = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    text += "1,01/05/2024,S,V2,N1,U4,PR1,10/01/2025,E4A,,LS1 1AA,LS2 2BB,\n"
    by_content = read_903([write(tmp_path, "episodes.csv", text)])
    assert (by_content.year, by_content.files[0].year_source) == (CollectionYear(2025), "content")
    mismatch = read_903([write(tmp_path, "episodes_2025-26.csv", text)])
    assert (mismatch.year, mismatch.files[0].year_source) == (CollectionYear(2025), "content")
    assert [p.kind for p in mismatch.problems] == ["year-mismatch"]
    header_only = read_903([write(tmp_path, "header_2025-26.csv", "\n".join([HEADER, *ROWS]))])
    assert (header_only.year, header_only.files[0].year_source) == (CollectionYear(2026), "file name")


def test_xml_matches_csv(year_folder: Path) -> None:
    from_csv = read_903(sorted((year_folder / "ssda903").glob("*.csv")))
    from_xml = read_903([year_folder / "ssda903_2025_26.xml"])
    assert from_csv.year == from_xml.year == CollectionYear(2026)
    assert from_csv.ok and from_xml.ok, [p.describe() for p in from_csv.problems + from_xml.problems]
    for name, frame in from_csv.tables.items():
        if frame.is_empty():  # an empty CSV table has no XML counterpart
            assert name not in from_xml.tables
            continue
        data_columns = [c for c in frame.columns if not c.startswith("_")]
        left = frame.select(data_columns).sort(data_columns, nulls_last=True)
        right = from_xml.tables[name].select(data_columns).sort(data_columns, nulls_last=True)
        assert left.equals(right), name


def test_xml_rows_carry_element_lines(year_folder: Path) -> None:
    path = year_folder / "ssda903_2025_26.xml"
    episodes = read_903([path]).tables["Episodes"]
    lines = path.read_text().splitlines()
    first = episodes.row(0, named=True)
    assert lines[first["_row"] - 1].strip() == "<EPISODE>"


def test_malformed_xml_names_its_line(tmp_path: Path) -> None:
    text = "<EXPSSDA903>\n<CHILD>\n<HEADER><CHILDID>1</CHILDID>\n</CHILD>\n</EXPSSDA903>\n"
    data = read_one(write(tmp_path, "return.xml", text))
    assert kinds(data) == ["malformed-xml"]
    assert data.problems[0].row == 4
    # the line once (the problem's own), the column kept: not "... HEADER line 3 and CHILD, line 4, column 9"
    assert data.problems[0].message.endswith("HEADER line 3 and CHILD (column 9)"), data.problems[0].message


def test_unknown_xml_element_reported(tmp_path: Path) -> None:
    text = (
        "<EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID><SEX>M</SEX><SHOE_SIZE>4</SHOE_SIZE></HEADER>"
        "<EPISODE><DECOM>01/05/2025</DECOM><PL>U4</PL><COLOUR>red</COLOUR></EPISODE></CHILD></EXPSSDA903>"
    )
    data = read_one(write(tmp_path, "return.xml", text))
    assert sorted(p.message.split(">")[0] for p in data.problems) == ["element <COLOUR", "element <SHOE_SIZE"]
    assert data.tables["Episodes"]["PLACE"].to_list() == ["U4"]
    assert data.ok  # unknown elements are warnings: the rest was read


def test_typed_columns(year_folder: Path) -> None:
    data = read_903(sorted((year_folder / "ssda903").glob("*.csv")))
    assert data.tables["Episodes"].schema["DECOM"] == pl.Date
    assert data.tables["OC2"].schema["SDQ_SCORE"] == pl.Int64
    assert data.tables["Header"].schema["_row"] == pl.Int64


def test_plain_files_read_as_the_careful_reader_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from csctools.datasets.ssda903 import read as reader
    from csctools.synth.generate import SynthOptions, generate
    from csctools.years import CollectionYear

    year = CollectionYear(2025)
    generate(
        SynthOptions(["383"], year, year, children=60, seed=7, formats=("csv",), annex_a=False, cin=False), tmp_path
    )
    files = sorted((tmp_path / "383" / year.key / "ssda903").glob("*.csv"))
    fast = reader.read_903(files)
    monkeypatch.setattr(reader, "_whole_rows", lambda *_: None)
    careful = reader.read_903(files)
    assert fast.tables.keys() == careful.tables.keys()
    for name, frame in fast.tables.items():
        assert frame.equals(careful.tables[name]), name
    assert [t.rows_read for t in fast.files[0].tables] == [t.rows_read for t in careful.files[0].tables]


@pytest.mark.parametrize(
    "body",
    [
        '101,M,01/02/2015,WBRI,"UN,1",,',  # a quoted comma
        "101,M,01/02/2015,WBRI,UN1,,\n\n",  # a trailing blank line
        "101,M,01/02/2015,WBRI,UN1,\n102,M,01/02/2015,WBRI,UN1,,,",  # one short and one long row
    ],
)
def test_unusual_files_take_the_careful_reader(tmp_path: Path, body: str) -> None:
    from csctools.datasets.ssda903.read import _whole_rows

    assert _whole_rows(HEADER + "\n" + body, 7) is None


@pytest.mark.parametrize(
    ("body", "trimmed", "upper_case"),
    [
        ("101,M,01/02/2015,WBRI,UN1,,\n102,F,01/02/2016,WBRI,UN2,,", True, True),
        ("101, M,01/02/2015,WBRI,UN1,,\n102,F,01/02/2016 ,WBRI,UN2,,", False, True),  # spaces around values
        ("101,M,01/02/2015,wbri,UN1,,\n102,F,01/02/2016,WBRI, ,,", False, False),  # lower case; a blank of spaces
        ("101,M,01/02/2015,WBRI,UN1,,\n102,F,01/02/2016,WBRI,UN1,,\u00a0", False, False),  # a non-breaking space
        ("101,m,01/02/2015,WBRI,UN1,,\n102,F,01/02/2016,WBRI,UN1,,\t", False, False),
    ],
)
def test_plain_files_say_what_typing_may_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, trimmed: bool, upper_case: bool
) -> None:
    from csctools.datasets.ssda903 import read as reader

    parsed = reader._whole_rows(HEADER + "\n" + body, 7)
    assert parsed is not None
    assert (parsed[1].trimmed, parsed[1].upper_case) == (trimmed, upper_case)
    path = tmp_path / "header.csv"
    path.write_text(HEADER + "\n" + body, encoding="utf-8")
    fast = reader.read_903([path]).tables["Header"]
    monkeypatch.setattr(reader, "_whole_rows", lambda *_: None)
    careful = reader.read_903([path]).tables["Header"]
    assert fast.equals(careful)
    assert fast["SEX"].to_list() == ["M", "F"] and fast["ETHNIC"].to_list() == ["WBRI", "WBRI"]


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        (f"{HEADER}\r\n{ROWS[0]}\r\n102,F,01/02/2016,WBRI,UN2,,\r\n", True),  # CR LF line ends, as Excel writes
        (f"{HEADER},NOTE\r\n{ROWS[0]},AB\r\n102,F,01/02/2016,WBRI,UN2,,C\rD\n", False),  # a CR in a last cell, LF end
        (f"{HEADER},NOTE\n{ROWS[0]},\rAB\n", False),  # a CR starting the last cell
        (f"{HEADER}\r\n101,M,01/02/2015,WBRI,UN1,,01/02\r/2015\n", False),  # inside a last cell of dates
        (f"{HEADER}\r\n101,M,01/02/2015,WBRI,UN1,,\r01/02/2015\n", False),
        (f"{HEADER}\r\n101,M\r,01/02/2015,WBRI,UN1,,\r\n", False),  # before a comma: polars would drop it
        (f"{HEADER}\r\n{ROWS[0]}\r", False),  # ending the file
        (f"{HEADER}\r\n{ROWS[0]}\r\r\n", False),  # two before a line end
        ("CHILD,SEX\rX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n101,M,01/02/2015,WBRI,UN1,,\n", False),  # inside the header
        (f"{HEADER}\n{ROWS[0]}\n102\r,F,01/02/2016,WBRI,UN2,,\n", False),
    ],
)
def test_carriage_returns_read_as_the_careful_reader_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, plain: bool
) -> None:
    """A CR that ends no line (a spreadsheet ends a row there) sends the file to the careful reader, wherever it
    is: the typed table and the report are the careful reader's."""
    from csctools.datasets.ssda903 import read as reader

    path = write(tmp_path, "header.csv", text)
    assert (reader._whole_rows(None, text.split("\n")[0].count(",") + 1, path.read_bytes()) is not None) is plain
    fast = reader.read_903([path])
    monkeypatch.setattr(reader, "_whole_rows", lambda *_: None)
    careful = reader.read_903([path])
    assert fast.tables.keys() == careful.tables.keys()
    for name, frame in fast.tables.items():
        assert frame.equals(careful.tables[name]), name
    assert fast.files[0].tables == careful.files[0].tables
    assert fast.files[0].problems == careful.files[0].problems


@pytest.mark.parametrize(
    ("dates", "read_as_dates"),
    [
        (["01/02/2015", "", "1/2/2016", " 03/04/2017"], True),  # day first; blank; one digit; a space before
        (["2015-02-01", "2016-1-2", ""], True),  # year first
        (["01-02-2015", "01/02/2016"], True),  # day first with dashes and slashes: one pattern to polars
        (["2015/02/01", "2016/03/04"], True),
        (["01/02/2015", "2016-03-04"], False),  # two patterns in one column: read again as text
        (["01/02/15", "01/02/2016"], False),  # a two-digit year reads as the year 15: no date, kept as text
        (["31/02/2015", "01/02/2016"], False),  # no such day
        (["01/02/2015", "01/02/2016 00:00"], False),  # a time after the day
        (["2015.02.01", "2016.03.04"], False),  # a full stop in the file: never read as dates by polars
        (["01/02/2015 ", "01/02/2016"], False),  # a space after
    ],
)
def test_dates_read_while_reading_type_as_the_careful_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dates: list[str], read_as_dates: bool
) -> None:
    """Dates polars parses as it reads the CSV give the typed table the careful reader gives (which types them
    afterwards); a file where some value is no plain date is read as text, so that value is kept and reported."""
    from csctools.datasets.ssda903 import read as reader

    body = "".join(f"{100 + i},M,{day},WBRI,UN1,,{day}\r\n" for i, day in enumerate(dates))
    path = write(tmp_path, "header.csv", HEADER + "\r\n" + body)
    _, raws = reader.read_903_file(path)
    assert (raws[0].data.schema["DOB"] == pl.Date) is read_as_dates
    fast = reader.read_903([path])
    monkeypatch.setattr(reader, "_whole_rows", lambda *_: None)
    careful = reader.read_903([path])
    assert fast.tables["Header"].equals(careful.tables["Header"])
    assert fast.files[0].tables[0].unparsed_values == careful.files[0].tables[0].unparsed_values
