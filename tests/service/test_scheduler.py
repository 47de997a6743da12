"""`SchedulerService` in one process: the jobs it stores, how it keeps them in step with the
registry, and leader election between services on their own engines (replicas in one process)."""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.api.app import build_context
from app.api.context import ServiceContext
from app.scheduler_leader import SchedulerService
from app.settings import Settings
from tests.service.conftest import PgSchema, check_sheet_jobs, job_states, wait_for
from tests.workbooks import NOW, case, write_workbook

SHEETS = {"team": "Asia/Shanghai", "delhi": "Asia/Kolkata"}
QUICK = 0.1  # poll interval for in-process elections


@pytest.fixture
def make_context(tmp_path: Path) -> Iterator[Callable[[str], ServiceContext]]:
    """Build service contexts (each with its own store, i.e. engine and pool) on a URL; their
    schedulers are stopped and stores closed afterwards."""
    built: list[ServiceContext] = []

    def make(url: str) -> ServiceContext:
        settings = Settings(
            environment="test",
            database_url=url,
            workbook=tmp_path / "unused.xlsx",
        )
        context = build_context(settings, clock=lambda: NOW)
        built.append(context)
        return context

    yield make
    for context in built:
        if context.scheduler is not None:
            context.scheduler.stop()
    for context in built:
        context.store.close()


def register(context: ServiceContext, tmp_path: Path, sheets: dict[str, str] = SHEETS) -> None:
    for sheet, zone in sheets.items():
        workbook = tmp_path / f"{sheet}.xlsx"
        if not workbook.exists():
            write_workbook(workbook, [case()])
        context.registry.add(sheet, kind="workbook", location=str(workbook), timezone=zone)


def start(context: ServiceContext, **kwargs: float) -> SchedulerService:
    service = SchedulerService(context, poll_seconds=kwargs.pop("poll_seconds", QUICK), **kwargs)
    context.scheduler = service
    service.start()
    return service


def stored(context: ServiceContext) -> dict[str, dict[str, object]]:
    with context.store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, job_state FROM apscheduler_jobs")).all()
    return job_states((r[0], r[1]) for r in rows)


def set_next_run(job_id: str, when: datetime, context: ServiceContext) -> None:
    """Rewrite a stored job's next run time (in its pickled state and the indexed column), as
    if the scheduler that stored it had stopped before that time."""
    state = stored(context)[job_id]
    state["next_run_time"] = when
    with context.store.engine.begin() as conn:
        conn.execute(
            text("UPDATE apscheduler_jobs SET next_run_time = :t, job_state = :s WHERE id = :id"),
            {"t": when.timestamp(), "s": pickle.dumps(state), "id": job_id},
        )


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/store.db"


# --- one replica (SQLite) ------------------------------------------------------------------------


def test_a_single_replica_leads_and_stores_two_jobs_per_sheet(
    make_context: Callable[[str], ServiceContext], tmp_path: Path
) -> None:
    """On SQLite the process leads at once and stores `nightly:<id>` (the sheet's own moment
    of the night window, in its zone) and `sweep:<id>` (every day, in working hours) for every
    registered sheet."""
    context = make_context(sqlite_url(tmp_path))
    register(context, tmp_path)
    service = start(context)

    assert service.state() == "leader"
    check_sheet_jobs(stored(context), SHEETS)
    assert set(service.next_runs()) == {f"{k}:{s}" for s in SHEETS for k in ("nightly", "sweep")}


def test_a_night_missed_while_no_replica_led_still_runs(
    make_context: Callable[[str], ServiceContext], tmp_path: Path
) -> None:
    """A nightly job whose stored next run time passed while no scheduler ran (the leader died
    just before the sheet's moment of the night) runs once when a scheduler leads again,
    within the grace period; it is not rescheduled to the next night."""
    context = make_context(sqlite_url(tmp_path))
    register(context, tmp_path, {"team": "Asia/Shanghai"})
    start(context).stop()
    set_next_run("nightly:team", datetime.now(UTC) - timedelta(minutes=10), context)

    start(context)
    key = context.registry.get("team").sheet_key
    wait_for(
        lambda: [r.trigger for r in context.store.list_runs(key)] == ["nightly"],
        15,
        what="the missed nightly run",
    )
    next_night = stored(context)["nightly:team"]["next_run_time"]
    assert isinstance(next_night, datetime) and next_night > datetime.now(UTC)


