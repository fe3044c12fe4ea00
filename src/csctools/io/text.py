"""Turning file bytes into text: encodings found in the wild, delimiter sniffing, and splitting rows as a
spreadsheet does (on CR and LF only)."""

from __future__ import annotations

import codecs
import io

DELIMITERS = (",", ";", "\t", "|")


class TextProblem(ValueError):
    """The bytes cannot be turned into text; the message says why, in words an analyst understands."""


def decode(data: bytes, strict: bool = True) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 (with BOM) or Windows-1252. Returns (text, encoding).

    A UTF-16 file that stops in the middle of a character (truncated) raises TextProblem, unless `strict` is False
    (detection, which only looks at the start)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            if not strict:
                return data.decode("utf-16", errors="replace"), "utf-16"
            raise TextProblem(
                f"the file is UTF-16 text but byte {error.start:,} of {len(data):,} is not: the file looks "
                "truncated or damaged; save it again from Excel"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "windows-1252"


def first_line(text: str) -> str:
    """The first line, ended by LF, CR LF or a lone CR (as a spreadsheet ends rows)."""
    end = text.find("\n")
    line = text if end < 0 else text[:end]
    carriage = line.find("\r")
    return line if carriage < 0 else line[:carriage]


def physical_lines(text: str) -> list[str]:
    """The lines of a text with their endings, split on CR LF, LF or CR only: vertical tab, form feed, \\x1c-\\x1e,
    U+0085 and U+2028/2029 stay inside their cell, as Excel keeps them (unlike str.splitlines)."""
    return io.StringIO(text, newline="").readlines()


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most fields (comma wins ties)."""
    return max(DELIMITERS, key=lambda d: (header_line.count(d), d == ","))
