"""A sync collects garbage less often while it runs, and the process's thresholds are what they
were once the last of several overlapping syncs ends, whatever the order they end in."""

from __future__ import annotations

import gc
import threading

import pytest

from app.sync.gc_tuning import SYNC_THRESHOLD, fewer_collections


def test_thresholds_rise_during_overlapping_syncs_and_come_back_after() -> None:
    """Two syncs in two threads, the first to start ending first: raised while either runs,
    restored only when both are done."""
    before = gc.get_threshold()
    first_in, second_in, first_may_end, second_may_end = (threading.Event() for _ in range(4))
    seen: list[tuple[int, int, int]] = []

    def first() -> None:
        with fewer_collections():
            first_in.set()
            first_may_end.wait(10)
        seen.append(gc.get_threshold())  # the second still runs

    def second() -> None:
        first_in.wait(10)
        with fewer_collections():
            second_in.set()
            second_may_end.wait(10)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    second_in.wait(10)
    assert gc.get_threshold()[0] == max(before[0], SYNC_THRESHOLD)
    first_may_end.set()
    threads[0].join(10)
    assert seen == [(max(before[0], SYNC_THRESHOLD), before[1], before[2])]
    second_may_end.set()
    threads[1].join(10)
    assert gc.get_threshold() == before


def test_a_failing_sync_puts_the_thresholds_back() -> None:
    """An exception inside the sync still restores the thresholds (used as a decorator)."""
    before = gc.get_threshold()

    @fewer_collections()
    def failing() -> None:
        assert gc.get_threshold()[0] == max(before[0], SYNC_THRESHOLD)
        raise RuntimeError("the sheet could not be read")

    with pytest.raises(RuntimeError, match="could not be read"):
        failing()
    assert gc.get_threshold() == before
