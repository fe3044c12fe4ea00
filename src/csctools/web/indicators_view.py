"""The page's Indicators view: `csc indicators` over the files added on the page for validation.

This year's files (any mix of SSDA903, CIN census and Annex A) and last year's, as the validation view holds them,
are read again in the reader process (they are untrusted), then computed and benchmarked in a background thread
with the library the command uses. The child ids of the drill-down lists go only to this page on this computer.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from csctools.web.isolation import ReaderFailed
from csctools.web.workspace import Job, UserError, Workspace

if TYPE_CHECKING:
    from csctools.indicators.benchmark import Row
    from csctools.indicators.run import Run
    from csctools.io.result import ReturnData
    from csctools.reference.authorities import Authority
    from csctools.years import CollectionYear

FORMATS = ("xlsx", "csv", "html", "docx")
STAGES = ("reading the files", "computing and benchmarking the indicators")
NOT_RETURNS = {"providers": "an Ofsted provider list, not used by the indicators"}
log = logging.getLogger("csctools.web")


def read_returns(space: Workspace, paths: list[Path], year: CollectionYear | None, role: str) -> list[ReturnData]:
    """One role's files read in the reader process: one return of each kind, each readable, or a UserError."""
    from csctools.io.result import ReadError
    from csctools.read import read_files

    try:
        returns, others = space.reader.run(read_files, paths, year)
    except ReaderFailed as error:
        raise UserError(f"{role}'s files could not be read: {error}") from error
    except ReadError as error:
        raise UserError(f"{role}'s files could not be read: {short(error.problem.describe(), space)}") from error
    for report in others:
        if report.dataset is None and report.problems:
            raise UserError(f"{Path(report.path).name}: {report.problems[0].message}")
    kinds: dict[str, int] = {}
    for data in returns:
        kinds[data.dataset] = kinds.get(data.dataset, 0) + 1
        if not data.ok:
            problem = next(p for p in data.problems if p.severity.value == "error")
            raise UserError(f"{role}'s files could not be read: {short(problem.describe(), space)}")
    doubled = [kind for kind, count in kinds.items() if count > 1]
    if doubled:
        raise UserError(f"{role}'s files hold {kinds[doubled[0]]} {doubled[0]} returns: give one (CSV tables or XML)")
    return returns


def short(text: str, space: Workspace) -> str:
    """A message naming files as the user gave them, not by the private folder they are kept in."""
    for role in ("current", "previous"):
        text = text.replace(str(space.folder(role)) + "/", "")
    return text.replace(str(space.root), "(temporary folder)")


def choose_year(returns: list[ReturnData], year: CollectionYear | None) -> CollectionYear:
    """The year asked for, else the one year the files show."""
    if year is not None:
        return year
    years = {data.year for data in returns if data.year is not None}
    if len(years) > 1:
        shown = ", ".join(sorted(y.label for y in years))
        raise UserError(f"this year's files are of different collection years ({shown}): choose the year")
    if not years:
        raise UserError("the collection year cannot be told from the files: choose it")
    return years.pop()


def choose_authority(returns: list[ReturnData], la_text: str | None) -> Authority:
    """The authority asked for, else the one the files name (a CIN census names its own)."""
    from csctools.reference.authorities import find_authority
    from csctools.validate.run import authority_in_return

    if la_text:
        try:
            return find_authority(la_text)
        except LookupError as error:
            raise UserError(str(error)) from error
    for data in returns:
        named = authority_in_return(data)
        if named is not None:
            return named
    raise UserError("the files do not name the local authority: give its code or name")


def compute_run(space: Workspace, la_text: str | None, year_text: str | None, job: Job) -> Run:
    """Everything `csc indicators` does before writing: read, choose the year and authority, compute."""
    from csctools.indicators.records import load_indicators
    from csctools.indicators.run import run_indicators, with_unread_note
    from csctools.years import CollectionYear

    try:
        asked = CollectionYear.parse(year_text) if year_text else None
    except ValueError as error:
        raise UserError(str(error)) from error
    job.done, job.message = 0, STAGES[0]
    current = space.paths("current")
    if not current:
        raise UserError("add this year's files first (in the Validate view, section 1: Add files)")
    returns = read_returns(space, current, asked, "this year")
    if not returns:
        raise UserError("none of this year's files is an SSDA903 return, a CIN census or an Annex A workbook")
    previous_paths = space.paths("previous")
    previous = read_returns(space, previous_paths, None, "last year") if previous_paths else []
    year = choose_year(returns, asked)
    if previous and any(d.year is not None and d.year != year.previous() for d in previous):
        found = ", ".join(sorted({d.year.label for d in previous if d.year is not None}))
        raise UserError(f"last year's files are of {found}, not {year.previous().label} (the year before {year})")
    authority = choose_authority(returns, la_text)
    job.done, job.message = 1, STAGES[1]
    run = run_indicators(returns, previous, load_indicators(), authority.number, authority.name, year.end_date)
    return with_unread_note(run, [*returns, *previous])  # as csc indicators says it, in the downloads too


