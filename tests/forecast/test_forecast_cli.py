"""`csc forecast` end to end on synthetic returns: outputs, scenarios, and bad input (exit 2, file and row)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

runner = CliRunner()
YEARS = ("2023_24", "2024_25", "2025_26")


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("forecast")
    options = SynthOptions(
        ["383"],
        CollectionYear(2024),
        CollectionYear(2026),
        children=200,
        seed=3,
        formats=("csv",),
        annex_a=False,
        cin=False,
    )
    generate(options, out)
    return [out / "383" / year / "ssda903" for year in YEARS]


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["forecast", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_simulation_writes_csv_html_and_xlsx(folders: list[Path], tmp_path: Path) -> None:
    outputs = [tmp_path / "f.csv", tmp_path / "f.html", tmp_path / "f.xlsx"]
    code, text = invoke(
        *map(str, folders), "--runs", "40", *(x for o in outputs for x in ("-o", str(o))),
        "--changes", str(tmp_path / "changes.csv"), "--costs", str(tmp_path / "costs.csv"),
        "--costs-by-year", str(tmp_path / "years.csv"),
    )  # fmt: skip
    assert code == 0, text
    table = pl.read_csv(outputs[0], try_parse_dates=True)
    assert f"forecast to {table['date'].max()} (the last step" in text  # the date the CSV ends on
    years = pl.read_csv(tmp_path / "years.csv", try_parse_dates=True)
    assert years.columns == ["scenario", "year", "placement", "first_day", "last_day", "days", "cost",
                             "cumulative_cost", "discounted_cost", "p05", "p25", "p50", "p75", "p95"]  # fmt: skip
    assert years["placement"].to_list()[:5] == ["FOSTERING", "RESIDENTIAL", "SUPPORTED", "OTHER", "ALL"]
    together = years.filter(pl.col("placement") == "ALL")
    summed = years.filter(pl.col("placement") != "ALL").group_by("year").agg(pl.col("cost").sum()).sort("year")
    assert together["cost"].to_list() == pytest.approx(summed["cost"].to_list(), abs=0.05)
    assert (years["p05"] <= years["p50"]).all() and (years["p50"] <= years["p95"]).all()
    assert together["days"].sum() == (table["date"].max() - table["date"].min()).days  # the last step closes it
    assert table.columns == ["date", "age_band", "placement", "population", "p05", "p25", "p50", "p75", "p95"]
    assert table.group_by("date").len()["len"].unique().to_list() == [20]  # 5 bands x 4 placements at every date
    assert (table["p05"] <= table["p50"]).all() and (table["p50"] <= table["p95"]).all()
    assert "back-test:" in text
    # The synthetic returns have no H5/P2 placement: the back-test says so instead of a perfect 0 against 0.
    if "SUPPORTED" not in pl.read_csv(tmp_path / "years.csv").filter(pl.col("cost") > 0)["placement"].to_list():
        assert "  SUPPORTED    no children in this category in the data" in text
        assert "Supported: no children in this category in the data" in outputs[1].read_text()
    page = outputs[1].read_text()
    assert page.count('<svg role="img" aria-label="') == 3 and "How far to trust it" in page  # placement, age, cost
    assert "<script" not in page and 'aria-label="Children in care by placement category: history from' in page
    assert "http://" not in page.replace('"http://www.w3.org/', "") and "https://" not in page  # no outside assets
    with zipfile.ZipFile(outputs[2]) as book:
        charts = [n for n in book.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 2
    assert pl.read_csv(tmp_path / "costs.csv").columns[:3] == ["scenario", "date", "placement"]
    listed = pl.read_csv(tmp_path / "changes.csv")
    assert listed.columns[:3] == ["_source", "_row", "CHILD"]
    # Every episode the cleaning changed is counted on the terminal and listed (file, row) in --changes.
    counted = sum(int(line.split()[1].replace(",", "")) for line in text.splitlines() if line.startswith("cleaning:"))
    assert counted == listed.height > 0 and listed["_row"].min() >= 2


def test_demand_model_with_a_scenario_side_by_side(folders: list[Path], tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: no-residential-moves\nchanges:\n"
        "  - {change: move, from: 2020-01-01, placement: FOSTERING, to: RESIDENTIAL, factor: 0}\n"
        "  - {change: entries, from: 2020-01-01, factor: 0.5}\n"
    )
    code, text = invoke(*map(str, folders), "--method", "demand-model-0.5", "--scenario", str(scenario),
                        "-o", str(tmp_path / "dm.csv"))  # fmt: skip
    assert code == 0, text
    table = pl.read_csv(tmp_path / "dm.csv")
    assert table.columns == ["scenario", "date", "age_band", "placement", "population"]
    last = table.filter(pl.col("date") == pl.col("date").max()).group_by("scenario").agg(pl.col("population").sum())
    totals = dict(last.rows())
    assert totals["no-residential-moves"] < totals["base"]  # half the entrants
    # the terminal says the same totals as the CSV holds, and the scenario's difference from the base
    day = table["date"].max()
    base, fewer = round(totals["base"]), round(totals["no-residential-moves"])
    assert f"-> {base:,} on {day}; cost £" in text
    assert f"  scenario no-residential-moves: {fewer:,} on {day} ({fewer - base:+,} against base); cost £" in text
    # which unit costs the cost rests on: the published model's, for this method
    assert "unit costs a week: Fostering £167, Residential £1,000, Supported £1,000, Other £1,000 (the pub" in text


def test_years_missing(folders: list[Path]) -> None:
    code, text = invoke(str(folders[0]), str(folders[2]))
    assert code == 2 and "years missing: 2024/25" in text


def test_year_given_twice(folders: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / "again"
    shutil.copytree(folders[1], copy)
    code, text = invoke(*map(str, folders), str(copy))
    assert code == 2 and "two returns for 2024/25" in text


def test_too_little_history(folders: list[Path]) -> None:
    code, text = invoke(*map(str, folders[1:]), "--reference-start", "2023-01-01")
    assert code == 2 and "too little history" in text


def test_inconsistent_dates_name_file_and_row(folders: list[Path], tmp_path: Path) -> None:
    broken = tmp_path / "2025_26"
    shutil.copytree(folders[2], broken)
    episodes = next(broken.glob("*_episodes.csv"))
    lines = episodes.read_text().splitlines()
    cells = lines[1].split(",")
    cells[7] = "01/01/2000"  # DEC long before DECOM
    lines[1] = ",".join(cells)
    episodes.write_text("\n".join(lines) + "\n")
    code, text = invoke(str(folders[0]), str(folders[1]), str(broken))
    assert code == 2
    assert f"{episodes}, row 2, column DEC" in text and "before it starts" in text
    assert "Traceback" not in text


def _set_cell(table: Path, row: int, column: str, value: str) -> str:
    """Write `value` into a CSV cell (row as a spreadsheet numbers it); the child's id of that row."""
    lines = table.read_text().splitlines()
    names = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[names.index(column)] = value
    lines[row - 1] = ",".join(cells)
    table.write_text("\n".join(lines) + "\n")
    return cells[names.index("CHILD")]


