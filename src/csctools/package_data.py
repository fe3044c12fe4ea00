"""Data files shipped inside the package, read from disk beside the code.

csctools is installed as files (never zipped), so a path is enough; `importlib.resources` would also import
tempfile, zipfile, shutil and the compression modules on every start.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).parent


def read_text(*parts: str) -> str:
    """The text of a packaged file, e.g. read_text("reference", "data", "authorities.csv")."""
    return PACKAGE_DIR.joinpath(*parts).read_text(encoding="utf-8")
