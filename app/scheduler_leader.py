"""Which replica runs the scheduler, and the scheduler's life on it (the jobs: scheduler.py).

Exactly one scheduler runs: on SQLite (one replica) the process runs it; on PostgreSQL the
replica holding an advisory lock runs it, and another takes over when that replica stops (its
connection, and with it the lock, goes away). The lock is per database and schema, so
deployments that share a database in separate schemas each have a leader. The leader re-reads
the registry every `reschedule_seconds`: sheets added or removed while it runs (`aftersales
sheets add`) get or lose their jobs without a restart.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from datetime import datetime

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.scheduler import SchedulerContext, add_service_jobs, bind, schedule_sheets
from app.service.locks import PostgresLocks

log = logging.getLogger("aftersales.scheduler")
LEADER_LOCK_NAME = "aftersales:scheduler-leader"


def leader_lock_name(conn: Connection) -> str:
    """The leader lock of the store `conn` is in: one per database and schema."""
    database, schema = conn.execute(text("SELECT current_database(), current_schema()")).one()
    return f"{LEADER_LOCK_NAME}:{database}:{schema}"


class SchedulerService:
    """Runs the scheduler on the one replica that leads, and hands it over when that one stops."""

    def __init__(
        self,
        context: SchedulerContext,
        *,
        poll_seconds: float = 5.0,
        reschedule_seconds: float = 60.0,
    ) -> None:
        self.context = context
        self.poll_seconds = poll_seconds
        self.reschedule_seconds = reschedule_seconds
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = threading.RLock()  # becoming leader, stepping down, (re)scheduling
        self._leader = False
        self._failed = False

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        bind(self.context)
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
        """Make the stored jobs match the registry: a nightly and a sweep job per registered
        sheet. A job that is already stored with the same trigger is left alone (it keeps its
        next run time); a changed one is replaced; jobs of sheets no longer registered are
        removed. Returns the job ids of the registered sheets."""
        with self._state:
            if self.scheduler is None:
                raise RuntimeError("no scheduler runs here: this replica does not lead")
            return self._schedule(self.scheduler)

    def _schedule(self, scheduler: BackgroundScheduler) -> list[str]:
        with self._state:
            return schedule_sheets(scheduler, self.context)

    def next_runs(self) -> dict[str, datetime | None]:
        scheduler = self.scheduler
        if scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in scheduler.get_jobs(jobstore="default")}

    def _refresh(self) -> None:
        try:
            self.schedule_all()
        except Exception:
            log.warning("could not re-read the sheet registry; keeping the jobs", exc_info=True)

    # -- leadership ----------------------------------------------------------------------------

    def _become_leader(self) -> None:
        with self._state:
            if self._stop.is_set():
                return
            scheduler = BackgroundScheduler(
                jobstores={
                    "default": SQLAlchemyJobStore(engine=self.context.store.engine),
                    "memory": MemoryJobStore(),
                },
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
                timezone="UTC",
            )
            try:
                scheduler.start()
                self._schedule(scheduler)
                add_service_jobs(scheduler, self._refresh, self.reschedule_seconds)
            except Exception:
                log.exception("the scheduler failed to start")
                self._failed = True
                with contextlib.suppress(Exception):  # it may not have started
                    scheduler.shutdown(wait=False)
                return
            self.scheduler = scheduler
            self._leader = True
            self._failed = False
        log.info(json.dumps({"event": "scheduler", "state": "leader"}))

    def _step_down(self) -> None:
        with self._state:
            if self.scheduler is not None:
                with contextlib.suppress(Exception):  # already stopped
                    self.scheduler.shutdown(wait=False)
                self.scheduler = None
            was_leader, self._leader = self._leader, False
        if was_leader:
            log.info(json.dumps({"event": "scheduler", "state": "standby"}))

    def _elect(self) -> None:
        """Hold the leader lock (`PostgresLocks`, on a connection of its own); retry while
        another replica has it.

        A replica whose scheduler fails to start gives the lock up (and tries again later), so
        that another replica can lead; stepping down releases the lock at once."""
        engine = self.context.store.engine
        locks = PostgresLocks(engine, poll_seconds=self.poll_seconds)
        name: str | None = None
        while not self._stop.is_set():
            try:
                if name is None:
                    with engine.connect() as conn:
                        name = leader_lock_name(conn)
                # Not waiting inside the lock helper: a stop must end the campaign at once.
                with locks.holding(name, wait=False) as holder:
                    if holder is not None:
                        try:
                            self._lead(holder)
                        finally:
                            self._step_down()
            except Exception:
                log.warning("lost the scheduler's database connection; standing by")
                self._step_down()
            self._stop.wait(self.poll_seconds)

    def _lead(self, conn: Connection) -> None:
        """Run the scheduler while the lock's connection lives; return to step down."""
        self._become_leader()
        if not self._leader:
            return
        while not self._stop.wait(self.poll_seconds):
            conn.execute(text("SELECT 1"))  # the lock lives as long as this does
            conn.commit()
