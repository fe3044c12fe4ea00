"""Run the reference validators on the hand-made cases of tests/rules/test_rule_versions.py, each in its own
collection year's rule set, and compare the rows they flag with csctools'.

Usage: python bench/compare_versions.py --reference /path/to/ref-venv/bin/python
The cases are collected by running that test file with a plugin that records each call of `failing_rows` (the
tables, the year and the rows csctools flagged). 903 cases are written as CSV files and run through
bench/reference_903_runner.py; CIN cases are written as census XML and run through bench/reference_cin_runner.py.
Cases that need an Ofsted provider list are skipped (the runner gives the reference none).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from csctools.datasets.cin.write import write_cin_xml
from csctools.datasets.ssda903.schema import SSDA903

BENCH = Path(__file__).parent
TESTS = BENCH.parent / "tests" / "rules" / "test_rule_versions.py"
Call = dict[str, Any]


class Recorder:
    """A pytest plugin that wraps the test module's `failing_rows` and keeps every call with its result."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        module = next(m for name, m in sys.modules.items() if name.endswith("test_rule_versions"))
        real = getattr(module, "failing_rows")  # noqa: B009  (a module attribute patched at run time)

        def recording(dataset: str, code: str, tables: Any, **kw: Any) -> set[tuple[str, int]]:
            rows: set[tuple[str, int]] = real(dataset, code, tables, **kw)
            year = kw.get("year", 2026)
            call = {"dataset": dataset, "code": code, "tables": tables, "year": year, "rows": sorted(rows)}
            self.calls.append(call | {"previous": kw.get("previous"), "providers": kw.get("providers") is not None})
            return rows

        setattr(module, "failing_rows", recording)  # noqa: B010


def write_903(tables: dict[str, list[dict[str, str | None]]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = [c.name for c in SSDA903.table(name).columns]
        with (folder / f"{name}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(["" if row.get(c) is None else row[c] for c in columns] for row in rows)


def run(python: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([python, *args], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def reference_903(python: str, call: Call, folder: Path) -> tuple[list[list[object]], bool]:
    write_903(call["tables"], folder / "now")
    write_903(call["previous"] or {}, folder / "last")
    end = int(call["year"])
    found = run(python, str(BENCH / "reference_903_runner.py"), str(folder / "now"), str(folder / "last"),
                f"lac{end - 1}_{end % 100:02d}", "E08000035")  # fmt: skip
    rows = sorted([str(t), int(r) + 2] for t, r in found["errors"].get(call["code"], []))  # 0-based -> row number
    return rows, call["code"] in found["failed"]


def reference_cin(python: str, call: Call, folder: Path) -> tuple[list[list[object]], bool]:
    """The CIN runner names the children flagged; the cases hold one child, so a flag is its identifiers row."""
    end = int(call["year"])
    tables = call["tables"] | {"Header": [call["tables"]["Header"][0] | {"ReferenceDate": f"{end}-03-31"}]}
    path = write_cin_xml(tables, folder / "census.xml")
    found = run(python, str(BENCH / "reference_cin_runner.py"), str(path), f"cin{end - 1}_{end % 100:02d}")
    rows: list[list[object]] = [["ChildIdentifiers", 2]] if found["issues"].get(call["code"]) else []
    return rows, call["code"] in found["crashed"]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reference", required=True, help="python of the venv with the reference validators")
    args = parser.parse_args()
    recorder = Recorder()
    if pytest.main(["-q", "-p", "no:cacheprovider", str(TESTS)], plugins=[recorder]) != 0:
        sys.exit("the version tests failed; fix them first")
    print("| rule | year | csctools rows | reference rows | same |\n| --- | --- | --- | --- | --- |")
    same = compared = 0
    with tempfile.TemporaryDirectory() as scratch:
        for n, call in enumerate(recorder.calls):
            if call["providers"]:
                continue
            folder = Path(scratch) / str(n)
            folder.mkdir()
            compare = reference_903 if call["dataset"] == "ssda903" else reference_cin
            theirs, crashed = compare(args.reference, call, folder)
            ours = [list(row) for row in call["rows"]]
            agree = ours == theirs and not crashed
            same, compared = same + agree, compared + 1
            shown = f"{theirs}{' (crashed)' if crashed else ''}"
            print(f"| {call['code']} | {call['year']} | {ours} | {shown} | {'yes' if agree else 'NO'} |")
    skipped = sum(1 for call in recorder.calls if call["providers"])
    print(f"\n{same} of {compared} cases agree; {skipped} cases with a provider list not compared.")


if __name__ == "__main__":
    main()
