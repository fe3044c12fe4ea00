"""CIN census: the annual census of children in need (XML)."""

from csctools.datasets.cin.schema import CIN, CIN_TREE

__all__ = ["CIN", "CIN_TREE"]