def test_unreadable_dates_are_dropped_listed_and_counted(folders: list[Path], tmp_path: Path) -> None:
    oldest = tmp_path / "2023_24"
    shutil.copytree(folders[0], oldest)
    header, episodes = next(oldest.glob("*_header.csv")), next(oldest.glob("*_episodes.csv"))
    born_child = _set_cell(header, 2, "DOB", "31/02/2012")
    started_child = _set_cell(episodes, 3, "DECOM", "soon")
    changes = tmp_path / "changes.csv"
    code, text = invoke(str(oldest), *map(str, folders[1:]), "--runs", "20", "--changes", str(changes))
    assert code == 0, text
    assert "1 Header row dropped: DOB blank or not a date" in text
    assert "1 episode dropped: DECOM blank or not a date, or DEC not a date" in text
    listed = pl.read_csv(changes, infer_schema_length=0).filter(pl.col("reason").str.starts_with("unreadable"))
    assert sorted(listed.select("_source", "_row", "CHILD", "reason").rows()) == sorted(
        [(str(header), "2", born_child, "unreadable-dob"), (str(episodes), "3", started_child, "unreadable-date")]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "crystal-ball"], "unknown method"),
        (["-o", "out.pdf"], "unknown output format"),
        (["--unit-cost", "CASTLE=1"], "must be one of"),
        (["--reference-start", "31/03/2025"], "is not a date"),
    ],
)
def test_bad_options(folders: list[Path], args: list[str], message: str) -> None:
    code, text = invoke(*map(str, folders), *args)
    assert code == 2 and message in text


def test_folder_without_a_903_return(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    code, text = invoke(str(tmp_path))
    assert code == 2 and "no SSDA903 Header and Episodes" in text


def test_scenario_names_must_differ(folders: list[Path], tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: base\nchanges: []\n")
    code, text = invoke(*map(str, folders), "--scenario", str(scenario))
    assert code == 2 and "is used twice (or is 'base')" in text


def test_a_file_of_another_return_given_by_name_is_said_to_be_skipped(folders: list[Path], tmp_path: Path) -> None:
    census = tmp_path / "cin_census_2025_26.xml"
    census.write_text('<?xml version="1.0"?>\n<Message><Header><Collection>CIN</Collection></Header></Message>\n')
    code, text = invoke(str(census), *map(str, folders), "-o", str(tmp_path / "f.csv"), "--runs", "20")
    assert code == 0, text
    assert f"warning: {census}: a CIN census, not an SSDA903 return; skipped" in text
    code, text = invoke(*map(str, folders), "-o", str(tmp_path / "g.csv"), "--runs", "20")
    assert code == 0 and "skipped" not in text  # the folders' own tables: nothing said
