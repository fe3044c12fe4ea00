"""What each column of the data model is, for sharing: an identifier, a birth date, a postcode, free text, ...

The class of a column decides which treatments a policy may give it: an identifier can only be pseudonymised or
dropped, a birth date only shifted or coarsened, free text never kept.
"""

from __future__ import annotations

from enum import StrEnum

from csctools.datasets.annex_a.schema import ANNEX_A
from csctools.datasets.cin.schema import CIN
from csctools.datasets.ssda903.schema import SSDA903
from csctools.model import Column, ColumnType, Dataset, Table

DATASETS: dict[str, Dataset] = {"ssda903": SSDA903, "cin": CIN, "annex_a": ANNEX_A}
# the column naming the child (or, for Annex A list 11, the adopter) a row belongs to
CHILD_COLUMNS = {"ssda903": "CHILD", "cin": "LAchildID", "annex_a": "Child Unique ID"}
ADOPTER_ID = "Individual adopter identifier"


class Kind(StrEnum):
    CHILD_ID = "child identifier"
    UPN = "pupil number"
    PERSON_ID = "identifier of a person"  # social worker, adopter, family
    BIRTH = "birth date"
    POSTCODE = "postcode"
    FREE_TEXT = "free text or a name"
    SOFTWARE = "detail of the sending software"  # CIN header: not personal, but nothing a hub needs
    DATE = "date"
    VALUE = "value"


IDENTIFIER_KINDS = (Kind.CHILD_ID, Kind.UPN, Kind.PERSON_ID)

_BY_NAME: dict[str, Kind] = {
    "CHILD": Kind.CHILD_ID,
    "LAchildID": Kind.CHILD_ID,
    "Child Unique ID": Kind.CHILD_ID,
    "UPN": Kind.UPN,
    "FormerUPN": Kind.UPN,
    "SW_ID": Kind.PERSON_ID,
    ADOPTER_ID: Kind.PERSON_ID,
    "Family identifier": Kind.PERSON_ID,
    "DOB": Kind.BIRTH,
    "MC_DOB": Kind.BIRTH,
    "PersonBirthDate": Kind.BIRTH,
    "ExpectedPersonBirthDate": Kind.BIRTH,
    "Date of Birth": Kind.BIRTH,
    "HOME_POST": Kind.POSTCODE,
    "PL_POST": Kind.POSTCODE,
    "Placement postcode": Kind.POSTCODE,
    "Allocated Worker": Kind.FREE_TEXT,
    "Allocated Team": Kind.FREE_TEXT,
    "Allocated Personal Advisor": Kind.FREE_TEXT,
    "Organisation completing assessment": Kind.FREE_TEXT,
    "Reason for leaving adoption process": Kind.FREE_TEXT,
    "Reason Why Child No Longer Placed for Adoption": Kind.FREE_TEXT,
    "SoftwareCode": Kind.SOFTWARE,
    "Release": Kind.SOFTWARE,
    "SerialNo": Kind.SOFTWARE,
    "DateTime": Kind.SOFTWARE,
}


def kind_of(column: Column) -> Kind:
    if column.name in _BY_NAME:
        return _BY_NAME[column.name]
    return Kind.DATE if column.type is ColumnType.DATE else Kind.VALUE


def model_columns(dataset: str) -> list[tuple[Table, Column]]:
    """Every (table, column) of a return's data model, over all its years, in declared order."""
    return [(table, column) for table in DATASETS[dataset].tables for column in table.columns]


def row_owner(dataset: str, table: Table) -> str | None:
    """The column whose value decides a row's per-child date shift (None: the table has no person column)."""
    names = table.column_names()
    child = CHILD_COLUMNS[dataset]
    if child in names:
        return child
    return ADOPTER_ID if ADOPTER_ID in names else None
