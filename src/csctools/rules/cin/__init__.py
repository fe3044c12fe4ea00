"""CIN census rule pack: importing it registers every implemented rule."""

from csctools.rules.cin import activity, children, episodes  # noqa: F401
