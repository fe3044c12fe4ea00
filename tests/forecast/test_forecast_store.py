"""`csc forecast --store STORE --la CODE`: the same forecast as from the folders the store was filled from."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

runner = CliRunner()
YEARS = ("2023_24", "2024_25", "2025_26")


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("forecast-store")
    options = SynthOptions(
        ["383"], CollectionYear(2024), CollectionYear(2026), children=150, seed=5, formats=("csv",), annex_a=False,
        cin=False,
    )  # fmt: skip
    generate(options, out)
    folders = [out / "383" / year / "ssda903" for year in YEARS]
    store = out / "hub.duckdb"
    # 2024/25 twice: the second version (the same files) stands; the first must not be read as well.
    for folder in (folders[0], folders[1], folders[1], folders[2]):
        result = runner.invoke(app, ["store", "add", str(store), str(folder), "--la", "383", "--jobs", "1"])
        assert result.exit_code == 0, result.output
    return store, folders


def forecast(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["forecast", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_store_gives_the_forecast_the_folders_give(filled: tuple[Path, list[Path]], tmp_path: Path) -> None:
    store, folders = filled
    common = ["--method", "demand-model-0.5", "--no-backtest", "--changes"]
    code, text = forecast("--store", str(store), "--la", "383", *common, str(tmp_path / "c1.csv"),
                          "-o", str(tmp_path / "store.csv"))  # fmt: skip
    assert code == 0, text
    assert "store: 2023/24: version 1 from the store; 2024/25: version 2 from the store" in text
    code, text = forecast(*map(str, folders), *common, str(tmp_path / "c2.csv"), "-o", str(tmp_path / "folders.csv"))
    assert code == 0, text
    assert (tmp_path / "store.csv").read_bytes() == (tmp_path / "folders.csv").read_bytes()
    # The cleaning's list names the store, year, version and table, and the row of the file the authority sent.
    listed = (tmp_path / "c1.csv").read_text().splitlines()
    assert len(listed) == len((tmp_path / "c2.csv").read_text().splitlines()) > 1
    assert f"{store} (383 2024/25 version 2) Episodes" in "\n".join(listed)


def test_too_few_years_in_the_store(filled: tuple[Path, list[Path]], tmp_path: Path) -> None:
    _, folders = filled
    small = tmp_path / "one-year.duckdb"
    assert runner.invoke(app, ["store", "add", str(small), str(folders[2]), "--la", "383"]).exit_code == 0
    code, text = forecast("--store", str(small), "--la", "383")
    assert code == 2
    assert "the store holds only 2025/26 of authority 383's SSDA903 returns" in text and "at least 2" in text
    code, text = forecast("--store", str(small), "--la", "384")
    assert code == 2 and "holds none of authority 384's" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--store", "x.duckdb"], "give --la CODE and no folders"),
        (["somewhere", "--store", "x.duckdb", "--la", "383"], "give --la CODE and no folders"),
        ([], "give a folder per collection year, or --store STORE --la CODE"),
        (["--store", "absent.duckdb", "--la", "383"], "no store here"),
    ],
)
def test_store_options_misused(args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, text = forecast(*args)
    assert code == 2 and message in text and "Traceback" not in text


def test_matplotlib_only_when_a_chart_is_drawn(filled: tuple[Path, list[Path]], tmp_path: Path) -> None:
    from tests.test_startup_imports import run_csc

    _, folders = filled
    common = ["forecast", *map(str, folders), "--method", "demand-model-0.5", "--no-backtest", "-o"]
    done, modules = run_csc([*common, "f.csv"], tmp_path)
    assert done.returncode == 0, done.stderr[-500:]
    assert "matplotlib" not in modules
    done, modules = run_csc([*common, "f.html"], tmp_path)  # the control: the check sees it when it is imported
    assert done.returncode == 0 and "matplotlib" in modules and "csctools.forecast.charts" in modules
