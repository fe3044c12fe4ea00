"""One cell of an uploaded CSV table changed in place: the rest of the file kept byte for byte (worked by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csctools.web.edits import EditRefused, edit_csv

HEADER = "CHILD;SEX;DOB;ETHNIC;UPN;MOTHER;MC_DOB\r\n"


def test_bom_semicolons_and_crlf_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    rows = [HEADER, '1;1;01/02/2010;"WB;RI";A1;;\r\n', "2;2;03/04/2011;ZZZZ;A2;;\r\n"]
    path.write_bytes(b"\xef\xbb\xbf" + "".join(rows).encode("utf-8"))
    assert edit_csv(path, 3, "ETHNIC", "ZZZZ", " WBRI ") == ("ZZZZ", "WBRI")
    expected = [HEADER, '1;1;01/02/2010;"WB;RI";A1;;\r\n', "2;2;03/04/2011;WBRI;A2;;\r\n"]
    assert path.read_bytes() == b"\xef\xbb\xbf" + "".join(expected).encode("utf-8")


def test_a_windows_1252_file_stays_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_bytes("CHILD,SEX,DOB,ETHNIC,UPN\nAé1,1,01/02/2010,ZZZZ,A1\n".encode("cp1252"))
    edit_csv(path, 2, "ETHNIC", None, "WBRI")
    assert path.read_bytes() == "CHILD,SEX,DOB,ETHNIC,UPN\nAé1,1,01/02/2010,WBRI,A1\n".encode("cp1252")


def test_a_value_with_a_comma_is_quoted(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_bytes(b"CHILD,SEX,DOB,ETHNIC,UPN\n1,1,01/02/2010,ZZZZ,A1\n")
    edit_csv(path, 2, "UPN", "A1", "A,1")
    assert path.read_bytes() == b'CHILD,SEX,DOB,ETHNIC,UPN\n1,1,01/02/2010,ZZZZ,"A,1"\n'


def test_a_row_spanning_lines_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    content = b'CHILD,SEX,DOB,ETHNIC,UPN\n1,1,01/02/2010,"ZZ\nZZ",A1\n'
    path.write_bytes(content)
    with pytest.raises(EditRefused, match=r"header\.csv row 2: the row spans several lines"):
        edit_csv(path, 2, "ETHNIC", None, "WBRI")
    assert path.read_bytes() == content
