"""The declarative data model shared by every return: columns, tables, datasets, code lists by year."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple

from csctools.years import CollectionYear

EMPTY: Mapping[str, Any] = MappingProxyType({})  # a default for mapping fields
FIRST_YEAR = 2023  # 2022/23
LAST_YEAR = 2027  # 2026/27


class ColumnType(StrEnum):
    TEXT = "text"  # free text, kept as written (trimmed)
    CODE = "code"  # a value from a code list; trimmed and upper-cased
    DATE = "date"
    INTEGER = "integer"
    BOOLEAN = "boolean"  # true/false or 1/0


@dataclass(frozen=True)
class Years:
    """An inclusive span of collection years, by end year (2023 = 2022/23)."""

    first: int = FIRST_YEAR
    last: int = LAST_YEAR

    def __contains__(self, year: CollectionYear) -> bool:
        return self.first <= year.end <= self.last

    def label(self) -> str:
        first, last = CollectionYear(self.first).label, CollectionYear(self.last).label
        return first if first == last else f"{first} to {last}"


ALL_YEARS = Years()


class CodeList(NamedTuple):
    values: tuple[str, ...]
    years: Years = ALL_YEARS
    labels: Mapping[str, str] = EMPTY


class Column(NamedTuple):
    name: str
    type: ColumnType = ColumnType.TEXT
    description: str = ""
    codes: tuple[CodeList, ...] = ()
    years: Years = ALL_YEARS
    aliases: tuple[str, ...] = ()

    def codes_for(self, year: CollectionYear) -> tuple[str, ...] | None:
        """The valid codes in that year, or None when the column has no code list."""
        for code_list in self.codes:
            if year in code_list.years:
                return code_list.values
        return None

    def all_codes(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for code_list in self.codes:
            seen.update(dict.fromkeys(code_list.values))
        return tuple(seen)


class Table(NamedTuple):
    name: str
    columns: tuple[Column, ...]
    description: str = ""
    years: Years = ALL_YEARS
    key: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def columns_for(self, year: CollectionYear | None) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if year is None or year in c.years)

    def column_names(self, year: CollectionYear | None = None) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns_for(year))

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name}")


class Dataset(NamedTuple):
    name: str
    title: str
    tables: tuple[Table, ...]
    derived: Mapping[str, tuple[Column, ...]] = EMPTY  # columns readers add to a table

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"{self.title} has no table {name}")

    def tables_for(self, year: CollectionYear | None) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if year is None or year in t.years)

    def typed_columns(self) -> frozenset[str]:
        """Names of the columns typed as dates, numbers or true/false: each has a `<name>_raw` companion."""
        plain = (ColumnType.TEXT, ColumnType.CODE)
        return frozenset(c.name for t in self.tables for c in t.columns if c.type not in plain)


def codes(values: Iterable[str] | str, years: Years = ALL_YEARS) -> CodeList:
    """A code list from a whitespace-separated string or an iterable of codes."""
    items = values.split() if isinstance(values, str) else list(values)
    return CodeList(tuple(items), years)


# Columns every typed table carries beside its data: where the row came from.
SOURCE_FILE = "_source"
SOURCE_ROW = "_row"
RAW_SUFFIX = "_raw"
