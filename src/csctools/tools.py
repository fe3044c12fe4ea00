"""The catalogue of csctools' tools: a one-line purpose and a runnable example on synthetic data for each.

`csc tools` prints it (with the installed packs) and docs/tools.md is the same list (`csc tools --markdown`).
"""

from __future__ import annotations

from typing import NamedTuple


class Tool(NamedTuple):
    command: str
    purpose: str
    example: str


TOOLS = (
    Tool(
        "csc synth",
        "Write seeded synthetic SSDA903, CIN census and Annex A returns, optionally with injected errors.",
        "csc synth --la 383 --from 2024/25 --to 2025/26 --children 500 --inject 10 --out synthetic",
    ),
    Tool(
        "csc inspect",
        "Say what each file is, which collection year, rows read and rejected, and structural problems.",
        "csc inspect synthetic/383/2025_26",
    ),
    Tool(
        "csc validate 903",
        "Check an SSDA903 return against every DfE rule of its year (and any packs); reports as XLSX, CSV, JSON, HTML.",
        "csc validate 903 synthetic/383/2025_26/ssda903 --previous synthetic/383/2024_25/ssda903 --la 383 "
        "-o report.xlsx",
    ),
    Tool(
        "csc validate cin",
        "Check a CIN census XML against every DfE rule of its year and the XML's structure.",
        "csc validate cin synthetic/383/2025_26/cin_census_2025_26.xml --la 383 -o cin-report.html",
    ),
    Tool(
        "csc rules",
        "List the DfE rules of a return and year, and explain one (tables, fields, years, what it needs).",
        "csc rules list --return 903 --year 2025/26 && csc rules explain 142",
    ),
    Tool(
        "csc packs",
        "Write, check, list, export and install packs of local SQL rules and rule settings.",
        "csc packs new my-checks && csc packs check my-checks && csc packs list",
    ),
    Tool(
        "csc validate --pack",
        "Run a pack's local rules beside the DfE ones, reported the same way (packs named with version and hash).",
        "csc validate 903 synthetic/383/2025_26/ssda903 --previous synthetic/383/2024_25/ssda903 --la 383 "
        "--pack packs/examples/placement-checks -o report.html",
    ),
    Tool(
        "csc accept",
        "Accept a query for a child (with a reason, who and when) in the authority's settings file.",
        'csc accept 1002 3830000205 --settings demo-settings.yaml --reason "confirmed with the social worker"',
    ),
    Tool(
        "csc forecast",
        "Forecast children looked after by age band and placement, and their cost, from several years of 903 returns.",
        "csc synth --la 383 --from 2023/24 --to 2025/26 --children 500 --no-cin --no-annex-a --out history "
        "&& csc forecast history/383/*/ssda903 -o forecast.html",
    ),
    Tool(
        "csc indicators",
        "Indicators from your own 903, CIN census and Annex A beside England, region and statistical neighbours.",
        "csc indicators synthetic/383/2025_26/ssda903 --la 383 --year 2025/26 -o dashboard.html",
    ),
    Tool(
        "csc share",
        "Pseudonymise returns under a sharing policy (keyed pseudonyms, coarsened dates; keygen makes the key).",
        "csc share keygen -o hub.key "
        "&& csc share pseudonymise synthetic/383 --policy regional --key-file hub.key -o shared",
    ),
    Tool(
        "csc store",
        "Keep every submission of many authorities append-only, validated at the door; publish merged and open data.",
        "csc store add hub.duckdb synthetic/383/2025_26/ssda903 --la 383 && csc store list hub.duckdb",
    ),
    Tool(
        "csc serve",
        "A local web page (127.0.0.1 only) to drop files, validate and browse errors by rule and child.",
        "csc serve",
    ),
    Tool("csc tools", "This list: every tool and installed pack, with an example.", "csc tools"),
)


def markdown() -> str:
    """docs/tools.md."""
    lines = [
        "# Tools",
        "",
        "Every tool csctools has, with a one-line purpose and an example you can run on synthetic data (start",
        "with the first: it writes the `synthetic/` folder the others read). `csc tools` prints the same list and",
        "the packs installed on your machine. The examples are checked by the test suite against this page.",
        "",
        "| tool | what it is for | example |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{t.command}` | {t.purpose} | `{t.example}` |" for t in TOOLS]
    lines += ["", "Packs are described in [packs.md](packs.md).", ""]
    return "\n".join(lines)
