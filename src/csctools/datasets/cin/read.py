"""Reading the CIN census XML, streaming one <Child> at a time into linked tables keyed by child."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

import polars as pl
from lxml import etree

from csctools.datasets.cin.schema import CIN, CIN_TREE, HEADER_NODE, REQUIRED_ELEMENTS
from csctools.datasets.cin.segments import Layout, Piece, Source, cuts, layout, pieces
from csctools.datasets.cin.walk import ChildWalker
from csctools.io.gc_pause import collector_paused
from csctools.io.result import FileReport, Problem, ReadError, RejectedRow, ReturnData, Severity, TableRead
from csctools.io.typing import UNKNOWN_TIDY, Tidy, type_frames, unparsed_counts
from csctools.io.xml import WHOLE_FILE_BYTES, line_of, syntax_message
from csctools.model import SOURCE_FILE, SOURCE_ROW
from csctools.years import CollectionYear, year_hint_from_name

if TYPE_CHECKING:
    from csctools.indicators.worker import Worker

CHILD_NODE = CIN_TREE.children[1].children[0]


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


class _Collector:
    """Accumulates rows per table, with the XML line of each row, and the elements it did not know."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.rows: dict[str, list[list[object]]] = {t.name: [] for t in CIN.tables}  # in each table's column order
        self.unknown: dict[str, tuple[int, int]] = {}
        self.structure: dict[tuple[str, str], tuple[int, int]] = {}
        self.child_walker = ChildWalker(CHILD_NODE)
        self.rejected: dict[str, list[RejectedRow]] = {}
        self.chunks: dict[str, list[pl.DataFrame]] = {}  # rows already turned into frames, in file order
        self.pending = 0  # rows of the children read since the last chunk

    def note_structure(self, kind: str, detail: str, line: int) -> None:
        first, count = self.structure.get((kind, detail), (line, 0))
        self.structure[(kind, detail)] = (first, count + 1)

    def nested(self, element: etree._Element) -> None:
        detail = "a <Child> is inside another <Child>; it was read as a child of its own"
        self.note_structure("misplaced-element", detail, line_of(element))

    def stray(self, element: etree._Element) -> None:
        """An element outside any <Child>: rows of the census groups in it are rejected with their line."""
        tables = {spec.tag: spec.table for spec in self.child_walker.groups.values() if spec.table}
        for part in element.iter():
            if not isinstance(part.tag, str):
                continue
            table = tables.get(_local(part.tag))
            if table is not None:
                reason = f"<{_local(part.tag)}> is outside any <Child> and was not read"
                self.rejected.setdefault(table, []).append(RejectedRow(line_of(part), reason))
            elif part is element:
                detail = f"<{_local(part.tag)}> is outside any <Child> and was ignored"
                self.note_structure("misplaced-element", detail, line_of(part))

    def note_unknown(self, tag: str, line: int) -> None:
        first, count = self.unknown.get(tag, (line, 0))
        self.unknown[tag] = (first, count + 1)

    def header(self, element: etree._Element) -> None:
        row: dict[str, object] = {SOURCE_ROW: line_of(element)}
        parts = {part.tag: part for part in HEADER_NODE.children}
        for part in element:
            spec = parts.get(_local(part.tag))
            if spec is None:
                self.note_unknown(_local(part.tag), line_of(part))
                continue
            for leaf in part:
                tag = _local(leaf.tag)
                if tag in spec.fields:
                    row[tag] = leaf.text
                else:
                    self.note_unknown(tag, line_of(leaf))
            for required in REQUIRED_ELEMENTS.get(spec.tag, ()):
                if row.get(required) is None:
                    self.note_structure("missing-element", f"<{spec.tag}> has no <{required}>", line_of(part))
        self.rows["Header"].append([row.get(name) for name in (*CIN.table("Header").column_names(), SOURCE_ROW)])

    def child(self, element: etree._Element, lines_before: int = 0) -> None:
        self.child_walker.walk(element, self.rows, self.note_unknown, self.note_structure, lines_before)
        self.pending += 1
        if self.pending >= CHUNK_CHILDREN:  # a child's rows are complete once it is walked: turn them into frames
            self.flush()

    def flush(self) -> None:
        """The rows gathered so far become frames (a few bytes a value instead of a Python string and list slot
        each): a large census never holds all its rows as Python objects at once."""
        for name, rows in self.rows.items():
            if rows:
                self.chunks.setdefault(name, []).append(self._frame(name, rows))
                rows.clear()
        self.pending = 0

    def _frame(self, name: str, rows: list[list[object]]) -> pl.DataFrame:
        names = self.child_walker.columns.get(name) or (*CIN.table(name).column_names(), SOURCE_ROW)
        columns: dict[str, pl.Series] = {}
        for column, values in zip(names, zip(*rows, strict=True), strict=True):
            ordinal = column.endswith("ID") and column != "LAchildID"  # ids counted as integers
            if column == SOURCE_ROW or ordinal:
                columns[column] = pl.Series(column, values, dtype=pl.Int64)
            else:
                columns[column] = pl.Series(column, values, dtype=pl.String)
        columns[SOURCE_FILE] = pl.Series(SOURCE_FILE, [self.source], dtype=pl.String).new_from_index(0, len(rows))
        return pl.DataFrame(columns)

    def spill(self, folder: str, prefix: str) -> dict[str, list[str]]:
        """Every chunk read so far written to `folder` as an Arrow IPC file of its own (one chunk each, so reading
        one back makes no copy to join chunks) and dropped here: the files of each table, in file order."""
        self.flush()
        files: dict[str, list[str]] = {}
        for number, (name, chunks) in enumerate(self.chunks.items()):
            for place, frame in enumerate(chunks):
                file = os.path.join(folder, f"{prefix}-{number}-{place}.arrow")
                frame.write_ipc(file, compression="uncompressed")
                files.setdefault(name, []).append(file)
        self.chunks.clear()
        return files

    def absorb(self, part: PartRead) -> None:
        """What another process read of the file's next part, after everything read here."""
        self.flush()
        for name, frame in part.frames.items():
            self.chunks.setdefault(name, []).append(frame)
        for name, files in part.spilled.items():  # read into memory (not mapped), each file removed once read:
            for file in files:  # where the temporary folder is in memory (tmpfs), the part is never held twice
                self.chunks.setdefault(name, []).append(pl.read_ipc(file, memory_map=False))
                os.remove(file)
        _add_counts(self.unknown, part.unknown)
        _add_counts(self.structure, part.structure)

    def frames(self) -> dict[str, pl.DataFrame]:
        """One frame of text per table (ordinal ids as integers), with the XML line of each row."""
        self.flush()
        out = {}
        for name in self.rows:
            chunks = self.chunks.pop(name, [])
            if chunks:
                out[name] = pl.concat(chunks, rechunk=False)  # no second copy: typing reads the chunks in turn
        return out


