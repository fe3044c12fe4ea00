"""Writing a forecast: tidy CSV, a self-contained HTML page (inline SVG), an XLSX workbook with native charts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from csctools.forecast.costs import year_label
from csctools.forecast.history import History, describe_changes
from csctools.forecast.run import DEMAND_MODEL, NO_CHILDREN, PERCENTILES, Outcome, cost_settings
from csctools.forecast.scenarios import Change
from csctools.forecast.states import CATEGORIES

FORMATS = (".csv", ".html", ".xlsx")


def population_table(outcome: Outcome) -> pl.DataFrame:
    """The CSV: one row per date, age band and placement; a scenario column when scenarios were given."""
    columns = ["date", "age_band", "placement", "population"]
    if outcome.method != DEMAND_MODEL:
        columns += list(PERCENTILES)
    frames = [r.population.select(pl.lit(r.scenario.name).alias("scenario"), *columns) for r in outcome.results]
    table = pl.concat(frames)
    return table if len(outcome.results) > 1 else table.drop("scenario")


def costs_table(outcome: Outcome) -> pl.DataFrame:
    return pl.concat([r.costs.select(pl.lit(r.scenario.name).alias("scenario"), pl.all()) for r in outcome.results])


def headline(outcome: Outcome) -> list[str]:
    """What the forecast says, for the terminal: children in care now and at the last step, and the cost over the
    forecast, for the base and each scenario against it (the simulation's figure: each placement's median, summed)."""
    history = outcome.history
    latest = history["date"].max()
    start = ""  # children in care on the last day of the history, when it has one
    if isinstance(latest, date):
        start = f"{history.filter(pl.col('date') == latest)['actual'].sum():,.0f} on {latest} (actual) -> "
    column = "population" if outcome.method == DEMAND_MODEL else "p50"
    summed = "" if outcome.method == DEMAND_MODEL else " (each placement's median, summed)"
    last = outcome.last_step
    figures = []
    for result in outcome.results:
        children = round(float(result.totals.filter(pl.col("date") == last)[column].sum()))  # as said, so that
        figures.append((result.scenario.name, children, round(float(result.by_year["cost"].sum()))))  # differences add
    name, children, cost = figures[0]
    lines = [f"children in care: {start}{children:,.0f} on {last}{summed}; cost £{cost:,.0f} over the forecast"]
    for other, others_children, others_cost in figures[1:]:
        lines.append(
            f"  scenario {other}: {others_children:,.0f} on {last} ({others_children - children:+,.0f} against "
            f"{name}); cost £{others_cost:,.0f} ({_pounds(others_cost - cost)} against {name})"
        )
    return lines


def _pounds(amount: float) -> str:
    return f"{'-' if amount < 0 else '+'}£{abs(amount):,.0f}"


def covers() -> pl.Expr:
    """'whole year', 'part year: 182 days, FROM to TO' or 'part year: 1 day, DAY' from year, first_day, last_day."""
    start = pl.col("year").str.slice(0, 4).cast(pl.Int32)
    whole = (pl.col("first_day") == pl.date(start, 4, 1)) & (pl.col("last_day") == pl.date(start + 1, 3, 31))
    days = (pl.col("last_day") - pl.col("first_day")).dt.total_days() + 1
    return (
        pl.when(whole)
        .then(pl.lit("whole year"))
        .when(days == 1)
        .then(pl.format("part year: 1 day, {}", pl.col("first_day")))
        .otherwise(pl.format("part year: {} days, {} to {}", days, pl.col("first_day"), pl.col("last_day")))
        .alias("covers")
    )


def cost_by_year_table(outcome: Outcome) -> pl.DataFrame:
    """The `--costs-by-year` CSV: a row per scenario, financial year and placement, then ALL placements together:
    the days covered, cost, cumulative and discounted cost (as the HTML and XLSX show them), and for the simulation
    p05..p95 of the runs' costs."""
    frames = []
    for result in outcome.results:
        years = result.by_year
        together = (
            years.group_by("year")
            .agg(
                pl.col("first_day").min(),
                pl.col("last_day").max(),
                pl.col("cost", "discounted_cost").sum(),
                pl.col("partial").any(),
            )
            .sort("year")
            .with_columns(pl.lit("ALL").alias("placement"), pl.col("cost").cum_sum().alias("cumulative_cost"))
        )
        rows = pl.concat([years, together.select(years.columns)]).with_columns(
            ((pl.col("last_day") - pl.col("first_day")).dt.total_days() + 1).alias("days")
        )
        columns = ["year", "placement", "first_day", "last_day", "days", "cost", "cumulative_cost", "discounted_cost"]
        if result.year_quantiles is not None:
            rows = rows.join(result.year_quantiles, on=["year", "placement"], how="left")
            columns += list(PERCENTILES)
        frames.append(rows.select(pl.lit(result.scenario.name).alias("scenario"), *columns).sort("year"))
    money = ["cost", "cumulative_cost", "discounted_cost", *(PERCENTILES if outcome.method != DEMAND_MODEL else ())]
    table = pl.concat(frames).with_columns(pl.col(money).round(2))  # pounds and pence
    order = {name: i for i, name in enumerate((*CATEGORIES, "ALL"))}
    return table.sort(
        pl.col("scenario").replace_strict({r.scenario.name: i for i, r in enumerate(outcome.results)}),
        "year",
        pl.col("placement").replace_strict(order),
    )


