"""A single pass over a <Child> element's descendants, in document order, driven by the declared tree.

Each group element (CINdetails, Assessments, ...) opens a row of its table that inherits its parent's keys and
gets its ordinal id; each leaf fills the most recently opened group that declares it (walking up the tree), so a
leaf written after a nested group still reaches its own group. Leaves of a leaf list (Disability,
AssessmentFactors, CPPreviewDate) each make a row of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from csctools.datasets.cin.schema import REQUIRED_ELEMENTS, Node
from csctools.model import SOURCE_ROW

Row = dict[str, object]


@dataclass(frozen=True)
class GroupSpec:
    tag: str
    table: str
    parent: str | None
    id_column: str | None
    leaf_list: str | None
    child_ids: tuple[str, ...]  # id columns of the groups nested directly inside, reset when this one opens


def _collect_groups(node: Node, parent: str | None, out: dict[str, GroupSpec]) -> None:
    for child in node.children:
        child_ids = tuple(g.tag for g in child.children if g.id_column)
        out[child.tag] = GroupSpec(child.tag, child.table or "", parent, child.id_column, child.leaf_list, child_ids)
        _collect_groups(child, child.tag, out)


class ChildWalker:
    """Turns one <Child> element into rows of the linked tables."""

    def __init__(self, child_node: Node, child_key: str = "LAchildID") -> None:
        self.groups: dict[str, GroupSpec] = {}
        _collect_groups(child_node, None, self.groups)
        self.child_key = child_key
        self.owners: dict[str, tuple[str, ...]] = {}
        self.positions: dict[str, dict[str, int]] = {}
        self.resolved: dict[tuple[str | None, str], tuple[str | None, int, bool]] = {}  # (open group, tag) -> owner
        stack = list(child_node.children)
        while stack:
            node = stack.pop()
            for leaf in (*node.fields, *((node.leaf_list,) if node.leaf_list else ())):
                self.owners[leaf] = (*self.owners.get(leaf, ()), node.tag)
            self.positions[node.tag] = {leaf: i for i, leaf in enumerate(node.fields)}
            stack.extend(node.children)

    def _resolve(self, current: str | None, tag: str) -> tuple[str | None, int, bool]:
        """The open group a leaf belongs to (the nearest enclosing group that declares it, or None), its position in
        that group's declared order, and whether it is the group's leaf list."""
        holders = self.owners.get(tag)
        owner = current
        while owner is not None and (holders is None or owner not in holders):
            owner = self.groups[owner].parent
        if owner is None:
            return None, 0, False
        return owner, self.positions[owner].get(tag, 0), self.groups[owner].leaf_list == tag

    def walk(
        self,
        child: object,
        tables: dict[str, list[Row]],
        unknown: Callable[[str, int], None],
        structure: Callable[[str, str, int], None] | None = None,
    ) -> None:
        """Append the child's rows to `tables`; report elements the tree does not declare to `unknown`, and leaves
        out of the declared order or required leaves that are missing to `structure(kind, detail, line)`."""
        groups, resolved = self.groups, self.resolved
        open_rows: dict[str, Row] = {}
        open_keys: dict[str, Row] = {}
        last_field: dict[str, int] = {}  # group tag -> position of the latest leaf seen (declared order)
        opened: list[tuple[str, Row]] = []
        counters: dict[str, int] = {}
        produced: list[Row] = []
        current: str | None = None
        child_id: object = None
        for element in child.iter():  # type: ignore[attr-defined]
            tag = element.tag
            if not isinstance(tag, str):
                continue  # comments, processing instructions
            if tag[0] == "{":
                tag = tag.rpartition("}")[2]
            spec = groups.get(tag)
            if spec is not None:
                keys = dict(open_keys[spec.parent]) if spec.parent in open_keys else {}
                if spec.id_column:
                    counters[tag] = counters.get(tag, 0) + 1
                    keys[spec.id_column] = counters[tag]
                for nested in spec.child_ids:
                    counters[nested] = 0
                row: Row = {**keys, SOURCE_ROW: element.sourceline or 0}
                open_rows[tag], open_keys[tag] = row, keys
                current = tag
                last_field[tag] = -1
                opened.append((tag, row))
                if not spec.leaf_list:
                    produced.append(row)
                    tables[spec.table].append(row)
                continue
            found = resolved.get((current, tag))
            if found is None:
                found = resolved[(current, tag)] = self._resolve(current, tag)
            owner, position, in_list = found
            if owner is None:
                if tag != "Child":
                    unknown(tag, element.sourceline or 0)
                continue
            if in_list:
                leaf_row: Row = {**open_keys[owner], tag: element.text, SOURCE_ROW: element.sourceline or 0}
                produced.append(leaf_row)
                tables[groups[owner].table].append(leaf_row)
            else:
                open_rows[owner][tag] = element.text
                latest = last_field.get(owner, -1)
                if position < latest:
                    if structure is not None:
                        structure("element-order", f"<{tag}> is out of order in <{owner}>", element.sourceline or 0)
                else:
                    last_field[owner] = position
                if tag == self.child_key:
                    child_id = element.text
        for row in produced:
            row[self.child_key] = child_id
        if structure is not None:
            for tag, row in opened:
                for name in REQUIRED_ELEMENTS.get(tag, ()):
                    if row.get(name) is None:
                        structure("missing-element", f"<{tag}> has no <{name}>", int(str(row.get(SOURCE_ROW) or 0)))