Key = TypeVar("Key")


def _add_counts(mine: dict[Key, tuple[int, int]], theirs: dict[Key, tuple[int, int]]) -> None:
    """(first line, count) notes of a later part: the first line kept, the counts added, new keys after."""
    for key, (line, count) in theirs.items():
        first, seen = mine.get(key, (line, 0))
        mine[key] = (first, seen + count)


def read_cin(
    path: Path, year: CollectionYear | None = None, data: bytes | None = None, workers: int | None = None
) -> ReturnData:
    """Read one CIN census XML file into typed tables.

    `workers`: processes reading a large census from its file, each a part (None: two for a census of
    `PARALLEL_BYTES` or more on a machine with two cores or more, unless this process is itself a
    worker of `multiprocessing`; 1: this process alone). The result is the same whatever the number."""
    name = str(path)
    report = FileReport(name, dataset="cin")
    collector = _read_in_pieces(path, data, workers)
    if collector is None:  # not the usual layout, or some piece is not: read as one document
        collector = _Collector(name)
        try:
            content: bytes | Path = data if data is not None else path
            if data is None and path.stat().st_size <= WHOLE_FILE_BYTES:
                content = path.read_bytes()
            with collector_paused():
                _parse(content, collector)
        except OSError as error:
            reason = error.strerror or str(error)
            report.problems.append(Problem(name, "unreadable-file", f"cannot read the file ({reason})"))
            return ReturnData("cin", year, {}, [report])
        except ReadError as error:
            report.problems.append(error.problem)
            return ReturnData("cin", year, {}, [report])
    for key, (line, count) in collector.unknown.items():
        report.problems.append(
            Problem(
                name,
                "unknown-element",
                f"element <{key}> is not part of the CIN census here and was ignored ({count} times)",
                Severity.WARNING,
                row=line,
            )
        )
    for (kind, detail), (line, count) in collector.structure.items():
        times = f" ({count} times; the first is shown)" if count > 1 else ""
        report.problems.append(Problem(name, kind, f"{detail}{times}", Severity.WARNING, row=line))
    with collector_paused():
        texts = collector.frames()
    tidy = Tidy(trimmed=True, upper_case=True)  # the walker trimmed the children's values (not the Header's)
    typed = type_frames(
        {
            table: (
                frame,
                CIN.table(table).columns,
                (SOURCE_FILE, SOURCE_ROW),
                UNKNOWN_TIDY if table == "Header" else tidy,
            )
            for table, frame in texts.items()
        }
    )
    del texts  # typed columns share the text's buffers where they pass it through: no copy is made
    for table, frame in typed.items():
        report.tables.append(TableRead(table, frame.height, frame.height, unparsed_values=unparsed_counts(frame)))
    if "ChildIdentifiers" not in typed:
        message = "the file holds no <Child> elements: there is nothing to validate"
        report.problems.append(Problem(name, "no-children", message))
    for table, rejected in collector.rejected.items():
        read = next((t for t in report.tables if t.name == table), None)
        if read is None:
            read = TableRead(table, 0, 0)
            report.tables.append(read)
        read.rows_in += len(rejected)
        read.rejected.extend(rejected)
    report.year, report.year_source = _decide_year(name, typed, year)
    return ReturnData("cin", report.year, typed, [report])


