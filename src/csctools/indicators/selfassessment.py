"""The self-assessment document (DOCX, python-docx): per topic the figures beside England, region and neighbours,
their trend over the last five LAIT years, and the three prompts of the Yorkshire and Humber approach for the
authority to answer. It names no child. The trends are charts (PNG: python-docx places raster images only), small
multiples of up to six indicators a picture, then the same figures as a table; the funnel plots follow their topic.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from io import BytesIO
from pathlib import Path

from csctools.indicators.benchmark import Row
from csctools.indicators.charts import draw_many, drawable, funnel_png, topic_png
from csctools.indicators.export import chart_series, formatted, series_of, this_year
from csctools.indicators.run import Run
from csctools.indicators.worker import Spare

PROMPTS = (
    (
        "What the figures show",
        "How do we compare with England, our region and our neighbours, and which way are we heading?",
    ),
    ("Why", "What lies behind the figures: practice, demand, recording, small numbers?"),
    ("What we are doing", "The actions, who owns them, and how we will know they are working."),
)
TREND_YEARS = 5
PANELS = 6  # indicators a picture (three lines of two: a third of an A4 page)


def _figures_table(document: object, rows: list[Row], decimals: dict[str, int]) -> None:
    headers = ("Indicator", "Ours", "England", "Region", "Neighbours", "Band", "Direction")
    table = document.add_table(rows=1, cols=len(headers))  # type: ignore[attr-defined]
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for row in rows:
        d = decimals.get(row.indicator, 1)
        ours = formatted(row.value, row.unit, d) if row.status == "computed" else row.status
        values = (
            row.title,
            ours,
            formatted(row.england, row.unit, d),
            formatted(row.region, row.unit, d),
            formatted(row.sn_average, row.unit, d),
            row.quartile,
            row.direction,
        )
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text


def _trend_table(document: object, run: Run, rows: list[Row], decimals: dict[str, int]) -> None:
    series = {row.indicator: chart_series(series_of(run, row.indicator)) for row in rows}
    ends = sorted({r.period_end for points in series.values() for r in points})[-(TREND_YEARS + 1) :]
    if len(ends) < 2:
        return
    labels = [f"{e.year - 1}/{str(e.year)[2:]}" for e in ends]
    table = document.add_table(rows=1, cols=len(ends) + 1)  # type: ignore[attr-defined]
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, ["Indicator (ours; England)", *labels], strict=True):
        cell.text = text
    for row in rows:
        points = {r.period_end: r for r in series[row.indicator]}
        if not points:
            continue
        d = decimals.get(row.indicator, 1)
        cells = table.add_row().cells
        cells[0].text = row.title
        for cell, end in zip(cells[1:], ends, strict=True):
            point = points.get(end)
            if point is not None:
                england = f"; {formatted(point.england, row.unit, d)}" if point.england is not None else ""
                cell.text = formatted(point.value, row.unit, d) + england


def _pictures(run: Run, rows: list[Row], spare: Spare | None = None) -> dict[str, list[tuple[str, bytes]]]:
    """Per topic its pictures (caption, PNG): trend small multiples, then its funnel plots (`draw_many`)."""
    from csctools.indicators.html import funnel_data

    jobs: list[Callable[[], bytes]] = []
    captions: list[tuple[str, str]] = []
    for topic in run.topics():
        panels = [
            (r.title, chart_series(series_of(run, r.indicator)))
            for r in rows
            if r.topic == topic and r.status == "computed"
        ]
        panels = [(title, points) for title, points in panels if drawable(points)]
        for first in range(0, len(panels), PANELS):
            jobs.append(partial(topic_png, panels[first : first + PANELS], run.la_name))
            captions.append((topic, f"{topic}: {run.la_name} beside England, the region and the neighbours"))
    topic_of = {r.indicator: r.topic for r in rows}
    for funnel in funnel_data(run):
        jobs.append(partial(funnel_png, funnel.points, funnel.england, run.la_name))
        england = f"England {funnel.england:.1f}% (LAIT {funnel.year - 1}/{funnel.year % 100:02d})"
        captions.append((topic_of.get(funnel.id, ""), f"Funnel plot: {funnel.title}; {england}; 95% and 99.8% limits"))
    pictures: dict[str, list[tuple[str, bytes]]] = {}
    drawn = draw_many(jobs, parallel_jobs=8, spare=spare)  # 0.4 s a picture
    for (topic, caption), png in zip(captions, drawn, strict=True):
        if png:
            pictures.setdefault(topic, []).append((caption, png))
    return pictures


def write_docx(run: Run, path: Path, spare: Spare | None = None) -> None:
    import docx
    from docx.shared import Cm, Pt, RGBColor

    document = docx.Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(f"Self-assessment: {run.la_name}", level=0)
    document.add_paragraph(
        f"Figures for {run.period.start:%d %B %Y} to {run.period.end:%d %B %Y} from the authority's own returns, "
        "beside England, the region and the 10 statistical neighbours (DfE LAIT, Open Government Licence v3.0; this "
        "period is set against LAIT's latest year). Band A is the best quarter of authorities; direction is the "
        "change since last year. In the charts, squares joined by a dashed line (years marked *) are the "
        "authority's own figures. For each topic, answer the three questions below the figures. This document "
        "names no child."
    )
    for note in run.notes:  # values that could not be read: the figures rest on the rest
        document.add_paragraph().add_run(f"Note: {note}.").bold = True
    decimals = {r.indicator.id: r.indicator.decimals for r in run.results}
    rows = this_year(run)
    pictures = _pictures(run, rows, spare)
    for topic in run.topics():
        chosen = [r for r in rows if r.topic == topic]
        document.add_heading(topic, level=1)
        _figures_table(document, chosen, decimals)
        document.add_paragraph()
        for caption, png in pictures.get(topic, []):
            document.add_picture(BytesIO(png), width=Cm(11 if caption.startswith("Funnel") else 16))
            document.add_paragraph(caption, style="Caption")
        document.add_paragraph("Trend (ours; England) over the last years", style="Heading 3")
        _trend_table(document, run, [r for r in chosen if r.status == "computed"], decimals)
        for heading, hint in PROMPTS:
            document.add_heading(heading, level=2)
            prompt = document.add_paragraph().add_run(f"[{hint}]")
            prompt.italic = True
            prompt.font.color.rgb = RGBColor(0x50, 0x5A, 0x5F)
    document.core_properties.title = f"Self-assessment: {run.la_name}"
    document.core_properties.author = "csctools"
    document.save(str(path))
