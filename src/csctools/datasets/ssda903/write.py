"""Writing SSDA903 tables as authorities submit them: one CSV per table, or the DfE XML file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape

from csctools.datasets.ssda903 import xml_layout as layout
from csctools.datasets.ssda903.schema import SSDA903
from csctools.years import CollectionYear

Row = dict[str, str | None]


def csv_name(table: str, year: CollectionYear) -> str:
    return f"ssda903_{year.key}_{table.lower()}.csv"


def write_csv_tables(tables: dict[str, list[Row]], folder: Path, year: CollectionYear) -> list[Path]:
    """One CSV per table, columns in the DfE order; row n of a table is spreadsheet row n + 2."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables.items():
        columns = SSDA903.table(name).column_names()
        path = folder / csv_name(name, year)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(columns)
            writer.writerows([row.get(c) or "" for c in columns] for row in rows)
        written.append(path)
    return written


def _leaf(tag: str, value: str | None, indent: str) -> str:
    return f"{indent}<{tag}>{escape(value)}</{tag}>\n" if value else ""


def write_xml(tables: dict[str, list[Row]], path: Path) -> Path:
    """The DfE XML: one CHILD per Header row with its groups; one element per line."""
    by_child: dict[str, dict[str, list[Row]]] = {}
    for name, rows in tables.items():
        for row in rows:
            by_child.setdefault(row.get("CHILD") or "", {}).setdefault(name, []).append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<EXPSSDA903>\n')
        for header in tables.get("Header", []):
            child = by_child.get(header.get("CHILD") or "", {})
            uasc = (child.get("UASC") or [{}])[0]
            leaves: Row = {**header, "UASC": "1" if uasc else "0", "DUC": uasc.get("DUC")}
            for table in ("OC3", "AD1"):
                leaves.update((child.get(table) or [{}])[0])
            out.write("  <CHILD>\n    <HEADER>\n")
            for column in layout.HEADER_LEAVES:
                out.write(_leaf(layout.COLUMN_TO_TAG.get(column, column), leaves.get(column), "      "))
            for tag, table in layout.HEADER_GROUPS.items():
                _write_groups(out, tag, table, child.get(table, []), "      ")
            out.write("    </HEADER>\n")
            for tag, table in layout.CHILD_GROUPS.items():
                _write_groups(out, tag, table, child.get(table, []), "    ")
            out.write("  </CHILD>\n")
        out.write("</EXPSSDA903>\n")
    return path


def _write_groups(out: TextIO, tag: str, table: str, rows: list[Row], indent: str) -> None:
    columns = [c for c in SSDA903.table(table).column_names() if c not in ("CHILD", "DOB")]
    for row in rows:
        out.write(f"{indent}<{tag}>\n")
        for column in columns:
            out.write(_leaf(layout.COLUMN_TO_TAG.get(column, column), row.get(column), indent + "  "))
        out.write(f"{indent}</{tag}>\n")
