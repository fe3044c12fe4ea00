"""What a rule sees: this year's tables, last year's if given, the collection dates, the LA, the providers."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar

import polars as pl

from csctools.io.typing import NULL_TYPES
from csctools.model import RAW_SUFFIX, SOURCE_FILE, SOURCE_ROW, ColumnType, Dataset
from csctools.reference.authorities import Authority
from csctools.years import CollectionYear


def empty_table(dataset: Dataset, name: str) -> pl.DataFrame:
    """A typed table with no rows, for a table the return did not include."""
    schema: dict[str, pl.DataType] = {SOURCE_FILE: pl.String(), SOURCE_ROW: pl.Int64()}
    for column in (*dataset.table(name).columns, *dataset.derived.get(name, ())):
        schema[column.name] = NULL_TYPES[column.type]()
        if column.type not in (ColumnType.TEXT, ColumnType.CODE):
            schema[column.name + RAW_SUFFIX] = pl.String()
    return pl.DataFrame(schema=schema)


P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Context:
    dataset: Dataset
    year: CollectionYear
    tables: dict[str, pl.DataFrame]
    previous: dict[str, pl.DataFrame] | None = None
    authority: Authority | None = None
    providers: pl.DataFrame | None = None
    cache: dict[Hashable, Any] = field(default_factory=dict)  # frames shared by several rules, built once

    @property
    def start(self) -> date:
        return self.year.start_date

    @property
    def end(self) -> date:
        return self.year.end_date

    def table(self, name: str) -> pl.DataFrame:
        frame = self.tables.get(name)
        return frame if frame is not None else empty_table(self.dataset, name)

    def last_year(self, name: str) -> pl.DataFrame:
        """Last year's table (empty when last year's return did not include it)."""
        frame = (self.previous or {}).get(name)
        return frame if frame is not None else empty_table(self.dataset, name)

    def lazy(self, name: str) -> pl.LazyFrame:
        """This year's table as the start of a query plan (see `collect`)."""
        return self.table(name).lazy()

    def last_year_lazy(self, name: str) -> pl.LazyFrame:
        return self.last_year(name).lazy()

    def shared(self, name: Hashable, build: Callable[[Context], R]) -> R:
        """What `build` makes of this validation, made once: the one cache of a validation (`per_return` uses it)."""
        if name not in self.cache:
            self.cache[name] = build(self)
        return self.cache[name]  # type: ignore[no-any-return]


# polars' search for steps several plans share (common subplan elimination) costs more than it saves over the
# rules' plans: 9-16% of the one collect's CPU at 1,000, 5,000 and 100,000 children, with the same results
# (docs/benchmarks.md). The frames the rules share are built once already (`Context.shared`).
ONE_COLLECT = pl.QueryOptFlags(comm_subplan_elim=False)


def collect_all(plans: list[pl.LazyFrame]) -> list[pl.DataFrame]:
    """Run several plans in one call, in memory."""
    return pl.collect_all(plans, engine="in-memory", optimizations=ONE_COLLECT)


def collect(plan: pl.LazyFrame) -> pl.DataFrame:
    """Run a query plan in memory. A rule's steps written as one plan run faster than step by step (polars reads
    only the columns used and merges filters), and polars 2's default streaming engine is slower on frames this
    size than the in-memory one."""
    return plan.collect(engine="in-memory")


def per_return(helper: Callable[Concatenate[Context, P], R]) -> Callable[Concatenate[Context, P], R]:
    """Build a helper's frame once per validation: later calls with the same arguments get the same frame."""

    def shared(ctx: Context, /, *args: P.args, **kwargs: P.kwargs) -> R:
        key = (helper.__module__, helper.__qualname__, args, tuple(sorted(kwargs.items())))
        return ctx.shared(key, lambda c: helper(c, *args, **kwargs))

    shared.__doc__, shared.__name__, shared.__qualname__ = helper.__doc__, helper.__name__, helper.__qualname__
    return shared
