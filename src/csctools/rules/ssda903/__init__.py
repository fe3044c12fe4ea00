"""SSDA903 rule pack: importing it registers every implemented rule."""

from csctools.rules.ssda903 import (
    episodes,  # noqa: F401
    header,  # noqa: F401
)
