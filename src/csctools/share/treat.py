"""Each treatment as a polars expression (or, for keyed pseudonyms, a look-up built over the distinct values)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl

from csctools.share.policy import (
    AGE_BAND,
    DISTRICT,
    GROUP,
    KEEP,
    MONTH,
    PSEUDONYM,
    SECTOR,
    SHIFT,
    YEAR_OF_BIRTH,
    Treatment,
    age_band_labels,
)

PSEUDONYM_CHARS = 16  # hex digits (64 bits): no collision to expect among millions of children


def normalise_identifier(expr: pl.Expr) -> pl.Expr:
    """An identifier as compared: text, upper case, without spaces ('c383 0001' and 'C3830001' are one child)."""
    return expr.cast(pl.String).str.to_uppercase().str.replace_all(r"\s+", "")


SHA256_BLOCK = 64  # bytes: HMAC pads (or first hashes) the key to the hash's block size (RFC 2104)


def _digester(key: bytes, domain: str) -> Callable[[str], bytes]:
    """HMAC-SHA256 of "domain\\0value" under the key, for many values (RFC 2104, the digests of `hmac.new`): the
    inner state after the padded key and the domain, and the outer one after the padded key, are made once and
    copied per value; about twice as fast as a `hmac.digest` call per value, and a third faster than copying an
    `hmac.HMAC` object (which copies three hash states per value, not two)."""
    padded = (hashlib.sha256(key).digest() if len(key) > SHA256_BLOCK else key).ljust(SHA256_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    inner.update(f"{domain}\0".encode())
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
    inner_copy, outer_copy = inner.copy, outer.copy

    def digest(value: str) -> bytes:
        state = inner_copy()
        state.update(value.encode())
        result = outer_copy()
        result.update(state.digest())
        return result.digest()

    return digest


Memo = dict[str, pl.DataFrame]  # per domain: value -> its pseudonym or offset ("v", "out"), worked out once


def _mapped(
    values: pl.Series, memo: Memo, domain: str, work_out: Callable[[list[str]], list[Any]], dtype: type[pl.DataType]
) -> pl.Series:
    """Each value's result, hashing only distinct values not seen before (the tables of a return share children).

    Values are normalised once per distinct value, not per row; the hash itself is one standard-library call per
    new distinct value; the look-ups are polars joins."""
    raw = values.cast(pl.String).rename("raw")
    distinct = raw.drop_nulls().unique().to_frame().with_columns(normalise_identifier(pl.col("raw")).alias("v"))
    known = memo.get(domain, pl.DataFrame(schema={"v": pl.String, "out": dtype}))
    new = distinct.select(pl.col("v").unique()).join(known, on="v", how="anti")["v"].to_list()
    if new:
        known = pl.concat([known, pl.DataFrame({"v": new, "out": work_out(new)}, schema=known.schema)])
        memo[domain] = known
    lookup = distinct.join(known, on="v", how="left").select("raw", "out")
    return raw.to_frame().join(lookup, on="raw", how="left", maintain_order="left")["out"]


def pseudonym_map(values: pl.Series, key: bytes, domain: str, memo: Memo | None = None) -> pl.Series:
    """Keyed HMAC-SHA256 pseudonyms, one per value (hashing runs once per distinct value, not per row)."""

    digest = _digester(key, domain)
    size = PSEUDONYM_CHARS // 2

    def work_out(values: list[str]) -> list[str]:
        return [digest(value)[:size].hex().upper() for value in values]

    return _mapped(values, {} if memo is None else memo, f"pseudonym:{domain}", work_out, pl.String)


def shift_days(owners: pl.Series, key: bytes, max_days: int, memo: Memo | None = None) -> pl.Series:
    """A per-person offset in days, never 0: 1 to max_days earlier, the same for every row of a person. Always
    earlier: a return's latest dates stay in its collection year, so a shared return is read back as its own year
    (later shifts moved 31 March's events into the next year, and readers tell the year from the dates)."""

    digest = _digester(key, "shift")

    def work_out(values: list[str]) -> list[int]:
        return [-(int.from_bytes(digest(value)[:8], "big") % max_days + 1) for value in values]

    return _mapped(owners, {} if memo is None else memo, f"shift:{max_days}", work_out, pl.Int32)


def keyed_table(raw: pl.Series, work_out: Callable[[list[str]], list[Any]], dtype: type[pl.DataType]) -> pl.DataFrame:
    """(raw, out): each distinct value of `raw` (text, nulls left out) with its result, worked out once per
    normalised value (`normalise_identifier`), as `_mapped` gives it."""
    distinct = raw.drop_nulls().unique().to_frame("raw").with_columns(normalise_identifier(pl.col("raw")).alias("v"))
    normal = distinct["v"].unique()
    outs = pl.DataFrame({"v": normal, "out": work_out(normal.to_list())}, schema={"v": pl.String, "out": dtype})
    return distinct.join(outs, on="v", how="left").select("raw", "out")


def pseudonyms_of(key: bytes, domain: str) -> Callable[[list[str]], list[str]]:
    """The pseudonyms of normalised values of a domain (as `pseudonym_map` gives them)."""
    digest = _digester(key, domain)
    size = PSEUDONYM_CHARS // 2
    return lambda values: [digest(value)[:size].hex().upper() for value in values]


def offsets_of(key: bytes, max_days: int) -> Callable[[list[str]], list[int]]:
    """The date offsets of normalised owners (as `shift_days` gives them)."""
    digest = _digester(key, "shift")
    return lambda values: [-(int.from_bytes(digest(value)[:8], "big") % max_days + 1) for value in values]


def looked_up(expr: pl.Expr, table: pl.DataFrame, dtype: type[pl.DataType]) -> pl.Expr:
    """Each value's result from a `keyed_table` (null for a null)."""
    return expr.cast(pl.String).replace_strict(table["raw"], table["out"], default=None, return_dtype=dtype)


def _postcode(expr: pl.Expr, treatment: str) -> pl.Expr:
    """Sector ('LS2 7') or district ('LS2'); a value that is not a postcode becomes blank."""
    compact = expr.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    valid = compact.str.contains(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
    outward = compact.str.slice(0, compact.str.len_chars() - 3)
    value = outward if treatment == DISTRICT else pl.concat_str(outward, pl.lit(" "), compact.str.slice(-3, 1))
    return pl.when(valid).then(value).otherwise(None)


def _age_band(expr: pl.Expr, on: date, bands: tuple[int, ...]) -> pl.Expr:
    years = on.year - expr.dt.year().cast(pl.Int32)
    birthday = expr.dt.month().cast(pl.Int32) * 100 + expr.dt.day().cast(pl.Int32)
    age = years - (birthday > on.month * 100 + on.day).cast(pl.Int32)
    labels = age_band_labels(bands)
    band = pl.lit(labels[-1])
    for boundary, label in reversed(list(zip(bands, labels, strict=False))):
        band = pl.when(age < boundary).then(pl.lit(label)).otherwise(band)
    return pl.when(expr.is_null()).then(None).otherwise(band)


def treat(
    frame: pl.DataFrame,
    column: str,
    treatment: Treatment,
    key: bytes,
    shift: pl.Series | None,
    reference_date: date,
    age_bands: tuple[int, ...],
    memo: Memo | None = None,
) -> pl.Series:
    """The shared values of one column under its treatment (a drop never reaches here)."""
    source = frame[column]
    name = treatment.name
    if name == KEEP:
        return source
    if name == PSEUDONYM:
        return pseudonym_map(source, key, treatment.domain, memo).alias(column)
    if name == SHIFT:
        assert shift is not None, "a shift needs the rows' per-child offsets"
        moved = frame.select(pl.col(column), shift.alias("_shift"))
        return moved.select((pl.col(column) + pl.duration(days=pl.col("_shift"))).alias(column))[column]
    return frame.select(plain_treatment(column, treatment, reference_date, age_bands))[column]


def plain_treatment(column: str, treatment: Treatment, reference_date: date, age_bands: tuple[int, ...]) -> pl.Expr:
    """The expression of a treatment needing no key (keep, month, postcode, year of birth, age band, group)."""
    name = treatment.name
    expr = pl.col(column)
    if name == KEEP:
        return expr
    if name == MONTH:
        out = expr.dt.truncate("1mo")
    elif name in (SECTOR, DISTRICT):
        out = _postcode(expr, name)
    elif name == YEAR_OF_BIRTH:
        out = expr.dt.year().cast(pl.Int32)
    elif name == AGE_BAND:
        out = _age_band(expr, reference_date, age_bands)
    elif name == GROUP:
        codes = list(treatment.groups)
        grouped = expr.cast(pl.String).replace_strict(
            codes, list(treatment.groups.values()), default=treatment.other, return_dtype=pl.String
        )
        out = pl.when(expr.is_null()).then(None).otherwise(grouped)
    else:
        raise ValueError(f"no treatment {name}")
    return out.alias(column)
