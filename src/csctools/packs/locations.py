"""Where packs and settings live on the user's machine (no imports beyond the standard library)."""

from __future__ import annotations

import os
from pathlib import Path


def config_folder() -> Path:
    """$XDG_CONFIG_HOME/csctools (~/.config/csctools): the authority's settings files."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "csctools"


def default_settings(la_number: str | None) -> Path:
    """The authority's settings file in the user's config folder (settings.yaml when no authority is given)."""
    return config_folder() / (f"settings-{la_number}.yaml" if la_number else "settings.yaml")


def data_folder() -> Path:
    """Where `csc packs install` puts packs: $XDG_DATA_HOME/csctools/packs (~/.local/share/csctools/packs)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "csctools" / "packs"


def installed() -> list[Path]:
    folder = data_folder()
    return sorted(folder.glob("*.zip")) if folder.is_dir() else []
