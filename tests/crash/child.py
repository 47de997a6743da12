"""The process the crash tests kill: one `aftersales sync --now T` (sync the sheet, then deliver
what is due), which SIGKILLs itself when it reaches a chosen step.

Why a real process and a real SIGKILL: a killed process runs no `finally`, rolls back nothing
itself and closes no connection politely, which is the crash the store, the backends and the
outbox must survive; raising an exception in-process would run every cleanup and prove much
less. The settings come as the `AFTERSALES_*` environment, read by the real `Settings`; the
step is one of `app.probe.STEPS`, with which passage of it (a Google sync reads more than once).
The parent starts `run` in a forked process (`tests.crash.harness.kill`); by hand:
`python -m tests.crash.child '<Job as JSON>'`.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from app.notify.dispatch import deliver_now
from app.probe import STEPS
from app.runtime import open_runtime
from app.settings import Settings


@dataclass(frozen=True)
class Job:
    """Sync `workbook` (or the Google spreadsheet `sheet`) at `now` (or, with `undo`, undo
    that run as `aftersales undo` does); die at `kill_at`."""

    env: dict[str, str]
    now: str
    kill_at: str
    occurrence: int = 1
    workbook: str | None = None
    sheet: str | None = None
    log: str | None = None  # the child's stderr goes here, for the parent's failure message
    undo: int | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Job:
        return cls(**json.loads(text))


class Killer:
    """A probe that SIGKILLs this process the `occurrence`-th time `step` is reached."""

    def __init__(self, step: str, occurrence: int = 1) -> None:
        if step not in STEPS:
            raise ValueError(f"unknown step {step!r}; one of {', '.join(STEPS)}")
        self.step = step
        self.left = occurrence

    def __call__(self, step: str) -> None:
        if step != self.step:
            return
        self.left -= 1
        if self.left == 0:
            os.kill(os.getpid(), signal.SIGKILL)


def run(job: Job) -> None:
    """Do what `aftersales sync --now` (or `undo RUN --now`) does, with the killer as the
    probe."""
    if job.log:
        with open(job.log, "ab") as log:
            os.dup2(log.fileno(), 2)
    for name in [n for n in os.environ if n.startswith("AFTERSALES_")]:
        del os.environ[name]
    os.environ.update(job.env)
    settings = Settings()
    workbook = Path(job.workbook) if job.workbook else None
    runtime = open_runtime(settings, workbook=workbook, sheet=job.sheet)
    runtime.probe = Killer(job.kill_at, job.occurrence)
    now = datetime.fromisoformat(job.now)
    if job.undo is not None:
        runtime.undo(job.undo, now)  # holds the sheet's lock, as the command does
        runtime.store.close()
        return
    runtime.engine().sync(now=now)
    deliver_now(runtime.store.engine, settings.notify, runtime.team, now, probe=runtime.probe)
    runtime.store.close()


if __name__ == "__main__":
    run(Job.from_json(sys.argv[1]))
