"""`csc indicators FILES...`: the authority's own figures beside England, its region and its neighbours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from csctools.cli.common import expand_inputs, fail, parse_year

if TYPE_CHECKING:
    from csctools.indicators.records import IndicatorSet
    from csctools.indicators.run import Run, RunUnderWay
    from csctools.indicators.worker import Spare
    from csctools.io.result import FileReport, ReturnData
    from csctools.reference.authorities import Authority
    from csctools.years import CollectionYear

FORMATS = (".csv", ".xlsx", ".html", ".docx")
WORKER_BYTES = 8 * 2**20  # an XML file at least this large is read in a worker process


def read_in_parallel(
    paths: list[Path],
    year: CollectionYear | None,
    worker_bytes: int = WORKER_BYTES,
    arrived: Callable[[list[ReturnData]], None] | None = None,
) -> tuple[list[ReturnData], list[FileReport]]:
    """`read_files` with the 903 CSV tables, each XML and each workbook read at once; the same returns, in the
    same order. Threads for the CSV tables and workbooks (polars and calamine release the GIL while they work);
    the largest XML file (a CIN census) of at least `worker_bytes` in a worker process, since walking its elements
    is Python holding the GIL (read here if the worker fails). `arrived` is called here, in this thread, with the
    returns of each file (or of the CSV tables) as soon as they are read, while the others are still read."""
    from concurrent.futures import Future, ThreadPoolExecutor, as_completed

    from csctools.indicators.worker import Worker
    from csctools.read import read_files

    tables = [p for p in paths if p.suffix.lower() == ".csv"]
    groups = ([tables] if tables else []) + [[p] for p in paths if p.suffix.lower() != ".csv"]
    if len(groups) < 2:
        found = read_files(paths, year)
        if arrived is not None:
            arrived(found[0])
        return found
    sizes = {i: g[0].stat().st_size for i, g in enumerate(groups) if g[0].suffix.lower() == ".xml" and g[0].is_file()}
    large = max((i for i in sizes if sizes[i] >= worker_bytes), key=sizes.__getitem__, default=None)
    # the census in one worker process (cin_workers=1): the other returns keep this process busy meanwhile
    worker = Worker(read_files, groups[large], year, 1) if large is not None else None
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        futures: dict[Future[tuple[list[ReturnData], list[FileReport]]], int] = {
            pool.submit(read_files, g, year) if i != large else pool.submit(worker.result): i  # type: ignore[union-attr]
            for i, g in enumerate(groups)
        }
        results: dict[int, tuple[list[ReturnData], list[FileReport]]] = {}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if arrived is not None:
                arrived(results[futures[future]][0])
    ordered = [results[i] for i in range(len(groups))]
    return [r for returns, _ in ordered for r in returns], [o for _, others in ordered for o in others]


def _year_end(text: str | None) -> date | None:
    """The end of the collection year `text` names; None when absent or not a year (`_read` then says why)."""
    from csctools.years import CollectionYear

    try:
        return CollectionYear.parse(text).end_date if text is not None else None
    except ValueError:
        return None


class Overlap:
    """The indicators computed while the returns are read: each return, as it arrives, goes to a RunUnderWay
    (started once the period is known: from --period-end or --year, or else from the first return that has a
    year). `run_for` gives the run if it holds exactly the returns read and the period chosen at the end;
    otherwise None, and the indicators are computed after the reading, as they would be without it."""

    def __init__(self, start: Callable[[date], RunUnderWay], end: date | None) -> None:
        self.start, self.end = start, end
        self.run: RunUnderWay | None = None
        self.waiting: list[ReturnData] = []  # read before the period was known
        self.datasets: set[str] = set()
        self.spoilt = False

    def __call__(self, returns: list[ReturnData]) -> None:
        for data in returns:
            if self.spoilt or not data.ok or data.dataset in self.datasets:
                self.spoilt = True  # the command stops at this return's problem, or computes afresh
                continue
            self.datasets.add(data.dataset)
            if self.end is None and data.year is not None:
                self.end = data.year.end_date
            self.waiting.append(data)
            if self.end is None:
                continue
            try:
                if self.run is None:
                    self.run = self.start(self.end)
                self.run.add(*self.waiting)
            except Exception:  # computed again after the reading, where the error is reported
                self.spoilt = True
            self.waiting = []

    def run_for(self, returns: list[ReturnData], end: date) -> Run | None:
        if self.spoilt or self.run is None or self.waiting or self.end != end:
            return None
        if sorted(self.run.added) != sorted(id(data) for data in returns):
            return None
        return self.run.finish(returns)


def _read(files: list[Path], year_text: str | None, role: str, arrived: Overlap | None = None) -> list[ReturnData]:
    paths = expand_inputs(files)
    if not paths:
        fail(f"no files found for {role}'s returns in {', '.join(str(f) for f in files)}")
    returns, others = read_in_parallel(paths, parse_year(year_text), arrived=arrived)
    for report in others:
        for problem in report.problems:
            fail(problem.describe())
        typer.echo(f"ignored: {report.path} (not a return)", err=True)
    kinds: dict[str, int] = {}
    for data in returns:
        kinds[data.dataset] = kinds.get(data.dataset, 0) + 1
        for problem in data.problems:
            typer.echo(f"{problem.severity.value}: {problem.describe()}", err=True)
        if not data.ok:
            fail(f"{data.files[0].path} could not be read (see above); nothing was computed")
    doubled = [k for k, n in kinds.items() if n > 1]
    if doubled:
        fail(f"{role}: give one {doubled[0]} return, not {kinds[doubled[0]]} (e.g. the CSV tables or the XML)")
    return returns


def indicators_command(
    files: Annotated[list[Path], typer.Argument(help="This year's files or folders: any mix of 903, CIN, Annex A")],
    la: Annotated[str, typer.Option(help="The authority: 3-digit code, ONS code or name")],
    year: Annotated[str | None, typer.Option(help="Collection year, e.g. 2025/26 (default: from the files)")] = None,
    previous: Annotated[list[Path] | None, typer.Option(help="Last year's files (repeatable)")] = None,
    pack: Annotated[Path | None, typer.Option(help="A pack of the authority's own indicators (folder or zip)")] = None,
    period_end: Annotated[
        str | None, typer.Option(help="The 12 months to this day (YYYY-MM-DD) instead of the collection year")
    ] = None,
    output: Annotated[
        list[Path] | None, typer.Option("--output", "-o", help="Report: .html .xlsx .csv .docx (self-assessment)")
    ] = None,
) -> None:
    """Indicators from this year's returns, benchmarked against LAIT. Exit 0: written; 2: unusable input."""
    for path in output or []:
        if path.suffix.lower() not in FORMATS:
            fail(f"{path}: unknown report format (use .html, .xlsx, .csv or .docx)")
    from csctools.indicators.records import load_indicators
    from csctools.packs.files import PackError
    from csctools.reference.authorities import find_authority

    try:
        authority = find_authority(la)
    except LookupError as error:
        fail(str(error))
    try:
        indicators = load_indicators(pack)
    except PackError as error:
        fail(str(error))
    from csctools.model import FIRST_YEAR, LAST_YEAR
    from csctools.years import CollectionYear

    asked = parse_year(year)
    if asked is not None and not FIRST_YEAR <= asked.end <= LAST_YEAR:  # tables the readers have no model of
        first, last = CollectionYear(FIRST_YEAR).label, CollectionYear(LAST_YEAR).label
        fail(f"--year {asked.label}: the returns' data model covers {first} to {last}")
    end: date | None = None
    if period_end is not None:
        try:
            end = date.fromisoformat(period_end)
        except ValueError:
            fail(f"--period-end {period_end}: not a date (use YYYY-MM-DD)")

    spare = None
    if any(path.suffix.lower() in (".html", ".docx") for path in output or []):  # charts: get them ready now
        from csctools.indicators.charts import get_ready

        spare = get_ready()
    try:
        _compute_and_write(files, year, previous, output or [], indicators, authority, end, spare)
    finally:
        if spare is not None:
            spare.close()


