"""Failures of rules that compare a child's Header with last year's show last year's value beside this year's.

Rule 204 flags this year's ETHNIC=MWAS when last year's Header said ZZZZ: the value shown becomes
'MWAS (last year: ZZZZ, ssda903_2024_25_header.csv row 260)', so the analyst sees which of the two is wrong without
opening last year's file. Only rules whose catalogue compares the Header with last year's Header are labelled.
"""

from __future__ import annotations

import polars as pl

from csctools.model import RAW_SUFFIX, SOURCE_FILE, SOURCE_ROW
from csctools.validate.catalogue import catalogue
from csctools.validate.written import written_expr


def header_compared_codes(dataset: str) -> list[str]:
    """Codes of the rules comparing this year's Header with last year's (catalogue tables 'Header_last')."""
    return sorted(
        code for code, info in catalogue(dataset).items() if any(t.lower() == "header_last" for t in info.tables)
    )


def _last_values(header: pl.DataFrame, fields: list[str], dataset: str) -> pl.DataFrame:
    """child_id, field, last year's value as written, its file name and row: the child's first Header row."""
    parts = []
    for field in fields:
        value = written_expr(field, header.schema[field], dataset)
        if field + RAW_SUFFIX in header.columns:
            value = pl.coalesce(pl.col(field + RAW_SUFFIX), value)
        parts.append(
            header.select(
                pl.col("CHILD").cast(pl.String).alias("child_id"),
                pl.lit(field).alias("field"),
                value.fill_null("(blank)").alias("__last_value"),
                pl.col(SOURCE_FILE).cast(pl.String).str.replace(r"^.*[/\\]", "").alias("__last_file"),
                pl.col(SOURCE_ROW).alias("__last_row"),
            ).unique("child_id", keep="first", maintain_order=True)
        )
    return pl.concat(parts)


def label_last_year(errors: pl.DataFrame, last: dict[str, pl.DataFrame] | None, dataset: str) -> pl.DataFrame:
    """The error table with last year's value beside this year's for Header comparisons with last year."""
    header = (last or {}).get("Header")
    if header is None or errors.is_empty() or dataset != "ssda903":
        return errors
    if not {"CHILD", SOURCE_FILE, SOURCE_ROW} <= set(header.columns):
        return errors
    pointed = (pl.col("table") == "Header") & pl.col("rule_code").is_in(header_compared_codes(dataset))
    fields = errors.filter(pointed)["field"].drop_nulls().unique().sort().to_list()
    fields = [f for f in fields if f in header.columns]
    if not fields:
        return errors
    joined = errors.join(_last_values(header, fields, dataset), on=["child_id", "field"], how="left")
    label = pl.format(
        "{} (last year: {}, {} row {})",
        pl.col("value").fill_null("(blank)"),
        pl.col("__last_value"),
        pl.col("__last_file"),
        pl.col("__last_row"),
    )
    shown = pl.when(pointed & pl.col("__last_row").is_not_null()).then(label).otherwise(pl.col("value"))
    return joined.with_columns(shown.alias("value")).select(errors.columns)
