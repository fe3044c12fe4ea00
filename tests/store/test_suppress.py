"""Small-number suppression: hand-worked groups, and a brute-force check that no hidden cell can be worked out."""

from __future__ import annotations

import itertools

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from csctools.store.suppress import PRIMARY, SECONDARY, TOTAL, suppress


def published(values: list[int]) -> list[int | None]:
    cells = [f"c{n}" for n in range(len(values))]
    frame = pl.DataFrame({"g": [1] * (len(values) + 1), "category": [*cells, TOTAL], "value": [*values, sum(values)]})
    return suppress(frame, ["g"])["value"].to_list()


def test_hand_worked_groups() -> None:
    # one small cell: the smallest other non-zero cell is hidden too, so total - shown leaves two unknowns
    assert published([10, 3, 7, 0]) == [10, None, None, 0, 20]
    # two small cells hide each other
    assert published([3, 2, 50]) == [None, None, 50, 55]
    # zeros stay shown; the other non-zero cell is hidden (3 + 8 = 11 could be 0 + 11, 1 + 10, ...)
    assert published([0, 3, 0, 8]) == [0, None, 0, None, 11]
    # the only non-zero cell is small, so the total is too: both hidden
    assert published([0, 3, 0]) == [0, None, 0, None]
    # a total of 1 to 4 is hidden with every non-zero cell
    assert published([2, 0, 1]) == [None, 0, None, None]
    # nothing small: everything shown
    assert published([5, 0, 9]) == [5, 0, 9, 14]


def test_status_says_why() -> None:
    frame = pl.DataFrame({"g": [1] * 4, "category": ["a", "b", "c", TOTAL], "value": [10, 3, 7, 20]})
    assert suppress(frame, ["g"])["status"].to_list() == ["", PRIMARY, SECONDARY, ""]


def feasible(shown: list[int | None], total: int | None) -> list[tuple[int, ...]]:
    """Every way to fill the hidden cells with counts (0 and up) that agrees with what is published."""
    hidden = [i for i, v in enumerate(shown) if v is None]
    if total is None:  # the total is hidden too: any count in 1-4 for a hidden cell fits (no equation)
        return list(itertools.product(range(1, 5), repeat=len(hidden)))
    rest = total - sum(v for v in shown if v is not None)
    return [c for c in itertools.product(range(rest + 1), repeat=len(hidden)) if sum(c) == rest]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=5))
def test_no_hidden_cell_can_be_worked_out(values: list[int]) -> None:
    out = published(values)
    cells, total = out[:-1], out[-1]
    assert all(v is None or not 1 <= v <= 4 for v in out)  # nothing small is shown
    options = feasible(cells, total)
    assert tuple(v for v, o in zip(values, cells, strict=True) if o is None) in options or not options
    for position in range(len(options[0]) if options else 0):
        assert len({option[position] for option in options}) >= 2, (values, out)
