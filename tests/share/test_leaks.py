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

from csctools.io.result import ReturnData
from csctools.read import read_files
from csctools.share.leaks import find_leaks
from csctools.share.policy import find_policy
from csctools.share.pseudonymise import pseudonymise
from csctools.synth.generate import SynthResult
from tests.share.conftest import POLICIES

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
