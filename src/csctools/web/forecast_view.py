"""The page's Forecast view: `csc forecast` over several years of SSDA903 files added on the page.

The files have their own drop zone: each drop (or pick) of files is kept in a folder of its own ("drop 1", "drop
2", ...), as `csc forecast` takes a folder per year, so that each year's `header.csv` keeps its name. A drop may
also hold several years (XML files, or CSV tables sorted by their dates as `csc validate` sorts them). Files are
read in the reader process (they are untrusted); the forecast runs in a background thread.
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from csctools.web.folders import private_folder, write_private
from csctools.web.isolation import ReaderFailed
from csctools.web.workspace import MAX_FILE_BYTES, Job, UserError, Workspace, safe_name

if TYPE_CHECKING:
    from csctools.forecast.history import History, YearData
    from csctools.forecast.run import Options, Outcome

FORMATS = ("csv", "xlsx", "html")
STAGES = ("reading the files", "cleaning the episodes", "forecasting and back-testing", "drawing the charts")
MAX_DROPS = 50
log = logging.getLogger("csctools.web")


def read_drop(folder: Path) -> tuple[list[YearData], list[str], str | None]:
    """One drop's years (run in the reader process): the years, notes, and the error that stops it (or None)."""
    from csctools.forecast.history import ForecastInputError
    from csctools.forecast.inputs import read_years
    from csctools.io.result import ReadError

    try:
        years, notes = read_years([folder])
    except ForecastInputError as error:
        return [], [], str(error)
    except ReadError as error:  # a file no reader can take at all
        return [], [], error.problem.describe()
    return years, notes, None


@dataclass(frozen=True)
class Defaults:
    data_end: date
    reference_start: date
    reference_end: date
    forecast_end: date


def defaults_for(years: list[YearData]) -> Defaults:
    """The dates `csc forecast` uses when none are given: the last 12 months of data, 18 months of forecast."""
    import polars as pl

    from csctools.forecast.demand_model import default_dates

    ends = [y.episodes.select(pl.max_horizontal(pl.col("DECOM").max(), pl.col("DEC").max())).item() for y in years]
    last = max(e for e in ends if e is not None)
    start, end, forecast_end = default_dates(last)
    first = min(y.year.start_date for y in years)
    return Defaults(last, max(start, first), end, forecast_end)