CHUNK_CHILDREN = 5_000  # children whose rows are turned into frames together (about 35,000 rows)
PARALLEL_BYTES = 48 << 20  # a census at least this large is read in two processes (measured: bench/RESULTS.md)
# At any size above it: the worker's part comes back as Arrow IPC files read once here (not pickled bytes and
# frames at once), so a 459 MiB census peaks at 433 MiB in this process, as in one (bench/RESULTS.md, session 11).


def default_workers(size: int) -> int:
    """Two processes for a large census on a machine with two cores or more, unless this is already a worker."""
    if size < PARALLEL_BYTES or (os.cpu_count() or 1) < 2:
        return 1
    import multiprocessing

    return 1 if multiprocessing.parent_process() is not None else 2


class PartRead(NamedTuple):
    """What a worker process read of its part of the file: text frames (or the Arrow IPC files in `spill` it
    wrote them to, by table), unknown elements, structure notes."""

    frames: dict[str, pl.DataFrame]
    unknown: dict[str, tuple[int, int]]
    structure: dict[tuple[str, str], tuple[int, int]]
    spilled: dict[str, list[str]]


def read_part(name: str, path: str, plan: Layout, start: int, end: int, spill: str | None = None) -> PartRead | None:
    """A worker's part of the census (bytes `start` to `end`); None when some piece is not the usual layout or
    cannot be read (the whole file is then read again the usual way, which reports it). With `spill` (a private
    folder), its frames are written there as Arrow IPC files rather than sent back pickled: the reading process
    then holds them once, not as pickled bytes and frames at the same time."""
    collector = _Collector(name)
    try:
        source = Source(path)
    except OSError:
        return None
    try:
        with collector_paused():
            if not _read_pieces(source, plan, start, end, collector):
                return None
            if spill is None:
                return PartRead(collector.frames(), collector.unknown, collector.structure, {})
            return PartRead({}, collector.unknown, collector.structure, collector.spill(spill, f"{start}"))
    except (OSError, etree.XMLSyntaxError):
        return None
    finally:
        source.close()


def _read_in_pieces(path: Path, data: bytes | None, workers: int | None) -> _Collector | None:
    """The census read piece by piece (segments.py), its parts in `workers` processes; None when its layout or
    some piece's is not the usual one, or a piece is not well-formed."""
    try:
        source = Source(data if data is not None else str(path))
    except OSError:
        return None
    spill: str | None = None
    others: list[Worker[PartRead | None]] = []
    try:
        plan = layout(source)
        if plan is None:
            return None
        count = 1 if data is not None else workers if workers is not None else default_workers(source.size)
        bounds = cuts(source, plan, count) if count > 1 else [0, source.size]
        if len(bounds) > 2:
            from csctools.indicators.worker import Worker

            spill = tempfile.mkdtemp(prefix="csc-cin-")  # private (0700); removed below
            others = [Worker(read_part, str(path), str(path), plan, a, b, spill) for a, b in pairwise(bounds[1:])]
        collector = _Collector(str(path))
        with collector_paused():
            try:
                regular = _read_pieces(source, plan, bounds[0], bounds[1], collector)
            except (OSError, etree.XMLSyntaxError):
                regular = False
            parts = [other.result() for other in others]  # every worker waited for, whatever happened here
            if not regular:
                return None
            for part in parts:
                if part is None:
                    return None
                try:
                    collector.absorb(part)
                except pl.exceptions.PolarsError:  # a spilled file damaged: the whole file is read again here
                    return None
        return collector
    except OSError:
        return None
    finally:
        source.close()
        for other in others:  # a worker still running (this part failed unexpectedly) is stopped first
            other.stop()
        if spill is not None:
            shutil.rmtree(spill, ignore_errors=True)


def _read_pieces(source: Source, plan: Layout, start: int, end: int, collector: _Collector) -> bool:
    return all(_take_piece(piece, collector) for piece in pieces(source, plan, start, end))


