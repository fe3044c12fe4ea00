"""Small helpers over lxml elements."""

from __future__ import annotations

from typing import Any


def line_of(element: Any) -> int:
    """The line an element starts on in its source (0 when unknown)."""
    return int(getattr(element, "sourceline", 0) or 0)


WHOLE_FILE_BYTES = 16 * 1024 * 1024  # smaller files are parsed in one go; larger ones streamed a child at a time
