"""The error of a pack file, apart from the pack reader (packs/files.py, which loads YAML), so a validation
without packs can catch it (an --only naming nothing) without loading either."""

from __future__ import annotations


class PackError(Exception):
    """A problem with a pack file, with where it is: 'pack.yaml line 3: unknown key "nmae"'."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.file, self.line, self.message = file, line, message
        where = f"{file} line {line}" if line else file
        super().__init__(f"{where}: {message}")
