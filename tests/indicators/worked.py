"""The check every hand-worked indicator example makes."""

from __future__ import annotations

import pytest

from csctools.indicators.compute import Result


def assert_worked(result: Result, expected: tuple[int, int, float]) -> None:
    """Computed, with the numerator, denominator and value worked out by hand."""
    assert result.status == "computed"
    numerator, denominator, value = expected
    assert (result.numerator, result.denominator) == (numerator, denominator)
    assert result.value == pytest.approx(value)
