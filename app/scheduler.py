"""The scheduler: a nightly full recalculation and an overdue sweep, per registered sheet.

APScheduler 3.x (4.x is a pre-release). Jobs live in the store's database (SQLAlchemyJobStore),
with `coalesce=True`, `max_instances=1` and a misfire grace period, so a restart neither loses
nor repeats a night. Exactly one scheduler runs: on SQLite (one replica) the process runs it;
on PostgreSQL the replica holding an advisory lock runs it, and another takes over when that
replica stops (its connection, and with it the lock, goes away).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text

from app.errors import AftersalesError
from app.service.locks import lock_key

if TYPE_CHECKING:
    from app.api.context import ServiceContext

log = logging.getLogger("aftersales.scheduler")
LEADER_LOCK = lock_key("aftersales:scheduler-leader")
NIGHTLY_HOUR = 2
SWEEP_MINUTES = "*/15"

# The running service's context, for job functions (APScheduler stores jobs by reference to a
# module-level function plus arguments, so the functions find the context here).
_context: ServiceContext | None = None


def nightly_recalculation(sheet_id: str) -> None:
    """Full recalculation of one sheet (layout repaired too)."""
    _run_job("nightly", sheet_id, full=True)


def overdue_sweep(sheet_id: str) -> None:
    """Sync one sheet inside the team's working hours so what just went overdue is flagged."""
    context = _context
    if context is None:
        return
    entry = context.registry.get(sheet_id)
    team = context.engine_team(entry)
    from policies import build_calendars

    now = context.clock()
    if not build_calendars(team).team.is_working_time(now):
        _log("sweep", sheet_id, outcome="skipped", reason="outside working hours")
        return
    _run_job("sweep", sheet_id, full=False)


def _run_job(trigger: str, sheet_id: str, *, full: bool) -> None:
    context = _context
    if context is None:
        return
    started = time.perf_counter()
    try:
        result = context.coordinator.run(sheet_id, trigger=trigger, full=full)
    except AftersalesError as exc:
        context.metrics.syncs.labels(trigger, "failed").inc()
        _log(trigger, sheet_id, outcome="failed", error=exc.code, detail=exc.message)
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


def _log(trigger: str, sheet_id: str, **fields: Any) -> None:
    """One structured line per job run."""
    log.info(json.dumps({"event": "job", "job": trigger, "sheet": sheet_id, **fields}, default=str))


def sweep_hours(context: ServiceContext) -> str:
    """The hours of the day the team works (e.g. '9-18'), for the sweep's cron trigger."""
    starts, ends = [], []
    for slots in context.team.working_hours.values():
        for start, end in slots:
            starts.append(start // 60)
            ends.append((end - 1) // 60)
    return f"{min(starts, default=9)}-{max(ends, default=18)}"


class SchedulerService:
    def __init__(self, context: ServiceContext, *, poll_seconds: float = 5.0) -> None:
        self.context = context
        self.poll_seconds = poll_seconds
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._leader = False
        self._failed = False

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        global _context
        _context = self.context
        if self.context.store.dialect == "postgresql":
            self._thread = threading.Thread(
                target=self._elect, name="scheduler-leader", daemon=True
            )
            self._thread.start()
        else:
            self._become_leader()

    def stop(self) -> None:
        self._stop.set()
        self._step_down()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def state(self) -> str:
        if self._failed:
            return "failed"
        return "leader" if self._leader else "standby"

    def is_leader(self) -> bool:
        return self._leader

    # -- jobs ----------------------------------------------------------------------------------

    def schedule_all(self) -> list[str]:
        """(Re)create the two jobs of every registered sheet; returns the job ids."""
        assert self.scheduler is not None
        ids = []
        hours = sweep_hours(self.context)
        for entry in self.context.registry.list():
            tz = ZoneInfo(entry.timezone)
            nightly = f"nightly:{entry.id}"
            self.scheduler.add_job(
                nightly_recalculation,
                CronTrigger(hour=NIGHTLY_HOUR, minute=0, timezone=tz),
                id=nightly,
                args=[entry.id],
                replace_existing=True,
            )
            sweep = f"sweep:{entry.id}"
            # Named weekdays: APScheduler 3 numbers days from Monday = 0, unlike crontab.
            self.scheduler.add_job(
                overdue_sweep,
                CronTrigger(day_of_week="mon-fri", hour=hours, minute=SWEEP_MINUTES, timezone=tz),
                id=sweep,
                args=[entry.id],
                replace_existing=True,
            )
            ids += [nightly, sweep]
        return ids

    def next_runs(self) -> dict[str, datetime | None]:
        if self.scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    # -- leadership ----------------------------------------------------------------------------

    def _become_leader(self) -> None:
        try:
            self.scheduler = BackgroundScheduler(
                jobstores={"default": SQLAlchemyJobStore(engine=self.context.store.engine)},
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
                timezone="UTC",
            )
            self.scheduler.start()
            self.schedule_all()
        except Exception:
            log.exception("the scheduler failed to start")
            self._failed = True
            return
        self._leader = True
        log.info(json.dumps({"event": "scheduler", "state": "leader"}))

    def _step_down(self) -> None:
        if self.scheduler is not None:
            with contextlib.suppress(Exception):  # already stopped
                self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self._leader:
            log.info(json.dumps({"event": "scheduler", "state": "standby"}))
        self._leader = False

    def _elect(self) -> None:
        """Hold the leader lock on a dedicated connection; retry while another replica has it."""
        engine = self.context.store.engine
        while not self._stop.is_set():
            try:
                with engine.connect() as conn:
                    while not self._stop.is_set():
                        got = conn.execute(
                            text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK}
                        ).scalar()
                        conn.commit()
                        if got:
                            break
                        self._stop.wait(self.poll_seconds)
                    if self._stop.is_set():
                        return
                    self._become_leader()
                    while not self._stop.wait(self.poll_seconds):
                        conn.execute(text("SELECT 1"))  # the lock lives as long as this does
                        conn.commit()
            except Exception:
                log.warning("lost the scheduler's database connection; standing by")
            finally:
                self._step_down()
            self._stop.wait(self.poll_seconds)
