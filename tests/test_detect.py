"""Detection: which return a file holds, from its content; a clear message when it is none of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from csctools.io.detect import detect
from csctools.read import read_files


def test_detects_every_synthetic_file(synthetic: tuple[Path, object]) -> None:
    folder = synthetic[0] / "383"
    for path in (folder / "2025_26" / "ssda903").glob("*.csv"):
        assert detect(path, path.read_bytes()) == "ssda903"
    assert detect(Path("x"), (folder / "2025_26" / "ssda903_2025_26.xml").read_bytes()) == "ssda903"
    assert detect(Path("x"), (folder / "2025_26" / "cin_census_2025_26.xml").read_bytes()) == "cin"
    assert detect(Path("x"), (folder / "annex_a_2025_26.xlsx").read_bytes()) == "annex_a"


def test_content_beats_the_name(tmp_path: Path, synthetic: tuple[Path, object]) -> None:
    cin = (synthetic[0] / "383" / "2025_26" / "cin_census_2025_26.xml").read_bytes()
    assert detect(Path("ssda903_episodes.xml"), cin) == "cin"


@pytest.mark.parametrize("content", [b"name,age\nBob,3\n", b"<html><body>hi</body></html>", b"\x00\x01\x02"])
def test_none_of_them(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "mystery.csv"
    path.write_bytes(content)
    returns, others = read_files([path])
    assert returns == []
    assert [p.kind for p in others[0].problems] == ["not-recognised"]
    assert "not an SSDA903 table" in others[0].problems[0].message


def test_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    returns, others = read_files([tmp_path / "nope.csv"])
    assert returns == [] and others[0].problems[0].kind == "unreadable-file"


def test_mixed_files_grouped_into_returns(synthetic: tuple[Path, object]) -> None:
    folder = synthetic[0] / "383" / "2025_26"
    paths = [*sorted((folder / "ssda903").glob("*.csv")), folder / "cin_census_2025_26.xml"]
    returns, others = read_files(paths)
    assert [r.dataset for r in returns] == ["ssda903", "cin"]
    assert others == []
    assert len(returns[0].files) == len(paths) - 1


@pytest.mark.parametrize("content", [b"", b"\n\r\n  \n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_said_to_be_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "header.csv"
    path.write_bytes(content)
    returns, others = read_files([path])
    assert returns == []
    assert [(p.kind, p.message) for p in others[0].problems] == [
        ("empty-file", "the file is empty (0 bytes or only blank lines)")
    ]
