"""SSDA903: the annual return on children looked after."""

from csctools.datasets.ssda903.schema import SSDA903

__all__ = ["SSDA903"]
