"""csc forecast --method demand-model-0.5 against the published cs-demand-model 0.5.1, and the simulation's time.

Usage: python bench/compare_forecast.py --reference /path/to/ref-venv/bin/python [--children 1000 5000]
       [--step-days 1] [--repeat 3] [--record bench/RESULTS.md]
For each size: synthetic returns for five collection years (csc synth, 2022/23 to 2026/27), both tools on the same
Header and Episodes files, agreement on the population of every age band x placement at every forecast date and on
the daily cost by placement, and wall times (each process timed from outside; the tools run in turns).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from record import heading, publish

BENCH = Path(__file__).parent
RUNNER = BENCH / "reference_forecast_runner.py"
CSC = str(Path(sys.executable).with_name("csc"))
YEARS = ("2022_23", "2023_24", "2024_25", "2025_26", "2026_27")
TOLERANCE = 0.005


def synthetic(children: int, seed: int, out: Path) -> tuple[list[Path], Path]:
    """Five years of synthetic 903 returns; our input folders (Header, Episodes) and the reference's layout."""
    folder = out / f"forecast-{children}-{seed}"
    if not (folder / "383").exists():
        subprocess.run(
            [CSC, "synth", "--la", "383", "--from", "2022/23", "--to", "2026/27", "--children", str(children),
             "--seed", str(seed), "--out", str(folder), "--no-cin", "--no-annex-a"],
            check=True, capture_output=True,
        )  # fmt: skip
    ours, theirs = folder / "ours", folder / "reference"
    for year in YEARS:
        source = folder / "383" / year / "ssda903"
        end_year = f"20{year[-2:]}"
        (ours / year).mkdir(parents=True, exist_ok=True)
        (theirs / end_year).mkdir(parents=True, exist_ok=True)
        for table in ("header", "episodes"):
            file = source / f"ssda903_{year}_{table}.csv"
            shutil.copy(file, ours / year / file.name)
            shutil.copy(file, theirs / end_year / f"{table}.csv")
    return [ours / y for y in YEARS], theirs


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall and CPU (user + system) seconds of one process, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def agreement(ours: pl.DataFrame, theirs: pl.DataFrame, keys: list[str], value: str) -> dict[str, float]:
    """Largest relative difference (cells where the reference is at least 1), largest absolute one, coverage."""
    joined = theirs.join(ours, on=keys, how="full", suffix="_ours", coalesce=True)
    missing = joined.filter(pl.col(value).is_null() | pl.col(f"{value}_ours").is_null()).height
    diff = (pl.col(f"{value}_ours") - pl.col(value)).abs()
    counted = joined.drop_nulls([value, f"{value}_ours"])
    relative = counted.filter(pl.col(value) >= 1).select((diff / pl.col(value)).max()).item() or 0.0
    return {
        "cells": float(counted.height),
        "missing": float(missing),
        "max_rel": float(relative),
        "max_abs": float(counted.select(diff.max()).item() or 0.0),
        "within": float(
            counted.filter(diff <= TOLERANCE * pl.col(value).abs().clip(1)).height / max(counted.height, 1)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reference", required=True, help="python of an environment with cs-demand-model 0.5.1")
    parser.add_argument("--children", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--step-days", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=BENCH / "_data")
    parser.add_argument("--record", type=Path)
    args = parser.parse_args()
    lines = heading("Forecast: demand-model-0.5 against cs-demand-model 0.5.1, and the simulation")
    lines += [
        "Wall times are whole processes timed from outside, median (min-max) of the repeats, the tools run in turns "
        "on a machine shared with other work. Agreement: largest relative difference over every date x age band x "
        "placement with a reference population of at least 1, and the share of all cells within 0.5%.",
        "",
        "| children | step days | dates x cells | population: max rel. diff | within 0.5% | costs: max rel. diff "
        "| csctools demand-model-0.5: wall s / CPU s | cs-demand-model: wall s / CPU s (its fit + predict s) "
        "| csctools simulation, 1,000 runs: wall s / CPU s | csc version: wall s / CPU s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- |",
    ]
    for children in args.children:
        ours_in, theirs_in = synthetic(children, args.seed, args.out)
        work = args.out / f"forecast-{children}-{args.seed}"
        mine = [CSC, "forecast", *map(str, ours_in), "--method", "demand-model-0.5", "--step-days",
                str(args.step_days), "--no-backtest", "-o", str(work / "ours.csv"),
                "--costs", str(work / "ours-costs.csv")]  # fmt: skip
        theirs = [args.reference, str(RUNNER), str(theirs_in), str(args.step_days), str(work / "ref")]
        simulation = [CSC, "forecast", *map(str, ours_in), "--runs", "1000", "--no-backtest",
                      "-o", str(work / "simulation.csv")]  # fmt: skip
        times: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for name, command in (("ours", mine), ("ref", theirs), ("sim", simulation), ("start", [CSC, "version"])):
                wall, cpu, out = timed(command)
                times.setdefault(name, []).append(wall)
                times.setdefault(f"{name}_cpu", []).append(cpu)
                if name == "ref":
                    times.setdefault("ref_compute", []).append(
                        float(json.loads(out.strip().splitlines()[-1])["compute"])
                    )
        keys = ["date", "age_band", "placement"]
        ours = pl.read_csv(work / "ours.csv", try_parse_dates=True)
        ref = pl.read_csv(work / "ref-population.csv", try_parse_dates=True)
        population = agreement(ours, ref, keys, "population")
        ours_costs = pl.read_csv(work / "ours-costs.csv", try_parse_dates=True).select(
            "date", "placement", "cost_per_day"
        )
        ref_costs = pl.read_csv(work / "ref-costs.csv", try_parse_dates=True)
        costs = agreement(ours_costs, ref_costs, ["date", "placement"], "cost_per_day")

        def spread(values: list[float]) -> str:
            return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"

        lines.append(
            f"| {children:,} | {args.step_days} | {ref['date'].n_unique()} x 20 | {population['max_rel']:.2e} "
            f"| {population['within']:.1%} (missing {population['missing']:.0f}) | {costs['max_rel']:.2e} "
            f"| {spread(times['ours'])} / {spread(times['ours_cpu'])} "
            f"| {spread(times['ref'])} / {spread(times['ref_cpu'])} ({spread(times['ref_compute'])}) "
            f"| {spread(times['sim'])} / {spread(times['sim_cpu'])} "
            f"| {spread(times['start'])} / {spread(times['start_cpu'])} |"
        )
    publish(lines, args.record)


if __name__ == "__main__":
    main()
