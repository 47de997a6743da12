"""Timeline events: exactly once per (sheet_key, event_key), also under concurrent inserts."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from app.store import Store, StoreError, TimelineEvent

from .conftest import T0


def events(prefix: str, count: int, start: int = 0) -> list[TimelineEvent]:
    """`count` status-change events of case C-1, one second apart from T0 + `start` seconds."""
    return [
        TimelineEvent(
            event_key=f"{prefix}-{i:04d}",
            case_id="C-1",
            kind="status_changed",
            at=T0 + timedelta(seconds=start + i),
            detail=f"Status: Open -> Waiting ({i})",
            data={"from": "Open", "to": "Waiting", "on": date(2025, 10, 3), "n": i},
        )
        for i in range(count)
    ]


def test_repeated_inserts_store_each_event_once(store: Store, new_run: Callable[..., int]) -> None:
    """Inserting the same events again returns nothing new and stores no duplicate."""
    batch = events("e", 5)
    run_id = new_run()
    assert store.add_timeline_events("sheet-1", run_id, batch) == batch
    assert store.add_timeline_events("sheet-1", run_id, batch) == []
    assert store.add_timeline_events("sheet-1", new_run(), list(reversed(batch))) == []

    more = events("f", 2, start=60)
    assert store.add_timeline_events("sheet-1", run_id, batch[:2] + more + batch[2:]) == more
    assert store.timeline("sheet-1") == batch + more


def test_duplicates_within_one_batch(store: Store, new_run: Callable[..., int]) -> None:
    """A key repeated inside one batch is stored once, as its first occurrence."""
    first, *_ = events("e", 1)
    repeat = TimelineEvent(first.event_key, "C-1", "other", T0, "a later duplicate")
    assert store.add_timeline_events("sheet-1", new_run(), [first, repeat]) == [first]
    assert store.timeline("sheet-1") == [first]


def test_keys_are_per_sheet(store: Store, new_run: Callable[..., int]) -> None:
    """The same event key in two sheets is two events."""
    batch = events("e", 2)
    assert store.add_timeline_events("sheet-1", new_run("sheet-1"), batch) == batch
    assert store.add_timeline_events("sheet-2", new_run("sheet-2"), batch) == batch


def test_timeline_order_and_case_filter(store: Store, new_run: Callable[..., int]) -> None:
    """timeline() is ordered by time and can be narrowed to one case."""
    late = TimelineEvent("late", "C-1", "created", T0 + timedelta(days=1), "created")
    early = TimelineEvent("early", "C-2", "created", T0, "created", {"by": "alice"})
    middle = TimelineEvent("middle", "C-1", "reopened", T0 + timedelta(hours=1), "reopened")
    store.add_timeline_events("sheet-1", new_run(), [late, early, middle])
    assert store.timeline("sheet-1") == [early, middle, late]
    assert store.timeline("sheet-1", "C-1") == [middle, late]
    assert store.timeline("sheet-1", "C-404") == []


def test_run_must_belong_to_the_sheet(store: Store, new_run: Callable[..., int]) -> None:
    """Events recorded under another sheet's run are refused."""
    with pytest.raises(StoreError, match="belongs to sheet"):
        store.add_timeline_events("sheet-2", new_run("sheet-1"), events("e", 1))


def test_concurrent_inserts_store_each_event_once(
    store_url: str, store: Store, new_run: Callable[..., int]
) -> None:
    """Two threads (two Store objects, like two replicas) inserting the same keys at once
    together insert every event exactly once, each reported as new by exactly one thread."""
    run_id = new_run()
    other = Store(store_url)
    try:
        for round_no in range(3):
            batch = events(f"r{round_no}", 150)
            shuffled = random.Random(round_no).sample(batch, len(batch))
            barrier = threading.Barrier(2)

            def insert(
                target: Store, items: list[TimelineEvent], barrier: threading.Barrier = barrier
            ) -> list[TimelineEvent]:
                barrier.wait(timeout=10)
                return target.add_timeline_events("sheet-1", run_id, items)

            with ThreadPoolExecutor(max_workers=2) as pool:
                mine = pool.submit(insert, store, batch)
                theirs = pool.submit(insert, other, shuffled)
                got_a, got_b = mine.result(timeout=60), theirs.result(timeout=60)

            keys_a = {e.event_key for e in got_a}
            keys_b = {e.event_key for e in got_b}
            assert not keys_a & keys_b
            assert keys_a | keys_b == {e.event_key for e in batch}
        assert len(store.timeline("sheet-1")) == 3 * 150
    finally:
        other.close()
