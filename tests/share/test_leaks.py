"""The leak test: no input identifier appears in any output of any shipped policy, in any form.

The files written are read back here on their own (text, Parquet, XLSX cells) and searched for every identifier
of the input, normalised (upper case, no spaces); the list of identifying columns is written out here, not taken
from the code under test.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import polars as pl
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from csctools.cli.main import app
from csctools.io.result import ReturnData
from csctools.read import read_files
from csctools.share.leaks import find_leaks
from csctools.share.policy import Policy, find_policy
from csctools.share.pseudonymise import pseudonymise
from csctools.synth.generate import SynthResult
from tests.share.conftest import POLICIES

runner = CliRunner()

IDENTIFYING = {
    "CHILD", "UPN", "FormerUPN", "LAchildID", "Child Unique ID", "SW_ID", "HOME_POST", "PL_POST",
    "Placement postcode", "Individual adopter identifier", "Family identifier", "Allocated Worker",
    "Allocated Team", "Allocated Personal Advisor",
}  # fmt: skip
BIRTHS = {"DOB", "MC_DOB", "PersonBirthDate", "ExpectedPersonBirthDate", "Date of Birth"}


def normal(series: pl.Series) -> pl.Series:
    return series.cast(pl.String).str.to_uppercase().str.replace_all(r"\s+", "")


@functools.cache
def input_returns(root: Path) -> list[ReturnData]:
    """The inputs, read once per session (the tests only look at them)."""
    folders = [root / "2024_25" / "ssda903", root / "2025_26" / "ssda903"]
    returns = [read_files(sorted(f.glob("*.csv")))[0][0] for f in folders]
    others = [*sorted(root.rglob("*.xml")), root / "annex_a_2025_26.xlsx"]
    return returns + read_files(others)[0]


def identifiers(returns: list[ReturnData]) -> list[str]:
    values = [
        normal(frame[c]) for data in returns for frame in data.tables.values() for c in frame.columns
        if c in IDENTIFYING or (c.endswith("_raw") and c[:-4] in IDENTIFYING)
    ]  # fmt: skip
    found = pl.concat(values).drop_nulls().unique()
    return found.filter(~found.str.contains(r"^UN\d+$") & (found.str.len_chars() >= 5)).to_list()


def output_cells(folder: Path) -> pl.Series:
    """Every line of every text file, every Parquet value and every XLSX cell written, normalised."""
    cells: list[str] = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".csv", ".xml", ".json"):
            cells += path.read_text(encoding="utf-8").splitlines()
        elif path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            cells += [str(v) for c in frame.columns for v in frame[c].to_list() if v is not None]
        elif path.suffix == ".xlsx":
            book = CalamineWorkbook.from_path(str(path))
            for sheet in book.sheet_names:
                cells += [str(v) for row in book.get_sheet_by_name(sheet).to_python() for v in row if v != ""]
    return normal(pl.Series(cells, dtype=pl.String))


@pytest.mark.parametrize("policy", POLICIES)
def test_no_identifier_in_any_output(
    policy: str, shared: dict[str, Path], synthetic: tuple[Path, SynthResult], hub_key: Path
) -> None:
    returns = input_returns(synthetic[0] / "383")
    ids = identifiers(returns)
    assert len(ids) > 1000  # child ids, UPNs, postcodes and workers of two years of three returns
    cells = output_cells(shared[policy])
    assert cells.len() > (0 if policy == "open" else 5000)
    assert int(cells.str.contains_any(ids).sum()) == 0
    key = hub_key.read_text().strip().upper()
    assert int(cells.str.contains(key, literal=True).sum()) == 0


@pytest.mark.parametrize("policy", ("regional", "sufficiency"))
def test_no_row_holds_its_exact_birth_date(
    policy: str, shared: dict[str, Path], synthetic: tuple[Path, SynthResult]
) -> None:
    returns = {
        (d.dataset, d.year.key if d.year else "undated", Path(d.files[0].path).suffix): d
        for d in input_returns(synthetic[0] / "383")
    }
    checked = 0
    rules = find_policy(policy)
    for (dataset, year, suffix), data in returns.items():
        if suffix == ".xml" and dataset == "ssda903":
            continue  # the 903 XML holds the same children as the CSV tables, checked through them
        for table, frame in data.tables.items():
            births = [c for c in frame.columns if c in BIRTHS]
            parquet = shared[policy] / "parquet" / dataset / year / f"{table}.parquet"
            if not births or not parquet.exists():
                continue
            out = pl.read_parquet(parquet)
            assert out.height == frame.height  # rows in the input's order
            for birth in births:
                texts = [frame[birth].dt.strftime(f) for f in ("%Y-%m-%d", "%d/%m/%Y")]
                for column in out.columns:
                    if rules.treatment(dataset, table, column).name == "shift":
                        # moved by the child's offset: may land on the birth date by chance, never where it was
                        assert int((out[column] == frame[column]).fill_null(False).sum()) == 0
                        checked += 1
                        continue
                    if rules.treatment(dataset, table, column).name == "month":
                        # the first of the month: a child born on the 1st shares it by chance; says only the month
                        assert out[column].drop_nulls().dt.day().unique().to_list() in ([], [1])
                        continue
                    value = normal(out[column])
                    hits = sum(int((value == t).fill_null(False).sum()) for t in texts)
                    assert hits == 0, f"{dataset} {table}.{column} holds {birth}"
                    checked += 1
    assert checked > 20


def test_the_checks_find_a_planted_leak(synthetic: tuple[Path, SynthResult]) -> None:
    """A UPN in lower case with spaces, alone or inside a longer value, and a birth date as text, are found."""
    data = input_returns(synthetic[0] / "383")[1]
    policy = find_policy("regional")
    result = pseudonymise(data, policy, bytes(32))
    header = data.tables["Header"]
    upn = header["UPN"].drop_nulls()[0]
    spaced = " ".join(re.findall(".{1,4}", upn.lower()))
    planted = result.tables["Header"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit(spaced))
        .when(pl.int_range(pl.len()) == 2)
        .then(pl.lit(f"upn: {spaced}"))
        .otherwise(pl.col("ETHNIC"))
        .alias("ETHNIC"),
        pl.when(pl.int_range(pl.len()) == 1)
        .then(header["DOB"].dt.strftime("%d/%m/%Y"))
        .otherwise(pl.col("SEX"))
        .alias("SEX"),
    )
    leaky = result._replace(tables={**result.tables, "Header": planted})
    found = {(leak.column, leak.what) for leak in find_leaks(data, leaky, policy)}
    assert found == {
        ("ETHNIC", "an identifier of the input"),
        ("ETHNIC", "an identifier of the input inside them"),
        ("SEX", "the row's exact date of birth"),
    }
    assert normal(pl.Series([spaced])).str.contains_any(identifiers([data])).item()


def leaks_row_by_row(data: ReturnData, shared_tables: dict[str, pl.DataFrame], policy: Policy) -> set[tuple]:
    """The leak check's rules applied to every row as stated (no distinct values, no short cuts), for comparison:
    (table, column, rows, what) of each leak found."""
    ids = pl.Series(identifiers([data]))
    treatments = {
        (t, c): policy.treatment(data.dataset, t, c).name for t in shared_tables for c in shared_tables[t].columns
    }
    found: set[tuple] = set()
    for table, out in shared_tables.items():
        source = data.tables[table]
        births = [c for c in source.columns if c in BIRTHS]
        for column in out.columns:
            text = normal(out[column])
            equal = int(text.is_in(ids.implode()).sum())
            if equal:
                found.add((table, column, equal, "an identifier of the input"))
            if out[column].dtype == pl.String and treatments[table, column] != "pseudonym":
                longer = text.filter(text.str.len_chars() > 8)
                inside = int(longer.str.contains_any(ids.filter(ids.str.len_chars() >= 8).to_list()).sum())
                if inside:
                    found.add((table, column, inside, "an identifier of the input inside them"))
            if treatments[table, column] == "shift":
                unmoved = int((out[column] == source[column]).fill_null(False).sum())
                if unmoved:
                    found.add((table, column, unmoved, "the input's date unmoved"))
            elif treatments[table, column] != "month" and births:
                formats = ("%Y-%m-%d", "%d/%m/%Y", "%d%m%Y", "%Y%m%d", "%d-%m-%Y", "%d.%m.%Y")
                hits = pl.any_horizontal([text == source[b].dt.strftime(f) for b in births for f in formats])
                count = int(pl.select(hits.fill_null(False).sum()).item())
                if count:
                    found.add((table, column, count, "the row's exact date of birth"))
    return found


def test_leaks_counted_as_row_by_row_in_every_kind_of_column(synthetic: tuple[Path, SynthResult]) -> None:
    """Planted in a code column, a pseudonym column, a kept date, a whole number and a text column, in several
    tables: the check (which first looks at distinct values) finds the same leaks with the same row counts as the
    rules applied row by row."""
    data = input_returns(synthetic[0] / "383")[1]
    policy = find_policy("regional")
    shared = pseudonymise(data, policy, bytes(32))
    first = pl.int_range(pl.len()) < 3
    header, reviews, episodes = data.tables["Header"], data.tables["Reviews"], data.tables["OC2"]
    child = header["CHILD"].drop_nulls()[0]
    planted = {
        **shared.tables,
        "Header": shared.tables["Header"].with_columns(
            pl.when(first).then(header["DOB"]).otherwise(pl.col("MC_DOB")).alias("MC_DOB"),  # a kept date: see below
            pl.when(pl.int_range(pl.len()) == 5).then(pl.lit(f" {child.lower()} ")).otherwise("ETHNIC").alias("ETHNIC"),
        ),
        "Reviews": shared.tables["Reviews"].with_columns(
            pl.when(first).then(pl.lit(child)).otherwise(pl.col("CHILD")).alias("CHILD"),  # a pseudonym column
            pl.when(first).then(reviews["DOB"].dt.strftime("%d.%m.%Y")).otherwise("REVIEW_CODE").alias("REVIEW_CODE"),
        ),
        "OC2": shared.tables["OC2"].with_columns(
            pl.when(first).then(episodes["DOB"].dt.strftime("%Y%m%d").cast(pl.Int64)).otherwise("SDQ_SCORE")
            .alias("SDQ_SCORE"),
            pl.when(first).then(pl.lit(f"note {child} seen")).otherwise("SDQ_REASON").alias("SDQ_REASON"),
        ),
    }  # fmt: skip
    found = {tuple(leak) for leak in find_leaks(data, shared._replace(tables=planted), policy)}
    assert found == leaks_row_by_row(data, planted, policy)
    assert {(t, c) for t, c, _, _ in found} >= {
        ("Header", "ETHNIC"), ("Reviews", "CHILD"), ("Reviews", "REVIEW_CODE"), ("OC2", "SDQ_SCORE"),
        ("OC2", "SDQ_REASON"),
    }  # fmt: skip
    # a kept (not shifted) date equal to the row's birth date: the same policy with Header.MC_DOB kept
    kept = policy._replace(columns={**policy.columns, ("ssda903", "Header"): {
        **policy.columns[("ssda903", "Header")], "MC_DOB": policy.treatment("ssda903", "Header", "SEX")}})  # fmt: skip
    found_kept = {tuple(leak) for leak in find_leaks(data, shared._replace(tables=planted), kept)}
    assert ("Header", "MC_DOB", 3, "the row's exact date of birth") in found_kept
    assert found_kept == leaks_row_by_row(data, planted, kept)


def test_a_postcode_already_cut_to_its_district_is_no_identifier(
    shared: dict[str, Path], hub_key: Path, tmp_path: Path
) -> None:
    """A hub pseudonymising returns already pseudonymised (postcodes cut to districts): legal status E1 is not the
    London district E1. A full postcode stays an identifier (the tests above)."""
    source = tmp_path / "again"
    episodes = sorted(shared["regional"].rglob("*_episodes.csv"))[-1]
    folder = source / episodes.parent.name
    folder.mkdir(parents=True)
    for table in episodes.parent.glob("*.csv"):
        (folder / table.name).write_bytes(table.read_bytes())
    frame = pl.read_csv(folder / episodes.name, infer_schema_length=0)
    assert "E1" in frame["LS"].to_list()  # the synthetic return places children for adoption
    frame.with_columns(pl.lit("E1").alias("HOME_POST")).write_csv(folder / episodes.name)
    args = ["share", "pseudonymise", str(folder), "--policy", "regional", "--key-file", str(hub_key)]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "leak" not in result.output or "leak check passed" in result.output