def parse_day(value: object, label: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise UserError(f"{label}: '{str(value)[:30]}' is not a date (write 2026-03-31)") from error


def options_from(given: dict[str, object]) -> tuple[Options, str | None]:
    """The run's options from the page's choices (blank: the command's defaults), and the authority's label."""
    from csctools.forecast.costs import DEFAULT_WEEKLY, PUBLISHED_WEEKLY, CostSettings
    from csctools.forecast.run import DEMAND_MODEL, METHODS, Options

    method = str(given.get("method") or METHODS[0])
    if method not in METHODS:
        raise UserError(f"unknown method '{method[:30]}' (use {' or '.join(METHODS)})")
    authority = None
    la = str(given.get("la") or "").strip()
    if la:
        from csctools.reference.authorities import find_authority

        try:
            found = find_authority(la)
        except LookupError as error:
            raise UserError(str(error)) from error
        authority = f"{found.name} ({found.number})"
    weekly = dict(PUBLISHED_WEEKLY if method == DEMAND_MODEL else DEFAULT_WEEKLY)
    options = Options(
        method=method,
        reference_start=parse_day(given.get("reference_start"), "reference period start"),
        reference_end=parse_day(given.get("reference_end"), "reference period end"),
        forecast_end=parse_day(given.get("forecast_end"), "forecast end"),
        costs=CostSettings(weekly),
    )
    return options, authority


def charts(outcome: Outcome) -> dict[str, list[str]]:
    """The report's charts by name (placement, age_band, cost; scenarios when given), each a list of inline SVG."""
    from csctools.forecast.charts import forecast_charts

    return {name: [svg] for name, svg in forecast_charts(outcome).items()}


@dataclass(frozen=True)
class Done:
    outcome: Outcome
    history: History
    authority: str | None
    charts: dict[str, list[str]]


class ForecastView:
    """The forecast's own uploads (a folder per drop) and one forecast at a time."""

    def __init__(self, space: Workspace) -> None:
        self.space = space
        self.lock = threading.Lock()
        self.job = Job()
        self.generation = 0
        self.folder: Path | None = None
        self.reads: dict[tuple[object, ...], tuple[list[YearData], list[str], str | None]] = {}
        self.outcome: Done | None = None

    # --- files -------------------------------------------------------------------------------------------------

    def _root(self) -> Path:
        if self.folder is None:
            self.folder = private_folder(self.space.root, "forecast-")
        return self.folder

    def _drop(self, drop: str) -> Path:
        if not (drop.isascii() and drop.isdigit() and 1 <= int(drop) <= MAX_DROPS):
            raise UserError(f"unknown drop '{drop[:20]}' (at most {MAX_DROPS} drops of files)")
        folder = self._root() / f"drop-{int(drop)}"
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def add_file(self, drop: str, name: str, content: bytes) -> dict[str, object]:
        clean = safe_name(name) or "upload"
        if self.job.state == "running":
            raise UserError(f"{clean}: wait for the forecast to finish before adding files")
        if len(content) > MAX_FILE_BYTES:
            raise UserError(f"{clean}: the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        if not content:
            raise UserError(f"{clean}: the file is empty")
        with self.lock:
            write_private(self._drop(drop) / clean, content)
            self.outcome = None
        self.space.reader.start()
        return {"drop": int(drop), "name": clean}

    def remove_file(self, drop: str, name: str | None) -> None:
        """One file of a drop (`name`), or the whole drop (None)."""
        if self.job.state == "running":
            raise UserError("wait for the forecast to finish before removing files")
        with self.lock:
            folder = self._drop(drop)
            if name is None:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                clean = safe_name(name)
                if clean:
                    (folder / clean).unlink(missing_ok=True)
                if not any(folder.iterdir()):
                    folder.rmdir()
            self.outcome = None

    def clear(self) -> None:
        """Forget the forecast's files and results (with those of a forecast still running)."""
        with self.lock:
            self.generation += 1
            old, self.folder = self.folder, None
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            self.reads = {}
            self.outcome = None
            self.job = Job()

    def _drops(self) -> list[Path]:
        if self.folder is None:
            return []
        found = [p for p in self.folder.iterdir() if p.is_dir() and p.name.startswith("drop-")]
        return sorted(found, key=lambda p: int(p.name.removeprefix("drop-")))

    def _read(self, folder: Path) -> tuple[list[YearData], list[str], str | None]:
        files = sorted(p for p in folder.iterdir() if p.is_file())
        key = (folder.name, tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files))
        if key not in self.reads:
            try:
                read = self.space.reader.run(read_drop, folder)
            except ReaderFailed as error:
                read = ([], [], f"{self._label(folder)}: could not be read: {error}")
            self.reads = {k: v for k, v in self.reads.items() if k[0] != folder.name}
            self.reads[key] = read
        return self.reads[key]

    def _label(self, folder: Path) -> str:
        return folder.name.replace("-", " ")

    def short(self, text: str) -> str:
        """Paths in messages as the page shows them: 'drop 2/header.csv'."""
        if self.folder is not None:
            for drop in self._drops():
                text = text.replace(str(drop), self._label(drop))
            text = text.replace(str(self.folder), "(forecast files)")
        return text.replace(str(self.space.root), "(temporary folder)")

    def describe(self) -> dict[str, object]:
        """Each drop: its files, the collection years found in it, and what stops it being used."""
        drops: list[dict[str, object]] = []
        every: list[YearData] = []
        for folder in self._drops():
            years, notes, error = self._read(folder)
            every.extend(years)
            drops.append(
                {
                    "drop": int(folder.name.removeprefix("drop-")),
                    "files": sorted(p.name for p in folder.iterdir() if p.is_file()),
                    "years": [
                        {
                            "year": y.year.label,
                            "children": y.header.height,
                            "episodes": y.episodes.height,
                            "files": [self.short(s) for s in y.sources],
                        }
                        for y in years
                    ],
                    "notes": [self.short(n) for n in notes],
                    "error": self.short(error) if error else None,
                }
            )
        defaults = None
        if every:
            found = defaults_for(every)
            defaults = {k: v.isoformat() for k, v in vars(found).items()}
        return {"drops": drops, "defaults": defaults, "max_bytes": MAX_FILE_BYTES}

    # --- the forecast ------------------------------------------------------------------------------------------

    def start(self, given: dict[str, object]) -> None:
        options, authority = options_from(given)
        with self.lock:
            if self.job.state == "running":
                raise UserError("a forecast is running already")
            if not self._drops():
                raise UserError("add the SSDA903 files of several years first (Header and Episodes of each year)")
            self.job = job = Job("running", 0, len(STAGES), STAGES[0])
            self.outcome = None
            generation = self.generation
        threading.Thread(target=self._work, args=(generation, job, options, authority), daemon=True).start()

    def _work(self, generation: int, job: Job, options: Options, authority: str | None) -> None:
        outcome: Done | None = None
        failure = ""
        try:
            forecast, history = self._forecast(job, options)
            job.done, job.message = 3, STAGES[3]
            outcome = Done(forecast, history, authority, charts(forecast))
        except UserError as error:
            failure = self.short(str(error))
        except BaseException as error:  # a native panic is a BaseException too; the server keeps working
            log.exception("forecast failed")
            failure = f"the forecast stopped because of a fault in csctools ({type(error).__name__})"
        with self.lock:
            if generation != self.generation:  # "Clear my data" meanwhile
                return
            self.outcome = outcome
            self.job = Job("done", len(STAGES), len(STAGES), "done") if outcome else Job("failed", message=failure)

    def _forecast(self, job: Job, options: Options) -> tuple[Outcome, History]:
        from csctools.forecast.history import ForecastInputError, load_history
        from csctools.forecast.run import run_forecast

        years: list[YearData] = []
        for folder in self._drops():
            found, _notes, error = self._read(folder)
            if error:
                raise UserError(error)
            years.extend(found)
        if not years:
            raise UserError("no SSDA903 Header and Episodes among the files added")
        if len(years) < 2:
            raise UserError(
                f"only one collection year ({years[0].year.label}) among the files: a forecast needs several years "
                "of Header and Episodes (the reference period is the last 12 months, the back-test needs two years)"
            )
        try:
            job.done, job.message = 1, STAGES[1]
            history = load_history(years)
            job.done, job.message = 2, STAGES[2]
            outcome = run_forecast(history, options)
        except ForecastInputError as error:
            raise UserError(str(error)) from error
        return outcome, history

    def status(self) -> dict[str, object]:
        job = self.job
        return {"state": job.state, "done": job.done, "total": job.total, "message": job.message}

    def _outcome(self) -> Done:
        if self.outcome is None:
            raise UserError("nothing has been forecast yet")
        return self.outcome

    def results(self) -> dict[str, object]:
        """What the HTML report shows: the summary, fan charts, end-of-forecast table, costs and the back-test."""
        from csctools.forecast.history import describe_changes
        from csctools.forecast.report import cost_table, end_table

        done = self._outcome()
        outcome, history = done.outcome, done.history
        backtest = outcome.backtest.to_dicts() if outcome.backtest is not None else []
        return {
            "authority": done.authority,
            "method": outcome.method,
            "years": [y.label for y in history.years],
            "reference": [d.isoformat() for d in outcome.reference],
            "start": outcome.results[0].population["date"].min(),
            "forecast_end": outcome.forecast_end.isoformat(),
            "last_step": outcome.last_step.isoformat(),  # what the forecast runs to: the date to show
            "period": outcome.period(),  # 'forecast to LAST (the last step: ...)', as the CLI and the report say
            "step_days": outcome.options.steps,
            "runs": outcome.options.runs if outcome.method != "demand-model-0.5" else None,
            "notes": [self.short(n) for n in (*history.warnings, *outcome.notes)],
            "cleaning": describe_changes(history.changes),
            "backtest_note": outcome.backtest_note,
            "backtest": backtest,
            "end_table": end_table(outcome),
            "cost_table": cost_table(outcome),
            "charts": done.charts,
        }

    def report(self, extension: str) -> tuple[bytes, str]:
        """The file `csc forecast -o` writes, as bytes, and its name."""
        from csctools.forecast.report import write
        from csctools.web.views import written_file

        extension = extension.lower()
        if extension not in FORMATS:
            raise UserError(f"unknown report format '{extension[:20]}' (use {', '.join(FORMATS)})")
        done = self._outcome()
        outcome = done.outcome
        name = f"forecast_{outcome.method}_{outcome.forecast_end.isoformat()}.{extension}"
        content = written_file(self.space.root, name, lambda path: write(outcome, done.history, path, done.authority))
        return content, name
