"""The HTML report: a self-contained page (no script, nothing fetched) that stays small at any size: the headline,
failed rules in code order with guidance and their first failures, the children with the most errors, the rest in
the CSV/XLSX."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import polars as pl
from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from csctools import __version__
from csctools.io.result import ReturnData, rejected_rows, unread_note
from csctools.validate.engine import FAILED, QUERIED, ValidationResult, failures_of, headline
from csctools.validate.export import accepted_rows, summary
from csctools.validate.guidance import rule_guidance
from csctools.validate.return_summary import NOTES, breakdowns, return_summary
from csctools.validate.since import Since
from csctools.validate.worklist import by_table, children, code_order, failure_index, short_files, tally_of, with_fields

FAILURES_PER_RULE = 50  # failures shown under each rule
CHILDREN_SHOWN = 200  # children listed with their failures
FAILURES_PER_CHILD = 30
ACCEPTED_SHOWN = 2_000
SINCE_ROWS = 500  # new and fixed failures on the page (the XLSX and JSON list all)
BARS = 15  # rules in the chart
EXAMPLE_COLUMNS = ("child_id", "table", "source_file", "row_number", "fields", "suggested")


def first_of_each(failed: pl.DataFrame, key: str, count: int) -> dict[str, list[dict[str, object]]]:
    """The first `count` failures of each value of `key`, as rows for the template."""
    if failed.is_empty():
        return {}
    group = "_order" if key == "rule_code" else key  # the rule's place in code order: an integer, cheaper
    head = failed.filter(pl.int_range(pl.len()).over(group) < count)
    head = head.with_columns(short_files(head))
    return {str(k[0]): part.to_dicts() for k, part in head.partition_by(key, as_dict=True).items()}


def import_plotting() -> None:
    """Import matplotlib (about 0.6 s) ahead of the drawing, on a thread while the failures are grouped."""
    import matplotlib.figure  # noqa: F401
    from matplotlib.backends import backend_svg  # noqa: F401

    import csctools.plotting  # noqa: F401


def failure_chart(rules: list[tuple[str, int]], tables: list[tuple[str, int]], rule_count: int) -> Markup:
    """Failures by rule (the BARS rules with most) and by table, two horizontal bar charts as one inline SVG drawn
    with matplotlib, its accessible name listing every bar."""
    from matplotlib.ticker import MaxNLocator

    from csctools.plotting import PALETTE, chart_style, new_figure, svg_markup

    rules_title = "Failures by rule" + (f" (the {BARS} with most, of {rule_count})" if rule_count > BARS else "")
    tables = tables[:BARS]
    rows = max(len(rules), len(tables), 1)
    with chart_style():
        figure = new_figure(7.5, 0.9 + 0.2 * rows)
        charts = zip(figure.subplots(1, 2), (rules_title, "Failures by table"), (rules, tables), strict=True)
        for ax, title, bars in charts:
            labels, counts = [label for label, _ in bars], [count for _, count in bars]
            positions = list(range(len(bars)))
            ax.barh(positions, counts, color=PALETTE[0], height=0.7)
            ax.set_yticks(positions, labels)
            ax.invert_yaxis()  # most first, at the top
            ax.set_title(title)
            ax.set_xlim(0, max(counts, default=1) * 1.25)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))  # 700,000 and its neighbours apart
            ax.xaxis.set_major_formatter("{x:,.0f}")
            ax.tick_params(axis="x", labelsize=7)
            for position, count in zip(positions, counts, strict=True):
                ax.annotate(f"{count:,}", (count, position), xytext=(3, 0), textcoords="offset points", va="center")
        text = (
            f"{rules_title}: "
            + "; ".join(f"{label} ({count:,})" for label, count in rules)
            + ". Failures by table: "
            + "; ".join(f"{label} ({count:,})" for label, count in tables)
            + "."
        )
        return Markup(svg_markup(figure, text))


def rule_sections(
    result: ValidationResult, shown: pl.DataFrame, outcomes: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Rules with failures, in code order, each with its guidance and the failures `shown` of it (its first)."""
    examples = first_of_each(shown, "rule_code", FAILURES_PER_RULE)
    active = [r for r in outcomes if r["status"] in (FAILED, QUERIED)]
    sections = []
    for item in sorted(active, key=lambda r: code_order(str(r["code"]))):
        code = str(item["code"])
        examples_of_rule = examples.get(code, [])
        sections.append(
            {
                **item,
                "guidance": rule_guidance(
                    result.dataset, code, str(item["message"]), str(item.get("pack_guidance") or "")
                ),
                "examples": examples_of_rule,
                "more": max(0, int(str(item["failures"])) - len(examples_of_rule)),
            }
        )
    return sections


def child_sections(listed: pl.DataFrame, shown: pl.DataFrame) -> list[dict[str, object]]:
    """The children with most errors (then queries), each with the failures `shown` of them (their first)."""
    rows = first_of_each(shown, "child_id", FAILURES_PER_CHILD)
    sections: list[dict[str, object]] = []
    for child in listed.head(CHILDREN_SHOWN).to_dicts():
        mine = rows.get(str(child["child_id"]), [])
        sections.append({**child, "failures": mine, "more": int(child["errors"]) + int(child["queries"]) - len(mine)})
    return sections


