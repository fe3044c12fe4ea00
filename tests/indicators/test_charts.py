"""The indicator charts (matplotlib): what a reader sees in them, as text in the SVG and as PNG for Word."""

from __future__ import annotations

import re
from datetime import date

from csctools.indicators.benchmark import Row
from csctools.indicators.charts import FunnelPoint, funnel_png, funnel_svg, topic_png, trend_svg, year_label


def row(year: int, value: float | None, england: float | None, unit: str = "percent", source: str = "LAIT") -> Row:
    return Row(
        "X",
        "Title",
        "383",
        date(year - 1, 4, 1),
        date(year, 3, 31),
        None,
        None,
        value,
        unit,
        "high",
        england,
        england,
        england,
        None,
        "",
        None,
        None,
        "",
        source,
        "computed",
        None,
        None,
        "",
        "Topic",
    )


def test_trend_labels_years_marks_own_figure_and_draws_every_comparator() -> None:
    rows = [row(2023, 61.5, 70.0), row(2024, 63.0, 71.0), row(2026, 64.5, None, source="this year")]
    svg = trend_svg(rows, "Leeds", "X")
    assert svg.startswith('<svg class="chart" role="img" aria-label="X: Leeds, England, region and neighbours')
    for text in ("2022/23", "2023/24", "2025/26*", "Leeds", "England", "Region", "Neighbours"):
        assert f">{text}<" in svg, text
    assert ">0<" not in svg  # the axis spans the values (60-72), not from zero


def test_counts_leave_out_england_and_the_region() -> None:
    rows = [row(2024, 1200, 83_000, unit="count"), row(2025, 1300, 84_000, unit="count")]
    svg = trend_svg(rows, "Leeds", "LACnum")
    assert ">Leeds<" in svg and ">Neighbours<" in svg and ">England<" not in svg and ">Region<" not in svg
    assert re.search(r">\d{2},\d{3}<", svg)  # thousands as an analyst writes them


def test_nothing_is_drawn_from_one_year() -> None:
    assert trend_svg([row(2026, 5.0, None, source="this year")], "Leeds", "X") == ""
    assert topic_png([("One year", [row(2026, 5.0, None, source="this year")])], "Leeds") == b""


def test_funnel_has_the_limits_and_the_authority() -> None:
    points = [FunnelPoint(n, 10.0 + (n % 7), False) for n in range(50, 2000, 37)] + [FunnelPoint(900, 4.0, True)]
    svg = funnel_svg(points, 10.0, "Leeds", "LACStable_2016on")
    for text in ("95% limits", "99.8% limits", "Leeds (this period)", "authorities (LAIT)", "England"):
        assert f">{text}<" in svg, text
    assert funnel_png(points, 10.0, "Leeds").startswith(b"\x89PNG")


def test_topic_picture_for_word_is_a_png() -> None:
    rows = [row(2024, 61.5, 70.0), row(2025, 63.0, 71.0)]
    png = topic_png([(f"Indicator {i}", rows) for i in range(3)], "Leeds")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert year_label(row(2025, 1.0, None)) == "2024/25"
    assert year_label(row(2026, 1.0, None, source="this year")) == "2025/26*"
