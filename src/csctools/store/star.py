"""A small star schema of the published SSDA903 records for Excel and Power BI: child, episode, placement.

Keys are text made of the authority's ONS code, the collection year and the child's pseudonym, so tables from
several authorities and years stack without clashing. A placement is a run of a child's episodes: a new one starts
with the child's first episode of the return and with every episode whose reason (RNE) is a change of placement
(S started to be looked after, P, T, U, B); L (legal status only) continues the placement.
"""

from __future__ import annotations

import polars as pl

PLACEMENT_STARTS = ("S", "P", "T", "U", "B")
PLACEMENT_COLUMNS = ("PLACE", "PLACE_PROVIDER", "PL_POST", "URN")


LABELS = ("organisation_label", "organisation_code", "collection_year", "extract_date")


def _prefix() -> pl.Expr:
    return pl.concat_str(pl.col("organisation_code"), pl.lit("|"), pl.col("collection_year"), pl.lit("|"))


def _child_key() -> pl.Expr:
    return pl.concat_str(_prefix(), pl.col("CHILD")).alias("child_key")


def star_tables(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """child, episode and placement frames from shared 903 tables labelled with their authority and year (one or
    more returns); empty when the policy keeps too little."""
    header, episodes = tables.get("Header"), tables.get("Episodes")
    out: dict[str, pl.DataFrame] = {}
    if header is not None and "CHILD" in header.columns:
        out["child"] = header.select(*LABELS, _child_key(), pl.all().exclude("CHILD", *LABELS))
    if episodes is None or not {"CHILD", "DECOM", "RNE"} <= set(episodes.columns):
        return out
    ordered = episodes.with_columns(_child_key()).sort("child_key", "DECOM", maintain_order=True)
    first_of_child = pl.col("child_key") != pl.col("child_key").shift(1)
    starts = first_of_child.fill_null(True) | pl.col("RNE").is_in(list(PLACEMENT_STARTS))
    numbered = ordered.with_columns(
        (pl.int_range(pl.len()) + 1).alias("_episode"), starts.cast(pl.Int64).cum_sum().alias("_placement")
    ).with_columns(
        pl.concat_str(pl.col("child_key"), pl.lit("|e"), pl.col("_episode")).alias("episode_key"),
        pl.concat_str(_prefix(), pl.lit("p"), pl.col("_placement")).alias("placement_key"),
    )
    out["episode"] = numbered.select(
        *LABELS,
        "episode_key",
        "child_key",
        "placement_key",
        pl.all().exclude(*LABELS, "episode_key", "child_key", "placement_key", "CHILD", "_episode", "_placement"),
    )
    kept = [c for c in PLACEMENT_COLUMNS if c in numbered.columns]
    aggregates = [*(pl.col(c).first() for c in LABELS), pl.col("child_key").first()]
    aggregates.append(pl.col("DECOM").min().alias("placement_start"))
    if "DEC" in numbered.columns:
        aggregates.append(pl.col("DEC").last().alias("placement_end"))
    aggregates += [pl.col(c).first() for c in kept]
    aggregates.append(pl.len().alias("episodes"))
    placements = numbered.group_by("placement_key", maintain_order=True).agg(aggregates)
    out["placement"] = placements.select(*LABELS, "placement_key", pl.all().exclude(*LABELS, "placement_key"))
    return out
