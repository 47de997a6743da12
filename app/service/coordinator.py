"""One sync per sheet at a time: a Sync-now pressed during a run gets that run's result.

Within a process, callers of the same sheet share one in-flight future. Across processes (several
replicas on PostgreSQL), the sheet's advisory lock decides who runs; a caller that finds it
taken waits for the holder to finish and answers with the run the holder recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import datetime

from app.service.locks import SheetLocks
from app.store import RunRecord, Store
from app.sync.engine import SyncEngine, SyncReport

SUMMARY_KEYS = (
    "cases",
    "new_cases",
    "cells_written",
    "timeline_events",
    "errors",
    "warnings",
    "duration_ms",
)


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a caller gets back: the run it started, or the one it joined."""

    run_id: int | None
    backend: str
    counts: dict[str, int]
    outcome: str
    joined: bool
    report: SyncReport | None = None
    message: str | None = None
    sheet: str | None = None

    @classmethod
    def from_report(cls, report: SyncReport) -> SyncResult:
        data = report.as_json()
        counts = {k: v for k in SUMMARY_KEYS if isinstance(v := data.get(k), int)}
        return cls(report.run_id, report.backend, counts, "ok", False, report)

    @classmethod
    def from_run(cls, run: RunRecord) -> SyncResult:
        counts = {k: run.counts.get(k, 0) for k in SUMMARY_KEYS}
        return cls(run.id, run.backend, counts, run.outcome or "unknown", True, None, run.message)

    def summary(self) -> dict[str, object]:
        findings = self.counts.get("errors", 0) + self.counts.get("warnings", 0)
        return {
            "run_id": self.run_id,
            "backend": self.backend,
            **{k: self.counts.get(k, 0) for k in SUMMARY_KEYS},
            "findings": findings,
            "joined": self.joined,
        }


class SyncCoordinator:
    def __init__(
        self,
        engine_for: Callable[[str], SyncEngine],
        locks: SheetLocks,
        store: Store,
        clock: Callable[[], datetime],
        wait_seconds: float = 600.0,
    ) -> None:
        self.engine_for = engine_for
        self.locks = locks
        self.store = store
        self.clock = clock
        self.wait_seconds = wait_seconds
        self._guard = threading.Lock()
        self._inflight: dict[str, Future[SyncResult]] = {}

    def run(self, sheet: str, *, trigger: str, full: bool = False) -> SyncResult:
        """Sync `sheet` (blocking). Joins the run in progress instead of starting another."""
        with self._guard:
            future = self._inflight.get(sheet)
            owner = future is None
            if future is None:
                future = Future()
                self._inflight[sheet] = future
        if not owner:
            return replace(future.result(timeout=self.wait_seconds), joined=True)
        try:
            result = replace(self._run_locked(sheet, trigger=trigger, full=full), sheet=sheet)
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            with self._guard:
                self._inflight.pop(sheet, None)
        future.set_result(result)
        return result

    def in_progress(self, sheet: str) -> bool:
        with self._guard:
            return sheet in self._inflight

    def _run_locked(self, sheet: str, *, trigger: str, full: bool) -> SyncResult:
        engine = self.engine_for(sheet)
        with self.locks.hold(engine.sheet_key, wait=False) as held:
            if held:
                if full:
                    refresh = getattr(engine.backend, "refresh", None)
                    if callable(refresh):
                        refresh()  # forget cached layout so it is checked and repaired
                report = engine.sync(now=self.clock(), trigger=trigger)
                return SyncResult.from_report(report)
        # Another replica is syncing this sheet: wait for it, then answer with its run.
        with self.locks.hold(engine.sheet_key, wait=True, timeout=self.wait_seconds):
            pass
        runs = self.store.list_runs(engine.sheet_key, limit=1)
        if not runs:  # pragma: no cover - the holder always records a run
            return SyncResult.from_report(engine.sync(now=self.clock(), trigger=trigger))
        return SyncResult.from_run(runs[0])
