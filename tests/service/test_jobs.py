"""The scheduler's job functions, called directly with a fixed clock: each records a run with its
trigger (or skips outside working hours) and logs exactly one structured JSON line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import app.scheduler as scheduler
from app.api.app import build_context
from app.api.context import ServiceContext
from app.settings import Settings
from tests.workbooks import case, write_workbook

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY_10 = datetime(2025, 10, 10, 10, 0, tzinfo=SHANGHAI)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(FRIDAY_10)


@pytest.fixture
def context(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ServiceContext]:
    """A service context on a SQLite store with one registered workbook sheet 'team', installed
    as the running service's context for the job functions."""
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/store.db",
        workbook=tmp_path / "unused.xlsx",
    )
    built = build_context(settings, clock=clock)
    workbook = write_workbook(
        tmp_path / "team.xlsx",
        [case(**{"Case ID": "AS-T-0001"}), case(**{"Case ID": "AS-T-0002", "Platform": "Yoybuy"})],
    )
    built.registry.add("team", kind="workbook", location=str(workbook))
    monkeypatch.setattr(scheduler, "_context", built)
    yield built
    built.store.close()


def job_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """Every record of the scheduler's logger, each parsed as one JSON object."""
    records = [r for r in caplog.records if r.name == "aftersales.scheduler"]
    lines = [json.loads(r.getMessage()) for r in records]
    assert all("\n" not in r.getMessage() for r in records)
    return lines


@pytest.fixture(autouse=True)
def _capture(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="aftersales.scheduler")


def runs_of(context: ServiceContext, sheet: str = "team") -> list[Any]:
    return context.store.list_runs(context.registry.get(sheet).sheet_key)


def synced(context: ServiceContext, trigger: str, outcome: str) -> float:
    value = context.metrics.registry.get_sample_value(
        "aftersales_syncs_total", {"trigger": trigger, "outcome": outcome}
    )
    return value or 0.0


def test_nightly_records_a_nightly_run_and_one_line(
    context: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    """`nightly_recalculation` syncs the sheet at the context's clock as a 'nightly' run and
    logs one JSON line with the run's id and counts."""
    scheduler.nightly_recalculation("team")

    [run] = runs_of(context)
    assert (run.trigger, run.outcome, run.started_at) == ("nightly", "ok", FRIDAY_10)
    [line] = job_lines(caplog)
    assert line["event"] == "job" and line["job"] == "nightly" and line["sheet"] == "team"
    assert line["outcome"] == "ok" and line["run_id"] == run.id and line["joined"] is False
    assert line["cases"] == 2 and isinstance(line["ms"], int)
    assert synced(context, "nightly", "ok") == 1


def test_sweep_in_working_hours_records_a_sweep_run_and_one_line(
    context: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    """`overdue_sweep` at 10:00 on a Shanghai working Friday records a 'sweep' run and logs one
    JSON line."""
    scheduler.overdue_sweep("team")

    [run] = runs_of(context)
    assert (run.trigger, run.outcome) == ("sweep", "ok")
    [line] = job_lines(caplog)
    assert (line["job"], line["outcome"], line["run_id"]) == ("sweep", "ok", run.id)


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(datetime(2025, 10, 12, 10, 0, tzinfo=SHANGHAI), id="sunday-10h"),
        pytest.param(datetime(2025, 10, 10, 22, 0, tzinfo=SHANGHAI), id="friday-22h-shanghai"),
        pytest.param(datetime(2025, 10, 10, 12, 30, tzinfo=SHANGHAI), id="lunch-break"),
        pytest.param(datetime(2025, 10, 1, 10, 0, tzinfo=SHANGHAI), id="national-day-wednesday"),
    ],
)
def test_sweep_outside_working_hours_records_nothing_and_logs_skipped(
    context: ServiceContext, clock: Clock, caplog: pytest.LogCaptureFixture, moment: datetime
) -> None:
    """Outside the team's working time (weekend, evening, lunch, public holiday) the sweep
    records no run and logs one JSON line with outcome 'skipped'."""
    clock.now = moment
    scheduler.overdue_sweep("team")

    assert runs_of(context) == []
    assert job_lines(caplog) == [
        {
            "event": "job",
            "job": "sweep",
            "sheet": "team",
            "outcome": "skipped",
            "reason": "outside working hours",
        }
    ]


def test_a_job_whose_sync_fails_logs_one_failed_line(
    context: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    """A nightly run of a sheet whose workbook is gone logs one JSON line with outcome
    'failed' and the error code, and counts the failure."""
    context.registry.get("team").path.unlink()
    scheduler.nightly_recalculation("team")

    [line] = job_lines(caplog)
    assert line["outcome"] == "failed" and line["error"] == "sheet_not_found"
    assert "team.xlsx" in line["detail"]
    assert synced(context, "nightly", "failed") == 1


@pytest.mark.parametrize("job", [scheduler.nightly_recalculation, scheduler.overdue_sweep])
def test_a_job_of_a_sheet_no_longer_registered_logs_one_failed_line(
    context: ServiceContext, caplog: pytest.LogCaptureFixture, job: Any
) -> None:
    """A job left for a sheet that was removed logs one 'failed' line with code
    sheet_not_found (the sweep used to raise out of the job with no structured line)."""
    job("gone")

    [line] = job_lines(caplog)
    assert (line["sheet"], line["outcome"], line["error"]) == ("gone", "failed", "sheet_not_found")


def test_an_unexpected_error_logs_one_failed_line_with_its_traceback(
    context: ServiceContext, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error outside the AftersalesError tree (a bug) still gives exactly one JSON line, at
    ERROR level, with the traceback on that same record."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(context.coordinator, "run", broken)
    scheduler.nightly_recalculation("team")

    [record] = [r for r in caplog.records if r.name == "aftersales.scheduler"]
    line = json.loads(record.getMessage())
    assert (line["outcome"], line["error"]) == ("failed", "internal_error")
    assert "database went away" in line["detail"]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    failures = context.metrics.registry.get_sample_value(
        "aftersales_sync_failures_total", {"code": "internal_error"}
    )
    assert failures == 1


def test_jobs_do_nothing_without_a_running_service(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """With no service context installed the job functions return quietly."""
    monkeypatch.setattr(scheduler, "_context", None)
    scheduler.nightly_recalculation("team")
    scheduler.overdue_sweep("team")
    assert job_lines(caplog) == []
