"""Two service replicas (real `aftersales serve` processes) on one PostgreSQL: a Sync-now pressed
at both at once runs the sheet once; the other replica answers with that run."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from app.registry import SheetRegistry
from app.store import Store
from tests.service.conftest import (
    PgSchema,
    ServerFactory,
    many_cases,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SHEET = "team-sheet"
CASES = 600  # a sync of this many real cases takes seconds; the two presses are ms apart


def fire_together(
    calls: list[tuple[str, Callable[[], httpx.Response]]],
) -> dict[str, httpx.Response]:
    """Run the calls in threads released by one barrier; return each one's response."""
    barrier = threading.Barrier(len(calls))
    responses: dict[str, httpx.Response] = {}
    errors: list[BaseException] = []

    def call(name: str, fn: Callable[[], httpx.Response]) -> None:
        barrier.wait(timeout=10)
        try:
            responses[name] = fn()
        except BaseException as exc:  # reported below, with the name
            errors.append(exc)

    threads = [threading.Thread(target=call, args=c) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=50)
    assert not errors, errors
    assert len(responses) == len(calls), "a request did not finish in time"
    return responses


def test_sync_now_at_two_replicas_runs_the_sheet_once(
    pg_schema: PgSchema, servers: ServerFactory, tmp_path: Path
) -> None:
    """Sync-now fired at two processes at the same moment records one run; both answer 200,
    and the replica that found the sheet busy reports `joined: true` with the same run_id."""
    began = time.monotonic()
    # Both replicas start together on an empty schema (they migrate it one after the other);
    # the sheet is registered while they run, as an operator would.
    a, b = servers(2, pg_schema.url, env={"AFTERSALES_SCHEDULER_ENABLED": "false"})
    for server in (a, b):
        ready = server.signed("GET", "/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ready", "database": "ok", "scheduler": "disabled"}
    workbook = many_cases(tmp_path / "team.xlsx", CASES)
    with Store.open(pg_schema.url) as store:
        SheetRegistry(store).add(SHEET, kind="workbook", location=str(workbook))

    responses = fire_together([("a", lambda: a.sync_now(SHEET)), ("b", lambda: b.sync_now(SHEET))])

    for name, response in responses.items():
        assert response.status_code == 200, f"{name}: {response.text}"
    bodies = [responses["a"].json(), responses["b"].json()]
    owner = next(body for body in bodies if not body["joined"])
    joined = next(body for body in bodies if body["joined"])
    assert owner["run_id"] == joined["run_id"] is not None
    assert owner["cases"] == CASES
    same = ("cases", "new_cases", "cells_written", "timeline_events", "errors", "warnings")
    assert {k: joined[k] for k in same} == {k: owner[k] for k in same}

    with Store.open(pg_schema.url) as store:
        entry = SheetRegistry(store).get(SHEET)
        runs = store.list_runs(entry.sheet_key)
        assert [(r.id, r.trigger, r.outcome) for r in runs] == [(owner["run_id"], "sync-now", "ok")]

        # Both replicas let go of the sheet: the replica that joined can now run it itself.
        joiner = a if responses["a"].json()["joined"] else b
        again = joiner.sync_now(SHEET)
        assert again.status_code == 200, again.text
        assert again.json()["joined"] is False
        assert again.json()["run_id"] != owner["run_id"]
        assert len(store.list_runs(entry.sheet_key)) == 2

    assert time.monotonic() - began < 60
