"""Several years of SSDA903 Header and Episodes -> one cleaned table of care episodes.

The cleaning is the published demand model's (cs-demand-model 0.5.1), done in polars:

1. all years' episodes joined to the children's Header rows (date of birth); episodes of a child with no Header
   row in any year are dropped (and counted);
2. sorted by child, start and end (open episodes first); of two episodes of a child starting the same day the one
   that ends latest is kept (``same-start``), then of two ending the same day (or both open) the one that starts
   first (``same-end``);
3. an episode that is open, or ends after the child's next episode starts, is made to end when the next starts
   (``shortened``).

Every change is kept in `History.changes` (file, row, child, what was done) so a user can see it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import polars as pl

from csctools.io.result import ReturnData
from csctools.years import CollectionYear

SAME_START = "same-start"
SAME_END = "same-end"
SHORTENED = "shortened"
NO_HEADER = "no-header"
UNREADABLE_DOB = "unreadable-dob"
UNREADABLE_DATE = "unreadable-date"
CHANGE_REASONS = {
    SAME_START: "dropped: another episode of the child starts the same day and ends later (or is the same episode "
    "in a later year's return)",
    SAME_END: "dropped: another episode of the child ends the same day (or is also open) and starts earlier",
    SHORTENED: "end date set to the start of the child's next episode (it was open or overlapped the next)",
    NO_HEADER: "dropped: the child has no Header row in any year",
    UNREADABLE_DOB: "dropped: DOB blank or not a date (the child's episodes are kept if another year gives it)",
    UNREADABLE_DATE: "dropped: DECOM blank or not a date, or DEC not a date",
}
ROWS_CHANGED = {UNREADABLE_DOB: ("Header row", "Header rows")}  # what a change counts, where not episodes


class ForecastInputError(Exception):
    """Input that cannot be forecast from; the message names the file and row."""


@dataclass(frozen=True)
class YearData:
    """One collection year's typed Header and Episodes, and the files they came from."""

    year: CollectionYear
    header: pl.DataFrame
    episodes: pl.DataFrame
    sources: tuple[str, ...]
    dropped: pl.DataFrame | None = None  # rows left out for a date that could not be read, as History.changes


@dataclass(frozen=True)
class History:
    """Cleaned episodes (CHILD, DOB, DECOM, DEC, PLACE, UASC, _source, _row), sorted by child, start, end."""

    episodes: pl.DataFrame
    changes: pl.DataFrame  # _source, _row, CHILD, DECOM, DEC, reason, new_DEC
    years: tuple[CollectionYear, ...]
    warnings: tuple[str, ...]

    @property
    def first_day(self) -> date:
        return self.years[0].start_date

    @property
    def last_day(self) -> date:
        """The last day anything is known: the latest start or end date of an episode."""
        value = self.episodes.select(pl.max_horizontal(pl.col("DECOM").max(), pl.col("DEC").max())).item()
        return value  # type: ignore[no-any-return]


def year_data(data: ReturnData, label: str) -> YearData:
    """Check one return has what a forecast needs: a year, Header and Episodes, parsed dates."""
    sources = tuple(f.path for f in data.files)
    if data.year is None:
        raise ForecastInputError(f"{label}: the collection year cannot be told from the files")
    for table in ("Header", "Episodes"):
        if table not in data.tables:
            raise ForecastInputError(
                f"{label}: no {table} table for {data.year.label} (a forecast needs Header and Episodes)"
            )
    header, episodes = data.tables["Header"], data.tables["Episodes"]
    header, bad_births = without_unreadable(header, ("DOB",), UNREADABLE_DOB)
    episodes, bad_episodes = without_unreadable(episodes, ("DECOM", "DEC"), UNREADABLE_DATE)
    uasc = pl.col("UASC") if "UASC" in header.columns else pl.lit("0")
    header = header.select("CHILD", "DOB", uasc.alias("UASC"), "_source", "_row")
    episodes = episodes.select("CHILD", "DECOM", "DEC", "PLACE", "_source", "_row")
    return YearData(data.year, header, episodes, sources, pl.concat([bad_births, bad_episodes]))


