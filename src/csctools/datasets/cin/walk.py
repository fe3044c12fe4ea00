"""A single pass over a <Child> element's descendants, in document order, driven by the declared tree.

Each group element (CINdetails, Assessments, ...) opens a row of its table that inherits its parent's keys and
gets its ordinal id; each leaf fills the most recently opened group that declares it (walking up the tree), so a
leaf written after a nested group still reaches its own group. Leaves of a leaf list (Disability,
AssessmentFactors, CPPreviewDate) each make a row of their own.

A row is a list in the order of its table's columns, then the XML line (`ChildWalker.columns` names them), so
tables are turned into frames column by column without per-row dictionaries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from csctools.datasets.cin.schema import CIN, REQUIRED_ELEMENTS, Node
from csctools.model import SOURCE_ROW, ColumnType

Row = list[object]


class GroupSpec(NamedTuple):
    tag: str
    table: str
    parent: str | None
    id_column: str | None
    leaf_list: str | None
    child_ids: tuple[str, ...]  # id columns of the groups nested directly inside, reset when this one opens
    width: int  # columns of the table, then the XML line
    child_index: int  # where the child's id goes
    required: tuple[tuple[str, int], ...]  # required leaves and their column (-1: not a column of the table)


class Leaf(NamedTuple):
    """Where a leaf goes when read inside a given open group."""

    owner: str | None  # the group it belongs to (None: not declared there)
    column: int  # its column in the owner's table
    position: int  # its place in the owner's declared order
    in_list: bool  # a leaf-list entry: a row of its own
    upper: bool = False  # a code: upper-cased as it is read


def _collect_groups(node: Node, parent: str | None, child_key: str, out: dict[str, GroupSpec]) -> None:
    for child in node.children:
        child_ids = tuple(g.tag for g in child.children if g.id_column)
        columns = CIN.table(child.table).column_names() if child.table else ()
        index = {name: i for i, name in enumerate(columns)}
        required = tuple((name, index.get(name, -1)) for name in REQUIRED_ELEMENTS.get(child.tag, ()))
        out[child.tag] = GroupSpec(
            child.tag,
            child.table or "",
            parent,
            child.id_column,
            child.leaf_list,
            child_ids,
            len(columns) + 1,
            index.get(child_key, -1),
            required,
        )
        _collect_groups(child, child.tag, child_key, out)


class ChildWalker:
    """Turns one <Child> element into rows of the linked tables."""

    def __init__(self, child_node: Node, child_key: str = "LAchildID") -> None:
        self.groups: dict[str, GroupSpec] = {}
        _collect_groups(child_node, None, child_key, self.groups)
        self.child_key = child_key
        self.columns: dict[str, tuple[str, ...]] = {
            g.table: (*CIN.table(g.table).column_names(), SOURCE_ROW) for g in self.groups.values() if g.table
        }
        self.index = {table: {name: i for i, name in enumerate(names)} for table, names in self.columns.items()}
        self.owners: dict[str, tuple[str, ...]] = {}
        self.positions: dict[str, dict[str, int]] = {}
        self.leaves: dict[str | None, dict[str, Leaf]] = {}  # open group -> leaf tag -> where it goes
        self.fast: dict[str | None, dict[str, tuple[int, int, bool]]] = {}  # group -> own leaves: column, place, code
        stack = list(child_node.children)
        while stack:
            node = stack.pop()
            for leaf in (*node.fields, *((node.leaf_list,) if node.leaf_list else ())):
                self.owners[leaf] = (*self.owners.get(leaf, ()), node.tag)
            self.positions[node.tag] = {leaf: i for i, leaf in enumerate(node.fields)}
            stack.extend(node.children)

    def _resolve(self, current: str | None, tag: str) -> Leaf:
        """The open group a leaf belongs to (the nearest enclosing group that declares it, or None), its column and
        position in that group's declared order, and whether it is the group's leaf list."""
        holders = self.owners.get(tag)
        owner = current
        while owner is not None and (holders is None or owner not in holders):
            owner = self.groups[owner].parent
        if owner is None:
            return Leaf(None, -1, 0, False, False)
        spec = self.groups[owner]
        column = self.index[spec.table].get(tag, -1)
        upper = column >= 0 and CIN.table(spec.table).column(tag).type is ColumnType.CODE
        return Leaf(owner, column, self.positions[owner].get(tag, 0), spec.leaf_list == tag, upper)

    def walk(
        self,
        child: object,
        tables: dict[str, list[Row]],
        unknown: Callable[[str, int], None],
        structure: Callable[[str, str, int], None] | None = None,
        lines_before: int = 0,
    ) -> None:
        """Append the child's rows to `tables`; report elements the tree does not declare to `unknown`, and leaves
        out of the declared order or required leaves that are missing to `structure(kind, detail, line)`. Lines
        are the element's line plus `lines_before` (a child parsed from a piece of the file, lines counted from
        the piece's start)."""
        groups, leaves, child_key, index = self.groups, self.leaves, self.child_key, self.index
        open_rows: dict[str, Row] = {}
        open_keys: dict[str, dict[str, object]] = {}  # group -> the ids it passes down (column -> value)
        last_field: dict[str, int] = {}  # group tag -> position of the latest leaf seen (declared order)
        opened: list[tuple[GroupSpec, Row]] = []
        counters: dict[str, int] = {}
        produced: list[tuple[Row, int]] = []  # each row and where the child's id goes
        current: str | None = None
        here = leaves.setdefault(current, {})
        # The usual element: a leaf of the group opened last. Its column and place are looked up in one step and
        # written to that group's row; `last` is the place of the group's latest leaf (declared order).
        fast = self.fast.setdefault(current, {})
        row_now: Row = []
        last = -1
        child_id: object = None
        for element in child.iter():  # type: ignore[attr-defined]
            tag = element.tag
            hit = fast.get(tag)
            if hit is not None:
                column, position, upper = hit
                text = element.text
                if text is not None:  # trimmed (and codes upper-cased) here, so typing need not
                    text = text.strip()
                    text = (text.upper() if upper else text) or None
                if row_now[column] is None:
                    row_now[column] = text
                elif structure is not None:  # a single value given twice: the first is kept, and said so
                    detail = f"<{tag.rpartition('}')[2]}> appears more than once in one <{current}>; the first was read"
                    structure("repeated-element", detail, (element.sourceline or 0) + lines_before)
                if position < last:
                    if structure is not None:
                        line = (element.sourceline or 0) + lines_before
                        structure("element-order", f"<{tag}> is out of order in <{current}>", line)
                else:
                    last = position
                continue
            if tag.__class__ is not str:
                continue  # comments, processing instructions
            if tag[0] == "{":
                tag = tag.rpartition("}")[2]
            leaf = here.get(tag)
            if leaf is None:
                spec = groups.get(tag)
                if spec is not None:
                    keys = dict(open_keys[spec.parent]) if spec.parent in open_keys else {}
                    if spec.id_column:
                        counters[tag] = counters.get(tag, 0) + 1
                        keys[spec.id_column] = counters[tag]
                    for nested in spec.child_ids:
                        counters[nested] = 0
                    row: Row = [None] * spec.width
                    columns = index.get(spec.table, {})
                    for name, value in keys.items():
                        if name in columns:
                            row[columns[name]] = value
                    row[-1] = (element.sourceline or 0) + lines_before
                    open_rows[tag], open_keys[tag] = row, keys
                    if current is not None:
                        last_field[current] = last
                    current, row_now, last = tag, row, -1
                    here, fast = leaves.setdefault(current, {}), self.fast.setdefault(current, {})
                    last_field[tag] = -1
                    opened.append((spec, row))
                    if not spec.leaf_list:
                        produced.append((row, spec.child_index))
                        tables[spec.table].append(row)
                    continue
                leaf = here[tag] = self._resolve(current, tag)
                if leaf.owner == current and not leaf.in_list and leaf.column >= 0 and tag != child_key:
                    fast[tag] = (leaf.column, leaf.position, leaf.upper)
            owner = leaf.owner
            if owner is None or owner not in open_rows:  # not declared here, or its group was never opened
                if tag != "Child":
                    unknown(tag, (element.sourceline or 0) + lines_before)
                continue
            if leaf.in_list:
                spec = groups[owner]
                entry: Row = [None] * spec.width
                columns = index[spec.table]
                for name, value in open_keys[owner].items():
                    if name in columns:
                        entry[columns[name]] = value
                entry[leaf.column] = _tidy(element.text, leaf.upper)
                entry[-1] = (element.sourceline or 0) + lines_before
                produced.append((entry, spec.child_index))
                tables[spec.table].append(entry)
                continue
            if leaf.column >= 0:
                if open_rows[owner][leaf.column] is None:
                    open_rows[owner][leaf.column] = _tidy(element.text, leaf.upper)
                elif structure is not None:
                    detail = f"<{tag}> appears more than once in one <{owner}>; the first was read"
                    structure("repeated-element", detail, (element.sourceline or 0) + lines_before)
            latest = last if owner == current else last_field[owner]
            if leaf.position < latest:
                if structure is not None:
                    line = (element.sourceline or 0) + lines_before
                    structure("element-order", f"<{tag}> is out of order in <{owner}>", line)
            elif owner == current:
                last = leaf.position
            else:
                last_field[owner] = leaf.position
            if tag == child_key and child_id is None:
                child_id = _tidy(element.text, False)
        for row, at in produced:
            if at >= 0:
                row[at] = child_id
        if structure is not None:
            for spec, row in opened:
                for name, column in spec.required:
                    if column < 0 or row[column] is None:
                        structure("missing-element", f"<{spec.tag}> has no <{name}>", int(str(row[-1] or 0)))


def _tidy(text: str | None, upper: bool) -> str | None:
    """A leaf's text as typing would leave it: trimmed, codes upper-cased, empty as None."""
    if text is None:
        return None
    text = text.strip()
    return (text.upper() if upper else text) or None
