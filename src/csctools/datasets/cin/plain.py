"""A fast path for a plain piece of the CIN census: its lines tokenised and its rows built with polars, no Python
per element.

A piece (segments.py) is "plain" when every line of its children holds one element the way `csc synth` and most
census software write it: `<Group>`, `</Group>`, `<Leaf>text</Leaf>` or `<Leaf/>`, with ASCII text, no comments,
CDATA, processing instructions, character references, attributes, namespace prefixes or lone carriage returns; every
group is under its declared parent, every leaf is in the group opened last and declares it, and the leaves of a
group come in their declared order, once each. For such a piece the walk (walk.py) would read exactly what is built
here: a row per group where it opens (with its ordinal ids and its line), a row per entry of a leaf list, values
trimmed and codes upper-cased, and a note for each required leaf that is missing. Anything else makes `read_plain`
return None and the piece is walked as before, so an odd piece reads the same by construction.

Well-formedness is checked by expat with no handlers set (in C, nothing per element in Python); a piece it rejects is
walked, and the walk reports the error as it always has.
"""

from __future__ import annotations

import re
from pyexpat import ExpatError, ParserCreate
from typing import NamedTuple

import polars as pl

from csctools.datasets.cin.schema import CIN
from csctools.datasets.cin.walk import ChildWalker
from csctools.model import SOURCE_FILE, SOURCE_ROW, ColumnType

_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
# One element on a line: `<Tag>`, `</Tag>`, `<Tag/>` or `<Tag>text</Tag>` (expat has checked the end tag's name).
LINE = rf"^[ \t]*</?{_NAME}/?>(?:[^<]*</{_NAME}>)?[ \t\r]*$"
ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))  # &amp; last
CHILD = "Child"
TRIM = " \t\r\n"
PAIR = 1 << 10  # a parent's code times this, plus the element's: the pair as one number


class PlainRead(NamedTuple):
    """What a plain piece holds: a text frame per table (the walk's columns and types) and structure notes."""

    frames: dict[str, pl.DataFrame]
    structure: dict[tuple[str, str], tuple[int, int]]


def well_formed(document: bytes) -> bool:
    """Whether expat accepts the document (no handlers: the check runs in C)."""
    try:
        ParserCreate().Parse(document, True)
    except ExpatError:
        return False
    return True


