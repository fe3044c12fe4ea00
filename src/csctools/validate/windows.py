"""Per-group window expressions for frames whose groups are contiguous (sorted by the group key).

polars evaluates `shift`, `cum_sum` or `rank` `.over(key)` one group at a time, which costs milliseconds on a
table of a few thousand children; on a frame sorted by the key the same results come from whole-column
operations. Each function gives what `<expr>.<op>().over(key)` gives on such a frame (a null key is a group).
"""

from __future__ import annotations

import polars as pl


def same_group(key: str | list[str], offset: int = 1) -> pl.Expr:
    """True where the row `offset` rows before (negative: after) belongs to the same group."""
    keys = [key] if isinstance(key, str) else key
    index = pl.int_range(pl.len())
    inside = index >= offset if offset >= 0 else index < pl.len() + offset
    return pl.all_horizontal(inside, *(pl.col(k).shift(offset).eq_missing(pl.col(k)) for k in keys))


def previous_in_group(expr: pl.Expr | str, key: str | list[str], offset: int = 1) -> pl.Expr:
    """`expr.shift(offset).over(key)`: the value `offset` rows before in the group (negative: after)."""
    value = pl.col(expr) if isinstance(expr, str) else expr
    return pl.when(same_group(key, offset)).then(value.shift(offset))


def next_in_group(expr: pl.Expr | str, key: str | list[str]) -> pl.Expr:
    """`expr.shift(-1).over(key)`: the value on the group's next row."""
    return previous_in_group(expr, key, -1)


def position_in_group(key: str | list[str]) -> pl.Expr:
    """`pl.int_range(pl.len()).over(key)`: 0 on a group's first row, 1 on its second, ..."""
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    return index - pl.when(~same_group(key)).then(index).forward_fill()


def cumulative_sum_in_group(expr: pl.Expr, key: str | list[str]) -> pl.Expr:
    """`expr.cum_sum().over(key)` for an integer expression (null where `expr` is null)."""
    running = expr.fill_null(0).cum_sum()
    before_group = pl.when(~same_group(key)).then(running - expr.fill_null(0)).forward_fill()
    return pl.when(expr.is_not_null()).then(running - before_group)
