"""Tiny hand-made histories for the forecast tests."""

from __future__ import annotations

from datetime import date

import polars as pl

from csctools.forecast.history import History, YearData, load_history
from csctools.years import CollectionYear

Episode = tuple[str, date, date | None, str]  # child, start, end, PLACE


def year(end: int, births: dict[str, date], episodes: list[Episode], uasc: set[str] | None = None) -> YearData:
    source = f"{end}/episodes.csv"
    header = pl.DataFrame(
        {
            "CHILD": list(births),
            "DOB": list(births.values()),
            "UASC": ["1" if c in (uasc or set()) else "0" for c in births],
            "_source": f"{end}/header.csv",
            "_row": list(range(2, len(births) + 2)),
        },
        schema={"CHILD": pl.String, "DOB": pl.Date, "UASC": pl.String, "_source": pl.String, "_row": pl.Int64},
    )
    frame = pl.DataFrame(
        {
            "CHILD": [e[0] for e in episodes],
            "DECOM": [e[1] for e in episodes],
            "DEC": [e[2] for e in episodes],
            "PLACE": [e[3] for e in episodes],
            "_source": source,
            "_row": list(range(2, len(episodes) + 2)),
        },
        schema={
            "CHILD": pl.String,
            "DECOM": pl.Date,
            "DEC": pl.Date,
            "PLACE": pl.String,
            "_source": pl.String,
            "_row": pl.Int64,
        },
    )
    return YearData(CollectionYear(end), header, frame, (source,))


def history(births: dict[str, date], episodes: list[Episode], end: int = 2026) -> History:
    return load_history([year(end, births, episodes)])
