"""Shared fixtures: a small synthetic return set, generated once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from csctools.synth.generate import SynthOptions, SynthResult, generate
from csctools.years import CollectionYear

SMALL = 150


@pytest.fixture(scope="session", autouse=True)
def own_user_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The suite never reads or writes the user's own settings, installed packs or caches (a settings file for
    LA 383 left by someone's `csc accept` changed what `csc validate --la 383` loads): every test, and every `csc`
    it starts, sees empty folders of its own."""
    home = tmp_path_factory.mktemp("user")
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            patch.setenv(variable, str(home / variable.lower()))
        yield


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthResult]:
    out = tmp_path_factory.mktemp("synthetic")
    options = SynthOptions(["383"], CollectionYear(2025), CollectionYear(2026), children=SMALL, seed=7)
    return out, generate(options, out)


@pytest.fixture(scope="session")
def year_folder(synthetic: tuple[Path, SynthResult]) -> Path:
    return synthetic[0] / "383" / "2025_26"
