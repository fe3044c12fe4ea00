"""A hub key and synthetic returns pseudonymised under each shipped policy, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.synth.generate import SynthResult

runner = CliRunner()
POLICIES = ("regional", "sufficiency", "open")


@pytest.fixture(scope="session")
def hub_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "hub.key"
    result = runner.invoke(app, ["share", "keygen", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="session")
def shared(
    synthetic: tuple[Path, SynthResult], hub_key: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Output folder per shipped policy, from LA 383's two years (903 CSV and XML, CIN XML, Annex A)."""
    outputs = {}
    for policy in POLICIES:
        out = tmp_path_factory.mktemp(f"shared-{policy}")
        args = ["share", "pseudonymise", str(synthetic[0] / "383"), "--policy", policy]
        result = runner.invoke(app, [*args, "--key-file", str(hub_key), "-o", str(out / "out")])
        assert result.exit_code == 0, result.output
        outputs[policy] = out / "out"
    return outputs
