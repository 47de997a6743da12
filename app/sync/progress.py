"""How far a sync has got, told as it goes: the step, and cases done of the total.

Why: a long sync (a first fill of 50,000 cases, a Google API slowed by its quota) must not
look like a failure. The engine tells a `ProgressReporter` it is given; the service stores what
it is told (so any replica can answer "how far is run N?") and the CLI draws a bar from it.
The engine and the planner call the reporter often and cheaply; `Throttled` keeps what is
passed on to a bounded rate (a step's start and end, and otherwise at most every `seconds`), so
a store is never written per row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final, Protocol

READ: Final = "read"
EVALUATE: Final = "evaluate"
WRITE: Final = "write"
NOTIFY: Final = "notify"
RECORD: Final = "record"
STEPS: Final = (READ, EVALUATE, WRITE, NOTIFY, RECORD)
# The planner tells its progress every this many cases (a callback per row would cost).
CASES_PER_REPORT: Final = 500


class ProgressReporter(Protocol):
    """Told where a sync is; must be quick and must not raise."""

    def started(self, run_id: int) -> None:
        """The run is recorded under `run_id` (before any step)."""
        ...

    def step(self, step: str, done: int, total: int | None) -> None:
        """The run is at `step` (one of `STEPS`), `done` cases of `total` (None: not known)."""
        ...


class NoProgress:
    """The default reporter: nobody is told."""

    def started(self, run_id: int) -> None:
        """Nothing to do."""

    def step(self, step: str, done: int, total: int | None) -> None:
        """Nothing to do."""


NO_PROGRESS: Final = NoProgress()


class Throttled:
    """Passes on to `inner` a step's first report and its last (done == total), and any other
    only when `seconds` have passed since the last one passed on."""

    def __init__(
        self,
        inner: ProgressReporter,
        seconds: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.seconds = seconds
        self.clock = clock
        self._step: str | None = None
        self._last = (-1, -1)  # (done, total) last passed on
        self._at = float("-inf")

    def started(self, run_id: int) -> None:
        self.inner.started(run_id)

    def step(self, step: str, done: int, total: int | None) -> None:
        now = self.clock()
        changed = step != self._step
        finished = total is not None and done >= total and self._last != (done, total)
        if not (changed or finished or now - self._at >= self.seconds):
            return
        self._step, self._last, self._at = step, (done, -1 if total is None else total), now
        self.inner.step(step, done, total)
