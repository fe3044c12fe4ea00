"""Synthetic returns of two authorities for the store's tests (one year; Wakefield's with injected errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)


@pytest.fixture(scope="session")
def hub_returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hub")
    common = {"children": 50, "formats": ("csv",), "annex_a": False}
    generate(SynthOptions(["383"], YEAR, YEAR, seed=3, **common), out)  # type: ignore[arg-type]
    generate(SynthOptions(["384"], YEAR, YEAR, seed=3, inject=8, **common), out)  # type: ignore[arg-type]
    return out
