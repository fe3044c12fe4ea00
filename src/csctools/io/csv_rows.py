"""Splitting CSV text into records as a spreadsheet would, where one bad quote costs at most its own row.

Rows end at CR LF, LF or CR only. A quoted cell may run over several lines (Excel writes a cell holding a line
break that way), but only when its quote closes, the record it makes has the header's width and it spans at most
`MAX_SPAN` lines;
otherwise the quote is taken as a stray one: the line it is on is rejected with its row number and reading goes on
with the next line. A cell longer than the csv module's limit rejects its row in the same way.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import NamedTuple

from csctools.io.text import physical_lines

MAX_SPAN = 50  # lines one quoted cell may run over before its quote is taken as a stray one
UNCLOSED = 'a quote (") opened on this row is not closed on it'


class Record(NamedTuple):
    row: int  # spreadsheet row (the first record, the header, is row 1)
    fields: list[str] | None  # None: rejected
    reason: str = ""


class _Lines:
    """The lines from `start` on, for csv.reader, stopping a record that runs over more than MAX_SPAN lines."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines, self.next, self.record_start = lines, start, start

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.next >= len(self.lines) or self.next - self.record_start >= MAX_SPAN:
            raise StopIteration
        self.next += 1
        return self.lines[self.next - 1]


def fits(fields: list[str], width: int) -> bool:
    """As wide as the header, or wider only by empty trailing fields."""
    return len(fields) == width or (len(fields) > width and not any(f.strip() for f in fields[width:]))


def closed(lines: list[str]) -> bool:
    """Whether lines make one record whose quotes all close (a cell with line breaks, not a stray quote)."""
    try:
        return len(list(csv.reader(lines, strict=True))) == 1
    except csv.Error:
        return False


def csv_records(text: str, width: int | None = None) -> Iterator[Record]:
    """Every record of a CSV text, in order, each with its spreadsheet row; `width` is the header's (None: take it
    from the first record)."""
    lines = physical_lines(text)
    position, row = 0, 1
    while position < len(lines):
        feed = _Lines(lines, position)
        reader = csv.reader(feed)
        while True:
            start = feed.record_start = feed.next
            try:
                fields = next(reader)
            except StopIteration:
                position = len(lines)
                break
            except csv.Error as error:
                reason = "a cell is longer than 131,072 characters" if "limit" in str(error) else UNCLOSED
                yield Record(row, None, reason)
                row, position = row + 1, start + 1
                break
            if width is None:
                width = len(fields)
            if feed.next - start > 1 and not (fits(fields, width) and closed(lines[start : feed.next])):
                yield Record(row, None, UNCLOSED)  # a stray quote ran into later lines: only its own is lost
                row, position = row + 1, start + 1
                break
            yield Record(row, fields)
            row += 1