def row_payload(row: Row, decimals: int) -> dict[str, object]:
    """One indicator as the page's table shows it: figures formatted as in the reports."""
    from csctools.indicators.export import formatted
    from csctools.indicators.html import rag, signed

    def show(value: float | None) -> str:
        return formatted(value, row.unit, decimals)

    return {
        "id": row.indicator,
        "title": row.title,
        "topic": row.topic,
        "unit": row.unit,
        "polarity": row.polarity,
        "status": row.status,
        "value": show(row.value),
        "numerator": formatted(row.numerator, "count"),
        "denominator": formatted(row.denominator, "count"),
        "england": show(row.england),
        "region": show(row.region),
        "sn_average": show(row.sn_average),
        "rank": f"{row.rank} of {row.ranked_among}" if row.rank is not None and row.ranked_among else "",
        "quartile": row.quartile,
        "ci": f"{show(row.ci_low)} to {show(row.ci_high)}" if row.ci_low is not None else "",
        "significance": row.significance,
        "change": signed(row.change, row.unit, decimals),
        "direction": row.direction,
        "rag": rag(row),
    }


class IndicatorsView:
    """One indicators run at a time; its results are kept until the next run or "Clear my data"."""

    def __init__(self, space: Workspace) -> None:
        self.space = space
        self.lock = threading.Lock()
        self.job = Job()
        self.run: Run | None = None
        self.generation = 0

    def start(self, la_text: str | None, year_text: str | None) -> None:
        with self.lock:
            if self.job.state == "running":
                raise UserError("the indicators are being computed already")
            self.job = job = Job("running", 0, len(STAGES), STAGES[0])
            self.run = None
            generation = self.generation
        threading.Thread(target=self._work, args=(generation, job, la_text, year_text), daemon=True).start()

    def _work(self, generation: int, job: Job, la_text: str | None, year_text: str | None) -> None:
        run: Run | None = None
        failure = ""
        try:
            run = compute_run(self.space, la_text, year_text, job)
        except UserError as error:
            failure = str(error)
        except BaseException as error:  # a native panic is a BaseException too; the server keeps working
            log.exception("indicators failed")
            failure = f"the indicators stopped because of a fault in csctools ({type(error).__name__})"
        with self.lock:
            if generation != self.generation:  # "Clear my data" meanwhile
                return
            self.run = run
            self.job = Job("done", len(STAGES), len(STAGES), "done") if run else Job("failed", message=failure)

    def status(self) -> dict[str, object]:
        job = self.job
        return {"state": job.state, "done": job.done, "total": job.total, "message": job.message}

    def _run(self) -> Run:
        if self.run is None:
            raise UserError("no indicators have been computed yet")
        return self.run

    def results(self) -> dict[str, object]:
        """Headline tiles, the table by topic, and what could not be computed and why."""
        from csctools.indicators.export import this_year
        from csctools.indicators.html import HEADLINES

        run = self._run()
        decimals = {r.indicator.id: r.indicator.decimals for r in run.results}
        rows = [row_payload(row, decimals.get(row.indicator, 1)) for row in this_year(run)]
        by_id = {row["id"]: row for row in rows}
        children = {r.indicator.id: bool(r.numerator_children or r.denominator_children) for r in run.results}
        for row in rows:
            row["has_children"] = children.get(str(row["id"]), False)
        population = run.population
        return {
            "la": run.la,
            "la_name": run.la_name,
            "period": {"start": run.period.start.isoformat(), "end": run.period.end.isoformat()},
            "population": (
                {"value": round(population.value), "year": population.year, "pairs": population.pairs}
                if population
                else None
            ),
            "computed": sum(1 for r in run.results if r.computed),
            "total": len(run.results),
            "headlines": [by_id[i] for i in HEADLINES if i in by_id and by_id[i]["status"] == "computed"],
            "topics": [{"topic": t, "rows": [r for r in rows if r["topic"] == t]} for t in run.topics()],
            "not_computed": [
                {"id": r["id"], "title": r["title"], "status": r["status"]} for r in rows if r["status"] != "computed"
            ],
            "inputs": [Path(p).name for p in run.inputs],
            "notes": [short(note, self.space) for note in run.notes],  # values of the returns that could not be read
        }

    def indicator(self, indicator_id: str) -> dict[str, object]:
        """One indicator's trend chart (drawn now: only the charts a person opens are drawn) and its children."""
        from csctools.indicators.charts import trend_svg
        from csctools.indicators.export import chart_series, series_of

        run = self._run()
        found = [r for r in run.results if r.indicator.id == indicator_id]
        if not found:
            raise UserError(f"no indicator '{indicator_id[:60]}'")
        result = found[0]
        series = chart_series(series_of(run, indicator_id))
        points = sum(1 for r in series if r.value is not None or r.england is not None)
        return {
            "id": indicator_id,
            "title": result.indicator.title,
            "status": result.status,
            "chart": trend_svg(series, run.la_name, indicator_id) if points >= 2 else "",
            "numerator_children": list(result.numerator_children),
            "denominator_children": list(result.denominator_children),
        }

    def report(self, extension: str) -> tuple[bytes, str]:
        """The report `csc indicators -o` writes, as bytes, and its file name."""
        from csctools.indicators.export import write_report
        from csctools.web.views import written_file

        extension = extension.lower()
        if extension not in FORMATS:
            raise UserError(f"unknown report format '{extension[:20]}' (use {', '.join(FORMATS)})")
        run = self._run()
        name = f"indicators_{run.la}_{run.period.end.isoformat()}.{extension}"
        return written_file(self.space.root, name, lambda path: write_report(run, path)), name

    def clear(self) -> None:
        with self.lock:
            self.generation += 1
            self.run = None
            self.job = Job()
