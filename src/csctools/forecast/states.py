"""Age bands and placement categories of the published demand model, and mapping episodes onto them."""

from __future__ import annotations

import polars as pl

AGE_BANDS = ("BIRTH_TO_ONE", "ONE_TO_FIVE", "FIVE_TO_TEN", "TEN_TO_SIXTEEN", "SIXTEEN_TO_EIGHTEEN")
# Band edges in years (the first band starts at -1, the last ends at 30: the published configuration's defaults).
AGE_EDGES = (-1.0, 1.0, 5.0, 10.0, 16.0, 30.0)
# Days a child spends in each band, as the published model's constant ageing hazard (1 / days per day): the first
# band is set to 365 days; the others are (max - min) * 365, so the 16+ band lasts 14 years.
BAND_DAYS = (365, 4 * 365, 5 * 365, 6 * 365, 14 * 365)
YEAR_IN_DAYS = 365.24

CATEGORIES = ("FOSTERING", "RESIDENTIAL", "SUPPORTED", "OTHER")
NOT_IN_CARE = "NOT_IN_CARE"
ALL_CATEGORIES = (*CATEGORIES, NOT_IN_CARE)
PLACE_CATEGORY = {
    **{code: "FOSTERING" for code in ("U1", "U2", "U3", "U4", "U5", "U6")},
    **{code: "RESIDENTIAL" for code in ("K2", "R1")},
    **{code: "SUPPORTED" for code in ("H5", "P2")},
}
# csctools's simulation also counts K3, supported accommodation from 2024/25 (the published model predates it and
# counts it as "other"; demand-model-0.5 keeps its mapping)
PLACE_CATEGORY_NOW = {**PLACE_CATEGORY, "K3": "SUPPORTED"}
Mapping = dict[str, str]
N_AGES = len(AGE_BANDS)
N_CATS = len(ALL_CATEGORIES)
N_STATES = N_AGES * N_CATS  # age-major: state = age * N_CATS + category
NIC = ALL_CATEGORIES.index(NOT_IN_CARE)


def state_label(state: int) -> tuple[str, str]:
    return AGE_BANDS[state // N_CATS], ALL_CATEGORIES[state % N_CATS]


def age_band_index(age_years: pl.Expr) -> pl.Expr:
    """0..4 for an age in years in [-1, 30); null outside (the published model's `start <= age < end`)."""
    index = pl.lit(0, pl.Int32)
    for upper in AGE_EDGES[1:-1]:
        index = index + (age_years >= upper).cast(pl.Int32)
    inside = (age_years >= AGE_EDGES[0]) & (age_years < AGE_EDGES[-1])
    return pl.when(inside).then(index).otherwise(None)


def category_index(place: pl.Expr, categories: Mapping = PLACE_CATEGORY) -> pl.Expr:
    """Placement category from PLACE (codes not listed, and blanks, are OTHER)."""
    mapping = {code: CATEGORIES.index(cat) for code, cat in categories.items()}
    return place.replace_strict(mapping, default=CATEGORIES.index("OTHER"), return_dtype=pl.Int32)


def with_states(episodes: pl.DataFrame, categories: Mapping = PLACE_CATEGORY) -> pl.DataFrame:
    """Adds age (years at the start), band, category, state, and the categories before and after each episode.

    The frame must be sorted by child, start, end. An episode follows on from the previous one when it starts the
    day that one ends; otherwise the child came from (or goes to) 'not in care'.
    """
    age = (pl.col("DECOM") - pl.col("DOB")).dt.total_days() / YEAR_IN_DAYS
    category = category_index(pl.col("PLACE"), categories)
    staged = episodes.with_columns(age_band_index(age).alias("band"), category.alias("category"))
    same_prev = (pl.col("CHILD") == pl.col("CHILD").shift(1)) & (pl.col("DECOM") == pl.col("DEC").shift(1))
    same_next = (pl.col("CHILD") == pl.col("CHILD").shift(-1)) & (pl.col("DEC") == pl.col("DECOM").shift(-1))
    return staged.with_columns(
        (pl.col("band") * N_CATS + pl.col("category")).alias("state"),
        pl.when(same_prev.fill_null(False)).then(pl.col("category").shift(1)).otherwise(NIC).alias("before"),
        pl.when(same_next.fill_null(False)).then(pl.col("category").shift(-1)).otherwise(NIC).alias("after"),
    )
