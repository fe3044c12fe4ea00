"""SSDA903 rule pack: importing it registers every implemented rule."""

from csctools.rules.ssda903 import (  # noqa: F401  # noqa: F401  # noqa: F401  # noqa: F401
    adoption,
    dolo,
    episodes,
    header,
    integrity,
    missing,
    mothers,
    oc2,
    oc3,
    placements,
    previous_year,
    prevperm,
    reviews,
    social_workers,
    uasc,
)
