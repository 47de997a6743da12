"""Incremental evaluation gives exactly what a full recomputation gives, after any sequence of
edits, tab changes and clock advances (a bounded run; tests/bench has a longer one)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.sync.incremental_machine import IncrementalEquivalence

TestIncrementalEquivalence = IncrementalEquivalence.TestCase
TestIncrementalEquivalence.settings = settings(
    max_examples=4,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
