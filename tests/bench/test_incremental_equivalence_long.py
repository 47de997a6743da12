"""The incremental-evaluation state machine, a longer run (`make bench`; `make test` runs a
bounded one in tests/sync/test_incremental_equivalence.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.sync.incremental_machine import IncrementalEquivalence

TestIncrementalEquivalenceLong = IncrementalEquivalence.TestCase
TestIncrementalEquivalenceLong.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
