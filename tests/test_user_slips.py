"""Slips a new user makes (found by trying the tool as one): each gives one line and exit 2, never a silent pass."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

runner = CliRunner()
YEAR = CollectionYear(2026)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("slips")
    generate(SynthOptions(["383"], YEAR, YEAR, children=60, seed=5, formats=("csv",), annex_a=False, cin=True), out)
    return out / "383" / YEAR.key


def test_a_year_no_rule_covers_is_refused(folder: Path) -> None:
    census = next(folder.glob("cin*.xml"))
    result = runner.invoke(app, ["validate", "cin", str(census), "--year", "2026/27", "--la", "383"])
    assert result.exit_code == 2
    assert "the CIN census rules cover 2022/23 to 2025/26, not 2026/27" in result.output


def test_previous_naming_this_years_files_is_refused(folder: Path) -> None:
    tables = str(folder / "ssda903")
    result = runner.invoke(app, ["validate", "903", tables, "--previous", tables, "--la", "383"])
    assert result.exit_code == 2
    assert "--previous names files that are also this year's" in result.output


def test_an_output_that_cannot_be_written_is_one_line(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "report.xlsx").mkdir()  # a folder where the workbook should go
    for target in (tmp_path / "not-a-folder.txt" / "r.csv", tmp_path / "report.xlsx"):
        (tmp_path / "not-a-folder.txt").write_text("x")
        done = subprocess.run(
            [sys.executable, "-m", "csctools.cli", "validate", "903", str(folder / "ssda903"), "-o", str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr.strip().splitlines()[-1].startswith("csc: cannot write")


def test_missing_tables_do_not_flood_errors(folder: Path, tmp_path: Path) -> None:
    """Only Header and Episodes: rules reading UASC or OC3 (392a, EPI) are not run rather than flagging children."""
    for name in ("header", "episodes"):
        shutil.copy(next((folder / "ssda903").glob(f"*_{name}.csv")), tmp_path)
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["validate", "903", str(tmp_path), "--la", "383", "-o", str(out)])
    assert result.exit_code == 0, result.output
    outcomes = {o["code"]: o for o in json.loads(out.read_text())["rules"]}
    assert outcomes["EPI"]["status"] == "not run" and "the OC3 table" in outcomes["EPI"]["reason"]
    assert outcomes["392a"]["status"] == "not run" and "the UASC table" in outcomes["392a"]["reason"]


def test_synth_years_outside_the_data_model(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--from", "2019/20", "--to", "2020/21", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "2022/23 to 2026/27" in result.output
    result = runner.invoke(app, ["synth", "--mutation", "sex_invalid", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "give --inject N too" in result.output


def test_the_web_page_refuses_a_year_no_rule_covers(folder: Path, tmp_path: Path) -> None:
    from csctools.web.workspace import UserError, Workspace

    workspace = Workspace(reader=None, temp_dir=tmp_path)
    census = next(folder.glob("cin*.xml"))
    workspace.add_file("current", census.name, census.read_bytes())
    with pytest.raises(UserError, match="the CIN census rules cover 2022/23 to 2025/26, not 2026/27"):
        workspace.start("2026/27", "383")


def test_la_other_than_the_census_header_is_warned(folder: Path) -> None:
    census = next(folder.glob("cin*.xml"))
    result = runner.invoke(app, ["validate", "cin", str(census), "--la", "384"])
    assert result.exit_code in (0, 1)
    assert "but the census header names 383" in result.output


def test_a_damaged_row_of_a_provider_list_is_not_skipped_silently(tmp_path: Path) -> None:
    from csctools.io.result import ReadError
    from csctools.reference.providers import read_providers

    listing = tmp_path / "providers.csv"
    listing.write_text(
        "URN,Provider type,Placement code,Placement provider code,Setting postcode\n"
        'SC1,Children home,K2,PR2,LS1 1AA\n"SC2,Children home,K2,PR2,LS1 1AB\nSC3,Children home,K2,PR2,LS1 1AC\n'
    )
    with pytest.raises(ReadError) as raised:
        read_providers(listing)
    described = raised.value.problem.describe()
    assert described.endswith(
        'row 3: the provider list cannot be read: a quote (") opened on this row is not closed on it'
    )


def test_a_year_the_dates_contradict_is_warned_and_a_duplicate_table_said_once(folder: Path, tmp_path: Path) -> None:
    tables = folder / "ssda903"
    result = runner.invoke(app, ["validate", "903", str(tables), "--year", "2024/25", "--la", "383"])
    assert "--year says 2024/25 but the dates in the files are of 2025/26" in result.output
    for path in tables.glob("*.csv"):
        shutil.copy(path, tmp_path)
    shutil.copy(next(tables.glob("*_header.csv")), tmp_path / "header_copy.csv")
    result = runner.invoke(app, ["validate", "903", str(tmp_path), "--la", "383"])
    assert result.exit_code == 2 and result.output.count("the Header table is given twice") == 1, result.output


def test_synth_into_a_folder_of_an_earlier_run_says_which_files_it_left(tmp_path: Path) -> None:
    first = ["synth", "--la", "383", "--from", "2024/25", "--to", "2025/26", "--children", "20", "--out", str(tmp_path)]
    assert runner.invoke(app, first).exit_code == 0
    again = runner.invoke(app, [*first[:3], "--from", "2025/26", *first[5:]])
    assert again.exit_code == 0, again.output
    assert f"note: {tmp_path / '383'} also holds" in again.output and "2024_25" in again.output
    fresh = runner.invoke(app, [*first[:-1], str(tmp_path / "fresh")])
    assert fresh.exit_code == 0 and "note:" not in fresh.output


def test_validate_an_empty_folder_names_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["validate", "903", str(empty), "--la", "383"])
    assert result.exit_code == 2 and f"no files found for this year's return in {empty}" in result.output


def test_a_bare_year_is_refused_as_either_year(folder: Path) -> None:
    result = runner.invoke(app, ["validate", "903", str(folder / "ssda903"), "--year", "2025", "--la", "383"])
    assert result.exit_code == 2
    assert "'2025' could be 2024/25 or 2025/26: give the collection year, e.g. 2025/26" in result.output


def test_a_census_year_the_header_contradicts_is_warned(folder: Path) -> None:
    census = next(folder.glob("cin*.xml"))
    result = runner.invoke(app, ["validate", "cin", str(census), "--year", "2024/25", "--la", "383"])
    assert "warning: --year says 2024/25 but the census header is of 2025/26" in result.output


def test_an_la_the_upns_contradict_is_warned(folder: Path) -> None:
    tables = str(folder / "ssda903")
    result = runner.invoke(app, ["validate", "903", tables, "--la", "384"])
    assert "warning: --la 384 (Wakefield), but 100% of the children's UPNs were issued by Leeds (383)" in result.output
    result = runner.invoke(app, ["validate", "903", tables, "--la", "383"])
    assert "check --la" not in result.output and "two different returns" not in result.output


def test_903_tables_saved_as_xlsx_are_named_as_such(folder: Path, tmp_path: Path) -> None:
    """Not "Annex A" or "an Ofsted provider list" (the Episodes table has a URN column): say how to save them."""
    import csv

    import xlsxwriter

    for path in sorted((folder / "ssda903").glob("*_episodes.csv")) + sorted((folder / "ssda903").glob("*_header.csv")):
        book = xlsxwriter.Workbook(str(tmp_path / f"{path.stem}.xlsx"))
        sheet = book.add_worksheet("Sheet1")
        with path.open(newline="") as handle:
            for number, row in enumerate(csv.reader(handle)):
                sheet.write_row(number, 0, row)
        book.close()
    result = runner.invoke(app, ["validate", "903", str(tmp_path), "--la", "383"])
    assert result.exit_code == 2
    assert "the SSDA903 tables were saved as Excel workbooks" in result.output
    assert "save each table as CSV" in result.output and "Annex A" not in result.output
    result = runner.invoke(app, ["inspect", str(next(tmp_path.glob("*_episodes.xlsx")))])
    assert "SSDA903 tables saved as an Excel workbook: Episodes (sheet 'Sheet1')" in result.output


def test_a_return_without_episodes_is_not_passed(folder: Path, tmp_path: Path) -> None:
    shutil.copy(next((folder / "ssda903").glob("*_header.csv")), tmp_path)
    result = runner.invoke(app, ["validate", "903", str(tmp_path), "--la", "383"])
    assert result.exit_code == 1  # no rule that ran failed, but the return cannot be sent
    assert "incomplete: no Episodes table, which every return has" in result.output


def test_an_only_choosing_no_rule_of_the_year_is_refused(folder: Path) -> None:
    result = runner.invoke(app, ["validate", "903", str(folder / "ssda903"), "--la", "383", "--only", "230"])
    assert result.exit_code == 2 and "--only 230: none of the rules it chooses applies to 2025/26" in result.output


def test_an_episodes_file_of_its_header_row_only_is_said_to_be_empty(folder: Path, tmp_path: Path) -> None:
    for table in (folder / "ssda903").glob("*.csv"):
        shutil.copy(table, tmp_path)
    episodes = next(tmp_path.glob("*_episodes.csv"))
    episodes.write_text(episodes.read_text().splitlines()[0] + "\n")  # an export cut short
    result = runner.invoke(app, ["validate", "903", str(tmp_path), "--la", "383"])
    assert result.exit_code == 1
    assert f"incomplete: the Episodes table has no rows ({episodes} holds only its header row)" in result.output


def test_the_web_page_validates_the_return_chosen_of_a_903_and_a_census(folder: Path, tmp_path: Path) -> None:
    import time

    from csctools.web.workspace import UserError, Workspace

    workspace = Workspace(reader=None, temp_dir=tmp_path)
    for path in [*sorted((folder / "ssda903").glob("*.csv")), next(folder.glob("cin*.xml"))]:
        workspace.add_file("current", path.name, path.read_bytes())
    with pytest.raises(UserError, match="hold an SSDA903 return and a CIN census: choose which to validate"):
        workspace.start(None, "383")
    for dataset in ("cin", "ssda903"):
        workspace.start(None, "383", dataset)
        for _ in range(600):
            if workspace.job.state != "running":
                break
            time.sleep(0.1)
        assert workspace.job.state == "done", workspace.job.message
        assert workspace.outcome is not None and workspace.outcome.data.dataset == dataset


def test_csc_web_is_the_local_page_as_people_guess_it() -> None:
    result = runner.invoke(app, ["web", "--help"])
    assert result.exit_code == 0 and "127.0.0.1" in result.output