def part_years(outcome: Outcome) -> list[str]:
    """The financial years the forecast covers only part of, with their days ('2026/27 (part year: 182 days, ...')"""
    spans = outcome.results[0].by_year.group_by("year").agg(pl.col("first_day").min(), pl.col("last_day").max())
    labels = [year_label(*row) for row in spans.sort("year").rows()]
    return [label for label in labels if "(part" in label]


def write(outcome: Outcome, history: History, path: Path, authority: str | None) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        population_table(outcome).write_csv(path)
    elif suffix == ".html":
        path.write_text(html_page(outcome, history, authority), encoding="utf-8")
    elif suffix == ".xlsx":
        write_xlsx(outcome, history, path)
    else:
        raise ValueError(f"{path}: unknown output format (use .csv, .html or .xlsx)")


def html_page(outcome: Outcome, history: History, authority: str | None) -> str:
    import jinja2

    from csctools.forecast.charts import forecast_charts

    base = outcome.results[0]
    charts = forecast_charts(outcome)
    cost = cost_table(outcome)
    settings = cost_settings(outcome.options, base.scenario)
    template = jinja2.Template(Path(__file__).with_name("report.html.j2").read_text(encoding="utf-8"), autoescape=True)
    backtest = outcome.backtest.to_dicts() if outcome.backtest is not None else []
    page: str = template.render(
        authority=authority,
        method=outcome.method,
        years=f"{history.years[0].label} to {history.years[-1].label}",
        reference=outcome.reference,
        start=base.population["date"].min(),
        period=outcome.period(),
        step_days=outcome.options.steps,
        runs=outcome.options.runs if outcome.method != DEMAND_MODEL else None,
        notes=[*history.warnings, *outcome.notes],
        backtest=backtest,
        has_band=bool(backtest) and "in_90_band" in backtest[0],
        empty=outcome.empty_categories,
        backtest_note=outcome.backtest_note,
        charts=charts,
        scenarios=[
            {"label": r.scenario.label, "changes": _describe(r.scenario.changes), "source": r.scenario.source}
            for r in outcome.results[1:]
        ],
        end_table=end_table(outcome),
        cost_table=cost,
        unit_costs=", ".join(f"{k.title()} £{v:,.0f}" for k, v in settings.weekly.items()),
        inflation=f"{settings.inflation:.1%}",
        discount=f"{settings.discount:.1%}",
        changes=describe_changes(history.changes),
    )
    return page


