"""Copy the parts of DfE's LAIT children's social care data that csctools needs into the package.

    python scripts/build_benchmarks.py [../shared/reference/benchmarks]

Writes src/csctools/indicators/data/: lait_values.parquet (measure, year, la_number, value: published values only,
suppressed "-" left out; the year is the calendar year in which the LAIT year ends, so 2025 is 2024/25),
lait_measures.csv (measure, title, topic, polarity, year type, decimals), lait_areas.csv (England and the
regions: their LAIT numbers) and statistical_neighbours.csv.
Source: DfE Local Authority Interactive Tool, Open Government Licence v3.0.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

OUT = Path(__file__).resolve().parents[1] / "src" / "csctools" / "indicators" / "data"


def build(source: Path) -> None:
    raw = pl.read_parquet(source / "lait_csc_measures.parquet")
    values = (
        raw.with_columns(
            year=pl.when(pl.col("year").str.contains(r"^\d{4}-\d{2}$"))
            .then(pl.col("year").str.slice(0, 4).cast(pl.Int32) + 1)
            .otherwise(pl.col("year").cast(pl.Int32, strict=False)),
            la_number=pl.col("la_number").cast(pl.Float64).cast(pl.Int32),
            value=pl.col("value").cast(pl.Float64, strict=False),
        )
        .filter(pl.col("value").is_not_null(), pl.col("year") > 2000)
        .select("measure", "year", "la_number", "value")
        .unique()
        .sort("measure", "year", "la_number")
    )
    dictionary = pl.read_csv(source / "lait_csc_dictionary.csv", infer_schema_length=0)
    measures = (
        raw.select("measure", "measure_name", "topic", "polarity", "year_type")
        .unique("measure", keep="first")
        .join(
            dictionary.select(pl.col("Measure_short").alias("measure"), pl.col("Chart_title").alias("title"), "dps")
            .unique("measure", keep="first"),
            on="measure",
            how="left",
        )
        .select("measure", pl.coalesce("title", "measure_name").alias("title"), "topic", "polarity", "year_type", "dps")
        .sort("measure")
    )
    OUT.mkdir(parents=True, exist_ok=True)
    values.write_parquet(OUT / "lait_values.parquet", compression="zstd", statistics=False)
    measures.write_csv(OUT / "lait_measures.csv")
    areas = (
        raw.select(pl.col("la_number").cast(pl.Float64).cast(pl.Int32), pl.col("area"))
        .filter(pl.col("la_number") >= 970)
        .unique("la_number")
        .sort("la_number")
    )
    areas.write_csv(OUT / "lait_areas.csv")
    neighbours = pl.read_csv(source / "statistical_neighbours_2025.csv", infer_schema_length=0)
    neighbours.write_csv(OUT / "statistical_neighbours.csv")
    print(f"{values.height} values of {measures.height} measures, {neighbours.height} neighbour groups -> {OUT}")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/benchmarks"))
