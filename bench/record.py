"""Shared by the benchmarks: print a result table and append it to bench/RESULTS.md when asked."""

from __future__ import annotations

from pathlib import Path


def publish(lines: list[str], record: Path | None) -> None:
    text = "\n".join(lines) + "\n"
    print(text)
    if record:
        with record.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)
