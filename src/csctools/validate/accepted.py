"""Accepted queries: error-table rows a settings file accepts (rule, child, optionally row) are set apart."""

from __future__ import annotations

import polars as pl

from csctools.validate.registry import Acceptance

ACCEPTED_COLUMNS = {"accepted_reason": pl.String, "accepted_by": pl.String, "accepted_on": pl.String}


def _acceptances(accepted: list[Acceptance]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "rule_code": [a.rule for a in accepted],
            "child_id": [a.child for a in accepted],
            "accepted_row": [a.row for a in accepted],
            "accepted_reason": [a.reason for a in accepted],
            "accepted_by": [a.who for a in accepted],
            "accepted_on": [a.when for a in accepted],
            "accepted_index": list(range(len(accepted))),
        },
        schema={
            "rule_code": pl.String,
            "child_id": pl.String,
            "accepted_row": pl.Int64,
            **ACCEPTED_COLUMNS,
            "accepted_index": pl.Int64,
        },
    )


def split_accepted(errors: pl.DataFrame, accepted: list[Acceptance]) -> tuple[pl.DataFrame, pl.DataFrame, set[int]]:
    """(outstanding rows, accepted rows with reason/by/on, indexes of the acceptances that matched a row).

    An acceptance without a row accepts every failing cell of that rule for that child; with a row, only that
    source row's cells. A row matched by two acceptances is taken once (the first in the settings)."""
    empty = errors.clear().with_columns(pl.lit(None, t).alias(c) for c, t in ACCEPTED_COLUMNS.items())
    if not accepted or errors.is_empty():
        return errors, empty, set()
    numbered = errors.with_row_index("_error_index")
    pairs = numbered.join(_acceptances(accepted), on=["rule_code", "child_id"], how="inner").filter(
        pl.col("accepted_row").is_null() | (pl.col("accepted_row") == pl.col("row_number"))
    )
    pairs = pairs.sort("accepted_index").unique("_error_index", keep="first", maintain_order=True)
    used = set(pairs["accepted_index"].to_list())
    taken = pairs["_error_index"].implode()
    outstanding = numbered.filter(~pl.col("_error_index").is_in(taken)).drop("_error_index")
    rows = pairs.sort("_error_index").select(*errors.columns, *ACCEPTED_COLUMNS)
    return outstanding, rows, used
