"""The Ofsted list of social care providers and children's homes (an optional input to the 903 validator).

Read from the combined "SCPCH" workbook Ofsted publishes (or a CSV export of it): one row per provider URN with
its placement codes, provider codes, deregistration date and setting postcode. The provider's LA is inferred from
its postcode, as the DfE's tools do.
"""

from __future__ import annotations

import hashlib
import os
import re
from itertools import zip_longest
from pathlib import Path

import polars as pl

from csctools.datasets.annex_a.read import CALAMINE_FAILURES, cell_text, date_cell_text, open_workbook
from csctools.io.csv_rows import csv_records
from csctools.io.result import Problem, ReadError
from csctools.io.text import TextProblem, decode
from csctools.io.typing import parse_date
from csctools.reference.postcodes import cache_dir, compact, data_version, local_authorities, upper_tier

# Our column -> header names seen in Ofsted's lists (compared lower-case, spaces collapsed).
COLUMNS = {
    "URN": ("urn",),
    "LA_NAME_FROM_FILE": ("local authority", "provider local authority"),
    "PLACE_CODES": ("placement code", "placement codes", "provider placement code"),
    "PROVIDER_CODES": ("placement provider code", "placement provider codes", "provider code"),
    "REG_END": ("deregistration date", "closed date"),
    "POSTCODE": ("setting address postcode", "setting postcode", "postcode"),
}
REQUIRED = ("URN", "PLACE_CODES", "PROVIDER_CODES", "POSTCODE")


def _normal(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "").strip().lower())


def _rows(path: Path, content: bytes) -> list[list[object]]:
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls") or content.startswith(b"PK"):
        book = open_workbook(str(path), content)
        rows: list[list[object]] = []
        for sheet in book.sheet_names:
            try:
                cells = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except CALAMINE_FAILURES as error:
                if isinstance(error, KeyboardInterrupt | SystemExit):
                    raise
                problem = Problem(str(path), "unreadable-sheet", f"sheet '{sheet}' cannot be read ({error})")
                raise ReadError(problem) from None
            rows.extend(list(row) for row in cells)
        return rows
    try:
        text, _ = decode(content)
    except TextProblem as error:
        raise ReadError(Problem(str(path), "unreadable-text", str(error))) from None
    records = list(csv_records(text))
    if bad := next((r for r in records if r.fields is None), None):  # a damaged row is never skipped silently
        raise ReadError(
            Problem(str(path), "rejected-row", f"the provider list cannot be read: {bad.reason}", row=bad.row)
        )
    return [list(record.fields) for record in records if record.fields is not None]


EMPTY_CELLS = {None, ""}  # what `cell_text` reads as no value


def _cells(values: tuple[object, ...], dates: bool) -> pl.Series:
    """One column of cells as `cell_text` (or `date_cell_text`) gives them; a column of text alone (the usual
    list) is taken as it is, in one step."""
    if set(map(type, values)) <= {str, type(None)}:
        text = pl.Series(values, dtype=pl.String)
        return pl.select(pl.when(pl.lit(text) != "").then(pl.lit(text))).to_series()
    convert = date_cell_text if dates else cell_text
    return pl.Series([convert(v) for v in values], dtype=pl.String)


def read_providers(path: Path) -> pl.DataFrame:
    """URN, LA_NAME_FROM_FILE, PLACE_CODES and PROVIDER_CODES (lists), REG_END, POSTCODE, LA_CODE_INFERRED.

    Ofsted publishes the list monthly and a user validates against the same list many times: what was read from a
    list is kept in the cache folder, keyed by the file's content and the postcode data, and read from there when
    the same list is given again (looking up a national list's postcodes is most of the work)."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ReadError(Problem(str(path), "unreadable-file", f"cannot open the file ({error.strerror})")) from None
    cached = _cached_path(content)
    if cached is not None and cached.exists():
        try:
            return pl.read_parquet(cached)
        except (OSError, pl.exceptions.PolarsError):
            pass  # a damaged cache file: read the list again and replace it
    frame = _read_list(path, content)
    if cached is not None:
        _keep(frame, cached)
    return frame


CACHE_VERSION = b"providers-1"  # change when what is read from a list changes
CACHE_FILES = 8  # lists kept in the cache folder (the newest)


def _cached_path(content: bytes) -> Path | None:
    try:
        folder = cache_dir().parent / "providers"
    except RuntimeError:  # no home folder
        return None
    key = hashlib.blake2b(content, digest_size=16)
    key.update(CACHE_VERSION + data_version().encode())
    return folder / f"{key.hexdigest()}.parquet"


def _keep(frame: pl.DataFrame, target: Path) -> None:
    """Write the frame read from a list to the cache (nothing when the folder cannot be written), keeping only the
    newest few lists."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.partial")
        frame.write_parquet(partial)
        partial.replace(target)
        kept = sorted(target.parent.glob("*.parquet"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[CACHE_FILES:]:
            old.unlink(missing_ok=True)
    except OSError:
        return


def _read_list(path: Path, content: bytes) -> pl.DataFrame:
    rows = _rows(path, content)
    header_index = next((i for i, row in enumerate(rows[:30]) if "urn" in {_normal(c) for c in row}), None)
    if header_index is None:
        raise ReadError(
            Problem(str(path), "not-a-provider-list", "no 'URN' column: this is not an Ofsted provider list")
        )
    headers = [_normal(c) for c in rows[header_index]]
    positions = {name: next((headers.index(h) for h in names if h in headers), None) for name, names in COLUMNS.items()}
    missing = [name for name in REQUIRED if positions[name] is None]
    if missing:
        shown = ", ".join(COLUMNS[m][0] for m in missing)
        raise ReadError(
            Problem(str(path), "missing-column", f"the provider list has no column for: {shown}", row=header_index + 1)
        )
    body = [row for row in rows[header_index + 1 :] if not {*row} <= EMPTY_CELLS]  # blank rows left out
    width = max(map(len, body), default=0)
    columns = list(zip_longest(*body)) if body else [()] * width  # short rows padded with None
    absent = pl.Series([None] * len(body), dtype=pl.String)
    data = {
        name: _cells(columns[pos], dates=name == "REG_END") if pos is not None and pos < width else absent
        for name, pos in positions.items()
    }
    frame = pl.DataFrame(data, schema={name: pl.String for name in COLUMNS})

    def codes(column: str) -> pl.Expr:
        return (
            pl.col(column).str.to_uppercase().str.replace_all(r"[/;]", ",").str.replace_all(r"\s+", "").str.split(",")
        )

    frame = frame.with_columns(
        pl.col("URN").str.strip_chars().str.to_uppercase(),
        codes("PLACE_CODES"),
        codes("PROVIDER_CODES"),
        parse_date(pl.col("REG_END")).alias("REG_END"),
        compact(pl.col("POSTCODE")).alias("POSTCODE"),
    )
    located = local_authorities(frame["POSTCODE"]).select(
        pl.col("KEY").alias("POSTCODE"),
        pl.col("LAUA").replace_strict(upper_tier(), default=None).alias("LA_CODE_INFERRED"),
    )
    return frame.join(located, on="POSTCODE", how="left").unique("URN", keep="first")
