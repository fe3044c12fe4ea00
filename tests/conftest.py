"""Shared fixtures: a small synthetic return set, generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from csctools.synth.generate import SynthOptions, SynthResult, generate
from csctools.years import CollectionYear

SMALL = 150


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthResult]:
    out = tmp_path_factory.mktemp("synthetic")
    options = SynthOptions(["383"], CollectionYear(2025), CollectionYear(2026), children=SMALL, seed=7)
    return out, generate(options, out)


@pytest.fixture(scope="session")
def year_folder(synthetic: tuple[Path, SynthResult]) -> Path:
    return synthetic[0] / "383" / "2025_26"
