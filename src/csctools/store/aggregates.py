"""Open aggregates: counts per authority and measure, in the same rows for every authority, small numbers hidden.

Counted on the true (not pseudonymised) records of the standing submissions; every category of the measure's code
list for the year appears, with 0 where none, plus "not recorded" (blank) and "other" (a code not in the list), so
that each authority has the same rows and an absent row never stands for a small number.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from csctools.datasets.cin.schema import CIN
from csctools.datasets.ssda903.schema import SSDA903
from csctools.share.policy import Treatment, age_band_labels
from csctools.share.treat import treat
from csctools.store.measures import MEASURES
from csctools.store.suppress import TOTAL, suppress
from csctools.years import CollectionYear

NOT_RECORDED, OTHER = "not recorded", "other"
URI = "http://statistics.data.gov.uk/id/statistical-geography/"
AGE_BANDS = (1, 5, 10, 16)


def _looked_after_at_end(tables: dict[str, pl.DataFrame], end: date) -> pl.DataFrame:
    """Each child's episode open on 31 March (the latest one starting by then), with the child's header."""
    episodes = tables.get("Episodes")
    if episodes is None or episodes.is_empty():
        return pl.DataFrame(schema={"CHILD": pl.String, "PLACE": pl.String, "LS": pl.String})
    open_ = episodes.filter((pl.col("DECOM") <= end) & (pl.col("DEC").is_null() | (pl.col("DEC") > end)))
    latest = open_.sort("CHILD", "DECOM").group_by("CHILD", maintain_order=True).last()
    header = tables.get("Header")
    if header is not None:
        latest = latest.join(header.select("CHILD", "SEX", "DOB").unique("CHILD"), on="CHILD", how="left")
    return latest


def _categorised(values: pl.Series, codes: tuple[str, ...]) -> pl.Series:
    text = values.cast(pl.String)
    known = text.is_in(list(codes))
    return pl.select(
        pl.when(text.is_null()).then(pl.lit(NOT_RECORDED)).when(known).then(text).otherwise(pl.lit(OTHER))
    ).to_series()


def _counts(values: pl.Series, categories: list[str]) -> pl.DataFrame:
    counted = values.value_counts(name="value").rename({values.name: "category"})
    frame = pl.DataFrame({"category": categories}).join(counted, on="category", how="left")
    frame = frame.with_columns(pl.col("value").fill_null(0).cast(pl.Int64))
    total = pl.DataFrame({"category": [TOTAL], "value": [int(frame["value"].sum())]})
    return pl.concat([frame, total])


def measure_counts(
    measure: str,
    dataset: str,
    tables: dict[str, pl.DataFrame],
    year: CollectionYear,
    looked_after: pl.DataFrame | None = None,
) -> pl.DataFrame | None:
    """One measure's categories and total for one submission; None when the measure is of another return.
    `looked_after`: the submission's `_looked_after_at_end`, when worked out already (the cla_ measures share it)."""
    end = year.end_date
    if measure.startswith("cla_") and dataset == "ssda903":
        if looked_after is None:
            looked_after = _looked_after_at_end(tables, end)
        if measure == "cla_by_age_band":
            bands = treat(looked_after, "DOB", Treatment("age_band"), b"", None, end, AGE_BANDS)
            labels = age_band_labels(AGE_BANDS)
            values = pl.select(pl.when(bands.is_null()).then(pl.lit(NOT_RECORDED)).otherwise(bands)).to_series()
            return _counts(values.alias("v"), [*labels, NOT_RECORDED])
        column = {"cla_by_placement": "PLACE", "cla_by_legal_status": "LS", "cla_by_sex": "SEX"}[measure]
        table = "Header" if column == "SEX" else "Episodes"
        codes = SSDA903.table(table).column(column).codes_for(year) or ()
        return _counts(_categorised(looked_after[column], codes).alias("v"), [*codes, NOT_RECORDED, OTHER])
    if measure == "cin_by_primary_need" and dataset == "cin":
        details = tables.get("CINdetails")
        codes = CIN.table("CINdetails").column("PrimaryNeedCode").codes_for(year) or ()
        if details is None:
            details = pl.DataFrame(
                schema={"LAchildID": pl.String, "CINreferralDate": pl.Date, "PrimaryNeedCode": pl.String}
            )
        open_ = details.filter(
            (pl.col("CINreferralDate") <= end) & (pl.col("CINclosureDate").is_null() | (pl.col("CINclosureDate") > end))
            if "CINclosureDate" in details.columns
            else pl.col("CINreferralDate") <= end
        )
        latest = open_.sort("LAchildID", "CINreferralDate").group_by("LAchildID", maintain_order=True).last()
        return _counts(_categorised(latest["PrimaryNeedCode"], codes).alias("v"), [*codes, NOT_RECORDED, OTHER])
    return None


def open_rows(
    measures: tuple[str, ...],
    dataset: str,
    tables: dict[str, pl.DataFrame],
    year: CollectionYear,
    label: str,
    ons_code: str,
    extract: date,
) -> list[pl.DataFrame]:
    rows = []
    looked_after = None
    if dataset == "ssda903" and any(m.startswith("cla_") for m in measures):
        looked_after = _looked_after_at_end(tables, year.end_date)  # once for every cla_ measure
    for measure in measures:
        counts = measure_counts(measure, dataset, tables, year, looked_after)
        if counts is None:
            continue
        rows.append(
            counts.select(
                pl.lit(label).alias("organisation_label"),
                pl.lit(ons_code).alias("organisation_code"),
                pl.lit(URI + ons_code).alias("organisation_uri"),
                pl.lit(measure).alias("measure"),
                pl.lit(MEASURES[measure]).alias("measure_description"),
                "category",
                pl.lit(year.end_date.isoformat()).alias("period"),
                "value",
                pl.lit(extract).alias("extract_date"),
            )
        )
    return rows


def suppressed(rows: list[pl.DataFrame]) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame()
    table = pl.concat(rows)
    return suppress(table, ["organisation_code", "measure", "period"])
