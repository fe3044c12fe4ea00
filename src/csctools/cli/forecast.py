"""`csc forecast FOLDERS...`: children in care by age band and placement, and their cost, from several years."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from csctools.cli.common import fail

FORMATS = (".csv", ".html", ".xlsx")


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: '{text}' is not a date (write 2026-03-31)")


def _unit_costs(values: list[str]) -> dict[str, float]:
    from csctools.forecast.states import CATEGORIES

    costs: dict[str, float] = {}
    for value in values:
        name, _, amount = value.partition("=")
        name = name.strip().upper()
        if name not in CATEGORIES:
            fail(f"--unit-cost {value}: the placement must be one of {', '.join(CATEGORIES)}")
        try:
            costs[name] = float(amount)
        except ValueError:
            fail(f"--unit-cost {value}: '{amount}' is not a number (write RESIDENTIAL=5500)")
    return costs


def forecast_command(
    folders: Annotated[
        list[Path] | None, typer.Argument(help="A folder (or 903 XML file) per collection year (or --store)")
    ] = None,
    method: Annotated[str, typer.Option(help="simulation (default) or demand-model-0.5")] = "simulation",
    la: Annotated[str | None, typer.Option(help="The authority (named in the reports; with --store, read)")] = None,
    store: Annotated[
        Path | None, typer.Option(help="A store (csc store add): its latest version of each year for --la")
    ] = None,
    reference_start: Annotated[str | None, typer.Option(help="Default: 12 months before the data end")] = None,
    reference_end: Annotated[str | None, typer.Option(help="Default: the data end")] = None,
    forecast_end: Annotated[str | None, typer.Option(help="Default: 18 months after the data end")] = None,
    step_days: Annotated[
        int | None, typer.Option(help="Days per step (default 90 demand-model-0.5, 30 simulation)")
    ] = None,
    runs: Annotated[int, typer.Option(help="Simulation runs")] = 1000,
    seed: Annotated[int, typer.Option(help="Simulation seed")] = 1,
    scenario: Annotated[list[Path] | None, typer.Option(help="Scenario YAML file or pack (repeatable)")] = None,
    unit_cost: Annotated[
        list[str] | None, typer.Option(help="Weekly unit cost, e.g. RESIDENTIAL=5500 (repeatable)")
    ] = None,
    inflation: Annotated[float, typer.Option(help="Cost inflation a year, e.g. 0.03")] = 0.0,
    discount: Annotated[float, typer.Option(help="Discount rate a year for present values")] = 0.0,
    backtest: Annotated[bool, typer.Option(help="Back-test on the last year of data")] = True,
    changes: Annotated[Path | None, typer.Option(help="CSV listing every episode the cleaning changed")] = None,
    costs_csv: Annotated[Path | None, typer.Option("--costs", help="CSV of costs per step and placement")] = None,
    costs_by_year: Annotated[
        Path | None, typer.Option(help="CSV of cost per financial year and placement (simulation: p05..p95)")
    ] = None,
    output: Annotated[list[Path] | None, typer.Option("--output", "-o", help="Forecast: .csv .html .xlsx")] = None,
) -> None:
    """Forecast children looked after and their cost from several years of SSDA903 returns. Exit 2: bad input."""
    from csctools.forecast.costs import DEFAULT_WEEKLY, PUBLISHED_WEEKLY, CostSettings
    from csctools.forecast.history import ForecastInputError, describe_changes, load_history
    from csctools.forecast.inputs import read_years
    from csctools.forecast.run import DEMAND_MODEL, METHODS, Options, run_forecast
    from csctools.forecast.scenarios import load_scenarios
    from csctools.packs.files import PackError

    if method not in METHODS:
        fail(f"unknown method '{method}' (use {' or '.join(METHODS)})")
    for path in output or []:
        if path.suffix.lower() not in FORMATS:
            fail(f"{path}: unknown output format (use .csv, .html or .xlsx)")
    if runs < 1 or (step_days is not None and not 1 <= step_days <= 180):
        fail("--runs must be at least 1 and --step-days between 1 and 180")
    if store is not None and (folders or not la):
        fail("--store reads one authority's years from the store: give --la CODE and no folders")
    if store is None and not folders:
        fail("give a folder per collection year, or --store STORE --la CODE")
    authority, la_number = None, ""
    if la:
        from csctools.reference.authorities import find_authority

        try:
            found = find_authority(la)
        except LookupError as error:
            fail(str(error))
        authority, la_number = f"{found.name} ({found.number})", found.number
    try:
        scenarios = tuple(s for path in scenario or [] for s in load_scenarios(path))
    except PackError as error:
        fail(str(error))
    names = [s.name for s in scenarios]
    for scenario_read in scenarios:
        if scenario_read.name == "base" or names.count(scenario_read.name) > 1:
            fail(f"{scenario_read.source}: scenario name '{scenario_read.name}' is used twice (or is 'base')")
    weekly = dict(PUBLISHED_WEEKLY if method == DEMAND_MODEL else DEFAULT_WEEKLY)
    weekly.update(_unit_costs(unit_cost or []))
    options = Options(
        method=method,
        reference_start=_date(reference_start, "--reference-start"),
        reference_end=_date(reference_end, "--reference-end"),
        forecast_end=_date(forecast_end, "--forecast-end"),
        step_days=step_days,
        runs=runs,
        seed=seed,
        scenarios=scenarios,
        costs=CostSettings(weekly, inflation, discount),
        backtest=backtest,
    )
    try:
        if store is not None:
            from csctools.forecast.from_store import store_years

            years, used = store_years(store, la_number)
            typer.echo(f"store: {'; '.join(used)}", err=True)
        else:
            years, notes = read_years(folders or [])
            for note in notes:
                typer.echo(f"warning: {note}", err=True)
        history = load_history(years)
        for warning in history.warnings:
            typer.echo(f"warning: {warning}", err=True)
        for line in describe_changes(history.changes):
            typer.echo(f"cleaning: {line}", err=True)
        outcome = run_forecast(history, options)
    except ForecastInputError as error:
        fail(str(error))
    from csctools.forecast.report import cost_by_year_table, costs_table, headline, population_table, write

    for note in outcome.notes:
        typer.echo(f"note: {note}", err=True)
    typer.echo(
        f"{outcome.method}: {history.years[0].label} to {history.years[-1].label}; reference "
        f"{outcome.reference[0]} to {outcome.reference[1]}; {outcome.period()}",
        err=True,
    )
    for line in headline(outcome):
        typer.echo(line, err=True)
    given = set(_unit_costs(unit_cost or []))
    source = "the published model's" if method == DEMAND_MODEL else "csctools' illustrative defaults"
    costs = ", ".join(
        f"{name.title()} £{amount:,.0f}" + (" (given)" if name in given else "") for name, amount in weekly.items()
    )
    whose = "all given" if given >= set(weekly) else f"the others {source}" if given else source
    typer.echo(f"unit costs a week: {costs} ({whose}; --unit-cost RESIDENTIAL=5500 sets one)", err=True)
    typer.echo(f"back-test: {outcome.backtest_note}", err=True)
    if outcome.backtest is not None:
        for row in outcome.backtest.iter_rows(named=True):
            if row["placement"] in outcome.empty_categories:
                typer.echo(f"  {row['placement']:<12} no children in this category in the data", err=True)
                continue
            band = f", inside the 90% band on {row['in_90_band']:.0%} of dates" if "in_90_band" in row else ""
            typer.echo(
                f"  {row['placement']:<12} on {row['compared_on']}: actual {row['actual']:,.0f}, forecast "
                f"{row['forecast']:,.1f} ({row['pct_error']:+.1f}%); mean absolute error over the year "
                f"{row['mean_abs_pct_error']:.1f}%{band}",
                err=True,
            )
    if changes is not None:
        history.changes.write_csv(changes)
        typer.echo(f"cleaning list: {changes}", err=True)
    if costs_csv is not None:
        costs_table(outcome).write_csv(costs_csv)
        typer.echo(f"costs: {costs_csv}", err=True)
    if costs_by_year is not None:
        cost_by_year_table(outcome).write_csv(costs_by_year)
        typer.echo(f"costs by financial year: {costs_by_year}", err=True)
    for path in output or []:
        write(outcome, history, path, authority)
        typer.echo(f"report: {path}", err=True)  # as csc validate and csc indicators say it
    if not output:
        typer.echo(str(population_table(outcome).write_csv()), nl=False)
