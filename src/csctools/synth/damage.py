"""Damaging valid files the way files get damaged, to check that readers never crash and never lose a row.

Each damage takes the file's bytes and a random generator and returns new bytes; `read_and_account` reads the
result as `csc` would and returns what broke the promises (an exception, or a table whose rows in are not rows read
plus rows rejected). Used by the property tests and by `make fuzz`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

CONTROL = ("\x00", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r", "\n", '"', "\ufeff")


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def flip_byte(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]


def insert_text(data: bytes, rng: random.Random) -> bytes:
    """A quote, a control character, a NUL or an odd line break somewhere."""
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(CONTROL).encode("utf-8") + data[at:]


def duplicate_header(data: bytes, rng: random.Random) -> bytes:
    """The header line given twice, or one of its fields repeated."""
    end = data.find(b"\n")
    header = data if end < 0 else data[: end + 1]
    if rng.random() < 0.5:
        return header + data
    fields = header.rstrip(b"\r\n").split(b",")
    fields.insert(rng.randrange(len(fields) + 1), rng.choice(fields))
    return b",".join(fields) + data[len(header.rstrip(b"\r\n")) :]


def drop_header_field(data: bytes, rng: random.Random) -> bytes:
    end = data.find(b"\n")
    header = (data if end < 0 else data[:end]).rstrip(b"\r")
    fields = header.split(b",")
    fields.pop(rng.randrange(len(fields)))
    return b",".join(fields) + data[len(header) :]


def delete_span(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + data[at + rng.randrange(1, 200) :]


DAMAGES: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": truncate,
    "flip a byte": flip_byte,
    "insert a quote or control character": insert_text,
    "duplicate the header": duplicate_header,
    "drop a header field": drop_header_field,
    "delete a span": delete_span,
}


def damage(data: bytes, rng: random.Random, times: int = 1) -> tuple[bytes, list[str]]:
    names = [rng.choice(list(DAMAGES)) for _ in range(times)]
    for name in names:
        data = DAMAGES[name](data, rng)
    return data, names


def read_and_account(path: Path) -> list[str]:
    """Read one file as `csc inspect` does; the broken promises (empty when all held)."""
    from csctools.read import read_files

    try:
        returns, others = read_files([path])
    except Exception as error:  # the promise under test: no reader raises
        return [f"raised {type(error).__name__}: {error}"]
    broken = []
    for report in [f for r in returns for f in r.files] + others:
        for table in report.tables:
            if table.rows_in != table.rows_read + len(table.rejected):
                broken.append(
                    f"{table.name}: {table.rows_in} in, {table.rows_read} read, {len(table.rejected)} rejected"
                )
    for data in returns:
        for report in data.files:
            for table in report.tables:
                frame = data.tables.get(table.name)
                if frame is not None and len(data.files) == 1 and "_source" in frame.columns:
                    mine = frame.filter(frame["_source"] == report.path).height
                    if mine != table.rows_read:
                        broken.append(f"{table.name}: {table.rows_read} read but {mine} in the table")
    return broken