def _describe(changes: tuple[Change, ...]) -> str:
    parts = []
    for change in changes:
        since, value = change.since, change.value
        ages = f" (ages {', '.join(change.age_bands)})" if change.age_bands else ""
        if change.change == "entries":
            parts.append(f"from {since}: entries ({change.flow}){ages} x{value:g}")
        elif change.change == "move":
            parts.append(f"from {since}: moves {change.placement} to {change.to}{ages} x{value:g}")
        else:
            parts.append(f"from {since}: {change.placement} costs £{value:,.0f} a week")
    return "; ".join(parts)


def end_table(outcome: Outcome) -> dict[str, object]:
    rows = []
    last = outcome.results[0].totals["date"].max()
    for category in CATEGORIES:
        row: list[str] = [category.title()]
        if category in outcome.empty_categories:
            rows.append([*row, NO_CHILDREN])
            continue
        for result in outcome.results:
            at_end = result.totals.filter((pl.col("date") == last) & (pl.col("placement") == category)).row(
                0, named=True
            )
            row += [f"{at_end['p50']:,.0f}", f"{at_end['p05']:,.0f} to {at_end['p95']:,.0f}"]
        rows.append(row)
    return {"scenarios": [r.scenario.name for r in outcome.results], "rows": rows}


def cost_table(outcome: Outcome) -> dict[str, Any]:
    discounted = any(cost_settings(outcome.options, r.scenario).discount for r in outcome.results)
    tables = [
        r.by_year.group_by("year").agg(pl.col("cost", "discounted_cost").sum()).sort("year") for r in outcome.results
    ]
    years = tables[0]["year"].to_list()
    spans = outcome.results[0].by_year.group_by("year").agg(pl.col("first_day").min(), pl.col("last_day").max())
    covered = {y: (a, b) for y, a, b in spans.rows()}
    rows = []
    running = [0.0] * len(tables)
    for index, year in enumerate(years):
        row = [year_label(year, *covered[year])]
        for t, table in enumerate(tables):
            cost, present = table.row(index)[1:]
            running[t] += cost
            row += [f"£{cost:,.0f}", f"£{running[t]:,.0f}"] + ([f"£{present:,.0f}"] if discounted else [])
        rows.append(row)
    return {
        "scenarios": [r.scenario.name for r in outcome.results],
        "rows": rows,
        "discounted": discounted,
        "years": years,
    }


SHEET_NAME_LIMIT = 31  # Excel's limit on a sheet name
FIXED_SHEETS = ("Summary", "Forecast", "Costs", "Financial years", "Cost by year", "Back-test", "Cleaning")


def placement_sheet_names(outcome: Outcome) -> list[str]:
    """A sheet name per scenario, 'By placement NAME', that fits Excel's 31 characters and is unique (Excel
    compares sheet names without case): a long name keeps its start and end around an ellipsis, and a name
    still taken gets ' (2)', ' (3)', ... The Summary sheet lists each sheet with its scenario's full name."""
    taken = {name.casefold() for name in FIXED_SHEETS}
    names = []
    for result in outcome.results:
        wanted = " ".join("".join(" " if ch in "[]:*?/\\'" else ch for ch in result.scenario.name).split())
        name = _fit("By placement ", wanted or "scenario")
        number = 2
        while name.casefold() in taken:
            name = _fit("By placement ", wanted or "scenario", f" ({number})")
            number += 1
        taken.add(name.casefold())
        names.append(name)
    return names


def _fit(prefix: str, name: str, suffix: str = "") -> str:
    """prefix + name + suffix in at most 31 characters: the middle of a long name becomes an ellipsis."""
    room = SHEET_NAME_LIMIT - len(prefix) - len(suffix)
    if len(name) > room:
        head = (room - 1) // 2
        name = f"{name[:head].rstrip()}\u2026{name[len(name) - (room - 1 - head) :].lstrip()}"
    return f"{prefix}{name}{suffix}"


