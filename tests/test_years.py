from datetime import date

import pytest

from csctools.years import CollectionYear, year_hint_from_name


@pytest.mark.parametrize("text", ["2025/26", "2025_26", "2025-26", "2025/2026", "2026", 2026])
def test_parse_forms(text: str | int) -> None:
    assert CollectionYear.parse(text) == CollectionYear(2026)


@pytest.mark.parametrize("text", ["2025/27", "26", "last year", ""])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        CollectionYear.parse(text)


def test_span_and_labels() -> None:
    year = CollectionYear(2026)
    assert (year.start_date, year.end_date) == (date(2025, 4, 1), date(2026, 3, 31))
    assert (year.label, year.key, str(year.previous())) == ("2025/26", "2025_26", "2024/25")
    assert CollectionYear.containing(date(2025, 3, 31)) == CollectionYear(2025)
    assert CollectionYear.containing(date(2025, 4, 1)) == CollectionYear(2026)


@pytest.mark.parametrize(
    ("name", "end"),
    [("ssda903_2025_26_header.csv", 2026), ("CIN_Census_2026.xml", 2026), ("episodes 2024-25.csv", 2025)],
)
def test_hint_from_file_name(name: str, end: int) -> None:
    assert year_hint_from_name(name) == CollectionYear(end)


def test_no_hint() -> None:
    assert year_hint_from_name("episodes.csv") is None


def test_a_tables_year_ignores_its_latest_one_percent() -> None:
    """Worked by hand: of 100 dates the 99th in order (index int(99 * 0.99) = 98) decides; one date of the next
    year among 99 is taken for a typing error, two are not. Blanks, text that is no date and future dates count
    for nothing."""
    import polars as pl

    from csctools.datasets.ssda903.read import RawTable
    from csctools.datasets.ssda903.years import dated_year

    def year_of(late: int) -> CollectionYear | None:
        texts = ["01/06/2024"] * (100 - late) + [" 2025-05-01T00:00"] * late + [None, "junk", "01/01/2099"]
        frame = pl.DataFrame(
            {"DECOM": texts, "DEC": [None] * len(texts)}, schema={"DECOM": pl.String, "DEC": pl.String}
        )
        return dated_year(RawTable("Episodes", frame), today=date(2026, 12, 1))

    assert year_of(1) == CollectionYear(2025)
    assert year_of(2) == CollectionYear(2026)
    assert dated_year(RawTable("Episodes", pl.DataFrame({"DECOM": ["junk"]}))) is None


def test_a_tables_year_counts_the_dates_typing_reads() -> None:
    """Dates in any format the typing reads count (dd-mm-yyyy, yyyy/mm/dd, dd.mm.yyyy), and a column the reader
    already gave as dates counts as it is: the same year either way. A two-digit year is no date."""
    import polars as pl

    from csctools.datasets.ssda903.read import RawTable
    from csctools.datasets.ssda903.years import dated_year

    today = date(2026, 12, 1)
    texts = ["01-06-2024", "2024/07/01", "01.08.2024", "01/02/25", None]
    as_text = RawTable("Episodes", pl.DataFrame({"DECOM": texts}, schema={"DECOM": pl.String}))
    days = [date(2024, 6, 1), date(2024, 7, 1), date(2024, 8, 1), None]
    as_dates = RawTable("Episodes", pl.DataFrame({"DECOM": days}, schema={"DECOM": pl.Date}))
    assert dated_year(as_text, today) == dated_year(as_dates, today) == CollectionYear(2025)
    late = RawTable("Episodes", pl.DataFrame({"DECOM": ["01-06-2025"]}, schema={"DECOM": pl.String}))
    assert dated_year(late, today) == CollectionYear(2026)
