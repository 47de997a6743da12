"""The scheduler: a nightly full recalculation and an overdue sweep, per registered sheet.

Each sheet's jobs fire at its own stable offset (schedule_offsets.py): nightly recalculations are
spread over the night window (01:00-05:00 in the sheet's zone by default), sweeps over each
quarter of an hour, so that many sheets never start together (Google's quota is shared).

APScheduler 3.x (4.x is a pre-release). Jobs live in the store's database (SQLAlchemyJobStore),
with `coalesce=True`, `max_instances=1` and a misfire grace period, so a restart neither loses
nor repeats a night: a stored job whose trigger is unchanged keeps its next run time when a
(new) leader schedules the registry again, so a night that fell while no replica led still runs
once within the grace period. The job functions live here, at module level, because the job
store keeps them by reference ("app.scheduler:nightly_recalculation"); which replica runs the
scheduler, and its start and stop, are in scheduler_leader.py.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from app.errors import AftersalesError
from app.notify.delivery import DeliveryReport
from app.registry import SheetEntry, SheetRegistry
from app.schedule_offsets import nightly_trigger, sweep_trigger
from app.service.coordinator import SyncCoordinator, SyncResult
from app.service.metrics import Metrics
from app.settings import Settings
from app.store import Store
from policies import TeamSettings

log = logging.getLogger("aftersales.scheduler")
DELIVERY_JOB = "deliver-outbox"
DELIVERY_SECONDS = 60
SHEET_JOBS = ("nightly", "sweep")  # job ids are f"{kind}:{sheet id}"
REFRESH_JOB = "registry-refresh"  # in memory: it calls a bound method, which cannot be stored


class SchedulerContext(Protocol):
    """What the scheduler and its jobs use of the running service (app/api/context.py's
    `ServiceContext`; the composition root builds the scheduler on it)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def registry(self) -> SheetRegistry: ...

    @property
    def team(self) -> TeamSettings: ...

    @property
    def metrics(self) -> Metrics: ...

    @property
    def coordinator(self) -> SyncCoordinator: ...

    def clock(self) -> datetime: ...

    def engine_team(self, entry: SheetEntry) -> TeamSettings: ...

    def record_metrics(self, trigger: str, result: SyncResult) -> None: ...

    def deliver_notifications(self, now: datetime) -> DeliveryReport | None: ...


# The running service's context, for job functions (APScheduler stores jobs by reference to a
# module-level function plus arguments, so the functions find the context here).
_context: SchedulerContext | None = None


def nightly_recalculation(sheet_id: str) -> None:
    """Full recalculation of one sheet (layout repaired too)."""
    _run_job("nightly", sheet_id, full=True)


def overdue_sweep(sheet_id: str) -> None:
    """Sync one sheet inside the team's working hours so what just went overdue is flagged."""
    context = _context
    if context is None:
        return
    from policies import build_calendars

    try:
        entry = context.registry.get(sheet_id)
        now = context.clock()
        working = build_calendars(context.engine_team(entry)).team.is_working_time(now)
    except Exception as exc:
        _failed(context, "sweep", sheet_id, exc)
        return
    if not working:
        _log("sweep", sheet_id, outcome="skipped", reason="outside working hours")
        return
    _run_job("sweep", sheet_id, full=False)


def deliver_notifications() -> None:
    """Send the outbox's due messages (inside the team's working hours); one log line."""
    context = _context
    if context is None:
        return
    try:
        report = context.deliver_notifications(context.clock())
    except Exception as exc:
        log.exception(json.dumps({"event": "job", "job": "deliver", "outcome": "failed"}))
        context.metrics.failures.labels(type(exc).__name__).inc()
        return
    if report is not None and (report.attempted or report.failed):
        log.info(
            json.dumps(
                {
                    "event": "job",
                    "job": "deliver",
                    "attempted": report.attempted,
                    "sent": report.sent,
                    "retrying": report.retrying,
                    "failed": report.failed,
                }
            )
        )


def _run_job(trigger: str, sheet_id: str, *, full: bool) -> None:
    context = _context
    if context is None:
        return
    started = time.perf_counter()
    try:
        result = context.coordinator.run(sheet_id, trigger=trigger, full=full)
    except Exception as exc:
        _failed(context, trigger, sheet_id, exc)
        return
    context.record_metrics(trigger, result)
    _log(
        trigger,
        sheet_id,
        outcome=result.outcome,
        run_id=result.run_id,
        joined=result.joined,
        ms=int((time.perf_counter() - started) * 1000),
        **result.counts,
    )


