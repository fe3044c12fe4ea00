"""Small helpers over lxml elements."""

from __future__ import annotations

import re
from typing import Any


def line_of(element: Any) -> int:
    """The line an element starts on in its source (0 when unknown)."""
    return int(getattr(element, "sourceline", 0) or 0)


WHOLE_FILE_BYTES = 16 * 1024 * 1024  # smaller files are parsed in one go; larger ones streamed a child at a time

_TRAILING_PLACE = re.compile(r",? line \d+, column (\d+)\s*$")


def syntax_message(message: str) -> str:
    """lxml's syntax error text without its trailing "line N, column M" (the problem names the line already),
    the column kept: "Opening and ending tag mismatch: A line 3 and B (column 28)"."""
    found = _TRAILING_PLACE.search(message)
    return f"{message[: found.start()]} (column {found[1]})" if found else message
