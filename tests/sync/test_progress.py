"""A sync's progress (issue 19): the engine tells its reporter each step in order, with the
cases counted every 500 rows while they are checked; `Throttled` passes a step's start and end
and otherwise at most one report per interval (time injected)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.runtime import Runtime
from app.sync.progress import Throttled
from tests.workbooks import NOW, case, write_workbook


class Recorder:
    """A reporter that keeps everything it is told."""

    def __init__(self) -> None:
        self.run_id: int | None = None
        self.steps: list[tuple[str, int, int | None]] = []

    def started(self, run_id: int) -> None:
        self.run_id = run_id

    def step(self, step: str, done: int, total: int | None) -> None:
        self.steps.append((step, done, total))


def test_the_engine_reports_each_step_and_the_cases_checked_every_500(runtime: Runtime) -> None:
    """A sync of 1,100 cases reports its run id, then read, evaluate at 0, 500, 1000 and 1100
    of 1100, write, notify and record, in that order."""
    rows = [
        case(
            **{
                "Case ID": f"AS-G-{i:04d}",
                "Platform": ("Superbuy", "Bhiner", "yoybuy")[i % 3],
                "Customer": ("王芳", "Emma Wilson")[i % 2],
                "Opened": datetime(2025, 10, 9, 9, 30) - timedelta(minutes=7 * i),
            }
        )
        for i in range(1100)
    ]
    write_workbook(runtime.workbook, rows)
    recorder = Recorder()

    report = runtime.sync(NOW, progress=recorder)

    assert recorder.run_id == report.run_id is not None
    assert recorder.steps == [
        ("read", 0, None),
        ("evaluate", 0, 1100),
        ("evaluate", 500, 1100),
        ("evaluate", 1000, 1100),
        ("evaluate", 1100, 1100),
        ("write", 0, 1100),
        ("notify", 1100, 1100),
        ("record", 1100, 1100),
    ]


def test_throttled_passes_step_changes_and_ends_and_one_report_per_interval() -> None:
    """Within one step, reports closer than the interval are dropped, except the step's end;
    a new step always passes."""
    now = [100.0]
    recorder = Recorder()
    throttled = Throttled(recorder, seconds=0.5, clock=lambda: now[0])

    throttled.step("evaluate", 0, 2000)  # a new step: passes
    now[0] += 0.1
    throttled.step("evaluate", 500, 2000)  # 0.1 s later: dropped
    now[0] += 0.5
    throttled.step("evaluate", 1000, 2000)  # 0.6 s after the last passed: passes
    now[0] += 0.1
    throttled.step("evaluate", 1500, 2000)  # dropped
    throttled.step("evaluate", 2000, 2000)  # the step's end: passes
    throttled.step("evaluate", 2000, 2000)  # told twice: once is enough
    throttled.step("write", 0, 2000)  # a new step: passes

    assert recorder.steps == [
        ("evaluate", 0, 2000),
        ("evaluate", 1000, 2000),
        ("evaluate", 2000, 2000),
        ("write", 0, 2000),
    ]
