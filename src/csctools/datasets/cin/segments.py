"""A CIN census cut into pieces at its top-level <Child> elements, each piece parsed as a small document of its own.

Why: libxml2 keeps an element's line exactly only below line 65,535 (past it lxml's `sourceline` is the line of
the element's first text, one or more lines late), and one process walks a national census on one core. A piece
of under 60,000 lines parsed on its own gives exact lines (its line plus the lines before it), and the pieces of
the second half of a file can be read in another process.

A piece is the bytes from one `<Child` to the next cut, wrapped in the census's own start tags (`<Message>` with
its namespace declarations, `<Children>`) and end tags. The first piece keeps the file's own beginning, the last
its own end. Where a cut is not between two children of `<Children>` (inside a comment, a nested <Child>, ...),
some piece is not well-formed: the reader then reads the whole file the usual way, which reports what it finds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

from lxml import etree

PIECE_BYTES = 1 << 20  # about 1,000 children
LINE_LIMIT = 60_000  # lines of a piece (libxml2 counts lines exactly below 65,535)
SMALLEST_PIECE = 4096  # a piece is cut smaller while it has too many lines, down to this
HEAD_BYTES = 1 << 20  # the first <Child> is looked for in the file's first MiB
BLOCK = 1 << 16
_FIRST_CHILD = re.compile(rb"<((?:[A-Za-z_][\w.\-]*:)?Child)[\s/>]")
BOM = b"\xef\xbb\xbf"


class Source:
    """The census's bytes, in memory or read from its file by position."""

    def __init__(self, content: bytes | str) -> None:
        self.data, self.size = b"", 0
        self.handle: BinaryIO | None = None
        if isinstance(content, bytes):
            self.data, self.size = content, len(content)
        else:
            self.handle = open(content, "rb")  # noqa: SIM115 - closed by close()
            self.size = os.fstat(self.handle.fileno()).st_size

    def read(self, start: int, stop: int) -> bytes:
        if self.handle is None:
            return self.data[start:stop]
        self.handle.seek(start)
        data = self.handle.read(stop - start)
        if len(data) < stop - start:
            raise OSError(0, "the file became shorter while it was read")
        return data

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


class Layout(NamedTuple):
    """What every piece is wrapped in, and how to find the cuts."""

    prefix: bytes  # the XML declaration and the start tags around the children, on one line
    suffix: bytes  # the end tags
    cut: bytes  # a regular expression for a <Child start tag
    first: int  # where the first <Child starts


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def _quoted(value: str) -> str:
    """An attribute value in double quotes (xml.sax.saxutils would import urllib.request and http.client)."""
    return '"' + value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;") + '"'


def _qualified(element: etree._Element) -> str:
    return f"{element.prefix}:{_local(element.tag)}" if element.prefix else _local(element.tag)


def _start_tag(element: etree._Element, declared: dict[str | None, str]) -> str | None:
    """The element's start tag with the namespaces it adds; None when it cannot be written the same."""
    names = dict(element.nsmap)
    if any(names.get(key) != value for key, value in declared.items()):
        return None  # it undeclares one of its parent's namespaces
    added = "".join(
        f" xmlns{':' + key if key else ''}={_quoted(value)}"
        for key, value in names.items()
        if declared.get(key) != value
    )
    declared.update(names)
    return f"<{_qualified(element)}{added}>"


def layout(source: Source) -> Layout | None:
    """The wrapping of the census's pieces, from its beginning; None when the beginning is not the usual
    `<?xml?> <Message> <Header>...</Header> <Children> <Child>` (then the file is read the usual way)."""
    head = source.read(0, min(source.size, HEAD_BYTES))
    found = _FIRST_CHILD.search(head)
    if found is None:
        return None
    prolog = head[: found.start()]
    if b"<!" in prolog.replace(b"<!--", b""):  # a DOCTYPE (entities) or a CDATA section: read as one document
        return None
    parser = etree.XMLPullParser(events=("start", "end"))
    try:
        parser.feed(prolog)
        open_elements: list[etree._Element] = []
        for event, element in parser.read_events():
            if event == "start" and isinstance(element, etree._Element):
                open_elements.append(element)
            elif event == "end":
                open_elements.pop()
    except etree.XMLSyntaxError:
        return None
    if [_local(e.tag) for e in open_elements] != ["Message", "Children"]:
        return None
    declared: dict[str | None, str] = {}
    tags = [_start_tag(element, declared) for element in open_elements]
    starts = "".join(tag or "\0" for tag in tags)
    ends = "".join(f"</{_qualified(element)}>" for element in reversed(open_elements))
    if "\0" in starts or not (starts + ends).isascii():
        return None
    mark = BOM if head.startswith(BOM) else b""  # kept: a byte-order mark decides the encoding before the declaration
    body, declaration = head[len(mark) :], b""
    if body.startswith(b"<?xml"):
        close = body.find(b"?>")
        if close < 0:
            return None
        declaration = re.sub(rb"[\r\n\t]", b" ", body[: close + 2])
    cut = rb"<" + re.escape(found[1]) + rb"[\s/>]"
    return Layout(mark + declaration + starts.encode(), ends.encode(), cut, found.start())


def next_cut(source: Source, cut: re.Pattern[bytes], at: int, end: int) -> int:
    """Where the first <Child at or after `at` starts, or `end`."""
    while at < end:
        block = source.read(at, min(end, at + BLOCK + 256))  # overlapping: a tag across the edge is found whole
        found = cut.search(block)
        if found is not None:
            return min(at + found.start(), end)
        at += BLOCK
    return end


def lines_before(source: Source, at: int) -> int:
    """The line breaks libxml2 counts before byte `at` (line feeds: a lone carriage return is not one)."""
    count, start = 0, 0
    while start < at:
        stop = min(at, start + (16 << 20))
        count += source.read(start, stop).count(b"\n")
        start = stop
    return count


class Piece(NamedTuple):
    document: bytes
    lines_before: int  # add to a line of the document for the line in the file
    first: bool  # the piece with the file's beginning (and the census Header)


def pieces(source: Source, plan: Layout, start: int, end: int) -> Iterator[Piece]:
    """The pieces of the bytes `start` to `end` (both cuts, or the file's ends), in order."""
    cut = re.compile(plan.cut)
    offset = lines_before(source, start)
    size, at, tried = PIECE_BYTES, start, -1  # tried: where the last piece too long ended
    while at < end:
        stop = next_cut(source, cut, at + size, end) if at + size < end else end
        data = source.read(at, stop)
        lines = data.count(b"\n")
        if lines > LINE_LIMIT and stop != tried and stop - at > SMALLEST_PIECE:
            size, tried = (stop - at) // 2, stop  # short lines: half the piece, while a nearer cut is found
            continue
        document = (plan.prefix if at > 0 else b"") + data + (plan.suffix if stop < source.size else b"")
        yield Piece(document, offset, at == 0)
        offset, at, size, tried = offset + lines, stop, PIECE_BYTES, -1


def cuts(source: Source, plan: Layout, parts: int) -> list[int]:
    """Byte positions splitting the file into about `parts` parts of equal size, each starting at a <Child."""
    cut = re.compile(plan.cut)
    found = [0]
    for number in range(1, parts):
        at = next_cut(source, cut, max(found[-1] + 1, source.size * number // parts, plan.first + 1), source.size)
        if at < source.size:
            found.append(at)
    return [*found, source.size]
