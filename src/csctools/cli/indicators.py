"""`csc indicators FILES...`: the authority's own figures beside England, its region and its neighbours."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from csctools.cli.common import expand_inputs, fail, parse_year

if TYPE_CHECKING:
    from csctools.io.result import FileReport, ReturnData
    from csctools.years import CollectionYear

FORMATS = (".csv", ".xlsx", ".html", ".docx")
WORKER_BYTES = 8 * 2**20  # an XML file at least this large is read in a worker process


def read_in_parallel(
    paths: list[Path], year: CollectionYear | None, worker_bytes: int = WORKER_BYTES
) -> tuple[list[ReturnData], list[FileReport]]:
    """`read_files` with the 903 CSV tables, each XML and each workbook read at once; the same returns, in the
    same order. Threads for the CSV tables and workbooks (polars and calamine release the GIL while they work);
    the largest XML file (a CIN census) of at least `worker_bytes` in a worker process, since walking its elements
    is Python holding the GIL (read here if the worker fails)."""
    from concurrent.futures import ThreadPoolExecutor

    from csctools.indicators.worker import Worker
    from csctools.read import read_files

    tables = [p for p in paths if p.suffix.lower() == ".csv"]
    groups = ([tables] if tables else []) + [[p] for p in paths if p.suffix.lower() != ".csv"]
    if len(groups) < 2:
        return read_files(paths, year)
    sizes = {i: g[0].stat().st_size for i, g in enumerate(groups) if g[0].suffix.lower() == ".xml" and g[0].is_file()}
    large = max((i for i in sizes if sizes[i] >= worker_bytes), key=sizes.__getitem__, default=None)
    # the census in one worker process (cin_workers=1): the other returns keep this process busy meanwhile
    worker = Worker(read_files, groups[large], year, 1) if large is not None else None
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        threads = {i: pool.submit(read_files, g, year) for i, g in enumerate(groups) if i != large}
        results = [threads[i].result() if i in threads else worker.result() for i in range(len(groups))]  # type: ignore[union-attr]
    return [r for returns, _ in results for r in returns], [o for _, others in results for o in others]


def _read(files: list[Path], year_text: str | None, role: str) -> list[ReturnData]:
    paths = expand_inputs(files)
    if not paths:
        fail(f"no files found for {role}'s returns in {', '.join(str(f) for f in files)}")
    returns, others = read_in_parallel(paths, parse_year(year_text))
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
    end: date | None = None
    if period_end is not None:
        try:
            end = date.fromisoformat(period_end)
        except ValueError:
            fail(f"--period-end {period_end}: not a date (use YYYY-MM-DD)")
    returns = _read(files, year, "this year")
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
    from csctools.indicators.run import run_indicators

    drill_down = any(path.suffix.lower() == ".xlsx" for path in output or [])  # only the XLSX lists the children
    run = run_indicators(returns, last, indicators, authority.number, authority.name, end, children=drill_down)
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
    if run.population is not None:
        p = run.population
        typer.echo(
            f"  child population (LAIT {p.year - 1}/{str(p.year)[2:]}, from {p.pairs} count/rate pairs): "
            f"{p.value:,.0f} (within {p.relative_error:.3%})"
        )
    for path in output or []:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            fail(f"{path}: cannot write there ({error.strerror or error})")
        from csctools.indicators.export import write_report

        write_report(run, path)
        typer.echo(f"report: {path}")