def _failed(context: SchedulerContext, trigger: str, sheet_id: str, exc: Exception) -> None:
    """The one line of a job that failed; an unexpected error carries its traceback on it."""
    context.metrics.syncs.labels(trigger, "failed").inc()
    if isinstance(exc, AftersalesError):
        context.metrics.failures.labels(exc.code).inc()
        _log(trigger, sheet_id, outcome="failed", error=exc.code, detail=exc.message)
        return
    context.metrics.failures.labels("internal_error").inc()
    fields = {"outcome": "failed", "error": "internal_error", "detail": repr(exc)}
    _emit(logging.ERROR, trigger, sheet_id, fields, exc_info=exc)


def _log(trigger: str, sheet_id: str, **fields: Any) -> None:
    """One structured line per job run."""
    _emit(logging.INFO, trigger, sheet_id, fields)


def _emit(
    level: int,
    trigger: str,
    sheet_id: str,
    fields: dict[str, Any],
    exc_info: BaseException | None = None,
) -> None:
    line = json.dumps({"event": "job", "job": trigger, "sheet": sheet_id, **fields}, default=str)
    log.log(level, line, exc_info=exc_info)


def sweep_hours(context: SchedulerContext) -> str:
    """The hours of the day the team works (e.g. '9-18'), for the sweep's cron trigger."""
    starts, ends = [], []
    for slots in context.team.working_hours.values():
        for start, end in slots:
            starts.append(start // 60)
            ends.append((end - 1) // 60)
    return f"{min(starts, default=9)}-{max(ends, default=18)}"


def _same_job(job: Job, func: Callable[[str], None], trigger: CronTrigger, sheet_id: str) -> bool:
    return (
        job.func_ref == f"{func.__module__}:{func.__qualname__}"
        and tuple(job.args) == (sheet_id,)
        and repr(job.trigger) == repr(trigger)
    )


def schedule_sheets(scheduler: BackgroundScheduler, context: SchedulerContext) -> list[str]:
    """Make the stored jobs match the registry: a nightly and a sweep job per registered sheet.
    A job already stored with the same trigger is left alone (it keeps its next run time); a
    changed one is replaced; jobs of sheets no longer registered are removed. Returns the job
    ids of the registered sheets."""
    hours = sweep_hours(context)
    night = context.settings.schedule
    wanted: dict[str, tuple[Callable[[str], None], CronTrigger, str]] = {}
    for entry in context.registry.list():
        tz = ZoneInfo(entry.timezone)
        wanted[f"nightly:{entry.id}"] = (
            nightly_recalculation,
            nightly_trigger(entry.id, tz, night),
            entry.id,
        )
        wanted[f"sweep:{entry.id}"] = (overdue_sweep, sweep_trigger(entry.id, tz, hours), entry.id)
    stored = {job.id: job for job in scheduler.get_jobs(jobstore="default")}
    for job_id in stored.keys() - wanted.keys():
        if job_id.partition(":")[0] in SHEET_JOBS:
            scheduler.remove_job(job_id, jobstore="default")
    for job_id, (func, trigger, sheet_id) in wanted.items():
        job = stored.get(job_id)
        if job is not None and _same_job(job, func, trigger, sheet_id):
            continue
        scheduler.add_job(
            func,
            trigger,
            id=job_id,
            args=[sheet_id],
            jobstore="default",
            replace_existing=True,
        )
    return list(wanted)


def add_service_jobs(
    scheduler: BackgroundScheduler, refresh: Callable[[], None], refresh_seconds: float
) -> None:
    """The leader's jobs kept in memory: re-reading the registry (`refresh`) and delivering the
    outbox (only the leader delivers, so a message is never sent twice)."""
    scheduler.add_job(
        refresh, "interval", seconds=refresh_seconds, id=REFRESH_JOB, jobstore="memory"
    )
    scheduler.add_job(
        deliver_notifications,
        "interval",
        seconds=DELIVERY_SECONDS,
        id=DELIVERY_JOB,
        jobstore="memory",
    )


def bind(context: SchedulerContext) -> None:
    """Give the job functions the running service's context (the leader does, on start)."""
    global _context
    _context = context
