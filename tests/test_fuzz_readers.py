"""Property tests: valid synthetic files, damaged (truncated, bytes flipped, quotes, control characters and NULs
inserted, headers duplicated or dropped), never make a reader raise and never lose a row. `make fuzz` runs the same
damages over many more inputs (scripts/fuzz_readers.py)."""

from __future__ import annotations

import random
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csctools.datasets.ssda903.read import read_903
from csctools.synth.damage import damage, read_and_account

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
KEPT_IN_A_CELL = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def first_children(xml: str, closing: str, count: int, end: str) -> str:
    """The XML cut after its first `count` children, closed again."""
    ends = [m.end() for m in re.finditer(re.escape(closing), xml)]
    return xml[: ends[min(count, len(ends)) - 1]] + end


SAMPLES: dict[str, bytes] = {}  # filled once; not a test argument, so hypothesis does not print it


@pytest.fixture(scope="module")
def samples(year_folder: Path) -> dict[str, bytes]:
    if SAMPLES:
        return SAMPLES
    folder = year_folder / "ssda903"
    episodes = (folder / "ssda903_2025_26_episodes.csv").read_text().splitlines()[:80]
    SAMPLES.update(
        {
            "header.csv": (folder / "ssda903_2025_26_header.csv").read_bytes()[:6000],
            "episodes.csv": ("\r\n".join(episodes) + "\r\n").encode(),
            "ssda903.xml": first_children(
                (year_folder / "ssda903_2025_26.xml").read_text(), "</CHILD>", 6, "\n</EXPSSDA903>\n"
            ).encode(),
            "cin_census.xml": first_children(
                (year_folder / "cin_census_2025_26.xml").read_text(), "</Child>", 6, "\n</Children>\n</Message>\n"
            ).encode(),
        }
    )
    return SAMPLES


@pytest.fixture
def files(samples: dict[str, bytes]) -> None:
    """Makes sure SAMPLES is filled."""


@pytest.mark.parametrize("name", ["header.csv", "episodes.csv", "ssda903.xml", "cin_census.xml"])
@SETTINGS
@given(rng=st.randoms(use_true_random=False), times=st.integers(1, 3))
def test_damaged_files_never_crash_a_reader_or_lose_a_row(
    files: None, name: str, rng: random.Random, times: int
) -> None:
    data, damages = damage(SAMPLES[name], rng, times)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        assert read_and_account(path) == [], damages


def csv_rows(path: Path) -> tuple[int, int, int]:
    read = read_903([path]).files[0].tables[0]
    return read.rows_in, read.rows_read, len(read.rejected)


@SETTINGS
@given(rng=st.randoms(use_true_random=False), marks=st.lists(st.sampled_from(KEPT_IN_A_CELL), min_size=1, max_size=5))
def test_characters_kept_in_a_cell_never_change_the_row_count(
    files: None, rng: random.Random, marks: list[str]
) -> None:
    text = SAMPLES["episodes.csv"].decode()
    body_start = text.index("\n") + 1
    for mark in marks:  # inside a value of the body, where a spreadsheet keeps them
        at = rng.randrange(body_start, len(text))
        while text[at - 1] in "\r\n,":
            at += 1
        text = text[:at] + mark + text[at:]
    with tempfile.TemporaryDirectory() as folder:
        original, damaged = Path(folder) / "episodes.csv", Path(folder) / "damaged.csv"
        original.write_bytes(SAMPLES["episodes.csv"])
        damaged.write_text(text, encoding="utf-8", newline="")
        assert csv_rows(damaged) == csv_rows(original)


@SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_a_stray_quote_costs_at_most_its_row(files: None, rng: random.Random) -> None:
    text = SAMPLES["episodes.csv"].decode()
    at = rng.randrange(text.index("\n") + 1, len(text))
    while text[at - 1] == "\r":  # not between CR and LF: that makes a new row, as a lone CR ends one
        at += 1
    with tempfile.TemporaryDirectory() as folder:
        original, damaged = Path(folder) / "episodes.csv", Path(folder) / "damaged.csv"
        original.write_bytes(SAMPLES["episodes.csv"])
        damaged.write_text(text[:at] + '"' + text[at:], encoding="utf-8", newline="")
        rows_in, read, rejected = csv_rows(original)
        after = csv_rows(damaged)
        assert after[0] == rows_in
        assert after[1] >= read - 1 and after[2] <= rejected + 1


PIECES = (
    ",",
    ",",
    " ",
    "\t",
    "\n",
    "\n",
    "\r\n",
    "\r",
    "101",
    "M",
    "m",
    "01/02/2015",
    "2015-02-01",
    "1/2/2015",
    "31/02/2015",
    "01/02/15",
    "2015/02/01",
    "01.02.2015",
    "WBRI",
    "\u00a0",
    "é",
    "\x1f",
    "",
)


@SETTINGS
@given(rows=st.lists(st.lists(st.sampled_from(PIECES), max_size=12), min_size=1, max_size=8))
def test_the_quick_reader_reads_as_the_careful_one(rows: list[list[str]]) -> None:
    """Any text the quick polars reader takes (it hands the rest to the careful row-by-row reader) gives the same
    tables, rows read and rejected rows as the careful reader: blank, short and long rows, spaces and tabs at the
    edges of values, lower case, CR, CR LF, non-ASCII text, and dates polars parses while it reads or leaves as
    text (other formats, impossible days, two-digit years)."""
    from csctools.datasets.ssda903 import read as reader

    text = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n" + "".join("".join(row) for row in rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "header.csv"
        path.write_bytes(text.encode("utf-8"))
        quick = reader.read_903([path])
        original = reader._whole_rows
        reader._whole_rows = lambda *_: None  # type: ignore[assignment]
        try:
            careful = reader.read_903([path])
        finally:
            reader._whole_rows = original
    assert quick.tables.keys() == careful.tables.keys()
    for name, frame in quick.tables.items():
        assert frame.equals(careful.tables[name]), (name, text)
    assert [(t.rows_in, t.rows_read, t.rejected) for t in quick.files[0].tables] == [
        (t.rows_in, t.rows_read, t.rejected) for t in careful.files[0].tables
    ], text
