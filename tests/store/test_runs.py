"""Runs: lifecycle, ordering, and undo bookkeeping (DESIGN §2 rule 5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.store import RunRecord, Store, StoreError

from .conftest import T0


def test_run_lifecycle(store: Store) -> None:
    """A run is open after start_run and carries outcome, counts and message after finish_run."""
    run_id = store.start_run("sheet-1", "sync_now", T0, "workbook")
    assert store.get_run(run_id) == RunRecord(
        id=run_id,
        sheet_key="sheet-1",
        trigger="sync_now",
        backend="workbook",
        started_at=T0,
        finished_at=None,
        outcome=None,
        counts={},
        message=None,
        undone_by=None,
    )

    finished = T0 + timedelta(seconds=42)
    store.finish_run(run_id, finished, "ok", {"rows": 120, "cells_written": 7}, "all good")
    run = store.get_run(run_id)
    assert run is not None
    assert (run.finished_at, run.outcome, run.message) == (finished, "ok", "all good")
    assert run.counts == {"rows": 120, "cells_written": 7}


def test_timestamps_come_back_aware_in_utc(store: Store) -> None:
    """A start time given with +08:00 comes back as the same instant, timezone-aware in UTC."""
    shanghai = timezone(timedelta(hours=8))
    run_id = store.start_run(
        "sheet-1", "schedule", datetime(2025, 10, 3, 17, 0, tzinfo=shanghai), "g"
    )
    run = store.get_run(run_id)
    assert run is not None
    assert run.started_at == datetime(2025, 10, 3, 9, 0, tzinfo=UTC)
    assert run.started_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(store: Store) -> None:
    """A naive start time raises StoreError instead of being guessed."""
    with pytest.raises(StoreError, match="naive datetime"):
        store.start_run("sheet-1", "sync_now", datetime(2025, 10, 3, 9, 0), "workbook")


def test_finish_twice_and_unknown_run_are_errors(store: Store) -> None:
    """Finishing a run twice, or a run that does not exist, raises StoreError."""
    run_id = store.start_run("sheet-1", "sync_now", T0, "workbook")
    store.finish_run(run_id, T0, "nothing_to_do", {})
    with pytest.raises(StoreError, match="already finished"):
        store.finish_run(run_id, T0, "ok", {})
    with pytest.raises(StoreError, match="does not exist"):
        store.finish_run(run_id + 100, T0, "ok", {})
    with pytest.raises(StoreError, match="integers"):
        store.finish_run(run_id, T0, "ok", {"rows": True})
    assert store.get_run(run_id + 100) is None


def test_list_runs_newest_first_per_sheet(store: Store) -> None:
    """list_runs returns one sheet's runs newest first (ties by id), honouring the limit."""
    first = store.start_run("sheet-1", "schedule", T0, "workbook")
    third = store.start_run("sheet-1", "sync_now", T0 + timedelta(hours=2), "workbook")
    second = store.start_run("sheet-1", "schedule", T0 + timedelta(hours=1), "workbook")
    tie = store.start_run("sheet-1", "schedule", T0 + timedelta(hours=2), "workbook")
    store.start_run("sheet-2", "schedule", T0 + timedelta(hours=3), "workbook")

    assert [run.id for run in store.list_runs("sheet-1")] == [tie, third, second, first]
    assert [run.id for run in store.list_runs("sheet-1", limit=2)] == [tie, third]
    assert store.list_runs("no-such-sheet") == []
    with pytest.raises(StoreError, match="limit"):
        store.list_runs("sheet-1", limit=0)


def test_list_runs_orders_by_instant_across_offsets(store: Store) -> None:
    """Runs started with different UTC offsets are ordered by the real instant."""
    tokyo = timezone(timedelta(hours=9))
    later = store.start_run("sheet-1", "s", datetime(2025, 10, 3, 10, 0, tzinfo=UTC), "w")
    earlier = store.start_run("sheet-1", "s", datetime(2025, 10, 3, 18, 0, tzinfo=tokyo), "w")
    assert [run.id for run in store.list_runs("sheet-1")] == [later, earlier]


def test_mark_undone(store: Store, new_run: Callable[..., int]) -> None:
    """mark_undone links the undone run to the undoing one, once only."""
    sync = new_run()
    undo = new_run(trigger="undo")
    store.mark_undone(sync, undo)
    undone = store.get_run(sync)
    assert undone is not None
    assert undone.undone_by == undo
    undoer = store.get_run(undo)
    assert undoer is not None
    assert undoer.undone_by is None

    with pytest.raises(StoreError, match=f"already undone by run {undo}"):
        store.mark_undone(sync, new_run(trigger="undo"))
    with pytest.raises(StoreError, match="cannot undo itself"):
        store.mark_undone(undo, undo)
    with pytest.raises(StoreError, match="does not exist"):
        store.mark_undone(sync + 1000, undo)
    with pytest.raises(StoreError, match="cannot undo run"):
        store.mark_undone(undo, new_run(sheet_key="other-sheet"))