def _compute_and_write(
    files: list[Path],
    year: str | None,
    previous: list[Path] | None,
    output: list[Path],
    indicators: IndicatorSet,
    authority: Authority,
    end: date | None,
    spare: Spare | None,
) -> None:
    from csctools.indicators.run import RunUnderWay, run_indicators

    drill_down = any(path.suffix.lower() == ".xlsx" for path in output)  # only the XLSX lists the children
    overlap = None
    if not previous:  # last year's returns would be read first: this year's are read, then computed
        known = end or _year_end(year)
        overlap = Overlap(
            lambda period_end: RunUnderWay([], indicators, authority.number, authority.name, period_end, drill_down),
            known,
        )
    returns = _read(files, year, "this year", overlap)
    last = _read(previous, None, "last year") if previous else []
    if end is None:
        years = {data.year for data in returns if data.year is not None}
        chosen = parse_year(year)
        if chosen is None and len(years) > 1:
            fail(f"the files are of different years ({', '.join(sorted(str(y) for y in years))}): give --year")
        chosen = chosen or (years.pop() if years else None)
        if chosen is None:
            fail("the collection year cannot be told from the files: give --year (e.g. --year 2025/26)")
        end = chosen.end_date
    run = overlap.run_for(returns, end) if overlap is not None else None
    if run is None:
        run = run_indicators(returns, last, indicators, authority.number, authority.name, end, children=drill_down)
    from csctools.indicators.run import with_unread_note

    run = with_unread_note(run, [*returns, *last])  # said in every report, not only here
    given = parse_year(year)
    if given is not None:  # as csc validate warns; the figures are of the year given, so every report says it
        from csctools.validate.identity import year_given_warning

        differs = [w for w in (year_given_warning(data, given) for data in returns) if w is not None]
        for warning in dict.fromkeys(differs):
            typer.echo(f"warning: {warning}", err=True)
            run = run._replace(notes=(*run.notes, f"{warning}: the figures are for {given.label} as asked"))
    done = [r for r in run.results if r.computed]
    typer.echo(
        f"{authority.name} ({authority.number}), {run.period.start} to {run.period.end}: "
        f"{len(done)} of {len(run.results)} indicators computed"
    )
    reasons: dict[str, list[str]] = {}
    for result in run.results:
        if not result.computed:
            reasons.setdefault(result.status, []).append(result.indicator.id)
    for reason, ids in reasons.items():
        typer.echo(f"  {reason}: {', '.join(ids)}")
    covered = [data.year.start_date for data in returns if data.year is not None]
    if covered and run.period.start < min(covered):
        typer.echo(
            f"  note: the period starts on {run.period.start}, before this year's return ({min(covered)} on): "
            f"events before {min(covered)} are not counted (last year's return gives only the change since last "
            "year), so counts of starts, leavers, referrals and the like cover part of the period"
        )
    for note in run.notes:
        typer.echo(f"  note: {note}")
    if run.population is not None:
        p = run.population
        typer.echo(
            f"  child population (LAIT {p.year - 1}/{str(p.year)[2:]}, from {p.pairs} count/rate pairs): "
            f"{p.value:,.0f} (within {p.relative_error:.3%})"
        )
    for path in output:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            fail(f"{path}: cannot write there ({error.strerror or error})")
        from csctools.indicators.export import write_report

        write_report(run, path, spare)
        typer.echo(f"report: {path}")
