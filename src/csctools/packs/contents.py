"""A pack's records other than rules (scenarios, indicators, sharing policies), read by `csc packs check` as the
commands that use them read them, so that a pack which checks is one those commands accept."""

from __future__ import annotations

from csctools.packs.files import Pack, PackError


def _count(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def check_records(pack: Pack) -> list[str]:
    """A line per kind of record the pack holds beyond rules and settings; a PackError (file and line) for the
    first one that `csc forecast --scenario`, `csc indicators --pack` or `csc share --policy` would refuse."""
    lines = []
    if pack.of_kind("scenarios"):
        from csctools.forecast.scenarios import pack_scenarios

        seen: dict[str, str] = {}
        for scenario in pack_scenarios(pack):
            if scenario.name == "base":
                raise PackError(scenario.source, "scenario name 'base' is the forecast's own: choose another")
            if scenario.name in seen:
                first = seen[scenario.name]
                raise PackError(scenario.source, f"scenario name '{scenario.name}' is used twice (first in {first})")
            seen[scenario.name] = scenario.source
        counted = f"{_count(len(seen), 'scenario', 'scenarios')} ({', '.join(seen)})"
        lines.append(f"  {counted}: read as csc forecast --scenario reads them")
    if pack.of_kind("indicators"):
        from csctools.indicators.records import load_indicators, pack_views, parse_indicator
        from csctools.indicators.sqlcheck import check_indicators

        found = [parse_indicator(record) for record in pack.of_kind("indicators")]
        notes = check_indicators(found, {**load_indicators().views, **pack_views(pack)})
        counted = _count(len(found), "indicator", "indicators")
        years = "each year from 2023/24 to 2026/27 that its returns have (each with the year before)"
        lines.append(f"  {counted}: keys checked, SQL run over empty tables of {years}")
        lines += [f"    note: {note}" for note in notes]
    if pack.of_kind("policies"):
        from csctools.share.policy import policy_from_record

        policies = [policy_from_record(record, pack.label) for record in pack.of_kind("policies")]
        lines.append(f"  {_count(len(policies), 'sharing policy', 'sharing policies')}: read as csc share reads them")
    return lines
