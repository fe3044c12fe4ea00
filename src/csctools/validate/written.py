"""Values shown in reports as the user's file holds them, and derived values labelled with what they came from.

A typed date is shown in its return's written format (SSDA903 dd/mm/yyyy, the CIN census XML yyyy-mm-dd), a
true/false value as `true`/`false`; a value that did not parse is shown as its raw text (the engine does that).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from csctools.model import SOURCE_FILE, SOURCE_ROW

DATE_FORMATS = {"ssda903": "%d/%m/%Y", "cin": "%Y-%m-%d", "annex_a": "%d/%m/%Y"}

# Columns a rule pack works out itself (the 903's placement LA, location and distance from the ONS Postcode
# Directory), by table: the columns of the user's file each was derived from.
DERIVED_FROM: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "ssda903": {
        "Episodes": {
            "PL_LA": ("PL_POST",),
            "PL_LOCATION": ("PL_POST",),
            "PL_DISTANCE": ("HOME_POST", "PL_POST"),
        }
    }
}
HELPER_COLUMNS = ("HOME_POST_FOUND", "PL_POST_FOUND")  # look-up flags, not values of the return


def written_expr(name: str, dtype: pl.DataType, dataset: str) -> pl.Expr:
    """A typed column as text, the way the return writes it."""
    column = pl.col(name)
    if dtype == pl.Date:
        return column.dt.strftime(DATE_FORMATS.get(dataset, "%d/%m/%Y"))
    if dtype == pl.Boolean:
        return pl.when(column).then(pl.lit("true")).when(~column).then(pl.lit("false")).otherwise(None)
    return column.cast(pl.String)


def written(value: object, dataset: str) -> str:
    """One value (from a row of a typed table) as text, the way the return writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.strftime(DATE_FORMATS.get(dataset, "%d/%m/%Y"))
    return str(value)


def derived_label(column: str, dataset: str, table: str) -> str | None:
    """'derived from PL_POST' for a derived column, None for a column of the user's file."""
    sources = DERIVED_FROM.get(dataset, {}).get(table, {}).get(column)
    return f"derived from {' and '.join(sources)}" if sources else None


def label_derived(errors: pl.DataFrame, tables: dict[str, pl.DataFrame], dataset: str) -> pl.DataFrame:
    """Error rows pointing at a derived value say so, with the postcodes it came from:
    'E08000016 (derived from PL_POST S36 6FD)'."""
    for table, columns in DERIVED_FROM.get(dataset, {}).items():
        frame = tables.get(table)
        pointed = (pl.col("table") == table) & pl.col("field").is_in(list(columns))
        if frame is None or errors.is_empty() or not errors.select(pointed.any()).item():
            continue
        sources = sorted({s for used in columns.values() for s in used if s in frame.columns})
        keyed = frame.select(
            pl.col(SOURCE_FILE).alias("source_file"),
            pl.col(SOURCE_ROW).alias("row_number"),
            *(pl.col(s).alias(f"__{s}") for s in sources),
        ).unique(["source_file", "row_number"])
        joined = errors.join(keyed, on=["source_file", "row_number"], how="left", maintain_order="left")
        labelled = pl.col("value")
        for column, used in columns.items():
            origin = pl.concat_str(
                [pl.format(f"{s} {{}}", pl.col(f"__{s}").fill_null("(blank)")) for s in used if s in sources],
                separator=" and ",
            )
            label = pl.format("{} (derived from {})", pl.col("value").fill_null("not found"), origin)
            labelled = pl.when(pointed & (pl.col("field") == column)).then(label).otherwise(labelled)
        errors = joined.with_columns(labelled.alias("value")).select(errors.columns)
    return errors
