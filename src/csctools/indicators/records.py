"""Indicator records: what each key means, and reading them from packs (the built-in one and an authority's own).

An indicator is data: its numerator and denominator are SQL over the typed tables (run in the packs' DuckDB
sandbox), or the word `population` for a rate per 10,000 children. A pack may also hold shared views, one SELECT
per file under `views/` (the file's name is the view's name), that its indicators use.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from csctools.packs.files import Pack, PackError, Record, check_keys, load_pack

BUILTIN = Path(__file__).parent / "builtin"
UNITS = {"count": "", "percent": "%", "rate": "per 10,000", "days": "days", "average": ""}
POLARITIES = ("high", "low", "neutral")
RETURNS = ("ssda903", "cin", "annex_a")
POPULATION = "population"
REQUIRED = ("id", "title", "topic", "returns", "unit", "polarity", "numerator", "methodology")
OPTIONAL = ("denominator", "needs", "lait", "aggregate", "decimals")
AGGREGATES = ("mean", "median")
_TABLE_NAME = re.compile(r"^(earlier_)?(ssda903|cin|annex_a)\.[A-Za-z0-9_]+$")  # earlier_: last year's return


class Indicator(NamedTuple):
    id: str
    title: str
    topic: str
    returns: tuple[str, ...]
    unit: str  # count, percent, rate (per 10,000 children), days, average
    polarity: str  # high, low, neutral: which direction is good
    numerator: str  # SQL returning a column `child` (and `value` for days and averages)
    denominator: str | None  # SQL returning `child`, or "population"; None for counts, days and averages
    needs: tuple[str, ...]  # tables as schema.Table, e.g. "ssda903.Episodes"
    methodology: str
    lait: str | None  # the LAIT Measure_short it compares with
    aggregate: str  # for days and averages: mean or median
    decimals: int
    source: str  # "file line N" in its pack

    @property
    def is_proportion(self) -> bool:
        return self.unit == "percent"

    @property
    def is_rate(self) -> bool:
        return self.unit == "rate"


def _strings(record: Record, key: str) -> tuple[str, ...]:
    value = record.data.get(key)
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in items):
        raise record.error(f'"{key}" must be a word or a list of words')
    return tuple(items)


def _text(record: Record, key: str) -> str:
    value = record.data.get(key)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise record.error(f'"{key}" must be text')
    return str(value).strip()


def parse_indicator(record: Record) -> Indicator:
    """One record of kind `indicators`, checked: every problem is a PackError naming its file and line."""
    data = record.data
    check_keys(data, record.file, OPTIONAL, REQUIRED, what="indicator")
    unit, polarity = _text(record, "unit"), _text(record, "polarity")
    if unit not in UNITS:
        raise record.error(f'unit "{unit}" is not one of {", ".join(UNITS)}')
    if polarity not in POLARITIES:
        raise record.error(f'polarity "{polarity}" is not one of {", ".join(POLARITIES)}')
    returns = _strings(record, "returns")
    unknown = [r for r in returns if r not in RETURNS]
    if unknown or not returns:
        raise record.error(f'returns must list some of {", ".join(RETURNS)} (found "{", ".join(unknown)}")')
    needs = _strings(record, "needs")
    bad = [n for n in needs if not _TABLE_NAME.match(n)]
    if bad:
        raise record.error(
            f'needs "{bad[0]}" is not a table such as ssda903.Episodes, cin.CINdetails or earlier_ssda903.Episodes'
        )
    denominator = _text(record, "denominator") if data.get("denominator") is not None else None
    if unit in ("percent", "rate") and denominator is None:
        raise record.error(f'a {unit} needs a "denominator"')
    if unit == "rate" and denominator != POPULATION:
        raise record.error('a rate per 10,000 children takes "denominator: population"')
    if unit in ("count", "days", "average") and denominator is not None:
        raise record.error(f"a {unit} has no denominator (its value comes from the numerator alone)")
    aggregate = _text(record, "aggregate") if data.get("aggregate") is not None else "mean"
    if aggregate not in AGGREGATES:
        raise record.error(f'aggregate "{aggregate}" is not one of {", ".join(AGGREGATES)}')
    decimals = data.get("decimals", 0 if unit == "count" else 1)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 4:
        raise record.error('"decimals" must be a whole number from 0 to 4')
    return Indicator(
        id=_text(record, "id"),
        title=_text(record, "title"),
        topic=_text(record, "topic"),
        returns=returns,
        unit=unit,
        polarity=polarity,
        numerator=_text(record, "numerator"),
        denominator=denominator,
        needs=needs,
        methodology=" ".join(_text(record, "methodology").split()),
        lait=_text(record, "lait") if data.get("lait") is not None else None,
        aggregate=aggregate,
        decimals=decimals,
        source=f"{record.file} line {record.line}",
    )


def pack_views(pack: Pack) -> dict[str, str]:
    """The shared views of a pack: views/NAME.sql, one SELECT each."""
    views = {}
    for name in sorted(pack.files):
        parts = name.split("/")
        if len(parts) == 2 and parts[0] == "views" and parts[1].endswith(".sql"):
            view = parts[1][: -len(".sql")]
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", view):
                raise PackError(name, "a view's file name must be a plain name (letters, digits, _)")
            views[view] = pack.text(name)
    return views


class IndicatorSet(NamedTuple):
    indicators: list[Indicator]
    views: dict[str, str]
    packs: list[str]  # each pack used, with its version and content hash


def load_indicators(extra: Path | None = None, builtin: bool = True) -> IndicatorSet:
    """The built-in indicators, then those of `extra` (an authority's pack): one of the same id replaces it."""
    packs = ([load_pack(BUILTIN)] if builtin else []) + ([load_pack(extra)] if extra is not None else [])
    by_id: dict[str, Indicator] = {}
    views: dict[str, str] = {}
    for pack in packs:
        seen: dict[str, str] = {}
        for record in pack.of_kind("indicators"):
            indicator = parse_indicator(record)
            if indicator.id in seen:
                raise record.error(f'indicator "{indicator.id}" is defined twice (first at {seen[indicator.id]})')
            seen[indicator.id] = indicator.source
            by_id.pop(indicator.id, None)
            by_id[indicator.id] = indicator
        views.update(pack_views(pack))
    return IndicatorSet(list(by_id.values()), views, [p.label for p in packs])


def as_dict(indicator: Indicator) -> dict[str, Any]:
    return indicator._asdict()
