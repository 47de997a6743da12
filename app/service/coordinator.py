"""One sync per sheet at a time: a Sync-now pressed during a run gets that run's result.

Within a process, callers of the same sheet share one in-flight future. Across processes (several
replicas on PostgreSQL), the sheet's advisory lock decides who runs; a caller that finds it
taken waits for the holder to finish and answers with the sync run the holder recorded. When the
holder recorded no finished, successful sync (it was an undo, it failed, or its process died),
the caller syncs the sheet itself while it holds the lock. A caller that waits longer than
`wait_seconds` gets `SyncInProgressError`; a sync never runs without the sheet's lock.
A full recalculation (nightly, Recalculate all) joins only another full one: the result of a
plain sync did not repair the layout, so it runs after that sync instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import wait as wait_for_future
from dataclasses import dataclass, replace
from datetime import datetime

from app.errors import SyncInProgressError
from app.service.locks import SheetLocks
from app.store import RunRecord, Store
from app.sync.engine import SyncEngine
from app.sync.report import SyncReport

SUMMARY_KEYS = (
    "cases",
    "new_cases",
    "cells_written",
    "timeline_events",
    "errors",
    "warnings",
    "duration_ms",
)
# Outcomes of a holder's run that a waiting caller may answer with; anything else (a failed or
# unfinished run) is not a result to hand out, so the caller syncs the sheet itself.
JOINABLE_OUTCOMES = ("ok", "nothing_to_do")
# Triggers of full recalculations (layout repaired too): what a full request may join.
FULL_TRIGGERS = ("nightly", "recalculate")


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
            # A joined run's notes were given to the request that started it.
            "notes": self.report.all_notes if self.report is not None else [],
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
        self._inflight: dict[str, tuple[Future[SyncResult], bool]] = {}  # sheet -> (run, full)

    def run(self, sheet: str, *, trigger: str, full: bool = False) -> SyncResult:
        """Sync `sheet` (blocking). Joins the run in progress instead of starting another; a
        full recalculation joins only a full one, and otherwise runs once that one is done."""
        while True:
            with self._guard:
                running = self._inflight.get(sheet)
                if running is None:
                    future: Future[SyncResult] = Future()
                    self._inflight[sheet] = (future, full)
                    break
            future, running_full = running
            done, _ = wait_for_future([future], timeout=self.wait_seconds)
            if not done:
                raise self._busy(sheet)
            if running_full or not full:
                return replace(future.result(), joined=True)
            # A plain sync was running: its result does not repair the layout; go again.
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
        key = engine.sheet_key
        with self.locks.hold(key, wait=False) as held:
            if held:
                return self._sync(engine, trigger=trigger, full=full)
        # Another holder has the sheet: a replica's sync, or an undo. Note the newest run now,
        # so that afterwards only the holder's run (unfinished now, or started since) counts.
        seen = self.store.list_runs(key, limit=1)
        with self.locks.hold(key, wait=True, timeout=self.wait_seconds) as held:
            if not held:
                raise self._busy(sheet)
            run = self._holders_sync(key, seen[0] if seen else None, full)
            if run is not None:
                return SyncResult.from_run(run)
            return self._sync(engine, trigger=trigger, full=full)

    def _sync(self, engine: SyncEngine, *, trigger: str, full: bool) -> SyncResult:
        """Run the engine; the caller holds the sheet's lock."""
        if full:
            refresh = getattr(engine.backend, "refresh", None)
            if callable(refresh):
                refresh()  # forget cached layout so it is checked and repaired
        return SyncResult.from_report(engine.sync(now=self.clock(), trigger=trigger))

    def _holders_sync(self, key: str, seen: RunRecord | None, full: bool) -> RunRecord | None:
        """The successful sync run the holder we waited for recorded, if it recorded one (for
        a full recalculation, only a full one will do)."""
        recent = sorted(self.store.list_runs(key, limit=20), key=lambda r: r.id, reverse=True)
        for run in recent:
            if seen is not None and (
                run.id < seen.id or (run.id == seen.id and seen.finished_at is not None)
            ):
                continue  # finished before we started waiting
            if run.trigger.startswith("undo") or run.outcome not in JOINABLE_OUTCOMES:
                continue
            if full and run.trigger not in FULL_TRIGGERS:
                continue
            return run
        return None

    def _busy(self, sheet: str) -> SyncInProgressError:
        return SyncInProgressError(
            f"Sheet {sheet} is still being synced after {self.wait_seconds:g} s of waiting; "
            "try again in a moment."
        )
