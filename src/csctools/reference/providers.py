"""The Ofsted list of social care providers and children's homes (an optional input to the 903 validator).

Read from the combined "SCPCH" workbook Ofsted publishes (or a CSV export of it): one row per provider URN with
its placement codes, provider codes, deregistration date and setting postcode. The provider's LA is inferred from
its postcode, as the DfE's tools do.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from csctools.datasets.annex_a.read import CALAMINE_FAILURES, cell_text, date_cell_text, open_workbook
from csctools.io.csv_rows import csv_records
from csctools.io.result import Problem, ReadError
from csctools.io.text import TextProblem, decode
from csctools.io.typing import parse_date
from csctools.reference.postcodes import compact, lookup, upper_tier

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


def read_providers(path: Path) -> pl.DataFrame:
    """URN, LA_NAME_FROM_FILE, PLACE_CODES and PROVIDER_CODES (lists), REG_END, POSTCODE, LA_CODE_INFERRED."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ReadError(Problem(str(path), "unreadable-file", f"cannot open the file ({error.strerror})")) from None
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
    body = [row for row in rows[header_index + 1 :] if any(cell_text(c) for c in row)]
    data = {
        name: [
            (date_cell_text if name == "REG_END" else cell_text)(row[pos])
            if pos is not None and pos < len(row)
            else None
            for row in body
        ]
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
    located = lookup(frame["POSTCODE"]).select(
        pl.col("KEY").alias("POSTCODE"),
        pl.col("LAUA").replace_strict(upper_tier(), default=None).alias("LA_CODE_INFERRED"),
    )
    return frame.join(located, on="POSTCODE", how="left").unique("URN", keep="first")