def test_the_leader_follows_registry_changes_without_a_restart(
    make_context: Callable[[str], ServiceContext], tmp_path: Path
) -> None:
    """A sheet registered while the service runs (`aftersales sheets add`) gets its jobs, a
    removed sheet loses them and a changed time zone moves them, without a restart."""
    context = make_context(sqlite_url(tmp_path))
    register(context, tmp_path, {"team": "Asia/Shanghai"})
    start(context, reschedule_seconds=0.2)

    register(context, tmp_path, {"delhi": "Asia/Kolkata"})
    wait_for(lambda: set(stored(context)) >= {"nightly:delhi", "sweep:delhi"}, 10, what="jobs")
    check_sheet_jobs(stored(context), SHEETS)

    context.registry.remove("delhi")
    context.registry.add(
        "team",
        kind="workbook",
        location=str(tmp_path / "team.xlsx"),
        timezone="Europe/Berlin",
        replace=True,
    )

    def moved() -> bool:
        jobs = stored(context)
        zones = {str(job["trigger"].timezone) for job in jobs.values()}  # type: ignore[attr-defined]
        return set(jobs) == {"nightly:team", "sweep:team"} and zones == {"Europe/Berlin"}

    wait_for(moved, 10, what="the registry change to reach the jobs")
    check_sheet_jobs(stored(context), {"team": "Europe/Berlin"})


# --- replicas on PostgreSQL ----------------------------------------------------------------------


def states(*services: SchedulerService) -> list[str]:
    return [s.state() for s in services]


@pytest.mark.postgres
def test_stopping_the_leader_hands_over_at_once(
    make_context: Callable[[str], ServiceContext], pg_schema: PgSchema, tmp_path: Path
) -> None:
    """Two services on one schema (separate engines): exactly one leads; when it stops, the
    other leads within a poll or two, even though the first one's store stays open (its lock
    must not stay behind on a pooled connection)."""
    a_ctx, b_ctx = make_context(pg_schema.url), make_context(pg_schema.url)
    register(a_ctx, tmp_path)
    a = start(a_ctx)
    wait_for(a.is_leader, 10, what="a to lead")
    b = start(b_ctx)
    time.sleep(5 * QUICK)
    assert states(a, b) == ["leader", "standby"]
    check_sheet_jobs(stored(a_ctx), SHEETS)

    a.stop()
    wait_for(b.is_leader, 5, what="b to take over")
    assert states(a, b) == ["standby", "leader"]
    check_sheet_jobs(stored(b_ctx), SHEETS)


@pytest.mark.postgres
def test_each_schema_elects_its_own_leader(
    make_context: Callable[[str], ServiceContext],
    make_pg_schema: Callable[[], PgSchema],
    tmp_path: Path,
) -> None:
    """Two deployments sharing one PostgreSQL database in separate schemas each have a leader
    (the leader lock is per database and schema, not one for the whole server)."""
    services = []
    for _ in range(2):
        context = make_context(make_pg_schema().url)
        register(context, tmp_path, {"team": "Asia/Shanghai"})
        services.append(start(context))
    wait_for(lambda: all(s.is_leader() for s in services), 10, what="both schemas to lead")


@pytest.mark.postgres
def test_a_replica_whose_scheduler_fails_to_start_lets_another_lead(
    make_context: Callable[[str], ServiceContext],
    pg_schema: PgSchema,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A replica that wins the election but cannot start its scheduler reports 'failed', shuts
    its half-started scheduler down and gives the lock up, so another replica leads."""
    a_ctx, b_ctx = make_context(pg_schema.url), make_context(pg_schema.url)
    register(a_ctx, tmp_path)

    def unreadable() -> list[object]:
        raise RuntimeError("permission denied for table sheets")

    monkeypatch.setattr(a_ctx.registry, "list", unreadable)
    a = start(a_ctx, poll_seconds=0.5)
    wait_for(lambda: a.state() == "failed", 10, what="a to fail")
    assert a.scheduler is None

    b = start(b_ctx, poll_seconds=0.05)
    wait_for(b.is_leader, 10, what="b to lead instead")
    assert a.state() == "failed" and not a.is_leader()
    check_sheet_jobs(stored(b_ctx), SHEETS)
