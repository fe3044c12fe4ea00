"""Small-number suppression for open counts: values 1 to 4 hidden, and enough others that none can be worked out.

A group is one authority's counts of one measure in one period: its categories and their published total. The
only relation a reader has is total = sum of the categories, so a hidden cell could be worked out exactly when it
is the only hidden cell of a group whose total is shown. Secondary suppression hides one more cell in such a group
(the smallest other count, a non-zero one if there is one). When the total itself is 1 to 4 it is hidden too, and
then every non-zero cell of the group is small and hidden with it.
"""

from __future__ import annotations

import polars as pl

SMALL_LOW, SMALL_HIGH = 1, 4
PRIMARY, SECONDARY = "suppressed: 1 to 4", "suppressed: could be worked out from the total"
TOTAL = "Total"


def suppress(counts: pl.DataFrame, group: list[str]) -> pl.DataFrame:
    """`counts` holds one row per cell (`category`, `value`) of each group, the total as category "Total".

    Returns the same rows with `status` ("" when shown) and `value` null where suppressed.
    """
    small = pl.col("value").is_between(SMALL_LOW, SMALL_HIGH)
    marked = counts.with_columns(pl.when(small).then(pl.lit(PRIMARY)).otherwise(pl.lit("")).alias("status"))
    is_total = pl.col("category") == TOTAL
    hidden_cells = ((pl.col("status") != "") & ~is_total).sum().over(group)
    total_shown = ((pl.col("status") == "") & is_total).sum().over(group) > 0
    # candidates for the second hidden cell: shown cells of groups with exactly one hidden cell and a shown total
    needs = (hidden_cells == 1) & total_shown
    candidate = needs & (pl.col("status") == "") & ~is_total
    rank_key = pl.when(pl.col("value") == 0).then(pl.lit(1 << 60)).otherwise(pl.col("value"))
    ordered = marked.with_columns(
        pl.when(candidate).then(rank_key).otherwise(None).alias("_key"),
        pl.int_range(pl.len()).alias("_order"),
    )
    first = (
        ordered.filter(pl.col("_key").is_not_null())
        .sort("_key", "_order")
        .group_by(group, maintain_order=True)
        .first()
        .select("_order")
        .with_columns(pl.lit(True).alias("_second"))
    )
    result = ordered.join(first, on="_order", how="left").with_columns(
        pl.when(pl.col("_second")).then(pl.lit(SECONDARY)).otherwise(pl.col("status")).alias("status")
    )
    return (
        result.sort("_order")
        .with_columns(pl.when(pl.col("status") == "").then(pl.col("value")).otherwise(None).alias("value"))
        .drop("_key", "_order", "_second")
    )
