"""The declared data model agrees with the reference specifications in ../shared/reference."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from csctools.datasets.annex_a import ANNEX_A
from csctools.datasets.cin import CIN
from csctools.datasets.ssda903 import SSDA903
from csctools.model import ColumnType
from csctools.years import CollectionYear

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def test_903_has_every_table_in_order() -> None:
    assert [t.name for t in SSDA903.tables] == [
        "Header",
        "Episodes",
        "Reviews",
        "UASC",
        "OC2",
        "OC3",
        "AD1",
        "PlacedAdoption",
        "PrevPerm",
        "Missing",
        "SWEpisodes",
        "DoLo",
    ]


def test_903_year_differences() -> None:
    names = lambda end: {t.name for t in SSDA903.tables_for(CollectionYear(end))}  # noqa: E731
    assert "SWEpisodes" not in names(2023) and "SWEpisodes" in names(2024)
    assert "DoLo" not in names(2026) and "DoLo" in names(2027)
    sex = SSDA903.table("Header").column("SEX")
    assert sex.codes_for(CollectionYear(2024)) == ("1", "2")
    assert sex.codes_for(CollectionYear(2025)) == ("M", "F", "U")


def test_903_dates_are_typed_as_dates() -> None:
    for table in SSDA903.tables:
        for column in table.columns:
            looks_like_date = (
                column.name in ("DOB", "DEC", "DECOM", "REVIEW", "DUC")
                or column.name.startswith(("DATE_", "MIS_S", "MIS_E", "SW_DEC", "DOLO_"))
                or column.name == "MC_DOB"
            )
            assert (column.type is ColumnType.DATE) == looks_like_date, (table.name, column.name)


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference folder not present")
def test_903_rule_fields_exist_in_the_model() -> None:
    """Every field a DfE rule names is a column of the model (or one derived before rules run)."""
    columns = {c for t in SSDA903.tables for c in t.column_names()}
    derived = {"UASC", "PL_LA", "PL_LOCATION", "PL_DISTANCE"}
    with (REFERENCE / "903-rules.tsv").open(encoding="utf-8") as handle:
        fields = {
            f.strip() for rule in csv.DictReader(handle, delimiter="\t") for f in rule["affected_fields"].split(",")
        }
    unknown = fields - columns - derived - {""}
    # Spellings in the reference TSV that name no real field: NB_ADOPTR, PLACE and UASC under other names.
    assert unknown == {"NB_ADOPTER", "PLACEMENT", "UASC_STATUS"}


def test_cin_tables_and_keys() -> None:
    assert CIN.table("Assessments").key == ("LAchildID", "CINdetailsID", "AssessmentID")
    assert "PreProceedings" in {t.name for t in CIN.tables_for(CollectionYear(2026))}
    assert "PreProceedings" not in {t.name for t in CIN.tables_for(CollectionYear(2025))}
    identifiers = CIN.table("ChildIdentifiers")
    assert identifiers.column("Sex").codes_for(CollectionYear(2025)) == ("M", "F", "U")


def test_annex_a_column_counts() -> None:
    assert [len(t.columns) for t in ANNEX_A.tables] == [7, 8, 11, 12, 14, 14, 17, 34, 17, 16, 19]
