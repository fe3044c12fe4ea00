"""What a blank cell means in a rule, stated once.

A DfE rule compares fields; a blank (null) field makes a polars comparison null, and a row whose condition is null
would silently pass. csctools' rules say what they mean instead:

- **Codes**: a blank is not any code. `one_of(F, codes)` is false for a blank and `none_of(F, codes)` is true;
  `pl.col(F).eq_missing("X")` / `.ne_missing("X")` likewise compare with one code (a blank differs from "X").
  This is how the DfE's rules read ("placement is not A3 or A5") and how the sector's reference validators behave.
- **Completed or not**: `filled(F)` and `blank(F)` look at what the cell held. A date or number that did not parse
  is kept as text in `<F>_raw` and still counts as filled in ("a value that fails to parse is not a blank").
- **Ordering comparisons** (`<`, `>`, date arithmetic) with a blank date are *not applicable*: the row passes that
  rule, and the rule that asks for the date to be completed (or valid) reports it. A rule whose message means
  otherwise says so with `blank(F) | ...` in its condition.

The decorators (`table_rule`, `frame_rule`) count a condition that is still null as not applicable (passed).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from typing import NamedTuple

import polars as pl

from csctools.model import RAW_SUFFIX


def code_list(codes: Collection[str]) -> pl.Expr | list[str]:
    """Codes as the list `is_in` looks in: for text codes a typed list literal, which polars builds in a third of
    the time it takes to infer one from a Python list (~0.1 ms of each of ~150 rules' conditions). Each list is
    built once per process (an expression is never changed once built): the 903 rules ask for 64 lists 118 times
    a validation, and a store's worker validates return after return."""
    values = tuple(codes)
    if values and all(isinstance(value, str) for value in values):
        return _text_codes(values)
    return list(values)  # polars' own reading of anything else (an empty list, numbers)


@lru_cache(maxsize=4096)
def _text_codes(values: tuple[str, ...]) -> pl.Expr:
    return pl.lit(pl.Series(values, dtype=pl.String)).implode()


def one_of(field: str | pl.Expr, codes: Collection[str] | pl.Expr) -> pl.Expr:
    """The field holds one of the codes (false when blank). `codes` is a collection or an expression of a list."""
    column = pl.col(field) if isinstance(field, str) else field
    wanted = codes if isinstance(codes, pl.Expr) else code_list(codes)
    return column.is_in(wanted).fill_null(False)


def none_of(field: str | pl.Expr, codes: Collection[str] | pl.Expr) -> pl.Expr:
    """The field holds none of the codes (true when blank: a blank is not a code)."""
    return ~one_of(field, codes)


def filled(field: str, raw: bool = True) -> pl.Expr:
    """The cell holds something: a value, or text that did not parse as the column's type (kept in `<F>_raw`).
    `raw=False` for text and code columns, which have no `_raw` companion (each return's rule pack knows which)."""
    present = pl.col(field).is_not_null()
    return present | pl.col(field + RAW_SUFFIX).is_not_null() if raw else present


def blank(field: str, raw: bool = True) -> pl.Expr:
    """The cell was left empty (text that did not parse is not a blank)."""
    return ~filled(field, raw)


class Completion(NamedTuple):
    """`filled` and `blank` for one return's data model (which columns have a `_raw` companion)."""

    typed: frozenset[str]

    def filled(self, field: str) -> pl.Expr:
        return filled(field, raw=field in self.typed)

    def blank(self, field: str) -> pl.Expr:
        return blank(field, raw=field in self.typed)