def _take_piece(piece: Piece, collector: _Collector) -> bool:
    """Read a piece's <Child> elements (and the census <Header>, in the first piece); False, reading nothing, when
    the piece holds anything else under <Message> or <Children>, or a <Child> inside another element."""
    root = etree.fromstring(piece.document)
    places = [e for e in root if isinstance(e.tag, str)]
    if _local(root.tag) != "Message" or not places or _local(places[-1].tag) != "Children":
        return False
    headers = places[:-1]
    if headers and (not piece.first or any(_local(h.tag) != "Header" for h in headers)):
        return False
    children = [e for e in places[-1] if isinstance(e.tag, str)]
    if any(_local(c.tag) != "Child" for c in children) or sum(1 for _ in root.iter("{*}Child")) != len(children):
        return False
    for header in headers:
        collector.header(header)
    for child in children:
        collector.child(child, piece.lines_before)
    return True


def _parse(content: bytes | Path, collector: _Collector) -> None:
    """Parse the census from its bytes, or streamed from its file (a large census is never held whole)."""
    try:
        if isinstance(content, bytes) and len(content) <= WHOLE_FILE_BYTES:
            root = etree.fromstring(content)
            found = list(root.iter("{*}Child", "{*}Header"))
            for element in found:
                parent = element.getparent()
                if parent is not None and _local(element.tag) == "Child" and _inside_child(element):
                    collector.nested(element)
                    parent.remove(element)  # read on its own below, not as part of the one around it
            for element in found:
                _take(element, collector)
            _strays(root, collector)
            return
        source = io.BytesIO(content) if isinstance(content, bytes) else str(content)
        events = etree.iterparse(source, events=("end",), tag=("{*}Child", "{*}Header"))
        for _, element in events:
            if _take(element, collector):
                element.clear(keep_tail=False)
                if _local(element.tag) == "Child" and _inside_child(element):
                    collector.nested(element)
                    continue  # what comes before it belongs to the <Child> around it
                parent = element.getparent()
                while element.getprevious() is not None:
                    earlier = parent[0]
                    if isinstance(earlier.tag, str) and _local(earlier.tag) not in PLACES:
                        collector.stray(earlier)
                    del parent[0]
        if events.root is not None:
            _strays(events.root, collector)
    except OSError as error:  # the file went away or could not be read part way (streamed from disk)
        reason = error.strerror or str(error)
        raise ReadError(Problem(collector.source, "unreadable-file", f"cannot read the file ({reason})")) from None
    except etree.XMLSyntaxError as error:
        raise ReadError(
            Problem(
                collector.source,
                "malformed-xml",
                f"the XML is not well-formed: {syntax_message(error.msg)}",
                row=error.lineno or None,
            )
        ) from None


PLACES = ("Header", "Children", "Child")  # what <Message> and <Children> hold


def _inside_child(element: etree._Element) -> bool:
    return any(_local(a.tag) == "Child" for a in element.iterancestors())


def _strays(root: etree._Element, collector: _Collector) -> None:
    """Elements under <Message> or <Children> that are none of the places the census has: reported."""
    if _local(root.tag) != "Message":
        return
    for part in root:
        if not isinstance(part.tag, str) or _local(part.tag) in ("Header", "Child"):
            continue
        if _local(part.tag) != "Children":
            collector.stray(part)
            continue
        for entry in part:
            if isinstance(entry.tag, str) and _local(entry.tag) != "Child":
                collector.stray(entry)


def _take(element: etree._Element, collector: _Collector) -> bool:
    """Read a <Child>, or the census <Header> (the one under <Message>); False for any other element."""
    tag = _local(element.tag)
    parent = element.getparent()
    if tag == "Header" and parent is not None and _local(parent.tag) == "Message":
        collector.header(element)
    elif tag == "Child":
        collector.child(element)
    else:
        return False
    return True


def header_year(header: pl.DataFrame | None) -> CollectionYear | None:
    """The year a census header names: its reference date's collection year, else its Year; None without either."""
    if header is None or not header.height:
        return None
    if header["ReferenceDate"][0] is not None:
        return CollectionYear.containing(header["ReferenceDate"][0])
    if header["Year"][0] is not None:
        return CollectionYear(int(header["Year"][0]))
    return None


def _decide_year(
    name: str, typed: dict[str, pl.DataFrame], given: CollectionYear | None
) -> tuple[CollectionYear | None, str]:
    if given is not None:
        return given, "given"
    named = header_year(typed.get("Header"))
    if named is not None:
        return named, "content"
    hint = year_hint_from_name(Path(name).name)
    return hint, "file name" if hint else ""
