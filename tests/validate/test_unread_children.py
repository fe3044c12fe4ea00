"""A child whose row could not be read: the failures that may follow from it are named in a note on the result."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from csctools.read import read_files
from csctools.synth.generate import SynthOptions, generate
from csctools.validate.run import validate_return
from csctools.validate.unread_children import _may_follow
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """A synthetic 903 return with one Episodes row given two fields too many: (folder, its child, its row)."""
    out = tmp_path_factory.mktemp("unread")
    generate(SynthOptions(["383"], YEAR, YEAR, children=60, seed=3, formats=("csv",), annex_a=False, cin=False), out)
    folder = out / "383" / "2025_26" / "ssda903"
    episodes = folder / "ssda903_2025_26_episodes.csv"
    lines = episodes.read_text(encoding="utf-8").splitlines()
    row = 5  # spreadsheet row: the header is row 1
    (record,) = csv.reader([lines[row - 1]])
    child = record[next(csv.reader([lines[0]])).index("CHILD")]
    lines[row - 1] += ",x,y"
    episodes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder, child, row


def test_the_childs_failures_are_tied_to_the_row_that_could_not_be_read(broken: tuple[Path, str, int]) -> None:
    folder, child, row = broken
    (data,), _ = read_files(sorted(folder.glob("*.csv")))
    result = validate_return(data, YEAR)
    failing = result.errors.filter(result.errors["child_id"] == child)["rule_code"].unique().to_list()
    failing = [code for code in failing if _may_follow(code, {"episodes"}, "ssda903")]
    (note,) = [n for n in result.notes if n.startswith(f"child {child} ")]
    assert f"has a row that could not be read (ssda903_2025_26_episodes.csv, Episodes row {row})" in note
    if failing:  # the child's other rows need the episode that was lost
        assert "may follow from it; fix that row first" in note
        assert all(code in note for code in failing)
    else:
        assert note.endswith("no rule checked it")


def test_a_clean_return_has_no_such_note(tmp_path: Path) -> None:
    generate(
        SynthOptions(["383"], YEAR, YEAR, children=30, seed=3, formats=("csv",), annex_a=False, cin=False), tmp_path
    )
    (data,), _ = read_files(sorted((tmp_path / "383" / "2025_26" / "ssda903").glob("*.csv")))
    assert not [n for n in validate_return(data, YEAR).notes if "could not be read" in n]


def test_comparisons_of_other_tables_with_last_year_are_not_blamed_on_a_lost_episode() -> None:
    assert not _may_follow("624", {"episodes"}, "ssda903")  # this year's Header against last year's
    assert not _may_follow("202", {"episodes"}, "ssda903")
    assert _may_follow("202", {"header"}, "ssda903")  # a lost Header row: its comparison may follow from it
    assert _may_follow("503A", {"episodes"}, "ssda903")  # episodes against last year's episodes
    assert _may_follow("1012", {"episodes"}, "ssda903") and _may_follow("EPI", {"episodes"}, "ssda903")
