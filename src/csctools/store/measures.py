"""The open aggregate measures a policy may publish (names and what each counts)."""

from __future__ import annotations

MEASURES: dict[str, str] = {
    "cla_by_placement": "children looked after at 31 March, by placement type (SSDA903 PLACE)",
    "cla_by_legal_status": "children looked after at 31 March, by legal status (SSDA903 LS)",
    "cla_by_age_band": "children looked after at 31 March, by age band",
    "cla_by_sex": "children looked after at 31 March, by sex",
    "cin_by_primary_need": "children in need at 31 March, by primary need (CIN census PrimaryNeedCode)",
}