class PlainReader:
    """The declared tree (from the walker) as the lookup tables the vectorised checks use."""

    def __init__(self, walker: ChildWalker) -> None:
        self.walker = walker
        groups = walker.groups
        levels: dict[str, int] = {CHILD: 1}
        pending = list(groups.values())
        while pending:  # levels: a group one below its parent (Child's groups at 2)
            spec = pending.pop(0)
            if (spec.parent or CHILD) not in levels:
                pending.append(spec)
                continue
            levels[spec.tag] = levels[spec.parent or CHILD] + 1
        leaves = sorted(
            {leaf for spec in groups.values() for leaf in (*walker.positions[spec.tag], spec.leaf_list) if leaf}
        )
        self.names = {name: number for number, name in enumerate([*levels, *leaves], start=1)}  # 0: not declared
        self.levels = {self.names[tag]: level for tag, level in levels.items()}  # group code -> its level
        self.deepest = max(levels.values()) + 1
        self.group_pairs: list[int] = []  # parent's code and a group's, as one number (`_pair`)
        self.leaf_pairs: dict[int, int] = {}  # a group's code and a leaf's -> the leaf's place in declared order
        self.list_pairs: dict[int, str] = {}  # a leaf-list group's code and its leaf's -> the group
        for spec in groups.values():
            self.group_pairs.append(self.pair(spec.parent or CHILD, spec.tag))
            if spec.leaf_list:
                self.list_pairs[self.pair(spec.tag, spec.leaf_list)] = spec.tag
            for leaf, place in walker.positions[spec.tag].items():
                self.leaf_pairs[self.pair(spec.tag, leaf)] = place
        self.ids = [spec.id_column for spec in groups.values() if spec.id_column]
        self.codes = {
            spec.table: {c.name for c in CIN.table(spec.table).columns if c.type is ColumnType.CODE}
            for spec in groups.values()
        }

    def pair(self, parent: str, tag: str) -> int:
        return self.names[parent] * PAIR + self.names[tag]

    def read(self, document: bytes, start: int, stop: int, first_line: int, source: str) -> PlainRead | None:
        """The rows of the children in `document[start:stop]` (whole <Child> elements; the first on file line
        `first_line`), or None when that part is not plain."""
        region = document[start:stop]
        if not region.isascii() or b"&#" in region or region.count(b"\r") != region.count(b"\r\n"):
            return None
        lines = self._lines(region.decode("ascii"), first_line)
        if lines is None:
            return None
        opens, leaves = lines
        frames = self._tables(opens, leaves.with_columns(_value=self._tidy(pl.col("_value"), b"&" in region)), source)
        return PlainRead(frames, self._missing(frames))

    def _lines(self, text: str, first_line: int) -> tuple[pl.DataFrame, pl.DataFrame] | None:
        """The element lines (blank lines dropped), as the start tags of groups (with their level, ordinal ids and
        child) and the leaves (with the group they are in); None when some line is not plain."""
        frame = (
            pl.Series("_text", [text])
            .str.split("\n")
            .explode(empty_as_null=False)
            .to_frame()
            .with_row_index("_n")
            .with_columns(pl.col("_text").str.strip_chars(" \t\r"))
            .filter(pl.col("_text") != "")
        )
        if not frame.select(pl.col("_text").str.contains(LINE).all()).item():
            return None
        start, rest = pl.col("field_0"), pl.col("field_1")
        frame = frame.with_columns(pl.col("_text").str.split_exact(">", 1).alias("_parts")).unnest("_parts")
        frame = frame.select(
            pl.col("_n").cast(pl.Int64) + first_line,
            start.str.strip_chars_start("</").str.strip_chars_end("/").alias("_tag"),
            pl.when(rest != "").then(rest.str.split_exact("<", 1).struct.field("field_0")).alias("_value"),
            start.str.starts_with("</").alias("_close"),
            start.str.ends_with("/").alias("_empty"),
        )
        tag, code, close, empty, value = (pl.col(c) for c in ("_tag", "_code", "_close", "_empty", "_value"))
        is_open = ~close & ~empty & value.is_null()
        frame = frame.with_columns(
            _code=tag.replace_strict(self.names, default=0, return_dtype=pl.Int64),
            _open=is_open,
            _leaf=~close & (empty | value.is_not_null()),
            _depth=pl.when(is_open).then(1).when(close).then(-1).otherwise(0).cum_sum(),
        )
        opened, leaf, depth, level = pl.col("_open"), pl.col("_leaf"), pl.col("_depth"), pl.col("_level")
        is_group = code.is_in(list(self.levels))
        group_open = opened & (code != self.names[CHILD])
        frame = frame.with_columns(
            _level=pl.when(opened).then(depth).otherwise(depth + 1),
            _current=pl.when(group_open).then(code).forward_fill(),  # the group opened last (the walk's)
            _current_level=pl.when(group_open).then(depth).forward_fill(),
            _instance=pl.when(group_open).then(pl.col("_n")).forward_fill(),
            _child=(opened & (code == self.names[CHILD])).cum_sum(),
        )
        pair = pl.col("_current") * PAIR + code
        checks = frame.select(
            ((depth.min() >= 0) & (depth.last() == 0)).alias("balanced"),
            ((leaf | is_group) & (~leaf | ~is_group)).all().alias("groups"),  # groups open and close, leaves not
            (~leaf | (pl.col("_current_level") == level - 1) & pair.is_in([*self.leaf_pairs, *self.list_pairs]))
            .fill_null(False)
            .all()
            .alias("owners"),  # a leaf is in the group opened last, which declares it
        ).row(0)
        if not all(checks):
            return None
        opens = self._opens(frame.filter(opened).select("_n", "_code", "_level", "_child"))
        if opens is None:
            return None
        leaves = frame.filter(leaf).select("_n", "_tag", "_value", "_instance", "_child", _pair=pair)
        places = leaves.select(
            pl.col("_instance"),
            pl.col("_pair").replace_strict(self.leaf_pairs, default=-1, return_dtype=pl.Int64).alias("_place"),
        )
        place, repeated = pl.col("_place"), pl.col("_instance") == pl.col("_instance").shift(1)
        if places.select((repeated & (place >= 0) & (place <= place.shift(1))).any()).item():
            return None  # a leaf out of its declared order, or given twice: the walk says so
        return opens, leaves

    def _opens(self, opens: pl.DataFrame) -> pl.DataFrame | None:
        """The start tags with their ordinal ids (CINdetailsID, ...); None when a group is not at its declared
        level under its declared parent."""
        code, level = pl.col("_code"), pl.col("_level")
        above = [pl.when(level == k).then(code).forward_fill().alias(f"_at{k}") for k in range(1, self.deepest - 1)]
        parent = pl.coalesce([pl.when(level == k + 1).then(pl.col(f"_at{k}")) for k in range(1, self.deepest - 1)])
        checks = (
            opens.with_columns(above)
            .select(
                (level == code.replace_strict(self.levels, default=-1)).all().alias("levels"),
                ((level == 1) | (parent * PAIR + code).is_in(self.group_pairs)).fill_null(False).all().alias("parents"),
            )
            .row(0)
        )
        if not all(checks):
            return None
        ids = []
        for spec in self.walker.groups.values():
            if spec.id_column:
                count = (code == self.names[spec.tag]).cum_sum()
                base = pl.when(code == self.names[spec.parent or CHILD]).then(count).forward_fill()
                ids.append((count - base).cast(pl.Int64).alias(spec.id_column))
        return opens.with_columns(ids)

    @staticmethod
    def _tidy(value: pl.Expr, entities: bool) -> pl.Expr:
        """A leaf's text as the walk leaves it: entities decoded, trimmed, empty as null (codes upper-cased later)."""
        for entity, character in ENTITIES if entities else ():
            value = value.str.replace_all(entity, character, literal=True)
        value = value.str.strip_chars(TRIM)
        return pl.when(value != "").then(value)

    def _tables(self, opens: pl.DataFrame, leaves: pl.DataFrame, source: str) -> dict[str, pl.DataFrame]:
        """A frame per table: a row where each group opens (its leaves' values beside it), or per leaf-list entry."""
        walker, pair = self.walker, pl.col("_pair")
        child_ids = leaves.filter(pair == self.pair("ChildIdentifiers", walker.child_key))
        child_ids = child_ids.select("_child", pl.col("_value").alias("_child_id")).drop_nulls()
        child_ids = child_ids.unique("_child", keep="first", maintain_order=True)
        values = leaves.filter(pair.is_in(list(self.leaf_pairs)))
        rows = opens.join(child_ids, on="_child", how="left", maintain_order="left")
        if values.height:
            wide = values.pivot(on="_tag", index="_instance", values="_value")
            rows = rows.join(wide, left_on="_n", right_on="_instance", how="left", maintain_order="left")
        entries = leaves.filter(pair.is_in(list(self.list_pairs))).drop("_child")
        if entries.height:
            keys = rows.select(pl.col("_n").alias("_instance"), "_child_id", *self.ids)
            entries = entries.join(keys, on="_instance", how="left", maintain_order="left")
        by_group = rows.partition_by("_code", as_dict=True)
        by_list = entries.partition_by("_pair", as_dict=True) if entries.height else {}
        out: dict[str, pl.DataFrame] = {}
        for spec in walker.groups.values():
            if spec.leaf_list:
                chosen = by_list.get((self.pair(spec.tag, spec.leaf_list),))
                if chosen is not None:
                    chosen = chosen.with_columns(pl.col("_value").alias(spec.leaf_list))
            else:
                chosen = by_group.get((self.names[spec.tag],))
            if chosen is not None and chosen.height:
                out[spec.table] = self._frame(spec.table, chosen, source)
        return out

    def _frame(self, table: str, rows: pl.DataFrame, source: str) -> pl.DataFrame:
        """The rows in the walk's columns and types: text, ordinal ids and the XML line as integers."""
        walker, codes = self.walker, self.codes[table]
        exprs: list[pl.Expr] = []
        for name in walker.columns[table]:
            if name == SOURCE_ROW:
                exprs.append(pl.col("_n").alias(SOURCE_ROW))
            elif name == walker.child_key:
                exprs.append(pl.col("_child_id").alias(name))
            elif name.endswith("ID"):  # an ordinal id (the walk's counters)
                exprs.append(pl.col(name) if name in rows.columns else pl.lit(None, pl.Int64).alias(name))
            elif name in rows.columns:
                text = pl.col(name).cast(pl.String)
                exprs.append(text.str.to_uppercase() if name in codes else text)
            else:
                exprs.append(pl.lit(None, pl.String).alias(name))
        exprs.append(pl.lit(source, pl.String).alias(SOURCE_FILE))
        return rows.select(exprs)

    def _missing(self, frames: dict[str, pl.DataFrame]) -> dict[tuple[str, str], tuple[int, int]]:
        """The walk's "missing-element" notes: per group in document order, its required leaves in declared order."""
        found: list[pl.DataFrame] = []
        for spec in self.walker.groups.values():
            frame = frames.get(spec.table)
            if frame is None or spec.leaf_list:
                continue
            for number, (name, column) in enumerate(spec.required):
                gone = pl.lit(True) if column < 0 else pl.col(name).is_null()
                found.append(
                    frame.filter(gone).select(
                        pl.col(SOURCE_ROW).alias("_line"),
                        pl.lit(number).alias("_order"),
                        pl.lit(f"<{spec.tag}> has no <{name}>").alias("_detail"),
                    )
                )
        notes = pl.concat(found) if found else pl.DataFrame()
        if not notes.height:
            return {}
        notes = (
            notes.sort("_line", "_order")
            .group_by("_detail", maintain_order=True)
            .agg(pl.col("_line").first(), pl.len())
        )
        return {("missing-element", d): (line, count) for d, line, count in notes.iter_rows()}


def tail_pattern(suffix: bytes) -> re.Pattern[bytes]:
    """The end of the census after its last <Child>: the end tags of `suffix` with only white space around."""
    ends = re.findall(rb"</[^>]+>", suffix)
    return re.compile(rb"\s*" + rb"\s*".join(re.escape(end) for end in ends) + rb"\s*\Z")
