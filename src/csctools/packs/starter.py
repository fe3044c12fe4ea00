"""`csc packs new NAME`: a commented starter pack with one example rule that `csc packs check` passes."""

from __future__ import annotations

import re
from pathlib import Path

MANIFEST = """\
# pack.yaml: what this pack is. Share the folder (or `csc packs export`) with other authorities.
name: {name}
version: "0.1"
author: ""              # your team, e.g. "Leeds CSC performance team"
description: Local checks of the SSDA903 return
licence: OGL-UK-3.0     # or another licence your authority uses for shared work
returns: [ssda903]      # ssda903 and/or cin
# years: [2025/26]      # collection years the rules apply to (default: every year of the data model)
"""

RULE = """\
# One local rule per mapping; a file may hold a list of them. Check with: csc packs check {folder}
code: {prefix}-PL01           # your own namespace: PREFIX-... never clashes with a DfE code
message: Placement postcode is missing for a placement that is not a temporary one
severity: query               # error or query
tables: [Episodes]            # the first table is where the failing rows are
fields: [PL_POST, PLACE]      # the cells to flag in the reports
# years: [2025/26, 2026/27]
tags: [placements]            # for csc validate --only/--skip
guidance: >
  Record the placement postcode for every placement except T0/T1 (temporary placements).
# condition: true where a row FAILS. A blank cell is NULL: `PLACE <> 'T0'` is NULL (not true) when PLACE is
# blank, so that row passes; write coalesce(PLACE, '') <> 'T0' when a blank should fail.
condition: PL_POST IS NULL AND coalesce(PLACE, '') NOT IN ('T0', 'T1')
# Or a query returning the failing rows of the first table, with its _row:
# query: |
#   SELECT e._row, e.CHILD FROM Episodes e JOIN prev_Episodes p ON e.CHILD = p.CHILD WHERE ...
examples:                      # checked by `csc packs check`: fail rows must be flagged, pass rows must not
  year: 2025/26                # the collection year they are checked in (default: the rule's latest)
  fail:
    - {{CHILD: "1", DECOM: 2025-05-01, PLACE: U1}}
  pass:
    - {{CHILD: "1", DECOM: 2025-05-01, PLACE: U1, PL_POST: LS1 1AA}}
    - {{CHILD: "2", DECOM: 2025-05-01, PLACE: T0}}
"""

SETTINGS = """\
# settings.yaml: rules switched off, severities changed, queries accepted (applied wherever the pack is used).
# Each code is a rule of this pack or a DfE rule of its return (SSDA903: see `csc rules list --return 903`);
# `csc packs check` refuses any other code, so a mistyped one cannot quietly switch nothing off.
# off:
#   - rule: "1008"
#     reason: we check URNs against our own copy of the Ofsted list
# severity:
#   "1004": query
# accepted:
#   - {rule: "1004", child: "123", reason: "confirmed with the social worker", who: "A. Analyst", when: 2026-11-30}
"""


def prefix_of(name: str) -> str:
    letters = re.sub(r"[^A-Za-z0-9]", "", name.split("-")[0]).upper()
    return (letters or "LOCAL")[:10] if letters[:1].isalpha() else "LOCAL"


def as_path(folder: Path) -> str:
    """The folder as a command should name it: ./NAME, never a bare name (which could be an installed pack)."""
    text = str(folder)
    return text if "/" in text or "\\" in text or text.startswith(".") else f"./{text}"


def create(folder: Path) -> list[Path]:
    """Write the starter pack into a new folder (refused if it exists); the files written."""
    if folder.exists():
        raise FileExistsError(f"{folder} already exists")
    name = re.sub(r"[^a-z0-9-]+", "-", folder.name.lower()).strip("-") or "local-checks"
    (folder / "rules").mkdir(parents=True)
    files = {
        folder / "pack.yaml": MANIFEST.format(name=name),
        folder / "rules" / "placements.yaml": RULE.format(prefix=prefix_of(name), folder=as_path(folder)),
        folder / "settings.yaml": SETTINGS,
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)
