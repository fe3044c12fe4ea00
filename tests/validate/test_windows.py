"""The sorted-frame window helpers agree with polars' own `.over` on frames sorted by their key."""

from __future__ import annotations

import random

import polars as pl
import pytest

from csctools.validate.windows import (
    cumulative_sum_in_group,
    next_in_group,
    position_in_group,
    previous_in_group,
)


def _frame(seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = 60
    children = [rng.choice(["A", "B", "C", None, "D"]) for _ in range(rows)]
    runs = [rng.choice([1, 2]) for _ in range(rows)]
    values = [rng.choice([1, 0, None, 5]) for _ in range(rows)]
    frame = pl.DataFrame({"CHILD": children, "RUN": runs, "VALUE": values}, schema_overrides={"VALUE": pl.Int32})
    return frame.with_row_index("ORDER").sort("CHILD", "RUN", "ORDER")


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("key", ["CHILD", ["CHILD", "RUN"]])
def test_helpers_match_over(seed: int, key: str | list[str]) -> None:
    frame = _frame(seed)
    ours = frame.select(
        previous_in_group("VALUE", key).alias("prev"),
        previous_in_group("VALUE", key, 2).alias("prev2"),
        next_in_group("VALUE", key).alias("next"),
        position_in_group(key).alias("position"),
        cumulative_sum_in_group(pl.col("VALUE"), key).alias("running"),
    )
    theirs = frame.select(
        pl.col("VALUE").shift(1).over(key).alias("prev"),
        pl.col("VALUE").shift(2).over(key).alias("prev2"),
        pl.col("VALUE").shift(-1).over(key).alias("next"),
        pl.int_range(pl.len()).over(key).alias("position"),
        pl.col("VALUE").cum_sum().over(key).alias("running"),
    )
    assert ours.to_dict(as_series=False) == theirs.to_dict(as_series=False)
    assert ours["position"].max() > 0  # the frames do hold groups of several rows


def test_a_lone_row_has_no_neighbours() -> None:
    frame = pl.DataFrame({"CHILD": ["A"], "VALUE": [3]})
    row = frame.select(previous_in_group("VALUE", "CHILD"), next_in_group("VALUE", "CHILD").alias("n")).row(0)
    assert row == (None, None)
