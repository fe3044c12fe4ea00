"""SSDA903 rule pack: importing it registers every implemented rule."""

from csctools.rules.ssda903 import header  # noqa: F401
