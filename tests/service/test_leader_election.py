"""Scheduler leader election between real `aftersales serve` processes on one PostgreSQL schema:
exactly one leads, the jobs are persisted in `apscheduler_jobs`, and when the leader stops
(SIGTERM) or dies (SIGKILL) another process takes over."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.registry import SheetRegistry
from app.store import Store
from tests.service.conftest import (
    PgSchema,
    Server,
    ServerFactory,
    check_sheet_jobs,
    job_states,
)
from tests.workbooks import case, write_workbook

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SHEETS = {"team": "Asia/Shanghai", "delhi": "Asia/Kolkata"}
POLL = 5.0  # SchedulerService's default poll interval
TAKEOVER = 30.0  # what we allow for a takeover (a poll interval or two, on a busy machine)


def single_leader(processes: list[Server], timeout: float) -> Server:
    """Wait until exactly one live process says 'leader' and all the others 'standby'; fail
    at once if two ever lead together."""
    deadline = time.monotonic() + timeout
    seen: list[str | None] = []
    while time.monotonic() < deadline:
        seen = [p.scheduler_state() for p in processes]
        leaders = [p for p, state in zip(processes, seen, strict=True) if state == "leader"]
        assert len(leaders) <= 1, f"two leaders at once: {seen}"
        if leaders and seen.count("standby") == len(processes) - 1:
            return leaders[0]
        time.sleep(0.2)
    logs = "\n\n".join(f"{p.name}:\n{p.log_tail(15)}" for p in processes)
    raise AssertionError(f"no single leader after {timeout} s: {seen}\n{logs}")


def stored_jobs(schema: PgSchema) -> dict[str, dict[str, object]]:
    with schema.connect() as conn:
        rows = conn.execute("SELECT id, job_state FROM apscheduler_jobs ORDER BY id").fetchall()
    return job_states(rows)


def test_one_leader_and_takeover_after_sigterm_and_sigkill(
    pg_schema: PgSchema, servers: ServerFactory, tmp_path: Path
) -> None:
    """Of three processes with the scheduler enabled exactly one leads (/readyz), its jobs
    `nightly:<id>` and `sweep:<id>` are stored with the expected triggers; after SIGTERM of the
    leader one of the others leads within the poll interval, keeping the stored jobs; after
    SIGKILL of that one the last process leads."""
    began = time.monotonic()
    with Store.open(pg_schema.url) as store:
        registry = SheetRegistry(store)
        for sheet, zone in SHEETS.items():
            workbook = write_workbook(tmp_path / f"{sheet}.xlsx", [case()])
            registry.add(sheet, kind="workbook", location=str(workbook), timezone=zone)

    processes = servers(3, pg_schema.url, env={"AFTERSALES_SCHEDULER_ENABLED": "true"})
    first = single_leader(processes, TAKEOVER)
    jobs = stored_jobs(pg_schema)
    check_sheet_jobs(jobs, SHEETS)

    # A clean shutdown (uvicorn re-raises the signal once its lifespan has finished), not the
    # SIGKILL fallback of `stop`.
    assert first.stop(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert '"state": "standby"' in first.log_tail(5)
    assert "Application shutdown complete" in first.log_tail(5)
    stopped = time.monotonic()
    rest = [p for p in processes if p is not first]
    second = single_leader(rest, TAKEOVER)
    took = time.monotonic() - stopped
    assert took < 3 * POLL, f"takeover after SIGTERM took {took:.1f} s"
    after = stored_jobs(pg_schema)
    check_sheet_jobs(after, SHEETS)
    # The new leader left the stored jobs alone (unless the night came and went meanwhile).
    night = jobs["nightly:team"]["next_run_time"]
    assert isinstance(night, datetime)
    assert after["nightly:team"]["next_run_time"] == night or datetime.now(UTC) > night

    second.stop(signal.SIGKILL)  # a crash: the lock goes with the dead session
    [last] = [p for p in rest if p is not second]
    assert single_leader([last], TAKEOVER) is last
    check_sheet_jobs(stored_jobs(pg_schema), SHEETS)
    assert time.monotonic() - began < 60
