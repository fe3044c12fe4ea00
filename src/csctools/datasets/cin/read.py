"""Reading the CIN census XML, streaming one <Child> at a time into linked tables keyed by child."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
from lxml import etree

from csctools.datasets.cin.schema import CIN, CIN_TREE, HEADER_NODE, Node
from csctools.io.result import FileReport, Problem, ReadError, ReturnData, Severity, TableRead
from csctools.io.typing import type_frame, unparsed_counts
from csctools.io.xml import line_of
from csctools.model import SOURCE_FILE, SOURCE_ROW
from csctools.years import CollectionYear, year_hint_from_name

CHILD_NODE = CIN_TREE.children[1].children[0]


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


class _Collector:
    """Accumulates rows per table as columns of text, with the XML line of each row."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.columns: dict[str, dict[str, list[object]]] = {
            t.name: {c: [] for c in t.column_names()} for t in CIN.tables
        }
        self.lines: dict[str, list[int]] = {t.name: [] for t in CIN.tables}
        self.unknown: dict[str, tuple[int, int]] = {}

    def add(self, table: str, values: dict[str, object], line: int) -> None:
        for column, items in self.columns[table].items():
            items.append(values.get(column))
        self.lines[table].append(line)

    def note_unknown(self, element: etree._Element, parent: str) -> None:
        key = f"{_local(element.tag)} in <{parent}>"
        first, count = self.unknown.get(key, (int(line_of(element)), 0))
        self.unknown[key] = (first, count + 1)

    def walk(self, element: etree._Element, node: Node, keys: dict[str, object]) -> None:
        row: dict[str, object] = {}
        self._collect(element, node, keys, row)
        if node.table and (row or not node.children or node.fields):
            self.add(node.table, keys | row, line_of(element))

    def _collect(self, element: etree._Element, node: Node, keys: dict[str, object], row: dict[str, object]) -> None:
        counters: dict[str, int] = {}
        groups = {n.tag: n for n in node.children}
        for sub in element:
            if not isinstance(sub.tag, str):
                continue  # comments and processing instructions
            tag = _local(sub.tag)
            spec = groups.get(tag)
            if spec is None:
                if tag in node.fields and len(sub) == 0:
                    row[tag] = sub.text
                else:
                    self.note_unknown(sub, node.tag)
            elif spec.leaf_list:
                for leaf in sub:
                    if isinstance(leaf.tag, str) and _local(leaf.tag) == spec.leaf_list:
                        self.add(spec.table or "", keys | {spec.leaf_list: leaf.text}, line_of(leaf))
                    elif isinstance(leaf.tag, str):
                        self.note_unknown(leaf, spec.tag)
            elif spec.table == node.table:
                self._collect(sub, spec, keys, row)
            else:
                child_keys = dict(keys)
                if spec.id_column:
                    counters[spec.tag] = counters.get(spec.tag, 0) + 1
                    child_keys[spec.id_column] = counters[spec.tag]
                self.walk(sub, spec, child_keys)

    def frames(self) -> dict[str, pl.DataFrame]:
        out = {}
        for name, columns in self.columns.items():
            lines = self.lines[name]
            if not lines:
                continue
            data = {
                c: pl.Series(c, [None if v is None else str(v) for v in vals], dtype=pl.String)
                for c, vals in columns.items()
            }
            data[SOURCE_FILE] = pl.Series(SOURCE_FILE, [self.source] * len(lines), dtype=pl.String)
            data[SOURCE_ROW] = pl.Series(SOURCE_ROW, lines, dtype=pl.Int64)
            out[name] = pl.DataFrame(data)
        return out


def read_cin(path: Path, year: CollectionYear | None = None, data: bytes | None = None) -> ReturnData:
    """Read one CIN census XML file into typed tables."""
    name = str(path)
    report = FileReport(name, dataset="cin")
    content = path.read_bytes() if data is None else data
    collector = _Collector(name)
    try:
        _parse(content, collector)
    except ReadError as error:
        report.problems.append(error.problem)
        return ReturnData("cin", year, {}, [report])
    for key, (line, count) in collector.unknown.items():
        report.problems.append(
            Problem(
                name,
                "unknown-element",
                f"element <{key.replace(' in ', '> in ')} is not part of the CIN census "
                f"and was ignored ({count} times)",
                Severity.WARNING,
                row=line,
            )
        )
    texts = collector.frames()
    typed = {
        table: type_frame(frame, CIN.table(table).columns, keep=(SOURCE_FILE, SOURCE_ROW))
        for table, frame in texts.items()
    }
    for table, frame in typed.items():
        report.tables.append(TableRead(table, frame.height, frame.height, unparsed_values=unparsed_counts(frame)))
    if "ChildIdentifiers" not in typed and "Header" not in typed:
        report.problems.append(Problem(name, "no-children", "the file holds no <Header> and no <Child> elements"))
    report.year, report.year_source = _decide_year(name, typed, year)
    return ReturnData("cin", report.year, typed, [report])


def _parse(content: bytes, collector: _Collector) -> None:
    try:
        events = etree.iterparse(io.BytesIO(content), events=("end",), tag=("{*}Child", "{*}Header"))
        for _, element in events:
            tag = _local(element.tag)
            parent = element.getparent()
            if tag == "Header" and parent is not None and _local(parent.tag) == "Message":
                collector.walk(element, HEADER_NODE, {})
            elif tag == "Child":
                child_id = element.findtext("{*}ChildIdentifiers/{*}LAchildID")
                collector.walk(element, CHILD_NODE, {"LAchildID": child_id})
            else:
                continue
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        raise ReadError(
            Problem(
                collector.source,
                "malformed-xml",
                f"the XML is not well-formed: {error.msg}",
                row=error.lineno or None,
            )
        ) from None


def _decide_year(
    name: str, typed: dict[str, pl.DataFrame], given: CollectionYear | None
) -> tuple[CollectionYear | None, str]:
    if given is not None:
        return given, "given"
    header = typed.get("Header")
    if header is not None and header.height and header["ReferenceDate"][0] is not None:
        return CollectionYear.containing(header["ReferenceDate"][0]), "content"
    if header is not None and header.height and header["Year"][0] is not None:
        return CollectionYear(int(header["Year"][0])), "content"
    hint = year_hint_from_name(Path(name).name)
    return hint, "file name" if hint else ""
