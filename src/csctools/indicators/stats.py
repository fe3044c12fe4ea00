"""Confidence intervals for small numbers: Wilson for proportions, exact (Garwood) Poisson for counts and rates.

Written from the formulas (no scipy): the Poisson limits are the roots of the regularised incomplete gamma
function, P(x, L) = alpha/2 and P(x + 1, U) = 1 - alpha/2, found by bisection on a bracket.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
ALPHA = 0.05


def wilson(successes: float, trials: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (0 to 1); (nan, nan) when there are no trials."""
    if trials <= 0:
        return math.nan, math.nan
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials)) / (1 + z2n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _lower_gamma_series(a: float, x: float) -> float:
    """P(a, x) by its power series (good for x < a + 1)."""
    term = total = 1.0 / a
    n = a
    for _ in range(100_000):
        n += 1
        term *= x / n
        total += term
        if abs(term) < abs(total) * 1e-15:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _upper_gamma_fraction(a: float, x: float) -> float:
    """Q(a, x) by its continued fraction, modified Lentz (good for x >= a + 1)."""
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 100_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return h * math.exp(-x + a * math.log(x) - math.lgamma(a))


def regularised_gamma(a: float, x: float) -> float:
    """P(a, x), the regularised lower incomplete gamma function (a > 0, x >= 0)."""
    if x <= 0:
        return 0.0
    if x < a + 1:
        return _lower_gamma_series(a, x)
    return 1.0 - _upper_gamma_fraction(a, x)


def _gamma_root(a: float, target: float) -> float:
    """The x with P(a, x) = target, by bisection (P rises with x)."""
    low, high = 0.0, a + 20 * math.sqrt(a) + 20
    while regularised_gamma(a, high) < target:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if regularised_gamma(a, middle) < target:
            low = middle
        else:
            high = middle
        if high - low <= 1e-10 * max(1.0, high):
            break
    return (low + high) / 2


def poisson_exact(count: float, alpha: float = ALPHA) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson mean given an observed count."""
    k = round(count)
    lower = 0.0 if k == 0 else _gamma_root(k, alpha / 2)
    upper = _gamma_root(k + 1, 1 - alpha / 2)
    return lower, upper


def significance(low: float | None, high: float | None, england: float | None) -> str:
    """Whether England's value lies outside the authority's interval: 'above England', 'below England' or ''."""
    if low is None or high is None or england is None or math.isnan(low) or math.isnan(high):
        return ""
    if low > england:
        return "significantly above England"
    if high < england:
        return "significantly below England"
    return "not significantly different from England"
