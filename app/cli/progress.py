"""The CLI's progress bar: a sync that runs longer than a moment shows where it is on the
terminal (stderr), never in --json mode and never when stderr is not a terminal (a pipe, a
log, CI), so scripted output stays exactly what it was."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from app.cli.common import say
from app.sync.progress import NO_PROGRESS, ProgressReporter, Throttled

STEPS = ("read", "evaluate", "write", "notify", "record")  # catalogue keys cli.progress_<step>


def step_words(step: str) -> str:
    """What a person reads for a sync step (the step's own name for one the CLI does not know)."""
    return say(f"cli.progress_{step}") if step in STEPS else step


class BarProgress:
    """A `ProgressReporter` that moves a rich progress bar (cases done of total)."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task: TaskID = bar.add_task(step_words("read"), total=None)

    def started(self, run_id: int) -> None:
        self.bar.update(self.task, description=say("cli.progress_started", run=run_id))

    def step(self, step: str, done: int, total: int | None) -> None:
        self.bar.update(self.task, description=step_words(step), completed=done, total=total)


@contextmanager
def progress_bar(console: Console, *, enabled: bool, after: float) -> Iterator[ProgressReporter]:
    """A reporter whose bar appears on `console` once the run has taken `after` seconds (a
    short run shows none); nothing at all unless `enabled` and the console is a terminal."""
    if not enabled or not console.is_terminal:
        yield NO_PROGRESS
        return
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(say("cli.progress_cases")),
        TimeElapsedColumn(),
        console=console,
    )
    reporter = BarProgress(bar)
    shown = threading.Event()

    def show() -> None:
        bar.start()
        shown.set()

    timer = threading.Timer(after, show)
    timer.daemon = True
    timer.start()
    try:
        yield Throttled(reporter, seconds=0.1)
    finally:
        timer.cancel()
        timer.join()
        if shown.is_set():
            bar.stop()
