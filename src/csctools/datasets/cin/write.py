"""Writing the CIN census XML from its tables, following the declared tree; one element per line."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape

from csctools.datasets.cin.schema import CIN, CIN_TREE, HEADER_NODE, Node

Row = dict[str, str | None]
Index = dict[str, dict[tuple[str | None, ...], list[Row]]]


def _scope_key(row: Row, scope: tuple[str, ...]) -> tuple[str | None, ...]:
    return tuple(row.get(c) for c in scope)


class _TreeWriter:
    def __init__(self, out: TextIO, tables: dict[str, list[Row]]) -> None:
        self.out = out
        self.tables = tables
        self.index: Index = {}

    def rows(self, table: str, scope: tuple[str, ...], key: tuple[str | None, ...]) -> list[Row]:
        by_scope = self.index.get(f"{table}|{','.join(scope)}")
        if by_scope is None:
            by_scope = {}
            for row in self.tables.get(table, []):
                by_scope.setdefault(_scope_key(row, scope), []).append(row)
            self.index[f"{table}|{','.join(scope)}"] = by_scope
        return by_scope.get(key, [])

    def leaves(self, node: Node, row: Row, indent: str) -> None:
        for field in node.fields:
            value = row.get(field)
            if value:
                self.out.write(f"{indent}<{field}>{escape(value)}</{field}>\n")

    def node(self, node: Node, row: Row, scope: tuple[str, ...], indent: str) -> None:
        """Write `node` for the parent row; repeating nodes once per matching row of their table."""
        key = _scope_key(row, scope)
        if node.leaf_list:
            items = self.rows(node.table or "", scope, key)
            if items:
                self.out.write(f"{indent}<{node.tag}>\n")
                for item in items:
                    self.out.write(
                        f"{indent}  <{node.leaf_list}>{escape(item.get(node.leaf_list) or '')}</{node.leaf_list}>\n"
                    )
                self.out.write(f"{indent}</{node.tag}>\n")
            return
        own_rows = self.rows(node.table or "", scope, key) if node.table else [row]
        inner_scope = scope + ((node.id_column,) if node.id_column else ())
        for own in own_rows:
            self.out.write(f"{indent}<{node.tag}>\n")
            self.leaves(node, own, indent + "  ")
            for child in node.children:
                self.node(child, own, inner_scope, indent + "  ")
            self.out.write(f"{indent}</{node.tag}>\n")
            if not node.repeats:
                break


def write_cin_xml(tables: dict[str, list[Row]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    child_node = CIN_TREE.children[1].children[0]
    with path.open("w", encoding="utf-8") as out:
        writer = _TreeWriter(out, tables)
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<Message>\n')
        header = (tables.get("Header") or [{}])[0]
        out.write("  <Header>\n")
        for part in HEADER_NODE.children:
            out.write(f"    <{part.tag}>\n")
            writer.leaves(part, header, "      ")
            out.write(f"    </{part.tag}>\n")
        out.write("  </Header>\n  <Children>\n")
        for identifiers in tables.get("ChildIdentifiers", []):
            writer.node(child_node, identifiers, ("LAchildID",), "    ")
        out.write("  </Children>\n</Message>\n")
    return path


__all__ = ["CIN", "write_cin_xml"]
