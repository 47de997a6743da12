"""One run of a sheet as this process sees it while it goes: the future its owner settles and
its joiners await, the run's id once known (or one reserved for it), and its progress written
to the store (so any replica, and any process, can answer "how far is run N?"); with what a
caller gets back (`SyncResult`, or `PressPending` before the run ended) and the ticket that
counts a waiting press. The coordinator (coordinator.py) decides who runs and who waits.

Why a reservation: a press is answered within a bound (`AFTERSALES_PRESS_ANSWER_SECONDS`); a
run still waiting for its sheet's lock (held by another process) or for a sync slot has no run
record yet, so the answer would have nothing to poll. The first press that must be answered
then reserves one (`Store.queue_run`, progress step "queued"): the sync starts it when it starts
(`Store.start_run(reserved=)`), or, when the run ends without syncing (it joined another
process's run, or failed waiting), closes it with that result or that error.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import datetime

from app.errors import AftersalesError
from app.store import RunRecord, Store
from app.sync.report import SyncReport
from app.sync.run_record import INTERNAL_ERROR, internal_error_message

log = logging.getLogger("aftersales.service")
# What a queued run that ended by joining another process's run says (it synced nothing itself).
JOINED_PREFIX = "joined run "
SUMMARY_KEYS = (
    "cases",
    "new_cases",
    "cells_written",
    "timeline_events",
    "errors",
    "warnings",
    "duration_ms",
)
# How long a press waits for a starting run's id to be recorded (a moment: one insert).
RUN_ID_WAIT_SECONDS = 30.0


class Ticket:
    """One waiting press, counted until it runs a sync itself or is answered (idempotent)."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release

    def done(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a caller gets back: the run it started, or the one it joined.

    It keeps what its readers use (the counts, the notes, the cache figures), never the sync's
    report: the coordinator keeps the last RECENT_RESULTS of these, and a report holds every
    case's evaluation (some 20 MB at 10,000 cases)."""

    run_id: int | None
    backend: str
    counts: dict[str, int]
    outcome: str
    joined: bool
    message: str | None = None
    sheet: str | None = None
    language: str = "en"  # the team language the sheet was written in
    # The run's notes, when this process ran it (a joined run's went to the request that
    # started it; the store does not keep them).
    notes: tuple[str, ...] = ()
    cases_reused: int = 0
    cache_mismatches: int = 0

    @classmethod
    def from_report(cls, report: SyncReport) -> SyncResult:
        data = report.as_json()
        counts = {k: v for k in SUMMARY_KEYS if isinstance(v := data.get(k), int)}
        return cls(
            report.run_id,
            report.backend,
            counts,
            "ok",
            False,
            language=report.language,
            notes=tuple(report.all_notes),
            cases_reused=report.cases_reused,
            cache_mismatches=len(report.cache_mismatches),
        )

    @classmethod
    def from_run(cls, run: RunRecord) -> SyncResult:
        counts = {k: run.counts.get(k, 0) for k in SUMMARY_KEYS}
        return cls(
            run.id,
            run.backend,
            counts,
            run.outcome or "unknown",
            True,
            run.message,
            language=run.language or "en",
        )

    def summary(self) -> dict[str, object]:
        findings = self.counts.get("errors", 0) + self.counts.get("warnings", 0)
        return {
            "run_id": self.run_id,
            "backend": self.backend,
            **{k: self.counts.get(k, 0) for k in SUMMARY_KEYS},
            "findings": findings,
            # A joined run's notes were given to the request that started it.
            "notes": list(self.notes),
            "joined": self.joined,
            "language": self.language,
        }


@dataclass(frozen=True, slots=True)
class PressPending:
    """A press answered before its run ended: the run to poll (202 Accepted)."""

    run_id: int
    joined: bool
    result: Future[SyncResult] = field(compare=False, repr=False)  # settled when the run ends


class RunObserver:
    """Told when a sync starts and ends (the service's metrics); does nothing by default."""

    def run_started(self, trigger: str) -> None:
        """A sync of `trigger` began (the engine runs now)."""

    def run_finished(self, trigger: str, seconds: float) -> None:
        """That sync ended after `seconds` (whatever its outcome)."""


class RunHandle:
    """One run of a sheet in this process, shared by its owner and every press that joins it."""

    def __init__(self, full: bool) -> None:
        self.full = full  # a full recalculation (only full presses wait for one to join it)
        self.future: Future[SyncResult] = Future()
        self._lock = threading.Lock()
        self._run_id: int | None = None
        self._started = False  # the sync began (or the run ended): no reservation from now on
        self._reserved = False  # `_run_id` was reserved by a press
        self._consumed = False  # ... and the sync started it
        self._known = threading.Event()

    @property
    def run_id(self) -> int | None:
        return self._run_id

    def reserve(self, queue: Callable[[], int]) -> int | None:
        """The run's id for a press that must be answered now: the run's own when it has one,
        else one reserved with `queue` (a run that has not started yet). None only when the
        run ended without any (it failed before it was recorded)."""
        with self._lock:
            if self._run_id is not None:
                return self._run_id
            if not self._started:
                self._run_id = queue()
                self._reserved = True
                self._known.set()
                return self._run_id
        # Starting now: its record is being written; wait for the id (a moment).
        self._known.wait(RUN_ID_WAIT_SECONDS)
        return self._run_id

    def begin(self) -> int | None:
        """The sync starts now: the run reserved for it, if one was (it is then the sync's)."""
        with self._lock:
            self._started = True
            self._consumed = self._reserved
            return self._run_id if self._reserved else None

    def recorded(self, run_id: int) -> None:
        """The sync recorded its run under `run_id`."""
        with self._lock:
            self._run_id = run_id
        self._known.set()

    def settle(self) -> int | None:
        """The run is over: the reserved run no sync started (to be closed), if any."""
        with self._lock:
            self._started = True
            leftover = self._run_id if self._reserved and not self._consumed else None
        self._known.set()
        return leftover


class StoreProgress:
    """A `ProgressReporter` that writes the run's progress to the store and tells the handle
    the run's id. Keep it behind `Throttled` (app/sync/progress.py): each report is a write."""

    def __init__(self, store: Store, handle: RunHandle | None) -> None:
        self.store = store
        self.handle = handle
        self.run_id: int | None = None

    def started(self, run_id: int) -> None:
        self.run_id = run_id
        if self.handle is not None:
            self.handle.recorded(run_id)

    def step(self, step: str, done: int, total: int | None) -> None:
        if self.run_id is None:
            return
        try:
            self.store.record_progress(self.run_id, step, done, total)
        except Exception:
            # Progress is for people watching; a store hiccup must not fail the sync itself.
            log.warning("could not record the progress of run %s", self.run_id, exc_info=True)


def close_queued(store: Store, run_id: int, joined: SyncResult, now: datetime) -> SyncResult:
    """Finish a queued run with the result of the run it joined (another process's, which
    wrote the cells); the press polling it sees that result."""
    try:
        message = f"{JOINED_PREFIX}{joined.run_id}"
        store.finish_run(run_id, now, joined.outcome, joined.counts, message)
    except Exception:
        log.warning("could not close queued run %s", run_id, exc_info=True)
    return replace(joined, run_id=run_id, joined=True)


def fail_queued(store: Store, run_id: int, exc: BaseException, now: datetime) -> None:
    """Finish a queued run that never synced with the error that ended it."""
    if isinstance(exc, AftersalesError):
        code, message = exc.code, exc.message
    else:
        code, message = INTERNAL_ERROR, internal_error_message(run_id)
    try:
        store.finish_run(run_id, now, "failed", {}, message, code)
    except Exception:
        log.warning("could not close queued run %s", run_id, exc_info=True)
