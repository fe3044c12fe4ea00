"""csctools.plotting: charts as inline SVG and PNG, the same bytes for the same data."""

from __future__ import annotations

import re

from csctools.plotting import chart_style, new_figure, png_bytes, svg_markup


def draw(values: list[float]) -> tuple[str, bytes]:
    with chart_style():
        figure = new_figure(3.4, 1.9)
        axes = figure.subplots()
        axes.plot([2022, 2023, 2024], values, marker="o", label="Authority <A&B>")
        axes.set_title("Children looked after")
        axes.legend()
        return svg_markup(figure, 'Children looked after: "A&B"'), png_bytes(figure)


def test_svg_is_inline_accessible_text_and_repeatable() -> None:
    svg, _ = draw([1.0, 3.0, 2.0])
    assert svg.startswith('<svg role="img" aria-label="Children looked after: &quot;A&amp;B&quot;" ')
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<metadata>" not in svg
    assert "<style" not in svg and 'stroke-linejoin="round"' in svg.split(">", 1)[0]  # a page's CSP allows it
    assert "<script" not in svg and "http://" not in svg.split(">", 1)[1].replace("http://www.w3.org", "")
    assert "Children looked after" in svg.split(">", 1)[1]  # the title is text, not glyph paths
    assert "Authority &lt;A&amp;B&gt;" in svg
    assert draw([1.0, 3.0, 2.0])[0] == svg
    assert draw([1.0, 3.0, 4.0])[0] != svg


def test_styles_are_presentation_attributes_a_pages_csp_allows() -> None:
    svg, _ = draw([1.0, 3.0, 2.0])
    assert " style=" not in svg  # `default-src 'self'` blocks every style attribute
    line = re.search(r'<path [^>]*stroke="#1d4f91"[^>]*>', svg)  # the first colour of the palette: the line drawn
    assert line is not None and 'fill="none"' in line[0] and 'stroke-width="1.6"' in line[0]
    assert re.search(r'<text [^>]*font-size="[0-9.]+px"[^>]*>Children looked after</text>', svg)
    for tag in re.findall(r"<[a-z]+ [^>]*>", svg):  # no attribute given twice in a tag
        names = re.findall(r' ([a-z:-]+)="', tag)
        assert len(names) == len(set(names)), tag


def test_two_charts_on_one_page_share_no_id() -> None:
    first, second = draw([1.0, 3.0, 2.0])[0], draw([2.0, 1.0, 2.0])[0]
    first_ids, second_ids = set(re.findall(r' id="([^"]+)"', first)), set(re.findall(r' id="([^"]+)"', second))
    assert first_ids and not first_ids & second_ids
    for svg, ids in ((first, first_ids), (second, second_ids)):  # every reference still finds its target
        assert set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg)) == ids


def test_png_for_word() -> None:
    _, png = draw([1.0, 2.0, 3.0])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
