"""A sync run's report and record: the plan's counts in the report, the run's outcome in the
store, and what a run that failed after writing says about the cells it wrote."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Final

from app.store import PlannedWrite, Store
from app.sync.report import PreparedSync, SyncReport

INTERNAL_ERROR: Final = "internal_error"


def internal_error_message(run_id: int | None) -> str:
    """What a run that failed on an unexpected error says (its detail is in the log)."""
    where = f" with run {run_id}" if run_id is not None else ""
    return f"{INTERNAL_ERROR}: the sync failed unexpectedly; the error was logged{where}"


def fill_report(report: SyncReport, prepared: PreparedSync) -> None:
    """The plan's counts and results (assignments only: filled again after a re-plan)."""
    plan = prepared.plan
    report.cases = len(plan.results)
    report.new_cases = plan.new_cases
    report.errors = plan.errors
    report.warnings = plan.warnings
    report.results = plan.results
    # The last plan's (a replan says them again): the sheet's tabs', then its cases'.
    report.sheet_notes = [*prepared.notes, *plan.notes]
    report.kpis = prepared.kpis
    if plan.reuse is not None:
        report.cases_reused = plan.reuse.reused
        report.cache_mismatches = list(plan.reuse.mismatches)
    report.language = prepared.language


def finish_run(
    store: Store,
    run_id: int,
    now: datetime,
    report: SyncReport,
    started: float,
    outcome: str,
    message: str | None,
    error_code: str | None = None,
) -> None:
    """Record the run's outcome, its counts and how long it took (a failure's code too)."""
    elapsed = time.perf_counter() - started
    finished = now + timedelta(seconds=elapsed)
    store.finish_run(
        run_id,
        finished,
        outcome,
        {
            "cases": report.cases,
            "new_cases": report.new_cases,
            "cells_written": report.cells_written,
            "timeline_events": report.timeline_events,
            "errors": report.errors,
            "warnings": report.warnings,
            "layout_changes": report.layout_changes,
            "replans": report.replans,
            "duration_ms": int(elapsed * 1000),
        },
        message,
        error_code,
        # What a sync wrote the sheet in; a failed one may have written nothing of it.
        language=report.language if outcome in ("ok", "nothing_to_do") else None,
    )


def unstaged_writes(prepared: PreparedSync) -> list[PlannedWrite]:
    """The plan's cell writes the write step did not stage (usually none: it stages the whole
    list it is about to write, and a first sync's list runs to a million cells)."""
    if prepared.staged is prepared.plan.writes:
        return []
    staged = set(prepared.staged or ())
    return [w for w in prepared.plan.writes if w not in staged]


def after_writing(run_id: int, report: SyncReport, reason: str) -> str:
    """A failure's message; for a run that wrote cells, it says how many first (they are
    recorded, and the run can be undone)."""
    if not report.cells_written:
        return reason
    return (
        f"run {run_id} wrote {report.cells_written} cells, then failed: {reason} "
        f"(the cells are recorded: `aftersales undo {run_id}` puts them back)"
    )
