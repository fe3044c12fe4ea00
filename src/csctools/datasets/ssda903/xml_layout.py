"""How SSDA903 tables sit in the DfE XML submission (<EXPSSDA903><CHILD><HEADER>...</HEADER><EPISODE>...)."""

from __future__ import annotations

from csctools.datasets.ssda903.schema import AD1, HEADER, OC3, UASC

ROOT_TAG = "EXPSSDA903"
CHILD_TAG = "CHILD"
HEADER_TAG = "HEADER"
# Repeating groups directly under CHILD, and inside HEADER, with the table each row goes to.
CHILD_GROUPS = {"EPISODE": "Episodes"}
HEADER_GROUPS = {
    "AREVIEW": "Reviews",
    "AMISSING": "Missing",
    "OC2": "OC2",
    "PERMANENCE": "PrevPerm",
    "AD_PLACED": "PlacedAdoption",
    "SW_EPISODE": "SWEpisodes",  # not in the reference reader, which reads these from CSV only
    "DOLO": "DoLo",
}
TAG_TO_COLUMN = {"CHILDID": "CHILD", "PL": "PLACE"}
COLUMN_TO_TAG = {column: tag for tag, column in TAG_TO_COLUMN.items()}

# Leaves written directly inside HEADER, in order; UASC, OC3 and AD1 rows come from these.
UASC_FIELDS = ("UASC", "DUC")
OC3_FIELDS = tuple(c for c in OC3.column_names() if c not in ("CHILD", "DOB"))
AD1_FIELDS = tuple(c for c in AD1.column_names() if c not in ("CHILD", "DOB"))
HEADER_LEAVES = (*HEADER.column_names(), *UASC_FIELDS, *OC3_FIELDS, *AD1_FIELDS)
UASC_COLUMNS = UASC.column_names()
