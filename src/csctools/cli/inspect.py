"""`csc inspect`: what each file is, rows read, rows rejected and why, structural problems."""

from __future__ import annotations

import json
import os
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from csctools.cli.common import err_console, expand_inputs, fail, parse_year

if TYPE_CHECKING:  # the readers and rich load inside the command: `csc inspect --help` stays fast
    from csctools.io.result import FileReport

DATASET_TITLES = {
    "ssda903": "SSDA903",
    "cin": "CIN census",
    "annex_a": "Annex A",
    "ofsted_providers": "Ofsted provider list",
    None: "not recognised",
}
REJECTED_SHOWN = 5


def inspect_command(
    files: Annotated[list[Path], typer.Argument(help="Files or folders to inspect")],
    year: Annotated[str | None, typer.Option(help="Collection year, when the files cannot tell (e.g. 2025/26)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON")] = False,
) -> None:
    """Say what each file holds and whether it can be read. Exit 2 when a file cannot be read, is not recognised or
    is structurally wrong (an error line: a missing column, a table given twice); 0 otherwise."""
    from csctools.io.gc_pause import collector_paused

    paths = expand_inputs(files)
    if not paths:
        fail("no input files found")
    with collector_paused(), reading_status(len(paths)):  # polars and the readers load: objects, none garbage
        from csctools.read import read_files

        returns, others = read_files(paths, parse_year(year))
    reports = [r for ret in returns for r in ret.files] + others
    if as_json:
        typer.echo(json.dumps([report_dict(r) for r in reports], indent=2))
    else:
        show(reports)
    if any(not r.ok for r in reports):
        raise typer.Exit(2)


def reading_status(count: int) -> AbstractContextManager[object]:
    """rich's spinner on stderr while the files are read, when stderr is a terminal (or said to be one: rich's
    TTY_COMPATIBLE, TTY_INTERACTIVE, FORCE_COLOR). Elsewhere rich draws nothing, so it is not loaded (~0.05 s)."""
    if sys.stderr.isatty() or any(name in os.environ for name in ("TTY_COMPATIBLE", "TTY_INTERACTIVE", "FORCE_COLOR")):
        return err_console().status(f"reading {count} files")
    return nullcontext()


def report_dict(report: FileReport) -> dict[str, object]:
    return {
        "file": report.path,
        "dataset": report.dataset,
        "year": report.year.label if report.year else None,
        "year_source": report.year_source,
        "tables": [
            {
                "table": t.name,
                "rows_in": t.rows_in,
                "rows_read": t.rows_read,
                "rows_rejected": [{"row": r.row, "reason": r.reason} for r in t.rejected],
                "values_not_parsed": t.unparsed_values,
            }
            for t in report.tables
        ],
        "problems": [
            {
                "severity": p.severity.value,
                "kind": p.kind,
                "row": p.row,
                "column": p.column,
                "message": p.message,
            }
            for p in report.problems
        ],
    }


def show(reports: list[FileReport]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from csctools.io.result import Severity

    # on a terminal lines wrap at its width; into a file or a log a message stays on its one line
    console = Console() if sys.stdout.isatty() else Console(soft_wrap=True, width=160)
    for report in reports:
        year = f", {report.year} (from {report.year_source})" if report.year else ""
        title = DATASET_TITLES.get(report.dataset, report.dataset)
        console.print(f"[bold]{escape(report.path)}[/bold]: {escape(str(title))}{year}", highlight=False)
        if report.tables:
            table = Table(show_edge=False, pad_edge=False)
            for heading in ("table", "rows in", "read", "rejected", "values kept as text (not parsed)"):
                table.add_column(heading, justify="right" if heading in ("rows in", "read", "rejected") else "left")
            for t in report.tables:
                unparsed = ", ".join(f"{c}: {n}" for c, n in t.unparsed_values.items())
                table.add_row(escape(t.name), str(t.rows_in), str(t.rows_read), str(len(t.rejected)), escape(unparsed))
            console.print(table)
        where = "line" if report.path.lower().endswith(".xml") else "row"
        for t in report.tables:
            for rejected in t.rejected[:REJECTED_SHOWN]:
                console.print(
                    f"  rejected: {escape(t.name)} {where} {rejected.row}: {escape(rejected.reason)}", highlight=False
                )
            if len(t.rejected) > REJECTED_SHOWN:
                console.print(f"  ... and {len(t.rejected) - REJECTED_SHOWN} more rejected rows in {t.name}")
        for problem in report.problems:
            style = "red" if problem.severity is Severity.ERROR else "yellow"
            console.print(
                f"  [{style}]{problem.severity.value}[/{style}]: {escape(problem.describe())}", highlight=False
            )
