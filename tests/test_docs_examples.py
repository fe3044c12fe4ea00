"""The Python examples of the docs run as written, on the synthetic returns the docs make with `csc synth`."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

DOCS = Path(__file__).resolve().parents[1] / "docs"


def python_blocks(page: str, heading: str) -> list[str]:
    """The ```python blocks under a heading of a docs page."""
    text = (DOCS / page).read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def synthetic_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    options = SynthOptions(
        ["383"], CollectionYear(2025), CollectionYear(2026), children=80, seed=1, annex_a=False, cin=False
    )
    generate(options, out / "synthetic")
    return out


def test_validate_from_python_runs_as_written(synthetic_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = python_blocks("validate.md", "## From Python")
    here = Path.cwd()
    os.chdir(synthetic_folder)
    try:
        exec(compile(block, "docs/validate.md", "exec"), {})
    finally:
        os.chdir(here)
    printed = capsys.readouterr().out
    assert re.search(r"\d+ (errors?|quer(y|ies)) in \d+ children", printed), printed
    assert (synthetic_folder / "report.xlsx").stat().st_size > 1000
