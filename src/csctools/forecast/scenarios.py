"""Scenarios: named changes to entries, moves and unit costs from a date, read from YAML (safe) or a pack.

A scenario record (one mapping per file, or a list; in a pack they live under ``scenarios/``)::

    name: fewer-residential                 # required, short
    label: Fewer moves from fostering to residential
    changes:
      - {change: entries, from: 2027-06-01, factor: 0.9, flow: all}          # flow: all, uasc or other
      - {change: entries, from: 2027-06-01, factor: 0.8, age_bands: [TEN_TO_SIXTEEN]}   # only entrants of these bands
      - {change: move, from: 2027-06-01, placement: FOSTERING, to: RESIDENTIAL, factor: 0.5}   # to: a category or LEAVE
      - {change: move, from: 2027-06-01, placement: FOSTERING, to: RESIDENTIAL, factor: 0.5,
         age_bands: [TEN_TO_SIXTEEN, SIXTEEN_TO_EIGHTEEN]}   # optional: only these age bands (default: all)
      - {change: unit_cost, from: 2027-04-01, placement: RESIDENTIAL, weekly: 6000}
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from csctools.forecast.states import AGE_BANDS, CATEGORIES
from csctools.packs.files import Pack, PackError, check_keys, line_of, load_pack, parse_yaml

CHANGE_KEYS = {
    "entries": ({"flow", "age_bands"}, {"from", "factor"}),
    "move": ({"age_bands"}, {"from", "placement", "to", "factor"}),
    "unit_cost": (set(), {"from", "placement", "weekly"}),
}
FLOWS = ("all", "uasc", "other")


class Change(NamedTuple):
    change: str  # entries | move | unit_cost
    since: date
    placement: str  # the category moved from, or costed ("" for entries)
    to: str  # the category moved to, or LEAVE ("" otherwise)
    flow: str  # entries: all | uasc | other
    value: float  # factor, or weekly cost
    age_bands: tuple[str, ...] = ()  # move, entries: the age bands it applies to (empty: all)

    def band_indices(self) -> list[int]:
        """The indices (in AGE_BANDS) of the age bands this change applies to."""
        return [AGE_BANDS.index(b) for b in self.age_bands] if self.age_bands else list(range(len(AGE_BANDS)))


class Scenario(NamedTuple):
    name: str
    label: str
    changes: tuple[Change, ...]
    source: str


BASE = Scenario("base", "Base: rates and trend as observed", (), "")


def load_scenarios(path: Path) -> list[Scenario]:
    """Scenarios from one YAML file, or from a pack (folder or zip) holding ``scenarios/*.yaml``."""
    if path.is_dir() or path.suffix.lower() == ".zip":
        pack = load_pack(path)
        return pack_scenarios(pack, f"{pack.source}/")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(str(path), f"cannot be read ({error})") from None
    data = parse_yaml(text, str(path))
    items = data if isinstance(data, list) else [data]
    return [_scenario(item, str(path)) for item in items]


def pack_scenarios(pack: Pack, where: str = "") -> list[Scenario]:
    """The scenarios of a pack (its ``scenarios/*.yaml``), each error naming `where` + the file in the pack."""
    return [_scenario(record.data, f"{where}{record.file}") for record in pack.of_kind("scenarios")]


def _scenario(data: Any, file: str) -> Scenario:
    if not isinstance(data, dict):
        raise PackError(file, "a scenario must be a mapping (name:, label:, changes:)")
    check_keys(data, file, {"label", "changes", "description"}, {"name"}, "scenario")
    changes = data.get("changes") or []
    if not isinstance(changes, list):
        raise PackError(file, "changes: must be a list", line_of(data))
    return Scenario(
        str(data["name"]), str(data.get("label") or data["name"]), tuple(_change(c, file) for c in changes), file
    )


def _change(data: Any, file: str) -> Change:
    if not isinstance(data, dict) or data.get("change") not in CHANGE_KEYS:
        kinds = ", ".join(CHANGE_KEYS)
        raise PackError(file, f"each change needs change: one of {kinds}", line_of(data))
    kind = str(data["change"])
    optional, required = CHANGE_KEYS[kind]
    check_keys(data, file, optional | {"change"}, required, f"{kind} change")
    line = line_of(data)
    since = data["from"]
    if not isinstance(since, date):
        raise PackError(file, f"from: '{since}' is not a date (write 2027-06-01)", line)
    placement = str(data.get("placement", ""))
    to = str(data.get("to", ""))
    flow = str(data.get("flow", "all"))
    if kind != "entries" and placement not in CATEGORIES:
        raise PackError(file, f"placement: '{placement}' is not one of {', '.join(CATEGORIES)}", line)
    if kind == "move" and to not in (*CATEGORIES, "LEAVE"):
        raise PackError(file, f"to: '{to}' is not one of {', '.join(CATEGORIES)} or LEAVE", line)
    if flow not in FLOWS:
        raise PackError(file, f"flow: '{flow}' is not one of {', '.join(FLOWS)}", line)
    raw = data.get("weekly" if kind == "unit_cost" else "factor")
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 0:
        raise PackError(file, f"'{raw}' must be a number of at least 0", line)
    return Change(kind, since, placement, to, flow, float(raw), _age_bands(data.get("age_bands"), file, line))


def _age_bands(raw: Any, file: str, line: int | None) -> tuple[str, ...]:
    """A move's or entries change's optional age band filter: a band name or a list of them; none given means every
    band."""
    if raw is None:
        return ()
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not names:
        raise PackError(file, f"age_bands: must be a list of age bands ({', '.join(AGE_BANDS)})", line)
    for name in names:
        if name not in AGE_BANDS:
            raise PackError(file, f"age_bands: '{name}' is not an age band (use {', '.join(AGE_BANDS)})", line)
    return tuple(dict.fromkeys(str(n) for n in names))
