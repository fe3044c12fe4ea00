"""The indicators as CSV (one row per indicator and period, the columns of issue 14) and as an Excel workbook
(a sheet per topic with native charts, the data sheet, and drill-down lists of children for use inside the
authority only)."""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path
from typing import Any

from csctools.indicators.benchmark import CSV_COLUMNS, Row
from csctools.indicators.run import Run
from csctools.indicators.teams import TeamCounts
from csctools.indicators.worker import Spare


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return "" if math.isnan(value) else round(value, 4)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def csv_rows(run: Run) -> list[list[Any]]:
    """The CSV's rows: an indicator not computed has its reason in the value column."""
    rows = []
    for row in run.rows:
        cells = [_cell(getattr(row, column)) for column in CSV_COLUMNS]
        if row.status != "computed" and row.source != "LAIT":
            cells[CSV_COLUMNS.index("value")] = row.status
        rows.append(cells)
    return rows


def write_csv(run: Run, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(run))


def this_year(run: Run) -> list[Row]:
    return [r for r in run.rows if r.source == "this year"]


def series_of(run: Run, indicator: str) -> list[Row]:
    """One indicator's rows in time order (LAIT years, last year, this year)."""
    return sorted((r for r in run.rows if r.indicator == indicator), key=lambda r: r.period_end)


def chart_series(rows: list[Row]) -> list[Row]:
    """Points of a trend chart: LAIT's years, then the authority's own figures (which replace LAIT's figure of the
    same year). Comparators are drawn only where LAIT has that year: this period's own point stands alone."""
    own = [
        r._replace(england=None, region=None, sn_average=None)
        for r in rows
        if r.source != "LAIT" and r.value is not None
    ]
    own_ends = {r.period_end for r in own}
    return sorted(
        [r for r in rows if r.source == "LAIT" and r.period_end not in own_ends] + own, key=lambda r: r.period_end
    )