class Shown(NamedTuple):
    """The failures the page shows, with their fields: the first of each rule, the first of each child listed."""

    of_rules: pl.DataFrame
    of_children: pl.DataFrame


def shown_failures(
    result: ValidationResult, index: pl.DataFrame, listed: pl.DataFrame, providers: pl.DataFrame | None
) -> Shown:
    """Fields and suggestions only for the failures shown (a few thousand of perhaps millions): the first
    FAILURES_PER_RULE of each rule and the first FAILURES_PER_CHILD of each of the CHILDREN_SHOWN children."""
    at = index.with_row_index("_at")
    of_rules = at.filter(pl.int_range(pl.len()).over("_order") < FAILURES_PER_RULE)
    theirs = at.filter(pl.col("child_id").is_in(listed.head(CHILDREN_SHOWN)["child_id"].implode()))
    of_children = theirs.filter(pl.int_range(pl.len()).over("child_id") < FAILURES_PER_CHILD)
    chosen = pl.concat([of_rules, of_children]).unique("_at", keep="first").sort("_at")
    detailed = with_fields(result, chosen, providers)

    def part(keys: pl.DataFrame) -> pl.DataFrame:
        return detailed.join(keys.select("_at"), on="_at", how="semi", maintain_order="left").drop("_at")

    return Shown(part(of_rules), part(of_children))


def write_html(
    result: ValidationResult,
    data: ReturnData,
    path: Path,
    providers: pl.DataFrame | None = None,
    previous: ReturnData | None = None,
    since: Since | None = None,
) -> None:
    """The report; `previous` (last year's return) puts last year's figures beside the summary of the return;
    `since` lists the new and fixed failures (the first SINCE_ROWS)."""
    drawing = any(o.status in (FAILED, QUERIED) for o in result.outcomes)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # matplotlib's import is Python work while grouping the failures is mostly polars (which lets go of the
        # GIL): on a thread, the import costs little of the report's time
        imported = pool.submit(import_plotting) if drawing else None
        index = failure_index(result)  # one row per failure, without the text of its cells: cheap at any size
        outcomes = summary(result, index)
        listed = children(index, CHILDREN_SHOWN)  # every child's counts; the rules of those listed
        tally = tally_of(index, listed)
        shown = shown_failures(result, index, listed, providers)
        rules = rule_sections(result, shown.of_rules, outcomes)
        top_rules = sorted(((str(r["code"]), int(str(r["failures"]))) for r in rules), key=lambda b: -b[1])
        chart = None
        if imported is not None:
            imported.result()
            chart = pool.submit(failure_chart, top_rules[:BARS], by_table(index), len(top_rules))
        others = sorted(
            (r for r in outcomes if r["status"] not in (FAILED, QUERIED)), key=lambda r: code_order(str(r["code"]))
        )
        kids = child_sections(listed, shown.of_children)
        accepted = accepted_rows(result)
        figures = return_summary(data, result.year, previous)
        context = {
            "title": f"{result.dataset.upper()} {result.year.label} validation",
            "authority": result.authority.name if result.authority else "",
            "authority_code": result.authority.number if result.authority else "",
            "year": result.year.label,
            "last_year": (previous.year or result.year.previous()).label if previous is not None else "",
            "run_date": datetime.now().strftime("%Y-%m-%d %H:%M"),
            "version": __version__,
            "counts": result.counts(),
            "headline": unread_note(data.files) + headline(tally),
            "unread": bool(unread_note(data.files)),
            "error_count": tally.errors,
            "query_count": tally.queries,
            "children_count": tally.children,
            "accepted_count": 0 if result.accepted is None else failures_of(result.accepted).height,
            "failure_count": index.height,
            "absent_tables": result.absent_tables,
            "files": [(Path(f.path).name, t.name, t.rows_read, len(t.rejected)) for f in data.files for t in f.tables],
            "problems": [p.describe() for p in data.problems],
            "packs": [p._asdict() for p in result.packs],
            "notes": result.notes,
            "since": None
            if since is None
            else {
                "said": since.counts.describe(),
                "rows": since.listed.head(SINCE_ROWS).to_dicts(),
                "total": since.listed.height,
            },
            "summary_note": NOTES.get(result.dataset, ""),
            "figures": [f for f in figures if not f.group],  # headlines; the breakdowns below
            "breakdowns": breakdowns(figures),
            "rules": rules,
            "others": others,
            "per_rule": FAILURES_PER_RULE,
            "children": kids,
            "children_total": listed.height,
            "accepted": accepted.head(ACCEPTED_SHOWN).to_dicts(),
            "accepted_total": accepted.height,
            "rejected": [e._replace(file=Path(e.file).name) for e in rejected_rows(data.files)],
        }
        context["chart"] = chart.result() if chart is not None else ""
    template = resources.files("csctools.validate").joinpath("report.html.j2").read_text(encoding="utf-8")
    environment = Environment(autoescape=select_autoescape(default=True))
    path.write_text(environment.from_string(template).render(**context), encoding="utf-8")
