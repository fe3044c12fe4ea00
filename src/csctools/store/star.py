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


def _child_key(ons: str, year: str) -> pl.Expr:
    return pl.concat_str(pl.lit(f"{ons}|{year}|"), pl.col("CHILD")).alias("child_key")


def star_tables(tables: dict[str, pl.DataFrame], ons: str, year: str) -> dict[str, pl.DataFrame]:
    """child, episode and placement frames from a shared 903 return (empty when the policy keeps too little)."""
    header, episodes = tables.get("Header"), tables.get("Episodes")
    out: dict[str, pl.DataFrame] = {}
    if header is not None and "CHILD" in header.columns:
        out["child"] = header.select(_child_key(ons, year), pl.all().exclude("CHILD"))
    if episodes is None or not {"CHILD", "DECOM", "RNE"} <= set(episodes.columns):
        return out
    ordered = episodes.sort("CHILD", "DECOM", maintain_order=True).with_columns(_child_key(ons, year))
    first_of_child = pl.col("CHILD") != pl.col("CHILD").shift(1)
    starts = first_of_child.fill_null(True) | pl.col("RNE").is_in(list(PLACEMENT_STARTS))
    numbered = ordered.with_columns(
        (pl.int_range(pl.len()) + 1).alias("_episode"), starts.cast(pl.Int64).cum_sum().alias("_placement")
    ).with_columns(
        pl.concat_str(pl.col("child_key"), pl.lit("|e"), pl.col("_episode")).alias("episode_key"),
        pl.concat_str(pl.lit(f"{ons}|{year}|p"), pl.col("_placement")).alias("placement_key"),
    )
    out["episode"] = numbered.select(
        "episode_key",
        "child_key",
        "placement_key",
        pl.all().exclude("episode_key", "child_key", "placement_key", "CHILD", "_episode", "_placement"),
    )
    kept = [c for c in PLACEMENT_COLUMNS if c in numbered.columns]
    aggregates = [pl.col("child_key").first(), pl.col("DECOM").min().alias("placement_start")]
    if "DEC" in numbered.columns:
        aggregates.append(pl.col("DEC").last().alias("placement_end"))
    aggregates += [pl.col(c).first() for c in kept]
    aggregates.append(pl.len().alias("episodes"))
    out["placement"] = numbered.group_by("placement_key", maintain_order=True).agg(aggregates)
    return out