def formatted(value: float | None, unit: str, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if abs(value) < 0.5 * 10**-decimals:
        value = 0.0  # no "-0.0"
    if unit == "count":
        return f"{value:,.0f}"
    text = f"{value:,.{decimals}f}"
    return text + "%" if unit == "percent" else text


def drill_down_lists(run: Run) -> list[tuple[list[str], tuple[str, ...]]]:
    """Each distinct list of children once, with the indicator parts it is ("LACnum numerator", ...): many
    indicators share a denominator (the children looked after at 31 March, the referrals of the year)."""
    lists: dict[tuple[str, ...], list[str]] = {}
    for result in run.results:
        for part, ids in (("numerator", result.numerator_children), ("denominator", result.denominator_children)):
            if ids:
                lists.setdefault(tuple(sorted(ids)), []).append(f"{result.indicator.id} {part}")
    return [(parts, ids) for ids, parts in lists.items()]


def _drill_down(book: Any, name: str, run: Run, title: Any, bold: Any) -> tuple[int, list[tuple[str, ...]]]:
    """A column per distinct list of children: which indicator parts it is, then the child ids (as in the file).
    The ids are not written here: the sheet's number (1-based) and the columns of ids are returned, for
    `drill_sheet.add_rows` to add below row 3 once the workbook is closed."""
    sheet = book.add_worksheet(name)
    sheet.write(
        0, 0, "Children counted by each indicator: for use inside the authority only, never to be shared.", title
    )
    sheet.write(
        1,
        0,
        "Row 3 names the indicators and parts (numerator, denominator) each column of ids is; an id "
        "appears once per event counted (a child referred twice, twice).",
    )
    wrap = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    columns = []
    for column, (parts, ids) in enumerate(drill_down_lists(run)):
        sheet.write(2, column, "; ".join(parts), wrap)
        columns.append(ids)
    sheet.set_row(2, 90)
    sheet.set_column(0, 200, 22)
    sheet.freeze_panes(3, 0)
    return book.worksheets().index(sheet) + 1, columns


def _teams(book: Any, name: str, teams: TeamCounts, title: Any, bold: Any) -> None:
    """The Annex A counts by team, then by team and worker, as two tables with filters."""
    sheet = book.add_worksheet(name)
    sheet.write(0, 0, "Annex A by allocated team and social worker (names staff: for use inside the authority)", title)
    sheet.write(
        1,
        0,
        "Referrals, assessments, S47 enquiries: dated in the period; children in need, CP plans, looked after: open "
        "at its end; care leavers: every row of list 9.",
    )
    line = 3
    for frame in (teams.by_team, teams.by_worker):
        sheet.write_row(line, 0, frame.columns, bold)
        for offset, values in enumerate(frame.iter_rows(), start=1):
            sheet.write_row(line + offset, 0, list(values))
        line += frame.height + 3
    worker_header = line - teams.by_worker.height - 3
    sheet.autofilter(worker_header, 0, worker_header + teams.by_worker.height, teams.by_worker.width - 1)
    sheet.set_column(0, 1, 22)
    sheet.set_column(2, 12, 14)


def write_xlsx(run: Run, path: Path) -> None:
    import io

    import xlsxwriter

    from csctools.indicators.drill_sheet import add_rows

    written = io.BytesIO()
    book = xlsxwriter.Workbook(written, {"constant_memory": False, "in_memory": True})
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    title = book.add_format({"bold": True, "font_size": 14})
    number = book.add_format({"num_format": "#,##0.0"})
    bands = {
        b: book.add_format({"bg_color": c})
        for b, c in {"A": "#C6EFCE", "B": "#E2F0D9", "C": "#FFF2CC", "D": "#FFC7CE"}.items()
    }
    used_names: set[str] = set()

    def sheet_name(text: str) -> str:
        base = "".join(ch for ch in text if ch not in "[]:*?/\\")[:28]
        name, n = base, 2
        while name.lower() in used_names:
            name, n = f"{base[:25]} {n}", n + 1
        used_names.add(name.lower())
        return name

    summary = book.add_worksheet(sheet_name("Summary"))
    summary.write(0, 0, f"Indicators: {run.la_name} ({run.la}), {run.period.start} to {run.period.end}", title)
    summary.write(1, 0, "Benchmarks: DfE LAIT (Open Government Licence v3.0). Packs: " + "; ".join(run.packs))
    headers = [
        "indicator",
        "title",
        "value",
        "unit",
        "england",
        "region",
        "sn_average",
        "rank",
        "of",
        "quartile",
        "ci_low",
        "ci_high",
        "significance",
        "change",
        "direction",
        "status",
    ]
    summary.write_row(3, 0, headers, bold)
    for i, row in enumerate(this_year(run), start=4):
        summary.write_row(
            i,
            0,
            [
                _cell(v)
                for v in (
                    row.indicator,
                    row.title,
                    row.value,
                    row.unit,
                    row.england,
                    row.region,
                    row.sn_average,
                    row.rank,
                    row.ranked_among,
                    row.quartile,
                    row.ci_low,
                    row.ci_high,
                    row.significance,
                    row.change,
                    row.direction,
                    row.status,
                )
            ],
        )
        if row.quartile in bands:
            summary.write(i, 9, row.quartile, bands[row.quartile])
    summary.set_column(0, 0, 26)
    summary.set_column(1, 1, 60)
    summary.set_column(2, 14, 11, number)
    summary.set_column(15, 15, 40)
    summary.freeze_panes(4, 2)

    data = book.add_worksheet(sheet_name("Data"))
    data.write_row(0, 0, list(CSV_COLUMNS), bold)
    for i, cells in enumerate(csv_rows(run), start=1):
        data.write_row(i, 0, cells)
    data.autofilter(0, 0, len(run.rows), len(CSV_COLUMNS) - 1)
    data.freeze_panes(1, 1)
    data.set_column(0, 1, 24)

    for topic in run.topics():
        sheet = book.add_worksheet(sheet_name(topic))
        sheet.write(0, 0, topic, title)
        line = 2
        for row in (r for r in this_year(run) if r.topic == topic):
            sheet.write(line, 0, f"{row.indicator}: {row.title}", bold)
            sheet.write(
                line + 1,
                0,
                row.status
                if row.status != "computed"
                else f"{formatted(row.value, row.unit)}  (England {formatted(row.england, row.unit)}, "
                f"neighbours {formatted(row.sn_average, row.unit)}, rank {row.rank or '-'} of "
                f"{row.ranked_among or '-'}, band {row.quartile or '-'})",
            )
            points = chart_series(series_of(run, row.indicator))
            if len(points) < 2:
                line += 3
                continue
            header = line + 2
            sheet.write_row(header, 0, ["year", run.la_name, "England", "region", "neighbours"], bold)
            for k, point in enumerate(points, start=1):
                sheet.write_row(
                    header + k,
                    0,
                    [
                        point.period_end.isoformat()[:4]
                        if point.source == "LAIT"
                        else f"{point.period_end.isoformat()[:4]} ({point.source})",
                        _cell(point.value),
                        _cell(point.england),
                        _cell(point.region),
                        _cell(point.sn_average),
                    ],
                )
            chart = book.add_chart({"type": "line"})
            last = header + len(points)
            for col, colour in ((1, "#1f4e79"), (2, "#7f7f7f"), (3, "#c55a11"), (4, "#548235")):
                chart.add_series(
                    {
                        "name": [sheet.name, header, col],
                        "categories": [sheet.name, header + 1, 0, last, 0],
                        "values": [sheet.name, header + 1, col, last, col],
                        "line": {"color": colour, "width": 2.25 if col == 1 else 1.25},
                        "marker": {"type": "circle", "size": 4, "fill": {"color": colour}, "border": {"color": colour}},
                    }
                )
            chart.set_title({"name": row.indicator, "name_font": {"size": 10}})
            chart.set_legend({"position": "bottom"})
            chart.set_size({"width": 560, "height": 260})
            sheet.insert_chart(header, 6, chart)
            line = max(last + 2, header + 14)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 4, 12, number)

    if run.teams is not None and not run.teams.empty:
        _teams(book, sheet_name("Annex A by team and worker"), run.teams, title, bold)
    drill_sheet, drill_columns = _drill_down(book, sheet_name("Children (internal)"), run, title, bold)

    methods = book.add_worksheet(sheet_name("Definitions"))
    methods.write_row(0, 0, ["indicator", "title", "unit", "polarity", "LAIT measure", "methodology", "record"], bold)
    for i, result in enumerate(run.results, start=1):
        ind = result.indicator
        methods.write_row(
            i, 0, [ind.id, ind.title, ind.unit, ind.polarity, ind.lait or "", ind.methodology, ind.source], wrap
        )
    methods.set_column(0, 0, 24)
    methods.set_column(1, 1, 50)
    methods.set_column(5, 5, 90)
    book.close()
    path.write_bytes(add_rows(written.getvalue(), drill_sheet, drill_columns, first_row=4))


def write_report(run: Run, path: Path, spare: Spare | None = None) -> None:
    """The report `csc indicators -o PATH` writes, chosen by the suffix (.csv, .xlsx, .docx, else the HTML
    dashboard); each writer is imported only when used. `spare`: a worker for the charts (`charts.get_ready`)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(run, path)
    elif suffix == ".xlsx":
        write_xlsx(run, path)
    elif suffix == ".docx":
        from csctools.indicators.selfassessment import write_docx

        write_docx(run, path, spare)
    else:
        from csctools.indicators.html import write_html

        write_html(run, path, spare)
