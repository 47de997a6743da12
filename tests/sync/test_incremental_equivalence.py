"""Incremental evaluation gives exactly what a full recomputation gives, after any sequence of
edits, tab changes and clock advances, on both backends (a bounded run; `make bench` runs a
longer one: tests/bench/test_incremental_equivalence_long.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from tests.sync.incremental_machine import run_equivalence

BOUNDED = {
    "workbook": settings(max_examples=4, stateful_step_count=10),
    "google": settings(max_examples=3, stateful_step_count=10),
}


@pytest.mark.parametrize("backend", ["workbook", "google"])
def test_incremental_sync_equals_full_recomputation(
    backend: str, request: pytest.FixtureRequest
) -> None:
    run_equivalence(
        backend,
        request,
        settings(BOUNDED[backend], deadline=None, suppress_health_check=[HealthCheck.too_slow]),
    )
