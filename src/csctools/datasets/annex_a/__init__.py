"""Ofsted ILACS Annex A: the eleven child-level lists an authority provides at inspection."""

from csctools.datasets.annex_a.schema import ANNEX_A, SHEET_PATTERNS

__all__ = ["ANNEX_A", "SHEET_PATTERNS"]
