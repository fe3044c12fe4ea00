"""demand-model-0.5 against the published package itself, when an environment holding it is given.

Set CSCTOOLS_DEMAND_MODEL_PYTHON to the python of a separate virtual environment with cs-demand-model==0.5.1
(never a csctools dependency); skipped otherwise (as in CI). bench/compare_forecast.py does the same at 1,000 and
5,000 children with timings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

REFERENCE = os.environ.get("CSCTOOLS_DEMAND_MODEL_PYTHON")
RUNNER = Path(__file__).parents[2] / "bench" / "reference_forecast_runner.py"


@pytest.mark.skipif(not REFERENCE, reason="set CSCTOOLS_DEMAND_MODEL_PYTHON to a python with cs-demand-model 0.5.1")
@pytest.mark.parametrize("step_days", [1, 90])
def test_population_and_costs_agree_with_cs_demand_model(tmp_path: Path, step_days: int) -> None:
    options = SynthOptions(
        ["383"],
        CollectionYear(2023),
        CollectionYear(2026),
        children=300,
        seed=11,
        formats=("csv",),
        annex_a=False,
        cin=False,
    )
    generate(options, tmp_path)
    ours, theirs = [], tmp_path / "reference"
    for year in ("2022_23", "2023_24", "2024_25", "2025_26"):
        folder = tmp_path / "383" / year / "ssda903"
        ours.append(folder)
        target = theirs / f"20{year[-2:]}"
        target.mkdir(parents=True)
        for table in ("header", "episodes"):
            shutil.copy(folder / f"ssda903_{year}_{table}.csv", target / f"{table}.csv")
    assert REFERENCE is not None
    subprocess.run([REFERENCE, str(RUNNER), str(theirs), str(step_days), str(tmp_path / "ref")], check=True)
    result = CliRunner().invoke(
        app,
        ["forecast", *map(str, ours), "--method", "demand-model-0.5", "--step-days", str(step_days), "--no-backtest",
         "-o", str(tmp_path / "ours.csv"), "--costs", str(tmp_path / "ours-costs.csv")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    keys = ["date", "age_band", "placement"]
    mine = pl.read_csv(tmp_path / "ours.csv", try_parse_dates=True)
    reference = pl.read_csv(tmp_path / "ref-population.csv", try_parse_dates=True)
    joined = reference.join(mine, on=keys, how="full", coalesce=True, suffix="_ours")
    assert joined.height == mine.height == reference.height
    tolerance = 0.005 * joined["population"].clip(1.0)  # 0.5% of each cell (at least of one child)
    assert ((joined["population_ours"] - joined["population"]).abs() <= tolerance).all()
    costs = pl.read_csv(tmp_path / "ours-costs.csv", try_parse_dates=True).join(
        pl.read_csv(tmp_path / "ref-costs.csv", try_parse_dates=True), on=["date", "placement"], suffix="_ref"
    )
    assert ((costs["cost_per_day"] - costs["cost_per_day_ref"]).abs() <= 0.005 * costs["cost_per_day_ref"].abs()).all()
