"""A sync collects garbage less often while it runs, and the process's thresholds are what they
were once the last of several overlapping syncs ends, whatever the order they end in; what it
freed is given back to the system when it ends."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest

from app.sync.gc_tuning import SYNC_THRESHOLD, _trim_heap, fewer_collections


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


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")  # pragma: no cover


@pytest.mark.skipif(_trim_heap is None, reason="the C library is not glibc")
def test_the_memory_a_sync_frees_is_given_back_when_it_ends() -> None:
    """40 MB of large blocks freed inside a sync, below blocks still held (so glibc cannot
    shrink its heap from the top), leave the process when the sync ends, not at some later
    sync."""
    with fewer_collections():
        blocks = [bytes(1024) + str(i).encode() for i in range(50_000)]  # glibc's, not pymalloc's
        del blocks[:40_000]  # freed, under the 10,000 still held
        held = _resident_mb()
    after = _resident_mb()
    assert len(blocks) == 10_000
    assert held - after > 20, f"{held:.0f} MB while freed, {after:.0f} MB after the sync"
