"""The incremental-evaluation state machine, a longer run on both backends (`make bench`;
`make test` runs a bounded one in tests/sync/test_incremental_equivalence.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from tests.sync.incremental_machine import run_equivalence

LONG = {
    "workbook": settings(max_examples=40, stateful_step_count=25),
    "google": settings(max_examples=25, stateful_step_count=25),
}


@pytest.mark.parametrize("backend", ["workbook", "google"])
def test_incremental_sync_equals_full_recomputation_long(
    backend: str, request: pytest.FixtureRequest
) -> None:
    run_equivalence(
        backend,
        request,
        settings(LONG[backend], deadline=None, suppress_health_check=[HealthCheck.too_slow]),
    )
