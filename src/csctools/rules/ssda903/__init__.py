"""SSDA903 rule pack: importing it registers every implemented rule."""

from csctools.rules.ssda903 import (  # noqa: F401
    adoption,
    episodes,
    header,
    oc2,
    oc3,
    reviews,
)
from csctools.rules.ssda903 import integrity, missing, prevperm, uasc  # noqa: F401
