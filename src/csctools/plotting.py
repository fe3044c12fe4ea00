"""Charts drawn with matplotlib, as inline SVG for HTML and PNG for Word (DESIGN.md: a kept library, no script).

One place sets matplotlib up the same way for every report: the SVG backend with no pyplot state (each chart is its
own `Figure`, so threads do not share anything), text kept as text (small files, readable by screen readers,
searchable), fixed ids and no date in the file (the same data give the same bytes), the GOV.UK-like palette.
matplotlib is imported only when a chart is drawn: nothing at `csc` start-up pays for it.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# authority, England, region, statistical neighbours, then further series
PALETTE = ("#1d4f91", "#505a5f", "#b35900", "#2e7d32", "#6f2c91", "#a0203a", "#00707a", "#7a5c00")
STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",  # text stays text
    "svg.hashsalt": "csctools",  # ids do not change between runs
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Helvetica", "DejaVu Sans", "sans-serif"],
    "font.size": 8.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#505a5f",
    "axes.labelcolor": "#0b0c0c",
    "axes.titlesize": 9.0,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "xtick.color": "#505a5f",
    "ytick.color": "#505a5f",
    "legend.frameon": False,
    "legend.fontsize": 7.0,
    "lines.linewidth": 1.6,
    "lines.markersize": 3.5,
}
_SVG_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
# matplotlib's one stylesheet (line joins for every element), which a page's Content-Security-Policy blocks: the same
# as inherited presentation attributes on the root instead
_SVG_STYLESHEET = re.compile(
    r"<defs>\s*<style[^>]*>\*\{stroke-linejoin: round; stroke-linecap: butt\}</style>\s*</defs>\s*"
)
_ROOT_ATTRIBUTES = 'stroke-linejoin="round" stroke-linecap="butt"'
_ID = re.compile(r' id="([^"]+)"')
_STYLED_TAG = re.compile(r'<[a-zA-Z]+\b[^<>]*? style="[^"]*"[^<>]*>')
_STYLE = re.compile(r' style="([^"]*)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^)"]+)')


@contextmanager
def chart_style() -> Iterator[None]:
    """matplotlib set up as every csctools chart uses it (only for the drawing inside the block)."""
    import matplotlib
    from cycler import cycler

    style: dict[Any, Any] = {**STYLE, "axes.prop_cycle": cycler(color=list(PALETTE))}
    with matplotlib.rc_context(style):
        yield


def new_figure(
    width_inches: float, height_inches: float, layout: Literal["constrained"] | None = "constrained"
) -> Figure:
    """A figure with no pyplot state behind it (safe in the web page's threads); draw on `fig.subplots()`.
    `layout=None` leaves the margins to `fig.subplots_adjust`: the constrained layout measures every label before
    drawing, about a third of a small chart's time."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width_inches, height_inches), layout=layout)


def svg_markup(figure: Figure, label: str) -> str:
    """The figure as an inline `<svg>` element (no XML prologue, no `<style>` element) with `role="img"` and `label`
    as its accessible name: paste it into HTML as it is."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = _SVG_METADATA.sub("", _SVG_PROLOGUE.sub("", buffer.getvalue(), count=1), count=1)
    text = _STYLED_TAG.sub(_presentation_attributes, _unique_ids(_SVG_STYLESHEET.sub("", text, count=1)))
    return text.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" {_ROOT_ATTRIBUTES} ', 1)


def _presentation_attributes(tag: re.Match[str]) -> str:
    """One start tag's `style="fill: #fff; stroke-width: 0.8"` as `fill="#fff" stroke-width="0.8"`: a page's
    Content-Security-Policy blocks style attributes, not presentation attributes (the style's values win over an
    attribute of the same name, as in CSS)."""
    text = tag[0]
    found = _STYLE.search(text)
    assert found is not None, "the pattern only matches tags with a style attribute"
    declarations = [part.split(":", 1) for part in found[1].split(";") if ":" in part]
    properties = {name.strip(): value.strip() for name, value in declarations}
    text = text[: found.start()] + text[found.end() :]
    for name in properties:
        text = re.sub(rf' {re.escape(name)}="[^"]*"', "", text)
    attributes = "".join(f' {name}="{value}"' for name, value in properties.items())
    end = -2 if text.endswith("/>") else -1
    return text[:end].rstrip() + attributes + text[end:]


def _unique_ids(svg: str) -> str:
    """Ids only where something refers to them, prefixed by the chart's own digest: every chart names its parts
    `figure_1`, `axes_1`... and several charts share one HTML page."""
    prefix = "c" + hashlib.sha1(svg.encode(), usedforsecurity=False).hexdigest()[:8] + "-"
    referenced = {name for _, name in _REFERENCE.findall(svg)}
    svg = _ID.sub(lambda found: f' id="{prefix}{found[1]}"' if found[1] in referenced else "", svg)
    return _REFERENCE.sub(lambda found: f"{found[1]}{prefix}{found[2]}", svg)


def png_bytes(figure: Figure, dots_per_inch: int = 150) -> bytes:
    """The figure as PNG (for python-docx, which cannot place SVG)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dots_per_inch, metadata={"Software": None})
    return buffer.getvalue()
