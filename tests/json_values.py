"""Comparing decoded JSON values exactly: types included, NaN equal to NaN."""

from __future__ import annotations

import math


def typed(value: object) -> object:
    """The value with the type of every leaf, so 12 and 12.0, or True and 1, do not compare
    equal, and NaN compares equal to NaN."""
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return (float, "nan")
    return (type(value), value)
