"""The HTML report: a self-contained page (no script, nothing fetched) that stays small at any size: the headline,
failed rules in code order with guidance and their first failures, the children with the most errors, the rest in
the CSV/XLSX."""

from __future__ import annotations

from datetime import datetime
from html import escape
from importlib import resources
from pathlib import Path

import polars as pl
from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from csctools import __version__
from csctools.io.result import ReturnData, rejected_rows
from csctools.validate.engine import FAILED, QUERIED, ValidationResult, failures_of, headline
from csctools.validate.export import accepted_rows, summary
from csctools.validate.guidance import guidance
from csctools.validate.worklist import by_table, children, code_order, failures, short_file, tally_of

FAILURES_PER_RULE = 50  # failures shown under each rule
CHILDREN_SHOWN = 200  # children listed with their failures
FAILURES_PER_CHILD = 30
ACCEPTED_SHOWN = 2_000
BARS = 15  # rules in the chart
EXAMPLE_COLUMNS = ("child_id", "table", "source_file", "row_number", "fields", "suggested")


def first_of_each(failed: pl.DataFrame, key: str, count: int) -> dict[str, list[dict[str, object]]]:
    """The first `count` failures of each value of `key`, as rows for the template."""
    if failed.is_empty():
        return {}
    group = "_order" if key == "rule_code" else key  # the rule's place in code order: an integer, cheaper
    head = failed.filter(pl.int_range(pl.len()).over(group) < count).with_columns(
        pl.col("source_file").map_elements(short_file, return_dtype=pl.String)
    )
    return {str(k[0]): part.to_dicts() for k, part in head.partition_by(key, as_dict=True).items()}


def bar_chart(title: str, bars: list[tuple[str, int]], note: str = "") -> Markup:
    """A horizontal bar chart as inline SVG (no script), with a text alternative."""
    height, label_width, width = 18, 110, 560
    top = max((n for _, n in bars), default=1) or 1
    rows = []
    for i, (label, count) in enumerate(bars):
        y = 24 + i * height
        length = max(1.0, (width - label_width - 80) * count / top)
        rows.append(
            f'<text x="{label_width - 6}" y="{y + 12}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 2}" width="{length:.1f}" height="{height - 5}" fill="#1d4f91"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + 12}">{count:,}</text>'
        )
    total_height = 30 + len(bars) * height
    summary_text = "; ".join(f"{label}: {count:,}" for label, count in bars)
    svg = (
        f'<svg role="img" aria-label="{escape(title)}: {escape(summary_text)}" width="{width}" '
        f'height="{total_height}" viewBox="0 0 {width} {total_height}" '
        f'font-family="system-ui, sans-serif" font-size="12" fill="#1b1b1b">'
        f'<text x="0" y="14" font-weight="600">{escape(title)}{escape(note)}</text>{"".join(rows)}</svg>'
    )
    return Markup(svg)


def rule_sections(
    result: ValidationResult, failed: pl.DataFrame, outcomes: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Rules with failures, in code order, each with its guidance and first failures."""
    examples = first_of_each(failed, "rule_code", FAILURES_PER_RULE)
    active = [r for r in outcomes if r["status"] in (FAILED, QUERIED)]
    sections = []
    for item in sorted(active, key=lambda r: code_order(str(r["code"]))):
        code = str(item["code"])
        shown = examples.get(code, [])
        sections.append(
            {
                **item,
                "guidance": guidance(result.dataset, code),
                "examples": shown,
                "more": max(0, int(str(item["failures"])) - len(shown)),
            }
        )
    return sections


def child_sections(failed: pl.DataFrame) -> tuple[list[dict[str, object]], int]:
    """The children with most errors (then queries), each with their first failures; and how many children."""
    listed = children(failed)
    shown = listed.head(CHILDREN_SHOWN)
    theirs = failed.filter(pl.col("child_id").is_in(shown["child_id"].implode()))
    rows = first_of_each(theirs, "child_id", FAILURES_PER_CHILD)
    sections: list[dict[str, object]] = []
    for child in shown.to_dicts():
        mine = rows.get(str(child["child_id"]), [])
        sections.append({**child, "failures": mine, "more": int(child["errors"]) + int(child["queries"]) - len(mine)})
    return sections, listed.height


def write_html(result: ValidationResult, data: ReturnData, path: Path, providers: pl.DataFrame | None = None) -> None:
    template = resources.files("csctools.validate").joinpath("report.html.j2").read_text(encoding="utf-8")
    environment = Environment(autoescape=select_autoescape(default=True))
    failed = failures(result, providers)
    tally = tally_of(failed)
    outcomes = summary(result)
    rules = rule_sections(result, failed, outcomes)
    others = sorted(
        (r for r in outcomes if r["status"] not in (FAILED, QUERIED)), key=lambda r: code_order(str(r["code"]))
    )
    top_rules = sorted(((str(r["code"]), int(str(r["failures"]))) for r in rules), key=lambda b: -b[1])
    kids, children_count = child_sections(failed)
    accepted = accepted_rows(result)
    html = environment.from_string(template).render(
        title=f"{result.dataset.upper()} {result.year.label} validation",
        authority=result.authority.name if result.authority else "",
        authority_code=result.authority.number if result.authority else "",
        year=result.year.label,
        run_date=datetime.now().strftime("%Y-%m-%d %H:%M"),
        version=__version__,
        counts=result.counts(),
        headline=headline(tally),
        error_count=tally.errors,
        query_count=tally.queries,
        children_count=tally.children,
        accepted_count=0 if result.accepted is None else failures_of(result.accepted).height,
        failure_count=failed.height,
        absent_tables=result.absent_tables,
        files=[(Path(f.path).name, t.name, t.rows_read, len(t.rejected)) for f in data.files for t in f.tables],
        problems=[p.describe() for p in data.problems],
        packs=[p._asdict() for p in result.packs],
        notes=result.notes,
        rules=rules,
        others=others,
        chart_rules=bar_chart(
            "Failures by rule",
            top_rules[:BARS],
            f" (the {BARS} most of {len(top_rules)})" if len(top_rules) > BARS else "",
        ),
        chart_tables=bar_chart("Failures by table", by_table(failed)),
        per_rule=FAILURES_PER_RULE,
        children=kids,
        children_total=children_count,
        accepted=accepted.head(ACCEPTED_SHOWN).to_dicts(),
        accepted_total=accepted.height,
        rejected=[e._replace(file=Path(e.file).name) for e in rejected_rows(data.files)],
    )
    path.write_text(html, encoding="utf-8")
