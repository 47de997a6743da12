"""One run of a sheet as this process sees it while it goes: the future its owner settles and
its joiners await, the run's id once known (or one reserved for it), and its progress written
to the store (so any replica, and any process, can answer "how far is run N?").

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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.store import Store

if TYPE_CHECKING:
    from app.service.coordinator import SyncResult

log = logging.getLogger("aftersales.service")
# How long a press waits for a starting run's id to be recorded (a moment: one insert).
RUN_ID_WAIT_SECONDS = 30.0


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