def _unreadable(frame: pl.DataFrame, column: str) -> pl.Expr:
    """A date that does not parse, or is blank where required (DOB, DECOM; a blank DEC is an open episode)."""
    raw = f"{column}_raw"
    bad = pl.col(column).is_null() & (pl.col(raw).is_not_null() if raw in frame.columns else pl.lit(False))
    return bad | pl.col(column).is_null() if column in ("DOB", "DECOM") else bad


def without_unreadable(frame: pl.DataFrame, columns: tuple[str, ...], reason: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows whose dates can be read, and the others as changes (file, row, child, reason): a forecast goes on
    without them, and says so."""
    bad = pl.any_horizontal([_unreadable(frame, c) for c in columns])
    dropped = frame.filter(bad).select(
        "_source",
        "_row",
        "CHILD",
        *(pl.col(c) if c in frame.columns else pl.lit(None, pl.Date).alias(c) for c in ("DECOM", "DEC")),
        pl.lit(reason).alias("reason"),
        pl.lit(None, pl.Date).alias("new_DEC"),
    )
    return frame.filter(~bad), dropped


def check_years(years: list[YearData]) -> list[YearData]:
    """Years sorted; two returns of one year, or a gap between years, are errors."""
    ordered = sorted(years, key=lambda y: y.year)
    for before, after in itertools.pairwise(ordered):
        if before.year == after.year:
            raise ForecastInputError(
                f"two returns for {after.year.label}: {before.sources[0]} and {after.sources[0]} (give one per year)"
            )
        if after.year.end != before.year.end + 1:
            missing = ", ".join(CollectionYear(e).label for e in range(before.year.end + 1, after.year.end))
            raise ForecastInputError(
                f"years missing: {missing} (between {before.sources[0]} and {after.sources[0]}); "
                "the history must be consecutive collection years"
            )
    return ordered


def load_history(years: list[YearData]) -> History:
    """Join, clean and check the episodes of consecutive collection years."""
    ordered = check_years(years)
    warnings: list[str] = []
    headers = pl.concat([y.header for y in ordered], how="vertical_relaxed")
    births = headers.group_by("CHILD", maintain_order=True).agg(
        pl.col("DOB").first(),
        pl.col("DOB").n_unique().alias("dobs"),
        pl.col("UASC").max(),
        pl.col("_source").first().alias("dob_source"),
        pl.col("_row").first().alias("dob_row"),
    )
    differing = births.filter(pl.col("dobs") > 1)
    if differing.height:
        first = differing.row(0, named=True)
        warnings.append(
            f"{differing.height:,} {'child has' if differing.height == 1 else 'children have'} different dates of "
            "birth in different years' Headers; the first "
            f"year's is used (e.g. child {first['CHILD']}, {first['dob_source']}, row {first['dob_row']})"
        )
    episodes = pl.concat(
        [y.episodes.with_columns(pl.lit(y.year.end_date).alias("_year_end")) for y in ordered], how="vertical_relaxed"
    ).with_row_index("_order")
    joined = episodes.join(births.select("CHILD", "DOB", "UASC"), on="CHILD", how="left")
    orphans = joined.filter(pl.col("DOB").is_null())
    joined = joined.filter(pl.col("DOB").is_not_null())
    if joined.height == 0:
        sources = ", ".join(s for y in ordered for s in y.sources)
        raise ForecastInputError(f"no episodes of children with a Header row in {sources}: nothing to forecast from")
    _check_dates(joined)
    cleaned, changes = clean_episodes(joined.drop("_year_end"))
    orphan_changes = orphans.select(
        "_source",
        "_row",
        "CHILD",
        "DECOM",
        "DEC",
        pl.lit(NO_HEADER).alias("reason"),
        pl.lit(None, pl.Date).alias("new_DEC"),
    )
    unreadable = [y.dropped for y in ordered if y.dropped is not None]
    return History(
        cleaned.drop("_order"),
        pl.concat([*unreadable, orphan_changes, changes], how="vertical_relaxed").sort("_source", "_row"),
        tuple(y.year for y in ordered),
        tuple(warnings),
    )


def _check_dates(episodes: pl.DataFrame) -> None:
    """An episode ending before it starts, or after its return's year, or starting long before birth or after 30,
    cannot be modelled."""
    age_days = (pl.col("DECOM") - pl.col("DOB")).dt.total_days()
    after_year = "after the end of its return's collection year ({_year_end})"
    checks = (
        (pl.col("DEC") < pl.col("DECOM"), "DEC", "the episode ends ({DEC}) before it starts ({DECOM})"),
        (pl.col("DECOM") > pl.col("_year_end"), "DECOM", "the episode starts ({DECOM}) " + after_year),
        (pl.col("DEC") > pl.col("_year_end"), "DEC", "the episode ends ({DEC}) " + after_year),
        (age_days < -365, "DECOM", "the episode starts ({DECOM}) more than a year before the child's birth ({DOB})"),
        (age_days >= 30 * 365.24, "DECOM", "the child is over 30 when the episode starts ({DECOM}; born {DOB})"),
    )
    for condition, column, message in checks:
        bad = episodes.filter(condition)
        if bad.height:
            row = bad.row(0, named=True)
            more = f" (and {bad.height - 1} more episodes)" if bad.height > 1 else ""
            text = message.format(**{k: row[k] for k in ("DEC", "DECOM", "DOB", "_year_end")})
            raise ForecastInputError(
                f"{row['_source']}, row {row['_row']}, column {column}: child {row['CHILD']}: {text}{more}"
            )


def clean_episodes(episodes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The published model's three cleaning steps; returns the cleaned episodes and the changes made."""
    ordered = episodes.sort(["CHILD", "DECOM", "DEC"], nulls_last=False, maintain_order=True)
    keep_start = ordered.unique(["CHILD", "DECOM"], keep="last", maintain_order=True)
    keep_end = keep_start.unique(["CHILD", "DEC"], keep="first", maintain_order=True)
    same_child = pl.col("CHILD") == pl.col("CHILD").shift(-1)
    next_start = pl.when(same_child).then(pl.col("DECOM").shift(-1))
    shorten = pl.col("DEC").is_null() | (pl.col("DEC") > next_start).fill_null(False)
    marked = keep_end.with_columns(next_start.alias("_next"))
    marked = marked.with_columns(
        (shorten & (pl.col("DEC").is_not_null() | pl.col("_next").is_not_null())).alias("_shortened")
    )
    cleaned = marked.with_columns(
        pl.when(pl.col("_shortened")).then(pl.col("_next")).otherwise(pl.col("DEC")).alias("DEC")
    )
    columns = ["_source", "_row", "CHILD", "DECOM", "DEC"]
    dropped_start = ordered.join(keep_start.select("_order"), on="_order", how="anti")
    dropped_end = keep_start.join(keep_end.select("_order"), on="_order", how="anti")
    changes = pl.concat(
        [
            dropped_start.select(*columns, pl.lit(SAME_START).alias("reason"), pl.lit(None, pl.Date).alias("new_DEC")),
            dropped_end.select(*columns, pl.lit(SAME_END).alias("reason"), pl.lit(None, pl.Date).alias("new_DEC")),
            marked.filter(pl.col("_shortened")).select(
                *columns, pl.lit(SHORTENED).alias("reason"), pl.col("_next").alias("new_DEC")
            ),
        ]
    )
    return cleaned.drop("_next", "_shortened"), changes


def truncate_history(history: History, cutoff: date) -> History:
    """The history as it was known on `cutoff`: later episodes removed, later end dates open (for back-tests)."""
    kept = history.episodes.filter(pl.col("DECOM") <= cutoff).with_columns(
        pl.when(pl.col("DEC") > cutoff).then(None).otherwise(pl.col("DEC")).alias("DEC")
    )
    years = tuple(y for y in history.years if y.start_date <= cutoff)
    return History(kept, history.changes.clear(), years, ())


def describe_changes(changes: pl.DataFrame) -> list[str]:
    """One line per kind of change: how many episodes (or Header rows), and what was done."""
    counts = changes.group_by("reason").len().sort("reason")
    lines = []
    for reason, n in counts.iter_rows():
        one, many = ROWS_CHANGED.get(reason, ("episode", "episodes"))
        lines.append(f"{n:,} {one if n == 1 else many} {CHANGE_REASONS[reason]}")
    return lines
