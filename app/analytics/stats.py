"""Small statistics with one stated method, so every figure can be checked by hand.

Percentiles use linear interpolation between closest ranks (the method of Excel's
PERCENTILE.INC and MEDIAN, Google Sheets' PERCENTILE and numpy's default): for n sorted values
x[0] <= ... <= x[n-1] and a fraction q, the position is h = q * (n - 1) and the percentile is
x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]). The median is q = 1/2, so for an
even count it is the mean of the two middle values. The position is computed with exact
fractions, so q = 9/10 never lands a hair below a whole rank.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Final

MEDIAN: Final = Fraction(1, 2)
P90: Final = Fraction(9, 10)


def percentile(values: Sequence[float], q: Fraction) -> float | None:
    """The q-quantile of `values` by linear interpolation; None for no values."""
    if not 0 <= q <= 1:
        raise ValueError(f"quantile must lie in [0, 1], got {q}")
    if not values:
        return None
    xs = sorted(values)
    position = q * (len(xs) - 1)
    lo = math.floor(position)
    fraction = position - lo
    if fraction == 0:
        return float(xs[lo])
    return float(xs[lo] + float(fraction) * (xs[lo + 1] - xs[lo]))


def median(values: Sequence[float]) -> float | None:
    """The median (mean of the two middle values for an even count); None for no values."""
    return percentile(values, MEDIAN)


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean; None for no values."""
    return sum(values) / len(values) if values else None


def ratio(part: int, whole: int) -> float | None:
    """part / whole as a fraction; None when there is nothing to divide by."""
    return part / whole if whole else None
