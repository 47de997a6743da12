"""The stated percentile method (linear interpolation, as Excel's PERCENTILE.INC) and helpers."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.analytics.stats import P90, mean, median, percentile, ratio


def test_median_of_odd_and_even_counts() -> None:
    """The median is the middle value, or the mean of the two middle values."""
    assert median([5.0, 1.0, 3.0]) == 3.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert median([7.0]) == 7.0
    assert median([]) is None


def test_p90_interpolates_between_closest_ranks() -> None:
    """p90 of 1..10 is 9.1 (position 8.1); of 1..11 exactly 10 (position 9)."""
    assert percentile([float(x) for x in range(1, 11)], P90) == pytest.approx(9.1, abs=1e-12)
    assert percentile([float(x) for x in range(1, 12)], P90) == 10.0
    assert percentile([2.0, 4.0], P90) == pytest.approx(3.8, abs=1e-12)
    assert percentile([3.0], P90) == 3.0
    assert percentile([], P90) is None


def test_percentile_matches_excel_percentile_inc() -> None:
    """Known PERCENTILE.INC results: {15, 20, 35, 40, 50} at 0.4 is 29, at 0.9 is 46."""
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    assert percentile(values, Fraction(2, 5)) == pytest.approx(29.0, abs=1e-12)
    assert percentile(values, P90) == pytest.approx(46.0, abs=1e-12)
    assert percentile(values, Fraction(0)) == 15.0
    assert percentile(values, Fraction(1)) == 50.0


def test_percentile_position_is_exact() -> None:
    """With 31 values p90 sits exactly on rank 27 (0.9 x 30), not a hair below it."""
    values = [float(x) for x in range(31)]
    assert percentile(values, P90) == 27.0


def test_quantile_outside_zero_one_is_refused() -> None:
    """A quantile above 1 is a programming error."""
    with pytest.raises(ValueError, match="quantile"):
        percentile([1.0], Fraction(3, 2))


def test_mean_and_ratio_are_none_without_data() -> None:
    """Nothing to average or divide by gives None, never 0."""
    assert mean([]) is None and mean([1, 2]) == 1.5
    assert ratio(0, 0) is None and ratio(1, 4) == 0.25
