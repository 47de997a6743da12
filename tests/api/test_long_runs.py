"""Long syncs over HTTP (issue 19): a press not done within the bound is answered 202 with the
run to poll; polling shows the run's progress move and then its summary; a second press joins
the run; a press that must wait for the sheet's lock gets a queued run to poll. On SQLite and
PostgreSQL (the progress and the queued run live in the store)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api.app import create_app
from app.errors import BackendUnavailableError
from app.sheets.backend import SheetBackend
from tests.api.conftest import api_settings
from tests.api.support import SHEET, Api, Clock
from tests.auth.conftest import cert_server, google_key  # noqa: F401  (fixtures, reused)
from tests.auth.support import METRICS_TOKEN, CertServer, SigningKey, bearer
from tests.service.conftest import PgSchema, make_pg_schema  # noqa: F401  (fixture, reused)
from tests.workbooks import case, records, write_workbook

WAIT = 60.0  # seconds a step of these tests may take before it counts as hung
TWIN = "desk-twin"  # the same sheet, synced by a press that waits for its summary
CUSTOMERS = ("王芳", "李娜", "Emma Wilson", "张伟 (VIP)", "陈静", "刘洋")
PLATFORMS = ("Superbuy", "superbuy", "Bhiner", "Yoybuy", "SUPERBUY ")


def team_cases(count: int) -> list[dict[str, Any]]:
    """`count` cases as a team types them: mixed platform spellings, Chinese names, notes."""
    return [
        case(
            **{
                "Case ID": f"AS-L-{i:04d}",
                "Platform": PLATFORMS[i % len(PLATFORMS)],
                "Order No.": f"OR{20251000 + i}",
                "Customer": CUSTOMERS[i % len(CUSTOMERS)],
                "Opened": datetime(2025, 10, 9, 9, 30) - timedelta(hours=i % 200),
                "Video Proof": "是" if i % 2 else "No",
                "Notes": "客户说包装破了" if i % 7 == 0 else None,
            }
        )
        for i in range(count)
    ]


class GatedBackend:
    """The sheet's backend, with its first read and its first write held until the test opens
    their gates (`reading` / `writing` say one is waiting); `fail_write` makes the write fail."""

    def __init__(self, inner: SheetBackend) -> None:
        self._inner = inner
        self.read_gate = threading.Event()
        self.write_gate = threading.Event()
        self.reading = threading.Event()
        self.writing = threading.Event()
        self.fail_write: Exception | None = None

    def read(self, select: Any, narrow: Any = None, let_go: Any = None) -> Any:
        self.reading.set()
        assert self.read_gate.wait(WAIT), "the test never let the read go on"
        return self._inner.read(select, narrow, let_go)

    def write(self, *args: Any, **kwargs: Any) -> Any:
        self.writing.set()
        assert self.write_gate.wait(WAIT), "the test never let the write go on"
        if self.fail_write is not None:
            raise self.fail_write
        return self._inner.write(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@dataclass
class LongApi:
    api: Api
    backend: GatedBackend
    cases: int
    polls: list[dict[str, Any]] = field(default_factory=list)

    def press(self, action: str = "sync", query: str = "") -> Any:
        return self.api.signed("POST", f"/v1/sheets/{SHEET}/{action}{query}")

    def poll(self, location: str) -> dict[str, Any]:
        body: dict[str, Any] = self.api.get(f"{location}?writes=false")
        self.polls.append(body)
        return body

    def poll_until(self, location: str, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            body = self.poll(location)
            if done(body):
                return body
            time.sleep(0.05)
        raise AssertionError(f"{location} never got there; last seen {self.polls[-1:]}")


@pytest.fixture(params=["sqlite", "postgresql"])
def long_api(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    cert_server: CertServer,  # noqa: F811
    google_key: SigningKey,  # noqa: F811
) -> Iterator[LongApi]:
    """The app with a 1-second answer bound, on each store, the sheet `desk` (240 cases) behind
    a gated backend and its twin `desk-twin` (the same cases, not gated)."""
    settings = api_settings(tmp_path, cert_server.url)
    if request.param == "postgresql":
        schema: PgSchema = request.getfixturevalue("make_pg_schema")()
        settings = settings.model_copy(update={"database_url": SecretStr(schema.url)})
    settings = settings.model_copy(update={"press_answer_seconds": 1.0})
    clock = Clock()
    app = create_app(settings, clock=clock, start_scheduler=False)
    rows = team_cases(240)
    with TestClient(app) as client:
        api = Api(app=app, client=client, tmp=tmp_path, google_key=google_key, clock=clock)
        api.add_sheet(SHEET, write_workbook(tmp_path / "desk.xlsx", rows))
        api.add_sheet(TWIN, write_workbook(tmp_path / "twin.xlsx", rows))
        engine = api.context.engine_for(SHEET)
        backend = GatedBackend(engine.backend)
        engine.backend = backend  # type: ignore[assignment]
        yield LongApi(api, backend, len(rows))
        backend.read_gate.set()  # never leave a run hanging on a gate
        backend.write_gate.set()


def running(body: dict[str, Any]) -> bool:
    return body["state"] in ("queued", "running")


def test_a_long_sync_is_answered_202_then_polled_to_the_summary_a_waited_run_gives(
    long_api: LongApi,
) -> None:
    """A press whose run outlasts the bound gets 202 with the run to poll; polling shows the
    run move from reading to writing; a second press joins it (same run, one run recorded);
    the run ends with the summary, and the sheet ends as a press that waited (?wait=600)
    leaves its twin."""
    backend = long_api.backend

    first = long_api.press()
    assert first.status_code == 202, first.text
    accepted = first.json()
    run_id = accepted["run_id"]
    location = f"/v1/sheets/{SHEET}/runs/{run_id}"
    assert first.headers["location"] == location == accepted["location"]
    assert accepted["state"] == "running"
    assert accepted["progress"] == {"step": "read", "done": 0, "total": None}

    reading = long_api.poll(location)
    assert (reading["state"], reading["progress"]["step"]) == ("running", "read")
    assert reading["writes"] is None and reading["summary"] is None and reading["error"] is None
    backend.read_gate.set()
    writing = long_api.poll_until(location, lambda b: b["progress"]["step"] == "write")
    assert writing["state"] == "running"
    assert writing["progress"] == {"step": "write", "done": 0, "total": long_api.cases}

    second = long_api.press()  # the run is held at its write: this press joins it
    assert second.status_code == 202, second.text
    assert second.json()["run_id"] == run_id
    assert second.headers["location"] == location

    backend.write_gate.set()
    done = long_api.poll_until(location, lambda b: not running(b))
    assert done["state"] == "succeeded", done
    assert done["error"] is None
    summary = done["summary"]
    assert summary["run_id"] == run_id
    assert (summary["cases"], summary["joined"]) == (long_api.cases, False)
    assert summary["cells_written"] > 0
    steps = [p["progress"]["step"] for p in long_api.polls]
    assert steps.index("read") < steps.index("write")  # the progress moved on

    runs = long_api.api.get(f"/v1/sheets/{SHEET}/runs")
    # The joined press started no run of its own.
    assert [(r["id"], r["state"]) for r in runs] == [(run_id, "succeeded")]

    waited = long_api.api.signed("POST", f"/v1/sheets/{TWIN}/sync?wait=600")
    assert waited.status_code == 200, waited.text
    twin = waited.json()
    counts = ("cases", "new_cases", "cells_written", "timeline_events", "errors", "warnings")
    assert {k: summary[k] for k in counts} == {k: twin[k] for k in counts}
    assert records(long_api.api.workbook(SHEET)) == records(long_api.api.workbook(TWIN))

    detail = long_api.api.get(location)  # without ?writes=false: the case cells it wrote
    written = {w["case_id"] for w in detail["writes"]}
    assert written == {f"AS-L-{i:04d}" for i in range(long_api.cases)}


def test_a_press_waiting_for_the_sheets_lock_gets_a_queued_run_that_becomes_the_sync(
    long_api: LongApi,
) -> None:
    """While another holder (an undo, another replica) has the sheet, a press is answered 202
    with a queued run; once the sheet is free, that very run syncs it (one run recorded)."""
    long_api.backend.read_gate.set()
    long_api.backend.write_gate.set()
    context = long_api.api.context
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with context.coordinator.locks.hold(long_api.api.sheet_key(), wait=True) as held:
            assert held
            holding.set()
            release.wait(WAIT)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(WAIT)
        pressed = long_api.press("recalculate")
        assert pressed.status_code == 202, pressed.text
        accepted = pressed.json()
        assert (accepted["state"], accepted["progress"]) == ("queued", None)
        queued = long_api.poll(accepted["location"])
        assert (queued["state"], queued["finished_at"], queued["trigger"]) == (
            "queued",
            None,
            "recalculate",
        )
        listed = long_api.api.get(f"/v1/sheets/{SHEET}/runs")
        assert [(r["id"], r["state"]) for r in listed] == [(accepted["run_id"], "queued")]
    finally:
        release.set()
        holder.join(WAIT)

    done = long_api.poll_until(accepted["location"], lambda b: not running(b))
    assert done["state"] == "succeeded", done
    assert done["summary"]["run_id"] == accepted["run_id"]
    assert done["summary"]["cases"] == long_api.cases
    runs = long_api.api.get(f"/v1/sheets/{SHEET}/runs")
    assert [(r["id"], r["outcome"]) for r in runs] == [(accepted["run_id"], "ok")]


def test_a_run_that_fails_after_its_202_says_its_error_code_and_sentence(
    long_api: LongApi,
) -> None:
    """A run answered 202 that then fails is polled to state failed, with the error's stable
    code and its sentence, and no summary."""
    long_api.backend.fail_write = BackendUnavailableError("Google Sheets did not answer (503).")
    pressed = long_api.press()
    assert pressed.status_code == 202, pressed.text
    long_api.backend.read_gate.set()
    long_api.backend.write_gate.set()

    done = long_api.poll_until(pressed.json()["location"], lambda b: not running(b))
    assert done["state"] == "failed"
    assert done["summary"] is None
    assert done["error"] == {
        "error": "backend_unavailable",
        "detail": "Google Sheets did not answer (503).",
    }


def test_metrics_count_runs_in_progress_and_their_duration_by_trigger(
    long_api: LongApi,
) -> None:
    """/metrics shows one Sync-now run in progress while it runs, none after, and its
    duration observed once under its trigger."""
    pressed = long_api.press()
    assert pressed.status_code == 202, pressed.text
    during = long_api.api.client.get("/metrics", headers=bearer(METRICS_TOKEN)).text
    assert 'aftersales_runs_in_progress{trigger="sync-now"} 1.0' in during
    long_api.backend.read_gate.set()
    long_api.backend.write_gate.set()
    long_api.poll_until(pressed.json()["location"], lambda b: not running(b))

    after = long_api.api.client.get("/metrics", headers=bearer(METRICS_TOKEN)).text
    assert 'aftersales_runs_in_progress{trigger="sync-now"} 0.0' in after
    assert 'aftersales_run_duration_seconds_count{trigger="sync-now"} 1.0' in after
