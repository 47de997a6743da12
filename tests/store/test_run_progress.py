"""A run's progress and queued runs in the store (issue 19), on SQLite and PostgreSQL: what a
poller of any replica reads while a run goes."""

from __future__ import annotations

from datetime import timedelta

from app.store import QUEUED, Store

from .conftest import T0


def test_progress_is_kept_while_a_run_goes_and_stays_once_it_finished(store: Store) -> None:
    """record_progress updates an unfinished run; once finished, its last progress stays and
    later reports are ignored."""
    run_id = store.start_run("售后表", "sync-now", T0, "workbook")
    store.record_progress(run_id, "evaluate", 500, 1200)
    run = store.get_run(run_id)
    assert run is not None
    assert (run.progress_step, run.progress_done, run.progress_total) == ("evaluate", 500, 1200)

    store.record_progress(run_id, "read", 0, None)
    run = store.get_run(run_id)
    assert run is not None
    assert (run.progress_step, run.progress_done, run.progress_total) == ("read", 0, None)

    store.finish_run(run_id, T0 + timedelta(seconds=3), "ok", {"cases": 1200})
    store.record_progress(run_id, "write", 9, 9)  # a late report of a run that ended
    run = store.get_run(run_id)
    assert run is not None
    assert (run.progress_step, run.outcome) == ("read", "ok")


def test_a_queued_run_waits_unharmed_and_becomes_the_sync_that_starts_it(store: Store) -> None:
    """A queued run is not closed as interrupted by another run of the sheet starting (its
    press is waiting), and start_run(reserved=) turns it into that sync's run."""
    queued = store.queue_run("售后表", "recalculate", T0, "workbook")
    assert store.get_run(queued).queued  # type: ignore[union-attr]
    other = store.start_run("售后表", "nightly", T0 + timedelta(seconds=1), "workbook")
    store.finish_run(other, T0 + timedelta(seconds=2), "ok", {})
    still = store.get_run(queued)
    assert still is not None
    assert (still.finished_at, still.progress_step) == (None, QUEUED)

    started = store.start_run(
        "售后表", "recalculate", T0 + timedelta(seconds=5), "workbook", reserved=queued
    )
    assert started == queued
    run = store.get_run(queued)
    assert run is not None
    assert (run.queued, run.progress_step, run.started_at) == (
        False,
        None,
        T0 + timedelta(seconds=5),
    )
    assert [r.id for r in store.list_runs("售后表")] == [queued, other]


def test_a_queued_run_left_for_over_an_hour_is_closed_as_interrupted(store: Store) -> None:
    """A queued run whose process died (over an hour old, longer than any press waits) is
    closed as interrupted by the sheet's next run; a failed one keeps its error code."""
    queued = store.queue_run("desk", "sync-now", T0, "workbook")
    later = store.start_run("desk", "sync-now", T0 + timedelta(hours=1, minutes=1), "workbook")
    run = store.get_run(queued)
    assert run is not None
    assert run.outcome == "interrupted"

    store.finish_run(later, T0 + timedelta(hours=2), "failed", {}, "Google did not answer", "x_y")
    failed = store.get_run(later)
    assert failed is not None
    assert (failed.outcome, failed.error_code) == ("failed", "x_y")
