"""Writing a shared return in the format it was read (903 CSV or XML, CIN XML, Annex A XLSX) and as Parquet.

In the return's own format every column of the layout is written, those the policy does not share left blank, so
the files read (and validate) again; Parquet holds only the shared columns, with their types.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from csctools.share.columns import CHILD_COLUMNS, DATASETS
from csctools.share.pseudonymise import SharedReturn
from csctools.years import CollectionYear

FORMATS = ("csv", "xml", "xlsx")
DATE_FORMATS = {"ssda903": "%d/%m/%Y", "cin": "%Y-%m-%d", "annex_a": "%d/%m/%Y"}


def _as_text(frame: pl.DataFrame, dataset: str, columns: tuple[str, ...]) -> pl.DataFrame:
    """Every column of the layout as text (dates as the return writes them; blanks for columns not shared)."""
    exprs = []
    for name in columns:
        if name not in frame.columns:
            exprs.append(pl.lit(None, dtype=pl.String).alias(name))
            continue
        dtype = frame.schema[name]
        if dtype == pl.Date:
            exprs.append(pl.col(name).dt.strftime(DATE_FORMATS[dataset]))
        elif dtype == pl.Boolean:
            exprs.append(pl.when(pl.col(name)).then(pl.lit("true")).otherwise(pl.lit("false")).alias(name))
        else:
            exprs.append(pl.col(name).cast(pl.String))
    return frame.select(exprs)


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    number = 2
    while (candidate := path.with_name(f"{path.stem}_{number}{path.suffix}")).exists():
        number += 1
    return candidate


def write_903_csv(shared: SharedReturn, out: Path) -> list[Path]:
    from csctools.datasets.ssda903.write import csv_name

    year = CollectionYear.parse(shared.year_key)
    folder = _unique(out / f"ssda903_{shared.year_key}")
    folder.mkdir(parents=True)
    written = []
    for name, frame in shared.tables.items():
        columns = DATASETS["ssda903"].table(name).column_names(year)
        path = folder / csv_name(name, year)
        _as_text(frame, "ssda903", columns).write_csv(path, line_terminator="\r\n", null_value="")
        written.append(path)
    return written


def _rows(shared: SharedReturn, year: CollectionYear | None) -> dict[str, list[dict[str, str | None]]]:
    model = DATASETS[shared.dataset]
    return {
        name: _as_text(frame, shared.dataset, model.table(name).column_names(year)).to_dicts()
        for name, frame in shared.tables.items()
    }


def write_903_xml(shared: SharedReturn, out: Path) -> list[Path]:
    from csctools.datasets.ssda903.write import write_xml

    year = CollectionYear.parse(shared.year_key)
    return [write_xml(_rows(shared, year), _unique(out / f"ssda903_{shared.year_key}.xml"))]


def write_cin(shared: SharedReturn, out: Path) -> list[Path]:
    from csctools.datasets.cin.write import write_cin_xml

    year = CollectionYear.parse(shared.year_key)
    return [write_cin_xml(_rows(shared, year), _unique(out / f"cin_census_{shared.year_key}.xml"))]


def write_annex(shared: SharedReturn, out: Path) -> list[Path]:
    from csctools.datasets.annex_a.write import write_annex_a

    lists = {name: frame.to_dicts() for name, frame in shared.tables.items()}
    return [write_annex_a(lists, _unique(out / f"annex_a_{shared.year_key}.xlsx"))]


def nests_by_child(shared: SharedReturn) -> bool:
    """XML nests rows under their child: it can only be written when the child column is shared everywhere."""
    child = CHILD_COLUMNS[shared.dataset]
    tables = [frame for name, frame in shared.tables.items() if not (shared.dataset == "cin" and name == "Header")]
    return all(child in frame.columns for frame in tables)


def write_return(shared: SharedReturn, out: Path, source_format: str) -> list[Path]:
    """The shared return in the format it was read; an empty list when that format cannot hold it."""
    if not shared.tables:
        return []
    if shared.dataset == "ssda903" and source_format == "csv":
        return write_903_csv(shared, out)
    if shared.dataset == "annex_a":
        return write_annex(shared, out)
    if not nests_by_child(shared):
        return []
    return write_903_xml(shared, out) if shared.dataset == "ssda903" else write_cin(shared, out)


def write_parquet(shared: SharedReturn, out: Path) -> list[Path]:
    folder = out / "parquet" / shared.dataset / shared.year_key
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in shared.tables.items():
        path = _unique(folder / f"{name}.parquet")
        frame.write_parquet(path)
        written.append(path)
    return written
