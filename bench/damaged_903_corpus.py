"""A corpus of damaged and unusual SSDA903 CSV files, for comparing the readers before and after a change.

Usage: python bench/damaged_903_corpus.py SOURCE_FOLDER OUT_FOLDER [--files 40] [--seed 5]

SOURCE_FOLDER holds one year's 903 CSV tables (e.g. from `csc synth --format csv`). OUT_FOLDER gets one folder per
case, each holding one file read as a return of its own by `compare_read_outputs.py --read OUT/case-*` (give each
case folder as its own --read). The cases: the same damages the fuzz tests make (`csctools.synth.damage`: truncated,
bytes flipped, quotes, control characters and NULs inserted, headers duplicated or dropped, spans deleted), seeded;
and rewrites a person or another tool makes: LF or lone CR line ends, lower-case or spaced values, tabs, dates in
ISO or other formats, two-digit years, impossible dates, a BOM, Windows-1252 and UTF-16 text, blank and ragged rows.
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Callable
from pathlib import Path

from csctools.synth.damage import damage

DATE = re.compile(rb"\b(\d\d)/(\d\d)/(\d{4})\b")


def _iso(data: bytes) -> bytes:
    return DATE.sub(rb"\3-\2-\1", data)


def _some_iso(data: bytes) -> bytes:
    """Every third date as ISO: a column of mixed formats."""
    count = [0]

    def swap(match: re.Match[bytes]) -> bytes:
        count[0] += 1
        return match.expand(rb"\3-\2-\1") if count[0] % 3 == 0 else match.group(0)

    return DATE.sub(swap, data)


def _first_iso(data: bytes) -> bytes:
    """The first date ISO, the rest dd/mm/yyyy: the dominant format taken from the first value is the minority."""
    return DATE.sub(rb"\3-\2-\1", data, count=1)


def _dashed(data: bytes) -> bytes:
    return DATE.sub(rb"\1-\2-\3", data)


def _dotted(data: bytes) -> bytes:
    return DATE.sub(rb"\1.\2.\3", data)


def _year_first_slashes(data: bytes) -> bytes:
    return DATE.sub(rb"\3/\2/\1", data)


def _two_digit_years(data: bytes) -> bytes:
    return DATE.sub(lambda m: m.group(1) + b"/" + m.group(2) + b"/" + m.group(3)[2:], data, count=5)


def _with_times(data: bytes) -> bytes:
    return DATE.sub(rb"\1/\2/\3 00:00", data, count=7)


def _impossible(data: bytes) -> bytes:
    return DATE.sub(b"31/02/2024", data, count=3)


def _lf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


def _cr(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\r")


def _lower(data: bytes) -> bytes:
    header, _, body = data.partition(b"\n")
    return header + b"\n" + body.lower()


def _spaced(data: bytes) -> bytes:
    return data.replace(b",", b" , ", 40)


def _tabbed(data: bytes) -> bytes:
    return data.replace(b",", b",\t", 25)


def _blank_rows(data: bytes) -> bytes:
    lines = data.split(b"\r\n")
    width = lines[0].count(b",")
    return b"\r\n".join([*lines[:3], b"," * width, *lines[3:6], b"", *lines[6:]])


def _ragged(data: bytes) -> bytes:
    lines = data.split(b"\r\n")
    return b"\r\n".join([*lines[:2], lines[2] + b",extra", lines[3].rpartition(b",")[0], *lines[4:]])


def _bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def _utf16(data: bytes) -> bytes:
    return data.decode("utf-8").encode("utf-16")


def _cp1252(data: bytes) -> bytes:
    return data.replace(b",", "\u00e9,".encode("cp1252"), 5)


def _non_ascii(data: bytes) -> bytes:
    return data.replace(b",", "\u00a0,".encode(), 5)


REWRITES: dict[str, Callable[[bytes], bytes]] = {
    "iso-dates": _iso,
    "some-iso-dates": _some_iso,
    "first-date-iso": _first_iso,
    "dashed-dates": _dashed,
    "dotted-dates": _dotted,
    "year-first-slashes": _year_first_slashes,
    "two-digit-years": _two_digit_years,
    "dates-with-times": _with_times,
    "impossible-dates": _impossible,
    "lf": _lf,
    "lone-cr": _cr,
    "lower-case": _lower,
    "spaced": _spaced,
    "tabbed": _tabbed,
    "blank-rows": _blank_rows,
    "ragged": _ragged,
    "bom": _bom,
    "utf-16": _utf16,
    "windows-1252": _cp1252,
    "non-ascii-spaces": _non_ascii,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=40, help="randomly damaged files")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    sources = sorted(args.source.glob("*.csv"))
    if not sources:
        raise SystemExit(f"no CSV files in {args.source}")
    rng = random.Random(args.seed)
    cases: list[tuple[str, Path, bytes]] = []
    for path in sources:
        data = path.read_bytes()[:20000]  # a few hundred rows: the damage, not the size, is under test
        data = data[: data.rfind(b"\n") + 1]
        cases += [(f"{name}-{path.stem}", path, rewrite(data)) for name, rewrite in REWRITES.items()]
    for number in range(args.files):
        path = rng.choice(sources)
        damaged, _names = damage(path.read_bytes()[:8000], rng, rng.randint(1, 3))
        cases.append((f"damaged-{number:03d}-{path.stem}", path, damaged))
    for name, path, data in cases:
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / path.name).write_bytes(data)
    print(f"{len(cases)} cases in {args.out}")


if __name__ == "__main__":
    main()
