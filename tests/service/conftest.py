"""Fixtures for the multi-process tests: a private PostgreSQL schema per test, real
`aftersales serve` processes on free loopback ports, and HMAC-signed requests to them.

Isolation (pytest-xdist safe): every test gets its own schema (`service_test_<random>`), chosen
through the URL's libpq `options=-csearch_path=...`, and its own `application_name`, so that the
teardown can end any connection still open on the schema before dropping it. Processes are
always killed by the fixture's finalizer. When PostgreSQL is unreachable the tests fail if `CI`
is set, else they skip (see `tests.store.conftest.require_postgres`).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import make_url

from app.auth import derive_sheet_secret, sign_request
from app.schedule_offsets import ScheduleSettings, nightly_time, sweep_offset
from tests.store.conftest import POSTGRES_URL, libpq_uri, require_postgres
from tests.workbooks import case, write_workbook

REPO = Path(__file__).resolve().parents[2]
AFTERSALES = REPO / ".venv" / "bin" / "aftersales"
STARTUP_SECONDS = 30.0
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- PostgreSQL ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgSchema:
    """A private schema in the test database, and a URL whose connections use it."""

    name: str
    url: str

    def connect(self) -> psycopg.Connection[Any]:
        """A psycopg connection (autocommit) inside the schema, for checking what is stored."""
        return psycopg.connect(libpq_uri(make_url(self.url)), autocommit=True)


@pytest.fixture
def make_pg_schema() -> Iterator[Callable[[], PgSchema]]:
    """Make fresh schemas; each is dropped afterwards, after ending any connection to it."""
    require_postgres()
    base = make_url(POSTGRES_URL)
    made: list[str] = []

    def make() -> PgSchema:
        name = f"service_test_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(libpq_uri(base), autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{name}"')
        made.append(name)
        query = {"options": f"-csearch_path={name}", "application_name": name}
        return PgSchema(name, base.update_query_dict(query).render_as_string(hide_password=False))

    try:
        yield make
    finally:
        with psycopg.connect(libpq_uri(base), autocommit=True) as admin:
            admin.execute("SET lock_timeout = '10s'")
            for name in made:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
                admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def pg_schema(make_pg_schema: Callable[[], PgSchema]) -> PgSchema:
    """A fresh schema of the test database, private to this test."""
    return make_pg_schema()


# --- workbooks -------------------------------------------------------------------------------


def many_cases(path: Path, count: int, now: datetime | None = None) -> Path:
    """A workbook with `count` valid cases opened in the ten days before `now` (default: the
    real time, which is what a service process syncs at): a live sheet that takes seconds."""
    local = (now or datetime.now(UTC)).astimezone(SHANGHAI).replace(tzinfo=None)
    platforms = ("Superbuy", "Bhiner", "Yoybuy")
    rows = [
        case(
            **{
                "Case ID": f"AS-S-{i:05d}",
                "Order No.": f"OR{i:08d}",
                "Platform": platforms[i % 3],
                "Opened": local - timedelta(hours=1 + i % 240),
                "Window Start": (local - timedelta(days=12)).replace(hour=0, minute=0),
                "Video Proof": "Yes",
            }
        )
        for i in range(count)
    ]
    return write_workbook(path, rows)


# --- service processes -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def service_env(database_url: str, workdir: Path, master: str, **extra: str) -> dict[str, str]:
    """The environment of an `aftersales` process: ours only, no inherited AFTERSALES_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env.update(
        {
            "AFTERSALES_DATABASE_URL": database_url,
            "AFTERSALES_ENVIRONMENT": "test",
            "AFTERSALES_AUTH__HMAC_MASTER_SECRET": master,
            "AFTERSALES_WORKBOOK": str(workdir / "unused.xlsx"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


@dataclass
class Server:
    """One `aftersales serve` process, with helpers for signed requests."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    master: str
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=45.0)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def wait_healthy(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(
                    f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if self.client.get("/healthz", timeout=1.0).status_code == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"{self.name} did not answer /healthz in time:\n{self.log_tail()}")

    def signed(self, method: str, path: str, *, sheet: str | None = None) -> httpx.Response:
        """A request signed with the sheet's key (or the master secret); a nonce in the query
        keeps every signature unique, so quick repeats are not refused as replays."""
        target = f"{path}?nonce={uuid.uuid4().hex}"
        key = derive_sheet_secret(self.master, sheet) if sheet is not None else self.master
        headers = sign_request(key, method, target, b"", int(time.time()))
        return self.client.request(method, target, headers=headers)

    def sync_now(self, sheet: str) -> httpx.Response:
        return self.signed("POST", f"/v1/sheets/{sheet}/sync", sheet=sheet)

    def scheduler_state(self) -> str | None:
        """`scheduler` from /readyz, or None when the process does not answer."""
        try:
            response = self.signed("GET", "/readyz")
        except httpx.HTTPError:
            return None
        state: str | None = response.json().get("scheduler")
        return state

    def stop(self, sig: int = signal.SIGTERM, grace: float = 10.0) -> int:
        """Send `sig`; SIGKILL after `grace` seconds; returns the exit code."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.client.close()
        return self.proc.returncode


ServerFactory = Callable[..., list[Server]]


@pytest.fixture
def master_secret() -> str:
    return secrets.token_hex(32)


@pytest.fixture
def servers(tmp_path: Path, master_secret: str) -> Iterator[ServerFactory]:
    """Start `aftersales serve` processes (in parallel) and wait until each answers /healthz.

    Every process started here is killed when the test ends, whatever happened."""
    started: list[Server] = []

    def start(
        count: int, database_url: str, *, env: Mapping[str, str] | None = None
    ) -> list[Server]:
        batch = []
        for _ in range(count):
            n = len(started) + 1
            port = free_port()
            workdir = tmp_path / f"proc{n}"
            workdir.mkdir()
            log = workdir / "serve.log"
            with log.open("wb") as sink:
                proc = subprocess.Popen(
                    [str(AFTERSALES), "serve", "--port", str(port)],
                    cwd=workdir,  # no .env from the repository, no dev secret file
                    env=service_env(database_url, workdir, master_secret, **(env or {})),
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            server = Server(f"process {n} (port {port})", port, proc, log, master_secret)
            started.append(server)
            batch.append(server)
        deadline = time.monotonic() + STARTUP_SECONDS
        for server in batch:
            server.wait_healthy(deadline)
        return batch

    try:
        yield start
    finally:
        for server in started:
            if server.alive():
                server.proc.kill()
        for server in started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.proc.wait(timeout=10)
            server.client.close()


def wait_for(
    condition: Callable[[], bool], timeout: float, interval: float = 0.1, what: str = ""
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


# --- scheduler jobs ----------------------------------------------------------------------------


def job_states(rows: Iterable[tuple[str, bytes]]) -> dict[str, dict[str, Any]]:
    """`apscheduler_jobs` rows (id, job_state) as APScheduler's own job state dicts."""
    return {job_id: pickle.loads(state) for job_id, state in rows}


def check_sheet_jobs(states: Mapping[str, dict[str, Any]], sheets: Mapping[str, str]) -> None:
    """The stored jobs are a nightly and a sweep job per sheet (`sheets`: id -> time zone):
    nightly at the sheet's own moment of the night window (01:00-05:00 in its zone); the sweep
    every 15 minutes of working hours at the sheet's own offset, Monday to Friday (checked with
    APScheduler's trigger objects on known dates)."""
    assert set(states) == {f"{kind}:{s}" for s in sheets for kind in ("nightly", "sweep")}
    now = datetime.now(UTC)
    for sheet, zone in sheets.items():
        tz = ZoneInfo(zone)
        nightly, sweep = states[f"nightly:{sheet}"], states[f"sweep:{sheet}"]
        assert (nightly["func"], nightly["args"]) == (
            "app.scheduler:nightly_recalculation",
            (sheet,),
        )
        assert (sweep["func"], sweep["args"]) == ("app.scheduler:overdue_sweep", (sheet,))
        for state in (nightly, sweep):
            assert isinstance(state["trigger"], CronTrigger)
            assert str(state["trigger"].timezone) == zone
            assert state["coalesce"] is True and state["max_instances"] == 1

        at = nightly_time(sheet, ScheduleSettings())
        assert clock_time(1, 0) <= at < clock_time(5, 0), at
        next_night = nightly["next_run_time"].astimezone(tz)
        assert next_night.time() == at, next_night
        assert timedelta(days=-1) < next_night - now <= timedelta(days=1)
        friday_noon = datetime(2025, 10, 10, 12, 0, tzinfo=tz)
        assert nightly["trigger"].get_next_fire_time(None, friday_noon) == datetime.combine(
            date(2025, 10, 11), at, tzinfo=tz
        )

        into = sweep_offset(sheet)
        assert timedelta(0) <= into < timedelta(minutes=15)
        fields = {f.name: str(f) for f in sweep["trigger"].fields}
        assert fields["day_of_week"] == "*"  # every day: the job checks the team calendar
        fire = sweep["trigger"].get_next_fire_time
        monday_9 = datetime(2025, 10, 13, 9, 0, tzinfo=tz) + into
        saturday_9 = datetime(2025, 10, 11, 9, 0, tzinfo=tz) + into
        # 11 October 2025 is one of China's make-up working Saturdays: the trigger fires on
        # weekends too, and the job asks the team calendar whether it is working time.
        assert fire(None, datetime(2025, 10, 11, 10, 0, tzinfo=tz)) == saturday_9 + timedelta(
            hours=1
        )
        assert fire(None, datetime(2025, 10, 12, 23, 0, tzinfo=tz)) == monday_9  # Sunday night
        assert fire(None, datetime(2025, 10, 10, 19, 0, tzinfo=tz)) == saturday_9  # Friday, late
        friday = datetime(2025, 10, 10, 10, 7, tzinfo=tz)
        quarters = [
            datetime(2025, 10, 10, 10, 0, tzinfo=tz) + q * timedelta(minutes=15) + into
            for q in range(5)
        ]
        assert fire(None, friday) == min(q for q in quarters if q >= friday)
