"""Turning file bytes into text: encodings found in the wild and delimiter sniffing."""

from __future__ import annotations

import codecs

DELIMITERS = (",", ";", "\t", "|")


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 (with BOM) or Windows-1252. Returns (text, encoding)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "windows-1252"


def first_line(text: str) -> str:
    end = text.find("\n")
    return (text if end < 0 else text[:end]).rstrip("\r")


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most fields (comma wins ties)."""
    return max(DELIMITERS, key=lambda d: (header_line.count(d), d == ","))