def write_xlsx(outcome: Outcome, history: History, path: Path) -> None:
    """Tables on their own sheets, with native line charts of children by placement and columns of costs."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "£#,##0"})
    summary = book.add_worksheet("Summary")
    lines = [
        f"Method: {outcome.method}",
        f"History: {history.years[0].label} to {history.years[-1].label}",
        f"Reference period: {outcome.reference[0]} to {outcome.reference[1]}",
        f"Steps of {outcome.options.steps} days from {outcome.results[0].population['date'].min()!s}; "
        + outcome.period(),
        outcome.backtest_note,
        *[f"Financial year {label}: a part year, its cost is for those days only" for label in part_years(outcome)],
        *[f"{c.title()}: {NO_CHILDREN} (not charted)" for c in outcome.empty_categories],
        *describe_changes(history.changes),
        *history.warnings,
        *outcome.notes,
    ]
    lines += [
        f"Sheet '{name}': children by placement, scenario {r.scenario.name} ({r.scenario.label})"
        for name, r in zip(placement_sheet_names(outcome), outcome.results, strict=True)
    ]
    summary.write(0, 0, "Forecast of children looked after", bold)
    for row, line in enumerate(lines, start=2):
        summary.write(row, 0, line)
    _sheet(book, "Forecast", population_table(outcome), bold, day)
    for name, result in zip(placement_sheet_names(outcome), outcome.results, strict=True):
        wide = result.totals.pivot(on="placement", index="date", values="p50").sort("date")
        _sheet(book, name, wide, bold, day)
        chart = book.add_chart({"type": "line"})
        for category in CATEGORIES:
            if category in wide.columns and category not in outcome.empty_categories:
                column = wide.columns.index(category)
                chart.add_series(
                    {
                        "name": [name, 0, column],
                        "categories": [name, 1, 0, wide.height, 0],
                        "values": [name, 1, column, wide.height, column],
                    }
                )
        chart.set_title({"name": f"Children in care by placement ({result.scenario.name}, median)"})
        chart.set_x_axis({"date_axis": True, "num_format": "mmm yy"})
        book.get_worksheet_by_name(name).insert_chart("H2", chart, {"x_scale": 1.6, "y_scale": 1.4})
    _sheet(book, "Costs", costs_table(outcome), bold, day, money)
    years = cost_by_year_table(outcome).with_columns(covers())
    _sheet(book, "Financial years", years, bold, day, money)
    yearly = years.filter(pl.col("placement") == "ALL")
    labels = {
        year: year_label(year, first, last)
        for year, first, last in yearly.select("year", "first_day", "last_day").rows()
    }
    wide_years = (
        yearly.pivot(on="scenario", index="year", values="cost")
        .sort("year")
        .with_columns(pl.col("year").replace_strict(labels).alias("year"))
    )
    _sheet(book, "Cost by year", wide_years, bold, day, money)
    chart = book.add_chart({"type": "column"})
    for column in range(1, wide_years.width):
        chart.add_series(
            {
                "name": ["Cost by year", 0, column],
                "categories": ["Cost by year", 1, 0, wide_years.height, 0],
                "values": ["Cost by year", 1, column, wide_years.height, column],
            }
        )
    chart.set_title({"name": "Cost by financial year"})
    book.get_worksheet_by_name("Cost by year").insert_chart("F2", chart)
    if outcome.backtest is not None:
        _sheet(book, "Back-test", outcome.backtest, bold, day)
    _sheet(book, "Cleaning", history.changes, bold, day)
    book.close()


def _sheet(book: object, name: str, frame: pl.DataFrame, bold: object, day: object, money: object = None) -> None:
    sheet = book.add_worksheet(name)  # type: ignore[attr-defined]
    for column, title in enumerate(frame.columns):
        sheet.write(0, column, title, bold)
        values = frame[title].to_list()
        dtype = frame[title].dtype
        is_money = money is not None and (("cost" in title and "unit" not in title) or title in PERCENTILES)
        for row, value in enumerate(values, start=1):
            if value is None:
                continue
            if dtype == pl.Date:
                sheet.write_datetime(row, column, value, day)
            elif is_money and isinstance(value, float):
                sheet.write_number(row, column, value, money)
            else:
                sheet.write(row, column, value)
        sheet.set_column(column, column, 14)
    sheet.freeze_panes(1, 0)  # the header stays in view; a filter on every column
    if frame.width:
        sheet.autofilter(0, 0, frame.height, frame.width - 1)
